"""Import and export of the catalogue: round trips, every kind of bad file, scope, formulas, the pages."""

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.urls import reverse
from django.utils import translation

from assets.importing import MAX_REPORTED_ERRORS, MAX_ROWS, dataset_bytes, export_dataset, run_import, template_book
from assets.models import DataResource, HardwareItem, InformationSystem
from core.models import AuditLog
from projects.redundancy.index import get_index, reset_index
from projects.redundancy.search import check

from .factories import DataResourceFactory, HardwareFactory, SystemFactory, org

pytestmark = pytest.mark.django_db

HEADERS = ["编码", "系统名称", "系统描述", "所属单位", "能力", "使用单位", "状态", "建设模式", "访问地址", "年度运维费用（元）", "等保级别", "最近测评日期"]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def zh():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def en():
    """Messages in English (their msgids), whatever the catalogue's translations say; files keep Chinese headers."""
    with translation.override("en"):
        yield


def csv_bytes(headers, rows) -> bytes:
    data = tablib.Dataset(*rows, headers=headers)
    return data.export("csv").encode("utf-8")


def xlsx_bytes(headers, rows) -> bytes:
    return tablib.Dataset(*rows, headers=headers).export("xlsx")


KEYS = dict(zip(["code", "name", "desc", "owner", "caps", "users", "status", "mode", "url", "cost", "level", "assessed"], HEADERS,
                strict=True))


def system_row(**overrides):
    """One row of a systems file; keys: code, name, desc, owner, caps, users, status, mode, url, cost, level, assessed."""
    row = {"code": "", "name": "吉林市智慧停车平台", "desc": "路内泊位和停车场统一管理", "owner": "吉林市交通运输局", "caps": "iot、payment",
           "users": "", "status": "运行中", "mode": "", "url": "", "cost": "350000", "level": "2", "assessed": "2026-03-31"}
    row.update(overrides)
    return [row[k] for k in KEYS]


def nothing_saved(before_systems=0):
    return InformationSystem.objects.count() == before_systems and not AuditLog.objects.filter(transition="import").exists()


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_systems_round_trip_export_preview_import(users, zh, fmt):
    SystemFactory(code="XT-0001", name="吉林省智慧供水监管平台", owner_org=org("220000-zjt"), capabilities=["iot", "gis"],
                  user_orgs=["220100-swj", "220200-swj"], security_level=2, url="https://water.jl.gov.cn")
    SystemFactory(code="XT-0002", name="长春市智慧停车", owner_org=org("220100-jtj"), capabilities=["payment"], status="building")
    user = users["prov_reviewer"]
    content = dataset_bytes(export_dataset("systems", user), fmt)
    preview = run_import("systems", user, content, f"systems.{fmt}", commit=False)
    assert (preview.ok, preview.total_rows, preview.new, preview.updated, preview.unchanged) == (True, 2, 0, 0, 2)
    done = run_import("systems", user, content, f"systems.{fmt}", commit=True)
    assert (done.ok, done.committed, done.unchanged) == (True, True, 2)
    assert sorted(InformationSystem.objects.get(code="XT-0001").user_orgs.values_list("code", flat=True)) == ["220100-swj", "220200-swj"]


def test_system_import_creates_with_codes_links_and_history_then_updates(users, zh):
    user = users["prov_reviewer"]
    rows = [system_row(), system_row(name="吉林省电子印章系统", owner="220000-zwj", caps="e_seal,e_signature",
                                     users="长春市政务服务和数字化建设管理局、220200-zwj", mode="省建市用")]
    report = run_import("systems", user, xlsx_bytes(HEADERS, rows), "new.xlsx", commit=True)
    assert (report.ok, report.new, report.updated) == (True, 2, 0)
    parking, seal = InformationSystem.objects.order_by("code")
    assert (parking.code, parking.owner_org.code, parking.yearly_ops_cost, parking.security_level) == (
        "XT-0001", "220200-jtj", Decimal("350000.00"), 2)
    assert sorted(parking.capabilities.values_list("code", flat=True)) == ["iot", "payment"]
    assert (seal.code, seal.build_mode) == ("XT-0002", "provincial_for_others")
    assert sorted(seal.user_orgs.values_list("code", flat=True)) == ["220100-zwj", "220200-zwj"]
    assert list(AuditLog.objects.filter(transition="import").values_list("object_id", "actor_id", "payload")) == [
        (parking.pk, user.pk, {"row": 2}), (seal.pk, user.pk, {"row": 3})]

    # The same file with a code and one cell changed: one change, listed in the preview.
    rows = [system_row(code="XT-0001", cost="400000", caps="iot")]
    preview = run_import("systems", user, csv_bytes(HEADERS, rows), "change.csv", commit=False)
    assert (preview.ok, preview.new, preview.updated) == (True, 0, 1)
    assert sorted((c["column"], c["old"], c["new"]) for c in preview.preview[0]["changes"]) == [
        ("年度运维费用（元）", "350000.00", "400000.00"), ("能力", "iot、payment", "iot")]
    assert run_import("systems", user, csv_bytes(HEADERS, rows), "change.csv", commit=True).committed
    parking.refresh_from_db()
    assert parking.yearly_ops_cost == Decimal("400000.00")
    assert list(parking.capabilities.values_list("code", flat=True)) == ["iot"]


