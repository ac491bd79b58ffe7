"""Every write of report jobs: asking for one, building it, failing a lost one, removing old files.

`request_report` is the one door (API and pages): it checks the kind, format and parameters, returns
the job already queued or running for the same request of the same person instead of a second one,
and queues the build after the commit. `run_job` is what the Celery task runs (inline when jobs run
in the web process): it builds through the kind's registered builder as the requester, moving
`progress` as it goes, and ends done with the file or failed with the error.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework import serializers

from organizations.selectors import language_for

from .choices import ACTIVE_STATES, JobStatus, ReportFormat
from .models import ReportJob
from .registry import BuildContext, builder_for

log = logging.getLogger(__name__)


class ReportRequestInvalid(Exception):
    """A request that names no known kind or format, or parameters of the wrong type (400)."""

    def __init__(self, errors: dict):
        super().__init__(str(errors))
        self.errors = errors


def params_key(kind: str, fmt: str, params: dict) -> str:
    canonical = json.dumps({"kind": kind, "format": fmt, "params": params}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def validate_request(user, kind, fmt, params) -> tuple:
    """(builder, validated params) or ReportRequestInvalid; Http404 for an object `user` may not see."""
    builder = builder_for(kind) if isinstance(kind, str) else None
    if builder is None:
        raise ReportRequestInvalid({"kind": [_("Unknown report kind.")]})
    if fmt not in ReportFormat.values:
        raise ReportRequestInvalid({"format": [_("Unknown format: xlsx, pdf or csv.")]})
    if fmt not in builder.formats:
        raise ReportRequestInvalid({"format": [_("This report is made as %(formats)s only.") % {"formats": ", ".join(builder.formats)}]})
    checker = builder.params(data={} if params is None else params)
    if not checker.is_valid():
        raise ReportRequestInvalid({"params": checker.errors})
    cleaned = dict(checker.validated_data)
    if builder.check_access:
        builder.check_access(user, cleaned)  # Http404 when the named object is not the user's to see
    return builder, cleaned


def request_report(*, user, kind, fmt, params=None) -> tuple[ReportJob, bool]:
    """The job for this request: the one already queued or running (created False), else a new one."""
    builder, cleaned = validate_request(user, kind, fmt, params)
    key = params_key(kind, fmt, cleaned)
    fail_stale_jobs(user=user)
    with transaction.atomic():
        # Lock the requester's row: two clicks at once find each other's job, not two new ones.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        running = ReportJob.objects.filter(requested_by=user, params_key=key, status__in=ACTIVE_STATES).order_by("-pk").first()
        if running is not None:
            return running, False
        job = ReportJob.objects.create(kind=kind, format=fmt, params=cleaned, params_key=key, requested_by=user,
                                       language=translation.get_language() or language_for(user))
        from .tasks import build_report

        transaction.on_commit(lambda: build_report.delay(job.pk))
    return job, True


def _set(job_id: int, **fields) -> None:
    ReportJob.objects.filter(pk=job_id).update(**fields)


def run_job(job_id: int) -> None:
    """Build one job as its requester. Safe to call twice: only a queued job starts."""
    now = timezone.now()
    started = ReportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, progress=0)
    if not started:
        return
    job = ReportJob.objects.select_related("requested_by").get(pk=job_id)
    builder = builder_for(job.kind)
    last = {"pct": 0}

    def progress(done: int, total: int) -> None:
        pct = min(99, int(done * 100 / total)) if total else 0
        if pct > last["pct"]:
            last["pct"] = pct
            _set(job_id, progress=pct, heartbeat_at=timezone.now())

    try:
        with translation.override(job.language):
            if builder is None:
                raise ReportRequestInvalid({"kind": [_("Unknown report kind.")]})
            checker = builder.params(data=job.params)
            checker.is_valid(raise_exception=True)
            ctx = BuildContext(user=job.requested_by, format=job.format, params=dict(checker.validated_data),
                               generated_at=now, language=job.language, progress=progress)
            if builder.check_access:
                builder.check_access(job.requested_by, ctx.params)
            content = builder.build(ctx)
            filename = builder.filename(ctx) if builder.filename else f"{job.kind}-{timezone.localtime(now):%Y%m%d-%H%M}.{job.format}"
    except Http404:
        with translation.override(job.language):
            _fail(job, _("The object of this report is not, or no longer, visible to you."))
        return
    except (ReportRequestInvalid, serializers.ValidationError) as exc:
        with translation.override(job.language):
            _fail(job, _("The report's parameters are not valid: %(errors)s") % {"errors": getattr(exc, "errors", exc.args)})
        return
    except Exception as exc:  # a broken build must end the job, never leave it running
        log.exception("report job %s failed", job_id)
        with translation.override(job.language):
            _fail(job, _("The report could not be built (%(error)s). Ask again, or tell the administrator.") % {
                "error": type(exc).__name__})
        return
    job.file.save(filename, ContentFile(content), save=False)
    finished = timezone.now()
    ReportJob.objects.filter(pk=job_id).update(
        status=JobStatus.DONE, progress=100, file=job.file.name, filename=filename, size=len(content), error="",
        heartbeat_at=finished, finished_at=finished, expires_at=finished + timedelta(days=settings.REPORT_RETENTION_DAYS))


def _fail(job: ReportJob, message: str) -> None:
    now = timezone.now()
    _set(job.pk, status=JobStatus.FAILED, error=str(message), finished_at=now, heartbeat_at=now)


def fail_stale_jobs(*, user=None, now=None) -> int:
    """Mark failed the jobs whose worker gave no sign of life within REPORT_JOB_TIMEOUT_MINUTES
    (a queued job that no worker took, a running one whose worker died). Returns how many."""
    now = now or timezone.now()
    limit = now - timedelta(minutes=settings.REPORT_JOB_TIMEOUT_MINUTES)
    qs = ReportJob.objects.filter(status__in=ACTIVE_STATES)
    if user is not None:
        qs = qs.filter(requested_by=user)
    stale = qs.filter(heartbeat_at__lt=limit) | qs.filter(heartbeat_at__isnull=True, created_at__lt=limit)
    count = 0
    for job in stale.select_related("requested_by"):
        with translation.override(job.language):
            message = _("The report was not finished within %(minutes)s minutes: the worker building it stopped. Ask again.") % {
                "minutes": settings.REPORT_JOB_TIMEOUT_MINUTES}
        count += ReportJob.objects.filter(pk=job.pk, status__in=ACTIVE_STATES).update(
            status=JobStatus.FAILED, error=message, finished_at=now)
    return count


def remove_expired_files(*, now=None) -> int:
    """Delete the files of reports past their expiry (the job row stays, without a file). Returns how many."""
    now = now or timezone.now()
    count = 0
    for job in ReportJob.objects.filter(expires_at__lt=now).exclude(file=""):
        job.file.delete(save=False)
        ReportJob.objects.filter(pk=job.pk).update(file="", size=0)
        count += 1
    return count
