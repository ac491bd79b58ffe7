"""Every model has an admin page that opens; the records the system writes cannot be added by hand."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

DOMAIN_APPS = {"core", "organizations", "assets", "projects", "budgets", "reports"}


def test_every_domain_model_is_registered():
    from django.apps import apps

    missing = [m._meta.label for m in apps.get_models() if m._meta.app_label in DOMAIN_APPS and m not in admin.site._registry]
    assert missing == [] or missing == ["projects.DemandDataResource"]  # edited inline on the demand


@pytest.mark.parametrize("model", [m for m in admin.site._registry], ids=lambda m: m._meta.label)
def test_admin_changelist_opens(client, users, model):
    client.force_login(users["admin"])
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("label", ["core.auditlog", "core.codesequence", "projects.redundancyindexchange", "projects.attachment"])
def test_system_written_records_cannot_be_added_by_hand(client, users, label):
    client.force_login(users["admin"])
    app, model = label.split(".")
    assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 403


@pytest.fixture
def private_files(settings, tmp_path, users):
    """A milestone with its document, a demand attachment, a project and a pending flag."""
    from django.core.files.base import ContentFile

    from projects.demands.attachments import add_attachment
    from projects.models import RedundancyFlag
    from tests.projects.factories import PDF, DemandFactory, org, upload
    from tests.projects.project_factories import MilestoneFactory, ProjectFactory

    settings.MEDIA_ROOT = tmp_path
    project = ProjectFactory()
    milestone = MilestoneFactory(project=project)
    milestone.document.save("验收报告.pdf", ContentFile(PDF))
    demand = DemandFactory(org=org("220100-jyj"))
    attachment = add_attachment(actor=users["sub_changchun"], demand=demand, upload=upload("方案.pdf", PDF))
    flag = RedundancyFlag.objects.create(demand=demand, candidate_kind="system", candidate_id=1, candidate_code="XT-0001",
                                         candidate_title="某系统", score="0.9000")
    return {"project": project, "milestone": milestone, "attachment": attachment, "demand": demand, "flag": flag}


@pytest.mark.parametrize("key", ["project", "milestone", "attachment", "demand", "flag"])
def test_change_pages_of_records_with_private_files_open_and_link_the_checked_download(client, users, private_files, key):
    obj = private_files[key]
    client.force_login(users["admin"])
    response = client.get(reverse(f"admin:projects_{obj._meta.model_name}_change", args=[obj.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/media/" not in html  # never a direct link to private storage
    if key in ("milestone", "project"):
        assert reverse("projects:milestone_document", args=[private_files["milestone"].pk]) in html
    if key in ("attachment", "demand"):
        assert reverse("projects:attachment_download", args=[private_files["attachment"].pk]) in html


@pytest.mark.parametrize("key", ["flag", "demand", "project"])
def test_admin_deletes_nothing_a_guard_or_the_log_depends_on(client, users, private_files, key):
    from projects.models import Demand, Project, RedundancyFlag

    obj = private_files[key]
    client.force_login(users["admin"])
    url = reverse(f"admin:projects_{obj._meta.model_name}_delete", args=[obj.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert RedundancyFlag.objects.count() == 1 and Demand.objects.filter(pk=private_files["demand"].pk).exists()
    assert Project.objects.filter(pk=private_files["project"].pk).exists()


def test_admin_cannot_change_a_flag_state_or_a_demand_state(client, users, private_files):
    from projects.models import Demand

    client.force_login(users["admin"])
    flag = private_files["flag"]
    assert client.post(reverse("admin:projects_redundancyflag_change", args=[flag.pk]), {"state": "dismissed"}).status_code == 403
    flag.refresh_from_db()
    assert flag.state == "pending"
    demand = private_files["demand"]
    client.post(reverse("admin:projects_demand_change", args=[demand.pk]), {"status": "approved", "title": "改名"})
    assert Demand.objects.get(pk=demand.pk).status == demand.status
