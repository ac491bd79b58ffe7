"""Finance pages: the budget overview, the disbursement queue (bulk approve, pay, reject), a
project's money page, budget changes, the savings ledger, and the imports of lines and
disbursements (the catalogue's import flow: preview, confirm once, nothing saved on any error).

Reads through budgets.selectors and projects' selectors (invisible → 404); writes through
budgets.services (the doorway for every state change).
"""

import re
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from assets.forms import ImportForm
from assets.importing import (
    MAX_REPORTED_ERRORS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    XLSX_CONTENT_TYPE,
    ImportReport,
    dataset_bytes,
    export_dataset,
    export_filename,
    import_table,
    run_import,
    table_bytes,
    table_from_bytes,
    template_book,
    tmp_storage,
)
from assets.models import ImportPreview
from core import drafts, workflow
from core.errors import WorkflowError
from core.http import object_id
from projects.delivery.selectors import project_for

from . import permissions as perm
from . import selectors, services
from .choices import BudgetChangeState, DisbursementState
from .filters import DisbursementFilter, SavingsFilter
from .forms import BudgetChangeForm, BudgetLineForm, DecisionForm, DisbursementForm, PartialAllocationForm
from .resources import RESOURCES, formula_cells

KIND_NAMES = {"budget-lines": gettext_lazy("budget lines"), "disbursements": gettext_lazy("disbursements")}
TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _finance_reader(user):
    if not perm.may_view_finance(user):
        raise PermissionDenied


def _finance(user):
    if not perm.may_work_queue(user):
        raise PermissionDenied


@login_required
def overview(request):
    """Budgeted, paid and the execution rate by year, organization, source and category."""
    _finance_reader(request.user)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
    data = selectors.overview(request.user, year=year)
    return render(request, "budgets/overview.html", {**data, "year": year})


@login_required
def queue(request):
    """Disbursements waiting for finance; approve, pay or reject several at once (each row through the doorway)."""
    _finance(request.user)
    outcomes = None
    if request.method == "POST":
        form = DecisionForm(request.POST)
        ids = [object_id(v) for v in request.POST.getlist("ids")[:500]]
        if form.is_valid() and ids:
            chosen = list(selectors.disbursements_visible_to(request.user).filter(pk__in=ids).order_by("pk"))
            outcomes = services.bulk_disbursement_transition(disbursements=chosen, name=form.cleaned_data["name"], actor=request.user,
                                                             comment=form.cleaned_data["comment"])
            done = sum(1 for o in outcomes if o.ok)
            if done:
                messages.success(request, _("%(n)d of %(total)d disbursements done.") % {"n": done, "total": len(outcomes)})
            for o in outcomes:
                if not o.ok:
                    messages.error(request, f"{o.voucher_no}: {o.message}")
            return redirect(f"{reverse('budgets:queue')}?{request.GET.urlencode()}")
        messages.error(request, _("Choose at least one disbursement and what to do."))
    filterset = DisbursementFilter(request.GET or None, queryset=selectors.disbursements_visible_to(request.user), request=request)
    qs = filterset.qs if request.GET.get("status") else filterset.qs.filter(status__in=(DisbursementState.REQUESTED, DisbursementState.APPROVED))
    page = Paginator(qs.order_by("date", "pk"), 100).get_page(request.GET.get("page"))
    return render(request, "budgets/queue.html", {"page": page, "filter": filterset, "status": request.GET.get("status", ""),
                                                  "states": DisbursementState.choices, "outcomes": outcomes})


@login_required
@require_POST
def disbursement_transition(request, pk: int):
    disbursement = selectors.disbursement_for(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do."))
    else:
        try:
            services.disbursement_transition(disbursement=disbursement, name=form.cleaned_data["name"], actor=request.user,
                                             comment=form.cleaned_data["comment"])
        except WorkflowError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("Disbursement %(no)s: now “%(state)s”.") % {
                "no": disbursement.voucher_no, "state": disbursement.get_status_display()})
    return redirect("budgets:project_money", pk=disbursement.budget_line.project_id)


# A refused form of the money page keeps what was typed: the page shows it once more (core.drafts).
DRAFT_KEY = "budgets_money_draft"


def _keep_draft(request, project_id: int, form: str, fields) -> None:
    drafts.keep(request, DRAFT_KEY, owner=project_id, form=form, values={f: request.POST.get(f, "") for f in fields})


