"""Every read of demands that depends on who is asking.

`demands_visible_to(user)` is the one access rule (the organization tree, through
`organizations.selectors.restrict`): pages, the API, exports and attachment downloads all
start from it, so that a demand a user may not see is a 404 from every entrance.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Value
from django.http import Http404
from django.utils import timezone

from assets.models import Capability, DataResource
from core import audit
from core.http import object_id
from core.models import AuditLog
from core.workflow import history_for
from organizations.choices import Role
from projects.demands.choices import ACTIVE_ASSIGNMENT_STATES, REVIEW_STATES, AssignmentState, AuthorizationState, DemandStatus
from projects.demands.models import (
    Attachment,
    AuthorizationRequest,
    Demand,
    DemandDataResource,
    ExpertAssignment,
    ExpertProfile,
    ReviewOpinion,
)
from projects.redundancy.choices import FlagState
from projects.redundancy.models import RedundancyFlag

S = DemandStatus
REFUSING_STATES = (AuthorizationState.REFUSED, AuthorizationState.REVOKED)

# Roles that have a review queue.
QUEUE_ROLES = (Role.MUNICIPAL_COORDINATOR, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER)


def demands_visible_to(user) -> QuerySet[Demand]:
    """Demands `user` may read: own bureau (submitter), city and counties (coordinator), all (province)."""
    return Demand.objects.restrict(user).select_related("org", "org__city")


def reuse_demands_for(system, user) -> QuerySet[Demand]:
    """Demands the province sent to reuse this system, as far as `user` may see them."""
    return demands_visible_to(user).filter(reuse_system=system).order_by("-created_at", "-pk")


def demands_needing(resource, user) -> QuerySet[DemandDataResource]:
    """Demand links to this data resource, as far as `user` may see the demands."""
    links = DemandDataResource.objects.restrict(user).filter(resource=resource).select_related("demand", "demand__org")
    return links.order_by("-demand__created_at", "-pk")


def pending_flags_subquery() -> Exists:
    return Exists(RedundancyFlag.objects.filter(demand=OuterRef("pk"), state=FlagState.PENDING))


def demand_rows(user, *, with_data_resources: bool = False) -> QuerySet[Demand]:
    """Visible demands ready for a list page or the API list: a constant number of queries per page."""
    prefetch = [Prefetch("capabilities", queryset=Capability.objects.only("id", "code", "name", "name_en", "sort_order"))]
    if with_data_resources:
        prefetch.append(Prefetch("data_resources", queryset=DataResource.objects.only("id")))
    return demands_visible_to(user).prefetch_related(*prefetch)


def attach_flag_state(demands):
    """Set `pending_flags_exist` (and `dismissed_flags_exist`) on the demands of one page, in one query.

    Done after pagination rather than as an annotation: a correlated subquery in the SELECT
    is computed for every row a database sorts, not only for the page it returns.
    """
    demands = list(demands)
    ids = [d.pk for d in demands]
    found = set()
    if demands:
        # One query for both facts the approval guards read: pending flags, and refusals of resources still needed.
        flags = (RedundancyFlag.objects.filter(demand_id__in=ids, state=FlagState.PENDING).order_by()
                 .annotate(kind=Value("flag")).values_list("demand_id", "kind"))
        needed = DemandDataResource.objects.filter(demand_id=OuterRef("demand_id"), resource_id=OuterRef("resource_id"))
        refusals = (AuthorizationRequest.objects.filter(demand_id__in=ids, state__in=REFUSING_STATES).filter(Exists(needed))
                    .order_by().annotate(kind=Value("refused")).values_list("demand_id", "kind"))
        # Flags a reviewer dismissed: the list says the demand was checked, not that it never matched.
        dismissed = (RedundancyFlag.objects.filter(demand_id__in=ids, state=FlagState.DISMISSED).order_by()
                     .annotate(kind=Value("dismissed")).values_list("demand_id", "kind"))
        found = set(flags.union(refusals, dismissed))
    for demand in demands:
        demand.pending_flags_exist = (demand.pk, "flag") in found
        demand.dismissed_flags_exist = (demand.pk, "dismissed") in found
        demand.refused_authorizations_exist = (demand.pk, "refused") in found
    return demands


def get_visible_demand(user, pk) -> Demand:
    """The demand `pk` if `user` may read it, else 404 (never 403: that would say it exists)."""
    pk = object_id(pk)  # 'abc', '1e3' or a number past 2**63: 404, never a crash
    demand = demands_visible_to(user).select_related("created_by", "merged_into", "reuse_system", "project").filter(pk=pk).first()
    if demand is None:
        raise Http404
    return demand


def demand_detail(user, pk) -> Demand:
    """One visible demand with everything its page shows."""
    demand = get_visible_demand(user, pk)
    demand.data_links = list(
        DemandDataResource.objects.filter(demand=demand).select_related("resource", "resource__owner_org").order_by("resource__code")
    )
    demand.attachment_list = list(demand.attachments.select_related("uploaded_by"))
    demand.capability_list = list(demand.capabilities.all())
    demand.flag_list = list(demand.flags.all())
    # The demand it was merged into is named only to those who may open it.
    demand.merged_into_visible = bool(
        demand.merged_into_id and demands_visible_to(user).filter(pk=demand.merged_into_id).exists())
    return demand


def attachments_visible_to(user) -> QuerySet[Attachment]:
    """Attachments of demands `user` may read (the same rule as the demands)."""
    return Attachment.objects.restrict(user).select_related("demand", "demand__org")


def get_visible_attachment(user, pk) -> Attachment:
    pk = object_id(pk)  # 'abc', '1e3' or a number past 2**63: 404, never a crash
    attachment = attachments_visible_to(user).filter(pk=pk).first()
    if attachment is None:
        raise Http404
    return attachment


def demand_history(demand: Demand):
    """The demand's transitions from the audit log, oldest first."""
    return history_for(demand)


