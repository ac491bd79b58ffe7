"""Two experts submitting at once, and one expert's double click, under real concurrency (threads, each
with its own connection; PostgreSQL in CI): both opinions count, a double submission conflicts, nothing
is lost or written twice."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connections

from core.errors import TransitionConflict
from core.models import AuditLog
from projects.demands.choices import DemandStatus as S
from projects.demands.models import ExpertAssignment
from projects.demands.review_services import submit_expert_opinion
from tests.projects.factories import big_demand, walk
from tests.projects.review_factories import seat_panel


def _race(jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes, lock = [], threading.Lock()

    def run(job):
        try:
            barrier.wait(timeout=10)
            job()
            result = "ok"
        except TransitionConflict as exc:
            result = "conflict" if exc.status_code == 409 else f"bad conflict {exc}"
        except Exception as exc:  # noqa: BLE001 — the test reports what escaped
            result = f"{type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_two_experts_submitting_at_once_both_count(users):
    demand = walk(big_demand(), S.EXPERT_REVIEW, users)
    seat_panel(demand, users)
    a, b = list(demand.expert_assignments.order_by("pk")[:2])

    def submit(pk, verdict):
        def job():
            copy = ExpertAssignment.objects.get(pk=pk)
            submit_expert_opinion(assignment=copy, actor=copy.expert, verdict=verdict, comments="并发",
                                  recommended_budget=Decimal("5000000"))
        return job

    assert _race([submit(a.pk, "agree"), submit(b.pk, "agree_with_conditions")]) == ["ok", "ok"]
    assert sorted(ExpertAssignment.objects.filter(demand=demand).values_list("state", flat=True)) == [
        "assigned", "submitted", "submitted"]
    assert AuditLog.objects.filter(content_type__model="expertassignment", transition="submit_opinion").count() == 2
    demand.refresh_from_db()
    from projects.demands.services import demand_transition

    demand_transition(demand=demand, name="expert_approve", actor=users["prov_approver"])  # the majority is in
    assert demand.status == S.APPROVED


@pytest.mark.django_db(transaction=True)
def test_one_expert_submitting_twice_at_once_gets_one_opinion_and_a_conflict(users):
    demand = walk(big_demand(), S.EXPERT_REVIEW, users)
    seat_panel(demand, users)
    a = demand.expert_assignments.order_by("pk").first()

    def submit(verdict):
        def job():
            copy = ExpertAssignment.objects.get(pk=a.pk)
            submit_expert_opinion(assignment=copy, actor=copy.expert, verdict=verdict, comments="双击",
                                  recommended_budget=Decimal("5000000"))
        return job

    assert _race([submit("agree"), submit("disagree")]) == ["conflict", "ok"]
    assert ExpertAssignment.objects.get(pk=a.pk).state == "submitted"
    assert AuditLog.objects.filter(content_type__model="expertassignment", object_id=a.pk,
                                   transition="submit_opinion").count() == 1
