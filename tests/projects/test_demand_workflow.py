"""The approval machine of a demand: every (state, transition) pair, roles and tree places, payloads."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from assets.choices import SystemStatus
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid
from core.models import AuditLog
from core.workflow import available_transitions
from projects import ports
from projects.demands import services as service
from projects.demands.choices import DemandStatus as S
from projects.demands.deadlines import add_working_days
from projects.demands.services import demand_transition
from projects.models import Demand, RedundancyFlag
from projects.redundancy.choices import CandidateKind, FlagState
from tests.projects.factories import DemandFactory, SystemFactory, big_demand, org, walk
from tests.projects.project_factories import ProjectFactory
from tests.projects.review_factories import give_opinions, seat_panel

ALL_STATES = [S.DRAFT, S.MUNICIPAL_REVIEW, S.PROVINCIAL_REVIEW, S.EXPERT_REVIEW, S.RETURNED,
              S.APPROVED, S.REJECTED, S.MERGED, S.REUSE, S.WITHDRAWN]

# The contract, written out: from which states each transition may fire, and where it leads
# (for a Changchun demand of 6,000,000 CNY, which goes to the expert panel).
ALLOWED = {
    "submit": {S.DRAFT: S.MUNICIPAL_REVIEW, S.RETURNED: S.MUNICIPAL_REVIEW},
    "municipal_approve": {S.MUNICIPAL_REVIEW: S.PROVINCIAL_REVIEW},
    "provincial_approve": {S.PROVINCIAL_REVIEW: S.EXPERT_REVIEW},
    "expert_approve": {S.EXPERT_REVIEW: S.APPROVED},
    "expert_reject": {S.EXPERT_REVIEW: S.REJECTED},
    "return_for_revision": {S.MUNICIPAL_REVIEW: S.RETURNED, S.PROVINCIAL_REVIEW: S.RETURNED, S.EXPERT_REVIEW: S.RETURNED},
    "reject": {S.MUNICIPAL_REVIEW: S.REJECTED, S.PROVINCIAL_REVIEW: S.REJECTED, S.EXPERT_REVIEW: S.REJECTED},
    "merge": {S.PROVINCIAL_REVIEW: S.MERGED},
    "recommend_reuse": {S.PROVINCIAL_REVIEW: S.REUSE},
    "withdraw": {S.DRAFT: S.WITHDRAWN, S.RETURNED: S.WITHDRAWN, S.MUNICIPAL_REVIEW: S.WITHDRAWN,
                 S.PROVINCIAL_REVIEW: S.WITHDRAWN},
}


def actor_for(name, state, users):
    """Who would rightly fire `name` on a Changchun demand in `state`."""
    if name in ("submit", "withdraw"):
        return users["sub_changchun"]
    if name == "municipal_approve":
        return users["coord_changchun"]
    if name in ("provincial_approve", "expert_approve", "expert_reject"):
        return users["prov_approver"]
    if name in ("merge", "recommend_reuse"):
        return users["prov_reviewer"]
    return {S.MUNICIPAL_REVIEW: users["coord_changchun"], S.EXPERT_REVIEW: users["prov_approver"]}.get(
        state, users["prov_reviewer"]
    )


def log_count(demand):
    return AuditLog.objects.filter(object_id=demand.pk, machine="status").count()


@pytest.fixture
def targets(users):
    """A demand under provincial review to merge into, and a system to reuse."""
    target = walk(DemandFactory(title="全市统一身份认证平台"), S.PROVINCIAL_REVIEW, users)
    return {"target_demand": target, "system": SystemFactory()}


def demand_in(state, users, targets):
    """A big demand in `state`; in expert review with a panel of three, two opinions in (the panel's guards hold)."""
    demand = big_demand()
    walk(demand, state, users, target_demand=targets["target_demand"].pk, system=targets["system"].pk)
    if state == S.EXPERT_REVIEW:
        seat_panel(demand, users)
        give_opinions(demand, users)
    return demand


@pytest.mark.django_db
@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("name", list(ALLOWED))
def test_state_transition_table(users, targets, state, name):
    demand = demand_in(state, users, targets)
    before_log, before_code = log_count(demand), demand.code
    payload = {"comment": "意见：请按要求修改"}
    if name == "merge":
        payload["target_demand"] = targets["target_demand"].pk
    if name == "recommend_reuse":
        payload["system"] = targets["system"].pk
    actor = actor_for(name, state, users)
    if state in ALLOWED[name]:
        demand_transition(demand=demand, name=name, actor=actor, **payload)
        assert demand.status == ALLOWED[name][state]
        assert Demand.objects.get(pk=demand.pk).status == ALLOWED[name][state]
        assert log_count(demand) == before_log + 1
        row = AuditLog.objects.filter(object_id=demand.pk, machine="status").last()
        assert (row.transition, row.source, row.target, row.actor_id) == (name, state, ALLOWED[name][state], actor.pk)
    else:
        with pytest.raises(TransitionConflict) as err:
            demand_transition(demand=demand, name=name, actor=actor, **payload)
        assert err.value.state == state
        assert str(demand.get_status_display()) in str(err.value.message)
        fresh = Demand.objects.get(pk=demand.pk)
        assert (fresh.status, fresh.code, log_count(demand)) == (state, before_code, before_log)


@pytest.mark.django_db
def test_first_submission_numbers_the_demand_and_sets_the_deadline(users):
    demand = DemandFactory()
    demand_transition(demand=demand, name="submit", actor=users["sub_changchun"])
    demand.refresh_from_db()
    year = timezone.localdate().year
    assert re.fullmatch(rf"XQ-{year}-\d{{6}}", demand.code)
    assert demand.status == S.MUNICIPAL_REVIEW
    assert demand.submitted_at == demand.stage_entered_at
    assert demand.due_at == add_working_days(demand.stage_entered_at, 10)


@pytest.mark.django_db
def test_resubmission_keeps_the_number_and_first_submission_time(users):
    demand = walk(DemandFactory(), S.RETURNED, users)
    code, first = demand.code, demand.submitted_at
    demand_transition(demand=demand, name="submit", actor=users["sub_changchun"])
    demand.refresh_from_db()
    assert (demand.code, demand.submitted_at, demand.status) == (code, first, S.MUNICIPAL_REVIEW)
    assert demand.fields_to_fix == []


@pytest.mark.django_db
def test_provincial_department_submits_straight_to_the_province(users):
    demand = DemandFactory(org=org("220000-jyt"))
    demand_transition(demand=demand, name="submit", actor=users["sub_province"])
    assert demand.status == S.PROVINCIAL_REVIEW


@pytest.mark.django_db
def test_below_threshold_provincial_approval_approves(users):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    demand_transition(demand=demand, name="provincial_approve", actor=users["prov_approver"])
    assert demand.status == S.APPROVED
    assert demand.due_at is None


@pytest.mark.django_db
def test_expert_threshold_is_configurable(users, settings):
    settings.EXPERT_REVIEW_THRESHOLD = 1_000_000
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)  # 1,500,000
    demand_transition(demand=demand, name="provincial_approve", actor=users["prov_approver"])
    assert demand.status == S.EXPERT_REVIEW


