"""Money, tried as a new user would, in Chromium.

As `finance`: import a year of disbursements from an xlsx with two wrong rows, read the errors,
fix them, import again, and see the execution rate move. As `pm`: ask for a budget increase
that `prov_approver` approves.
"""

import io
from decimal import Decimal

import openpyxl
import pytest

from .browser import login, screenshot

pytestmark = pytest.mark.browser

HEAD = ["凭证号", "项目编号", "预算年度", "资金来源", "支出类别", "金额（元）", "收款单位", "日期", "用途", "状态"]


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(HEAD)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def a_line_with_room():
    from budgets.models import BudgetLine
    from budgets.services import holding_by_line

    for line in BudgetLine.objects.filter(project__funding_status__in=("allocated", "disbursing")).select_related("project").order_by("pk"):
        if line.amount - holding_by_line([line.pk]).get(line.pk, Decimal("0")) >= Decimal("120000"):
            return line
    raise AssertionError("the demo data has no line with money left")


def year_of_payments(line, *, broken: bool, prefix: str = "E2E"):
    source = {"provincial_fiscal": "省级财政", "municipal_fiscal": "市级财政", "central_transfer": "中央转移支付",
              "special_bonds": "专项债券", "self_raised": "自筹"}[line.source]
    category = {"hardware": "硬件", "software": "软件", "services": "服务", "operations": "运维"}[line.category]
    rows = []
    for month in range(1, 13):
        amount = "一万元" if broken and month == 4 else "10,000.00"
        code = "XM-1999-0000" if broken and month == 9 else line.project.code
        rows.append([f"{prefix}-{line.pk}-{month:02d}", code, line.fiscal_year, source, category, amount, "吉林祥云信息技术有限公司",
                     f"2026-{month:02d}-01", "月度运维款", "已支付"])
    return rows


def figures(page, project) -> tuple[str, str]:
    """The project's execution rate (its money page) and the province's paid total (the overview)."""
    page.goto(f"/money/projects/{project.pk}/")
    rate = page.inner_text("[data-testid=fig-rate]")
    page.goto("/money/")
    return rate, page.inner_text("[data-testid=total-paid]")


def test_finance_imports_a_year_of_disbursements_fixing_two_wrong_rows(page, tmp_path):
    from budgets.models import Disbursement

    line = a_line_with_room()
    login(page, "finance", "en")
    before = figures(page, line.project)
    page.click("[data-testid=import-disbursements]")
    bad = tmp_path / "payments-2026.xlsx"
    bad.write_bytes(workbook(year_of_payments(line, broken=True)))
    page.set_input_files("#id_file", str(bad))
    page.click("[data-testid=upload]")
    errors = page.inner_text("[data-testid=row-errors]")
    screenshot(page, "money-import-errors")
    assert "一万元" in errors and "XM-1999-0000" in errors
    rows = page.eval_on_selector_all("[data-testid=row-errors] tbody tr", "trs => trs.map(t => t.cells[0].innerText)")
    assert sorted(set(rows)) == ["10", "5"]  # April and September (the header is row 1)
    assert page.query_selector("[data-testid=confirm-import]") is None
    assert not Disbursement.objects.filter(voucher_no__startswith=f"E2E-{line.pk}-").exists()

    good = tmp_path / "payments-2026-fixed.xlsx"
    good.write_bytes(workbook(year_of_payments(line, broken=False)))
    page.set_input_files("#id_file", str(good))
    page.click("[data-testid=upload]")
    assert "12 rows: 12 to add" in page.inner_text("[data-testid=import-counts]")
    page.click("[data-testid=confirm-import]")
    page.wait_for_url("**/money/")
    screenshot(page, "money-overview-after-import")
    after = figures(page, line.project)
    assert Disbursement.objects.filter(voucher_no__startswith=f"E2E-{line.pk}-", status="paid").count() == 12
    assert float(after[0].rstrip("%")) > float(before[0].rstrip("%")), (before, after)  # the execution rate moved

    def yuan(text):
        return Decimal(text.lstrip("¥").replace(",", ""))

    assert yuan(after[1]) - yuan(before[1]) == Decimal("120000.00")


def test_pm_asks_for_a_budget_increase_that_the_approver_approves(new_page):
    from budgets.models import BudgetChange
    from projects.models import Project

    project = (Project.objects.filter(construction_org__code="220000-zwj", approved_budget__gt=0)
               .exclude(budget_changes__status="proposed").exclude(funding_status="settled").order_by("pk").first())
    old = project.approved_budget
    new = old + Decimal("2000000.00")
    pm = new_page()
    login(pm, "pm", "en")
    pm.goto(f"/money/projects/{project.pk}/")
    pm.fill("#id_new_amount", f"{new:,.2f}")
    pm.fill("#id_reason", "Two more cities join the platform: more cloud capacity.")
    pm.click("[data-testid=propose-change]")
    assert "Budget change proposed" in pm.inner_text("main")
    change = BudgetChange.objects.get(project=project, status="proposed")
    assert Project.objects.get(pk=project.pk).approved_budget == old  # nothing changes before the approval

    approver = new_page()
    login(approver, "prov_approver", "en")
    approver.goto("/money/budget-changes/?status=proposed")
    approver.click(f"[data-testid=change-approve-{change.pk}]")
    assert "now “Approved”" in approver.inner_text("main")
    screenshot(approver, "money-budget-change-approved")
    assert Project.objects.get(pk=project.pk).approved_budget == new
    approver.goto(f"/money/projects/{project.pk}/")
    assert f"{new:,.2f}" in approver.inner_text("[data-testid=fig-approved]")


def test_an_over_long_reason_is_neither_sent_nor_lost(new_page):
    """The live counter's warning keeps the form from being sent: the text stays, nothing is proposed."""
    from budgets.models import BudgetChange
    from projects.models import Project

    project = (Project.objects.filter(construction_org__code="220000-zwj", approved_budget__gt=0)
               .exclude(budget_changes__status="proposed").exclude(funding_status="settled").order_by("-pk").first())
    pm = new_page()
    login(pm, "pm", "en")
    pm.goto(f"/money/projects/{project.pk}/")
    reason = "扩" * 4100
    pm.fill("#id_new_amount", f"{project.approved_budget + Decimal('1000000'):,.2f}")
    pm.fill("#id_reason", reason)
    pm.click("[data-testid=propose-change]")
    pm.wait_for_timeout(500)
    assert pm.url.endswith(f"/money/projects/{project.pk}/")
    assert pm.input_value("#id_reason") == reason  # still there, whole
    assert "text-danger" in pm.get_attribute("#id_reason ~ [data-maxlength-counter]", "class")
    assert pm.evaluate("document.activeElement.id") == "id_reason"
    assert not BudgetChange.objects.filter(project=project, status="proposed").exists()
