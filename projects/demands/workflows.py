"""The approval machine of a demand and the four machines of a project (django-fsm-2).

Transition bodies touch only fields of `self`; every other effect lives in services.py.
Conditions are pure `is_*`/`has_*` functions; `guard()` gives each the message a user sees
when it blocks.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from core.workflow import guard
from organizations.choices import RegionLevel
from projects.demands import permissions as perm
from projects.demands.choices import DemandStatus
from projects.demands.choices import DemandStatus as S

MAX_AMOUNT = Decimal("10000000000")  # 10 billion CNY: anything above is a typing error


@guard(_("the demand is incomplete"))
def is_complete(demand) -> bool:
    """A demand is submitted only with every required field filled."""
    return not demand.missing_fields()


@guard(_("the budget parts do not add up to the total"))
def has_consistent_budget(demand) -> bool:
    """The four budget parts are non-negative, add up to the total, and the total is positive."""
    return demand.budget_problems() == []


@guard(_("a redundancy flag is still unresolved"))
def has_no_pending_flags(demand) -> bool:
    """Provincial approval waits until every redundancy flag is dismissed, merged or reused."""
    return not demand.has_pending_flags()


class DemandWorkflow(ConcurrentTransitionMixin, models.Model):
    """The approval state machine on `status` (design.md, "The life of a demand")."""

    status = FSMField(_("status"), max_length=20, choices=DemandStatus.choices, default=S.DRAFT, protected=True, db_index=True)

    class Meta:
        abstract = True

    @transition(
        field=status,
        source=[S.DRAFT, S.RETURNED],
        target=RETURN_VALUE(S.MUNICIPAL_REVIEW, S.PROVINCIAL_REVIEW),
        conditions=[is_complete, has_consistent_budget],
        permission=perm.may_submit,
    )
    def submit(self):
        """City and county bureaus go to their city first; provincial departments straight to the province."""
        return S.PROVINCIAL_REVIEW if self.org.level == RegionLevel.PROVINCE else S.MUNICIPAL_REVIEW

    @transition(field=status, source=S.MUNICIPAL_REVIEW, target=S.PROVINCIAL_REVIEW, permission=perm.may_municipal_review)
    def municipal_approve(self):
        pass

    @transition(
        field=status,
        source=S.PROVINCIAL_REVIEW,
        target=RETURN_VALUE(S.APPROVED, S.EXPERT_REVIEW),
        conditions=[has_no_pending_flags],
        permission=perm.may_provincial_approve,
    )
    def provincial_approve(self):
        """Large demands (total at or above EXPERT_REVIEW_THRESHOLD) go to the expert panel."""
        return S.EXPERT_REVIEW if self.needs_expert_review() else S.APPROVED

    @transition(field=status, source=S.EXPERT_REVIEW, target=S.APPROVED, permission=perm.may_provincial_approve)
    def expert_approve(self):
        pass

    @transition(
        field=status,
        source=[S.MUNICIPAL_REVIEW, S.PROVINCIAL_REVIEW, S.EXPERT_REVIEW],
        target=S.RETURNED,
        permission=perm.may_decide_in_review,
    )
    def return_for_revision(self):
        pass

    @transition(
        field=status,
        source=[S.MUNICIPAL_REVIEW, S.PROVINCIAL_REVIEW, S.EXPERT_REVIEW],
        target=S.REJECTED,
        permission=perm.may_decide_in_review,
    )
    def reject(self):
        pass

    @transition(field=status, source=S.PROVINCIAL_REVIEW, target=S.MERGED, permission=perm.may_redirect)
    def merge(self):
        pass

    @transition(field=status, source=S.PROVINCIAL_REVIEW, target=S.REUSE, permission=perm.may_redirect)
    def recommend_reuse(self):
        pass

    @transition(
        field=status,
        source=[S.DRAFT, S.RETURNED, S.MUNICIPAL_REVIEW, S.PROVINCIAL_REVIEW],
        target=S.WITHDRAWN,
        permission=perm.may_submit,
    )
    def withdraw(self):
        pass
