"""Pages of projects: the list, the project page with its four lanes, the portfolio, and the forms
that move a project (transitions, details, milestones, attached demands).

Every read goes through selectors/projects.py (invisible projects are 404 from every page);
every write through services/projects.py.
"""

from decimal import Decimal
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import panels, workflow
from core.concurrency import edit_version
from core.errors import StaleEdit, TransitionInvalid, WorkflowError
from core.templatetags.money import cny
from projects.delivery import permissions as perm
from projects.delivery import selectors, services
from projects.delivery.choices import MACHINE_FIELDS, DevelopmentState, HardwareState, Machine, MilestoneKind
from projects.delivery.filters import ProjectFilter
from projects.delivery.forms import AttachDemandForm, HardwareItemForm, MilestoneForm, ProjectForm, TransitionForm
from projects.delivery.models import Project
from projects.delivery.workflows import ITEM_PENDING
from projects.demands.choices import DemandStatus

# Button labels of the transitions, by (machine, public name).
TRANSITION_LABELS = {
    ("hardware", "request"): gettext_lazy("Request hardware"),
    ("hardware", "procure"): gettext_lazy("Start procurement"),
    ("hardware", "deliver"): gettext_lazy("Hardware delivered"),
    ("hardware", "accept"): gettext_lazy("Accept hardware"),
    ("hardware", "waive"): gettext_lazy("No hardware needed"),
    ("funding", "budget"): gettext_lazy("Enter in budget"),
    ("funding", "allocate"): gettext_lazy("Allocate funds"),
    ("funding", "begin_disbursing"): gettext_lazy("Begin disbursing"),
    ("funding", "settle"): gettext_lazy("Settle"),
    ("development", "start"): gettext_lazy("Start development"),
    ("development", "design"): gettext_lazy("Requirements done: design"),
    ("development", "build"): gettext_lazy("Design done: build"),
    ("development", "test"): gettext_lazy("Build done: test"),
    ("development", "submit_acceptance"): gettext_lazy("Submit for acceptance"),
    ("development", "deliver"): gettext_lazy("Deliver"),
    ("development", "rework"): gettext_lazy("Back to building (rework)"),
    ("operations", "start_trial"): gettext_lazy("Start trial run"),
    ("operations", "go_live"): gettext_lazy("Go live"),
    ("operations", "begin_upgrade"): gettext_lazy("Begin upgrade"),
    ("operations", "finish_upgrade"): gettext_lazy("Finish upgrade"),
    ("operations", "suspend"): gettext_lazy("Suspend"),
    ("operations", "resume"): gettext_lazy("Resume"),
    ("operations", "retire"): gettext_lazy("Retire"),
}

# Backward and destructive transitions: shown apart from the forward ones, each behind a
# confirmation step that says what will happen (a <details> disclosure: no script needed).
BACKWARD = {
    ("hardware", "waive"): gettext_lazy(
        "The hardware lane ends as “not required”: no hardware or cloud resource will be requested, delivered or accepted "
        "for this project."),
    ("development", "rework"): gettext_lazy(
        "The development goes back to building: testing and acceptance must be done again before it can be delivered."),
    ("operations", "suspend"): gettext_lazy(
        "The system is taken out of operation until operations resumes it; its users cannot use it meanwhile."),
    ("operations", "retire"): gettext_lazy(
        "The system is retired for good and marked retired in the catalogue; no later demand will be sent to it. "
        "This cannot be undone."),
}

# Where the person who unblocks a guard acts: an anchor of the project page, by guard function.
# A guard not listed is unblocked in the lane of the transition it blocks.
GUARD_PLACES = {
    "is_funding_allocated": "lane-funding",
    "has_approved_budget": "budget",
    "is_hardware_ready": "lane-hardware",
    "is_development_delivered": "lane-development",
    "has_hardware_items": "hardware-items",
    "has_every_item_delivered": "hardware-items",
    "has_acceptance_document": "milestones",
}
PLACE_LABELS = {
    "lane-hardware": gettext_lazy("Go to the hardware lane"),
    "lane-funding": gettext_lazy("Go to the funding lane"),
    "lane-development": gettext_lazy("Go to the development lane"),
    "lane-operations": gettext_lazy("Go to the operations lane"),
    "budget": gettext_lazy("Go to the budget"),
    "hardware-items": gettext_lazy("Go to the hardware and cloud items"),
    "milestones": gettext_lazy("Go to the milestones"),
}


