"""Export what I see, change, import again: rows whose voucher is recorded with the same values
count as unchanged and are skipped; a recorded voucher with different values is refused naming
the row, the column and the recorded value; new rows import as before; all or nothing."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from budgets.models import Disbursement
from tests.budgets.factories import LineFactory
from tests.budgets.test_import import row, run, xlsx
from tests.projects.project_factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(db):
    project = ProjectFactory(code="XM-2026-0201", funding_status="allocated", approved_budget=Decimal("900000.00"))
    return LineFactory(project=project, amount=Decimal("900000.00"))


def test_the_same_file_twice_counts_its_rows_as_unchanged(users, line):
    content = xlsx([row(f"PZ-{n}", "XM-2026-0201", "1000") for n in range(12)])
    assert run(users["finance"], content, commit=True).committed
    again = run(users["finance"], content)
    assert (again.ok, again.new, again.updated, again.unchanged) == (True, 0, 0, 12), again.problems
    report = run(users["finance"], content, commit=True)
    assert report.ok and report.unchanged == 12
    assert Disbursement.objects.count() == 12
    line.refresh_from_db()
    assert line.paid_total == Decimal("12000.00")  # the running totals did not count them twice


def test_export_then_add_one_row(users, line, login):
    assert run(users["finance"], xlsx([row("PZ-A", "XM-2026-0201", "1000"), row("PZ-B", "XM-2026-0201", "2000", status="已申请")]),
               commit=True).committed
    exported = login(users["finance"]).get(reverse("budgets:export", args=["disbursements"])).content
    book = openpyxl.load_workbook(io.BytesIO(exported))
    book.active.append(row("PZ-C", "XM-2026-0201", "3000"))
    out = io.BytesIO()
    book.save(out)
    report = run(users["finance"], out.getvalue(), commit=True)
    assert (report.ok, report.new, report.unchanged) == (True, 1, 2), report.problems
    assert sorted(Disbursement.objects.values_list("voucher_no", "amount")) == [
        ("PZ-A", Decimal("1000.00")), ("PZ-B", Decimal("2000.00")), ("PZ-C", Decimal("3000.00"))]


def test_a_changed_amount_is_refused_naming_row_column_and_recorded_value(users, line):
    assert run(users["finance"], xlsx([row("PZ-A", "XM-2026-0201", "1000")]), commit=True).committed
    report = run(users["finance"], xlsx([row("PZ-NEW", "XM-2026-0201", "500"), row("PZ-A", "XM-2026-0201", "1500")]), commit=True)
    assert not report.ok
    assert [(p.row, p.column, p.value) for p in report.problems] == [(3, "金额（元）", "1500")]
    message = report.problems[0].message
    assert "PZ-A" in message and "1,000.00" in message and "different" in message and "its page" in message
    assert sorted(Disbursement.objects.values_list("voucher_no", flat=True)) == ["PZ-A"]  # all or nothing


def test_a_changed_payee_or_status_is_refused_too(users, line):
    assert run(users["finance"], xlsx([row("PZ-A", "XM-2026-0201", "1000")]), commit=True).committed
    changed = row("PZ-A", "XM-2026-0201", "1000", status="已申请")
    changed[6] = "另一家公司"
    report = run(users["finance"], xlsx([changed]))
    assert sorted(p.column for p in report.problems) == ["收款单位", "状态"]
    assert any("长春某某科技有限公司" in p.message for p in report.problems)