@pytest.mark.django_db
def test_total_exactly_at_threshold_goes_to_experts(users):
    demand = DemandFactory(budget_hardware=Decimal("0"), budget_software=Decimal("5000000.00"),
                           budget_services=Decimal("0"), budget_operations=Decimal("0"))
    walk(demand, S.PROVINCIAL_REVIEW, users)
    demand_transition(demand=demand, name="provincial_approve", actor=users["prov_approver"])
    assert demand.status == S.EXPERT_REVIEW


@pytest.mark.django_db
def test_approval_calls_the_project_hook_once(users, monkeypatch):
    calls = []
    monkeypatch.setattr(service, "on_demand_approved", lambda demand, actor: calls.append((demand.pk, actor.pk)))
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    demand_transition(demand=demand, name="provincial_approve", actor=users["prov_approver"])
    assert calls == [(demand.pk, users["prov_approver"].pk)]


@pytest.mark.django_db
def test_approved_demand_becomes_a_project(users):
    demand = walk(DemandFactory(), S.APPROVED, users)
    demand.refresh_from_db()
    assert demand.project is not None
    assert demand.org in demand.project.beneficiary_orgs.all()


@pytest.mark.django_db
def test_pending_flag_blocks_provincial_approval_and_nothing_changes(users):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    RedundancyFlag.objects.create(demand=demand, candidate_kind=CandidateKind.SYSTEM, candidate_id=1,
                                  candidate_title="吉林省统一身份认证平台", score=Decimal("0.9"))
    assert "provincial_approve" not in available_transitions(demand, "status", users["prov_approver"])
    before = log_count(demand)
    with pytest.raises(TransitionConflict) as err:
        demand_transition(demand=demand, name="provincial_approve", actor=users["prov_approver"])
    assert err.value.guards
    assert (Demand.objects.get(pk=demand.pk).status, log_count(demand)) == (S.PROVINCIAL_REVIEW, before)


