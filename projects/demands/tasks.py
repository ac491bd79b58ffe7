"""Celery tasks of demands and projects: thin wrappers around services."""

from celery import shared_task


@shared_task(name="projects.remind_overdue_reviews")
def remind_overdue_reviews() -> int:
    """Once a day (Celery beat): remind each reviewer who has overdue demands in the queue."""
    from .notifications import send_overdue_reminders

    return send_overdue_reminders()


@shared_task(name="projects.expire_authorizations")
def expire_authorizations() -> int:
    """Once a day (Celery beat): granted data-sharing authorizations past their end date expire."""
    from .review_services import expire_authorizations as expire

    return expire()


@shared_task(name="projects.remind_expert_deadlines")
def remind_expert_deadlines() -> int:
    """Once a day (Celery beat): remind experts whose opinion is due within two days."""
    from .review_services import send_deadline_reminders

    return send_deadline_reminders()
