"""The demand seed: every state, believable history, idempotent, and it scales by bulk inserts."""

import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count

from core.models import AuditLog
from core.seeding import SeedContext
from projects.demands import seed as seed_demands
from projects.demands.choices import DemandStatus as S
from projects.models import Demand
from tests.projects.factories import DataResourceFactory, SystemFactory


@pytest.fixture
def seeded(users, monkeypatch):
    monkeypatch.setattr(seed_demands, "PER_SCALE", 300)
    SystemFactory.create_batch(3)
    DataResourceFactory.create_batch(5)
    ctx = SeedContext(password="x" * 8, scale=1, stdout=io.StringIO(), quiet=True, users=users)
    summary = seed_demands.run(ctx)
    return ctx, summary


@pytest.mark.django_db
def test_seed_makes_demands_in_every_state(seeded):
    counts = dict(Demand.objects.values_list("status").annotate(n=Count("pk")).order_by())
    assert set(counts) == set(S.values)
    assert sum(counts.values()) == 300


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["220100-jyj", "220200-mzj", "222401-jyj", "220300-swj"])
def test_demo_bureaus_have_demands_in_every_state(seeded, code):
    assert set(Demand.objects.filter(org__code=code).values_list("status", flat=True)) == set(S.values)


@pytest.mark.django_db
def test_provincial_department_never_passes_through_municipal_review(seeded):
    provincial = Demand.objects.filter(org__level="province")
    assert provincial.exists()
    assert not provincial.filter(status=S.MUNICIPAL_REVIEW).exists()
    assert not AuditLog.objects.filter(object_id__in=provincial.values("pk"), transition="municipal_approve").exists()


@pytest.mark.django_db
def test_every_seeded_history_ends_where_the_demand_is(seeded):
    ct = ContentType.objects.get_for_model(Demand)
    last = {}
    for row in AuditLog.objects.filter(content_type=ct).order_by("at", "pk"):
        if row.object_id in last:
            assert row.source == last[row.object_id].target
        last[row.object_id] = row
    for pk, status, code, submitted in Demand.objects.values_list("pk", "status", "code", "submitted_at"):
        if pk in last:
            assert last[pk].target == status
            assert code is not None and submitted is not None or last[pk].transition == "withdraw"
        else:
            assert status == S.DRAFT and code is None


@pytest.mark.django_db
def test_seeded_demands_are_consistent(seeded):
    for d in Demand.objects.all():
        assert d.budget_total == d.compute_total()
        assert d.title and d.description and d.capabilities.exists()
        if d.status == S.RETURNED:
            assert d.review_comment and d.fields_to_fix
        if d.status == S.MERGED:
            assert d.merged_into_id is not None
        if d.status == S.REUSE:
            assert d.reuse_system_id is not None and d.reuse_system.user_orgs.filter(pk=d.org_id).exists()
        if d.status == S.EXPERT_REVIEW:
            assert d.needs_expert_review()
        if d.status in (S.MUNICIPAL_REVIEW, S.PROVINCIAL_REVIEW, S.EXPERT_REVIEW):
            assert d.due_at is not None and d.due_at > d.stage_entered_at
    codes = list(Demand.objects.exclude(code=None).values_list("code", flat=True))
    assert len(codes) == len(set(codes))


@pytest.mark.django_db
def test_second_run_adds_nothing_and_a_bigger_scale_adds_the_difference(seeded):
    ctx, _ = seeded
    demands, logs = Demand.objects.count(), AuditLog.objects.count()
    assert "nothing to add" in seed_demands.run(ctx)
    assert (Demand.objects.count(), AuditLog.objects.count()) == (demands, logs)
    ctx.scale = 2
    seed_demands.run(ctx)
    assert Demand.objects.count() == 600
    codes = list(Demand.objects.exclude(code=None).values_list("code", flat=True))
    assert len(codes) == len(set(codes))


@pytest.mark.django_db
def test_a_service_submission_after_the_seed_gets_a_fresh_number(seeded, users):
    from projects.demands.services import demand_transition
    from tests.projects.factories import DemandFactory

    demand = DemandFactory()
    demand_transition(demand=demand, name="submit", actor=users["sub_changchun"])
    assert Demand.objects.filter(code=demand.code).count() == 1