def test_english_headers_and_codes_are_accepted(users):
    headers = ["Code", "Name", "Owner", "Capabilities", "Status", "Yearly operations cost (CNY)"]
    rows = [["", "Smart parking", "220100-jtj", "iot,payment", "in_operation", "1,200.50"]]
    report = run_import("systems", users["ops"], csv_bytes(headers, rows), "en.csv", commit=True)
    assert report.ok, report.problems
    assert InformationSystem.objects.get().yearly_ops_cost == Decimal("1200.50")


def test_data_resources_round_trip(users, zh):
    DataResourceFactory(code="SJ-90001", name="人口基础信息", sharing="authorized", opening="non_opening", record_count=23_400_000)
    DataResourceFactory(code="SJ-90002", name="市场主体登记信息", owner_org=org("220000-scjg"), update_frequency="realtime")
    user = users["auditor"]
    content = dataset_bytes(export_dataset("data-resources", user), "xlsx")
    maintainer = users["prov_reviewer"]
    preview = run_import("data-resources", maintainer, content, "d.xlsx", commit=False)
    assert (preview.ok, preview.unchanged) == (True, 2)
    assert run_import("data-resources", maintainer, content, "d.xlsx", commit=True).committed
    headers = ["资源名称", "提供单位", "更新频率", "记录数", "共享属性", "开放属性"]
    rows = [["四平市供水水质信息", "四平市水务局", "每月", "2700", "无条件共享", "无条件开放"]]
    report = run_import("data-resources", users["sub_siping"], csv_bytes(headers, rows), "n.csv", commit=True)
    assert report.committed, report.problems
    created = DataResource.objects.get(name="四平市供水水质信息")
    assert (created.code, created.owner_org.code, created.update_frequency, created.sharing, created.opening) == (
        "SJ-00001", "220300-swj", "monthly", "unconditional", "unconditional")


def test_hardware_round_trip_and_scope(users, zh):
    own = SystemFactory(code="XT-0001", owner_org=org("220100-jyj"))
    foreign = SystemFactory(code="XT-0002", owner_org=org("220200-mzj"))
    mine = HardwareFactory(system=own, name="校园云主机", storage_tb=Decimal("2.50"))
    hidden = HardwareFactory(system=foreign, name="民政云主机")
    user = users["sub_changchun"]
    exported = export_dataset("hardware", user)
    assert [row[0] for row in exported] == [mine.pk]  # the export shows only what the user sees
    content = dataset_bytes(exported, "xlsx")
    preview = run_import("hardware", user, content, "h.xlsx", commit=False)
    assert (preview.ok, preview.unchanged) == (True, 1)
    assert run_import("hardware", user, content, "h.xlsx", commit=True).committed
    # Naming an item outside the user's scope by its id is refused (no overwriting across scopes).
    headers = ["编号", "名称", "类型", "所属系统编码", "数量", "单价（元）"]
    report = run_import("hardware", user, csv_bytes(headers, [[hidden.pk, "改名", "云主机", "XT-0002", 1, 1]]), "x.csv", commit=True)
    assert not report.ok
    assert [(p.row, p.column) for p in report.problems] == [(2, "编号")]
    report = run_import("hardware", user, csv_bytes(headers, [["", "新主机", "云主机", "XT-0002", 1, 100]]), "x.csv", commit=True)
    assert [(p.row, p.column, p.value) for p in report.problems] == [(2, "所属系统编码", "XT-0002")]
    hidden.refresh_from_db()
    assert hidden.name == "民政云主机"
    assert HardwareItem.objects.count() == 2


# ---------------------------------------------------------------- bad files


