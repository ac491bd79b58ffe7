"""The approval machine of a demand and the four machines of a project (django-fsm-2).

Transition bodies touch only fields of `self`; every other effect lives in services.py.
Conditions are pure `is_*`/`has_*` functions; `guard()` gives each the message a user sees
when it blocks.
"""

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from core.workflow import guard
from organizations.choices import RegionLevel
from projects.demands import permissions as perm
from projects.demands.choices import ACTIVE_ASSIGNMENT_STATES, AssignmentState, AuthorizationState, DemandStatus
from projects.demands.choices import AssignmentState as A
from projects.demands.choices import AuthorizationState as Z
from projects.demands.choices import DemandStatus as S

MAX_AMOUNT = Decimal("10000000000")  # 10 billion CNY: anything above is a typing error
MIN_PANEL = 3  # an expert panel has at least three members


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


@guard(_("a data owner refused an authorization: drop that resource or return the demand"))
def has_no_refused_authorization(demand) -> bool:
    """Approval is refused while the owner of a needed authorized resource has refused it."""
    return not demand.has_refused_authorization()


@guard(_("fewer than a majority of a panel of at least three experts have given their opinion"))
def has_majority_of_opinions(demand) -> bool:
    """The panel's verdict needs at least three active members and opinions from more than half of them."""
    active = demand.expert_assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES)
    members = active.count()
    submitted = active.filter(state=AssignmentState.SUBMITTED).count()
    return members >= MIN_PANEL and submitted * 2 > members


@guard(_("an expert's deadline has passed without an opinion or a replacement"))
def has_no_overdue_assignment(demand) -> bool:
    """No assignment still awaiting its opinion is past its deadline (the office replaces the expert first)."""
    return not demand.expert_assignments.filter(state=AssignmentState.ASSIGNED, deadline__lt=timezone.now()).exists()


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
        conditions=[has_no_pending_flags, has_no_refused_authorization],
        permission=perm.may_provincial_approve,
    )
    def provincial_approve(self):
        """Large demands (total at or above EXPERT_REVIEW_THRESHOLD) go to the expert panel."""
        return S.EXPERT_REVIEW if self.needs_expert_review() else S.APPROVED

    @transition(
        field=status,
        source=S.EXPERT_REVIEW,
        target=S.APPROVED,
        conditions=[has_majority_of_opinions, has_no_overdue_assignment, has_no_refused_authorization],
        permission=perm.may_provincial_approve,
    )
    def expert_approve(self):
        """The approver approves on the panel's opinions."""

    @transition(
        field=status,
        source=S.EXPERT_REVIEW,
        target=S.REJECTED,
        conditions=[has_majority_of_opinions],
        permission=perm.may_provincial_approve,
    )
    def expert_reject(self):
        """The approver rejects on the panel's opinions, with the panel's reasons."""

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


# ---------------------------------------------------------------------------------------
# An expert's assignment to the panel of one demand
# ---------------------------------------------------------------------------------------


@guard(_("the demand is no longer in expert review"))
def is_demand_in_expert_review(assignment) -> bool:
    """Opinions are given, and experts replaced, only while the demand is in expert review."""
    return assignment.demand.status == S.EXPERT_REVIEW


@guard(_("the expert has declined, or the deadline has passed without an opinion"))
def is_replaceable(assignment) -> bool:
    """An expert is replaced after declining, or when the deadline passed without an opinion."""
    return assignment.state == A.DECLINED or (assignment.deadline is not None and assignment.deadline < timezone.now())


def _is_nobody(assignment, user) -> bool:
    """A transition only the system fires (no person may)."""
    return False


class AssignmentWorkflow(ConcurrentTransitionMixin, models.Model):
    """An expert's place on a demand's panel, on `state`: awaited → submitted, declined, or replaced."""

    state = FSMField(_("state"), max_length=20, choices=AssignmentState.choices, default=A.ASSIGNED, protected=True,
                     db_index=True)

    class Meta:
        abstract = True

    @transition(field=state, source=A.ASSIGNED, target=A.SUBMITTED, conditions=[is_demand_in_expert_review],
                permission=perm.is_the_expert)
    def submit_opinion(self, *, verdict, comments, recommended_budget, now, stored_file="", file_name=""):
        """The expert gives the opinion: a verdict, comments, a recommended budget, a signed file already stored."""
        self.verdict, self.comments, self.recommended_budget, self.submitted_at = verdict, comments, recommended_budget, now
        if stored_file:
            self.signed_file, self.signed_file_name = stored_file, file_name

    @transition(field=state, source=A.ASSIGNED, target=A.DECLINED, conditions=[is_demand_in_expert_review],
                permission=perm.is_the_expert)
    def decline(self, *, reason):
        """The expert declines (a conflict of interest, no time), with the reason."""
        self.decline_reason = reason

    @transition(field=state, source=[A.ASSIGNED, A.DECLINED], target=A.REPLACED,
                conditions=[is_demand_in_expert_review, is_replaceable], permission=perm.may_replace_expert)
    def replace(self):
        """The provincial office gives the place to another expert of the pool."""

    @transition(field=state, source=A.ASSIGNED, target=A.CLOSED, permission=_is_nobody, custom={"system": True})
    def close(self):
        """The demand left expert review (decided, returned, withdrawn) before this opinion came:
        the system closes the place, so that it is no longer awaited nor counted as overdue."""


# ---------------------------------------------------------------------------------------
# A request to the owner of an authorized-sharing data resource
# ---------------------------------------------------------------------------------------


def _is_system(request, user) -> bool:
    """The system itself (the daily check; the demand dropping the resource or closing), never a person."""
    return False


@guard(_("the end date has not passed yet"))
def is_past_end_date(request) -> bool:
    """A granted authorization expires once its end date has passed."""
    return request.valid_until is not None and request.valid_until < timezone.localdate()


class AuthorizationWorkflow(ConcurrentTransitionMixin, models.Model):
    """The owner's consent to share a resource with a demand, on `state` (design.md, "Data-sharing")."""

    state = FSMField(_("state"), max_length=20, choices=AuthorizationState.choices, default=Z.PENDING, protected=True,
                     db_index=True)

    class Meta:
        abstract = True

    @transition(field=state, source=Z.PENDING, target=Z.GRANTED, permission=perm.is_owners_data_officer)
    def grant(self, *, conditions, valid_until, by, now):
        """The owner's data officer grants, optionally with conditions and an end date."""
        self.conditions, self.valid_until, self.decided_by, self.decided_at = conditions, valid_until, by, now

    @transition(field=state, source=Z.PENDING, target=Z.REFUSED, permission=perm.is_owners_data_officer)
    def refuse(self, *, reason, by, now):
        """The owner's data officer refuses, with the reason."""
        self.reason, self.decided_by, self.decided_at = reason, by, now

    @transition(field=state, source=Z.GRANTED, target=Z.REVOKED, permission=perm.is_owners_data_officer)
    def revoke(self, *, reason, by, now):
        """The owner's data officer ends a granted authorization early, with the reason."""
        self.reason, self.decided_by, self.decided_at = reason, by, now

    @transition(field=state, source=Z.GRANTED, target=Z.EXPIRED, conditions=[is_past_end_date],
                permission=_is_system, custom={"system": True})
    def expire(self):
        """The daily check: a granted authorization whose end date has passed."""

    @transition(field=state, source=[Z.PENDING, Z.GRANTED, Z.REFUSED, Z.REVOKED], target=Z.WITHDRAWN,
                permission=_is_system, custom={"system": True})
    def withdraw(self):
        """The demand no longer needs the resource (dropped, withdrawn, rejected)."""
