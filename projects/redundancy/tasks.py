"""Celery tasks of redundancy detection: thin wrappers around its services."""

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="projects.run_redundancy_check")
def run_redundancy_check(demand_id: int) -> int:
    """After a submission: store the demand's candidates at or above the flag threshold as flags."""
    from .flags import run_check

    return len(run_check(demand_id))


@shared_task(name="projects.compute_redundancy_clusters")
def compute_redundancy_clusters() -> int:
    """Periodically (Celery beat): recompute the coordination clusters; prune the index change feed."""
    from .clusters import compute_clusters
    from .index import prune_changes

    prune_changes()
    return len(compute_clusters().clusters)


@shared_task(name="projects.write_redundancy_snapshot")
def write_redundancy_snapshot() -> str:
    """Periodically (Celery beat): write the index snapshot that new processes start from."""
    from .index import write_snapshot

    path = write_snapshot()
    return str(path or "")


def schedule_check(*, demand_id: int, **_signal) -> None:
    """A demand was submitted (projects.ports.demand_submitted, after the commit): queue its check."""
    from kombu.exceptions import OperationalError

    from .flags import run_check

    try:
        run_redundancy_check.delay(demand_id)
    except OperationalError:  # the broker is down: the check must still happen, and the submission stands
        log.warning("Redundancy check of demand %s could not be queued; running it inline.", demand_id, exc_info=True)
        run_check(demand_id)
