"""The four journeys of the production-shape issue, end to end in a real browser, each saving
screenshots of its key pages under tests/e2e/screenshots/ (git-ignored):

(a) a county bureau files a demand, sees the live similar-systems box, submits;
(b) the city coordinator passes it on, the provincial reviewer opens the flag comparison and
    resolves it, the approver approves;
(c) finance imports disbursements from an xlsx with an error, fixes it, exports the budget
    execution report and downloads it;
(d) the language switch shows the same pages in English.

(a) and (b) are one story (one demand walks through it); each journey works on records of its own.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils import timezone

from .browser import CJK, login, screenshot

pytestmark = pytest.mark.browser


def _post(page, selector):
    with page.expect_navigation():
        page.click(selector)


def _copied_system():
    """A provincial system in use: the county's demand asks for it again, in its own words' place."""
    from assets.models import InformationSystem

    system = (InformationSystem.objects.filter(status="in_operation", owner_org__level="province")
              .exclude(description="").prefetch_related("capabilities").order_by("pk").first())
    assert system is not None, "the demo catalogue has a provincial system in use"
    return system


def test_a_b_a_county_demand_is_filed_checked_passed_on_resolved_and_approved(new_page):
    from projects.models import Demand

    system = _copied_system()
    title = f"{system.name}（延吉市）"

    # (a) The county bureau files the demand; the live box names the system it would build twice.
    clerk = new_page(1366, 900)
    login(clerk, "sub_yanji")
    clerk.goto("/demands/new/")
    clerk.fill("#id_title", title)
    box = clerk.locator("[data-testid=similar-box]")
    box.wait_for(timeout=15_000)
    assert system.name in box.inner_text()
    screenshot(clerk, "journey-a-live-similar-box")
    clerk.fill("#id_description", system.description)
    clerk.select_option("#id_domain", index=1)
    clerk.select_option("#id_construction_type", index=1)
    for capability in system.capabilities.all()[:3]:
        clerk.check(f"#cap-{capability.code}")
    for part, amount in (("hardware", "10万"), ("software", "200,000"), ("services", "5万"), ("operations", "50000")):
        clerk.fill(f"#id_budget_{part}", amount)
    _post(clerk, "[data-testid=save-submit]")
    demand = Demand.objects.filter(title=title).order_by("-pk").first()
    assert demand is not None and demand.status == "municipal_review", clerk.inner_text("main")[:500]
    assert demand.budget_total == Decimal("400000.00")
    screenshot(clerk, "journey-a-submitted")

    # (b) The Yanbian coordinator passes it on to the province.
    coordinator = new_page(1366, 900)
    login(coordinator, "coord_yanbian")
    coordinator.goto("/demands/review/")
    row = coordinator.locator("[data-testid=demand-row]", has_text=demand.code)
    with coordinator.expect_navigation():
        row.locator("a").first.click()
    screenshot(coordinator, "journey-b-coordinator-demand")
    _post(coordinator, "[data-testid=action-municipal_approve]")
    demand.refresh_from_db()
    assert demand.status == "provincial_review"

    # The provincial reviewer opens the flag on the copied system, compares, and dismisses it with a reason.
    flag = demand.flags.filter(candidate_kind="system", candidate_id=system.pk).first()
    assert flag is not None and flag.state == "pending", list(demand.flags.values_list("candidate_title", "state"))
    reviewer = new_page(1366, 900)
    login(reviewer, "prov_reviewer")
    reviewer.goto(f"/demands/{demand.pk}/")
    with reviewer.expect_navigation():
        reviewer.locator("[data-testid=flag]", has_text=system.name).locator("[data-testid=compare-link]").first.click()
    assert system.name in reviewer.inner_text("[data-testid=compare-candidate]")
    assert demand.title in reviewer.inner_text("[data-testid=compare-demand]")
    screenshot(reviewer, "journey-b-flag-comparison", full_page=True)
    reason = "延吉市需求为本地教育专网接入，省级系统不覆盖，经核实不重复。"
    reviewer.fill("[data-testid=dismiss-comment]", reason)
    _post(reviewer, "[data-testid=action-dismiss]")
    flag.refresh_from_db()
    assert (flag.state, flag.resolution_comment) == ("dismissed", reason)
    for other in demand.flags.filter(state="pending"):  # any other flag: the same decision, through the API's code
        from organizations.models import User
        from projects.redundancy.flags import resolve_flag

        resolve_flag(other, "dismissed", reason, actor=User.objects.get(username="prov_reviewer"))

    # The approver approves; the demand becomes a project.
    approver = new_page(1366, 900)
    login(approver, "prov_approver")
    approver.goto(f"/demands/{demand.pk}/")
    _post(approver, "[data-testid=action-provincial_approve]")
    demand.refresh_from_db()
    assert demand.status == "approved", approver.inner_text("main")[:500]
    screenshot(approver, "journey-b-approved")
    assert demand.project is not None


def test_c_finance_imports_with_an_error_fixes_it_and_downloads_the_budget_execution(page, tmp_path):
    from openpyxl import load_workbook

    from budgets.models import Disbursement

    from .test_money import a_line_with_room, workbook, year_of_payments

    line = a_line_with_room()
    login(page, "finance")
    page.goto("/money/")
    page.click("[data-testid=import-disbursements]")
    bad = tmp_path / "拨付-有错.xlsx"
    bad.write_bytes(workbook(year_of_payments(line, broken=True, prefix="JRN")))
    page.set_input_files("#id_file", str(bad))
    page.click("[data-testid=upload]")
    errors = page.inner_text("[data-testid=row-errors]")
    screenshot(page, "journey-c-import-errors")
    assert "XM-1999-0000" in errors
    assert not Disbursement.objects.filter(voucher_no__startswith=f"JRN-{line.pk}-").exists()

    good = tmp_path / "拨付-已改.xlsx"
    good.write_bytes(workbook(year_of_payments(line, broken=False, prefix="JRN")))
    page.set_input_files("#id_file", str(good))
    page.click("[data-testid=upload]")
    page.click("[data-testid=confirm-import]")
    page.wait_for_url("**/money/")
    assert Disbursement.objects.filter(voucher_no__startswith=f"JRN-{line.pk}-").count() == 12

    # The budget execution of this year, as Excel: asked for, built, downloaded, opened.
    page.goto("/reports/")
    page.select_option("#id_kind", "budget_execution")
    page.select_option("#id_format", "xlsx")
    if page.locator("#id_year").count():
        page.fill("#id_year", str(timezone.localdate().year))
    _post(page, "[data-testid=report-form] button[type=submit]")
    page.wait_for_selector("[data-testid=download]", timeout=60_000)
    assert page.get_attribute("[data-testid=job-status]", "data-status") == "done"
    screenshot(page, "journey-c-report-ready")
    with page.expect_download() as info:
        page.click("[data-testid=download]")
    path = info.value.path()
    book = load_workbook(io.BytesIO(open(path, "rb").read()))
    text = "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None)
    assert "预算执行" in text and line.project.code in text


def test_d_the_language_switch_shows_the_same_pages_in_english(page):
    login(page, "prov_reviewer")
    pages = ["/demands/review/", "/demands/", "/projects/", "/money/", "/reports/"]
    counts = {}
    for url in pages:
        page.goto(url)
        counts[url] = page.locator("main table tbody tr").count()
    page.goto("/demands/review/")
    screenshot(page, "journey-d-queue-zh")
    with page.expect_navigation():
        page.click("[data-testid=lang-en]")
    for url in pages:
        page.goto(url)
        words = page.eval_on_selector_all("#mainnav .nav-link:not(.pdm-user), main h1, main th, main label",
                                          "els => els.map(e => e.innerText.trim())")
        assert words and [w for w in words if CJK.search(w)] == [], url  # the layout's own words (names are data)
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("main table tbody tr").count() == counts[url], url  # the same rows
    page.goto("/demands/review/")
    screenshot(page, "journey-d-queue-en")
    with page.expect_navigation():
        page.click("[data-testid=lang-zh-hans]")  # put the reviewer's choice back
