"""The workflow doorway, proven on the demand approval machine."""

import threading
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from assets.models import Capability
from core import workflow
from core.errors import TransitionConflict, TransitionForbidden
from core.models import AuditLog
from projects.models import Demand


def make_demand(user, **extra) -> Demand:
    fields = dict(
        title="智慧校园统一平台",
        description="建设覆盖全市中小学的智慧校园平台。",
        org=user.organization,
        created_by=user,
        domain="public_services",
        construction_type="new",
        budget_hardware=Decimal("100000.00"),
        budget_software=Decimal("200000.00"),
        budget_services=Decimal("50000.00"),
        budget_operations=Decimal("0.00"),
        budget_total=Decimal("350000.00"),
    )
    fields.update(extra)
    demand = Demand.objects.create(**fields)
    demand.capabilities.set(Capability.objects.filter(code__in=["identity_auth", "online_service"]))
    return demand


def log_rows(demand):
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Demand), object_id=demand.pk)


@pytest.mark.django_db
def test_allowed_transition_changes_state_and_writes_one_audit_row(users):
    demand = make_demand(users["sub_changchun"])
    workflow.fire(demand, field="status", name="submit", actor=users["sub_changchun"], comment="请审核")
    demand.refresh_from_db()
    assert demand.status == "municipal_review"
    rows = list(log_rows(demand))
    assert len(rows) == 1
    row = rows[0]
    assert (row.machine, row.transition, row.source, row.target) == ("status", "submit", "draft", "municipal_review")
    assert row.actor == users["sub_changchun"]
    assert row.comment == "请审核"


@pytest.mark.django_db
def test_transition_from_wrong_state_is_a_conflict_and_writes_nothing(users):
    demand = make_demand(users["sub_changchun"])
    with pytest.raises(TransitionConflict) as err:
        workflow.fire(demand, field="status", name="municipal_approve", actor=users["coord_changchun"])
    assert err.value.state == "draft"
    assert err.value.status_code == 409
    demand.refresh_from_db()
    assert demand.status == "draft"
    assert log_rows(demand).count() == 0


@pytest.mark.django_db
def test_unknown_transition_is_a_conflict(users):
    demand = make_demand(users["sub_changchun"])
    with pytest.raises(TransitionConflict):
        workflow.fire(demand, field="status", name="explode", actor=users["sub_changchun"])


@pytest.mark.django_db
def test_actor_without_permission_is_forbidden_and_nothing_is_written(users):
    demand = make_demand(users["sub_changchun"])
    with pytest.raises(TransitionForbidden) as err:
        workflow.fire(demand, field="status", name="submit", actor=users["sub_jilin"])
    assert err.value.status_code == 403
    demand.refresh_from_db()
    assert demand.status == "draft"
    assert log_rows(demand).count() == 0


@pytest.mark.django_db
def test_guard_blocks_with_its_message(users):
    demand = make_demand(users["sub_changchun"], title="")
    with pytest.raises(TransitionConflict) as err:
        workflow.fire(demand, field="status", name="submit", actor=users["sub_changchun"])
    assert err.value.guards == ["需求信息不完整"] or err.value.guards == ["the demand is incomplete"]
    assert log_rows(demand).count() == 0


@pytest.mark.django_db
def test_stale_copy_loses_with_a_conflict(users):
    user = users["sub_changchun"]
    demand = make_demand(user)
    stale = Demand.objects.get(pk=demand.pk)
    workflow.fire(demand, field="status", name="withdraw", actor=user)
    with pytest.raises(TransitionConflict) as err:
        workflow.fire(stale, field="status", name="submit", actor=user)
    assert err.value.state == "withdrawn"
    assert Demand.objects.get(pk=demand.pk).status == "withdrawn"
    assert [r.transition for r in log_rows(demand)] == ["withdraw"]
    assert stale.status == "withdrawn"  # the loser's copy is refreshed, not left in a state that was never saved


@pytest.mark.django_db
def test_error_in_after_save_rolls_back_state_and_audit(users):
    user = users["sub_changchun"]
    demand = make_demand(user)

    def explode():
        raise RuntimeError("side effect failed")

    with pytest.raises(RuntimeError):
        workflow.fire(demand, field="status", name="withdraw", actor=user, after_save=explode)
    assert Demand.objects.get(pk=demand.pk).status == "draft"
    assert log_rows(demand).count() == 0


