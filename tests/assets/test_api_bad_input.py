"""Out-of-range ids and over-long text answer 400 naming the field."""

import pytest

from assets.forms import DataResourceForm
from assets.models import DataResource, InformationSystem

pytestmark = pytest.mark.django_db

HUGE = 2**64


@pytest.mark.parametrize("body", [{"user_orgs": [HUGE]}, {"user_orgs": [-1]}, {"owner_org": HUGE}])
def test_ids_beyond_64_bits_answer_400_naming_the_field(api, users, body):
    response = api.as_user(users["sub_siping"]).post("/api/v1/systems/", {"name": "四平市智慧供水", **body}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == set(body)
    assert not InformationSystem.objects.exists()


def test_data_resource_owner_beyond_64_bits_answers_400(api, users):
    response = api.as_user(users["sub_siping"]).post(
        "/api/v1/data-resources/", {"name": "x", "sharing": "unconditional", "opening": "unconditional", "owner_org": HUGE}, format="json")
    assert response.status_code == 400 and "owner_org" in response.json()


def test_a_megabyte_description_is_refused_by_the_api(api, users):
    response = api.as_user(users["sub_siping"]).post(
        "/api/v1/systems/", {"name": "x", "description": "长" * 100_000}, format="json")
    assert response.status_code == 400 and "description" in response.json()
    assert not InformationSystem.objects.exists()


def test_a_long_description_is_refused_by_the_form(users):
    form = DataResourceForm({"name": "x", "description": "长" * 5001, "sharing": "unconditional", "opening": "unconditional",
                             "update_frequency": "monthly", "record_count": 0}, user=users["sub_siping"])
    assert not form.is_valid() and "description" in form.errors
    assert not DataResource.objects.exists()


def test_hardware_system_beyond_64_bits_answers_400(api, users):
    response = api.as_user(users["sub_siping"]).post(
        "/api/v1/hardware/", {"name": "云主机", "kind": "cloud_vm", "unit_cost": "1.00", "system": HUGE}, format="json")
    assert response.status_code == 400 and "system" in response.json()
