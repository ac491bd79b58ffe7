"""Pages of the review: the reviewer's opinion, the expert panel and its opinions, authorization requests.

Reads through the selectors (restrict()), writes through `review_services`; workflow errors become a
message in the user's language.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import TransitionInvalid, WorkflowError
from organizations.choices import Role
from projects.demands import review_services as services
from projects.demands.choices import AuthorizationState
from projects.demands.permissions import is_expert, may_see_authorizations
from projects.demands.selectors import (
    authorization_queue,
    get_visible_assignment,
    get_visible_authorization,
    get_visible_demand,
    my_assignments,
)

PAGE_SIZE = 25


def _error(request, err: WorkflowError) -> None:
    details = ""
    if isinstance(err, TransitionInvalid):
        details = "；".join(str(m) for msgs in err.field_errors.values() for m in msgs if str(m) != str(err.message))
    messages.error(request, f"{err.message} {details}".strip())


def _back_to(demand_id: int):
    return redirect("projects:demand_detail", pk=demand_id)


@login_required
@require_POST
def opinion_record(request, pk: int):
    """The provincial reviewer's opinion on a demand in provincial review."""
    demand = get_visible_demand(request.user, pk)
    try:
        services.record_opinion(demand=demand, actor=request.user, recommendation=request.POST.get("recommendation", ""),
                                recommended_budget=request.POST.get("recommended_budget"),
                                reason=request.POST.get("reason", ""))
    except WorkflowError as err:
        _error(request, err)
    else:
        messages.success(request, _("Your opinion is recorded: the approver sees it on top of the demand."))
    return _back_to(demand.pk)


@login_required
@require_POST
def panel_assign(request, pk: int):
    """The provincial office assigns experts to the demand's panel, with a deadline."""
    demand = get_visible_demand(request.user, pk)
    try:
        created = services.assign_panel(demand=demand, actor=request.user, experts=request.POST.getlist("experts"),
                                        deadline=request.POST.get("deadline"))
    except WorkflowError as err:
        _error(request, err)
    else:
        messages.success(request, _("%(count)d experts assigned; they have been told.") % {"count": len(created)})
    return _back_to(demand.pk)


@login_required
@require_POST
def assignment_submit(request, pk: int):
    """The expert's opinion (with an optional signed PDF)."""
    assignment = get_visible_assignment(request.user, pk)
    try:
        services.submit_expert_opinion(assignment=assignment, actor=request.user, verdict=request.POST.get("verdict", ""),
                                       comments=request.POST.get("comments", ""),
                                       recommended_budget=request.POST.get("recommended_budget"),
                                       signed_file=request.FILES.get("signed_file"))
    except WorkflowError as err:
        _error(request, err)
    else:
        messages.success(request, _("Your opinion is submitted. You now see the other experts' opinions."))
    return _back_to(assignment.demand_id)


@login_required
@require_POST
def assignment_decline(request, pk: int):
    assignment = get_visible_assignment(request.user, pk)
    try:
        services.decline_assignment(assignment=assignment, actor=request.user, reason=request.POST.get("reason", ""))
    except WorkflowError as err:
        _error(request, err)
        return _back_to(assignment.demand_id)
    messages.success(request, _("You have declined; the provincial office will appoint another expert."))
    return redirect("projects:expert_assignments")


@login_required
@require_POST
def assignment_replace(request, pk: int):
    assignment = get_visible_assignment(request.user, pk)
    try:
        services.replace_expert(assignment=assignment, actor=request.user, expert=request.POST.get("expert"),
                                deadline=request.POST.get("deadline"))
    except WorkflowError as err:
        _error(request, err)
    else:
        messages.success(request, _("The expert is replaced; the new one has been told."))
    return _back_to(assignment.demand_id)


@login_required
def assignment_file(request, pk: int):
    """The signed opinion, to those who may read the opinion (the same rule: 404 otherwise)."""
    assignment = get_visible_assignment(request.user, pk)
    if not assignment.signed_file:
        raise Http404
    try:
        handle = assignment.signed_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=assignment.signed_file_name or "opinion.pdf",
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def expert_assignments(request):
    """An expert's demands to review: awaiting my opinion first, soonest deadline first."""
    if not is_expert(request.user):
        raise PermissionDenied
    page = Paginator(my_assignments(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "projects/demands/expert_assignments.html", {"page": page})


@login_required
def authorization_list(request):
    """Requests to share data resources: a data officer's are those for its organization's resources."""
    if not may_see_authorizations(request.user):
        raise PermissionDenied
    qs = authorization_queue(request.user)
    state = request.GET.get("state", "")
    if state in AuthorizationState.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "projects/demands/authorizations.html", {
        "page": page, "states": AuthorizationState.choices, "state": state,
        "decides": request.user.role == Role.DATA_OFFICER,
    })


@login_required
@require_POST
def authorization_decide(request, pk: int):
    """Grant (conditions, end date), refuse or revoke (with a reason)."""
    auth = get_visible_authorization(request.user, pk)
    name = request.POST.get("name", "")
    try:
        services.decide_authorization(request=auth, actor=request.user, name=name,
                                      conditions=request.POST.get("conditions", ""),
                                      valid_until=request.POST.get("valid_until"), reason=request.POST.get("reason", ""))
    except WorkflowError as err:
        _error(request, err)
    else:
        messages.success(request, _("%(resource)s for %(system)s: %(state)s.")
                         % {"resource": auth.resource.name, "system": auth.system_name, "state": auth.get_state_display()})
    return redirect("projects:authorization_list")
