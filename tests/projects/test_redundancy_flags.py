"""Flags: stored once on submission, block provincial approval until resolved, and the three resolutions."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from assets.choices import SystemStatus
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid
from core.models import AuditLog
from core.workflow import history_for
from projects import ports
from projects.demands.choices import DemandStatus as S
from projects.demands.services import demand_transition
from projects.models import Demand, RedundancyFlag
from projects.redundancy.choices import FlagState
from projects.redundancy.flags import FLAGS_PER_DEMAND, resolve_flag, run_check
from projects.redundancy.search import check_demand
from projects.redundancy.tasks import schedule_check
from tests.projects.project_factories import ProjectFactory
from tests.projects.redundancy_helpers import (  # noqa: F401  (fresh_index is an autouse fixture)
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


def flag_rows(demand):
    return list(RedundancyFlag.objects.filter(demand=demand).order_by("candidate_kind", "candidate_id")
                .values_list("candidate_kind", "candidate_id", "state"))


def test_submission_stores_flags_once_through_the_celery_job(users, django_capture_on_commit_callbacks):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    make_system("吉林省不动产登记平台", "不动产登记网上申请和证书查询", ["online_service"])
    demand = make_demand(*PARKING_DEMAND)
    with django_capture_on_commit_callbacks(execute=True):
        submit(demand, users)
    assert flag_rows(demand) == [("system", system.pk, FlagState.PENDING)]
    flag = RedundancyFlag.objects.get(demand=demand)
    assert (flag.candidate_code, flag.candidate_title) == (system.code, PARKING_SYSTEM[0])
    assert [r["code"] for r in flag.reasons][:2] == ["text", "shared_terms"]
    # Returned and submitted again: the flag is updated, never doubled.
    demand_transition(demand=demand, name="return_for_revision", actor=users["coord_changchun"], comment="请补充")
    with django_capture_on_commit_callbacks(execute=True):
        submit(demand, users)
    assert flag_rows(demand) == [("system", system.pk, FlagState.PENDING)]


def test_a_draft_saved_or_a_demand_withdrawn_is_not_checked(users):
    make_system(*PARKING_SYSTEM, PARKING_CAPS)
    draft = make_demand(*PARKING_DEMAND)
    assert run_check(draft) == []
    assert run_check(10**9) == []
    assert RedundancyFlag.objects.count() == 0


def test_a_check_keeps_resolved_flags_and_marks_pending_ones_whose_evidence_is_gone_stale(users):
    parking = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    twin = make_system("吉林市智慧停车平台", "泊位实时查询、停车诱导和无感支付", PARKING_CAPS, owner="220200-zwj")
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    run_check(demand)
    assert flag_rows(demand) == [("system", parking.pk, "pending"), ("system", twin.pk, "pending")]
    resolve_flag(RedundancyFlag.objects.get(candidate_id=parking.pk), comment="范围不同", actor=users["prov_reviewer"])
    from assets.services import retire_system

    retire_system(twin)
    retire_system(parking)
    run_check(demand)
    assert flag_rows(demand) == [("system", parking.pk, "dismissed"), ("system", twin.pk, "stale")]
    stale = RedundancyFlag.objects.get(candidate_id=twin.pk)
    assert [(r.transition, r.source, r.target, r.actor_id) for r in history_for(stale)] == [("mark_stale", "pending", "stale", None)]
    assert not demand.has_pending_flags()


def test_at_most_five_flags_the_strongest(users):
    for i, city in enumerate(["220100", "220200", "220300", "220400", "220500", "220600", "220700"]):
        make_system(f"智慧停车平台{i}", PARKING_DEMAND[1], PARKING_CAPS, owner=f"{city}-zwj")
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    flags = run_check(demand)
    _t, candidates = check_demand(demand)
    assert len(flags) == FLAGS_PER_DEMAND == 5
    assert {f.candidate_id for f in flags} == {c["id"] for c in candidates[:5]}


# ---------------------------------------------------------------------------------------
# The approval block
# ---------------------------------------------------------------------------------------


def test_provincial_approval_is_refused_while_a_flag_is_pending_and_allowed_once_dismissed(users):
    make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    [flag] = run_check(demand)
    log_before = AuditLog.objects.count()
    with pytest.raises(TransitionConflict) as refused:
        demand_transition(demand=demand, name="provincial_approve", actor=users["prov_approver"])
    assert [str(g) for g in refused.value.guards] == ["a redundancy flag is still unresolved"]
    demand.refresh_from_db()
    assert (demand.status, AuditLog.objects.count()) == (S.PROVINCIAL_REVIEW, log_before)
    resolve_flag(flag, "dismissed", "省级平台不含本局需要的校园周边停车功能", actor=users["prov_reviewer"])
    demand_transition(demand=demand, name="provincial_approve", actor=users["prov_approver"])
    assert demand.status == S.APPROVED


# ---------------------------------------------------------------------------------------
# Dismiss
# ---------------------------------------------------------------------------------------


def test_dismissing_needs_a_reason_and_is_logged_with_the_reviewers_name(users):
    make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    [flag] = run_check(demand)
    with pytest.raises(TransitionInvalid) as no_reason:
        resolve_flag(flag, "dismissed", "   ", actor=users["prov_reviewer"])
    assert no_reason.value.field_errors == {"comment": ["Please give the reason for dismissing this flag."]}
    flag.refresh_from_db()
    assert flag.state == FlagState.PENDING
    resolve_flag(flag, "dismissed", "建设内容不同", actor=users["prov_reviewer"])
    flag.refresh_from_db()
    assert (flag.state, flag.resolved_by, flag.resolution_comment) == ("dismissed", users["prov_reviewer"], "建设内容不同")
    [row] = AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(RedundancyFlag), object_id=flag.pk)
    assert (row.transition, row.source, row.target, row.actor, row.comment) == (
        "dismiss", "pending", "dismissed", users["prov_reviewer"], "建设内容不同"
    )


@pytest.mark.parametrize("who", ["sub_changchun", "coord_changchun", "pm", "auditor"])
def test_only_the_provincial_review_office_dismisses(users, who):
    make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    [flag] = run_check(demand)
    with pytest.raises(TransitionForbidden):
        resolve_flag(flag, "dismissed", "理由", actor=users[who])
    flag.refresh_from_db()
    assert flag.state == FlagState.PENDING


def test_a_flag_is_dismissed_once_and_merge_or_reuse_are_not_done_by_dismissal(users):
    make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    [flag] = run_check(demand)
    with pytest.raises(TransitionInvalid):
        resolve_flag(flag, "reused", "复用", actor=users["prov_reviewer"])
    stale = RedundancyFlag.objects.get(pk=flag.pk)
    resolve_flag(flag, "dismissed", "第一次", actor=users["prov_reviewer"])
    with pytest.raises(TransitionConflict):
        resolve_flag(stale, "dismissed", "第二次", actor=users["prov_approver"])
    flag.refresh_from_db()
    assert (flag.resolution_comment, flag.resolved_by) == ("第一次", users["prov_reviewer"])


# ---------------------------------------------------------------------------------------
# Reuse and merge (through the demand's transitions)
# ---------------------------------------------------------------------------------------


def test_reuse_sends_the_bureau_to_the_system_and_resolves_the_flag(users):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    [flag] = run_check(demand)
    demand_transition(demand=demand, name="recommend_reuse", actor=users["prov_reviewer"], comment="开通账号即可", system=system.pk)
    flag.refresh_from_db()
    demand.refresh_from_db()
    assert (demand.status, demand.reuse_system) == (S.REUSE, system)
    assert (flag.state, flag.resolved_by, flag.resolution_comment) == ("reused", users["prov_reviewer"], "开通账号即可")
    assert demand.org in system.user_orgs.all()


def test_reusing_a_retired_system_is_refused_and_nothing_changes(users):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    [flag] = run_check(demand)
    from assets.services import retire_system

    retire_system(system)
    with pytest.raises(TransitionInvalid) as refused:
        demand_transition(demand=demand, name="recommend_reuse", actor=users["prov_reviewer"], system=system.pk)
    assert refused.value.field_errors == {"system": ["Choose a system of the catalogue that is not retired."]}
    flag.refresh_from_db()
    demand.refresh_from_db()
    assert (demand.status, flag.state, list(system.user_orgs.all())) == (S.PROVINCIAL_REVIEW, "pending", [])


def test_merging_into_a_project_makes_the_bureau_a_beneficiary_and_resolves_the_flag(users):
    project = ProjectFactory(name="全省智慧停车管理平台项目", description=PARKING_SYSTEM[1])
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    [flag] = run_check(demand)
    assert (flag.candidate_kind, flag.candidate_id) == ("project", project.pk)
    demand_transition(demand=demand, name="merge", actor=users["prov_reviewer"], comment="并入省级项目", target_project=project.pk)
    flag.refresh_from_db()
    demand.refresh_from_db()
    assert (demand.status, demand.project, flag.state) == (S.MERGED, project, "merged")
    assert list(project.beneficiary_orgs.all()) == [demand.org]


def test_merging_into_a_demand_also_resolves_flags_on_its_project(users):
    target = to_provincial_review(make_demand(*PARKING_DEMAND, org_code=JILIN_CIVIL), users)
    project = ProjectFactory(name="吉林市智慧停车管理平台项目", description=PARKING_DEMAND[1])
    Demand.objects.filter(pk=target.pk).update(project=project)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    run_check(demand)
    assert flag_rows(demand) == [("demand", target.pk, "pending"), ("project", project.pk, "pending")]
    demand_transition(demand=demand, name="merge", actor=users["prov_reviewer"], comment="合并", target_demand=target.pk)
    assert flag_rows(demand) == [("demand", target.pk, "merged"), ("project", project.pk, "merged")]


@pytest.mark.parametrize("target_state", [S.DRAFT, S.REJECTED, S.WITHDRAWN])
def test_merging_into_a_demand_that_cannot_take_it_is_refused(users, target_state):
    target = make_demand(*PARKING_DEMAND, org_code=JILIN_CIVIL)
    if target_state == S.REJECTED:
        to_provincial_review(target, users)
        demand_transition(demand=target, name="reject", actor=users["prov_reviewer"], comment="不予支持")
    elif target_state == S.WITHDRAWN:
        demand_transition(demand=target, name="withdraw", actor=users["sub_jilin"])
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    with pytest.raises(TransitionInvalid) as refused:
        demand_transition(demand=demand, name="merge", actor=users["prov_reviewer"], target_demand=target.pk)
    assert refused.value.field_errors == {
        "target_demand": ["Choose another demand under review or approved to merge into (not this one)."]
    }
    demand.refresh_from_db()
    assert (demand.status, demand.merged_into) == (S.PROVINCIAL_REVIEW, None)


def test_a_merge_leaves_flags_on_unrelated_candidates_undecided(users):
    other = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    project = ProjectFactory(name="全省智慧停车管理平台项目", description=PARKING_SYSTEM[1])
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    run_check(demand)
    demand_transition(demand=demand, name="merge", actor=users["prov_reviewer"], target_project=project.pk)
    assert flag_rows(demand) == [("project", project.pk, "merged"), ("system", other.pk, "pending")]


def test_the_savings_hook_is_called_with_the_demands_budget_on_reuse(users, monkeypatch):

    calls = []
    monkeypatch.setitem(ports._registry, "savings", lambda *, demand, decision, amount, **kw: calls.append((demand.pk, decision, amount)))
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS, status=SystemStatus.IN_OPERATION)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND, budget="880000.00"), users)
    demand_transition(demand=demand, name="recommend_reuse", actor=users["prov_reviewer"], system=system.pk)
    assert calls == [(demand.pk, "reuse", Decimal("880000.00"))]


def test_the_check_runs_inline_when_the_broker_is_down(users, monkeypatch):
    from kombu.exceptions import OperationalError

    from projects.redundancy.tasks import run_redundancy_check

    def broker_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(run_redundancy_check, "delay", broker_down)
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = submit(make_demand(*PARKING_DEMAND), users)
    schedule_check(demand_id=demand.pk)
    assert flag_rows(demand) == [("system", system.pk, FlagState.PENDING)]
