"""Every write of the review: the reviewer's opinion, the expert panel, data-sharing authorization.

- `record_opinion`: the provincial reviewer's opinion (审核意见) on a demand in provincial review.
- `assign_panel`, `submit_expert_opinion`, `decline_assignment`, `replace_expert`: the expert panel
  of a demand in expert review; each assignment is a machine (`workflows.AssignmentWorkflow`).
- `open_authorization_requests`, `decide_authorization`, `expire_authorizations`,
  `withdraw_authorizations`: the owner's consent for authorized-sharing resources
  (`workflows.AuthorizationWorkflow`).

Every state change goes through `core.workflow.fire`; refusals are TransitionInvalid (400, fields
named), TransitionForbidden (403) or TransitionConflict (409), in the user's language.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assets.choices import Sharing
from core import audit, workflow
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid
from core.money import AmountError, parse_amount
from core.notifications import notify
from core.uploads import UploadRefused, check_upload
from organizations.choices import Role
from projects.demands import permissions as perm
from projects.demands.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    AssignmentState,
    AuthorizationState,
    AuthorizationStatus,
    DemandStatus,
    ExpertVerdict,
    Recommendation,
)
from projects.demands.models import (
    AuthorizationRequest,
    Demand,
    DemandDataResource,
    ExpertAssignment,
    ReviewOpinion,
    signed_opinion_path,
)
from projects.demands.selectors import conflicted_expert_ids, expired_authorizations
from projects.demands.workflows import MIN_PANEL

TEXT_MAX = 5_000
REMINDER_VERB = "expert.deadline_near"


def _invalid(field: str, message) -> TransitionInvalid:
    return TransitionInvalid(message, field_errors={field: [str(message)]})


def clean_budget(value, *, field: str = "recommended_budget", ceiling: Decimal | None = None) -> Decimal | None:
    """A recommended or approved budget as typed (50万, 1,200,000): not negative, to the fen, not above `ceiling`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = parse_amount(value if isinstance(value, str) else str(value))
    except AmountError as err:
        raise _invalid(field, _("Recommended budget: %(reason)s.") % {"reason": err.reason}) from None
    if ceiling is not None and amount > ceiling:
        raise _invalid(field, _("The recommended budget (%(amount)s) is above the requested total (%(total)s).")
                       % {"amount": f"{amount:,.2f}", "total": f"{ceiling:,.2f}"})
    return amount


def _clean_text(value, field: str, label, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise _invalid(field, _("Please give %(what)s.") % {"what": label})
    if len(text) > TEXT_MAX:
        raise _invalid(field, _("%(what)s may have at most %(limit)d characters.") % {"what": label, "limit": TEXT_MAX})
    return text


def _money_str(value) -> str | None:
    return None if value is None else f"{value:.2f}"


# ---------------------------------------------------------------------------------------
# The reviewer's opinion
# ---------------------------------------------------------------------------------------


def record_opinion(*, demand: Demand, actor, recommendation: str, recommended_budget=None, reason: str = "") -> ReviewOpinion:
    """The provincial reviewer records an opinion the approver decides on (the latest one counts)."""
    if demand.status != DemandStatus.PROVINCIAL_REVIEW:
        raise TransitionConflict(_("An opinion is recorded only while the demand is in provincial review."), state=demand.status)
    if not perm.may_record_opinion(demand, actor):
        raise TransitionForbidden(_("You are not permitted to do this."), state=demand.status)
    if recommendation not in Recommendation.values:
        raise _invalid("recommendation", _("Choose a recommendation: approval, rejection, reuse or merge."))
    budget = clean_budget(recommended_budget, ceiling=demand.budget_total)
    if recommendation != Recommendation.APPROVE:
        budget = None
    elif budget is None:
        budget = demand.budget_total
    cut = budget is not None and budget < demand.budget_total
    reason = _clean_text(reason, "reason", gettext_lazy("the reason"),
                         required=cut or recommendation != Recommendation.APPROVE)
    with transaction.atomic():
        opinion = ReviewOpinion.objects.create(demand=demand, author=actor, recommendation=recommendation,
                                               recommended_budget=budget, reason=reason)
        audit.record(audit.AuditEvent.OPINION, demand, actor=actor, machine="opinion", transition=recommendation,
                     comment=reason, payload={"opinion": opinion.pk, "recommended_budget": _money_str(budget),
                                              "requested": _money_str(demand.budget_total)})
    return opinion


# ---------------------------------------------------------------------------------------
# The expert panel
# ---------------------------------------------------------------------------------------


def clean_deadline(value) -> datetime:
    """A deadline in the future: a date (end of that day) or a datetime."""
    if value in (None, ""):
        raise _invalid("deadline", _("Please give the panel's deadline."))
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip()) if "T" in value or " " in value.strip() else date.fromisoformat(value.strip())
        except ValueError:
            raise _invalid("deadline", _("The deadline is not a date (YYYY-MM-DD).")) from None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = timezone.make_aware(datetime(value.year, value.month, value.day, 18, 0))
    elif timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value <= timezone.now():
        raise _invalid("deadline", _("The deadline must be in the future."))
    if value > timezone.now() + timedelta(days=366):
        raise _invalid("deadline", _("The deadline must be within a year."))
    return value


