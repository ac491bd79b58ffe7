"""Pages of demands: my demands, the form, the demand page with its actions, the queues, all demands.

Views only read through `selectors.demands` and write through `services.demands`; workflow
errors become a message in the user's language (never a stack trace, never a 500).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assets.choices import SystemStatus
from assets.models import Capability, InformationSystem
from core import drafts, panels
from core.errors import TransitionInvalid, WorkflowError
from core.http import safe_next
from core.workflow import available_transitions, blocked_transitions
from organizations.choices import RegionLevel, Role
from organizations.models import Region
from organizations.selectors import sees_everything, visible_orgs
from projects.demands.attachments import add_attachment, delete_attachment
from projects.demands.choices import (
    EDITABLE_STATES,
    REVIEW_STATES,
    TRANSITION_LABELS,
    ConstructionType,
    DemandStatus,
    Domain,
    Urgency,
)
from projects.demands.filters import AGE_CHOICES, BUDGET_BANDS, SORTS, filter_demands
from projects.demands.forms import DemandForm, TransitionForm
from projects.demands.models import Demand, field_label
from projects.demands.notifications import next_actors
from projects.demands.selectors import (
    QUEUE_ROLES,
    attach_flag_state,
    demand_detail,
    demand_history,
    demand_rows,
    demands_visible_to,
    get_visible_attachment,
    get_visible_demand,
    queue_states_for,
    review_context,
    review_queue_for,
)
from projects.demands.services import DemandInvalid, demand_transition, save_demand
from projects.demands.transitions import handler_for, submit_problems

PAGE_SIZE = 25
# Transitions that are decisions of a reviewer (shown with the comment box) rather than of the bureau.
BUTTON_TONES = {
    "submit": "primary", "municipal_approve": "success", "provincial_approve": "success", "expert_approve": "success",
    "expert_reject": "danger", "return_for_revision": "warning", "reject": "danger", "merge": "secondary", "recommend_reuse": "secondary",
    "withdraw": "outline-secondary",
}


def _filter_context(request, filterset, *, show_status: bool) -> dict:
    user = request.user
    orgs = None
    if not sees_everything(user):
        orgs = list(visible_orgs(user))
    return {
        "filterset": filterset,
        "params": request.GET,
        "domains": Domain.choices,
        "urgencies": Urgency.choices,
        "construction_types": ConstructionType.choices,
        "statuses": DemandStatus.choices if show_status else None,
        "cities": list(Region.objects.filter(level=RegionLevel.CITY).only("id", "name", "name_en", "code"))
        if sees_everything(user) else None,
        "org_choices": orgs if orgs and len(orgs) > 1 else None,
        "capability_choices": list(Capability.objects.only("id", "code", "name", "name_en", "sort_order")),
        "budget_bands": [(k, v[0]) for k, v in BUDGET_BANDS.items()],
        "age_choices": AGE_CHOICES,
        "sorts": [(k, v[0]) for k, v in SORTS.items()],
        "now": timezone.now(),
    }


def _paginate(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = attach_flag_state(page.object_list)
    return page


# ---------------------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------------------


@login_required
def demand_list(request):
    """A submitter's demands (those of the bureau), newest first, with what to do next."""
    user = request.user
    if user.role != Role.SUBMITTER:
        return redirect("projects:demand_all")
    filterset = filter_demands(demand_rows(user), request.GET, default_sort="created")
    page = _paginate(request, filterset.qs)
    counts = dict.fromkeys(("draft", "returned", "in_review"), 0)
    by_status = (
        demands_visible_to(user).filter(status__in=[*EDITABLE_STATES, *REVIEW_STATES])
        .order_by().values_list("status").annotate(n=Count("pk"))
    )
    for status, n in by_status:
        counts[status if status in EDITABLE_STATES else "in_review"] += n
    context = {"page": page, "counts": counts, **_filter_context(request, filterset, show_status=True)}
    return render(request, "projects/demands/list.html", context)


@login_required
def demand_all(request):
    """Every demand the user may see, with filters and search."""
    user = request.user
    filterset = filter_demands(demand_rows(user), request.GET, default_sort="created")
    page = _paginate(request, filterset.qs)
    context = {"page": page, **_filter_context(request, filterset, show_status=True)}
    return render(request, "projects/demands/all.html", context)


@login_required
def review_queue(request):
    """What waits for this reviewer: filters, sorting, waiting time, overdue in red."""
    user = request.user
    if not (user.is_superuser or user.role in QUEUE_ROLES):
        raise PermissionDenied
    base = review_queue_for(user)
    # The approver's queue keeps its own order (reviewed demands first) unless a sort is chosen.
    filterset = filter_demands(base, request.GET, default_sort=None if user.role == Role.PROVINCIAL_APPROVER else "waiting")
    page = _paginate(request, filterset.qs)
    # COUNT(*), not COUNT(id): answered from the (status, due_at) index alone.
    stats = base.order_by().aggregate(waiting=Count("*"), overdue=Count("due_at", filter=Q(due_at__lt=timezone.now())))
    context = {
        "page": page,
        "stats": stats,
        "states": [DemandStatus(s).label for s in queue_states_for(user)],
        **_filter_context(request, filterset, show_status=False),
    }
    return render(request, "projects/demands/queue.html", context)


