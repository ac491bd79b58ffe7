"""The machines of money (django-fsm-2): a disbursement and a budget change.

Transition bodies touch only fields of `self`; effects on other rows (the project's approved
budget, the funding machine on the first payment) live in services.py. Guards that read other
rows (money left on the line, the project's current budget) are checked by the doorway before
the transaction and again inside it, after the services locked those rows
(lock order: project, then budget lines by ascending id, then the disbursement or change).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.workflow import guard
from projects.delivery.choices import FundingState

from . import permissions as perm
from .choices import HOLDING_STATES, BudgetChangeState, DisbursementState

FUNDS_RELEASED = (FundingState.ALLOCATED, FundingState.DISBURSING)
D, B = DisbursementState, BudgetChangeState


def held_on_line(line_id: int, *, exclude_pk=None) -> Decimal:
    """What is approved or paid on a line now (committed rows, read after the line's lock)."""
    from .models import Disbursement

    qs = Disbursement.objects.filter(budget_line_id=line_id, status__in=HOLDING_STATES)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(total=Sum("amount"))["total"] or Decimal("0")


@guard(_("the line has not enough money left: approved and paid disbursements would exceed the budget line"))
def has_room_on_line(disbursement) -> bool:
    """Approved plus paid on a line never exceed the line."""
    line = disbursement.budget_line
    line_amount = type(line).objects.values_list("amount", flat=True).get(pk=line.pk)  # the saved amount, not a stale copy
    return held_on_line(line.pk, exclude_pk=disbursement.pk) + disbursement.amount <= line_amount


@guard(_("the project's funds are not allocated (or it is settled): finance allocates them first"))
def is_project_funded(disbursement) -> bool:
    """Money moves only on a project whose funds are allocated or being disbursed."""
    from projects.delivery.models import Project

    state = Project.objects.values_list("funding_status", flat=True).get(pk=disbursement.budget_line.project_id)
    return state in FUNDS_RELEASED


class DisbursementWorkflow(ConcurrentTransitionMixin, models.Model):
    """requested → approved → paid, or rejected (design.md, "Money")."""

    status = FSMField(_("status"), max_length=20, choices=D.choices, default=D.REQUESTED, protected=True, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        abstract = True

    @transition(field=status, source=D.REQUESTED, target=D.APPROVED, conditions=[is_project_funded, has_room_on_line],
                permission=perm.may_approve_disbursement)
    def approve(self):
        self.decided_at = timezone.now()

    @transition(field=status, source=D.APPROVED, target=D.PAID, conditions=[is_project_funded],
                permission=perm.may_approve_disbursement)
    def pay(self):
        self.paid_at = timezone.now()

    @transition(field=status, source=[D.REQUESTED, D.APPROVED], target=D.REJECTED, permission=perm.may_approve_disbursement)
    def reject(self):
        self.decided_at = timezone.now()


@guard(_("the approved budget changed since this change was proposed: propose it again from the current figure"))
def is_budget_unchanged(change) -> bool:
    """A change applies to the figure it was proposed against (no silent overwrite of another change)."""
    from projects.delivery.models import Project

    return Project.objects.values_list("approved_budget", flat=True).get(pk=change.project_id) == change.old_amount


@guard(_("the new budget is below the budget lines already entered: reduce the lines first"))
def covers_budget_lines(change) -> bool:
    """The lines of a project never exceed its approved budget."""
    from .models import BudgetLine

    total = BudgetLine.objects.filter(project_id=change.project_id).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return change.new_amount >= total


class BudgetChangeWorkflow(ConcurrentTransitionMixin, models.Model):
    """proposed → approved (the approved budget changes) or rejected."""

    status = FSMField(_("status"), max_length=20, choices=B.choices, default=B.PROPOSED, protected=True, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        abstract = True

    @transition(field=status, source=B.PROPOSED, target=B.APPROVED, conditions=[is_budget_unchanged, covers_budget_lines],
                permission=perm.may_decide_budget_change)
    def approve(self, by=None):
        self.decided_at = timezone.now()
        self.decided_by = by

    @transition(field=status, source=B.PROPOSED, target=B.REJECTED, permission=perm.may_decide_budget_change)
    def reject(self, by=None):
        self.decided_at = timezone.now()
        self.decided_by = by