def queue_states_for(user) -> tuple[str, ...]:
    """The review stages `user` holds: the coordinator the municipal one, the province the others."""
    if not user.is_authenticated:
        return ()
    if user.role == Role.MUNICIPAL_COORDINATOR:
        return (S.MUNICIPAL_REVIEW,)
    if user.role == Role.PROVINCIAL_REVIEWER:
        return (S.PROVINCIAL_REVIEW,)
    if user.role == Role.PROVINCIAL_APPROVER:
        return (S.PROVINCIAL_REVIEW, S.EXPERT_REVIEW)
    if user.is_superuser:
        return tuple(REVIEW_STATES)
    return ()


def review_queue_for(user) -> QuerySet[Demand]:
    """Demands waiting in the stages `user` holds, within what `user` may see; longest waiting first.

    The approver's queue shows the reviewed ones first: those with a reviewer's opinion, then the rest."""
    states = queue_states_for(user)
    queue = demand_rows(user).filter(status__in=states)
    if user.is_authenticated and user.role == Role.PROVINCIAL_APPROVER:
        reviewed = Exists(ReviewOpinion.objects.filter(demand=OuterRef("pk")))
        return queue.annotate(has_opinion=reviewed).order_by("-has_opinion", "stage_entered_at", "pk")
    return queue.order_by("stage_entered_at", "pk")


def overdue_demands(now=None) -> QuerySet[Demand]:
    """Demands in a review stage past their due moment (every organization: for the reminder job)."""
    now = now or timezone.now()
    return Demand.objects.filter(status__in=REVIEW_STATES, due_at__lt=now)


# ---------------------------------------------------------------------------------------
# The review: opinions, the expert panel, authorization requests
# ---------------------------------------------------------------------------------------


def opinions_visible_to(user) -> QuerySet[ReviewOpinion]:
    """Reviewer's opinions on the demands `user` may see."""
    return ReviewOpinion.objects.restrict(user).select_related("demand", "author").order_by("-created_at", "-pk")


def get_visible_opinion(user, pk) -> ReviewOpinion:
    opinion = opinions_visible_to(user).filter(pk=object_id(pk)).first()
    if opinion is None:
        raise Http404
    return opinion


def assignments_visible_to(user) -> QuerySet[ExpertAssignment]:
    """Assignments `user` may read: an expert its own, and the others' opinions once its own is in."""
    return ExpertAssignment.objects.restrict(user).select_related("demand", "demand__org", "expert", "expert__organization")


def get_visible_assignment(user, pk) -> ExpertAssignment:
    assignment = assignments_visible_to(user).filter(pk=object_id(pk)).first()
    if assignment is None:
        raise Http404
    return assignment


def my_assignments(user) -> QuerySet[ExpertAssignment]:
    """An expert's own assignments, those awaiting an opinion first, soonest deadline first."""
    return assignments_visible_to(user).filter(expert=user).order_by("state", "deadline", "pk")


def panel_of(demand: Demand, user) -> list[ExpertAssignment]:
    """The demand's panel as far as `user` may see it, in the order assigned."""
    return list(assignments_visible_to(user).filter(demand=demand).order_by("created_at", "pk"))


def median(values):
    """The median of the figures (None for none)."""
    figures = sorted(v for v in values if v is not None)
    if not figures:
        return None
    mid = len(figures) // 2
    return figures[mid] if len(figures) % 2 else (figures[mid - 1] + figures[mid]) / 2


def panel_summary(assignments) -> dict:
    """Counts by verdict and the median of the recommended budgets of the submitted opinions."""
    submitted = [a for a in assignments if a.state == AssignmentState.SUBMITTED]
    active = [a for a in assignments if a.state in ACTIVE_ASSIGNMENT_STATES]
    counts = {}
    for a in submitted:
        counts[a.verdict] = counts.get(a.verdict, 0) + 1
    return {
        "members": len(active),
        "submitted": len(submitted),
        "counts": counts,
        "median_budget": median(a.recommended_budget for a in submitted),
    }


def expert_pool(user) -> QuerySet[ExpertProfile]:
    """The pool as far as `user` may see it."""
    return (ExpertProfile.objects.restrict(user).filter(active=True, user__is_active=True)
            .select_related("user", "user__organization").prefetch_related("capabilities", "conflict_orgs"))


