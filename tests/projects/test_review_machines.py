"""The two new machines, every (state, transition) pair, allowed or refused; and every guard of the review,
blocked and passing: the assignment of an expert, the data-sharing authorization, expert_approve,
expert_reject and provincial_approve."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from assets.choices import Sharing
from core import workflow
from core.errors import TransitionConflict, TransitionForbidden
from core.models import AuditLog
from projects.demands.choices import AssignmentState as A
from projects.demands.choices import AuthorizationState as Z
from projects.demands.choices import DemandStatus as S
from projects.demands.models import AuthorizationRequest, Demand, ExpertAssignment
from projects.demands.review_services import decide_authorization, decline_assignment, replace_expert, submit_expert_opinion
from projects.demands.services import demand_transition, save_demand
from tests.projects.factories import DataResourceFactory, DemandFactory, big_demand, org, walk
from tests.projects.review_factories import expert_profile, give_opinions, seat_panel, soon

pytestmark = pytest.mark.django_db


def log_rows(obj):
    return AuditLog.objects.filter(content_type__model=obj._meta.model_name, object_id=obj.pk).count()


# --------------------------------------------------------------------------------------- expert assignments

ASSIGNMENT_STATES = [A.ASSIGNED, A.SUBMITTED, A.DECLINED, A.REPLACED, A.CLOSED]
ASSIGNMENT_ALLOWED = {
    # The system, when the demand leaves expert review (no person may: tested below).
    "close": {A.ASSIGNED: A.CLOSED},
    "submit_opinion": {A.ASSIGNED: A.SUBMITTED},
    "decline": {A.ASSIGNED: A.DECLINED},
    # An awaited opinion is replaceable once the deadline has passed (the table's assignments are past it).
    "replace": {A.ASSIGNED: A.REPLACED, A.DECLINED: A.REPLACED},
}


@pytest.fixture
def panel_demand(users):
    demand = walk(big_demand(), S.EXPERT_REVIEW, users)
    seat_panel(demand, users)
    for name in ("expert_01", "expert_02"):  # spares to replace with
        from organizations.models import User

        spare, _ = User.objects.get_or_create(username=name, defaults={"role": "expert", "organization": org("220000-tjj")})
        expert_profile(spare)
    return demand


def assignment_in(demand, state):
    a = demand.expert_assignments.filter(state=A.ASSIGNED).order_by("pk").first()
    # Past its deadline, so that `replace` may fire from `assigned`.
    ExpertAssignment.objects.filter(pk=a.pk).update(deadline=timezone.now() - timedelta(hours=1))
    a = ExpertAssignment.objects.get(pk=a.pk)
    if state == A.SUBMITTED:
        submit_expert_opinion(assignment=a, actor=a.expert, verdict="agree", recommended_budget=demand.budget_total)
    elif state == A.DECLINED:
        decline_assignment(assignment=a, actor=a.expert, reason="回避")
    elif state == A.REPLACED:
        decline_assignment(assignment=a, actor=a.expert, reason="回避")
        replace_expert(assignment=a, actor=_reviewer(), expert=_spare("expert_01"), deadline=soon())
    elif state == A.CLOSED:
        workflow.fire(a, field="state", name="close", actor=None)
    return ExpertAssignment.objects.get(pk=a.pk)


def _reviewer():
    from organizations.models import User

    return User.objects.get(username="prov_reviewer")


def _spare(name):
    from organizations.models import User

    return User.objects.get(username=name)


def fire_assignment(a, name):
    if name == "close":
        return workflow.fire(a, field="state", name="close", actor=None)
    if name == "submit_opinion":
        return submit_expert_opinion(assignment=a, actor=a.expert, verdict="agree", recommended_budget=Decimal("6000000"))
    if name == "decline":
        return decline_assignment(assignment=a, actor=a.expert, reason="时间冲突")
    return replace_expert(assignment=a, actor=_reviewer(), expert=_spare("expert_02"), deadline=soon())


@pytest.mark.parametrize("state", ASSIGNMENT_STATES)
@pytest.mark.parametrize("name", list(ASSIGNMENT_ALLOWED))
def test_assignment_transition_table(panel_demand, state, name):
    a = assignment_in(panel_demand, state)
    before = log_rows(a)
    if state in ASSIGNMENT_ALLOWED[name]:
        fire_assignment(a, name)
        assert ExpertAssignment.objects.get(pk=a.pk).state == ASSIGNMENT_ALLOWED[name][state]
        row = AuditLog.objects.filter(content_type__model="expertassignment", object_id=a.pk).last()
        assert (row.transition, row.source, row.target) == (name, state, ASSIGNMENT_ALLOWED[name][state])
        assert log_rows(a) == before + 1
    else:
        with pytest.raises(TransitionConflict):
            fire_assignment(a, name)
        fresh = ExpertAssignment.objects.get(pk=a.pk)
        assert (fresh.state, log_rows(a)) == (state, before)


def test_only_the_assigned_expert_submits_or_declines(panel_demand, users):
    a, other = list(panel_demand.expert_assignments.order_by("pk")[:2])
    for actor in (other.expert, users["prov_reviewer"], users["prov_approver"], users["sub_changchun"]):
        with pytest.raises(TransitionForbidden):
            submit_expert_opinion(assignment=a, actor=actor, verdict="agree", recommended_budget=Decimal("1"))
        with pytest.raises(TransitionForbidden):
            decline_assignment(assignment=a, actor=actor, reason="x")
    assert ExpertAssignment.objects.get(pk=a.pk).state == A.ASSIGNED


def test_replace_is_blocked_before_the_deadline_and_passes_after_it(panel_demand, users):
    a = panel_demand.expert_assignments.order_by("pk").first()
    with pytest.raises(TransitionConflict) as err:
        replace_expert(assignment=a, actor=users["prov_reviewer"], expert=_spare("expert_01"), deadline=soon())
    assert "deadline has passed" in err.value.message or "截止" in err.value.message
    ExpertAssignment.objects.filter(pk=a.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    a = ExpertAssignment.objects.get(pk=a.pk)
    new = replace_expert(assignment=a, actor=users["prov_reviewer"], expert=_spare("expert_01"), deadline=soon())
    a.refresh_from_db()
    assert (a.state, a.replaced_by_id, new.state, new.expert.username) == (A.REPLACED, new.pk, A.ASSIGNED, "expert_01")


def test_replace_by_someone_outside_the_provincial_office_is_forbidden(panel_demand, users):
    a = panel_demand.expert_assignments.order_by("pk").first()
    ExpertAssignment.objects.filter(pk=a.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    a = ExpertAssignment.objects.get(pk=a.pk)
    for name in ("sub_changchun", "coord_changchun", "expert_li", "auditor"):
        with pytest.raises(TransitionForbidden):
            replace_expert(assignment=a, actor=users[name], expert=_spare("expert_01"), deadline=soon())


def test_no_opinion_once_the_demand_has_left_expert_review(panel_demand, users):
    a = panel_demand.expert_assignments.order_by("pk").first()
    demand_transition(demand=panel_demand, name="return_for_revision", actor=users["prov_approver"], comment="补充")
    a = ExpertAssignment.objects.get(pk=a.pk)
    assert a.state == A.CLOSED  # closed by the system as the demand left
    with pytest.raises(TransitionConflict) as err:
        submit_expert_opinion(assignment=a, actor=a.expert, verdict="agree", recommended_budget=Decimal("1"))
    assert err.value.state == A.CLOSED


# --------------------------------------------------------------------------------------- the panel's guards


def test_expert_approve_and_reject_need_a_majority_of_a_panel_of_three(users):
    demand = walk(big_demand(), S.EXPERT_REVIEW, users)
    approver = users["prov_approver"]
    for name in ("expert_approve", "expert_reject"):
        assert name in workflow.blocked_transitions(demand, "status", approver)  # no panel
    seat_panel(demand, users)
    give_opinions(demand, users, verdicts=("agree",))  # 1 of 3
    with pytest.raises(TransitionConflict) as err:
        demand_transition(demand=demand, name="expert_approve", actor=approver)
    assert err.value.guards == ["fewer than a majority of a panel of at least three experts have given their opinion"] \
        or len(err.value.guards) == 1
    give_opinions(demand, users, verdicts=("disagree",), budgets=[None])  # 2 of 3
    assert {"expert_approve", "expert_reject"} <= set(workflow.available_transitions(demand, "status", approver))


def test_expert_approve_is_blocked_by_an_opinion_overdue_without_replacement(users):
    demand = walk(big_demand(), S.EXPERT_REVIEW, users)
    seat_panel(demand, users)
    give_opinions(demand, users)
    late = demand.expert_assignments.filter(state=A.ASSIGNED).get()
    ExpertAssignment.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    with pytest.raises(TransitionConflict) as err:
        demand_transition(demand=demand, name="expert_approve", actor=users["prov_approver"])
    assert len(err.value.guards) == 1
    assert Demand.objects.get(pk=demand.pk).status == S.EXPERT_REVIEW
    # Replaced: the new expert's deadline is ahead, the guard holds again.
    from organizations.models import User

    spare, _ = User.objects.get_or_create(username="expert_03", defaults={"role": "expert", "organization": org("220000-tjj")})
    expert_profile(spare)
    replace_expert(assignment=ExpertAssignment.objects.get(pk=late.pk), actor=users["prov_reviewer"], expert=spare,
                   deadline=soon())
    demand_transition(demand=demand, name="expert_approve", actor=users["prov_approver"])
    assert Demand.objects.get(pk=demand.pk).status == S.APPROVED


def test_expert_reject_needs_the_panels_reasons_and_ends_it(users):
    demand = walk(big_demand(), S.EXPERT_REVIEW, users)
    seat_panel(demand, users)
    give_opinions(demand, users, verdicts=("disagree", "disagree"), budgets=[None, None])
    from core.errors import TransitionInvalid

    with pytest.raises(TransitionInvalid):
        demand_transition(demand=demand, name="expert_reject", actor=users["prov_approver"])
    demand_transition(demand=demand, name="expert_reject", actor=users["prov_approver"], comment="专家组认为与省级平台重复")
    fresh = Demand.objects.get(pk=demand.pk)
    assert (fresh.status, fresh.review_comment) == (S.REJECTED, "专家组认为与省级平台重复")


# --------------------------------------------------------------------------------------- authorization requests

AUTH_STATES = [Z.PENDING, Z.GRANTED, Z.REFUSED, Z.REVOKED, Z.EXPIRED, Z.WITHDRAWN]
AUTH_ALLOWED = {
    "grant": {Z.PENDING: Z.GRANTED},
    "refuse": {Z.PENDING: Z.REFUSED},
    "revoke": {Z.GRANTED: Z.REVOKED},
    "expire": {Z.GRANTED: Z.EXPIRED},  # the table's granted requests ended yesterday
    "withdraw": {Z.PENDING: Z.WITHDRAWN, Z.GRANTED: Z.WITHDRAWN, Z.REFUSED: Z.WITHDRAWN, Z.REVOKED: Z.WITHDRAWN},
}


def request_in(state, users):
    resource = DataResourceFactory(owner_org=org("220000-gat"), sharing=Sharing.AUTHORIZED, name="机动车登记信息")
    demand = DemandFactory()
    return AuthorizationRequest.objects.create(
        demand=demand, resource=resource, owner_org=resource.owner_org, system_name=demand.title, state=state,
        valid_until=timezone.localdate() - timedelta(days=1) if state == Z.GRANTED else None)


def fire_request(r, name, users):
    if name in ("grant", "refuse", "revoke"):
        return decide_authorization(request=r, actor=users["data_gat"], name=name, reason="超出共享范围",
                                    valid_until=timezone.localdate() + timedelta(days=30))
    return workflow.fire(r, field="state", name=name, actor=None)


@pytest.mark.parametrize("state", AUTH_STATES)
@pytest.mark.parametrize("name", list(AUTH_ALLOWED))
def test_authorization_transition_table(users, state, name):
    r = request_in(state, users)
    before = log_rows(r)
    if state in AUTH_ALLOWED[name]:
        fire_request(r, name, users)
        assert AuthorizationRequest.objects.get(pk=r.pk).state == AUTH_ALLOWED[name][state]
        row = AuditLog.objects.filter(content_type__model="authorizationrequest", object_id=r.pk).last()
        assert (row.transition, row.source, row.target) == (name, state, AUTH_ALLOWED[name][state])
    else:
        with pytest.raises(TransitionConflict):
            fire_request(r, name, users)
        assert (AuthorizationRequest.objects.get(pk=r.pk).state, log_rows(r)) == (state, before)


def test_expire_is_blocked_before_the_end_date(users):
    r = request_in(Z.GRANTED, users)
    AuthorizationRequest.objects.filter(pk=r.pk).update(valid_until=timezone.localdate())
    r = AuthorizationRequest.objects.get(pk=r.pk)
    with pytest.raises(TransitionConflict):
        workflow.fire(r, field="state", name="expire", actor=None)
    AuthorizationRequest.objects.filter(pk=r.pk).update(valid_until=None)  # no end date: never expires
    with pytest.raises(TransitionConflict):
        workflow.fire(AuthorizationRequest.objects.get(pk=r.pk), field="state", name="expire", actor=None)


@pytest.mark.parametrize("username", ["data_scjg", "prov_reviewer", "prov_approver", "sub_changchun", "expert_wang", "admin"])
def test_only_the_owners_data_officer_decides(users, username):
    r = request_in(Z.PENDING, users)
    for name in ("grant", "refuse"):
        with pytest.raises(TransitionForbidden):
            decide_authorization(request=r, actor=users[username], name=name, reason="x")
    assert AuthorizationRequest.objects.get(pk=r.pk).state == Z.PENDING


def test_people_cannot_fire_the_system_transitions(users):
    r = request_in(Z.GRANTED, users)
    for actor in (users["data_gat"], users["admin"]):
        with pytest.raises(TransitionForbidden):
            workflow.fire(r, field="state", name="expire", actor=actor)


# --------------------------------------------------------------------------------------- provincial_approve


def demand_needing(resource, users, **kwargs):
    demand = DemandFactory(**kwargs)
    save_demand(actor=users["sub_changchun"], demand=demand, data={"data_resources": [resource.pk]})
    return walk(demand, S.PROVINCIAL_REVIEW, users)


def test_submission_asks_the_owner_of_each_authorized_resource_and_nothing_else(users):
    vehicles = DataResourceFactory(owner_org=org("220000-gat"), sharing=Sharing.AUTHORIZED, name="机动车登记信息")
    free = DataResourceFactory(owner_org=org("220000-scjg"), sharing=Sharing.UNCONDITIONAL)
    closed = DataResourceFactory(owner_org=org("220000-gat"), sharing=Sharing.NON_SHARING)
    demand = DemandFactory(planned_end=timezone.localdate() + timedelta(days=400))
    save_demand(actor=users["sub_changchun"], demand=demand, data={"data_resources": [vehicles.pk, free.pk, closed.pk]})
    walk(demand, S.MUNICIPAL_REVIEW, users)
    (r,) = AuthorizationRequest.objects.filter(demand=demand)
    assert (r.resource_id, r.owner_org.code, r.state, r.system_name, r.requested_until) == (
        vehicles.pk, "220000-gat", Z.PENDING, demand.title, demand.planned_end)
    assert r.purpose == demand.description


def test_provincial_approve_is_refused_while_an_authorization_is_refused_and_warned_while_open(users, login):
    vehicles = DataResourceFactory(owner_org=org("220000-gat"), sharing=Sharing.AUTHORIZED, name="机动车登记信息")
    demand = demand_needing(vehicles, users)
    r = AuthorizationRequest.objects.get(demand=demand)
    page = login(users["prov_approver"]).get(f"/demands/{demand.pk}/").content.decode()
    assert 'data-testid="authorization-open"' in page  # warned, not blocked
    assert "provincial_approve" in workflow.available_transitions(demand, "status", users["prov_approver"])
    decide_authorization(request=r, actor=users["data_gat"], name="refuse", reason="用途不明确")
    demand = Demand.objects.get(pk=demand.pk)
    with translation.override("en"), pytest.raises(TransitionConflict) as err:
        demand_transition(demand=demand, name="provincial_approve", actor=users["prov_approver"])
    assert err.value.guards == ["a data owner refused an authorization: drop that resource or return the demand"]
    assert Demand.objects.get(pk=demand.pk).status == S.PROVINCIAL_REVIEW
    # Returned, the resource dropped, submitted again: the guard holds.
    demand_transition(demand=demand, name="return_for_revision", actor=users["prov_reviewer"], comment="请删除该数据资源")
    save_demand(actor=users["sub_changchun"], demand=demand, data={"data_resources": []})
    demand_transition(demand=demand, name="submit", actor=users["sub_changchun"])
    demand_transition(demand=demand, name="municipal_approve", actor=users["coord_changchun"])
    assert AuthorizationRequest.objects.get(pk=r.pk).state == Z.WITHDRAWN
    demand_transition(demand=demand, name="provincial_approve", actor=users["prov_approver"])
    assert demand.status == S.APPROVED


def test_resubmitted_with_the_resource_asks_the_owner_again(users):
    vehicles = DataResourceFactory(owner_org=org("220000-gat"), sharing=Sharing.AUTHORIZED)
    demand = demand_needing(vehicles, users)
    first = AuthorizationRequest.objects.get(demand=demand)
    decide_authorization(request=first, actor=users["data_gat"], name="refuse", reason="用途不明确")
    demand = Demand.objects.get(pk=demand.pk)
    demand_transition(demand=demand, name="return_for_revision", actor=users["prov_reviewer"], comment="补充用途")
    demand_transition(demand=demand, name="submit", actor=users["sub_changchun"])
    states = dict(AuthorizationRequest.objects.filter(demand=demand).values_list("pk", "state"))
    assert states[first.pk] == Z.WITHDRAWN and sorted(states.values()) == [Z.PENDING, Z.WITHDRAWN]
    assert not Demand.objects.get(pk=demand.pk).refused_authorizations().exists()


def test_no_person_closes_a_place_on_a_panel(panel_demand, users):
    a = panel_demand.expert_assignments.filter(state=A.ASSIGNED).order_by("pk").first()
    for username in ("prov_reviewer", "prov_approver", "admin"):
        with pytest.raises(TransitionForbidden):
            workflow.fire(a, field="state", name="close", actor=users[username])
    assert ExpertAssignment.objects.get(pk=a.pk).state == A.ASSIGNED


def test_a_demand_returned_from_expert_review_closes_the_opinions_still_awaited(panel_demand, users, client):
    first, *awaited = list(panel_demand.expert_assignments.filter(state=A.ASSIGNED).order_by("pk"))
    submit_expert_opinion(assignment=first, actor=first.expert, verdict="disagree", recommended_budget=None, comments="方案不成熟")
    demand_transition(demand=panel_demand, name="return_for_revision", actor=users["prov_approver"], comment="按专家意见修改后再报")

    states = dict(panel_demand.expert_assignments.values_list("pk", "state"))
    assert states[first.pk] == A.SUBMITTED  # an opinion given stays as given
    assert all(states[a.pk] == A.CLOSED for a in awaited) and awaited
    rows = AuditLog.objects.filter(content_type__model="expertassignment", transition="close").order_by("pk")
    assert [(r.object_id, r.actor_id, r.source, r.target) for r in rows] == [(a.pk, None, A.ASSIGNED, A.CLOSED) for a in awaited]

    # The expert can no longer give the opinion, and the list says the panel is closed.
    with pytest.raises(TransitionConflict):
        submit_expert_opinion(assignment=ExpertAssignment.objects.get(pk=awaited[0].pk), actor=awaited[0].expert,
                              verdict="agree", recommended_budget=Decimal("1"))
    client.force_login(awaited[0].expert)
    with translation.override("en"):
        page = client.get("/reviews/mine/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Panel closed" in page


def test_an_expert_decision_closes_the_places_of_experts_who_had_not_answered(panel_demand, users):
    give_opinions(panel_demand, users)  # two of three agree: a majority
    demand_transition(demand=panel_demand, name="expert_approve", actor=users["prov_approver"])
    assert sorted(panel_demand.expert_assignments.values_list("state", flat=True)) == [A.CLOSED, A.SUBMITTED, A.SUBMITTED]
