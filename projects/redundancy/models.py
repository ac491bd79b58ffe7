
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.selectors import RestrictedManager
from projects.demands.models import Demand
from projects.redundancy.choices import CandidateKind
from projects.redundancy.workflows import FlagWorkflow


class RedundancyFlag(FlagWorkflow, models.Model):
    """A candidate the demand may duplicate, scored at or above the flag threshold, until resolved."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="flags", verbose_name=_("demand"))
    candidate_kind = models.CharField(_("candidate kind"), max_length=10, choices=CandidateKind.choices)
    candidate_id = models.PositiveBigIntegerField(_("candidate id"))
    candidate_code = models.CharField(_("candidate code"), max_length=20, blank=True)
    candidate_title = models.CharField(_("candidate"), max_length=200)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=4)
    reasons = models.JSONField(_("reasons"), default=list)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution_comment = models.TextField(_("resolution"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    access_org_path = "demand__org"
    objects = RestrictedManager()

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("redundancy flag")
        verbose_name_plural = _("redundancy flags")
        constraints = [
            models.UniqueConstraint(fields=["demand", "candidate_kind", "candidate_id"], name="unique_flag_per_candidate"),
        ]

    def __str__(self) -> str:
        return _("%(kind)s %(code)s possibly duplicated %(score)s%%") % {
            "kind": CandidateKind(self.candidate_kind).label, "code": self.candidate_code or self.candidate_id,
            "score": round(float(self.score) * 100),
        }


class RedundancyIndexChange(models.Model):
    """One change to a candidate of redundancy detection: a system, a demand or a project (kind "all": everything).

    Append-only feed, written in the same transaction as the change itself. Every process keeps
    its redundancy index in memory and reads the rows after the last id it applied (at most every
    couple of seconds), so that all web and worker processes see a change within seconds.
    """

    kind = models.CharField(_("kind"), max_length=10)
    object_id = models.PositiveBigIntegerField(_("object id"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("redundancy index change")
        verbose_name_plural = _("redundancy index changes")

    def __str__(self) -> str:
        return f"{self.pk} {self.kind}:{self.object_id}"


class RedundancyClusterSnapshot(models.Model):
    """Groups of pending demands of two or more organizations asking for the same kind of system.

    Computed by a periodic job (and on demand); the pages and the API read the latest snapshot.
    `clusters` holds demand ids and the shared terms and capabilities of each group.
    """

    computed_at = models.DateTimeField(_("computed at"), default=timezone.now, db_index=True)
    threshold = models.DecimalField(_("threshold"), max_digits=5, decimal_places=4)
    pending_count = models.PositiveIntegerField(_("pending demands looked at"), default=0)
    clusters = models.JSONField(_("clusters"), default=list)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        verbose_name = _("redundancy cluster snapshot")
        verbose_name_plural = _("redundancy cluster snapshots")

    def __str__(self) -> str:
        return f"{self.computed_at:%Y-%m-%d %H:%M} ({len(self.clusters)})"
