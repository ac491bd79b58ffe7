"""The project page's lanes in a real browser, in both languages at 1366 px (issue 10 items 9, 10, 14;
issue 12 item 5): forward actions first and always in the same place, backward and destructive ones
apart behind a confirmation that says what will happen (no script needed), blocked reasons that
name who acts with a link to where, amounts with separators; the project manager enters the hardware
facts on the page. Each test works on a project of its own (the seeded data stays as it is)."""

from datetime import date
from decimal import Decimal

import pytest

from .browser import layout, login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def own_project():
    """`make(**states)`: a project of this test's own (a delivered hardware item with its cost, planned dates)."""
    from django.contrib.auth import get_user_model

    from assets.models import HardwareItem
    from organizations.models import Organization
    from projects.models import Project

    made = []

    def make(**states):
        n = Project.objects.count() + len(made) + 1
        project = Project.objects.create(
            code=f"XM-2019-{n:04d}", name=f"浏览器测试项目{n}", construction_org=Organization.objects.get(code="220000-zwj"),
            manager=get_user_model().objects.get(username="pm"), approved_budget=Decimal("1234567.50"), year=2026,
            planned_start=date(2026, 1, 1), planned_end=date(2027, 6, 30), **states)
        HardwareItem.objects.create(project=project, name="应用服务器", kind="cloud_vm", quantity=2, unit_cost=Decimal("18000.00"),
                                    status="delivered")
        made.append(project)
        return project

    return make  # the session's database is flushed at its end (the audit log is append-only)


def offset_in_lane(page, machine, testid):
    """Where an element sits inside its lane's card (px from the card's top left corner)."""
    lane = page.locator(f"[data-testid=lane-{machine}]").bounding_box()
    box = page.locator(f"[data-testid={testid}]").bounding_box()
    assert box is not None, f"{testid} is not shown"
    return (round(box["x"] - lane["x"]), round(box["y"] - lane["y"]))


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_forward_first_in_a_fixed_place_and_rework_confirms_what_it_does(new_page, own_project, lang):
    from projects.models import Project

    project = own_project(hardware_status="accepted", funding_status="allocated", development_status="testing")
    page = new_page(1366, 900)
    login(page, "pm", lang)
    page.goto(f"/projects/{project.pk}/")
    facts = layout(page)
    assert facts["scrollWidth"] <= facts["innerWidth"], facts["wide"]
    # Forward (submit for acceptance) on top; rework apart below it, its confirmation closed.
    forward = offset_in_lane(page, "development", "do-development-submit_acceptance")
    ask = page.locator("[data-testid=ask-development-rework]")
    assert ask.is_visible() and offset_in_lane(page, "development", "ask-development-rework")[1] > forward[1]
    assert "btn-outline-danger" in ask.get_attribute("class")
    confirm = page.locator("[data-testid=do-development-rework]")
    assert not confirm.is_visible()  # a first click only opens the confirmation
    assert page.locator("main [onclick], main [style]").count() == 0  # no inline script or style: a CSP is coming
    screenshot(page, f"project-lanes-testing-{lang}")
    ask.click()
    consequence = page.locator("[data-testid=confirm-development-rework] .alert").inner_text()
    assert ("开发将退回建设阶段" if lang == "zh-hans" else "goes back to building") in consequence
    assert confirm.is_visible()
    screenshot(page, f"project-lanes-rework-confirm-{lang}")
    page.fill("#c-development-rework", "测试不通过")
    with page.expect_navigation():
        confirm.click()
    assert Project.objects.get(pk=project.pk).development_status == "building"
    # Building: the forward action is in the very place where "submit for acceptance" was.
    assert offset_in_lane(page, "development", "do-development-test") == forward
    assert page.locator("[data-testid=ask-development-rework]").count() == 0


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_blocked_reasons_name_who_acts_and_link_to_where(new_page, own_project, lang):
    project = own_project(development_status="not_started")
    page = new_page(1366, 900)
    login(page, "pm", lang)
    page.goto(f"/projects/{project.pk}/")
    blocked = page.locator("[data-testid=blocked-development-start]").inner_text()
    assert ("等待财务下达资金" if lang == "zh-hans" else "waiting for finance to allocate the funds") in blocked
    link = page.locator("[data-testid=unblock-development-start]")
    assert link.get_attribute("href") == "#lane-funding"
    link.click()
    assert page.url.endswith("#lane-funding")
    assert page.locator("#lane-funding").is_visible()
    budget = page.locator("[data-testid=budget]").inner_text()
    assert "¥1,234,567.50" in budget and "¥36,000.00" in budget
    assert "¥0.00" in budget  # nothing requested in demands: zero with its two decimals


