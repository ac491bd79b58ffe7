"""Who moves which machine: project managers of the construction team, finance, operations."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from core.errors import TransitionForbidden
from core.models import AuditLog
from organizations.choices import Role
from projects.delivery.services import project_transition
from projects.models import Project

from .project_factories import ProjectFactory, org, with_facts

pytestmark = pytest.mark.django_db

# machine → (a transition possible in the factory's states, the one role that may fire it)
CASES = {
    "hardware": ("request", "pm"),
    "funding": ("budget", "finance"),
    "development": ("start", "pm"),
    "operations": ("start_trial", "ops"),
}
SETUP = {"funding_status": "unfunded", "development_status": "not_started", "hardware_status": "planning"}
EVERYONE = ["pm", "finance", "ops", "prov_reviewer", "prov_approver", "auditor", "sub_changchun", "coord_changchun", "admin"]


def project_for(machine):
    if machine == "development":
        return ProjectFactory(funding_status="allocated")
    if machine == "operations":
        return ProjectFactory(development_status="delivered")
    if machine == "funding":  # budgeting needs a budget line
        from tests.budgets.factories import LineFactory

        return with_facts(LineFactory(project=ProjectFactory()).project)
    return with_facts(ProjectFactory())


def logged(project) -> int:
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Project), object_id=project.pk).count()


@pytest.mark.parametrize("machine", list(CASES))
@pytest.mark.parametrize("username", EVERYONE)
def test_only_the_machines_role_moves_it(users, machine, username):
    name, allowed = CASES[machine]
    project = project_for(machine)
    field = f"{machine}_status"
    before = getattr(project, field)
    if username == allowed:
        project_transition(project=project, machine=machine, name=name, actor=users[username])
        assert getattr(Project.objects.get(pk=project.pk), field) != before
        assert logged(project) == 1
    else:
        with pytest.raises(TransitionForbidden) as err:
            project_transition(project=project, machine=machine, name=name, actor=users[username])
        assert err.value.status_code == 403
        assert err.value.state == before
        assert getattr(Project.objects.get(pk=project.pk), field) == before
        assert logged(project) == 0


@pytest.fixture
def city_pm(users):
    """A project manager placed in Changchun's coordination authority, outside the provincial team."""
    return get_user_model().objects.create_user(
        "pm_changchun", password="x-pass-2026", role=Role.PROJECT_MANAGER, organization=org("220100-zwj")
    )


@pytest.mark.parametrize("machine", ["hardware", "development"])
def test_project_manager_outside_the_projects_organizations_is_refused(city_pm, machine):
    name, _role = CASES[machine]
    project = project_for(machine)
    with pytest.raises(TransitionForbidden):
        project_transition(project=project, machine=machine, name=name, actor=city_pm)
    assert logged(project) == 0


def test_project_manager_assigned_to_the_project_may_drive_it(city_pm):
    project = with_facts(ProjectFactory(manager=city_pm))
    project_transition(project=project, machine="hardware", name="request", actor=city_pm)
    assert Project.objects.get(pk=project.pk).hardware_status == "requested"


def test_inactive_user_moves_nothing(users):
    pm = users["pm"]
    pm.is_active = False
    project = ProjectFactory()
    with pytest.raises(TransitionForbidden):
        project_transition(project=project, machine="hardware", name="request", actor=pm)
