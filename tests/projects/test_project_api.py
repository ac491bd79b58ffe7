"""The projects API of the contract: list and read with the four statuses, transition with 200/409/403/404."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.concurrency import edit_version
from core.models import AuditLog
from projects.delivery import services
from projects.delivery.workflows import has_approved_budget, has_hardware_items, is_funding_allocated
from projects.models import Project

from .project_factories import ApprovedDemandFactory, ProjectFactory, acceptance_milestone, hardware_item, org

pytestmark = pytest.mark.django_db

LIST = "/api/v1/projects/"


def url(project, action=""):
    return f"/api/v1/projects/{project.pk}/{action}"


def logged(project) -> int:
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Project), object_id=project.pk).count()


@pytest.fixture
def project(users):
    demand = ApprovedDemandFactory(title="长春市智慧停车诱导系统")
    return services.on_demand_approved(demand, users["prov_approver"])


def test_project_fields_of_the_contract(users, api, project):
    body = api.as_user(users["pm"]).get(url(project)).json()
    demand = project.demands.get()
    assert body == {
        "id": project.pk,
        "code": project.code,
        "name": "长春市智慧停车诱导系统",
        "description": demand.description,
        "approved_budget": "350000.00",
        "hardware_status": "planning",
        "funding_status": "unfunded",
        "development_status": "not_started",
        "operations_status": "not_started",
        "available_transitions": {"hardware": ["waive"], "funding": [], "development": [], "operations": []},
        "blocked": {"hardware": {"request": [str(has_hardware_items.guard_message)]},
                    "funding": {"budget": [str(has_approved_budget.guard_message)]},  # no budget line yet
                    "development": {"start": [str(is_funding_allocated.guard_message)]},
                    "operations": {"start_trial": [str(_delivered_message())]}},
        "demands": [demand.pk],
        "beneficiary_orgs": [org("220100-jyj").pk],
        "system": None,
        "construction_org": org("220000-zwj").pk,
        "manager": "pm",  # the construction team's default manager
        "year": project.year,
        "planned_start": None,
        "planned_end": None,
        "actual_start": None,
        "actual_end": None,
        "version": edit_version(project),
    }


def _delivered_message():
    from projects.delivery.workflows import is_development_delivered

    return is_development_delivered.guard_message


def test_available_transitions_are_the_callers(users, api, project):
    from tests.budgets.factories import LineFactory

    LineFactory(project=project, amount=project.approved_budget)
    assert api.as_user(users["finance"]).get(url(project)).json()["available_transitions"] == {
        "hardware": [], "funding": ["budget"], "development": [], "operations": []}
    assert api.as_user(users["sub_changchun"]).get(url(project)).json()["available_transitions"] == {
        "hardware": [], "funding": [], "development": [], "operations": []}


def test_list_is_paginated_and_limited_to_what_the_caller_sees(users, api, project):
    other = ProjectFactory(beneficiaries=[org("220200-mzj")])
    body = api.as_user(users["pm"]).get(LIST).json()
    assert body["count"] == 2
    assert (body["next"], body["previous"]) == (None, None)
    assert sorted(r["id"] for r in body["results"]) == sorted([project.pk, other.pk])
    assert [r["id"] for r in api.as_user(users["sub_changchun"]).get(LIST).json()["results"]] == [project.pk]
    assert [r["id"] for r in api.as_user(users["coord_jilin"]).get(LIST).json()["results"]] == [other.pk]
    assert api.as_user(users["sub_yanji"]).get(LIST).json()["count"] == 0


def test_invisible_project_is_404_for_reading_and_transitions(users, api, project):
    client = api.as_user(users["sub_jilin"])
    assert client.get(url(project)).status_code == 404
    response = client.post(url(project, "transition/"), {"machine": "hardware", "name": "request"}, format="json")
    assert response.status_code == 404
    assert Project.objects.get(pk=project.pk).hardware_status == "planning"
    assert logged(project) == 0


def test_transition_returns_the_moved_project(users, api, project):
    hardware_item(project)
    response = api.as_user(users["pm"]).post(url(project, "transition/"),
                                              {"machine": "hardware", "name": "request", "comment": "申请云资源"}, format="json")
    assert response.status_code == 200
    assert response.json()["hardware_status"] == "requested"
    assert response.json()["available_transitions"]["hardware"] == ["procure"]
    row = AuditLog.objects.get(content_type=ContentType.objects.get_for_model(Project), object_id=project.pk)
    assert (row.machine, row.transition, row.source, row.target, row.comment, row.actor) == (
        "hardware", "request", "planning", "requested", "申请云资源", users["pm"])


def test_transition_from_the_wrong_state_is_409_with_the_current_state(users, api, project):
    response = api.as_user(users["pm"]).post(url(project, "transition/"), {"machine": "hardware", "name": "accept"}, format="json")
    assert response.status_code == 409
    assert response.json()["status"] == "planning"
    assert "detail" in response.json()
    assert logged(project) == 0


def test_transition_blocked_by_a_guard_is_409_naming_the_guard(users, api, project):
    response = api.as_user(users["pm"]).post(url(project, "transition/"), {"machine": "development", "name": "start"}, format="json")
    assert response.status_code == 409
    assert response.json()["status"] == "not_started"
    assert response.json()["guards"] == [str(is_funding_allocated.guard_message)]
    assert Project.objects.get(pk=project.pk).development_status == "not_started"
    assert logged(project) == 0


@pytest.mark.parametrize("username", ["sub_changchun", "coord_changchun", "auditor", "finance", "ops"])
def test_visible_project_the_caller_may_not_move_is_403(users, api, project, username):
    response = api.as_user(users[username]).post(url(project, "transition/"), {"machine": "hardware", "name": "request"},
                                                  format="json")
    assert response.status_code == 403
    assert Project.objects.get(pk=project.pk).hardware_status == "planning"
    assert logged(project) == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"machine": "catering", "name": "request"}, "machine"),
    ({"name": "request"}, "machine"),
    ({"machine": "hardware"}, "name"),
])
def test_bad_transition_request_is_400_naming_the_field(users, api, project, body, field):
    response = api.as_user(users["pm"]).post(url(project, "transition/"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_unauthenticated_is_401(api, project):
    assert api.get(LIST).status_code == 401


def test_system_is_the_catalogue_entry_once_live(users, api, project):
    from assets.models import InformationSystem
    from tests.budgets.factories import LineFactory

    LineFactory(project=project, amount=project.approved_budget)
    for machine, name, actor in [("funding", "budget", "finance"), ("funding", "allocate", "finance"), ("hardware", "waive", "pm"),
                                 ("development", "start", "pm"), ("development", "design", "pm"), ("development", "build", "pm"),
                                 ("development", "test", "pm"), ("development", "submit_acceptance", "pm"),
                                 ("development", "deliver", "pm"), ("operations", "start_trial", "ops")]:
        if name == "deliver":
            acceptance_milestone(project)
        services.project_transition(project=project, machine=machine, name=name, actor=users[actor])
    response = api.as_user(users["ops"]).post(url(project, "transition/"), {"machine": "operations", "name": "go_live"}, format="json")
    assert response.status_code == 200
    assert response.json()["system"] == InformationSystem.objects.get(project=project).pk


def test_list_filters_by_each_status_org_and_year(users, api):
    today = timezone.localdate()
    a = ProjectFactory(hardware_status="procuring", year=2025, beneficiaries=[org("222401-jyj")])
    b = ProjectFactory(funding_status="settled", development_status="delivered", operations_status="suspended", year=2026,
                       planned_start=today - timedelta(days=30), planned_end=today - timedelta(days=1))
    c = ProjectFactory(development_status="testing", year=2026, planned_start=today - timedelta(days=30),
                       planned_end=today - timedelta(days=1))
    client = api.as_user(users["auditor"])

    def ids(**params):
        return sorted(r["id"] for r in client.get(LIST, params).json()["results"])

    assert ids(hardware_status="procuring") == [a.pk]
    assert ids(funding_status="settled") == [b.pk]
    assert ids(development_status="testing") == [c.pk]
    assert ids(operations_status="suspended") == [b.pk]
    assert ids(org=org("222401-jyj").pk) == [a.pk]
    assert ids(year=2026) == sorted([b.pk, c.pk])
    assert ids(late="true") == [c.pk]
    assert client.get(LIST, {"hardware_status": "flying"}).status_code == 400


@pytest.mark.parametrize("username", ["pm", "coord_changchun"])
def test_list_queries_do_not_grow_with_projects(users, api, django_assert_num_queries, username):
    client = api.as_user(users[username])

    def make(n):
        for _ in range(n):
            p = ProjectFactory(beneficiaries=[org("220100-jyj"), org("220200-mzj")], approved_budget=Decimal("5.00"))
            ApprovedDemandFactory(project=p)

    make(2)
    # token, user's organization (coordinator), count, page, demands, beneficiaries, hardware items, milestones,
    # funding facts (3)
    with django_assert_num_queries(QUERIES[username]):
        assert client.get(LIST).json()["count"] == 2
    make(20)
    with django_assert_num_queries(QUERIES[username]):
        assert client.get(LIST).json()["count"] == 22


QUERIES = {"pm": 10, "coord_changchun": 11}


# ------------------------------------------------------------------ PATCH: details with a version check


def test_patch_changes_the_details_with_the_version_read(users, api, project):
    client = api.as_user(users["pm"])
    version = client.get(url(project)).json()["version"]
    response = client.patch(url(project), {"name": "全省智慧停车", "planned_start": "2026-03-01", "version": version}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["name"], body["planned_start"]) == ("全省智慧停车", "2026-03-01")
    assert body["version"] != version


def test_patch_after_a_transition_is_409_and_changes_nothing(users, api, project):
    client = api.as_user(users["pm"])
    version = client.get(url(project)).json()["version"]
    hardware_item(project)
    services.project_transition(project=project, machine="hardware", name="request", actor=users["pm"])
    response = client.patch(url(project), {"name": "全省智慧停车", "version": version}, format="json")
    assert response.status_code == 409
    fresh = Project.objects.get(pk=project.pk)
    assert (fresh.name, fresh.hardware_status) == ("长春市智慧停车诱导系统", "requested")


@pytest.mark.parametrize("field", ["approved_budget", "hardware_status"])
def test_patch_refuses_the_approved_budget_and_the_states_naming_the_field(users, api, project, field):
    client = api.as_user(users["prov_approver"])
    version = client.get(url(project)).json()["version"]
    response = client.patch(url(project), {field: "9000000.00", "version": version}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field] or field in str(response.json())
    fresh = Project.objects.get(pk=project.pk)
    assert (fresh.approved_budget, fresh.hardware_status) == (Decimal("350000.00"), "planning")


def test_patch_without_a_version_is_400_naming_it(users, api, project):
    response = api.as_user(users["pm"]).patch(url(project), {"name": "新名称"}, format="json")
    assert response.status_code == 400 and "version" in str(response.json())


@pytest.mark.parametrize(("username", "code"), [("finance", 403), ("ops", 403), ("auditor", 403), ("sub_jilin", 404)])
def test_patch_by_someone_who_may_not_edit(users, api, project, username, code):
    client = api.as_user(users[username])
    response = client.patch(url(project), {"name": "新名称", "version": edit_version(project)}, format="json")
    assert response.status_code == code
    assert Project.objects.get(pk=project.pk).name == "长春市智慧停车诱导系统"
