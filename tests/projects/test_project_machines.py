"""The (state × transition) table of each of the project's four machines, through the service."""

import pytest
from django.contrib.contenttypes.models import ContentType

from core.errors import TransitionConflict
from core.models import AuditLog
from core.workflow import machine_spec
from projects.delivery.choices import MACHINE_FIELDS, DevelopmentState, FundingState, HardwareState, OperationsState
from projects.delivery.services import project_transition
from projects.models import Project

from .project_factories import ProjectFactory, with_facts

pytestmark = pytest.mark.django_db

# transition → {source state: target state}; every pair not listed is refused.
TABLES = {
    "hardware": {
        "request": {"planning": "requested"},
        "procure": {"requested": "procuring"},
        "deliver": {"procuring": "delivered"},
        "accept": {"delivered": "accepted"},
        "waive": {"planning": "not_required"},
    },
    "funding": {
        "budget": {"unfunded": "budgeted"},
        "allocate": {"budgeted": "allocated"},
        "begin_disbursing": {"allocated": "disbursing"},
        "settle": {"disbursing": "settled"},
    },
    "development": {
        "start": {"not_started": "requirements"},
        "design": {"requirements": "design"},
        "build": {"design": "building"},
        "test": {"building": "testing"},
        "submit_acceptance": {"testing": "acceptance"},
        "deliver": {"acceptance": "delivered"},
        "rework": {"testing": "building", "acceptance": "building"},
    },
    "operations": {
        "start_trial": {"not_started": "trial"},
        "go_live": {"trial": "in_operation"},
        "begin_upgrade": {"in_operation": "upgrading"},
        "finish_upgrade": {"upgrading": "in_operation"},
        "suspend": {"in_operation": "suspended"},
        "resume": {"suspended": "in_operation"},
        "retire": {"in_operation": "retired", "suspended": "retired"},
    },
}
STATES = {"hardware": HardwareState, "funding": FundingState, "development": DevelopmentState, "operations": OperationsState}
ACTORS = {"hardware": "pm", "funding": "finance", "development": "pm", "operations": "ops"}
# The other machines where every cross-machine guard holds (and, with `with_facts`, every fact the lanes ask for).
GUARDS_HOLD = {"hardware_status": "accepted", "funding_status": "allocated", "development_status": "delivered",
               "operations_status": "not_started"}

CASES = [
    (machine, state.value, name)
    for machine, table in TABLES.items()
    for state in STATES[machine]
    for name in table
]


def money_facts_hold(project):
    """The budgets app's facts under which every funding guard holds: a line covering the approved
    budget and one payment (begin_disbursing follows the first payment; settle needs none open)."""
    from datetime import date

    from budgets.models import BudgetLine, Disbursement

    line = BudgetLine.objects.create(project=project, fiscal_year=2026, source="provincial_fiscal", category="software",
                                     amount=project.approved_budget)
    Disbursement.objects.create(budget_line=line, amount=1, voucher_no=f"T-{project.pk}", payee="某公司", date=date(2026, 1, 5),
                                status="paid")


def actor_of(users, machine, name):
    """begin_disbursing is fired by the system (the first payment), never by a person."""
    return None if name == "begin_disbursing" else users[ACTORS[machine]]


def audit_rows(project):
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Project), object_id=project.pk)


@pytest.mark.parametrize("machine", list(TABLES))
def test_table_lists_exactly_the_transitions_of_the_code(machine):
    spec = machine_spec(Project, MACHINE_FIELDS[machine])
    from_code = {name: {source: s.target for source in s.sources} for name, s in spec.items()}
    assert from_code == TABLES[machine]


def test_table_covers_every_state_and_transition():
    assert len(CASES) == 6 * 5 + 5 * 4 + 7 * 7 + 6 * 7


@pytest.mark.parametrize(("machine", "state", "name"), CASES)
def test_state_transition_table(users, machine, state, name):
    field = MACHINE_FIELDS[machine]
    project = with_facts(ProjectFactory(**{**GUARDS_HOLD, field: state}))
    if machine == "funding":
        money_facts_hold(project)
    before = {f: getattr(project, f) for f in MACHINE_FIELDS.values()}
    expected = TABLES[machine][name].get(state)
    if expected is None:
        with pytest.raises(TransitionConflict) as err:
            project_transition(project=project, machine=machine, name=name, actor=actor_of(users, machine, name))
        assert err.value.state == state
        assert err.value.guards == []
        fresh = Project.objects.get(pk=project.pk)
        assert {f: getattr(fresh, f) for f in MACHINE_FIELDS.values()} == before
        assert audit_rows(project).count() == 0
    else:
        project_transition(project=project, machine=machine, name=name, actor=actor_of(users, machine, name), comment="表格")
        fresh = Project.objects.get(pk=project.pk)
        assert getattr(fresh, field) == expected
        assert {f: getattr(fresh, f) for f in MACHINE_FIELDS.values() if f != field} == {
            f: v for f, v in before.items() if f != field
        }
        rows = list(audit_rows(project).values_list("machine", "transition", "source", "target", "comment"))
        assert rows == [(machine, name, state, expected, "表格")]


def test_unknown_machine_is_invalid_and_names_the_field(users):
    from core.errors import TransitionInvalid

    project = ProjectFactory()
    with pytest.raises(TransitionInvalid) as err:
        project_transition(project=project, machine="catering", name="request", actor=users["pm"])
    assert list(err.value.field_errors) == ["machine"]
    assert audit_rows(project).count() == 0


def test_unknown_transition_name_is_a_conflict_with_the_current_state(users):
    project = ProjectFactory()
    with pytest.raises(TransitionConflict) as err:
        project_transition(project=project, machine="hardware", name="explode", actor=users["pm"])
    assert err.value.state == "planning"


def test_development_start_and_delivery_record_the_actual_dates(users):
    from django.utils import timezone

    project = ProjectFactory(funding_status="allocated", hardware_status="accepted")
    project_transition(project=project, machine="development", name="start", actor=users["pm"])
    assert Project.objects.get(pk=project.pk).actual_start == timezone.localdate()
    project = with_facts(ProjectFactory(development_status="acceptance"))
    project_transition(project=project, machine="development", name="deliver", actor=users["pm"])
    assert Project.objects.get(pk=project.pk).actual_end == timezone.localdate()