# Whom a lane waits for when the next step is open (its guards hold) but belongs to someone else:
# said in the lane, as the guards' messages say it ("waiting for …"), instead of "nothing to do".
WAITING_FOR = {
    ("funding", "budget"): gettext_lazy("waiting for finance to confirm the budget from the lines entered"),
    ("funding", "allocate"): gettext_lazy("waiting for finance to allocate the funds"),
    ("funding", "settle"): gettext_lazy("waiting for finance to settle the project and record the final account"),
}


def waiting_for(project: Project, machine: str, *, available, blocked) -> list[dict]:
    """The next steps of `machine` that are open now but not `user`'s to take, worded as whom they wait for."""
    field = MACHINE_FIELDS[machine]
    state = getattr(project, field)
    out = []
    for name, spec in workflow.machine_spec(type(project), field).items():
        message = WAITING_FOR.get((machine, name))
        if message is None or name in available or name in blocked or state not in spec.sources:
            continue
        out.append({"name": name, "label": transition_label(machine, name), "message": str(message)})
    return out


def guard_reason(machine: str, condition) -> dict:
    """A guard as the page shows it: its message (who must act), and the anchor where that happens."""
    place = GUARD_PLACES.get(condition.__name__, f"lane-{machine}")
    return {"message": str(getattr(condition, "guard_message", condition.__name__)), "anchor": place,
            "link": str(PLACE_LABELS[place])}


# Bootstrap colours of the state chips: grey not begun, blue moving, amber attention, green done.
STATE_TONES = {
    "hardware": {"planning": "secondary", "requested": "info", "procuring": "primary", "delivered": "warning",
                 "accepted": "success", "not_required": "light border"},
    "funding": {"unfunded": "secondary", "budgeted": "info", "allocated": "primary", "disbursing": "warning",
                "settled": "success"},
    "development": {"not_started": "secondary", "requirements": "info", "design": "info", "building": "primary",
                    "testing": "warning", "acceptance": "warning", "delivered": "success"},
    "operations": {"not_started": "secondary", "trial": "info", "in_operation": "success", "upgrading": "primary",
                   "suspended": "danger", "retired": "dark"},
}
# The hardware lane is closed for new items once accepted or waived.
HARDWARE_CLOSED = (HardwareState.ACCEPTED, HardwareState.NOT_REQUIRED)
MACHINE_ICONS = {"hardware": "cpu", "funding": "cash-coin", "development": "code-slash", "operations": "activity"}


def transition_label(machine: str, name: str) -> str:
    return str(TRANSITION_LABELS.get((machine, name), name))


def chips(project: Project) -> list[dict]:
    """The four states of a project as coloured chips."""
    out = []
    for machine, field in MACHINE_FIELDS.items():
        state = getattr(project, field)
        out.append({
            "machine": machine,
            "machine_label": Machine(machine).label,
            "state": state,
            "label": workflow.state_label(project, field),
            "tone": STATE_TONES[machine].get(state, "secondary"),
            "icon": MACHINE_ICONS[machine],
        })
    return out


def timeline_entry(row, project: Project) -> dict:
    """One row of the merged history, worded for people: machine, transition and states by their labels."""
    is_project = row.content_type.model == "project" and row.object_id == project.pk
    if is_project and row.machine in MACHINE_FIELDS:
        states = dict(selectors.STATE_CHOICES[row.machine].choices)
        return {"row": row, "is_project": True, "subject": Machine(row.machine).label,
                "label": transition_label(row.machine, row.transition),
                "source": states.get(row.source, row.source), "target": states.get(row.target, row.target)}
    states = dict(DemandStatus.choices)
    return {"row": row, "is_project": is_project, "subject": row.object_repr, "label": demand_transition_label(row.transition),
            "source": states.get(row.source, row.source), "target": states.get(row.target, row.target)}


