"""The line invariant under real concurrency (PostgreSQL: threads with their own connections).

Ten approvals of 100,000 against a 500,000 line at the same instant: exactly five succeed, the
others are refused by the guard re-checked after the line's lock, and approved plus paid never
exceeds the line. A settlement racing a new disbursement: never both.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from budgets import services
from budgets.models import Disbursement
from core.errors import TransitionConflict
from projects.models import Project
from tests.budgets.factories import DisbursementFactory, LineFactory
from tests.projects.project_factories import ProjectFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serializes every writer"),
]


def run_at_once(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[i] = "ok"
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_ten_concurrent_approvals_against_a_line_exactly_five_succeed(users):
    line = LineFactory(amount=Decimal("500000.00"))
    disbursements = [DisbursementFactory(budget_line=line, amount=Decimal("100000.00")) for _ in range(10)]
    copies = [Disbursement.objects.get(pk=d.pk) for d in disbursements]
    finance = users["finance"]
    outcomes = run_at_once([
        (lambda d=d: services.disbursement_transition(disbursement=d, name="approve", actor=finance)) for d in copies])
    assert outcomes.count("ok") == 5
    refused = [o for o in outcomes if o != "ok"]
    assert len(refused) == 5 and all(isinstance(o, TransitionConflict) for o in refused)
    from django.utils import translation

    from budgets.workflows import has_room_on_line

    # the guard's own message, in whichever language the threads answered (they do not share this thread's)
    wording = set()
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            wording.add(str(has_room_on_line.guard_message))
    assert all(any(w in str(o.guards) for w in wording) for o in refused), [o.guards for o in refused]
    held = Disbursement.objects.filter(budget_line=line, status__in=("approved", "paid")).aggregate(t=Sum("amount"))["t"]
    assert held == Decimal("500000.00")
    assert Disbursement.objects.filter(budget_line=line, status="requested").count() == 5


@pytest.mark.parametrize("attempt", range(3))
def test_settle_racing_a_new_disbursement_never_both(users, attempt):
    project = ProjectFactory(funding_status="disbursing", development_status="delivered")
    line = LineFactory(project=project, amount=Decimal("500000.00"))
    DisbursementFactory(budget_line=line, status="paid")
    finance = users["finance"]
    copy = Project.objects.get(pk=project.pk)
    from projects.delivery.services import project_transition

    outcomes = run_at_once([
        lambda: project_transition(project=copy, machine="funding", name="settle", actor=finance),
        lambda: services.request_disbursement(line=line, actor=finance, amount="1000", voucher_no=f"RACE-{attempt}", payee="某公司", date=None),
    ])
    settled = Project.objects.get(pk=project.pk).funding_status == "settled"
    opened = Disbursement.objects.filter(budget_line=line, status="requested").exists()
    assert outcomes.count("ok") == 1, outcomes
    assert settled != opened  # exactly one of the two happened
    assert isinstance(next(o for o in outcomes if o != "ok"), TransitionConflict)


def test_running_totals_equal_the_disbursements_after_concurrent_approvals_pays_and_rejections(users):
    from budgets.models import BudgetLine

    line = LineFactory(amount=Decimal("500000.00"))
    waiting = [DisbursementFactory(budget_line=line, amount=Decimal("100000.00")) for _ in range(8)]
    approved = [DisbursementFactory(budget_line=line, amount=Decimal("50000.00"), status="approved") for _ in range(2)]
    finance = users["finance"]
    copies = [Disbursement.objects.get(pk=d.pk) for d in [*waiting, *approved]]
    calls = [(lambda d=d: services.disbursement_transition(disbursement=d, name="approve", actor=finance)) for d in copies[:6]]
    calls += [(lambda d=d: services.disbursement_transition(disbursement=d, name="reject", actor=finance, comment="重复"))
              for d in copies[6:8]]
    calls += [(lambda d=d: services.disbursement_transition(disbursement=d, name="pay", actor=finance)) for d in copies[8:]]
    outcomes = run_at_once(calls)
    assert outcomes[6:] == ["ok"] * 4  # rejections and payments never meet the line's limit
    assert outcomes[:6].count("ok") == 4  # 100,000 already held by the two approved: room for four of 100,000
    assert services.line_total_mismatches([line.pk]) == []
    fresh = BudgetLine.objects.get(pk=line.pk)
    assert (fresh.requested_total, fresh.approved_total, fresh.paid_total) == (
        Decimal("200000.00"), Decimal("400000.00"), Decimal("100000.00"))