# ---------------------------------------------------------------------------------------
# Roles and places in the tree
# ---------------------------------------------------------------------------------------

# (transition, state, username, allowed) for a Changchun municipal bureau's demand.
PERMISSIONS = [
    ("submit", S.DRAFT, "sub_changchun", True),
    ("submit", S.DRAFT, "sub_jilin", False),
    ("submit", S.DRAFT, "coord_changchun", False),
    ("submit", S.DRAFT, "prov_reviewer", False),
    ("submit", S.DRAFT, "auditor", False),
    ("withdraw", S.MUNICIPAL_REVIEW, "sub_changchun", True),
    ("withdraw", S.MUNICIPAL_REVIEW, "sub_jilin", False),
    ("withdraw", S.MUNICIPAL_REVIEW, "coord_changchun", False),
    ("municipal_approve", S.MUNICIPAL_REVIEW, "coord_changchun", True),
    ("municipal_approve", S.MUNICIPAL_REVIEW, "coord_jilin", False),
    ("municipal_approve", S.MUNICIPAL_REVIEW, "coord_yanbian", False),
    ("municipal_approve", S.MUNICIPAL_REVIEW, "prov_reviewer", False),
    ("municipal_approve", S.MUNICIPAL_REVIEW, "prov_approver", False),
    ("municipal_approve", S.MUNICIPAL_REVIEW, "sub_changchun", False),
    ("return_for_revision", S.MUNICIPAL_REVIEW, "coord_changchun", True),
    ("return_for_revision", S.MUNICIPAL_REVIEW, "coord_jilin", False),
    ("return_for_revision", S.MUNICIPAL_REVIEW, "prov_reviewer", False),
    ("reject", S.MUNICIPAL_REVIEW, "coord_changchun", True),
    ("reject", S.MUNICIPAL_REVIEW, "coord_siping", False),
    ("return_for_revision", S.PROVINCIAL_REVIEW, "prov_reviewer", True),
    ("return_for_revision", S.PROVINCIAL_REVIEW, "prov_approver", True),
    ("return_for_revision", S.PROVINCIAL_REVIEW, "coord_changchun", False),
    ("reject", S.PROVINCIAL_REVIEW, "prov_reviewer", True),
    ("reject", S.PROVINCIAL_REVIEW, "prov_approver", True),
    ("reject", S.PROVINCIAL_REVIEW, "pm", False),
    ("provincial_approve", S.PROVINCIAL_REVIEW, "prov_approver", True),
    ("provincial_approve", S.PROVINCIAL_REVIEW, "prov_reviewer", False),
    ("provincial_approve", S.PROVINCIAL_REVIEW, "coord_changchun", False),
    ("provincial_approve", S.PROVINCIAL_REVIEW, "finance", False),
    ("merge", S.PROVINCIAL_REVIEW, "prov_reviewer", True),
    ("merge", S.PROVINCIAL_REVIEW, "prov_approver", False),
    ("merge", S.PROVINCIAL_REVIEW, "coord_changchun", False),
    ("recommend_reuse", S.PROVINCIAL_REVIEW, "prov_reviewer", True),
    ("recommend_reuse", S.PROVINCIAL_REVIEW, "prov_approver", False),
    ("recommend_reuse", S.PROVINCIAL_REVIEW, "sub_changchun", False),
    ("expert_approve", S.EXPERT_REVIEW, "prov_approver", True),
    ("expert_approve", S.EXPERT_REVIEW, "prov_reviewer", False),
    ("expert_approve", S.EXPERT_REVIEW, "expert_wang", False),
    ("expert_reject", S.EXPERT_REVIEW, "prov_approver", True),
    ("expert_reject", S.EXPERT_REVIEW, "prov_reviewer", False),
    ("expert_reject", S.EXPERT_REVIEW, "expert_wang", False),
    ("return_for_revision", S.EXPERT_REVIEW, "prov_approver", True),
    ("return_for_revision", S.EXPERT_REVIEW, "prov_reviewer", False),
    ("reject", S.EXPERT_REVIEW, "prov_approver", True),
    ("reject", S.EXPERT_REVIEW, "auditor", False),
    ("submit", S.RETURNED, "sub_changchun", True),
    ("submit", S.RETURNED, "sub_yanji", False),
    ("withdraw", S.RETURNED, "sub_changchun", True),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "state", "username", "allowed"), PERMISSIONS)
