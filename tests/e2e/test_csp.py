"""Every page keeps to the Content Security Policy in a real browser: Chromium reports each thing the
policy refuses (an inline script or style, a foreign source) on the console; there must be none.

Every page the navigation offers to each role, and the pages people work on (a demand form, a
demand, a project, the admin), in both languages.
"""

import pytest

from .browser import login
from .test_layout import ROLES, nav_urls

pytestmark = pytest.mark.browser


def watch(page) -> list[str]:
    refused: list[str] = []
    page.on("console", lambda msg: refused.append(f"{page.url}: {msg.text}")
            if "Content Security Policy" in msg.text else None)
    return refused


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_no_page_breaks_the_policy(new_page, lang):
    from projects.models import Demand, Project

    control = new_page()
    caught = watch(control)
    login(control, "auditor", lang)
    control.evaluate("document.body.setAttribute('style', 'color: red')")  # what the policy refuses
    control.wait_for_timeout(200)
    assert caught, "the console watch sees a refused inline style (else this test could not fail)"
    control.context.close()

    refused, seen = [], set()
    demand = Demand.objects.order_by("pk").first()
    project = Project.objects.order_by("pk").first()
    extra = {"sub_changchun": ["/demands/new/"], "admin": ["/admin/", "/api/docs/"]}
    if demand is not None:
        extra["prov_reviewer"] = [f"/demands/{demand.pk}/"]
    if project is not None:
        extra["pm"] = [f"/projects/{project.pk}/"]
    for username in ROLES:
        page = new_page()
        refused += watch(page)
        login(page, username, lang)
        for url in nav_urls(page) + extra.get(username, []):
            if url in seen and url != "/":
                continue
            seen.add(url)
            page.goto(url)
            page.wait_for_load_state("networkidle")
        page.context.close()
    assert refused == []
