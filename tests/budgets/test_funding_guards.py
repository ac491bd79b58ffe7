"""The funding machine with facts: budget needs a line; allocate needs the lines to cover the
approved budget (or a recorded partial allocation); the first payment begins disbursing by
itself; settle needs the development delivered and nothing open, and records the final account."""

from decimal import Decimal

import pytest

from budgets import services
from budgets.models import BudgetLine, FinalAccount
from core.errors import TransitionConflict, TransitionForbidden
from core.models import AuditLog
from projects.delivery.services import project_transition
from projects.delivery.workflows import has_approved_budget, has_no_open_disbursement, is_budget_covered, is_development_delivered
from projects.models import Project
from tests.budgets.factories import DisbursementFactory, LineFactory
from tests.projects.project_factories import ProjectFactory

pytestmark = pytest.mark.django_db


def funding(project) -> str:
    return Project.objects.values_list("funding_status", flat=True).get(pk=project.pk)


def blocked(users, project, name, guard):
    with pytest.raises(TransitionConflict) as err:
        project_transition(project=project, machine="funding", name=name, actor=users["finance"])
    assert err.value.guards == [str(guard.guard_message)]


def test_budget_needs_a_line(users):
    project = ProjectFactory()
    blocked(users, project, "budget", has_approved_budget)
    assert funding(project) == "unfunded"
    services.add_budget_line(project=project, actor=users["finance"], fiscal_year=2026, source="provincial_fiscal",
                             category="software", amount="40万")
    project_transition(project=project, machine="funding", name="budget", actor=users["finance"])
    assert funding(project) == "budgeted"


def test_allocate_needs_lines_covering_the_budget(users):
    project = ProjectFactory(funding_status="budgeted")
    LineFactory(project=project, amount=Decimal("400000.00"))
    blocked(users, project, "allocate", is_budget_covered)
    LineFactory(project=project, category="hardware", amount=Decimal("600000.00"))
    project_transition(project=project, machine="funding", name="allocate", actor=users["finance"])
    assert funding(project) == "allocated"


def test_allocate_with_a_recorded_partial_allocation(users):
    project = ProjectFactory(funding_status="budgeted")
    LineFactory(project=project, amount=Decimal("400000.00"))
    services.record_partial_allocation(project=project, actor=users["finance"], reason="本年度先下达一期资金")
    project_transition(project=project, machine="funding", name="allocate", actor=users["finance"])
    assert funding(project) == "allocated"


def test_lines_never_exceed_the_approved_budget(users):
    project = ProjectFactory()
    LineFactory(project=project, amount=Decimal("900000.00"))
    with pytest.raises(TransitionConflict) as err:
        services.add_budget_line(project=project, actor=users["finance"], fiscal_year=2026, source="special_bonds",
                                 category="hardware", amount="100001")
    assert "100,000.00 is left" in str(err.value.message)
    assert BudgetLine.objects.filter(project=project).count() == 1


def test_nobody_begins_disbursing_by_hand(users):
    project = ProjectFactory(funding_status="allocated")
    with pytest.raises(TransitionForbidden):
        project_transition(project=project, machine="funding", name="begin_disbursing", actor=users["finance"])
    assert funding(project) == "allocated"


def test_the_first_payment_begins_disbursing_as_the_system(users):
    project = ProjectFactory(funding_status="allocated")
    d = DisbursementFactory(budget_line=LineFactory(project=project), status="approved")
    services.disbursement_transition(disbursement=d, name="pay", actor=users["finance"])
    assert funding(project) == "disbursing"
    row = AuditLog.objects.filter(machine="funding", object_id=project.pk).get()
    assert (row.transition, row.actor, row.source, row.target) == ("begin_disbursing", None, "allocated", "disbursing")
    second = DisbursementFactory(budget_line=d.budget_line, status="approved")
    services.disbursement_transition(disbursement=second, name="pay", actor=users["finance"])
    assert AuditLog.objects.filter(machine="funding", object_id=project.pk).count() == 1


def test_settle_needs_development_delivered(users):
    project = ProjectFactory(funding_status="disbursing", development_status="building")
    DisbursementFactory(budget_line=LineFactory(project=project), status="paid")
    blocked(users, project, "settle", is_development_delivered)
    assert funding(project) == "disbursing"


@pytest.mark.parametrize("state", ["requested", "approved"])
def test_settle_needs_nothing_open(users, state):
    project = ProjectFactory(funding_status="disbursing", development_status="delivered")
    DisbursementFactory(budget_line=LineFactory(project=project), status=state)
    blocked(users, project, "settle", has_no_open_disbursement)


def test_settle_records_the_final_account(users):
    project = ProjectFactory(funding_status="disbursing", development_status="delivered", approved_budget=Decimal("800000.00"))
    software = LineFactory(project=project, amount=Decimal("500000.00"))
    hardware = LineFactory(project=project, category="hardware", amount=Decimal("300000.00"))
    DisbursementFactory(budget_line=software, amount=Decimal("450000.00"), status="paid")
    DisbursementFactory(budget_line=hardware, amount=Decimal("300000.00"), status="paid")
    DisbursementFactory(budget_line=hardware, amount=Decimal("1000.00"), status="rejected")
    project_transition(project=project, machine="funding", name="settle", actor=users["finance"], comment="决算")
    account = FinalAccount.objects.get(project=project)
    assert (account.budgeted, account.paid, account.returned) == (Decimal("800000.00"), Decimal("750000.00"), Decimal("50000.00"))
    assert [(r["category"], r["amount"], r["paid"]) for r in account.lines] == [
        ("software", "500000.00", "450000.00"), ("hardware", "300000.00", "300000.00")]


def test_no_disbursement_once_settled(users):
    project = ProjectFactory(funding_status="settled", development_status="delivered")
    line = LineFactory(project=project)
    with pytest.raises(TransitionConflict):
        services.request_disbursement(line=line, actor=users["finance"], amount="100", voucher_no="PZ-X", payee="某公司", date=None)