def test_transition_permission_by_role_and_place(users, targets, name, state, username, allowed):
    demand = demand_in(state, users, targets)
    actor = users[username]
    before = log_count(demand)
    payload = {"comment": "意见"}
    if name == "merge":
        payload["target_demand"] = targets["target_demand"].pk
    if name == "recommend_reuse":
        payload["system"] = targets["system"].pk
    assert (name in available_transitions(demand, "status", actor)) is allowed
    if allowed:
        demand_transition(demand=demand, name=name, actor=actor, **payload)
        assert log_count(demand) == before + 1
    else:
        with pytest.raises(TransitionForbidden):
            demand_transition(demand=demand, name=name, actor=actor, **payload)
        assert (Demand.objects.get(pk=demand.pk).status, log_count(demand)) == (state, before)


@pytest.mark.django_db
def test_county_demand_is_reviewed_by_its_city_coordinator(users):
    county = DemandFactory(org=org("222401-jyj"))  # 延吉市教育局, under Yanbian
    demand_transition(demand=county, name="submit", actor=users["sub_yanji"])
    assert "municipal_approve" in available_transitions(county, "status", users["coord_yanbian"])
    with pytest.raises(TransitionForbidden):
        demand_transition(demand=county, name="municipal_approve", actor=users["coord_changchun"])
    demand_transition(demand=county, name="municipal_approve", actor=users["coord_yanbian"])
    assert county.status == S.PROVINCIAL_REVIEW


@pytest.mark.django_db
def test_changchun_district_demand_is_reviewed_by_changchun(users):
    district = DemandFactory(org=org("220102-jyj"))  # 南关区教育局
    demand_transition(demand=district, name="submit", actor=_submitter_of(district.org))
    assert district.status == S.MUNICIPAL_REVIEW
    assert sorted(available_transitions(district, "status", users["coord_changchun"])) == [
        "municipal_approve", "reject", "return_for_revision"
    ]
    assert available_transitions(district, "status", users["coord_jilin"]) == []


def _submitter_of(organization):
    from organizations.choices import Role
    from organizations.models import User

    return User.objects.create_user(f"sub_{organization.code}", role=Role.SUBMITTER, organization=organization)


# ---------------------------------------------------------------------------------------
# Comments and payloads
# ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["return_for_revision", "reject"])
@pytest.mark.parametrize("comment", ["", "   "])
def test_return_and_reject_need_a_comment(users, name, comment):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    before = log_count(demand)
    with pytest.raises(TransitionInvalid) as err:
        demand_transition(demand=demand, name=name, actor=users["prov_reviewer"], comment=comment)
    assert list(err.value.field_errors) == ["comment"]
    assert (Demand.objects.get(pk=demand.pk).status, log_count(demand)) == (S.PROVINCIAL_REVIEW, before)


