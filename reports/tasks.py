"""Thin Celery wrappers around reports.services (inline when CELERY_BROKER_URL is unset)."""

from celery import shared_task

from . import services


@shared_task(name="reports.build_report", acks_late=True)
def build_report(job_id: int) -> None:
    services.run_job(job_id)


@shared_task(name="reports.fail_stale_reports")
def fail_stale_reports() -> int:
    return services.fail_stale_jobs()


@shared_task(name="reports.remove_expired_reports")
def remove_expired_reports() -> int:
    return services.remove_expired_files()


@shared_task(name="reports.refresh_dashboard_snapshot")
def refresh_dashboard_snapshot() -> float:
    from .dashboard import refresh_snapshot

    return refresh_snapshot().seconds
