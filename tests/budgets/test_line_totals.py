"""The running totals of a budget line (requested, approved, paid) follow every move of its money
through the services and the import, and `verify_line_totals` finds and repairs a line that differs."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
import tablib
from django.core.management import call_command

from assets.importing import run_import
from budgets import selectors, services
from budgets.models import BudgetLine
from budgets.resources import RESOURCES
from tests.budgets.factories import DisbursementFactory, LineFactory, funded_project

pytestmark = pytest.mark.django_db


def totals(line):
    line = BudgetLine.objects.get(pk=line.pk)
    return line.requested_total, line.approved_total, line.paid_total


def test_request_approve_pay_and_reject_move_the_line_totals(users):
    project, line = funded_project()
    finance = users["finance"]
    a = services.request_disbursement(line=line, actor=finance, amount="300,000", voucher_no="T-1", payee="某公司", date=date(2026, 3, 1))
    b = services.request_disbursement(line=line, actor=finance, amount="20万", voucher_no="T-2", payee="某公司", date=date(2026, 3, 1))
    assert totals(line) == (Decimal("500000.00"), Decimal("0"), Decimal("0"))
    services.disbursement_transition(disbursement=a, name="approve", actor=finance)
    assert totals(line) == (Decimal("200000.00"), Decimal("300000.00"), Decimal("0"))
    services.disbursement_transition(disbursement=a, name="pay", actor=finance)
    assert totals(line) == (Decimal("200000.00"), Decimal("0"), Decimal("300000.00"))
    services.disbursement_transition(disbursement=b, name="approve", actor=finance)
    services.disbursement_transition(disbursement=b, name="reject", actor=finance, comment="发票有误")
    assert totals(line) == (Decimal("0"), Decimal("0"), Decimal("300000.00"))
    assert services.line_total_mismatches() == []


def test_a_refused_transition_leaves_the_totals(users):
    line = LineFactory(amount=Decimal("100000.00"))
    DisbursementFactory(budget_line=line, amount=Decimal("80000.00"), status="approved")
    d = DisbursementFactory(budget_line=line, amount=Decimal("30000.00"))
    before = totals(line)
    from core.errors import TransitionConflict

    with pytest.raises(TransitionConflict):
        services.disbursement_transition(disbursement=d, name="approve", actor=users["finance"])
    assert totals(line) == before == (Decimal("30000.00"), Decimal("80000.00"), Decimal("0"))


def test_an_import_adds_its_rows_to_the_line_totals(users):
    project, line = funded_project(budget="1000000.00", line="1000000.00")
    data = tablib.Dataset(headers=["凭证号", "项目编号", "预算年度", "资金来源", "支出类别", "金额（元）", "收款单位", "日期", "状态"])
    data.append(["IMP-1", project.code, 2026, "省级财政", "软件", "100,000", "某公司", "2026-03-01", "已支付"])
    data.append(["IMP-2", project.code, 2026, "省级财政", "软件", "5万", "某公司", "2026-03-02", "已批准"])
    data.append(["IMP-3", project.code, 2026, "省级财政", "软件", "7000", "某公司", "2026-03-03", "已申请"])
    report = run_import("disbursements", users["finance"], data.export("xlsx"), "d.xlsx", commit=True, resource_class=RESOURCES["disbursements"])
    assert report.committed, (report.file_errors, report.problems)
    assert totals(line) == (Decimal("7000.00"), Decimal("50000.00"), Decimal("100000.00"))
    assert services.line_total_mismatches() == []


def test_the_overview_sums_the_line_totals(users):
    project, line = funded_project(budget="1000000.00", line="600000.00")
    other = LineFactory(project=project, category="hardware", amount=Decimal("400000.00"))
    DisbursementFactory(budget_line=line, amount=Decimal("250000.00"), status="paid")
    DisbursementFactory(budget_line=line, amount=Decimal("90000.00"), status="approved")
    DisbursementFactory(budget_line=other, amount=Decimal("10000.00"), status="requested")
    DisbursementFactory(budget_line=other, amount=Decimal("5000.00"), status="rejected")
    data = selectors.overview(users["finance"])
    assert (data["total"].budgeted, data["total"].held, data["total"].paid) == (
        Decimal("1000000.00"), Decimal("340000.00"), Decimal("250000.00"))
    assert data["total"].rate == Decimal("25.0")
    assert {r.key: (r.held, r.paid) for r in data["by_category"]} == {
        "software": (Decimal("340000.00"), Decimal("250000.00")), "hardware": (Decimal("0"), Decimal("0"))}


def test_overview_page_query_count_does_not_grow(client, users, django_assert_num_queries):
    client.force_login(users["finance"])
    project, line = funded_project()
    DisbursementFactory(budget_line=line, status="paid")
    client.get("/money/")  # warm the caches (session, user)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get("/money/").status_code == 200
    for _i in range(5):
        _p, l2 = funded_project()
        for k in range(3):
            DisbursementFactory(budget_line=l2, amount=Decimal("1000.00"), status=("paid", "approved", "requested")[k])
    with django_assert_num_queries(len(small)):
        assert client.get("/money/").status_code == 200


def test_verify_line_totals_finds_and_repairs_a_line_that_differs(users):
    line = LineFactory(amount=Decimal("500000.00"))
    DisbursementFactory(budget_line=line, amount=Decimal("1000.00"), status="paid")
    out = io.StringIO()
    call_command("verify_line_totals", stdout=out)
    assert json.loads(out.getvalue())["mismatched"] == 0
    BudgetLine.objects.filter(pk=line.pk).update(paid_total=Decimal("7.00"))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_line_totals", stdout=out)
    assert exit_.value.code == 1
    found = json.loads(out.getvalue())
    assert found["mismatched"] == 1 and found["mismatches"][0]["paid_total"] == {"stored": "7.00", "actual": "1000.00"}
    out = io.StringIO()
    call_command("verify_line_totals", "--repair", stdout=out)
    assert json.loads(out.getvalue())["repaired"] == 1
    assert totals(line) == (Decimal("0"), Decimal("0"), Decimal("1000.00"))
    assert services.line_total_mismatches() == []
