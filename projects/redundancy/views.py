"""Pages of redundancy detection: the live box beside the demand form, a demand's similar candidates,
the reviewer's side-by-side comparison with its three decisions, and the coordination clusters.

Reads go through the selectors and `services.redundancy` (which filters candidates by what the
user may see); the decisions go through `services.redundancy.resolve_flag` (dismiss) and the
demands service's `demand_transition` (merge, recommend_reuse).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assets.choices import SystemStatus
from assets.models import Capability, InformationSystem
from core.errors import TransitionInvalid, WorkflowError
from core.http import safe_next
from core.workflow import available_transitions
from projects.delivery.selectors import project_for
from projects.demands.choices import REVIEW_STATES, TRANSITION_LABELS
from projects.demands.models import DemandDataResource
from projects.demands.selectors import demand_detail, demands_visible_to, get_visible_demand
from projects.demands.services import demand_transition
from projects.demands.transitions import HANDLERS, handler_for
from projects.redundancy.choices import FlagState
from projects.redundancy.documents import flag_threshold
from projects.redundancy.flags import flags_for, may_resolve_flags, resolve_flag, similar_for, visible_flags
from projects.redundancy.search import LIVE_LIMIT, MAX_DESCRIPTION_CHARS, MAX_LIST_ITEMS, REASONS_SHOWN, check, check_demand

CLUSTERS_PER_PAGE = 20
KINDS = ("system", "demand", "project")


def _texts(request, name: str, limit: int) -> str:
    return (request.POST.get(name) or "")[:limit]


def _int_list(values) -> list[int]:
    out = []
    for v in values:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            continue
    return out


@login_required
@require_POST
def live_check(request):
    """The "similar systems already exist" box beside the demand form (htmx, debounced while typing)."""
    title = _texts(request, "title", 1000)
    description = _texts(request, "description", MAX_DESCRIPTION_CHARS)
    codes = [c for c in request.POST.getlist("capabilities") if c][: MAX_LIST_ITEMS]
    exclude = None
    demand_id = request.POST.get("demand") or ""
    if demand_id.isdigit() and demands_visible_to(request.user).filter(pk=int(demand_id)).exists():
        exclude = ("demand", int(demand_id))
    typed = (title + description).strip()
    candidates = []
    threshold = flag_threshold()
    if len(typed) >= 2:
        threshold, candidates = check(
            title, description, codes, request.user.organization,
            _int_list(request.POST.getlist("data_resources"))[: MAX_LIST_ITEMS],
            request.POST.get("domain") or None, exclude=exclude, user=request.user, limit=LIVE_LIMIT,
        )
        candidates = [c for c in candidates if c["band"]]  # below the lower band: nothing to say
    context = {"candidates": candidates, "threshold": threshold, "typed": bool(typed), "reasons_shown": REASONS_SHOWN}
    return render(request, "projects/redundancy/live_results.html", context)


@login_required
def similar_page(request, pk: int):
    """Every candidate of a demand now, with its flag's state, linking to the comparison."""
    demand = get_visible_demand(request.user, pk)
    threshold, candidates = similar_for(demand, request.user)
    context = {"demand": demand, "candidates": candidates, "threshold": threshold}
    return render(request, "projects/redundancy/similar.html", context)


# ---------------------------------------------------------------------------------------
# The comparison and its decisions
# ---------------------------------------------------------------------------------------


def _candidate_side(user, kind: str, cid: int) -> dict:
    """The candidate's facts for the right-hand column, or 404 when unknown or not visible."""
    if kind == "system":
        system = (
            InformationSystem.objects.select_related("owner_org", "project").prefetch_related("capabilities", "user_orgs__city")
            .filter(pk=cid).first()
        )
        if system is None or not user.is_authenticated:
            raise Http404
        users = list(system.user_orgs.all())
        return {
            "kind": kind, "object": system, "code": system.code, "title": system.name, "description": system.description,
            "org": system.owner_org, "state": system.get_status_display(), "retired": system.status == SystemStatus.RETIRED,
            "capabilities": list(system.capabilities.all()), "resources": [],
            "users": users, "cities": sorted({str(o.city) for o in users if o.city_id}),
            "url": reverse("assets:system_detail", args=[system.pk]),
        }
    if kind == "demand":
        other = demand_detail(user, cid)
        return {
            "kind": kind, "object": other, "code": other.code, "title": other.title, "description": other.description,
            "org": other.org, "state": other.get_status_display(), "budget": other.budget_total,
            "capabilities": other.capability_list, "resources": [link.resource for link in other.data_links],
            "url": reverse("projects:demand_detail", args=[other.pk]),
        }
    if kind == "project":
        project = project_for(user, cid)
        links = DemandDataResource.objects.filter(demand__project=project).select_related("resource").order_by("resource__code")
        return {
            "kind": kind, "object": project, "code": project.code, "title": project.name, "description": project.description,
            "org": project.construction_org, "state": project.get_operations_status_display(), "budget": project.approved_budget,
            "capabilities": list(Capability.objects.filter(demands__project=project).distinct()),
            "resources": list({link.resource_id: link.resource for link in links}.values()),
            "users": list(project.beneficiary_orgs.all()),
            "url": reverse("projects:project_detail", args=[project.pk]),
        }
    raise Http404