def demand_transition_label(name: str) -> str:
    """The demand machine's wording of a transition (the demands module owns it)."""
    try:
        from projects.demands.choices import transition_label as label
    except ImportError:
        return name
    return str(label(name))


def lanes(project: Project, user) -> list[dict]:
    """One lane per machine: its state, what `user` may do now (forward actions first, in the
    machine's order; backward and destructive ones apart, each with what it will do), and what a
    guard blocks: why, who must act, and a link to where that happens."""
    out = []
    for chip in chips(project):
        machine = chip["machine"]
        field = MACHINE_FIELDS[machine]
        available = workflow.available_transitions(project, field, user)
        blocked = selectors.blocking_conditions(project, field)
        out.append({
            **chip,
            "actions": [{"name": n, "label": transition_label(machine, n)} for n in available
                        if (machine, n) not in BACKWARD],
            # In a fixed order too (the least final first: suspend before retire).
            "backward": [{"name": n, "label": transition_label(machine, n), "consequence": text}
                         for (m, n), text in BACKWARD.items() if m == machine and n in available],
            "blocked": [{"name": n, "label": transition_label(machine, n),
                         "reasons": [guard_reason(machine, c) for c in conditions]}
                        for n, conditions in blocked.items()],
            "waiting": waiting_for(project, machine, available=available, blocked=blocked),
        })
    return out


def lane_facts(project: Project, hardware: list, milestones: list) -> dict:
    """What the hardware and development lanes rest on: the items and their delivery, the acceptance document."""
    pending = [h for h in hardware if h.status in ITEM_PENDING]
    acceptance = [m for m in milestones if m.kind == MilestoneKind.ACCEPTANCE]
    return {
        "items": len(hardware),
        "items_cost": sum((h.total_cost for h in hardware), Decimal("0")),
        "items_delivered": len(hardware) - len(pending),
        "acceptance": acceptance[0] if acceptance else None,
        "acceptance_documented": any(m.document for m in acceptance),
    }


@login_required
def project_list(request):
    """The projects this user may see, with the four states as chips; filters by state, organization, year."""
    user = request.user
    filterset = ProjectFilter(request.GET or None, queryset=selectors.projects_visible_to(user), request=request)
    qs = selectors.with_beneficiary_names(filterset.qs).order_by("-year", "-code")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = []
    for p in page:
        beneficiaries = [str(o) for o in p.beneficiary_orgs.all()]
        rows.append({
            "project": p, "chips": chips(p), "beneficiaries": beneficiaries[:3], "more": max(0, len(beneficiaries) - 3),
            "late": bool(p.planned_end and p.planned_end < today and p.development_status != DevelopmentState.DELIVERED),
        })
    status_filters = [
        {"name": MACHINE_FIELDS[m], "label": Machine(m).label,
         "choices": selectors.STATE_CHOICES[m].choices, "value": request.GET.get(MACHINE_FIELDS[m], "")}
        for m in MACHINE_FIELDS
    ]
    choices = selectors.filter_choices(user)
    selected_org, selected_year = request.GET.get("org", ""), request.GET.get("year", "")
    return render(request, "projects/projects/list.html", {
        "page": page,
        "rows": rows,
        "filter": filterset,
        "status_filters": status_filters,
        # Options prepared here: hundreds of organizations render faster without template logic.
        "org_options": [(str(pk), name, str(pk) == selected_org) for pk, name in choices["orgs"]],
        "year_options": [(str(y), str(y) == selected_year) for y in choices["years"]],
        "search": request.GET.get("search", ""),
        "late": request.GET.get("late", ""),
    })


