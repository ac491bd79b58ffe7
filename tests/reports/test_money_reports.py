"""The money reports read back: budget execution (one row per line, sheets by organization and by
source with SUMIFS and the execution rate paid / budgeted) and the savings report (every entry
that makes up the total); PDFs with their Chinese title, figures and an embedded CJK font; what a
user sees is what restrict() gives; an empty year is an honest empty report."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from budgets import selectors
from budgets.models import SavingsEntry
from projects import ports
from reports.registry import BuildContext, builder_for
from reports.services import request_report
from reports.xlsx import MONEY_FORMAT, PERCENT_FORMAT
from tests.budgets.factories import DisbursementFactory, LineFactory
from tests.projects.project_factories import ApprovedDemandFactory, ProjectFactory, org

from .helpers import cached, has_embedded_cjk_font, pdf_text, workbook

pytestmark = pytest.mark.django_db


def build(kind, fmt, user, params=None, language="zh-hans"):
    with translation.override(language):
        ctx = BuildContext(user=user, format=fmt, params=params or {}, generated_at=timezone.now(), language=language)
        return builder_for(kind).build(ctx)


@pytest.fixture
def money(users):
    p1 = ProjectFactory(name="全省电子证照共享平台", approved_budget=Decimal("2000000.00"), funding_status="disbursing")
    p2 = ProjectFactory(name="长春市智慧教育平台", approved_budget=Decimal("800000.00"), funding_status="disbursing",
                        construction_org=org("220100-jyj"))
    a = LineFactory(project=p1, amount=Decimal("1000000.00"), source="provincial_fiscal", category="software")
    b = LineFactory(project=p1, amount=Decimal("500000.00"), source="special_bonds", category="hardware")
    c = LineFactory(project=p2, amount=Decimal("400000.00"), source="municipal_fiscal", category="software")
    LineFactory(project=p2, amount=Decimal("100000.00"), source="municipal_fiscal", category="services", fiscal_year=2025)
    DisbursementFactory(budget_line=a, amount=Decimal("250000.00"), status="paid")
    DisbursementFactory(budget_line=a, amount=Decimal("90000.00"), status="approved")  # held, not paid
    DisbursementFactory(budget_line=b, amount=Decimal("500000.00"), status="paid")
    DisbursementFactory(budget_line=c, amount=Decimal("100000.00"), status="paid")
    return p1, p2


def test_budget_execution_workbook_has_lines_sheets_by_org_and_source_formulas_and_formats(users, money):
    content = build("budget_execution", "xlsx", users["finance"], {"year": 2026})
    book = workbook(content)
    assert book.sheetnames == ["预算执行", "按单位", "按资金来源"]
    data = book["预算执行"]
    assert data["A1"].value == "预算执行"
    assert data["A3"].value == "筛选条件：年度：2026"
    header = [c.value for c in data[5]]
    assert header[7:] == ["预算（元）", "已支付（元）", "执行率"]
    rows = [[c.value for c in r] for r in data.iter_rows(min_row=6, max_row=8)]
    assert len(rows) == 3 and {r[4] for r in rows} == {2026}
    first = next(r for r in data.iter_rows(min_row=6, max_row=8) if r[5].value == "省级财政资金")
    assert first[7].value == 1000000 and first[7].number_format == MONEY_FORMAT
    assert first[8].value == 250000 and first[9].value == pytest.approx(0.25) and first[9].number_format == PERCENT_FORMAT
    assert data["A9"].value == "合计（3 行）" and data["H9"].value == "=SUBTOTAL(9,H6:H8)" and data["I9"].value == "=SUBTOTAL(9,I6:I8)"
    assert cached(content)["预算执行"]["H9"].value == 1900000 and cached(content)["预算执行"]["I9"].value == 850000

    by_source = book["按资金来源"]
    assert [c.value for c in by_source[5]] == ["资金来源", "预算科目", "预算（元）", "已支付（元）", "预算（元）占比", "执行率"]
    bond = next(r for r in by_source.iter_rows(min_row=6) if r[0].value == "专项债券")
    n = bond[0].row
    assert bond[2].value == f"=SUMIFS('预算执行'!$H$6:$H$8,'预算执行'!$F$6:$F$8,A{n})"
    assert bond[3].value == f"=SUMIFS('预算执行'!$I$6:$I$8,'预算执行'!$F$6:$F$8,A{n})"
    assert bond[5].value == f"=IF(C{n}=0,0,D{n}/C{n})" and bond[5].number_format == PERCENT_FORMAT
    values = {r[0].value: [c.value for c in r[1:]] for r in cached(content)["按资金来源"].iter_rows(min_row=6)}
    assert values["专项债券"][4] == pytest.approx(1.0)
    assert values["合计"][1:3] == [1900000, 850000] and values["合计"][4] == pytest.approx(850000 / 1900000)
    by_org = {r[0].value: [c.value for c in r[1:]] for r in cached(content)["按单位"].iter_rows(min_row=6)}
    assert by_org["长春市教育局"][1:3] == [400000, 100000]


def test_budget_execution_workbook_fills_the_city_writes_the_year_as_a_number_and_totals_the_rate(users, money):
    content = build("budget_execution", "xlsx", users["finance"], {"year": 2026})
    data = workbook(content)["预算执行"]
    assert data["D5"].value == "地市" and data["E5"].value == "预算年度"
    cities = {r[1].value: r[3].value for r in data.iter_rows(min_row=6, max_row=8)}
    assert cities == {"全省电子证照共享平台": "省级", "长春市智慧教育平台": "长春市"}
    for r in data.iter_rows(min_row=6, max_row=8):
        assert isinstance(r[4].value, int) and r[4].value == 2026 and r[4].number_format == "0"
    assert data["J9"].value == "=IF(H9=0,0,I9/H9)" and data["J9"].number_format == PERCENT_FORMAT
    assert data["H9"].value == "=SUBTOTAL(9,H6:H8)"
    assert cached(content)["预算执行"]["J9"].value == pytest.approx(850000 / 1900000)
    with translation.override("en"):
        english = workbook(build("budget_execution", "xlsx", users["finance"], {"year": 2026}, language="en"))
    assert {r[3].value for r in english.worksheets[0].iter_rows(min_row=6, max_row=8)} >= {"Provincial"}


def test_budget_execution_pdf_has_category_and_year_columns_and_unbroken_codes_in_both_languages(users, money):
    text = pdf_text(build("budget_execution", "pdf", users["finance"]))
    assert "支出类别" in text and "预算年度" in text and "项目编号" in text and "执行率" in text
    assert "2025" in text
    english = pdf_text(build("budget_execution", "pdf", users["finance"], language="en"))
    assert "Category" in english and "Year" in english and "Rate" in english
    codes = [p.code for p in money]
    for code in codes:
        assert code in text and code in english  # never broken across two lines
    lines = [line.strip() for line in english.splitlines()]
    assert "ution rate" not in lines and not any(line.startswith("%") for line in lines)  # no "Exec / ution", "44.9 / %"


def test_budget_execution_csv_and_source_filter(users, money):
    text = build("budget_execution", "csv", users["finance"], {"source": "municipal_fiscal"}).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-3:] == ["预算（元）", "已支付（元）", "执行率"]
    assert sorted(r[-3] for r in rows[1:]) == ["100000.00", "400000.00"]


def test_budget_execution_pdf_has_title_figures_chart_and_cjk_font(users, money):
    content = build("budget_execution", "pdf", users["finance"], {"year": 2026})
    text = pdf_text(content)
    assert "预算执行" in text and "长春市教育局" in text.replace("\n", "") and "25.0%" in text
    assert "¥1,900,000.00" in text and "¥850,000.00" in text and "44.7%" in text and "专项债券" in text
    assert "第 1 页，共 1 页" in text
    assert has_embedded_cjk_font(content)


def test_budget_execution_holds_only_what_restrict_gives(users, money):
    user = users["sub_changchun"]
    visible = set(selectors.lines_visible_to(user).values_list("pk", flat=True))
    text = build("budget_execution", "csv", user).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) - 1 == len(visible)
    assert len(visible) < 4
    if not visible:
        assert "全省电子证照共享平台" not in text


def test_an_empty_year_is_an_honest_empty_report(users, money):
    content = build("budget_execution", "xlsx", users["finance"], {"year": 2030})
    data = workbook(content)["预算执行"]
    assert data["A6"].value == "合计（0 行）" and cached(content)["预算执行"]["H6"].value == 0
    assert cached(content)["按资金来源"]["A6"].value == "合计"
    text = pdf_text(build("budget_execution", "pdf", users["finance"], {"year": 2030}))
    assert "预算执行" in text and "没有符合" in text
    savings = pdf_text(build("savings", "pdf", users["finance"], {"year": 2030}))
    assert "节约资金台账" in savings or "节约" in savings


@pytest.fixture
def savings(users):
    a = ApprovedDemandFactory(status="provincial_review", title="长春市教育局统一身份认证")
    b = ApprovedDemandFactory(status="provincial_review", org=org("220200-mzj"), title="吉林市民政数据共享")
    c = ApprovedDemandFactory(status="provincial_review")
    ports.record_saving(demand=a, decision="merge", amount=a.budget_total, actor=None)
    ports.record_saving(demand=b, decision="reuse", amount=b.budget_total, actor=None, adaptation_cost="50000")
    ports.record_saving(demand=c, decision="budget_cut", amount=Decimal("10000"), actor=None)
    return a, b, c


def test_savings_workbook_lists_the_entries_that_make_up_the_total(users, savings):
    year = SavingsEntry.objects.first().year
    content = build("savings", "xlsx", users["finance"], {"year": year})
    book = workbook(content)
    assert book.sheetnames == ["节约资金台账", "按决定", "按年度"]
    data = book["节约资金台账"]
    assert data["A1"].value == "节约资金台账"
    assert [c.value for c in data[5]][6:9] == ["申报金额（元）", "仍需支出（元）", "节约金额（元）"]
    saved = [r[8].value for r in data.iter_rows(min_row=6, max_row=8)]
    assert sorted(saved) == [10000, 300000, 350000] and data["I6"].number_format == MONEY_FORMAT
    assert data["I9"].value == "=SUBTOTAL(9,I6:I8)"
    total = cached(content)["节约资金台账"]["I9"].value
    assert total == float(selectors.savings_totals(users["finance"])["total"]) == 660000
    decision = {r[0].value: [c.value for c in r[1:]] for r in cached(content)["按决定"].iter_rows(min_row=6)}
    assert decision["合计"][:2] == [3, 660000]
    assert book["按决定"]["C6"].value.startswith("=SUMIFS('节约资金台账'!$I$6:$I$8")


def test_savings_filters_visibility_and_pdf(users, savings):
    rows = list(csv.reader(io.StringIO(build("savings", "csv", users["finance"], {"decision": "reuse"}).decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][8] == "300000.00"
    jilin = users["sub_jilin"]
    visible = selectors.savings_visible_to(jilin).count()
    rows = list(csv.reader(io.StringIO(build("savings", "csv", jilin).decode("utf-8-sig"))))
    assert len(rows) - 1 == visible < 3
    content = build("savings", "pdf", users["finance"])
    text = pdf_text(content)
    squashed = "".join(text.split())
    assert "节约资金台账" in text and "¥660,000.00" in squashed and "吉林市民政数据共享" in squashed, text
    assert has_embedded_cjk_font(content)


def test_the_kinds_are_asked_for_like_any_other(users, money):
    job, _created = request_report(user=users["finance"], kind="budget_execution", fmt="xlsx", params={"year": 2026, "source": "special_bonds"})
    assert job.pk
    from reports.services import ReportRequestInvalid

    with pytest.raises(ReportRequestInvalid) as e:
        request_report(user=users["finance"], kind="savings", fmt="pdf", params={"decision": "bogus"})
    assert "decision" in str(e.value)


# ------------------------------------------------------------------ export what I see (savings, disbursements)


def _export(client, name, **query):
    from django.urls import reverse

    return client.get(reverse("reports:export", args=[name]), query)


def test_savings_export_keeps_the_page_filter_and_is_refused_to_non_finance(login, users, savings):
    response = _export(login(users["finance"]), "savings", decision="reuse")
    assert response.status_code == 200
    sheet = workbook(response.content).worksheets[0]
    assert sheet["A1"].value == "节约资金台账（导出清单）" and "decision：reuse" in sheet["A3"].value
    assert [c.value for c in sheet["B"][5:-1]] == ["吉林市民政数据共享"] and sheet["I6"].value == 300000
    assert _export(login(users["sub_changchun"]), "savings").status_code == 403
    assert _export(login(users["finance"]), "savings", year="abc").status_code in (200, 400)


def test_disbursement_export_is_the_queue_as_shown(login, users, money):
    DisbursementFactory(budget_line=money[0].budget_lines.first(), amount=Decimal("1000.00"), status="requested", voucher_no="PZ-OPEN-1")
    sheet = workbook(_export(login(users["finance"]), "disbursements").content).worksheets[0]
    vouchers = [c.value for c in sheet["A"][5:-1]]
    assert "PZ-OPEN-1" in vouchers
    assert len(vouchers) == 2  # the approved one and the requested one: the open queue
    paid = workbook(_export(login(users["finance"]), "disbursements", status="paid").content).worksheets[0]
    assert len([c.value for c in paid["A"][5:-1]]) == 3 and paid["G6"].number_format == MONEY_FORMAT
    assert _export(login(users["sub_changchun"]), "disbursements").status_code == 403


def test_money_list_pages_offer_the_export(login, users, savings):
    from django.urls import reverse

    page = login(users["finance"]).get(reverse("budgets:savings"), {"decision": "merge"}).content.decode()
    assert 'data-testid="export-savings"' in page and "/reports/export/savings/?decision=merge" in page
    page = login(users["finance"]).get(reverse("budgets:queue")).content.decode()
    assert 'data-testid="export-disbursements"' in page


# ------------------------------------------------------------------ the dashboard's money charts


def test_dashboard_shows_execution_by_source_and_savings_by_reason_and_year(login, users, money, savings):
    import json
    import re

    from django.urls import reverse

    html = login(users["finance"]).get(reverse("reports:dashboard")).content.decode()
    assert 'data-testid="execution"' in html and 'data-testid="savings"' in html
    assert 'data-key="execution.special_bonds">100.0%' in html and 'data-key="execution.provincial_fiscal">25.0%' in html
    assert "/money/savings/?decision=reuse" in html
    year = SavingsEntry.objects.first().year
    assert f"/money/savings/?year={year}" in html
    data = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert {i["label"]: i["value"] for i in data["execution"]}["专项债券"] == 100.0
    assert sum(i["value"] for i in data["savings_reason"]) == 660000 == sum(i["value"] for i in data["savings_year"])
