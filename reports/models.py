from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.selectors import RestrictedManager

from .choices import ACTIVE_STATES, JobStatus, ReportFormat, ReportKind


def report_path(instance, filename: str) -> str:
    # Private storage: served only through the download view, to the requester and admins.
    return f"private/reports/{instance.requested_by_id}/{filename}"


class ReportJob(models.Model):
    """One report a person asked for: what (kind, format, parameters), who, how far its build got,
    and the file it produced. The file holds only what the requester may see.

    `status` is the bookkeeping of a background build, not a business decision: it has no state
    machine and no audit row; reports.services alone writes it (queued → running → done/failed).
    """

    kind = models.CharField(_("report"), max_length=40, choices=ReportKind.choices)
    format = models.CharField(_("format"), max_length=10, choices=ReportFormat.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # The same kind, format and parameters as one canonical string: a repeat request while one runs
    # finds it by this key.
    params_key = models.CharField(max_length=64, editable=False, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs",
                                     verbose_name=_("requested by"))
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    file = models.FileField(_("file"), upload_to=report_path, max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Moved on at every progress step: a job whose heartbeat is older than the timeout has lost its worker.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("file kept until"), null=True, blank=True, db_index=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        indexes = [models.Index(fields=["requested_by", "params_key", "status"], name="report_job_repeat_idx")]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="report_job_progress_le_100")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.format}) #{self.pk}"

    @classmethod
    def access_rule(cls, user, action: str):
        """A report is its requester's alone (superusers: every one); it is no organization's record."""
        if user.is_superuser:
            return None
        return Q(requested_by=user)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATES

    @property
    def is_downloadable(self) -> bool:
        return self.status == JobStatus.DONE and bool(self.file)


class DashboardSnapshot(models.Model):
    """The dashboard's costly counts of one scope of visibility, computed at `computed_at`.

    Only numbers keyed by codes and ids (no labels: the page names them in the reader's language).
    Written by reports.dashboard.refresh_snapshot (Celery beat, or the page when it is missing or
    old); read by the dashboard page of users whose visibility is the snapshot's scope.
    """

    scope = models.CharField(_("scope"), max_length=40, unique=True)
    figures = models.JSONField(_("figures"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))
    seconds = models.FloatField(_("seconds to compute"), default=0)

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")

    def __str__(self) -> str:
        return f"{self.scope} @ {self.computed_at:%Y-%m-%d %H:%M}"
