"""The base layout in both languages at 1920, 1366 and 1280 px and on a 390 px phone.

For every demo role, every page its navigation reaches: nothing scrolls sideways, the
navigation stays on one row with no label wrapped (from 1280 px), the language button's
name is on one line, and a screenshot of each width lands in tests/e2e/screenshots/.
"""

import pytest

from .browser import CJK, layout, login, screenshot

pytestmark = pytest.mark.browser

ROLES = ["sub_changchun", "coord_changchun", "prov_reviewer", "prov_approver", "pm", "finance", "ops", "auditor", "admin"]
DESKTOP = (1920, 1366, 1280)
PHONE = 390
ONE_ROW = 64  # px: a Bootstrap navbar of one row is 56 px high


def nav_urls(page) -> list[str]:
    """The pages the navigation offers (menus included), in order, from the page it is on."""
    hrefs = page.eval_on_selector_all(
        "#mainnav a.nav-link[href], #mainnav a.dropdown-item[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    seen, out = set(), []
    for href in hrefs:
        if href.startswith("/") and href not in seen and not href.startswith(("/admin/", "/api/")):
            seen.add(href)
            out.append(href)
    return out


def problems_at(page, width: int) -> list[str]:
    page.set_viewport_size({"width": width, "height": 900})
    facts = layout(page)
    found = []
    if facts["scrollWidth"] > facts["innerWidth"]:
        found.append(f"scrolls sideways ({facts['scrollWidth']} > {facts['innerWidth']}; widest: {facts['wide']})")
    if width >= 1280:
        if facts["navHeight"] > ONE_ROW or facts["navSpread"] > 2:
            found.append(f"navigation on more than one row (height {facts['navHeight']})")
        if facts["wrapped"]:
            found.append(f"navigation labels wrapped: {facts['wrapped']}")
    for name, lines in facts["langLines"]:
        if lines != 1:
            found.append(f"language button {name!r} on {lines} lines")
    return found


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_every_navigation_page_fits_every_width(new_page, lang):
    """Each role in turn; a page that several roles reach (the catalogue, say) is laid out for
    the first of them only, since roles change its rows, not its layout. Home differs by role."""
    problems, seen = [], set()
    for username in ROLES:
        page = new_page()
        login(page, username, lang)
        urls = nav_urls(page)
        assert "/" in urls and len(urls) >= 4, (username, urls)
        for url in urls:
            if url in seen and url != "/":
                continue
            seen.add(url)
            response = page.goto(url)
            assert response.status == 200, f"{username} {url}: {response.status}"
            slug = url.strip("/").replace("/", "-") or "home"
            for width in (*DESKTOP, PHONE):
                problems += [f"{username} {url} at {width}px: {p}" for p in problems_at(page, width)]
                screenshot(page, f"layout-{lang}-{slug}-{username}-{width}")
        page.context.close()
    assert problems == []


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_phone_menu_collapses_and_opens_on_one_column(new_page, lang):
    page = new_page(PHONE, 800)
    login(page, "prov_reviewer", lang)
    assert not page.is_visible("#mainnav .nav-link[href='/']"), "the menu is open before the toggler is pressed"
    page.click(".navbar-toggler")
    page.wait_for_selector("#mainnav.show")
    page.wait_for_timeout(400)  # the collapse animation
    assert page.is_visible("#mainnav .nav-link[href='/']")
    assert problems_at(page, PHONE) == []
    facts = layout(page)
    assert [lines for _, lines in facts["langLines"]] == [1]
    screenshot(page, f"layout-{lang}-phone-menu-open", full_page=True)


def test_english_navigation_and_footer_have_no_chinese(page):
    """Names of people and organizations are data; the layout's own words are all English."""
    login(page, "admin", "en")
    for url in nav_urls(page):
        page.goto(url)
        texts = page.eval_on_selector_all(
            "#mainnav .nav-link:not(.pdm-user), #mainnav .dropdown-item, footer, .navbar-brand, main label, main .form-text, main legend",
            "els => els.map(e => e.innerText.trim())",
        )
        chinese = [t for t in texts if CJK.search(t)]
        assert chinese == [], f"{url}: {chinese}"


# Mixed-language help texts in projects/ (being restructured; reported to the lead, not edited here).
KNOWN_MIXED: dict[str, str] = {}  # forms known to mix languages: none left


def test_english_forms_have_no_chinese_labels_or_help(new_page):
    """Every "new …" and import form linked from a navigation page, as a submitter and the administrator."""
    found = {}
    for username in ("sub_changchun", "admin"):
        page = new_page()
        login(page, username, "en")
        forms = []
        for url in nav_urls(page):
            page.goto(url)
            for href in page.eval_on_selector_all("main a[href$='/new/'], main a[href$='/import/']", "els => els.map(e => e.getAttribute('href'))"):
                if href not in forms and href not in found:
                    forms.append(href)
        for url in forms:
            page.goto(url)
            # Labels of options (checkboxes naming data resources, say) are data, not the form's words.
            texts = page.eval_on_selector_all(
                "main label:not(.form-check-label), main .form-text, main legend, main button", "els => els.map(e => e.innerText.trim())"
            )
            found[url] = [t for t in texts if CJK.search(t)]
    assert "/demands/new/" in found and len(found) >= 4, sorted(found)
    assert {url: texts for url, texts in found.items() if texts and url not in KNOWN_MIXED} == {}
    known = {url: found[url][:3] for url in KNOWN_MIXED if found.get(url)}
    if known:
        pytest.xfail(f"mixed-language help texts, for the lead: {KNOWN_MIXED} -> {known}")
