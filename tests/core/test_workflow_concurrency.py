"""The doorway under real concurrency: threads, each with its own connection (PostgreSQL in CI)."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connections, models, transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core import workflow
from core.errors import TransitionConflict
from projects.models import Demand

from .test_workflow_doorway import log_rows, make_demand

RACERS = 8


def _widen_refresh_window(monkeypatch):
    """Make Django's refresh_from_db slow, as a loaded server makes it.

    django-fsm-2 switches the protected flag off for the duration of that call, for every
    thread of the process; a slow call makes the thread-unsafety show in every run.
    """
    original = models.Model.refresh_from_db

    def slow_refresh(self, *args, **kwargs):
        time.sleep(0.05)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(models.Model, "refresh_from_db", slow_refresh)


@pytest.mark.django_db(transaction=True)
def test_race_losers_all_get_the_conflict_never_an_attribute_error(users, monkeypatch):
    """N threads fire the same transition on their own copies: one wins, every other one conflicts."""
    _widen_refresh_window(monkeypatch)
    user = users["sub_changchun"]
    demand = make_demand(user)
    barrier = threading.Barrier(RACERS)
    outcomes, lock = [], threading.Lock()

    def act():
        try:
            copy = Demand.objects.get(pk=demand.pk)
            barrier.wait(timeout=10)
            workflow.fire(copy, field="status", name="withdraw", actor=user)
            result = "ok"
        except TransitionConflict as exc:
            result = "conflict" if exc.status_code == 409 and copy.status == "withdrawn" else f"bad conflict {exc}"
        except Exception as exc:  # noqa: BLE001 — the test reports what escaped
            result = f"{type(exc).__name__}: {exc}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=act) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["conflict"] * (RACERS - 1) + ["ok"]
    assert log_rows(demand).count() == 1
    assert Demand.objects.get(pk=demand.pk).status == "withdrawn"


@pytest.mark.django_db(transaction=True)
def test_race_losers_through_the_api_all_answer_409(users, monkeypatch):
    _widen_refresh_window(monkeypatch)
    user = users["sub_changchun"]
    demand = make_demand(user)
    token = Token.objects.get_or_create(user=user)[0].key
    barrier = threading.Barrier(RACERS)
    answers, lock = [], threading.Lock()

    def act():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            barrier.wait(timeout=10)
            response = client.post(f"/api/v1/demands/{demand.pk}/transition/", {"name": "withdraw"}, format="json")
            answer = (response.status_code, response.json().get("status"))
        except Exception as exc:  # noqa: BLE001
            answer = (type(exc).__name__, str(exc))
        finally:
            connections.close_all()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=act) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(answers, key=str) == sorted([(200, "withdrawn")] + [(409, "withdrawn")] * (RACERS - 1), key=str)
    assert log_rows(demand).count() == 1


@pytest.mark.django_db
def test_loser_copy_is_reloaded_and_can_fire_again(users):
    """After a lost race the copy holds the saved state and its guard state, so a retry works."""
    user = users["sub_changchun"]
    demand = make_demand(user)
    stale = Demand.objects.get(pk=demand.pk)
    workflow.fire(demand, field="status", name="submit", actor=user)
    with pytest.raises(TransitionConflict):
        workflow.fire(stale, field="status", name="withdraw", actor=user)
    assert stale.status == "municipal_review"
    assert stale.code == Demand.objects.get(pk=demand.pk).code != ""
    workflow.fire(stale, field="status", name="withdraw", actor=user)
    assert Demand.objects.get(pk=demand.pk).status == "withdrawn"


@pytest.mark.django_db(transaction=True)
def test_transition_keeps_an_edit_committed_by_another_connection_meanwhile(users):
    """Load, another connection edits the title, then the transition: the edit survives."""
    user = users["sub_changchun"]
    demand = make_demand(user)
    loaded = Demand.objects.get(pk=demand.pk)

    def edit_elsewhere():
        try:
            with transaction.atomic():
                Demand.objects.filter(pk=demand.pk).update(title="改过的标题", description="改过的描述")
        finally:
            connections.close_all()

    t = threading.Thread(target=edit_elsewhere)
    t.start()
    t.join(timeout=30)
    workflow.fire(loaded, field="status", name="withdraw", actor=user)
    saved = Demand.objects.get(pk=demand.pk)
    assert (saved.status, saved.title, saved.description) == ("withdrawn", "改过的标题", "改过的描述")


@pytest.mark.django_db
def test_transition_saves_the_fields_its_body_changed_and_keeps_other_edits(users):
    """`deliver` sets actual_end in its body: saved with the state; a concurrent rename survives."""
    from organizations.models import Organization
    from projects.models import Project

    project = Project.objects.create(
        code="XM-2020-9001", name="测试项目", construction_org=Organization.objects.get(code="220000-zwj"),
        approved_budget=Decimal("1000000.00"), year=2026, development_status="acceptance",
    )
    from tests.projects.project_factories import acceptance_milestone

    acceptance_milestone(project)  # deliver needs the signed acceptance document
    before = Project.objects.get(pk=project.pk).updated_at
    Project.objects.filter(pk=project.pk).update(name="改过的项目名")  # committed by someone else meanwhile
    workflow.fire(project, field="development_status", name="deliver", actor=users["pm"], machine="development")
    saved = Project.objects.get(pk=project.pk)
    assert (saved.development_status, saved.actual_end, saved.name) == ("delivered", timezone.localdate(), "改过的项目名")
    assert saved.updated_at > before