@login_required
def project_detail(request, pk: int):
    """One project: four lanes, milestones, hardware, demands, budget summary and the merged history."""
    user = request.user
    project = selectors.project_page(user, pk)
    demands = project.visible_demands
    hardware = list(project.hardware_items.all())
    may_edit = perm.may_edit_project(project, user)
    attach_form = None
    if perm.may_attach_demand(project, user):
        attach_form = AttachDemandForm(demands=selectors.attachable_demands(user))
    timeline = [timeline_entry(row, project) for row in selectors.project_timeline(project, user)]
    milestones = list(project.milestones.all())
    may_drive = perm.may_drive_project(project, user)
    return render(request, "projects/projects/detail.html", {
        "project": project,
        "lanes": lanes(project, user),
        "facts": lane_facts(project, hardware, milestones),
        "may_drive": may_drive,
        "hardware_form": HardwareItemForm() if may_drive and project.hardware_status not in HARDWARE_CLOSED else None,
        "demands": demands,
        "hidden_demands": project.demand_count - len(demands),
        "hardware": hardware,
        "milestones": milestones,
        "beneficiaries": list(project.beneficiary_orgs.all()),
        "system": project.system if _has_system(project) else None,
        "budget": {
            "approved": project.approved_budget,
            "demanded": sum((d.budget_total for d in demands), Decimal("0")),
            "hardware": sum((h.total_cost for h in hardware), Decimal("0")),
        },
        "timeline": timeline,
        "may_edit": may_edit,
        "milestone_form": MilestoneForm() if may_edit else None,
        "attach_form": attach_form,
        # What higher apps contribute (budgets: the funding lane's figures and the money page link).
        "panels": panels.panels_for("projects.project", project, user),
    })


def _has_system(project) -> bool:
    try:
        return project.system is not None
    except Project.system.RelatedObjectDoesNotExist:
        return False


def _show_errors(request, form, err: WorkflowError) -> None:
    """Put a refusal's field errors on the form (or the message on the page)."""
    if isinstance(err, TransitionInvalid) and err.field_errors:
        for field, problems in err.field_errors.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    else:
        messages.error(request, err.message)


@login_required
@require_POST
def project_transition(request, pk: int):
    """Fire one transition of one machine from the project page; refusals come back as a message."""
    project = selectors.project_for(request.user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a machine and a transition."))
        return redirect("projects:project_detail", pk=project.pk)
    machine, name = form.cleaned_data["machine"], form.cleaned_data["name"]
    try:
        services.project_transition(project=project, machine=machine, name=name, actor=request.user,
                                    comment=form.cleaned_data["comment"])
    except WorkflowError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("%(machine)s: “%(transition)s” done; now “%(state)s”.") % {
            "machine": Machine(machine).label, "transition": transition_label(machine, name),
            "state": workflow.state_label(project, MACHINE_FIELDS[machine])})
    return redirect("projects:project_detail", pk=project.pk)


@login_required
def project_edit(request, pk: int):
    """Details of a project: name, manager, approved budget, planned and actual dates."""
    project = selectors.project_for(request.user, pk)
    if not perm.may_edit_project(project, request.user):
        raise Http404  # nothing to show a reader here; the project page has everything
    fields = services.EDITABLE_FIELDS
    stale = False
    if request.method == "POST":
        form = ProjectForm(request.POST)
        if form.is_valid():
            changes = {f: form.cleaned_data[f] for f in fields}
            changes["description"] = changes["description"] or ""
            try:
                # No version posted (an old form): treated as stale, never saved over a newer project.
                services.update_project(project, request.user, version=form.cleaned_data["version"], **changes)
            except StaleEdit as err:
                stale = True
                form.add_error(None, err.message)
            except WorkflowError as err:
                _show_errors(request, form, err)
            else:
                messages.success(request, _("Project details saved."))
                return redirect("projects:project_detail", pk=project.pk)
    else:
        form = ProjectForm(initial={**{f: getattr(project, f) for f in fields}, "version": edit_version(project)})
    return render(request, "projects/projects/edit.html", {"project": project, "form": form, "stale": stale})


@login_required
def milestone_add(request, pk: int):
    """A new milestone of the project (name, dates, acceptance document)."""
    project = selectors.project_for(request.user, pk)
    if not perm.may_edit_project(project, request.user):
        raise Http404
    initial = {"kind": MilestoneKind.ACCEPTANCE} if request.GET.get("kind") == MilestoneKind.ACCEPTANCE else None
    form = MilestoneForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_milestone(project, request.user, **form.cleaned_data)
        except WorkflowError as err:
            _show_errors(request, form, err)
        else:
            messages.success(request, _("Milestone added."))
            return redirect("projects:project_detail", pk=project.pk)
    return render(request, "projects/projects/milestone_form.html", {
        "project": project, "form": form, "milestone": None, "file_dropped": bool(request.FILES) and form.is_bound})