@pytest.mark.django_db
def test_return_records_comment_and_fields_to_fix(users):
    demand = walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)
    demand_transition(demand=demand, name="return_for_revision", actor=users["coord_changchun"],
                      comment="预算构成不清楚，请细化硬件清单。", fields_to_fix=["budget_hardware", "resources_wanted"])
    demand.refresh_from_db()
    assert demand.review_comment == "预算构成不清楚，请细化硬件清单。"
    assert demand.fields_to_fix == ["budget_hardware", "resources_wanted"]
    assert demand.due_at is None
    row = AuditLog.objects.filter(object_id=demand.pk, machine="status").last()
    assert row.comment == "预算构成不清楚，请细化硬件清单。"
    assert row.payload == {"fields_to_fix": ["budget_hardware", "resources_wanted"]}


@pytest.mark.django_db
def test_return_refuses_unknown_fields_to_fix(users):
    demand = walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)
    with pytest.raises(TransitionInvalid) as err:
        demand_transition(demand=demand, name="return_for_revision", actor=users["coord_changchun"],
                          comment="请修改", fields_to_fix=["password"])
    assert list(err.value.field_errors) == ["fields_to_fix"]
    assert Demand.objects.get(pk=demand.pk).status == S.MUNICIPAL_REVIEW


@pytest.mark.django_db
def test_incomplete_demand_cannot_be_submitted_and_each_missing_field_is_named(users):
    demand = DemandFactory(title="", description="", domain="", budget_services=None, capabilities=[])
    with pytest.raises(TransitionInvalid) as err:
        demand_transition(demand=demand, name="submit", actor=users["sub_changchun"])
    assert set(err.value.field_errors) == {"title", "description", "domain", "capabilities", "budget_services"}
    for name, messages in err.value.field_errors.items():
        assert service.field_label(name) in messages[0]
    fresh = Demand.objects.get(pk=demand.pk)
    assert (fresh.status, fresh.code, log_count(demand)) == (S.DRAFT, None, 0)


@pytest.mark.django_db
def test_zero_budget_cannot_be_submitted(users):
    zero = Decimal("0.00")
    demand = DemandFactory(budget_hardware=zero, budget_software=zero, budget_services=zero, budget_operations=zero)
    with pytest.raises(TransitionInvalid) as err:
        demand_transition(demand=demand, name="submit", actor=users["sub_changchun"])
    assert list(err.value.field_errors) == ["budget_total"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"target_demand", "target_project"}),
        ({"target_demand": "self"}, {"target_demand"}),
        ({"target_demand": "draft"}, {"target_demand"}),
        ({"target_demand": 999999}, {"target_demand"}),
        ({"target_demand": "other", "target_project": "project"}, {"target_demand", "target_project"}),
        ({"target_project": 999999}, {"target_project"}),
        ({"target_project": "retired"}, {"target_project"}),
    ],
)
def test_merge_needs_exactly_one_valid_target(users, payload, fields):
    from projects.delivery.choices import OperationsState

    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    named = {
        "self": demand.pk,
        "draft": DemandFactory().pk,
        "other": walk(DemandFactory(), S.PROVINCIAL_REVIEW, users).pk,
        "project": ProjectFactory().pk,
        "retired": ProjectFactory(operations_status=OperationsState.RETIRED).pk,
    }
    resolved = {k: named.get(v, v) for k, v in payload.items()}
    before = log_count(demand)
    with pytest.raises(TransitionInvalid) as err:
        demand_transition(demand=demand, name="merge", actor=users["prov_reviewer"], comment="合并", **resolved)
    assert set(err.value.field_errors) == fields
    assert (Demand.objects.get(pk=demand.pk).status, log_count(demand)) == (S.PROVINCIAL_REVIEW, before)


