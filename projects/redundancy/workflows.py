"""The state machine of a redundancy flag (django-fsm-2), fired only through core.workflow.fire.

pending → dismissed (a reviewer, with a reason), merged / reused (inside the demand's `merge` /
`recommend_reuse`), or stale (the system: a new check no longer finds the candidate); a stale
flag whose candidate is found again is reopened.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.workflow import guard
from projects.demands.choices import REVIEW_STATES
from projects.demands.permissions import may_provincial_review, may_redirect
from projects.redundancy.choices import FlagState as F


@guard(_("the demand is no longer under review"))
def is_demand_in_review(flag) -> bool:
    """Flags are decided while their demand is under review."""
    return flag.demand.status in REVIEW_STATES


def may_resolve(flag, user) -> bool:
    """The provincial review office (reviewers and approvers) dismisses flags."""
    return may_provincial_review(flag.demand, user)


def may_redirect_flag(flag, user) -> bool:
    """Merge and reuse are decisions of the provincial review office on the demand."""
    return may_redirect(flag.demand, user)


class FlagWorkflow(ConcurrentTransitionMixin, models.Model):
    state = FSMField(_("state"), max_length=10, choices=F.choices, default=F.PENDING, protected=True, db_index=True)

    class Meta:
        abstract = True

    def _resolve(self, by, comment: str) -> None:
        self.resolved_by = by
        self.resolved_at = timezone.now()
        self.resolution_comment = comment or ""

    @transition(field=state, source=F.PENDING, target=F.DISMISSED, conditions=[is_demand_in_review], permission=may_resolve)
    def dismiss(self, by=None, comment: str = ""):
        self._resolve(by, comment)

    @transition(field=state, source=F.PENDING, target=F.MERGED, permission=may_redirect_flag)
    def merge(self, by=None, comment: str = ""):
        self._resolve(by, comment)

    @transition(field=state, source=F.PENDING, target=F.REUSED, permission=may_redirect_flag)
    def reuse(self, by=None, comment: str = ""):
        self._resolve(by, comment)

    @transition(field=state, source=F.PENDING, target=F.STALE, custom={"system": True})
    def mark_stale(self, by=None, comment: str = ""):
        pass

    @transition(field=state, source=F.STALE, target=F.PENDING, custom={"system": True})
    def reopen(self, by=None, comment: str = ""):
        pass
