"""Every read of demands that depends on who is asking.

`demands_visible_to(user)` is the one access rule (the organization tree, through
`organizations.selectors.restrict`): pages, the API, exports and attachment downloads all
start from it, so that a demand a user may not see is a 404 from every entrance.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from assets.models import Capability, DataResource
from core.http import object_id
from core.workflow import history_for
from organizations.choices import Role
from projects.demands.choices import REVIEW_STATES, DemandStatus
from projects.demands.models import Attachment, Demand, DemandDataResource
from projects.redundancy.choices import FlagState
from projects.redundancy.models import RedundancyFlag

S = DemandStatus

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
    """Set `pending_flags_exist` on the demands of one page, in one query.

    Done after pagination rather than as an annotation: a correlated subquery in the SELECT
    is computed for every row a database sorts, not only for the page it returns.
    """
    demands = list(demands)
    flagged = set(
        RedundancyFlag.objects.filter(demand_id__in=[d.pk for d in demands], state=FlagState.PENDING)
        .order_by()
        .values_list("demand_id", flat=True)
        .distinct()
    ) if demands else set()
    for demand in demands:
        demand.pending_flags_exist = demand.pk in flagged
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
    """Demands waiting in the stages `user` holds, within what `user` may see; longest waiting first."""
    states = queue_states_for(user)
    return demand_rows(user).filter(status__in=states).order_by("stage_entered_at", "pk")


def overdue_demands(now=None) -> QuerySet[Demand]:
    """Demands in a review stage past their due moment (every organization: for the reminder job)."""
    now = now or timezone.now()
    return Demand.objects.filter(status__in=REVIEW_STATES, due_at__lt=now)