# ---------------------------------------------------------------------------------------
# Filing and editing
# ---------------------------------------------------------------------------------------


def _save_with_files(request, form: DemandForm, demand: Demand | None) -> Demand:
    """Save the form and its new attachments in one transaction; files of a failed save are removed."""
    stored = []
    try:
        with transaction.atomic():
            saved = save_demand(actor=request.user, data=form.service_data(), demand=demand,
                                version=form.cleaned_data.get("version") or None)
            for upload in form.cleaned_data.get("attachments") or []:
                stored.append(add_attachment(actor=request.user, demand=saved, upload=upload))
    except BaseException:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return saved


def _form_page(request, form: DemandForm, demand: Demand | None):
    # After a refused submission: mark what is still missing.
    problems = list(submit_problems(demand)) if demand is not None and request.GET.get("check") == "submit" else []
    context = {
        "form": form,
        "demand": demand,
        "data_resources": list(form.fields["data_resources"].queryset),
        "selected_resources": {int(v) for v in (form["data_resources"].value() or []) if str(v).isdigit()},
        "selected_capabilities": set(map(str, form["capabilities"].value() or [])),
        "capability_choices": list(Capability.objects.all()),
        "fields_to_fix": [*form.fields_to_fix, *problems],
        "attachments": list(demand.attachments.all()) if demand is not None and demand.pk else [],
    }
    return render(request, "projects/demands/form.html", context, status=400 if form.is_bound and form.errors else 200)


def _handle_form(request, demand: Demand | None):
    form = DemandForm(request.POST or None, request.FILES or None, demand=demand)
    if request.method != "POST":
        return _form_page(request, form, demand)
    if not form.is_valid():
        return _form_page(request, form, demand)
    try:
        saved = _save_with_files(request, form, demand)
    except DemandInvalid as err:
        form.add_service_errors(err)
        return _form_page(request, form, demand)
    except WorkflowError as err:
        messages.error(request, err.message)
        return redirect("projects:demand_detail", pk=demand.pk) if demand else redirect("projects:demand_list")
    if request.POST.get("action") != "submit":
        messages.success(request, _("Saved as a draft. You can come back and submit it later."))
        return redirect("projects:demand_edit", pk=saved.pk)
    try:
        demand_transition(demand=saved, name="submit", actor=request.user)
    except TransitionInvalid as err:
        # The input is kept (saved as a draft). The person goes on from the draft's own edit page,
        # so that the next save edits this draft instead of filing a second one.
        details = "；".join(str(m) for msgs in err.field_errors.values() for m in msgs)
        messages.warning(request, _("Saved as a draft, but not submitted yet."))
        messages.error(request, f"{err.message} {details}".strip())
        return redirect(f"{reverse('projects:demand_edit', args=[saved.pk])}?check=submit")
    except WorkflowError as err:
        messages.error(request, err.message)
        return redirect("projects:demand_detail", pk=saved.pk)
    messages.success(
        request,
        _("Demand %(code)s submitted: it is now in %(state)s.") % {"code": saved.code, "state": saved.get_status_display()},
    )
    return redirect("projects:demand_detail", pk=saved.pk)


@login_required
def demand_create(request):
    if request.user.role != Role.SUBMITTER or request.user.organization_id is None:
        raise PermissionDenied
    return _handle_form(request, None)


@login_required
def demand_edit(request, pk: int):
    demand = get_visible_demand(request.user, pk)
    if demand.status not in EDITABLE_STATES or "withdraw" not in available_transitions(demand, "status", request.user):
        messages.info(request, _("This demand cannot be edited now."))
        return redirect("projects:demand_detail", pk=demand.pk)
    return _handle_form(request, demand)


# ---------------------------------------------------------------------------------------
# The demand page and its actions
# ---------------------------------------------------------------------------------------


def _extra_panel(name: str) -> str | None:
    """A partial another part of the app may provide (e.g. the redundancy panel); None if absent."""
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name


