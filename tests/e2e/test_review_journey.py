"""The review as people do it, in a real browser: a ¥7,000,000 demand goes to a panel of three, two agree
and one disagrees, and the approver decides from the side-by-side view (opinions, recommended budgets,
their median); a demand needing 机动车登记信息 waits for the public security department's data officer,
who grants it with an end date. Each test works on demands of its own."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from .browser import login, screenshot

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _demand(title, budget_parts, resources=()):
    from organizations.models import User
    from projects.demands.services import demand_transition, save_demand
    from tests.projects.factories import DemandFactory, org

    hw, sw, sv, op = (Decimal(x) for x in budget_parts)
    demand = DemandFactory(org=org("220000-jyt"), title=title, budget_hardware=hw, budget_software=sw, budget_services=sv,
                           budget_operations=op, planned_end=timezone.localdate() + timedelta(days=500))
    submitter = User.objects.get(username="sub_province")
    if resources:
        save_demand(actor=submitter, demand=demand, data={"data_resources": [r.pk for r in resources]})
    demand_transition(demand=demand, name="submit", actor=submitter)  # a provincial department: straight to the province
    return demand


def _open(page, demand):
    page.goto(f"/demands/{demand.pk}/")


def _post(page, selector):
    with page.expect_navigation():
        page.click(selector)


def test_a_large_demand_goes_to_a_panel_of_three_and_the_approver_decides_from_their_opinions(new_page):
    from organizations.models import User
    from projects.models import Demand
    from projects.redundancy.flags import resolve_flag

    demand = _demand("全省教育统一身份认证与数据共享平台", ("1000000", "4500000", "1000000", "500000"))
    assert demand.budget_total == Decimal("7000000.00") and demand.status == "provincial_review"
    # The redundancy check's flags are the reviewer's first decision (tested on their own pages): dismissed here.
    for flag in demand.flags.filter(state="pending"):
        resolve_flag(flag, "dismissed", "省级平台不覆盖该业务", actor=User.objects.get(username="prov_reviewer"))

    # The reviewer records an opinion: approve, at the full amount.
    reviewer = new_page()
    login(reviewer, "prov_reviewer")
    _open(reviewer, demand)
    reviewer.check("#rec-approve")
    _post(reviewer, "[data-testid=record-opinion]")
    assert reviewer.locator("[data-testid=review-opinion]").is_visible()

    # The approver reads the opinion on top and sends the demand to the expert panel.
    approver = new_page()
    login(approver, "prov_approver")
    _open(approver, demand)
    assert "审核意见" in approver.inner_text("[data-testid=review-opinion]")
    _post(approver, "[data-testid=action-provincial_approve]")
    assert Demand.objects.get(pk=demand.pk).status == "expert_review"

    # The provincial office assigns three experts of the pool, with a deadline.
    experts = {name: User.objects.get(username=name) for name in ("expert_wang", "expert_li", "expert_zhao")}
    _open(reviewer, demand)
    for box in reviewer.locator("input[name=experts]").all():
        box.uncheck()
    for user in experts.values():
        reviewer.check(f"#ex-{user.pk}")
    reviewer.fill("#panel-deadline", (timezone.localdate() + timedelta(days=7)).isoformat())
    _post(reviewer, "[data-testid=assign-panel]")
    assert reviewer.locator("[data-testid=panel-row]").count() == 3

    # Each expert: the demand in "my reviews", an opinion; the others' only after one's own.
    opinions = [("expert_wang", "agree", "650万", "建设必要，方案可行。"),
                ("expert_li", "agree", "6,000,000", ""),
                ("expert_zhao", "disagree", "", "与省级统一身份认证平台功能重复，建议复用。")]
    for username, verdict, budget, comments in opinions:
        page = new_page()
        login(page, username)
        page.goto("/reviews/mine/")
        with page.expect_navigation():
            page.locator("[data-testid=assignment-row]", has_text=demand.code).locator("a").first.click()
        if username == "expert_li":
            assert "建设必要，方案可行。" not in page.inner_text("main")  # not before its own opinion
        page.check(f"#v-{verdict}")
        page.fill("#v-budget", budget)
        page.fill("#v-comments", comments)
        if username == "expert_wang":
            page.set_input_files("#v-file", {"name": "王教授签字意见.pdf", "mimeType": "application/pdf", "buffer": PDF})
        _post(page, "[data-testid=submit-opinion]")
        assert page.locator("[data-testid=expert-opinion-form]").count() == 0
        if username == "expert_li":
            assert "建设必要，方案可行。" in page.inner_text("[data-testid=expert-panel]")

    # The approver: the opinions side by side, the recommended budgets and their median; approves as recommended.
    _open(approver, demand)
    panel = approver.inner_text("[data-testid=panel-table]")
    assert panel.count("同意") >= 2 and "不同意" in panel
    assert "6,250,000.00" in approver.inner_text("[data-testid=median-budget]")
    assert approver.input_value("[data-testid=approved-budget-input]") == "6250000.00"
    screenshot(approver, "review-panel-side-by-side", full_page=True)
    _post(approver, "[data-testid=action-expert_approve]")
    fresh = Demand.objects.get(pk=demand.pk)
    assert (fresh.status, fresh.budget_total, fresh.approved_budget) == ("approved", Decimal("7000000.00"), Decimal("6250000.00"))
    assert fresh.project.approved_budget == Decimal("6250000.00")


def test_a_demand_needing_vehicle_registrations_waits_for_the_public_security_data_officer(new_page):
    from assets.models import DataResource
    from projects.models import AuthorizationRequest

    vehicles = DataResource.objects.get(name="机动车登记信息")
    demand = _demand("校车安全运营监管系统", ("200000", "600000", "150000", "50000"), resources=[vehicles])
    request = AuthorizationRequest.objects.get(demand=demand, resource=vehicles)
    assert (request.state, request.owner_org.code) == ("pending", "220000-gat")

    approver = new_page()
    login(approver, "prov_approver")
    _open(approver, demand)
    assert "机动车登记信息" in approver.inner_text("[data-testid=authorization-open]")

    officer = new_page()
    login(officer, "data_gat")
    officer.goto("/authorizations/?state=pending")
    card = officer.locator("[data-testid=authorization-card]", has_text=demand.code)
    assert "校车安全运营监管系统" in card.inner_text()
    until = (timezone.localdate() + timedelta(days=365)).isoformat()
    card.locator("input[name=conditions]").fill("仅限校车监管业务使用")
    card.locator("[data-testid=valid-until]").fill(until)
    with officer.expect_navigation():
        card.locator("[data-testid=grant]").click()
    request.refresh_from_db()
    assert (request.state, request.valid_until.isoformat(), request.decided_by.username) == ("granted", until, "data_gat")
    screenshot(officer, "sharing-request-granted")

    _open(approver, demand)
    assert approver.locator("[data-testid=authorization-open]").count() == 0
    assert "已授权" in approver.inner_text("[data-testid=authorization-requests]")
    approver.goto(f"/catalogue/data-resources/{vehicles.pk}/")
    assert "校车安全运营监管系统" in approver.inner_text("[data-testid=granted-authorizations]")
