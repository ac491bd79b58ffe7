"""The disbursement machine and the budget-change machine: every (state, transition) pair, who may
fire them, refusals that change nothing, the line invariant and the stale copy."""

from decimal import Decimal

import pytest

from budgets import services
from budgets.models import BudgetChange, Disbursement
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid
from core.models import AuditLog
from projects.models import Project
from tests.budgets.factories import DisbursementFactory, LineFactory, funded_project

pytestmark = pytest.mark.django_db


def budget_of(project) -> Decimal:
    return Project.objects.values_list("approved_budget", flat=True).get(pk=project.pk)

DISBURSEMENT_TABLE = {
    "requested": {"approve": "approved", "pay": None, "reject": "rejected"},
    "approved": {"approve": None, "pay": "paid", "reject": "rejected"},
    "paid": {"approve": None, "pay": None, "reject": None},
    "rejected": {"approve": None, "pay": None, "reject": None},
}


@pytest.mark.parametrize("state,name", [(s, n) for s, row in DISBURSEMENT_TABLE.items() for n in row])
def test_disbursement_transition_table(users, state, name):
    d = DisbursementFactory(status=state)
    target = DISBURSEMENT_TABLE[state][name]
    logs = AuditLog.objects.count()
    if target is None:
        with pytest.raises(TransitionConflict):
            services.disbursement_transition(disbursement=d, name=name, actor=users["finance"], comment="原因")
        assert Disbursement.objects.get(pk=d.pk).status == state
        assert AuditLog.objects.count() == logs
    else:
        services.disbursement_transition(disbursement=d, name=name, actor=users["finance"], comment="原因")
        assert Disbursement.objects.get(pk=d.pk).status == target
        row = AuditLog.objects.latest("pk")
        assert (row.transition, row.source, row.target, row.actor) == (name, state, target, users["finance"])


@pytest.mark.parametrize("username", ["pm", "prov_approver", "auditor", "sub_changchun", "ops"])
def test_only_finance_moves_disbursements(users, username):
    d = DisbursementFactory()
    with pytest.raises(TransitionForbidden):
        services.disbursement_transition(disbursement=d, name="approve", actor=users[username])
    assert Disbursement.objects.get(pk=d.pk).status == "requested"


def test_reject_needs_a_reason(users):
    d = DisbursementFactory()
    with pytest.raises(TransitionInvalid):
        services.disbursement_transition(disbursement=d, name="reject", actor=users["finance"], comment=" ")
    assert Disbursement.objects.get(pk=d.pk).status == "requested"


def test_approval_refused_when_the_line_would_be_exceeded(users):
    line = LineFactory(amount=Decimal("250000.00"))
    first, second, third = (DisbursementFactory(budget_line=line) for _ in range(3))
    services.disbursement_transition(disbursement=first, name="approve", actor=users["finance"])
    services.disbursement_transition(disbursement=second, name="approve", actor=users["finance"])
    with pytest.raises(TransitionConflict) as err:
        services.disbursement_transition(disbursement=third, name="approve", actor=users["finance"])
    assert "not enough money left" in str(err.value.message)
    assert Disbursement.objects.get(pk=third.pk).status == "requested"


def test_request_refused_on_a_project_whose_funds_are_not_allocated(users):
    project, line = funded_project(funding_status="budgeted")
    with pytest.raises(TransitionConflict):
        services.request_disbursement(line=line, actor=users["finance"], amount="10万", voucher_no="PZ-1", payee="某公司", date=None)
    assert not Disbursement.objects.exists()


@pytest.mark.parametrize("amount,message", [
    ("0", "above zero"), ("-5", "negative"), ("12.345", "decimal"), ("12 apples", "amount"),
])
def test_bad_amounts_are_refused_with_a_message(users, amount, message):
    project, line = funded_project()
    with pytest.raises(TransitionInvalid) as err:
        services.request_disbursement(line=line, actor=users["finance"], amount=amount, voucher_no="PZ-9", payee="某公司", date=None)
    assert message in str(err.value.message).lower() or message in str(err.value.message)
    assert not Disbursement.objects.exists()


def test_amounts_as_clerks_type_them_are_accepted(users):
    project, line = funded_project()
    d = services.request_disbursement(line=line, actor=users["finance"], amount="¥1,200.50", voucher_no="PZ-7", payee="某公司", date=None)
    assert d.amount == Decimal("1200.50")
    d2 = services.request_disbursement(line=line, actor=users["finance"], amount="5万", voucher_no="PZ-8", payee="某公司", date=None)
    assert d2.amount == Decimal("50000.00")