def with_decisions(changes, user) -> None:
    """Each change's actions for `user`, and why approve is not among them when a guard blocks it."""
    for change in changes:
        change.actions = workflow.available_transitions(change, "status", user)
        blocked = workflow.blocked_transitions(change, "status", user).get("approve", [])
        if blocked:
            total = services.lines_total(change.project_id)
            change.approve_blocked = [*blocked, _("the project's budget lines add up to %(total)s") % {"total": f"{total:,.2f}"}]


@login_required
def project_money(request, pk: int):
    """One project's money: the funding figures, the lines, disbursements, budget changes and the final account."""
    project = project_for(request.user, pk)
    user = request.user
    draft = drafts.take(request, DRAFT_KEY, owner=project.pk)
    data = selectors.project_money_page(user, project)
    for obj in data["disbursements"]:
        obj.actions = workflow.available_transitions(obj, "status", user)
    with_decisions(data["changes"], user)
    manages = perm.may_manage_money(user)
    lines = data["money"].lines
    edits_lines = perm.may_edit_budget_lines(project, user) and project.funding_status != "settled"
    if edits_lines:
        for line in lines:  # each line's own form, filled with its values (ids apart per line), or with what was typed
            typed = drafts.values_for(draft, f"line{line.pk}")
            line.form = BudgetLineForm(auto_id=f"line{line.pk}_%s", initial=typed or {
                "fiscal_year": line.fiscal_year, "source": line.source, "category": line.category, "amount": line.amount, "note": line.note})
            line.draft = typed is not None
            line.deletable = not (line.requested or line.held or line.has_rejected)
    typed_line, typed_disbursement, typed_change = (drafts.values_for(draft, f) for f in ("line", "disbursement", "change"))
    return render(request, "budgets/project_money.html", {
        **data, "project": project, "manages": manages, "edits_lines": edits_lines,
        "line_form": BudgetLineForm(initial=typed_line) if edits_lines else None, "line_draft": typed_line is not None,
        "disbursement_form": DisbursementForm(lines=lines, milestones=project.milestones.all(), initial=typed_disbursement)
        if manages and lines else None,
        "disbursement_draft": typed_disbursement is not None,
        "partial_form": PartialAllocationForm(initial=drafts.values_for(draft, "partial")) if manages else None,
        "change_form": BudgetChangeForm(initial=typed_change) if perm.may_propose_budget_change(project, user) else None,
    })


def _post_service(request, project, call):
    try:
        call()
    except WorkflowError as err:
        messages.error(request, err.message)
        return False
    return True


def _form_errors(request, form):
    for field, errors in form.errors.items():
        for e in errors:
            messages.error(request, e if field == "__all__" else f"{form.fields[field].label}: {e}" if not str(e).startswith(str(form.fields[field].label)) else e)


def _line_editor(user, project):
    if not perm.may_edit_budget_lines(project, user):
        raise PermissionDenied


@login_required
@require_POST
def line_add(request, pk: int):
    project = project_for(request.user, pk)
    _line_editor(request.user, project)
    form = BudgetLineForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        _keep_draft(request, project.pk, "line", form.fields)
    elif _post_service(request, project, lambda: services.add_budget_line(project=project, actor=request.user, **form.cleaned_data)):
        messages.success(request, _("Budget line added."))
    else:
        _keep_draft(request, project.pk, "line", form.fields)
    return redirect("budgets:project_money", pk=project.pk)


@login_required
@require_POST
def line_edit(request, pk: int):
    """Correct a line's year, source, category, amount or note (the import's rules; logged)."""
    line = selectors.line_for(request.user, pk)
    _line_editor(request.user, line.project)
    form = BudgetLineForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        _keep_draft(request, line.project_id, f"line{line.pk}", form.fields)
    elif _post_service(request, line.project, lambda: services.update_budget_line(line=line, actor=request.user, **form.cleaned_data)):
        messages.success(request, _("Budget line saved."))
    else:
        _keep_draft(request, line.project_id, f"line{line.pk}", form.fields)
    return redirect("budgets:project_money", pk=line.project_id)


@login_required
@require_POST
def line_delete(request, pk: int):
    """Delete a line nothing was requested against (logged)."""
    line = selectors.line_for(request.user, pk)
    _line_editor(request.user, line.project)
    if _post_service(request, line.project, lambda: services.delete_budget_line(line=line, actor=request.user)):
        messages.success(request, _("Budget line deleted."))
    return redirect("budgets:project_money", pk=line.project_id)


