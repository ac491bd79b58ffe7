"""Races with real threads: numbers never repeat, and two reviewers on one demand end with one winner.

Each thread has its own database connection. On PostgreSQL the number sequence row is locked
(SELECT … FOR UPDATE) and the loser's conditional UPDATE finds the state changed; on SQLite the
IMMEDIATE transactions serialise writers, with the same outcome.
"""

import re
import threading

import pytest
from django.db import connections
from django.utils import timezone

from core.errors import TransitionConflict
from core.models import AuditLog
from projects.demands.choices import DemandStatus as S
from projects.demands.services import demand_transition
from projects.models import Demand
from tests.projects.factories import DemandFactory, walk


def race(*jobs):
    """Run the callables at the same instant, each in its own thread; return their outcomes in order."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = ("ok", job())
        except TransitionConflict as err:
            outcomes[i] = ("conflict", err.state)
        except Exception as err:  # noqa: BLE001 - reported in the assertion
            outcomes[i] = ("error", repr(err))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_numbers_stay_unique_when_bureaus_submit_at_the_same_instant(users):
    submitter = users["sub_changchun"]
    ids = [DemandFactory().pk for _ in range(8)]

    def submit(pk):
        def job():
            demand = Demand.objects.get(pk=pk)
            demand_transition(demand=demand, name="submit", actor=submitter)
            return demand.code
        return job

    outcomes = race(*(submit(pk) for pk in ids))
    assert [o[0] for o in outcomes] == ["ok"] * 8, outcomes
    codes = sorted(Demand.objects.filter(pk__in=ids).values_list("code", flat=True))
    year = timezone.localdate().year
    assert codes == [f"XQ-{year}-{n:06d}" for n in range(1, 9)]
    assert all(re.fullmatch(r"XQ-\d{4}-\d{6}", c) for c in codes)


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_acting_at_once_one_wins_the_other_gets_a_conflict(users):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)

    def act(name, username, comment=""):
        def job():
            copy = Demand.objects.get(pk=demand.pk)
            demand_transition(demand=copy, name=name, actor=users[username], comment=comment)
            return copy.status
        return job

    outcomes = race(act("return_for_revision", "prov_reviewer", "请补充"), act("provincial_approve", "prov_approver"))
    kinds = sorted(o[0] for o in outcomes)
    assert kinds == ["conflict", "ok"], outcomes
    winner = next(o[1] for o in outcomes if o[0] == "ok")
    loser_saw = next(o[1] for o in outcomes if o[0] == "conflict")
    assert loser_saw == winner  # the loser is told the state the winner left
    assert Demand.objects.get(pk=demand.pk).status == winner
    stage_rows = AuditLog.objects.filter(object_id=demand.pk, source=S.PROVINCIAL_REVIEW)
    assert stage_rows.count() == 1
    assert stage_rows.get().target == winner


@pytest.mark.django_db(transaction=True)
def test_the_same_reviewer_clicking_twice_moves_the_demand_once(users):
    demand = walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)

    def approve():
        copy = Demand.objects.get(pk=demand.pk)
        demand_transition(demand=copy, name="municipal_approve", actor=users["coord_changchun"])
        return copy.status

    outcomes = race(approve, approve)
    assert sorted(o[0] for o in outcomes) == ["conflict", "ok"], outcomes
    assert AuditLog.objects.filter(object_id=demand.pk, transition="municipal_approve").count() == 1