def _back(request, default: str) -> str:
    return safe_next(request, default)


@login_required
def compare_page(request, pk: int, kind: str, cid: int):
    """The demand and one candidate side by side, shared items highlighted, with the three decisions."""
    user = request.user
    demand = demand_detail(user, pk)
    other = _candidate_side(user, kind, cid)
    threshold, candidates = check_demand(demand, user=user, limit=50)
    live = next((c for c in candidates if c["kind"] == kind and c["id"] == cid), None)
    flag = next((f for f in flags_for(demand, user) if f["kind"] == kind and f["id"] == cid), None)
    shown = live or flag
    terms = []
    if shown:
        terms = next((d["values"] for d in shown["reason_details"] if d["code"] == "shared_terms"), [])
    own_caps = {c.code for c in demand.capability_list}
    other_caps = {c.code for c in other["capabilities"]}
    own_resources = {link.resource_id for link in demand.data_links}
    other_resources = {r.pk for r in other["resources"]}
    actions = available_transitions(demand, "status", user)
    pending = flag is not None and flag["flag_state"] == FlagState.PENDING
    context = {
        "demand": demand,
        "other": other,
        "kind": kind,
        "threshold": threshold,
        "live": live,
        "flag": flag,
        "terms": [str(t) for t in terms],
        "shared_caps": own_caps & other_caps,
        "shared_resources": own_resources & other_resources,
        "can_dismiss": pending and demand.status in REVIEW_STATES and may_resolve_flags(demand, user),
        "can_merge": "merge" in actions and HANDLERS["merge"].fits_candidate(kind),
        "can_reuse": "recommend_reuse" in actions and HANDLERS["recommend_reuse"].fits_candidate(kind),
        "merge_label": TRANSITION_LABELS["merge"],
        "reuse_label": TRANSITION_LABELS["recommend_reuse"],
    }
    return render(request, "projects/redundancy/compare.html", context)


@login_required
@require_POST
def dismiss_flag(request, pk: int, flag_id: int):
    """Dismiss a pending flag with a reason (provincial review office)."""
    demand = get_visible_demand(request.user, pk)
    flag = next((f for f in visible_flags(demand, request.user) if f.pk == flag_id), None)
    if flag is None:
        raise Http404
    flag.demand = demand
    back = _back(request, reverse("projects:demand_detail", args=[demand.pk]))
    try:
        resolve_flag(flag, FlagState.DISMISSED, request.POST.get("comment") or "", actor=request.user)
    except WorkflowError as err:
        messages.error(request, err.message)
        return redirect(back)
    messages.success(request, _("Flag on %(candidate)s dismissed.") % {"candidate": f"{flag.candidate_code} {flag.candidate_title}"})
    return redirect(back)


@login_required
@require_POST
def decide(request, pk: int, kind: str, cid: int):
    """Merge the demand into the candidate (a demand or project) or send it to reuse the candidate system."""
    demand = get_visible_demand(request.user, pk)
    name = request.POST.get("name")
    compare_url = reverse("projects:redundancy_compare", args=[demand.pk, kind, cid])
    handler = handler_for(name)
    payload = handler.payload_for_candidate(kind, cid) if handler is not None else None
    if payload is None:
        messages.error(request, _("This decision does not fit this candidate: merge into a demand or a project, "
                                  "reuse a system."))
        return redirect(compare_url)
    payload.update(handler.declared_cost(request.POST))  # what the merge or the reuse still costs
    try:
        demand_transition(demand=demand, name=name, actor=request.user, comment=request.POST.get("comment") or "", **payload)
    except TransitionInvalid as err:
        details = "；".join(str(m) for msgs in err.field_errors.values() for m in msgs if str(m) != str(err.message))
        messages.error(request, f"{err.message} {details}".strip())
        return redirect(compare_url)
    except WorkflowError as err:
        messages.error(request, err.message)
        return redirect(compare_url)
    messages.success(
        request,
        _("%(action)s: demand %(code)s is now “%(state)s”.")
        % {"action": TRANSITION_LABELS[name], "code": demand.code or "", "state": demand.get_status_display()},
    )
    return redirect("projects:demand_detail", pk=demand.pk)
