from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.selectors import RestrictedManager
from projects.demands.models import Demand
from projects.redundancy.choices import CandidateKind, whole_percent
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
            "score": whole_percent(self.score),  # down, as the pages show it
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


# ---------------------------------------------------------------------------------------
# Clusters the province acts on, and what reviewers' decisions teach (issue 14, sections 3-4)
# ---------------------------------------------------------------------------------------


class ClusterRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


CLUSTER_RUN_ACTIVE = (ClusterRunStatus.QUEUED, ClusterRunStatus.RUNNING)


class ClusterRun(models.Model):
    """One recomputation of the coordination clusters in the background: who asked, how far it got, what it made.

    Bookkeeping of a background job, not a business decision (no state machine, no audit row):
    projects.redundancy.clusters alone writes it (queued → running → done/failed). A run whose
    heartbeat is older than the timeout lost its worker and is marked failed.
    """

    status = models.CharField(_("status"), max_length=10, choices=ClusterRunStatus.choices, default=ClusterRunStatus.QUEUED,
                              db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    snapshot = models.ForeignKey(RedundancyClusterSnapshot, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("result"))
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("cluster recomputation")
        verbose_name_plural = _("cluster recomputations")
        constraints = [models.CheckConstraint(condition=models.Q(progress__lte=100), name="cluster_run_progress_le_100")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.status} {self.progress}%"

    @property
    def is_active(self) -> bool:
        return self.status in CLUSTER_RUN_ACTIVE


class ClusterDecisionKind(models.TextChoices):
    BUILD_ONCE = "build_once", _("Build once: one provincial project")
    REUSE = "reuse", _("Reuse an existing system")
    DISMISS = "dismiss", _("Dismissed")


class ClusterDecision(models.Model):
    """The provincial office's decision on one cluster (省级统筹), with its members and its savings: one record.

    build_once: a provincial project was created and every member demand merged into it (savings:
    the members' total minus the project's budget); reuse: every member was sent to one catalogue
    system (savings: the members' total); dismiss: the cluster is not one, for the reason given.
    """

    kind = models.CharField(_("decision"), max_length=12, choices=ClusterDecisionKind.choices)
    cluster_key = models.CharField(_("cluster"), max_length=40)
    label = models.CharField(_("cluster name"), max_length=200)
    reason = models.TextField(_("reason"), blank=True)
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("provincial project"))
    system = models.ForeignKey("assets.InformationSystem", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("system reused"))
    members_total = models.DecimalField(_("members' total (CNY)"), max_digits=14, decimal_places=2)
    project_budget = models.DecimalField(_("project budget (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True)
    savings = models.DecimalField(_("saved (CNY)"), max_digits=14, decimal_places=2)
    demands = models.ManyToManyField(Demand, through="ClusterDecisionMember", related_name="cluster_decisions",
                                     verbose_name=_("member demands"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("cluster decision")
        verbose_name_plural = _("cluster decisions")
        constraints = [models.CheckConstraint(condition=models.Q(savings__gte=0), name="cluster_saving_not_negative")]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_kind_display()})"


class ClusterDecisionMember(models.Model):
    """One member demand of a cluster decision, with its organization and budget when decided."""

    decision = models.ForeignKey(ClusterDecision, on_delete=models.CASCADE, related_name="members")
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="+")
    budget = models.DecimalField(_("budget (CNY)"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["decision", "demand"]
        constraints = [models.UniqueConstraint(fields=["decision", "demand"], name="unique_cluster_member")]

    def __str__(self) -> str:
        return f"{self.decision_id}:{self.demand_id}"


class DomainThreshold(models.Model):
    """A flag threshold for one business domain, applied by a person from the reviewers' decisions.

    Suggested by projects.redundancy.decisions with the figures before and after; nothing changes
    until someone applies it (logged). Flagging reads it for demands of that domain.
    """

    domain = models.CharField(_("domain"), max_length=30, unique=True)
    threshold = models.DecimalField(_("threshold"), max_digits=5, decimal_places=4)
    previous = models.DecimalField(_("previous threshold"), max_digits=5, decimal_places=4)
    evidence = models.JSONField(_("figures"), default=dict)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("applied by"))
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("domain flag threshold")
        verbose_name_plural = _("domain flag thresholds")

    def __str__(self) -> str:
        return f"{self.domain} {self.threshold}"
