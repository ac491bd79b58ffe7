"""The seed step of redundancy: flags for the demands under review, some resolved; idempotent."""

import io

import pytest

from core.seeding import SeedContext
from projects.demands.choices import DemandStatus as S
from projects.demands.services import demand_transition
from projects.models import RedundancyClusterSnapshot, RedundancyFlag
from projects.redundancy import seed as seed_redundancy
from projects.redundancy.choices import FlagState
from tests.projects.redundancy_helpers import (  # noqa: F401  (fresh_index is an autouse fixture)
    CHANGCHUN_EDU,
    JILIN_CIVIL,
    PARKING_CAPS,
    PARKING_DEMAND,
    PARKING_SYSTEM,
    fresh_index,
    in_english,
    make_demand,
    make_system,
    submit,
    to_provincial_review,
)

pytestmark = pytest.mark.django_db


def flags():
    return sorted(RedundancyFlag.objects.values_list("demand_id", "candidate_kind", "candidate_id", "state"))


def test_the_seed_flags_demands_under_review_resolves_those_past_the_province_and_runs_twice(users):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    in_city = submit(make_demand(*PARKING_DEMAND), users)
    in_province = to_provincial_review(make_demand(*PARKING_DEMAND, org_code=JILIN_CIVIL), users)
    with_experts = to_provincial_review(make_demand(*PARKING_DEMAND, org_code=CHANGCHUN_EDU, budget="6000000.00"), users)
    demand_transition(demand=with_experts, name="provincial_approve", actor=users["prov_approver"])  # no flag yet
    assert with_experts.status == S.EXPERT_REVIEW
    make_demand(*PARKING_DEMAND)  # a draft: not checked
    ctx = SeedContext(password="x" * 8, scale=1, stdout=io.StringIO(), quiet=True, users=users)
    summary = seed_redundancy.run(ctx)
    checked = {in_city.pk, in_province.pk, with_experts.pk}
    assert {f[0] for f in flags()} == checked
    states = {pk: {f[3] for f in flags() if f[0] == pk} for pk in checked}
    # past the provincial review: resolved, as approval requires; one in DISMISS_EVERY in provincial review too
    assert states == {in_city.pk: {FlagState.PENDING}, in_province.pk: {FlagState.DISMISSED},
                      with_experts.pk: {FlagState.DISMISSED}}
    assert (in_city.pk, "system", system.pk, FlagState.PENDING) in flags()
    assert summary.startswith("3 demands checked, 3 with flags")
    assert RedundancyClusterSnapshot.objects.count() == 1
    first = flags()
    assert seed_redundancy.run(ctx).endswith("(nothing to check)")
    assert flags() == first
    assert RedundancyClusterSnapshot.objects.count() == 1
    # Demands added later (a larger --scale) are checked, and only they.
    later = submit(make_demand(*PARKING_DEMAND, org_code=JILIN_CIVIL), users)
    assert seed_redundancy.run(ctx).startswith("1 demands checked, 1 with flags")
    assert [f for f in flags() if f not in first] == [
        (later.pk, kind, pk, FlagState.PENDING) for kind, pk in sorted(
            (f.candidate_kind, f.candidate_id) for f in RedundancyFlag.objects.filter(demand=later))
    ]
    reviewer = users["prov_reviewer"]
    assert all(f.resolved_by == reviewer and f.resolution_comment == seed_redundancy.DISMISS_COMMENT
               for f in RedundancyFlag.objects.filter(state=FlagState.DISMISSED))