@pytest.mark.django_db
def test_on_commit_callbacks_run_once_after_commit_only(users, django_capture_on_commit_callbacks):
    user = users["sub_changchun"]
    demand = make_demand(user)
    calls = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        workflow.fire(demand, field="status", name="withdraw", actor=user, on_commit=[lambda: calls.append("mail")])
    assert calls == ["mail"]
    assert len(callbacks) >= 1


@pytest.mark.django_db
def test_on_commit_callbacks_do_not_run_when_refused(users, django_capture_on_commit_callbacks):
    demand = make_demand(users["sub_changchun"])
    calls = []
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(TransitionForbidden):
            workflow.fire(demand, field="status", name="withdraw", actor=users["sub_jilin"], on_commit=[lambda: calls.append(1)])
    assert calls == []


@pytest.mark.django_db
def test_available_transitions_are_those_the_user_may_fire_now(users):
    demand = make_demand(users["sub_changchun"])
    assert workflow.available_transitions(demand, "status", users["sub_changchun"]) == ["submit", "withdraw"]
    assert workflow.available_transitions(demand, "status", users["sub_jilin"]) == []
    assert workflow.available_transitions(demand, "status", users["coord_changchun"]) == []


@pytest.mark.django_db
def test_status_cannot_be_assigned_directly(users):
    demand = make_demand(users["sub_changchun"])
    with pytest.raises(AttributeError):
        demand.status = "approved"


@pytest.mark.django_db
def test_audit_log_cannot_be_edited_or_deleted(users):
    user = users["sub_changchun"]
    demand = make_demand(user)
    workflow.fire(demand, field="status", name="withdraw", actor=user)
    row = log_rows(demand).get()
    row.comment = "rewritten"
    with pytest.raises(PermissionDenied):
        row.save()
    with pytest.raises(PermissionDenied):
        row.delete()
    with pytest.raises(PermissionDenied):
        AuditLog.objects.filter(pk=row.pk).update(comment="rewritten")
    with pytest.raises(PermissionDenied):
        AuditLog.objects.filter(pk=row.pk).delete()
    assert AuditLog.objects.get(pk=row.pk).comment == ""


@pytest.mark.django_db
def test_database_refuses_raw_update_of_audit_log_on_postgresql(users):
    user = users["sub_changchun"]
    demand = make_demand(user)
    workflow.fire(demand, field="status", name="withdraw", actor=user)
    row = log_rows(demand).get()
    from django.db import DatabaseError, transaction

    if connection.vendor != "postgresql":
        # SQLite has no trigger: the application-level refusal above is the guard there.
        assert connection.vendor == "sqlite"
        return
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("UPDATE core_auditlog SET comment = 'x' WHERE id = %s", [row.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("DELETE FROM core_auditlog WHERE id = %s", [row.pk])


@pytest.mark.django_db(transaction=True)
def test_two_actors_racing_one_wins_one_conflicts(users):
    """Two threads fire on fresh copies of one demand at the same time: exactly one wins."""
    user = users["sub_changchun"]
    demand = make_demand(user)
    barrier = threading.Barrier(2)
    outcomes = []

    def act(name):
        try:
            copy = Demand.objects.get(pk=demand.pk)
            barrier.wait(timeout=10)
            workflow.fire(copy, field="status", name=name, actor=user)
            outcomes.append("ok")
        except TransitionConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(n,)) for n in ("submit", "withdraw")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "ok"]
    assert log_rows(demand).count() == 1
    assert Demand.objects.get(pk=demand.pk).status == log_rows(demand).get().target


@pytest.mark.django_db
def test_fire_costs_a_bounded_number_of_queries(users):
    user = users["sub_changchun"]
    demand = make_demand(user)
    with CaptureQueriesContext(connection) as ctx:
        workflow.fire(demand, field="status", name="withdraw", actor=user)
    # savepoint, update, audit insert, release (+ content type cached after first use)
    assert len(ctx.captured_queries) <= 6