@pytest.mark.parametrize("content,name,expected", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "catalogue.pdf", "neither an Excel workbook"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png", "neither an Excel workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls", "Excel 97"),
    (b"PK\x03\x04 this is not a workbook", "broken.xlsx", "not a readable Excel workbook"),
    (b"", "empty.csv", "empty"),
    (b"just some words without structure", "notes.txt", "Unknown columns: \u201cjust some words without structure\u201d"),
    (b"\xff\xfe\x00\x00\x01\x02\x03", "data.bin", "neither an Excel workbook"),
    ("docx", "report.docx", "not a readable Excel workbook"),
])
def test_a_file_that_is_not_xlsx_or_csv_is_refused_clearly(users, en, content, name, expected):
    if content == "docx":  # a Word document is a zip too, but not a workbook
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("word/document.xml", "<w:document/>")
        content = buffer.getvalue()
    report = run_import("systems", users["ops"], content, name, commit=True)
    assert not report.ok
    assert expected in report.file_errors[0], report.file_errors
    assert nothing_saved()


def test_unknown_and_missing_columns_are_named(users, en):
    report = run_import("systems", users["ops"], csv_bytes(["编码", "系统名称", "颜色", "Budget"], [["", "x", "红", "1"]]), "a.csv", commit=False)
    assert report.file_errors == ["Unknown columns: “颜色”、“Budget”. The template lists the columns that can be imported.",
                                  "Missing columns: “Owner”."]
    with translation.override("zh-hans"):
        report = run_import("systems", users["ops"], csv_bytes(["系统名称"], [["x"]]), "a.csv", commit=False)
    assert len(report.file_errors) == 1 and "“所属单位”" in report.file_errors[0]
    assert nothing_saved()


def test_every_wrong_cell_is_reported_with_row_column_and_value(users, en):
    SystemFactory(code="XT-0001", owner_org=org("220200-jtj"))
    rows = [
        system_row(),                                                       # fine
        system_row(owner="不存在的单位"),
        system_row(caps="iot、teleport"),
        system_row(cost="-5"),
        system_row(level="7", assessed="去年"),
        system_row(code="XT-0001"), system_row(code="XT-0001"),             # duplicated code
        system_row(code="XT-9999"),                                         # unknown code
        system_row(name=""),
        system_row(status="已经上线了"),
    ]
    report = run_import("systems", users["ops"], xlsx_bytes(HEADERS, rows), "bad.xlsx", commit=True)
    assert not report.ok and not report.committed
    found = [(p.row, p.column, p.value) for p in report.problems]
    assert found == [
        (3, "所属单位", "不存在的单位"),
        (4, "能力", "iot、teleport"),
        (5, "年度运维费用（元）", "-5"),
        (6, "等保级别", "7"), (6, "最近测评日期", "去年"),
        (8, "编码", "XT-0001"),
        (9, "编码", "XT-9999"),
        (10, "系统名称", ""),
        (11, "状态", "已经上线了"),
    ]
    messages = {p.row: p.message for p in report.problems}
    assert messages[5] == "Column “年度运维费用（元）”: “-5” is negative; amounts cannot be below zero."
    assert messages[8] == "Column “编码”: “XT-0001” appears twice in the file (rows 7 and 8)."
    assert messages[4] == "Column “能力”: unknown capability code “teleport” (see the capability list)."
    assert report.rows_with_errors == 8
    assert nothing_saved(before_systems=1)


def test_one_wrong_row_and_nothing_is_saved(users, zh):
    rows = [system_row(name=f"系统{i}") for i in range(5)] + [system_row(cost="abc")]
    report = run_import("systems", users["ops"], csv_bytes(HEADERS, rows), "x.csv", commit=True)
    assert not report.committed
    assert [(p.row, p.column) for p in report.problems] == [(7, "年度运维费用（元）")]
    assert nothing_saved()


def test_a_hundred_thousand_rows_of_junk_are_refused_quickly(users, en):
    junk = "\n".join(f"{i},垃圾{i},=cmd|' /C calc'!A0,@SUM(1)" for i in range(100_000))
    content = ("a,b,c,d\n" + junk).encode()
    report = run_import("systems", users["ops"], content, "junk.csv", commit=True)
    assert report.file_errors == [f"The file has more than {MAX_ROWS:,} rows; import at most {MAX_ROWS:,} rows at a time (split the file)."]
    assert nothing_saved()