@login_required
@require_POST
def disbursement_add(request, pk: int):
    project = project_for(request.user, pk)
    _finance(request.user)
    lines = list(project.budget_lines.all())
    milestones = list(project.milestones.all())
    form = DisbursementForm(request.POST, lines=lines, milestones=milestones)
    if not form.is_valid():
        _form_errors(request, form)
        _keep_draft(request, project.pk, "disbursement", form.fields)
    else:
        data = form.cleaned_data
        line = next(line for line in lines if line.pk == data["budget_line"])
        milestone = next((m for m in milestones if m.pk == data["milestone"]), None)
        if _post_service(request, project, lambda: services.request_disbursement(
                line=line, actor=request.user, amount=data["amount"], voucher_no=data["voucher_no"], payee=data["payee"],
                date=data["date"], purpose=data["purpose"], milestone=milestone)):
            messages.success(request, _("Disbursement requested."))
        else:
            _keep_draft(request, project.pk, "disbursement", form.fields)
    return redirect("budgets:project_money", pk=project.pk)


@login_required
@require_POST
def partial_allocation(request, pk: int):
    project = project_for(request.user, pk)
    _finance(request.user)
    form = PartialAllocationForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        _keep_draft(request, project.pk, "partial", form.fields)
    elif _post_service(request, project, lambda: services.record_partial_allocation(project=project, actor=request.user,
                                                                                    reason=form.cleaned_data["reason"])):
        messages.success(request, _("Partial allocation recorded: the funds can now be allocated."))
    else:
        _keep_draft(request, project.pk, "partial", form.fields)
    return redirect("budgets:project_money", pk=project.pk)


@login_required
@require_POST
def budget_change_propose(request, pk: int):
    project = project_for(request.user, pk)
    if not perm.may_propose_budget_change(project, request.user):
        raise PermissionDenied
    form = BudgetChangeForm(request.POST, request.FILES)
    typed = ("new_amount", "reason")  # a file cannot be put back in its box: it is chosen again
    if not form.is_valid():
        _form_errors(request, form)
        _keep_draft(request, project.pk, "change", typed)
    elif _post_service(request, project, lambda: services.propose_budget_change(
            project=project, actor=request.user, new_amount=form.cleaned_data["new_amount"], reason=form.cleaned_data["reason"],
            document=form.cleaned_data.get("document"))):
        messages.success(request, _("Budget change proposed: a provincial approver decides on it."))
    else:
        _keep_draft(request, project.pk, "change", typed)
    return redirect("budgets:project_money", pk=project.pk)


@login_required
def budget_change_list(request):
    """Budget changes of the projects the user may see; proposed ones first (the approver's queue)."""
    if not perm.may_view_budget_changes(request.user):
        raise PermissionDenied
    qs = selectors.budget_changes_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in BudgetChangeState.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-pk"), 50).get_page(request.GET.get("page"))
    with_decisions(page, request.user)
    return render(request, "budgets/budget_changes.html", {"page": page, "status": status,
                                                           "states": BudgetChangeState.choices})


@login_required
@require_POST
def budget_change_decide(request, pk: int):
    change = selectors.budget_change_for(request.user, pk)
    name = request.POST.get("name", "")
    try:
        services.budget_change_transition(change=change, name=name, actor=request.user, comment=request.POST.get("comment", "")[:2000])
    except WorkflowError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Budget change of %(code)s: now “%(state)s”.") % {
            "code": change.project.code, "state": change.get_status_display()})
    return redirect(request.POST.get("next") == "project" and reverse("budgets:project_money", args=[change.project_id])
                    or reverse("budgets:budget_changes"))


@login_required
def budget_change_document(request, pk: int):
    change = selectors.budget_change_for(request.user, pk)
    if not change.document:
        raise Http404
    try:
        handle = change.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=PurePath(change.document.name).name)


@login_required
def savings(request):
    """The savings ledger: totals by year, organization, city and reason, and the entries that make them up."""
    _finance_reader(request.user)
    filterset = SavingsFilter(request.GET or None, queryset=selectors.savings_visible_to(request.user), request=request)
    qs = filterset.qs
    totals = selectors.savings_totals(request.user, qs)
    page = Paginator(qs.order_by("-pk"), 100).get_page(request.GET.get("page"))
    return render(request, "budgets/savings.html", {"page": page, "filter": filterset, "totals": totals})


# ---------------------------------------------------------------- import and export


def _kind(kind: str) -> str:
    if kind not in RESOURCES:
        raise Http404
    return kind


def _import_page(request, kind, form, report, token, status=200):
    return render(request, "budgets/import.html", {
        "kind": kind, "kind_label": KIND_NAMES[kind], "form": form, "report": report, "token": token,
        "max_rows": MAX_ROWS, "max_errors": MAX_REPORTED_ERRORS, "list_url": reverse("budgets:overview"),
    }, status=status)


