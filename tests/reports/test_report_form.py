"""The report page's form: each kind shows the fields it takes (a project or demand picker by
number for the documents, demand states for the demand register only, the funding source for
budget execution), the picker finds only what the user may see, errors name the field by its label
in the user's language, the organizations are grouped by city."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from projects.delivery.selectors import projects_visible_to
from reports.models import ReportJob
from tests.projects.project_factories import ProjectFactory

pytestmark = pytest.mark.django_db


def page(client, language="zh-hans", **data):
    client.cookies["django_language"] = language
    if data:
        return client.post(reverse("reports:index"), data, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    return client.get(reverse("reports:index"), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def kinds_of(html, field):
    found = re.search(rf'data-kinds="([^"]*)" data-testid="field-{field}"', html)
    return set(found.group(1).split()) if found else set()


def test_each_field_names_the_kinds_that_take_it(login, users):
    html = page(login(users["finance"]))
    assert kinds_of(html, "project") == {"project_approval"}
    assert kinds_of(html, "demand") == {"redundancy_review"}
    assert kinds_of(html, "states") == {"demand_register"}
    assert kinds_of(html, "source") == {"budget_execution"}
    assert kinds_of(html, "decision") == {"savings"}
    assert "budget_execution" in kinds_of(html, "year") and "project_approval" not in kinds_of(html, "year")
    assert 'src="/static/js/report_form.js"' in html or "js/report_form" in html
    assert "<script>" not in html.split("<body", 1)[1]  # no inline script (CSP)
    # ~400 organizations: grouped by city, with a filter box drawn by report_form.js
    assert '<optgroup label="省级">' in html and '<optgroup label="长春市">' in html
    assert 'data-filterable="输入名称筛选单位"' in html


@pytest.mark.parametrize(("language", "label", "message"), [
    ("zh-hans", "项目编号", "请填写项目编号（如 XM-2026-0001）。"),
    ("en", "Project number", "Enter the number of the project (e.g. XM-2026-0001)."),
])
def test_the_approval_sheet_without_a_project_names_the_field_in_the_users_language(login, users, language, label, message):
    html = page(login(users["prov_approver"]), language, kind="project_approval", format="pdf")
    assert label in html and message in html
    assert "project:" not in html and not ReportJob.objects.exists()


def test_the_picker_finds_a_visible_project_by_number_and_refuses_one_the_user_may_not_see(login, users):
    project = ProjectFactory(name="全省电子证照共享平台")
    client = login(users["prov_approver"])
    client.cookies["django_language"] = "zh-hans"
    response = client.post(reverse("reports:index"), {"kind": "project_approval", "format": "pdf", "project": project.code.lower()})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and job.params == {"project": project.pk}

    outsider = users["sub_changchun"]
    assert not projects_visible_to(outsider).filter(pk=project.pk).exists()
    for value in (project.code, str(project.pk), "XM-1999-9999"):
        html = page(login(outsider), kind="project_approval", format="pdf", project=value)
        assert f"没有编号为“{value}”且您有权查看的项目。" in html
    english = page(login(outsider), "en", kind="project_approval", format="pdf", project=project.code)
    assert f"There is no project numbered “{project.code}” that you may see." in english
    assert ReportJob.objects.count() == 1


def test_the_redundancy_review_asks_for_a_demand_number(login, users):
    html = page(login(users["prov_reviewer"]), kind="redundancy_review", format="pdf", demand="XQ-1999-000001")
    assert "需求编号" in html and "没有编号为“XQ-1999-000001”且您有权查看的需求。" in html
    assert not ReportJob.objects.exists()


def test_budget_execution_takes_the_funding_source_and_ignores_fields_it_does_not_take(login, users):
    client = login(users["finance"])
    client.post(reverse("reports:index"), {"kind": "budget_execution", "format": "xlsx", "year": "2026",
                                           "source": "special_bonds", "states": ["draft"], "project": "XM-1999-9999"})
    assert ReportJob.objects.get().params == {"year": 2026, "source": "special_bonds"}


def test_an_error_of_the_request_names_the_field_by_its_label(login, users):
    html = page(login(users["prov_approver"]), kind="project_approval", format="xlsx",
                project=str(ProjectFactory().pk))
    assert "无法生成报表：格式：" in html and "format:" not in html and not ReportJob.objects.exists()