def test_a_voucher_number_is_used_once(users):
    project, line = funded_project()
    services.request_disbursement(line=line, actor=users["finance"], amount="100", voucher_no="PZ-1", payee="某公司", date=None)
    with pytest.raises(TransitionConflict) as err:
        services.request_disbursement(line=line, actor=users["finance"], amount="100", voucher_no="PZ-1", payee="某公司", date=None)
    assert "PZ-1" in str(err.value.message)
    assert Disbursement.objects.count() == 1


def test_a_stale_copy_loses_with_a_conflict(users):
    d = DisbursementFactory()
    stale = Disbursement.objects.get(pk=d.pk)
    services.disbursement_transition(disbursement=d, name="approve", actor=users["finance"])
    with pytest.raises(TransitionConflict):
        services.disbursement_transition(disbursement=stale, name="reject", actor=users["finance"], comment="迟到")
    assert Disbursement.objects.get(pk=d.pk).status == "approved"


# ------------------------------------------------------------------ budget changes

CHANGE_TABLE = {
    "proposed": {"approve": "approved", "reject": "rejected"},
    "approved": {"approve": None, "reject": None},
    "rejected": {"approve": None, "reject": None},
}


def _change(project, users, status="proposed", new="1200000.00"):
    return BudgetChange.objects.create(project=project, old_amount=project.approved_budget, new_amount=Decimal(new), reason="扩容",
                                       proposed_by=users["pm"], status=status)


@pytest.mark.parametrize("state,name", [(s, n) for s, row in CHANGE_TABLE.items() for n in row])
def test_budget_change_transition_table(users, state, name):
    project, _line = funded_project()
    change = _change(project, users, state)
    target = CHANGE_TABLE[state][name]
    if target is None:
        with pytest.raises(TransitionConflict):
            services.budget_change_transition(change=change, name=name, actor=users["prov_approver"], comment="意见")
        assert BudgetChange.objects.get(pk=change.pk).status == state
    else:
        services.budget_change_transition(change=change, name=name, actor=users["prov_approver"], comment="意见")
        assert BudgetChange.objects.get(pk=change.pk).status == target
        assert budget_of(project) == (Decimal("1200000.00") if target == "approved" else Decimal("1000000.00"))


def test_pm_proposes_and_the_approver_approves_a_budget_increase(users):
    project, _line = funded_project(manager=None)
    project.manager = users["pm"]
    project.save(update_fields=["manager"])
    change = services.propose_budget_change(project=project, actor=users["pm"], new_amount="900万", reason="新增三个地市接入")
    assert (change.old_amount, change.new_amount, change.status) == (Decimal("1000000.00"), Decimal("9000000.00"), "proposed")
    assert budget_of(project) == Decimal("1000000.00")  # nothing changes before the approval
    with pytest.raises(TransitionForbidden):
        services.budget_change_transition(change=change, name="approve", actor=users["pm"])
    services.budget_change_transition(change=change, name="approve", actor=users["prov_approver"])
    assert budget_of(project) == Decimal("9000000.00")
    change.refresh_from_db()
    assert change.decided_by == users["prov_approver"]
    rows = AuditLog.objects.filter(machine="approved_budget", object_id=project.pk)
    assert [(r.source, r.target) for r in rows] == [("1000000.00", "9000000.00")]


@pytest.mark.parametrize("username", ["sub_changchun", "ops", "auditor", "prov_reviewer"])
def test_others_cannot_propose_a_budget_change(users, username):
    project, _line = funded_project()
    with pytest.raises(TransitionForbidden):
        services.propose_budget_change(project=project, actor=users[username], new_amount="2000000", reason="x")
    assert not BudgetChange.objects.exists()


def test_a_cut_below_the_lines_is_refused_at_approval(users):
    project, line = funded_project(line="800000.00")
    change = services.propose_budget_change(project=project, actor=users["finance"], new_amount="900000", reason="压减")
    line.amount = Decimal("1000000.00")  # the lines grew after the proposal (within the current budget)
    line.save(update_fields=["amount"])
    with pytest.raises(TransitionConflict) as err:
        services.budget_change_transition(change=change, name="approve", actor=users["prov_approver"])
    assert "below the budget lines" in str(err.value.message)
    assert budget_of(project) == Decimal("1000000.00")


def test_a_change_proposed_against_an_old_figure_is_refused(users):
    project, _line = funded_project()
    change = _change(project, users)
    project.approved_budget = Decimal("1100000.00")
    project.save(update_fields=["approved_budget"])
    with pytest.raises(TransitionConflict):
        services.budget_change_transition(change=change, name="approve", actor=users["prov_approver"])
    assert budget_of(project) == Decimal("1100000.00")