def _experts(ids) -> list:
    User = get_user_model()
    wanted = []
    for value in ids or []:
        pk = getattr(value, "pk", value)
        try:
            wanted.append(int(pk))
        except (TypeError, ValueError):
            raise _invalid("experts", _("“%(value)s” is not an expert of the pool.") % {"value": value}) from None
    found = {u.pk: u for u in User.objects.filter(pk__in=wanted, role=Role.EXPERT, is_active=True,
                                                  expert_profile__active=True)}
    unknown = [str(pk) for pk in wanted if pk not in found]
    if unknown:
        raise _invalid("experts", _("Not experts of the pool: %(ids)s.") % {"ids": ", ".join(unknown)})
    if len(set(wanted)) != len(wanted):
        raise _invalid("experts", _("An expert is chosen twice."))
    return [found[pk] for pk in wanted]


def _refuse_conflicts(demand: Demand, experts) -> None:
    conflicted = conflicted_expert_ids(demand)
    bad = [str(e) for e in experts if e.pk in conflicted]
    if bad:
        raise _invalid("experts", _("Conflict of interest: %(names)s may not review a demand of %(org)s (same organization, "
                                    "or a declared conflict).") % {"names": "、".join(bad), "org": demand.org.name})


def _notify_assigned(assignment_ids: list[int]) -> None:
    for a in ExpertAssignment.objects.filter(pk__in=assignment_ids).select_related("demand", "expert"):
        notify([a.expert], verb="expert.assigned", obj=a.demand, url=reverse("projects:demand_detail", args=[a.demand_id]),
               message=gettext_lazy("You are on the expert panel of demand %(code)s “%(title)s”: your opinion is due %(due)s."),
               params={"code": a.demand.code, "title": a.demand.title,
                       "due": timezone.localtime(a.deadline).strftime("%Y-%m-%d %H:%M")})


def _create_assignment(demand, expert, actor, deadline) -> ExpertAssignment:
    assignment = ExpertAssignment.objects.create(demand=demand, expert=expert, assigned_by=actor, deadline=deadline)
    audit.record(audit.AuditEvent.TRANSITION, assignment, actor=actor, machine="state", transition="assign",
                 target=AssignmentState.ASSIGNED, payload={"demand": demand.pk, "expert": expert.pk})
    return assignment


def assign_panel(*, demand: Demand, actor, experts, deadline) -> list[ExpertAssignment]:
    """The provincial office puts experts on the demand's panel (at least three active members in all)."""
    if demand.status != DemandStatus.EXPERT_REVIEW:
        raise TransitionConflict(_("A panel is assigned only while the demand is in expert review."), state=demand.status)
    if not perm.may_run_panel(demand, actor):
        raise TransitionForbidden(_("You are not permitted to do this."), state=demand.status)
    deadline = clean_deadline(deadline)
    chosen = _experts(experts)
    if not chosen:
        raise _invalid("experts", _("Choose the experts of the panel."))
    _refuse_conflicts(demand, chosen)
    with transaction.atomic():
        locked = Demand.objects.select_for_update().get(pk=demand.pk)  # one panel change at a time
        if locked.status != DemandStatus.EXPERT_REVIEW:
            raise TransitionConflict(_("A panel is assigned only while the demand is in expert review."), state=locked.status)
        active = set(locked.expert_assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).values_list("expert_id", flat=True))
        again = [str(e) for e in chosen if e.pk in active]
        if again:
            raise _invalid("experts", _("Already on the panel: %(names)s.") % {"names": "、".join(again)})
        if len(active) + len(chosen) < MIN_PANEL:
            raise _invalid("experts", _("A panel has at least %(min)d experts: choose %(more)d more.")
                           % {"min": MIN_PANEL, "more": MIN_PANEL - len(active) - len(chosen)})
        created = [_create_assignment(locked, e, actor, deadline) for e in chosen]
        ids = [a.pk for a in created]
        transaction.on_commit(lambda: _notify_assigned(ids))
    return created


