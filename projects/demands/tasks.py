"""Celery tasks of demands and projects: thin wrappers around services."""

from celery import shared_task


@shared_task(name="projects.remind_overdue_reviews")
def remind_overdue_reviews() -> int:
    """Once a day (Celery beat): remind each reviewer who has overdue demands in the queue."""
    from .notifications import send_overdue_reminders

    return send_overdue_reminders()