# What a multipart request may carry beyond the file itself (boundaries, headers, the CSRF token).
MULTIPART_MARGIN = 64 * 1024


def _request_too_large(request) -> int | None:
    """The declared size of the request when it cannot hold a file the import accepts, else None."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    return length if length > MAX_UPLOAD_BYTES + MULTIPART_MARGIN else None


@csrf_exempt  # the size is checked before anything reads the body; the view below checks the CSRF token
@login_required
def import_upload(request, kind: str):
    """Upload budget lines or disbursements and see what the file would do (nothing saved yet).

    A request too large for any acceptable file is refused from its declared length, before the
    body is read: neither the multipart form nor the workbook is parsed (the form's own check by
    the file's size stays, for uploads whose length is not declared)."""
    _kind(kind)
    _finance(request.user)
    too_large = _request_too_large(request) if request.method == "POST" else None
    if too_large is not None:
        report = ImportReport(kind=kind)
        report.file_errors.append(_("The file is %(size).1f MB; files of at most %(max)d MB can be imported.") % {
            "size": too_large / 1024 / 1024, "max": MAX_UPLOAD_BYTES // 1024 // 1024})
        return _import_page(request, kind, ImportForm(), report, None, status=413)
    return _import_upload(request, kind)


@csrf_protect
def _import_upload(request, kind: str):
    report, token = None, None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        cells = formula_cells(content)
        if cells:
            report = ImportReport(kind=kind, filename=upload.name)
            report.file_errors.append(_("The file contains formulas (cells %(cells)s): import values only. "
                                        "Copy the cells and paste them as values, then upload again.") % {"cells": "、".join(cells)})
        else:
            report = run_import(kind, request.user, content, upload.name, commit=False, resource_class=RESOURCES[kind])
        if report.ok and (report.new or report.updated):
            storage = tmp_storage()
            storage.save(table_bytes(report.table))
            token = storage.name
            ImportPreview.objects.create(token=token, kind=kind, user=request.user, filename=upload.name[:255])
    return _import_page(request, kind, form, report, token)


@login_required
@require_POST
def import_confirm(request, kind: str):
    """Import the previewed rows for real, once: all of them, or none when any row is wrong now."""
    _kind(kind)
    _finance(request.user)
    token = request.POST.get("token", "")
    expired = _("This preview has expired. Upload the file again.")
    with transaction.atomic():
        preview = (ImportPreview.objects.select_for_update().filter(token=token, kind=kind, user=request.user).first()
                   if TOKEN.match(token) else None)
        if preview is None:
            messages.error(request, expired)
            return redirect("budgets:import", kind=kind)
        if preview.done_at is not None:
            messages.warning(request, _("This import was already done (%(file)s: %(new)d added, %(updated)d changed, %(unchanged)d unchanged).") % {
                "file": preview.filename, "new": preview.new, "updated": preview.updated, "unchanged": preview.unchanged})
            return redirect("budgets:import", kind=kind)
        storage = tmp_storage(token)
        try:
            table = table_from_bytes(storage.read())
        except (OSError, ValueError, KeyError):
            preview.delete()
            messages.error(request, expired)
            return redirect("budgets:import", kind=kind)
        report = import_table(kind, request.user, table, preview.filename, commit=True, resource_class=RESOURCES[kind])
        if not report.ok:
            transaction.set_rollback(True)
            return _import_page(request, kind, ImportForm(), report, None, status=400)
        preview.done_at = timezone.now()
        preview.new, preview.updated, preview.unchanged = report.new, report.updated, report.unchanged
        preview.save(update_fields=["done_at", "new", "updated", "unchanged"])
        transaction.on_commit(storage.remove)
    messages.success(request, _("Imported %(file)s: %(new)d added, %(updated)d changed, %(unchanged)d unchanged.") % {
        "file": preview.filename, "new": report.new, "updated": report.updated, "unchanged": report.unchanged})
    return redirect("budgets:overview")


@login_required
def import_template(request, kind: str):
    _kind(kind)
    _finance(request.user)
    response = HttpResponse(template_book(kind, resource_class=RESOURCES[kind]), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response


@login_required
def export(request, kind: str):
    """The lines or disbursements the user sees, as xlsx or csv (the import's columns: a round trip)."""
    _kind(kind)
    _finance_reader(request.user)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404
    resource_class = RESOURCES[kind]
    queryset = resource_class(user=request.user).get_queryset()
    data = dataset_bytes(export_dataset(kind, request.user, queryset, resource_class=resource_class), fmt)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(kind, fmt)}"'
    return response


