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
