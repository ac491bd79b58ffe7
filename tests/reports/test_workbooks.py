"""Every Excel report read back with openpyxl: title block, frozen header, autofilter, names in the
reader's language, CNY and percentage formats, real dates, SUBTOTAL/COUNTIFS/SUMIFS formulas with
their cached values, formula-like text kept as text; CSV alike; an empty selection is an honest
empty report."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from reports.registry import BuildContext, builder_for
from reports.xlsx import MONEY_FORMAT, PERCENT_FORMAT
from tests.assets.factories import HardwareFactory, SystemFactory
from tests.projects.factories import DemandFactory
from tests.projects.project_factories import ProjectFactory

from .helpers import cached, workbook

AUTHORITY = "吉林省政务服务和数字化建设管理局"


def build(kind, fmt, user, params=None, language="zh-hans"):
    with translation.override(language):
        ctx = BuildContext(user=user, format=fmt, params=params or {}, generated_at=timezone.now(), language=language)
        return builder_for(kind).build(ctx)


@pytest.fixture
def demands(users):
    a = DemandFactory(title="智慧校园统一身份认证平台", capabilities=["identity_auth", "data_exchange"])
    b = DemandFactory(title="=HYPERLINK(\"http://evil\",\"点我\")", budget_hardware=Decimal("1000000.00"),
                      budget_total=Decimal("2200000.00"), capabilities=["e_license"])
    type(a).objects.filter(pk=a.pk).update(code="XQ-2026-000001", status="provincial_review")
    type(b).objects.filter(pk=b.pk).update(code="XQ-2026-000002")
    return a, b


def rows_of(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


@pytest.mark.django_db
def test_demand_register_workbook_reads_back_with_names_formats_and_formulas(users, demands):
    content = build("demand_register", "xlsx", users["finance"], {"year": timezone.localdate().year})
    book = workbook(content)
    assert book.sheetnames == ["需求", "按状态", "按市州"]
    data = book["需求"]
    assert data["A1"].value == "需求台账"
    assert AUTHORITY in data["A2"].value and "生成时间" in data["A2"].value
    assert data["A3"].value == f"筛选条件：年度：{timezone.localdate().year}"
    header = [c.value for c in data[5]]
    assert header[:4] == ["编号", "标题", "需求单位", "地市"] and header[13] == "预算合计（元）"
    assert data.freeze_panes == "B6" and data.auto_filter.ref == "A5:Q7"
    first, second = data[6], data[7]
    assert first[0].value == "XQ-2026-000001" and first[6].value == "统一身份认证、数据共享交换"
    assert first[7].value == "省级审核" and first[2].value == "长春市教育局" and first[3].value == "长春市"
    assert first[13].value == 1500000 and first[13].number_format == MONEY_FORMAT
    assert isinstance(first[14].value, datetime) and first[14].number_format == "yyyy-mm-dd"
    # A formula-like title is a string with Excel's quote prefix, never a formula.
    assert second[1].value == '=HYPERLINK("http://evil","点我")' and second[1].data_type == "s" and second[1].quotePrefix
    total = data[8]
    assert total[0].value == "合计（2 行）"
    assert total[13].value == "=SUBTOTAL(9,N6:N7)" and total[9].value == "=SUBTOTAL(9,J6:J7)"
    assert cached(content)["需求"]["N8"].value == 3700000
    assert data.column_dimensions["B"].width > data.column_dimensions["A"].width  # fitted to the text

    by_status = book["按状态"]
    assert [c.value for c in by_status[5]] == ["状态", "需求", "预算合计（元）", "预算合计（元）占比"]
    draft_row = next(r for r in by_status.iter_rows(min_row=6) if r[0].value == "草稿")
    n = draft_row[0].row
    assert draft_row[1].value == f"=COUNTIFS('需求'!$H$6:$H$7,A{n})"
    assert draft_row[2].value == f"=SUMIFS('需求'!$N$6:$N$7,'需求'!$H$6:$H$7,A{n})"
    assert draft_row[3].number_format == PERCENT_FORMAT and draft_row[2].number_format == MONEY_FORMAT
    values = {r[0].value: (r[1].value, r[2].value, r[3].value) for r in cached(content)["按状态"].iter_rows(min_row=6)}
    assert values["草稿"] == (1, 2200000, pytest.approx(2200000 / 3700000))
    assert values["省级审核"] == (1, 1500000, pytest.approx(1500000 / 3700000))
    assert values["合计"] == (2, 3700000, 1)
    by_city = cached(content)["按市州"]
    assert [(r[0].value, r[1].value) for r in by_city.iter_rows(min_row=6)] == [("长春市", 2), ("合计", 2)]


@pytest.mark.django_db
def test_the_register_holds_only_what_the_requester_may_see(users, demands):
    book = workbook(build("demand_register", "xlsx", users["sub_jilin"]))
    assert book["需求"]["A6"].value == "合计（0 行）"


@pytest.mark.django_db
def test_a_year_with_no_data_is_an_honest_empty_report(users, demands):
    content = build("demand_register", "xlsx", users["finance"], {"year": 2001})
    book = workbook(content)
    data = book["需求"]
    assert data["A3"].value == "筛选条件：年度：2001"
    assert [c.value for c in data[5]][0] == "编号" and data["A6"].value == "合计（0 行）"
    values = {r[0].value: r[1].value for r in cached(content)["按状态"].iter_rows(min_row=6)}
    assert values["合计"] == 0 and values["草稿"] == 0


@pytest.mark.django_db
def test_english_reader_gets_english_names(users, demands):
    data = workbook(build("demand_register", "xlsx", users["finance"], language="en"))["Demands"]
    assert data["A1"].value == "Demand register" and data["H6"].value == "Provincial review"
    from assets.models import Capability

    names = dict(Capability.objects.values_list("code", "name_en"))
    assert data["G6"].value == f"{names['identity_auth']}、{names['data_exchange']}"


@pytest.mark.django_db
def test_demand_register_csv_has_a_bom_names_and_escaped_formulas(users, demands):
    content = build("demand_register", "csv", users["finance"])
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][0] == "编号" and len(rows) == 3
    assert rows[1][7] == "省级审核" and rows[1][13] == "1500000.00"
    assert rows[2][1] == "'=HYPERLINK(\"http://evil\",\"点我\")"


@pytest.mark.django_db
def test_project_ledger_workbook(users):
    ProjectFactory(code="XM-2026-0001", name="全省统一身份认证平台", approved_budget=Decimal("3000000.00"), year=2026)
    ProjectFactory(code="XM-2025-0001", name="电子证照库", approved_budget=Decimal("1000000.00"), year=2025)
    content = build("project_ledger", "xlsx", users["finance"], {"year": 2026})
    book = workbook(content)
    assert book.sheetnames == ["项目", "按年度", "按开发阶段"]
    data = book["项目"]
    assert data["A1"].value == "项目台账" and data["A6"].value == "XM-2026-0001" and data["A7"].value == "合计（1 行）"
    assert data["F6"].value == 3000000 and data["F6"].number_format == MONEY_FORMAT and data["G6"].value == "规划中"
    assert data["F7"].value == "=SUBTOTAL(9,F6:F6)"
    years = {r[0].value: (r[1].value, r[2].value) for r in cached(content)["按年度"].iter_rows(min_row=6)}
    assert years == {"2026": (1, 3000000), "合计": (1, 3000000)}


@pytest.mark.django_db
def test_asset_inventory_workbook_has_systems_hardware_and_data(users):
    system = SystemFactory(name="吉林省智慧供水监管平台", capabilities=["iot"])
    HardwareFactory(system=system, name="供水云主机", quantity=3, unit_cost=Decimal("20000.00"))
    content = build("asset_inventory", "xlsx", users["finance"])
    book = workbook(content)
    assert book.sheetnames == ["信息系统", "硬件和云资源", "数据资源"]
    systems = rows_of(book["信息系统"])
    assert systems[0][0] == "资产清单：信息系统"
    row = next(r for r in systems if r[1] == "吉林省智慧供水监管平台")
    assert "物联网感知" in row[6]
    hardware = book["硬件和云资源"]
    line = next(r for r in hardware.iter_rows(min_row=6) if r[0].value == "供水云主机")
    assert line[9].value == 60000 and line[9].number_format == MONEY_FORMAT
    assert build("asset_inventory", "csv", users["finance"]).decode("utf-8-sig").splitlines()[0].startswith("编码,名称")


def test_the_writer_fits_columns_to_every_row_and_writes_numbers_and_days_as_such(settings):
    """The fast path of add_table: a long text far down still widens its column; a money column is as
    wide as its largest figure (a negative one counts its sign); days are real dates, an aware moment
    its local day; empty cells stay empty; a row of the wrong length is refused."""
    from datetime import date
    from zoneinfo import ZoneInfo

    from reports.xlsx import MAX_WIDTH, Column, Workbook, text_width

    late_night_utc = datetime(2026, 3, 1, 17, 30, tzinfo=ZoneInfo("UTC"))  # 2026-03-02 01:30 in Asia/Shanghai
    columns = [Column("名称"), Column("金额", "money"), Column("日期", "date"), Column("备注")]
    rows = [("短", Decimal("1.00"), date(2026, 1, 5), None)] * 500
    rows += [("很长的中文名称" * 3, Decimal("-12345678.90"), late_night_utc, "=SUM(A1)"), ("x" * 200, None, None, "")]
    with timezone.override("Asia/Shanghai"):
        book = Workbook(title="测试", authority=AUTHORITY, generated_at=timezone.now())
        info = book.add_table("表", columns, iter(rows))
        sheet = workbook(book.close())["表"]
    assert info["count"] == 502
    widths = {c: sheet.column_dimensions[c].width for c in "ABCD"}
    assert widths["A"] == pytest.approx(MAX_WIDTH + 1, abs=1)  # capped at MAX_WIDTH however long the text
    assert widths["B"] >= text_width("¥12,345,678.90") + 1  # the largest figure and its minus sign
    last = 5 + 501  # 1-based: title block (4 rows) and header, then the 501st data row
    assert sheet.cell(last, 2).value == pytest.approx(-12345678.90) and sheet.cell(last, 2).number_format == MONEY_FORMAT
    assert sheet.cell(last, 3).value == datetime(2026, 3, 2) and sheet.cell(last, 3).number_format == "yyyy-mm-dd"
    assert sheet.cell(6, 3).value == datetime(2026, 1, 5)
    assert sheet.cell(last, 4).value == "=SUM(A1)" and sheet.cell(last, 4).data_type == "s"  # formula-like text stays text
    assert sheet.cell(6, 4).value is None and sheet.cell(last + 1, 2).value is None

    book = Workbook(title="测试", authority=AUTHORITY, generated_at=timezone.now())
    with pytest.raises(ValueError, match="row 1 has 2 cells for 4 columns"):
        book.add_table("表", columns, iter([("a", Decimal("1"))]))