def test_the_project_manager_adds_an_item_marks_it_delivered_and_requests(new_page, own_project):
    from projects.models import Project

    project = own_project()
    page = new_page(1366, 900)
    login(page, "pm", "zh-hans")
    page.goto(f"/projects/{project.pk}/")
    form = page.locator("[data-testid=hardware-form]")
    form.locator("summary").click()
    form.locator("[name=name]").fill("数据库服务器（云主机 16核64G）")
    form.locator("[name=unit_cost]").fill("3.6万")
    assert "3.60 万元" in form.inner_text()
    with page.expect_navigation():
        form.locator("[data-testid=add-item]").click()
    item = project.hardware_items.get(name="数据库服务器（云主机 16核64G）")
    assert (item.unit_cost, item.status) == (Decimal("36000.00"), "planned")
    assert "36,000.00" in page.locator("[data-testid=hardware]").inner_text()
    with page.expect_navigation():
        page.click(f"[data-testid=delivered-{item.pk}]")
    item.refresh_from_db()
    assert item.status == "delivered"
    with page.expect_navigation():
        page.click("[data-testid=do-hardware-request]")
    assert Project.objects.get(pk=project.pk).hardware_status == "requested"
    screenshot(page, "project-hardware-facts")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_ops_officer_sees_suspend_and_retire_apart_each_confirming(new_page, own_project, lang):
    project = own_project(hardware_status="accepted", funding_status="settled", development_status="delivered",
                          operations_status="in_operation")
    page = new_page(1366, 900)
    login(page, "ops", lang)
    page.goto(f"/projects/{project.pk}/")
    forward = page.locator("[data-testid=forward-operations]").bounding_box()
    backward = page.locator("[data-testid=backward-operations]").bounding_box()
    assert backward["y"] > forward["y"]
    for name in ("suspend", "retire"):
        assert not page.locator(f"[data-testid=do-operations-{name}]").is_visible()
    page.click("[data-testid=ask-operations-retire]")
    text = page.locator("[data-testid=confirm-operations-retire] .alert").inner_text()
    assert ("不可撤销" if lang == "zh-hans" else "cannot be undone") in text
    facts = layout(page)
    assert facts["scrollWidth"] <= facts["innerWidth"], facts["wide"]
    screenshot(page, f"project-lanes-ops-{lang}")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_demand_page_puts_return_and_reject_apart_behind_a_confirmation(new_page, lang):
    """The demand page follows the same rule: approve first; return and reject apart, each confirming."""
    from tests.projects.project_factories import ApprovedDemandFactory

    demand = ApprovedDemandFactory(status="municipal_review", title=f"浏览器确认测试需求-{lang}")
    page = new_page(1366, 900)
    login(page, "coord_changchun", lang)
    page.goto(f"/demands/{demand.pk}/")
    forward = page.locator("[data-testid=action-municipal_approve]")
    assert forward.is_visible()
    for name in ("return_for_revision", "reject"):
        assert not page.locator(f"[data-testid=action-{name}]").is_visible()
        ask = page.locator(f"[data-testid=ask-{name}]")
        assert ask.bounding_box()["y"] > forward.bounding_box()["y"]
    assert page.locator("[data-testid=actions] [onclick]").count() == 0  # no inline handler: a CSP is coming
    page.click("[data-testid=ask-reject]")
    text = page.locator("[data-testid=confirm-reject] .alert").inner_text()
    assert ("不能再次提交" if lang == "zh-hans" else "cannot be submitted again") in text
    assert page.locator("[data-testid=action-reject]").is_visible()
    screenshot(page, f"demand-actions-confirm-{lang}")
