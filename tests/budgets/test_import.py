"""Import of budget lines and disbursements: round trip, preview then commit, and every bad file
(each refused with its message, nothing saved)."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assets.importing import run_import
from budgets.models import BudgetLine, Disbursement
from budgets.resources import RESOURCES
from core.models import AuditLog
from projects.models import Project
from tests.budgets.factories import LineFactory
from tests.projects.project_factories import ProjectFactory

pytestmark = pytest.mark.django_db

HEAD = ["凭证号", "项目编号", "预算年度", "资金来源", "支出类别", "金额（元）", "收款单位", "日期", "用途", "状态"]


def xlsx(rows, head=HEAD, formula=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(head)
    for row in rows:
        sheet.append(row)
    if formula:
        sheet["F2"] = formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(voucher, code, amount="100000", status="已支付", year=2026, source="省级财政", category="软件"):
    return [voucher, code, year, source, category, amount, "长春某某科技有限公司", "2026-03-01", "一期款", status]


def run(user, content, name="d.xlsx", commit=False, kind="disbursements"):
    return run_import(kind, user, content, name, commit=commit, resource_class=RESOURCES[kind])


@pytest.fixture
def line(db):
    project = ProjectFactory(code="XM-2026-0101", funding_status="allocated", approved_budget=Decimal("500000.00"))
    return LineFactory(project=project, amount=Decimal("500000.00"))


def test_disbursements_import_after_a_clean_preview(users, line):
    content = xlsx([row("PZ-001", "XM-2026-0101"), row("PZ-002", "xm-2026-0101", amount="5万", status="已申请")])
    preview = run(users["finance"], content)
    assert (preview.ok, preview.new, Disbursement.objects.count()) == (True, 2, 0)
    report = run(users["finance"], content, commit=True)
    assert report.committed
    assert sorted(Disbursement.objects.values_list("voucher_no", "amount", "status")) == [
        ("PZ-001", Decimal("100000.00"), "paid"), ("PZ-002", Decimal("50000.00"), "requested")]
    assert AuditLog.objects.filter(transition="import", machine="status").count() == 2
    # the first payment begins disbursing through the doorway
    assert Project.objects.get(pk=line.project_id).funding_status == "disbursing"


def test_export_then_import_round_trip(users, line, login):
    run(users["finance"], xlsx([row("PZ-001", "XM-2026-0101")]), commit=True)
    exported = login(users["finance"]).get(reverse("budgets:export", args=["disbursements"])).content
    book = openpyxl.load_workbook(io.BytesIO(exported))
    values = [[c.value for c in r] for r in book.active.iter_rows()]
    assert values[1][:2] == ["PZ-001", "XM-2026-0101"]
    Disbursement.objects.all().delete()
    report = run(users["finance"], exported)
    assert (report.ok, report.new) == (True, 1), report.problems


def test_lines_import_adds_and_changes_lines(users):
    project = ProjectFactory(code="XM-2026-0102", approved_budget=Decimal("1000000.00"))
    existing = LineFactory(project=project, amount=Decimal("100000.00"))
    head = ["项目编号", "预算年度", "资金来源", "支出类别", "金额（元）"]
    content = xlsx([["XM-2026-0102", 2026, "省级财政", "软件", "30万"], ["XM-2026-0102", 2026, "专项债券", "硬件", "700000"]], head)
    report = run(users["finance"], content, commit=True, kind="budget-lines")
    assert (report.committed, report.new, report.updated) == (True, 1, 1), report.problems
    assert BudgetLine.objects.get(pk=existing.pk).amount == Decimal("300000.00")
    assert BudgetLine.objects.filter(project=project).count() == 2


def test_lines_above_the_approved_budget_are_refused_naming_the_rows(users):
    ProjectFactory(code="XM-2026-0103", approved_budget=Decimal("500000.00"))
    head = ["项目编号", "预算年度", "资金来源", "支出类别", "金额（元）"]
    content = xlsx([["XM-2026-0103", 2026, "省级财政", "软件", "300000"], ["XM-2026-0103", 2026, "自筹", "硬件", "300000"]], head)
    report = run(users["finance"], content, commit=True, kind="budget-lines")
    assert not report.committed and BudgetLine.objects.count() == 0
    assert [(p.row, p.column) for p in report.problems] == [(3, "金额（元）")]
    assert "rows 2、3" in report.problems[0].message


def problems(report):
    return [(p.row, p.column, p.value) for p in report.problems]


def test_a_line_overdrawn_by_the_file_is_refused_naming_the_rows(users, line):
    content = xlsx([row("PZ-1", "XM-2026-0101", "300000"), row("PZ-2", "XM-2026-0101", "250000", status="已批准")])
    report = run(users["finance"], content, commit=True)
    assert not report.ok and Disbursement.objects.count() == 0
    assert problems(report) == [(3, "金额（元）", "250000")]
    assert "rows 2、3" in report.problems[0].message and "500,000.00" in report.problems[0].message


@pytest.mark.parametrize("amount,fragment", [
    ("0", "not above zero"), ("-100", "negative"), ("100.123", "decimal"), ("100 apples", ""), ("１００元", None),
])
def test_bad_amounts_are_refused_per_row(users, line, amount, fragment):
    report = run(users["finance"], xlsx([row("PZ-1", "XM-2026-0101", amount)]), commit=True)
    if fragment is None:  # full-width digits and 元 are read as the newcomer fixes define
        assert report.ok, report.problems
        assert Disbursement.objects.get().amount == Decimal("100.00")
        return
    assert not report.ok and Disbursement.objects.count() == 0
    assert problems(report) == [(2, "金额（元）", amount)]
    assert fragment in report.problems[0].message.lower()


def test_a_voucher_used_twice_in_the_file_or_in_the_database(users, line):
    run(users["finance"], xlsx([row("PZ-OLD", "XM-2026-0101", "1000")]), commit=True)
    report = run(users["finance"], xlsx([row("PZ-1", "XM-2026-0101", "1000"), row("PZ-1", "XM-2026-0101", "1000"),
                                         row("PZ-OLD", "XM-2026-0101", "2000")]), commit=True)
    assert not report.ok and Disbursement.objects.count() == 1
    assert [(p.row, p.column) for p in report.problems] == [(3, "凭证号"), (4, "金额（元）")]
    assert "appears twice" in report.problems[0].message and "already recorded" in report.problems[1].message


def test_unknown_project_and_missing_line_are_named(users, line):
    report = run(users["finance"], xlsx([row("PZ-1", "XM-2099-9999"), row("PZ-2", "XM-2026-0101", category="运维")]))
    assert not report.ok
    assert [(p.row, p.column, p.value) for p in report.problems][:2] == [(2, "项目编号", "XM-2099-9999"), (3, "支出类别", "运维")]
    assert "matching query" not in " ".join(p.message for p in report.problems)
    assert "no budget line" in report.problems[1].message


def test_a_project_whose_funds_are_not_released_takes_no_disbursement(users):
    project = ProjectFactory(code="XM-2026-0104", funding_status="settled")
    LineFactory(project=project)
    report = run(users["finance"], xlsx([row("PZ-1", "XM-2026-0104")]), commit=True)
    assert not report.ok and Disbursement.objects.count() == 0
    assert report.problems[0].column == "项目编号"


def upload(client, kind, content, name):
    return client.post(reverse("budgets:import", args=[kind]), {"file": SimpleUploadedFile(name, content)})


def test_a_file_with_formulas_is_refused(users, login, line):
    response = upload(login(users["finance"]), "disbursements", xlsx([row("PZ-1", "XM-2026-0101")], formula="=SUM(1,2)"), "d.xlsx")
    report = response.context["report"]
    assert report.file_errors and "F2" in report.file_errors[0]
    assert response.context["token"] is None and Disbursement.objects.count() == 0


def test_a_file_too_big_is_refused(users, login, line):
    response = upload(login(users["finance"]), "disbursements", b"a,b\n" + b"x" * (50 * 1024 * 1024), "big.csv")
    assert response.status_code == 413  # from the request's length, before the form reads the body
    assert response.context["report"].file_errors == ["文件大小为 50.0 MB，最大只能导入 5 MB 的文件。"]  # the site's language
    assert Disbursement.objects.count() == 0


def test_the_form_refuses_a_file_too_big_whose_request_length_was_not_declared():
    from assets.forms import ImportForm

    form = ImportForm(files={"file": SimpleUploadedFile("big.csv", b"a,b\n" + b"x" * (6 * 1024 * 1024))}, data={})
    assert not form.is_valid() and form.errors["file"]


@pytest.mark.parametrize("name,content", [("d.pdf", b"%PDF-1.7\n"), ("d.xlsx", b"MZ\x90\x00binary"), ("d.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")])
def test_a_file_that_is_not_xlsx_or_csv_is_refused(users, login, line, name, content):
    response = upload(login(users["finance"]), "disbursements", content, name)
    assert response.context["form"].errors["file"] or response.context["report"].file_errors
    assert Disbursement.objects.count() == 0


def test_preview_then_confirm_once_through_the_pages(users, login, line):
    client = login(users["finance"])
    response = upload(client, "disbursements", xlsx([row("PZ-1", "XM-2026-0101")]), "d.xlsx")
    token = response.context["token"]
    assert token and Disbursement.objects.count() == 0
    assert client.post(reverse("budgets:import_confirm", args=["disbursements"]), {"token": token}).status_code == 302
    assert client.post(reverse("budgets:import_confirm", args=["disbursements"]), {"token": token}).status_code == 302
    assert Disbursement.objects.count() == 1


@pytest.mark.parametrize("username", ["pm", "sub_changchun", "auditor", "prov_approver"])
def test_only_finance_imports(users, login, username, line):
    client = login(users[username])
    assert upload(client, "disbursements", xlsx([row("PZ-1", "XM-2026-0101")]), "d.xlsx").status_code == 403
    assert client.get(reverse("budgets:import_template", args=["disbursements"])).status_code == 403
    assert Disbursement.objects.count() == 0


def test_the_template_lists_the_columns(users, login):
    content = login(users["finance"]).get(reverse("budgets:import_template", args=["disbursements"])).content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    assert [c.value for c in next(sheet.iter_rows())] == HEAD


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "The file is 50.0 MB; files of at most 5 MB can be imported."),
    ("zh-hans", "文件大小为 50.0 MB，最大只能导入 5 MB 的文件。"),
])
def test_a_file_over_50_mb_is_refused_before_it_is_parsed(client, users, line, tmp_path, monkeypatch, language, expected):
    from assets.models import ImportPreview
    from budgets import views

    def never(*args, **kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(views, "run_import", never)
    monkeypatch.setattr(views, "formula_cells", never)
    monkeypatch.setattr(views.ImportForm, "is_valid", never)
    big = tmp_path / "big.xlsx"
    with big.open("wb") as out:  # a workbook's signature, then 50 MB
        out.write(b"PK\x03\x04")
        out.write(b"\0" * (50 * 1024 * 1024 - 4))
    client.force_login(users["finance"])
    with big.open("rb") as handle:
        response = client.post(reverse("budgets:import", args=["disbursements"]), {"file": handle}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 413
    assert expected in response.content.decode()
    assert (ImportPreview.objects.count(), Disbursement.objects.count()) == (0, 0)


def test_the_import_page_still_checks_the_csrf_token(users, line):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users["finance"])
    content = xlsx([row("PZ-CSRF", "XM-2026-0101")])
    response = strict.post(reverse("budgets:import", args=["disbursements"]),
                           {"file": SimpleUploadedFile("d.xlsx", content)})
    assert response.status_code == 403
