"""Saving an unchanged project or milestone edit form, as a browser does, changes nothing, in both languages
(issue 10 item 1: the Chinese interface rendered 2027/06/30, which a date input cannot read)."""

from datetime import date

import pytest
from django.urls import reverse

from core.testing import assert_edit_round_trip

from .project_factories import PDF, MilestoneFactory, ProjectFactory, org

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(users):
    return ProjectFactory(name="长春智慧校园", description="第一行\n第二行", beneficiaries=[org("220100-jyj")], manager=users["pm"],
                          planned_start=date(2026, 1, 1), planned_end=date(2027, 6, 30),
                          actual_start=date(2026, 2, 1), actual_end=date(2026, 11, 30))


@pytest.mark.parametrize("username", ["pm", "prov_approver"])
def test_project_edit_keeps_its_dates_manager_and_text(login, users, project, username):
    posted = assert_edit_round_trip(login(users[username]), reverse("projects:project_edit", args=[project.pk]), project)
    for language in ("zh-hans", "en"):
        data = posted[language]
        assert (data["planned_start"], data["planned_end"], data["actual_start"], data["actual_end"]) == (
            ["2026-01-01"], ["2027-06-30"], ["2026-02-01"], ["2026-11-30"]), language
        assert data["manager"] == [str(users["pm"].pk)]
        assert "approved_budget" not in data


def test_milestone_edit_keeps_its_dates_kind_and_document(login, users, project, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    milestone = MilestoneFactory(project=project, name="竣工验收", kind="final_acceptance", planned_date=date(2027, 6, 1),
                                 actual_date=date(2026, 11, 30), note="专家组\n签字")
    milestone.document.save("验收报告.pdf", ContentFile(PDF), save=True)
    posted = assert_edit_round_trip(login(users["pm"]), reverse("projects:milestone_edit", args=[milestone.pk]), milestone)
    for language in ("zh-hans", "en"):
        assert (posted[language]["planned_date"], posted[language]["actual_date"], posted[language]["kind"]) == (
            ["2027-06-01"], ["2026-11-30"], ["final_acceptance"]), language


def test_milestone_without_an_actual_date_round_trips(login, users, project):
    milestone = MilestoneFactory(project=project, planned_date=date(2026, 3, 1))
    assert_edit_round_trip(login(users["pm"]), reverse("projects:milestone_edit", args=[milestone.pk]), milestone)