@login_required
def demand_detail_view(request, pk: int):
    user = request.user
    demand = demand_detail(user, pk)
    actions = available_transitions(demand, "status", user)
    blocked = blocked_transitions(demand, "status", user)
    holders = list(next_actors(demand)[:5]) if demand.status in REVIEW_STATES else []
    context = {
        "demand": demand,
        "actions": [(n, TRANSITION_LABELS[n], BUTTON_TONES.get(n, "secondary")) for n in actions],
        "action_names": actions,
        "blocked": [(TRANSITION_LABELS.get(n, n), msgs) for n, msgs in blocked.items()],
        "transition_form": TransitionForm(),
        "history": list(demand_history(demand)),
        "holders": holders,
        "can_edit": demand.status in EDITABLE_STATES and "withdraw" in actions,
        "fields_to_fix": [(f, field_label(f)) for f in (demand.fields_to_fix or [])],
        "submit_problems": submit_problems(demand) if "withdraw" in actions and demand.status in EDITABLE_STATES else {},
        "systems": _reuse_choices(demand) if "recommend_reuse" in actions else [],
        "draft": drafts.take(request, DRAFT_KEY, owner=demand.pk).get("data", {}),
        "redundancy_panel": _extra_panel("projects/partials/redundancy_panel.html"),
        "panels": panels.panels_for("projects.demand", demand, user),
        "now": timezone.now(),
        **review_context(demand, user),
    }
    context["approve_default"] = _approve_default(demand, context)
    return render(request, "projects/demands/detail.html", context)


DRAFT_KEY = "demand_action_draft"
DRAFT_FIELDS = ("comment", "approved_budget", "target", "system_code", "incremental_cost", "adaptation_cost")


def _keep_draft(request, demand: Demand, data: dict) -> None:
    """A refused action keeps what the reviewer wrote (a reason, a figure): the page shows it again once."""
    drafts.keep(request, DRAFT_KEY, owner=demand.pk, form="action", values={f: data.get(f) for f in DRAFT_FIELDS})


def _reuse_choices(demand: Demand) -> list:
    """The systems the redundancy check named for this demand, strongest first (any other one of
    the catalogue by its number: a list of every system would be thousands of options)."""
    flagged = list(demand.flags.filter(candidate_kind="system").order_by("-score").values_list("candidate_id", flat=True)[:20])
    systems = InformationSystem.objects.exclude(status=SystemStatus.RETIRED).filter(pk__in=flagged).only("id", "code", "name")
    by_id = {s.pk: s for s in systems}
    return [by_id[pk] for pk in flagged if pk in by_id]


def _approve_default(demand: Demand, context: dict):
    """The figure the approve box starts with: as recommended (the panel's median, else the reviewer's)."""
    if demand.status == DemandStatus.EXPERT_REVIEW and context["panel_summary"]["median_budget"] is not None:
        return context["panel_summary"]["median_budget"]
    opinion = context["opinion"]
    if opinion is not None and opinion.recommended_budget is not None:
        return opinion.recommended_budget
    return demand.budget_total


@login_required
@require_POST
def demand_transition_view(request, pk: int):
    demand = get_visible_demand(request.user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The action could not be read. Please try again."))
        return redirect("projects:demand_detail", pk=demand.pk)
    data = form.cleaned_data
    name = data["name"]
    handler = handler_for(name)
    payload = handler.payload_from_form(data) if handler is not None else {}
    try:
        demand_transition(demand=demand, name=name, actor=request.user, comment=data.get("comment") or "", **payload)
    except TransitionInvalid as err:
        details = "；".join(str(m) for msgs in err.field_errors.values() for m in msgs if str(m) != str(err.message))
        messages.error(request, f"{err.message} {details}".strip())
        if name == "submit":
            return redirect("projects:demand_edit", pk=demand.pk)
        _keep_draft(request, demand, data)
        return redirect("projects:demand_detail", pk=demand.pk)
    except WorkflowError as err:
        messages.error(request, err.message)
        _keep_draft(request, demand, data)
        return redirect("projects:demand_detail", pk=demand.pk)
    messages.success(
        request,
        _("%(action)s: demand %(code)s is now “%(state)s”.")
        % {"action": TRANSITION_LABELS[name], "code": demand.code or "", "state": demand.get_status_display()},
    )
    if demand.status in REVIEW_STATES and request.user.role in QUEUE_ROLES and name != "submit":
        return redirect("projects:review_queue")
    return redirect("projects:demand_detail", pk=demand.pk)


# ---------------------------------------------------------------------------------------
# Attachments: only through these views, with the demand's visibility rule
# ---------------------------------------------------------------------------------------


@login_required
def attachment_download(request, pk: int):
    attachment = get_visible_attachment(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_delete(request, pk: int):
    attachment = get_visible_attachment(request.user, pk)
    demand_pk = attachment.demand_id
    try:
        with transaction.atomic():
            delete_attachment(actor=request.user, attachment=attachment)
    except WorkflowError as err:
        messages.error(request, err.message)
        return redirect("projects:demand_detail", pk=demand_pk)
    messages.success(request, _("Attachment “%(name)s” removed.") % {"name": attachment.original_name})
    return redirect(safe_next(request, reverse("projects:demand_edit", args=[demand_pk])))