def check_signed_file(upload) -> tuple[str, str]:
    try:
        return check_upload(upload, kinds=("pdf",))
    except UploadRefused as err:
        raise _invalid("signed_file", " ".join(err.messages)) from None


def submit_expert_opinion(*, assignment: ExpertAssignment, actor, verdict: str, comments: str = "",
                          recommended_budget=None, signed_file=None) -> ExpertAssignment:
    """The expert gives the opinion once: verdict, comments, recommended budget, an optional signed PDF."""
    spec = workflow.machine_spec(ExpertAssignment, "state")["submit_opinion"]
    if assignment.state not in spec.sources:
        raise TransitionConflict(
            _("This opinion has already been given (or the assignment is closed): it is “%(state)s”.")
            % {"state": assignment.get_state_display()}, state=assignment.state)
    if not workflow.is_permitted(assignment, spec, actor):
        raise TransitionForbidden(_("You are not permitted to do this."), state=assignment.state)
    if verdict not in ExpertVerdict.values:
        raise _invalid("verdict", _("Choose an opinion: agree, agree with conditions, or disagree."))
    comments = _clean_text(comments, "comments", gettext_lazy("your comments"), required=verdict != ExpertVerdict.AGREE)
    budget = clean_budget(recommended_budget)
    if budget is None and verdict != ExpertVerdict.DISAGREE:
        raise _invalid("recommended_budget", _("Please give the budget you recommend."))
    stored, name = "", ""
    if signed_file:
        name, _content_type = check_signed_file(signed_file)
        signed_file.seek(0)
        # A random stored name: what the expert called the file is kept only as text.
        field = ExpertAssignment._meta.get_field("signed_file")
        stored = field.storage.save(signed_opinion_path(assignment, f"{uuid4().hex}.pdf"), signed_file)
    try:
        with transaction.atomic():
            # Lock order: the demand, then the assignment (as expert_approve reads the panel under the demand's lock).
            Demand.objects.select_for_update().filter(pk=assignment.demand_id).first()
            workflow.fire(assignment, field="state", name="submit_opinion", actor=actor, comment=comments,
                          kwargs={"verdict": verdict, "comments": comments, "recommended_budget": budget, "now": timezone.now(),
                                  "stored_file": stored, "file_name": name},
                          payload={"verdict": verdict, "recommended_budget": _money_str(budget), "demand": assignment.demand_id},
                          on_commit=[lambda: _tell_office_opinion_in(assignment.pk)])
    except BaseException:
        if stored:
            ExpertAssignment._meta.get_field("signed_file").storage.delete(stored)
        raise
    return assignment


def _tell_office_opinion_in(assignment_id: int) -> None:
    a = ExpertAssignment.objects.select_related("demand", "expert").get(pk=assignment_id)
    User = get_user_model()
    notify(User.objects.filter(is_active=True, role=Role.PROVINCIAL_APPROVER), verb="expert.opinion", obj=a.demand,
           url=reverse("projects:demand_detail", args=[a.demand_id]),
           message=gettext_lazy("%(expert)s gave an opinion on demand %(code)s: %(verdict)s."),
           params={"expert": str(a.expert), "code": a.demand.code, "verdict": a.get_verdict_display()})


def decline_assignment(*, assignment: ExpertAssignment, actor, reason: str) -> ExpertAssignment:
    """The expert declines (a conflict of interest, no time), with the reason; the office replaces them."""
    reason = _clean_text(reason, "reason", gettext_lazy("the reason"), required=True)
    return workflow.fire(assignment, field="state", name="decline", actor=actor, comment=reason, kwargs={"reason": reason})