def test_many_wrong_rows_are_reported_up_to_a_limit(users, zh):
    rows = [system_row(owner=f"不存在{i}") for i in range(500)]
    report = run_import("systems", users["ops"], csv_bytes(HEADERS, rows), "x.csv", commit=False)
    assert report.rows_with_errors == 500
    assert len(report.problems) == MAX_REPORTED_ERRORS
    assert report.more_errors == 400
    assert nothing_saved()


def test_imported_systems_are_found_by_the_next_redundancy_check(users, zh, settings):


    settings.REDUNDANCY_POLL_SECONDS = 0
    reset_index()
    get_index()  # a process whose index was built before the import
    rows = [system_row(name="吉林省电子印章系统", owner="220000-zwj", caps="e_seal,e_signature",
                       users="220200-zwj", mode="省建市用")]
    assert run_import("systems", users["prov_reviewer"], xlsx_bytes(HEADERS, rows), "seal.xlsx", commit=True).committed
    _, candidates = check("白城市电子印章系统建设", "为全市各部门提供电子印章服务", capabilities=["e_seal"])
    assert InformationSystem.objects.get(name="吉林省电子印章系统").pk in [c["id"] for c in candidates if c["kind"] == "system"]


def test_import_costs_a_fixed_number_of_queries(users, zh, django_assert_num_queries):
    def run(n):
        rows = [system_row(name=f"停车平台{n}-{i}") for i in range(n)]
        return run_import("systems", users["ops"], csv_bytes(HEADERS, rows), "x.csv", commit=True)

    assert run(1).committed  # the first import of all creates the XT sequence and caches the content type
    # savepoints (10), organizations, capabilities, sequence (3), systems, capability links, history,
    # the redundancy index's rebuild notice
    with django_assert_num_queries(19):
        assert run(5).committed
    with django_assert_num_queries(19):
        assert run(60).committed
    assert InformationSystem.objects.count() == 66


# ---------------------------------------------------------------- who may import what


def test_bureau_may_import_only_its_own_entries(users, zh):
    theirs = SystemFactory(code="XT-0001", owner_org=org("220100-mzj"), name="长春市养老平台")
    SystemFactory(code="XT-0002", owner_org=org("220100-jyj"), name="长春市智慧校园")
    user = users["sub_changchun"]
    # Re-importing the whole exported catalogue is fine: rows of others are unchanged and skipped.
    content = dataset_bytes(export_dataset("systems", user), "xlsx")
    assert run_import("systems", user, content, "all.xlsx", commit=False).ok
    rows = [system_row(code="XT-0001", name="改名", owner="长春市民政局"),
            system_row(owner="长春市民政局"),
            system_row(code="XT-0002", name="长春市智慧校园（二期）", owner="长春市教育局")]
    report = run_import("systems", user, csv_bytes(HEADERS, rows), "x.csv", commit=True)
    assert [(p.row, p.column, p.value) for p in report.problems] == [(2, "所属单位", "长春市民政局"), (3, "所属单位", "长春市民政局")]
    theirs.refresh_from_db()
    assert theirs.name == "长春市养老平台"
    assert InformationSystem.objects.get(code="XT-0002").name == "长春市智慧校园"


# ---------------------------------------------------------------- formulas