@login_required
def milestone_edit(request, pk: int):
    """Change a milestone: record its actual date, upload its acceptance document."""
    milestone = selectors.milestone_for(request.user, pk)
    project = milestone.project
    if not perm.may_edit_project(project, request.user):
        raise Http404
    if request.method == "POST":
        form = MilestoneForm(request.POST, request.FILES)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if not data.get("document"):
                data.pop("document", None)
            try:
                services.update_milestone(milestone, request.user, **data)
            except WorkflowError as err:
                _show_errors(request, form, err)
            else:
                messages.success(request, _("Milestone saved."))
                return redirect("projects:project_detail", pk=project.pk)
    else:
        form = MilestoneForm(initial={f: getattr(milestone, f) for f in ("name", "kind", "planned_date", "actual_date", "note")})
    return render(request, "projects/projects/milestone_form.html", {
        "project": project, "form": form, "milestone": milestone, "file_dropped": bool(request.FILES) and form.is_bound})


@login_required
@require_POST
def hardware_add(request, pk: int):
    """The project manager records a hardware or cloud item the project needs, with its cost."""
    project = selectors.project_for(request.user, pk)
    if not perm.may_drive_project(project, request.user):
        raise Http404
    form = HardwareItemForm(request.POST)
    if form.is_valid():
        try:
            item = services.add_hardware_item(project, request.user, **form.cleaned_data)
        except WorkflowError as err:
            _show_errors(request, form, err)
        else:
            messages.success(request, _("“%(item)s” recorded: %(count)s × %(cost)s.") % {
                "item": item.name, "count": item.quantity, "cost": cny(item.unit_cost)})
            return redirect(f"{reverse('projects:project_detail', args=[project.pk])}#hardware-items")
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, error if not label or str(label) in str(error) else f"{label}: {error}")
    return redirect(f"{reverse('projects:project_detail', args=[project.pk])}#hardware-items")


@login_required
@require_POST
def hardware_delivered(request, pk: int):
    """The project manager records that an item of the project has been delivered."""
    item = selectors.project_hardware_for(request.user, pk)
    if not perm.may_drive_project(item.project, request.user):
        raise Http404
    try:
        services.mark_hardware_delivered(item, request.user)
    except WorkflowError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("“%(item)s” is delivered.") % {"item": item.name})
    return redirect(f"{reverse('projects:project_detail', args=[item.project_id])}#hardware-items")


@login_required
def milestone_document(request, pk: int):
    """The acceptance document of a milestone, only for those who may see its project."""
    milestone = selectors.milestone_for(request.user, pk)
    if not milestone.document:
        raise Http404
    try:
        handle = milestone.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=PurePath(milestone.document.name).name)


@login_required
@require_POST
def project_attach_demand(request, pk: int):
    """A reviewer attaches an approved demand without a project to this project."""
    project = selectors.project_for(request.user, pk)
    form = AttachDemandForm(request.POST, demands=selectors.attachable_demands(request.user, limit=None))
    if not form.is_valid():
        messages.error(request, _("Choose an approved demand that is not yet part of a project."))
        return redirect("projects:project_detail", pk=project.pk)
    demand = form.cleaned_data["demand"]
    try:
        services.attach_demand_to_project(demand, project, request.user)
    except WorkflowError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Demand %(demand)s is now part of this project.") % {"demand": demand.code or demand.pk})
    return redirect("projects:project_detail", pk=project.pk)


@login_required
def portfolio(request):
    """Leadership's view: how many projects sit in each stage of each machine, and which are late."""
    data = selectors.portfolio(request.user)
    for stage in data["stages"]:
        for state in stage["states"]:
            state["tone"] = STATE_TONES[stage["machine"]].get(state["state"], "secondary")
        stage["label"] = Machine(stage["machine"]).label
        stage["icon"] = MACHINE_ICONS[stage["machine"]]
    late_rows = [{"project": p, "chips": chips(p)} for p in data["late"]]
    return render(request, "projects/projects/portfolio.html", {**data, "late_rows": late_rows})