def replace_expert(*, assignment: ExpertAssignment, actor, expert, deadline) -> ExpertAssignment:
    """Give the place of an expert who declined or let the deadline pass to another expert of the pool."""
    deadline = clean_deadline(deadline)
    (new_expert,) = _experts([expert]) if expert not in (None, "") else (None,)
    if new_expert is None:
        raise _invalid("expert", _("Choose the expert who takes the place."))
    demand = assignment.demand
    _refuse_conflicts(demand, [new_expert])
    if demand.expert_assignments.filter(expert=new_expert, state__in=ACTIVE_ASSIGNMENT_STATES).exists():
        raise _invalid("expert", _("Already on the panel: %(names)s.") % {"names": str(new_expert)})
    created = {}

    def after_save():
        created["new"] = _create_assignment(demand, new_expert, actor, deadline)
        assignment.replaced_by = created["new"]
        assignment.save(update_fields=["replaced_by", "updated_at"])

    with transaction.atomic():
        Demand.objects.select_for_update().filter(pk=demand.pk).first()
        workflow.fire(assignment, field="state", name="replace", actor=actor, after_save=after_save,
                      payload={"expert": new_expert.pk},
                      on_commit=[lambda: _notify_assigned([created["new"].pk])])
    return created["new"]


def send_deadline_reminders(now=None, *, days: int = 2) -> int:
    """Remind each expert once, `days` days before the deadline of an opinion still awaited."""
    from projects.demands.selectors import assignments_due_soon

    now = now or timezone.now()
    told = 0
    for a in assignments_due_soon(now, now + timedelta(days=days)):
        with transaction.atomic():
            told += len(notify([a.expert], verb=REMINDER_VERB, obj=a.demand,
                               url=reverse("projects:demand_detail", args=[a.demand_id]),
                               message=gettext_lazy("Your opinion on demand %(code)s “%(title)s” is due %(due)s."),
                               params={"code": a.demand.code, "title": a.demand.title,
                                       "due": timezone.localtime(a.deadline).strftime("%Y-%m-%d %H:%M")}))
            a.reminded_at = now
            a.save(update_fields=["reminded_at", "updated_at"])
    return told


# ---------------------------------------------------------------------------------------
# Data-sharing authorization
# ---------------------------------------------------------------------------------------


def _notify_data_officers(request_ids: list[int]) -> None:
    User = get_user_model()
    for r in AuthorizationRequest.objects.filter(pk__in=request_ids).select_related("resource", "demand"):
        officers = User.objects.filter(is_active=True, role=Role.DATA_OFFICER, organization_id=r.owner_org_id)
        notify(officers, verb="authorization.requested", obj=r, url=reverse("projects:authorization_list"),
               message=gettext_lazy("Demand %(code)s asks to use %(resource)s for “%(system)s”."),
               params={"code": r.demand.code, "resource": r.resource.name, "system": r.system_name})


def open_authorization_requests(demand: Demand, actor) -> list[AuthorizationRequest]:
    """On submission: one request to the owner of each authorized-sharing resource not yet granted or asked."""
    links = DemandDataResource.objects.filter(demand=demand, resource__sharing=Sharing.AUTHORIZED).select_related("resource")
    open_ones = set(demand.authorization_requests.filter(state__in=(AuthorizationState.PENDING, AuthorizationState.GRANTED))
                    .values_list("resource_id", flat=True))
    created = []
    for link in links:
        if link.resource_id in open_ones:
            continue
        # A request refused before this (re)submission is closed: the new one is what the owner decides on.
        withdraw_authorizations(demand, resource_ids=[link.resource_id])
        r = AuthorizationRequest.objects.create(
            demand=demand, resource=link.resource, owner_org_id=link.resource.owner_org_id,
            system_name=(demand.title or str(demand))[:200], purpose=(demand.description or "")[:2000],
            requested_until=demand.planned_end)
        audit.record(audit.AuditEvent.TRANSITION, r, actor=actor, machine="state", transition="request",
                     target=AuthorizationState.PENDING, payload={"demand": demand.pk, "resource": link.resource_id})
        link.authorization = AuthorizationStatus.PENDING
        link.save(update_fields=["authorization"])
        created.append(r)
    if created:
        ids = [r.pk for r in created]
        transaction.on_commit(lambda: _notify_data_officers(ids))
    return created


LINK_STATE = {
    AuthorizationState.GRANTED: AuthorizationStatus.GRANTED,
    AuthorizationState.REFUSED: AuthorizationStatus.REFUSED,
    AuthorizationState.REVOKED: AuthorizationStatus.REFUSED,
    AuthorizationState.EXPIRED: AuthorizationStatus.PENDING,
}


def _sync_link(request: AuthorizationRequest, actor) -> None:
    state = LINK_STATE.get(request.state)
    if state is None:
        return
    DemandDataResource.objects.filter(demand_id=request.demand_id, resource_id=request.resource_id).update(
        authorization=state, authorized_by=str(actor or "")[:100] if state == AuthorizationStatus.GRANTED else "",
        authorized_at=request.decided_at if state == AuthorizationStatus.GRANTED else None)


