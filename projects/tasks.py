"""Celery tasks of demands and projects: thin wrappers around services."""

from celery import shared_task


@shared_task(name="projects.remind_overdue_reviews")
def remind_overdue_reviews() -> int:
    """Once a day (Celery beat): remind each reviewer who has overdue demands in the queue."""
    from .services.demands import send_overdue_reminders

    return send_overdue_reminders()


@shared_task(name="projects.run_redundancy_check")
def run_redundancy_check(demand_id: int) -> int:
    """After a submission: store the demand's candidates at or above the flag threshold as flags."""
    from .services.redundancy import run_check

    return len(run_check(demand_id))


@shared_task(name="projects.compute_redundancy_clusters")
def compute_redundancy_clusters() -> int:
    """Periodically (Celery beat): recompute the coordination clusters; prune the index change feed."""
    from .services.redundancy import compute_clusters, prune_changes

    prune_changes()
    return len(compute_clusters().clusters)
