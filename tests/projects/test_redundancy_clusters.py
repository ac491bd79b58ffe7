"""Coordination clusters: pending demands of two or more organizations asking for the same kind of system."""

from decimal import Decimal

import pytest
from django.conf import settings

from organizations.choices import Role
from organizations.models import User
from projects.models import RedundancyClusterSnapshot
from projects.redundancy.clusters import SNAPSHOTS_KEPT, clusters_for, compute_clusters
from projects.redundancy.documents import flag_threshold
from projects.redundancy.tasks import compute_redundancy_clusters
from tests.projects.redundancy_helpers import (  # noqa: F401  (fresh_index is an autouse fixture)
    CHANGCHUN_EDU,
    JILIN_CIVIL,
    PARKING_DEMAND,
    SIPING_WATER,
    YANJI_EDU,
    fresh_index,
    in_english,
    make_demand,
    org,
    submit,
    to_provincial_review,
)

pytestmark = pytest.mark.django_db

HOTLINE = ("12345热线工单系统建设", "热线电话受理、工单派发、督办回访和知识库，接入市长公开电话。")


def test_several_cities_asking_for_the_same_system_form_one_cluster(users):
    parking = [
        submit(make_demand(*PARKING_DEMAND, org_code=code, budget=budget), users)
        for code, budget in ((CHANGCHUN_EDU, "1000000.00"), (JILIN_CIVIL, "2500000.00"), (YANJI_EDU, "500000.00"))
    ]
    submit(make_demand(*HOTLINE, ["hotline"], org_code=SIPING_WATER), users)  # asked for by one bureau only
    snapshot = compute_clusters()
    assert snapshot.pending_count == 4
    [cluster] = clusters_for(users["prov_reviewer"], snapshot)
    assert sorted(d.pk for d in cluster["demands"]) == sorted(d.pk for d in parking)
    assert (cluster["org_count"], cluster["city_count"], cluster["total_budget"]) == (3, 3, Decimal("4000000.00"))
    assert [c.code for c in cluster["capabilities"]] == ["iot", "mobile_app", "payment"]
    assert "停车诱导" in cluster["terms"]


def test_one_bureau_asking_twice_is_not_a_cluster(users):
    for _ in range(2):
        submit(make_demand(*PARKING_DEMAND), users)
    assert compute_clusters().clusters == []


def test_only_pending_demands_are_clustered(users):
    from projects.demands.services import demand_transition

    approved = to_provincial_review(make_demand(*PARKING_DEMAND, org_code=JILIN_CIVIL), users)
    demand_transition(demand=approved, name="provincial_approve", actor=users["prov_approver"])
    submit(make_demand(*PARKING_DEMAND), users)
    assert compute_clusters().clusters == []


def test_a_cluster_is_a_star_around_its_best_connected_demand(users):
    """Every member is similar to the centre: A~B and B~C does not put A and C together by chaining."""
    submit(make_demand("智慧停车诱导系统", "路内泊位查询和停车诱导屏", ["iot"], org_code=CHANGCHUN_EDU), users)
    submit(make_demand("智慧停车诱导和缴费系统", "路内泊位查询、停车诱导屏和停车缴费", ["iot"], org_code=JILIN_CIVIL), users)
    submit(make_demand("停车缴费系统", "停车缴费和电子票据", ["payment"], org_code=YANJI_EDU), users)
    snapshot = compute_clusters()
    assert snapshot.clusters
    for cluster in snapshot.clusters:
        centre = cluster["centre"]
        assert all(cluster["scores"][str(m)] >= flag_threshold() for m in cluster["demands"] if m != centre)


def test_a_coordinator_sees_clusters_within_the_city_only(users):
    transport = org("220100-jtj")
    staff = User.objects.create_user("sub_cc_jtj", password="x-pass-2026", role=Role.SUBMITTER, organization=transport)
    users = {**users, "sub_cc_jtj": staff}
    own = [submit(make_demand(*PARKING_DEMAND, org_code=CHANGCHUN_EDU), users)]
    other_bureau = make_demand(*PARKING_DEMAND, org_code="220100-jtj")
    from projects.demands.services import demand_transition

    demand_transition(demand=other_bureau, name="submit", actor=staff)
    submit(make_demand(*PARKING_DEMAND, org_code=JILIN_CIVIL), users)
    snapshot = compute_clusters()
    [everything] = clusters_for(users["prov_reviewer"], snapshot)
    assert everything["org_count"] == 3
    [city] = clusters_for(users["coord_changchun"], snapshot)
    assert sorted(d.pk for d in city["demands"]) == sorted([own[0].pk, other_bureau.pk])
    assert clusters_for(users["coord_jilin"], snapshot) == []
    assert clusters_for(users["sub_changchun"], snapshot) == []


def test_the_periodic_job_is_scheduled_and_keeps_recent_snapshots(users):
    entry = settings.CELERY_BEAT_SCHEDULE["redundancy-clusters"]
    assert entry["task"] == "projects.compute_redundancy_clusters"
    for code in (CHANGCHUN_EDU, JILIN_CIVIL):
        submit(make_demand(*PARKING_DEMAND, org_code=code), users)
    assert compute_redundancy_clusters.delay().get() == 1
    for _ in range(SNAPSHOTS_KEPT + 3):
        compute_clusters()
    assert RedundancyClusterSnapshot.objects.count() == SNAPSHOTS_KEPT


def test_the_page_and_api_compute_clusters_when_none_were_computed_yet(users):
    for code in (CHANGCHUN_EDU, JILIN_CIVIL):
        submit(make_demand(*PARKING_DEMAND, org_code=code), users)
    assert RedundancyClusterSnapshot.objects.count() == 0
    assert len(clusters_for(users["prov_reviewer"])) == 1
    assert RedundancyClusterSnapshot.objects.count() == 1


def test_a_pair_a_reviewer_dismissed_never_joins_a_cluster(users):
    from projects.models import RedundancyFlag
    from projects.redundancy.choices import FlagState

    a, b, c = (submit(make_demand(*PARKING_DEMAND, org_code=code), users) for code in (CHANGCHUN_EDU, JILIN_CIVIL, YANJI_EDU))
    [cluster] = clusters_for(users["prov_reviewer"], compute_clusters())
    assert {d.pk for d in cluster["demands"]} == {a.pk, b.pk, c.pk}
    # The reviewer decided that Jilin's and Yanji's demands are not the same system (both ways round).
    RedundancyFlag.objects.create(demand=b, candidate_kind="demand", candidate_id=c.pk, candidate_title=c.title,
                                  score=Decimal("0.9"), state=FlagState.DISMISSED)
    clusters = clusters_for(users["prov_reviewer"], compute_clusters())
    assert all({b.pk, c.pk} - {d.pk for d in cl["demands"]} for cl in clusters)  # never both in one
    assert any({a.pk, b.pk} <= {d.pk for d in cl["demands"]} for cl in clusters)  # the others still are