def _tell_demand_side(request_id: int) -> None:
    User = get_user_model()
    r = AuthorizationRequest.objects.select_related("demand", "resource").get(pk=request_id)
    people = User.objects.filter(is_active=True).filter(role__in=(Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER)) | \
        User.objects.filter(is_active=True, role=Role.SUBMITTER, organization_id=r.demand.org_id)
    notify(people, verb="authorization.decided", obj=r.demand, url=reverse("projects:demand_detail", args=[r.demand_id]),
           message=gettext_lazy("%(resource)s for demand %(code)s: %(state)s."),
           params={"resource": r.resource.name, "code": r.demand.code, "state": r.get_state_display()})


def decide_authorization(*, request: AuthorizationRequest, actor, name: str, conditions: str = "", valid_until=None,
                         reason: str = "") -> AuthorizationRequest:
    """The owner's data officer grants (conditions, end date), refuses or revokes (with a reason)."""
    if name not in ("grant", "refuse", "revoke"):
        raise _invalid("name", _("Unknown action “%(name)s”.") % {"name": name})
    spec = workflow.machine_spec(AuthorizationRequest, "state")[name]
    if request.state not in spec.sources:
        raise TransitionConflict(_("This request is “%(state)s”: it cannot be changed that way now.")
                                 % {"state": request.get_state_display()}, state=request.state)
    if not workflow.is_permitted(request, spec, actor):
        raise TransitionForbidden(_("You are not permitted to do this."), state=request.state)
    now = timezone.now()
    if name == "grant":
        conditions = _clean_text(conditions, "conditions", gettext_lazy("the conditions"))
        until = None
        if valid_until not in (None, ""):
            if isinstance(valid_until, str):
                try:
                    until = date.fromisoformat(valid_until.strip())
                except ValueError:
                    raise _invalid("valid_until", _("The end date is not a date (YYYY-MM-DD).")) from None
            else:
                until = valid_until
            if until < timezone.localdate():
                raise _invalid("valid_until", _("The end date must not be in the past."))
            if until > timezone.localdate() + timedelta(days=366 * 10):
                raise _invalid("valid_until", _("The end date must be within ten years."))
        kwargs = {"conditions": conditions, "valid_until": until, "by": actor, "now": now}
        comment, payload = conditions, {"valid_until": until.isoformat() if until else None}
    else:
        reason = _clean_text(reason, "reason", gettext_lazy("the reason"), required=True)
        kwargs, comment, payload = {"reason": reason, "by": actor, "now": now}, reason, {}
    return workflow.fire(request, field="state", name=name, actor=actor, comment=comment, kwargs=kwargs, payload=payload,
                         after_save=lambda: _sync_link(request, actor),
                         on_commit=[lambda: _tell_demand_side(request.pk)])


def expire_authorizations(today=None) -> int:
    """The daily check: granted authorizations past their end date become expired."""
    today = today or timezone.localdate()
    count = 0
    for r in expired_authorizations(today):
        try:
            workflow.fire(r, field="state", name="expire", actor=None, after_save=lambda r=r: _sync_link(r, None))
        except TransitionConflict:
            continue  # someone revoked it meanwhile
        count += 1
    return count


def close_open_assignments(demand: Demand) -> int:
    """The demand is no longer in expert review: the opinions still awaited will not be asked for.

    Each place is closed through the doorway by the system (one audit row each), so that the
    expert's list no longer shows it as awaited and a later panel round is not blocked by its
    deadline. Submitted opinions stay as given.
    """
    count = 0
    for assignment in demand.expert_assignments.filter(state=AssignmentState.ASSIGNED).order_by("pk"):
        workflow.fire(assignment, field="state", name="close", actor=None,
                      payload={"demand": demand.pk, "demand_status": demand.status})
        count += 1
    return count


def withdraw_authorizations(demand: Demand, *, resource_ids=None) -> int:
    """The demand no longer needs these resources (all, when None): its open requests are withdrawn."""
    qs = demand.authorization_requests.filter(state__in=(AuthorizationState.PENDING, AuthorizationState.GRANTED,
                                                         AuthorizationState.REFUSED))
    if resource_ids is not None:
        qs = qs.filter(resource_id__in=list(resource_ids))
    count = 0
    for r in qs:
        workflow.fire(r, field="state", name="withdraw", actor=None)
        count += 1
    return count