def test_formula_like_text_is_escaped_on_export_and_restored_on_import(users, zh):
    SystemFactory(code="XT-0001", name="+SUM(A1:A9)", description="=HYPERLINK(\"http://evil\",\"点击\")", url="")
    user = users["ops"]
    data = export_dataset("systems", user)
    row = dict(zip(data.headers, data[0], strict=True))
    assert (row["系统名称"], row["系统描述"]) == ("'+SUM(A1:A9)", "'=HYPERLINK(\"http://evil\",\"点击\")")
    book = openpyxl.load_workbook(io.BytesIO(dataset_bytes(data, "xlsx")))
    cells = [c.value for c in book.active[2]]
    assert cells[1] == "'+SUM(A1:A9)" and book.active.cell(row=2, column=3).data_type == "s"
    csv_text = dataset_bytes(data, "csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and ",=HYPERLINK" not in csv_text
    report = run_import("systems", user, dataset_bytes(data, "xlsx"), "x.xlsx", commit=False)
    assert (report.ok, report.unchanged) == (True, 1)


# ---------------------------------------------------------------- pages


def test_upload_preview_confirm_through_the_pages(login, users, zh):
    client = login(users["sub_jilin"])
    url = reverse("assets:import", args=["systems"])
    assert client.get(url).status_code == 200
    upload = io.BytesIO(xlsx_bytes(HEADERS, [system_row(name="吉林市社区养老平台", owner="吉林市民政局", caps="mobile_app")]))
    upload.name = "养老.xlsx"
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    report, token = response.context["report"], response.context["token"]
    assert (report.ok, report.new) == (True, 1)
    assert InformationSystem.objects.count() == 0  # a preview saves nothing
    assert 'data-testid="confirm-import"' in response.content.decode()
    response = client.post(reverse("assets:import_confirm", args=["systems"]), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("assets:system_list")
    assert InformationSystem.objects.get().name == "吉林市社区养老平台"
    # The token is spent: confirming twice imports nothing more.
    response = client.post(reverse("assets:import_confirm", args=["systems"]), {"token": token})
    assert response.status_code == 302 and response["Location"] == url
    assert InformationSystem.objects.count() == 1


def test_a_preview_of_another_user_cannot_be_confirmed(login, users, zh, client):
    first = login(users["sub_jilin"])
    upload = io.BytesIO(csv_bytes(HEADERS, [system_row(owner="吉林市民政局")]))
    upload.name = "a.csv"
    token = first.post(reverse("assets:import", args=["systems"]), {"file": upload}).context["token"]
    first.logout()
    other = login(users["prov_reviewer"])
    response = other.post(reverse("assets:import_confirm", args=["systems"]), {"token": token})
    assert response.status_code == 302
    assert InformationSystem.objects.count() == 0


def test_bad_upload_shows_the_report_and_no_confirm_button(login, users, zh):
    client = login(users["ops"])
    upload = io.BytesIO(b"%PDF-1.4 not a table")
    upload.name = "x.pdf"
    response = client.post(reverse("assets:import", args=["systems"]), {"file": upload})
    html = response.content.decode()
    assert 'data-testid="file-errors"' in html and "confirm-import" not in html
    assert response.context["token"] is None


@pytest.mark.parametrize("username", ["auditor", "finance"])
def test_read_only_roles_cannot_reach_the_import_pages(login, users, username):
    client = login(users[username])
    assert client.get(reverse("assets:import", args=["systems"])).status_code == 403
    assert client.post(reverse("assets:import_confirm", args=["hardware"]), {"token": "0" * 32}).status_code == 403


def test_export_downloads_respect_filters_and_visibility(login, users, zh):
    SystemFactory(name="吉林省智慧供水监管平台", capabilities=["iot"])
    SystemFactory(name="协同办公", capabilities=["office"])
    hidden = HardwareFactory(system=SystemFactory(owner_org=org("220200-mzj")), name="民政云主机")
    client = login(users["sub_changchun"])
    response = client.get(reverse("assets:export", args=["systems"]), {"format": "csv", "capability": "iot"})
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "吉林省智慧供水监管平台" in text and "协同办公" not in text
    response = client.get(reverse("assets:export", args=["hardware"]), {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.active.max_row == 1  # headers only: the user sees no hardware
    assert hidden.name not in str([c.value for c in book.active[1]])


def test_template_has_the_columns_and_instructions(users, zh):
    book = openpyxl.load_workbook(io.BytesIO(template_book("systems")))
    assert [c.value for c in book.worksheets[0][1]] == HEADERS
    assert book.worksheets[1].max_row == len(HEADERS) + 2


def test_hardware_of_a_project_is_imported_by_project_code(users, en):
    from .factories import make_project

    project = make_project("XM-2026-0007")
    headers = ["名称", "类型", "所属项目编号", "vCPU", "内存（GB）", "数量", "单价（元）", "部署位置", "状态"]
    rows = [["数据中台计算节点", "云主机", "XM-2026-0007", 32, 128, 8, "72000", "省政务云", "计划中"]]
    report = run_import("hardware", users["pm"], csv_bytes(headers, rows), "hw.csv", commit=True)
    assert report.committed, (report.file_errors, report.problems)
    item = HardwareItem.objects.get()
    assert (item.project_id, item.vcpu, item.quantity, item.total_cost, item.location) == (
        project.pk, 32, 8, Decimal("576000.00"), "provincial_cloud")
    # A bureau cannot even name another organization's project.
    report = run_import("hardware", users["sub_changchun"], csv_bytes(headers, rows), "hw.csv", commit=False)
    assert [(p.column, p.value) for p in report.problems] == [("所属项目编号", "XM-2026-0007")]
    assert "that you may see" in report.problems[0].message
