"""Two people fire transitions on the same project at the same instant: one wins, the other is told.

Real threads with their own database connections (transactional test): on PostgreSQL the loser
waits for the winner's row lock, on SQLite for the write lock; then its UPDATE, which requires the
states it read, finds no row and the doorway turns that into a conflict.
"""

import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from core.errors import TransitionConflict
from core.models import AuditLog
from projects.delivery.services import project_transition
from projects.models import Project

from .project_factories import ProjectFactory


def race(firings):
    """Load one copy per firing, then fire them all at once; returns each outcome (None or the error)."""
    pk = firings[0][0]
    copies = [Project.objects.get(pk=pk) for _ in firings]  # each starts from the same states
    barrier = threading.Barrier(len(firings))
    outcomes = [None] * len(firings)

    def worker(i, machine, name, actor):
        try:
            barrier.wait(timeout=10)
            project_transition(project=copies[i], machine=machine, name=name, actor=actor)
            outcomes[i] = "ok"
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, *f[1:])) for i, f in enumerate(firings)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


def log_rows(project):
    return list(
        AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Project), object_id=project.pk)
        .values_list("machine", "transition")
    )


@pytest.mark.django_db(transaction=True)
def test_two_operations_officers_racing_one_wins_the_other_gets_a_conflict(users):
    project = ProjectFactory(development_status="delivered", operations_status="in_operation")
    outcomes = race([(project.pk, "operations", "suspend", users["ops"]), (project.pk, "operations", "retire", users["ops"])])
    assert sorted(o == "ok" for o in outcomes) == [False, True]
    loser = next(o for o in outcomes if o != "ok")
    assert isinstance(loser, TransitionConflict)
    winner = "suspend" if outcomes[0] == "ok" else "retire"
    fresh = Project.objects.get(pk=project.pk)
    assert fresh.operations_status == {"suspend": "suspended", "retire": "retired"}[winner]
    assert loser.state == fresh.operations_status
    assert log_rows(project) == [("operations", winner)]


@pytest.mark.django_db(transaction=True)
def test_racing_transitions_on_two_machines_of_one_project_never_overwrite_each_other(users):
    from tests.budgets.factories import LineFactory
    from tests.projects.project_factories import with_facts

    project = with_facts(ProjectFactory())  # hardware request needs an item with its cost
    LineFactory(project=project, amount=project.approved_budget)  # budgeting needs a line
    outcomes = race([(project.pk, "hardware", "request", users["pm"]), (project.pk, "funding", "budget", users["finance"])])
    assert sorted(o == "ok" for o in outcomes) == [False, True]
    assert isinstance(next(o for o in outcomes if o != "ok"), TransitionConflict)
    fresh = Project.objects.get(pk=project.pk)
    winner = ("hardware", "request") if outcomes[0] == "ok" else ("funding", "budget")
    assert (fresh.hardware_status, fresh.funding_status) == (
        ("requested", "unfunded") if winner[0] == "hardware" else ("planning", "budgeted"))
    assert log_rows(project) == [winner]