@pytest.mark.django_db
def test_merge_into_project_makes_the_bureau_a_beneficiary_and_records_a_saving(users, monkeypatch):
    savings = []
    monkeypatch.setitem(ports._registry, "savings", lambda *, demand, decision, amount, **kw: savings.append((demand.pk, decision, amount)))
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    project = ProjectFactory()
    flag = RedundancyFlag.objects.create(demand=demand, candidate_kind=CandidateKind.PROJECT, candidate_id=project.pk,
                                         candidate_title=project.name, score=Decimal("0.8"))
    demand_transition(demand=demand, name="merge", actor=users["prov_reviewer"], comment="由省级项目统一建设",
                      target_project=project.pk)
    demand.refresh_from_db()
    flag.refresh_from_db()
    assert (demand.status, demand.project_id, demand.merged_into_id) == (S.MERGED, project.pk, None)
    assert list(project.beneficiary_orgs.all()) == [demand.org]
    assert savings == [(demand.pk, "merge", Decimal("1500000.00"))]
    assert (flag.state, flag.resolved_by_id) == (FlagState.MERGED, users["prov_reviewer"].pk)
    assert AuditLog.objects.filter(object_id=demand.pk, machine="status").last().payload == {"target_project": project.pk}


@pytest.mark.django_db
def test_merge_into_demand_links_it(users):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    target = walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)
    demand_transition(demand=demand, name="merge", actor=users["prov_reviewer"], comment="合并", target_demand=target.pk)
    demand.refresh_from_db()
    assert (demand.status, demand.merged_into_id, demand.project_id) == (S.MERGED, target.pk, None)


@pytest.mark.django_db
def test_recommend_reuse_adds_the_bureau_to_the_system_users(users, monkeypatch):
    savings = []
    monkeypatch.setitem(ports._registry, "savings", lambda *, demand, decision, amount, **kw: savings.append((decision, amount)))
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    system = SystemFactory()
    demand_transition(demand=demand, name="recommend_reuse", actor=users["prov_reviewer"], comment="复用省统一身份认证平台",
                      system=system.pk)
    demand.refresh_from_db()
    assert (demand.status, demand.reuse_system_id) == (S.REUSE, system.pk)
    assert list(system.user_orgs.all()) == [demand.org]
    assert savings == [("reuse", Decimal("1500000.00"))]


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["missing", "retired", "unknown"])
def test_recommend_reuse_needs_a_live_system(users, which):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    system = {"missing": None, "retired": SystemFactory(status=SystemStatus.RETIRED).pk, "unknown": 987654}[which]
    with pytest.raises(TransitionInvalid) as err:
        demand_transition(demand=demand, name="recommend_reuse", actor=users["prov_reviewer"], comment="复用", system=system)
    assert list(err.value.field_errors) == ["system"]
    assert Demand.objects.get(pk=demand.pk).status == S.PROVINCIAL_REVIEW


@pytest.mark.django_db
def test_unknown_transition_name_is_refused(users):
    demand = DemandFactory()
    with pytest.raises(TransitionInvalid) as err:
        demand_transition(demand=demand, name="approve_everything", actor=users["admin"])
    assert list(err.value.field_errors) == ["name"]


@pytest.mark.django_db
def test_stale_copy_loses_with_a_conflict(users):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    stale = Demand.objects.get(pk=demand.pk)
    demand_transition(demand=demand, name="return_for_revision", actor=users["prov_reviewer"], comment="请修改")
    with pytest.raises(TransitionConflict) as err:
        demand_transition(demand=stale, name="provincial_approve", actor=users["prov_approver"])
    assert err.value.state == S.RETURNED
    assert Demand.objects.get(pk=demand.pk).status == S.RETURNED
    assert AuditLog.objects.filter(object_id=demand.pk, transition="provincial_approve").count() == 0


@pytest.mark.django_db
def test_approved_comment_is_logged_with_the_actor_name(users):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    demand_transition(demand=demand, name="provincial_approve", actor=users["prov_approver"], comment="同意立项")
    row = AuditLog.objects.filter(object_id=demand.pk, machine="status").last()
    assert (row.actor_name, row.comment) == ("李主任 (省领导)", "同意立项")
