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


@shared_task(name="projects.recompute_clusters_run", acks_late=True)
def recompute_clusters_run(run_id: int) -> int:
    """A recomputation someone asked for (the clusters page): the run row shows its progress."""
    from .clusters import execute_run

    run = execute_run(run_id)
    return run.progress if run is not None else 0


@shared_task(name="projects.fail_stale_cluster_runs")
def fail_stale_cluster_runs() -> int:
    """Periodically: mark failed the recomputations whose worker died."""
    from .clusters import fail_stale_runs

    return fail_stale_runs()


def enqueue_cluster_run(run_id: int) -> None:
    """Queue a recomputation (clusters.request_recompute calls it after the commit)."""
    recompute_clusters_run.delay(run_id)
