"""Reads of report jobs: a job is its requester's (superusers: every job); anyone else gets 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from core.http import object_id

from .models import ReportJob


def jobs_visible_to(user) -> QuerySet[ReportJob]:
    return ReportJob.objects.restrict(user).select_related("requested_by")


def job_for(user, pk) -> ReportJob:
    """The job `pk` if it is `user`'s (or `user` is a superuser), else 404: never 403, which would say it exists."""
    job = jobs_visible_to(user).filter(pk=object_id(pk)).first()
    if job is None:
        raise Http404
    return job


def recent_jobs(user, limit: int = 20) -> list[ReportJob]:
    return list(ReportJob.objects.filter(requested_by=user).order_by("-created_at", "-pk")[:limit])