def conflicted_expert_ids(demand: Demand) -> set[int]:
    """Experts who may not sit on the demand's panel: from the requesting organization, or declaring a conflict with it."""
    from_org = ExpertProfile.objects.filter(user__organization_id=demand.org_id).values_list("user_id", flat=True)
    declared = ExpertProfile.objects.filter(conflict_orgs=demand.org_id).values_list("user_id", flat=True)
    return set(from_org) | set(declared)


def suggest_experts(demand: Demand, user, limit: int = 8) -> list[ExpertProfile]:
    """Experts of the pool for the demand's panel, best match of fields first; never a conflicted one,
    nor one already on the panel."""
    excluded = conflicted_expert_ids(demand) | set(
        demand.expert_assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES).values_list("expert_id", flat=True))
    wanted = {c.pk for c in demand.capabilities.all()}
    ranked = []
    for profile in expert_pool(user).exclude(user_id__in=excluded):
        fields = {c.pk for c in profile.capabilities.all()}
        score = len(fields & wanted) * 2 + (1 if demand.domain and demand.domain in (profile.domains or []) else 0)
        profile.match = score
        ranked.append(profile)
    ranked.sort(key=lambda p: (-p.match, p.user.username))
    return ranked[:limit]


def authorizations_visible_to(user) -> QuerySet[AuthorizationRequest]:
    """Requests `user` may read: a data officer those for its organization's resources; others their demands'."""
    return AuthorizationRequest.objects.restrict(user).select_related(
        "demand", "demand__org", "resource", "owner_org", "decided_by")


def get_visible_authorization(user, pk) -> AuthorizationRequest:
    request = authorizations_visible_to(user).filter(pk=object_id(pk)).first()
    if request is None:
        raise Http404
    return request


def authorization_queue(user) -> QuerySet[AuthorizationRequest]:
    """Requests waiting for a decision first, then the rest, newest first."""
    return authorizations_visible_to(user).order_by("-created_at", "-pk")


def granted_authorizations_for(resource, user) -> QuerySet[AuthorizationRequest]:
    """Who may use the resource, and until when (as far as `user` may see the requests)."""
    return authorizations_visible_to(user).filter(resource=resource, state=AuthorizationState.GRANTED).order_by("valid_until", "pk")


def expired_authorizations(today):
    """Granted authorizations whose end date has passed (every organization: for the daily check)."""
    return AuthorizationRequest.objects.filter(state=AuthorizationState.GRANTED, valid_until__lt=today)


def assignments_due_soon(now, until):
    """Assignments awaiting an opinion whose deadline falls before `until`, not yet reminded (for the reminder job)."""
    return ExpertAssignment.objects.filter(state=AssignmentState.ASSIGNED, deadline__gte=now, deadline__lt=until,
                                           reminded_at__isnull=True, demand__status=S.EXPERT_REVIEW).select_related("demand", "expert")


def review_context(demand: Demand, user) -> dict:
    """What the demand page shows of the review, as far as `user` may see it: the reviewer's opinion on top,
    the expert panel side by side (with the median of the recommended budgets), the authorization requests,
    and the forms `user` may use now."""
    from projects.demands import permissions as perm

    opinions = list(opinions_visible_to(user).filter(demand=demand)[:10])
    panel = panel_of(demand, user) if demand.status in (S.EXPERT_REVIEW, S.APPROVED, S.REJECTED, S.RETURNED) else []
    own = next((a for a in panel if a.expert_id == user.pk), None)
    runs_panel = perm.may_run_panel(demand, user) and demand.status == S.EXPERT_REVIEW
    requests = list(authorizations_visible_to(user).filter(demand=demand).order_by("resource__code", "-created_at"))
    summary = panel_summary(panel)
    now = timezone.now()
    for a in panel:
        a.overdue = a.state == AssignmentState.ASSIGNED and a.deadline < now
    from projects.demands.choices import ExpertVerdict, Recommendation

    rows = []
    for objs in (requests, panel):
        if objs:
            rows += list(AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(type(objs[0])),
                                                 object_id__in=[o.pk for o in objs]).select_related("actor", "content_type"))
    rows.sort(key=lambda r: (r.at, r.pk))
    return {
        "review_history": [(row, audit.describe(row)) for row in rows],
        "recommendations": Recommendation.choices,
        "verdicts": ExpertVerdict.choices,
        "opinion": opinions[0] if opinions else None,
        "earlier_opinions": opinions[1:],
        "may_record_opinion": perm.may_record_opinion(demand, user),
        "panel": panel,
        "panel_summary": summary,
        "own_assignment": own,
        "runs_panel": runs_panel,
        "suggested_experts": suggest_experts(demand, user, limit=30) if runs_panel else [],
        "authorization_requests": requests,
        "open_authorizations": [r for r in requests if r.state == AuthorizationState.PENDING],
        "refused_authorizations": [r for r in requests if r.state in (AuthorizationState.REFUSED, AuthorizationState.REVOKED)],
    }
