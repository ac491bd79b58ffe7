"""Pages of the catalogue: systems, capabilities, data resources, hardware, import and export.

Reads go through assets.selectors, writes through assets.services; a page never filters by user
or saves a model itself.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from core import panels

from . import selectors, services
from .choices import HISTORY_LABELS
from .filters import DataResourceFilter, HardwareFilter, SystemFilter
from .forms import DataResourceForm, HardwareForm, ImportForm, SystemForm
from .importing import (
    KIND_LABELS,
    MAX_REPORTED_ERRORS,
    MAX_ROWS,
    XLSX_CONTENT_TYPE,
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
from .models import Capability, DataResource, HardwareItem, ImportPreview, InformationSystem
from .permissions import may_change_data_resource, may_change_hardware, may_change_system, may_edit_catalogue
from .resources import RESOURCES

PAGE_SIZE = 30

LIST_URLS = {"systems": "assets:system_list", "data-resources": "assets:data_resource_list", "hardware": "assets:hardware_list"}
FILTERS = {"systems": SystemFilter, "data-resources": DataResourceFilter, "hardware": HardwareFilter}


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _history_entries(rows, model):
    """Audit rows as the history table shows them: what happened and which fields changed."""
    entries = []
    for row in rows:
        changes = []
        for name, (old, new) in (row.payload or {}).get("changes", {}).items():
            try:
                label = model._meta.get_field(name).verbose_name
            except FieldDoesNotExist:
                label = name
            changes.append({"field": label, "old": _plain(old), "new": _plain(new)})
        entries.append({"row": row, "label": HISTORY_LABELS.get(row.transition, row.transition), "changes": changes,
                        "org": (row.payload or {}).get("org", "")})
    return entries


def _plain(value) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return "" if value is None else str(value)


# ---------------------------------------------------------------- systems


@login_required
def system_list(request):
    """The searchable, filterable catalogue of systems (everyone signed in)."""
    filterset = SystemFilter(request.GET or None, queryset=selectors.systems_for_catalogue(request.user).order_by("code"),
                             request=request)
    page = _page(request, filterset.qs)
    return render(request, "assets/system_list.html", {
        "filter": filterset, "page": page, "may_edit": may_edit_catalogue(request.user),
        "query": request.GET.copy().urlencode() if request.GET else "",
    })


@login_required
def system_detail(request, pk: int):
    system = selectors.system_for_page(request.user, pk)
    if system is None:
        raise Http404
    history = list(selectors.system_history(system)[:100])
    return render(request, "assets/system_detail.html", {
        "system": system,
        "users_by_city": selectors.system_users_by_city(system),
        "panels": panels.panels_for("assets.system", system, request.user),
        "hardware": list(selectors.hardware_visible_to(request.user).filter(system=system)),
        "history": _history_entries(history, InformationSystem),
        "may_change": may_change_system(request.user, system),
    })


def _system_form_data(form) -> dict:
    data = dict(form.cleaned_data)
    return data


@login_required
def system_create(request):
    if not may_edit_catalogue(request.user):
        raise PermissionDenied
    form = SystemForm(request.POST or None, user=request.user,
                      initial={"owner_org": request.user.organization_id})
    if request.method == "POST" and form.is_valid():
        data = _system_form_data(form)
        try:
            system = services.create_system(actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("System %(code)s added to the catalogue.") % {"code": system.code})
            return redirect("assets:system_detail", pk=system.pk)
    return render(request, "assets/system_form.html", {"form": form, "system": None})


@login_required
def system_edit(request, pk: int):
    system = get_object_or_404(InformationSystem.objects.select_related("owner_org", "project"), pk=pk)
    if not may_change_system(request.user, system):
        raise PermissionDenied(services.OWN_ORG_ONLY)
    # The form works on its own copy, so that the service sees what changed.
    form = SystemForm(request.POST or None, instance=InformationSystem.objects.get(pk=pk), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = _system_form_data(form)
        if system.project_id:
            data.pop("status", None)
        try:
            services.update_system(system, actor=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("System %(code)s saved.") % {"code": system.code})
            return redirect("assets:system_detail", pk=system.pk)
    return render(request, "assets/system_form.html", {"form": form, "system": system})


# ---------------------------------------------------------------- capabilities


@login_required
def capability_list(request):
    return render(request, "assets/capability_list.html", {"capabilities": selectors.capabilities_for_catalogue(request.user)})


@login_required
def capability_detail(request, code: str):
    capability = get_object_or_404(Capability, code=code)
    systems = selectors.systems_providing(request.user, capability)
    return render(request, "assets/capability_detail.html", {
        "capability": capability, "page": _page(request, systems), "may_edit": may_edit_catalogue(request.user),
    })


# ---------------------------------------------------------------- data resources


@login_required
def data_resource_list(request):
    filterset = DataResourceFilter(request.GET or None, queryset=selectors.data_resources_for_catalogue(request.user).order_by("code"),
                                   request=request)
    return render(request, "assets/data_resource_list.html", {
        "filter": filterset, "page": _page(request, filterset.qs), "may_edit": may_edit_catalogue(request.user),
        "query": request.GET.copy().urlencode() if request.GET else "",
    })


@login_required
def data_resource_detail(request, pk: int):
    resource = get_object_or_404(selectors.data_resources_for_catalogue(request.user), pk=pk)
    from core.workflow import history_for

    return render(request, "assets/data_resource_detail.html", {
        "resource": resource,
        "panels": panels.panels_for("assets.data_resource", resource, request.user),
        "history": _history_entries(history_for(resource).order_by("-at", "-pk")[:50], DataResource),
        "may_change": may_change_data_resource(request.user, resource),
    })


@login_required
def data_resource_create(request):
    if not may_edit_catalogue(request.user):
        raise PermissionDenied
    form = DataResourceForm(request.POST or None, user=request.user, initial={"owner_org": request.user.organization_id})
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.create_data_resource(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Data resource %(code)s added.") % {"code": resource.code})
            return redirect("assets:data_resource_detail", pk=resource.pk)
    return render(request, "assets/data_resource_form.html", {"form": form, "resource": None})


@login_required
def data_resource_edit(request, pk: int):
    resource = get_object_or_404(DataResource.objects.select_related("owner_org"), pk=pk)
    if not may_change_data_resource(request.user, resource):
        raise PermissionDenied(services.OWN_ORG_ONLY)
    form = DataResourceForm(request.POST or None, instance=DataResource.objects.get(pk=pk), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_data_resource(resource, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Data resource %(code)s saved.") % {"code": resource.code})
            return redirect("assets:data_resource_detail", pk=resource.pk)
    return render(request, "assets/data_resource_form.html", {"form": form, "resource": resource})


# ---------------------------------------------------------------- hardware


@login_required
def hardware_list(request):
    """Hardware and cloud resources the user may see, with their total cost."""
    filterset = HardwareFilter(request.GET or None, queryset=selectors.hardware_visible_to(request.user).order_by("pk"), request=request)
    qs = filterset.qs
    total = qs.aggregate(total=Sum(ExpressionWrapper(F("unit_cost") * F("quantity"), output_field=DecimalField(max_digits=18, decimal_places=2))))["total"]
    page = _page(request, qs)
    for item in page:
        item.may_change = may_change_hardware(request.user, item)
    return render(request, "assets/hardware_list.html", {
        "filter": filterset, "page": page, "total": total, "may_edit": may_edit_catalogue(request.user),
        "query": request.GET.copy().urlencode() if request.GET else "",
    })


@login_required
def hardware_create(request):
    if not may_edit_catalogue(request.user):
        raise PermissionDenied
    initial = {}
    if request.GET.get("system"):
        initial["system"] = selectors.changeable_systems(request.user).filter(code=request.GET["system"]).first()
    form = HardwareForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_hardware(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error("system", str(exc) or services.OWN_ORG_ONLY)
        else:
            messages.success(request, gettext("Hardware item added."))
            return redirect("assets:hardware_list")
    return render(request, "assets/hardware_form.html", {"form": form, "item": None})


@login_required
def hardware_edit(request, pk: int):
    item = get_object_or_404(selectors.hardware_visible_to(request.user), pk=pk)
    if not may_change_hardware(request.user, item):
        raise PermissionDenied(services.OWN_ORG_ONLY)
    form = HardwareForm(request.POST or None, instance=HardwareItem.objects.get(pk=pk), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_hardware(item, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Hardware item saved."))
            return redirect("assets:hardware_list")
    return render(request, "assets/hardware_form.html", {"form": form, "item": item})


# ---------------------------------------------------------------- import and export


def _kind_or_404(kind: str) -> str:
    if kind not in RESOURCES:
        raise Http404
    return kind


TOKEN = re.compile(r"^[0-9a-f]{32}$")


@login_required
def import_upload(request, kind: str):
    """Upload a file and see what it would create and change (nothing is saved yet)."""
    _kind_or_404(kind)
    if not may_edit_catalogue(request.user):
        raise PermissionDenied
    report, token = None, None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        report = run_import(kind, request.user, content, upload.name, commit=False)
        if report.ok and (report.new or report.updated):
            # What was read is kept (not the workbook): the commit imports exactly the rows previewed.
            storage = tmp_storage()
            storage.save(table_bytes(report.table))
            token = storage.name
            ImportPreview.objects.create(token=token, kind=kind, user=request.user, filename=upload.name[:255])
    return _import_page(request, kind, form, report, token)


def _import_page(request, kind, form, report, token, status=200):
    return render(request, "assets/import.html", {
        "kind": kind, "kind_label": KIND_LABELS[kind], "form": form, "report": report, "token": token,
        "max_rows": MAX_ROWS, "max_errors": MAX_REPORTED_ERRORS, "list_url": reverse(LIST_URLS[kind]),
    }, status=status)


@login_required
@require_POST
def import_confirm(request, kind: str):
    """Import the previewed file for real: all rows, or none when any row is wrong now."""
    _kind_or_404(kind)
    if not may_edit_catalogue(request.user):
        raise PermissionDenied
    token = request.POST.get("token", "")
    expired = gettext("This preview has expired. Upload the file again.")
    # The preview row is locked for the whole import: a second confirm of the same preview
    # (double click, another tab or process) waits here, then finds it done.
    with transaction.atomic():
        preview = (ImportPreview.objects.select_for_update().filter(token=token, kind=kind, user=request.user).first()
                   if TOKEN.match(token) else None)
        if preview is None:
            messages.error(request, expired)
            return redirect("assets:import", kind=kind)
        if preview.done_at is not None:
            messages.warning(request, format_html(
                '{} <a href="{}" data-testid="import-result">{}</a>',
                gettext("This import was already done (%(file)s: %(new)d added, %(updated)d changed, %(unchanged)d unchanged).") % {
                    "file": preview.filename, "new": preview.new, "updated": preview.updated, "unchanged": preview.unchanged},
                reverse(LIST_URLS[kind]), gettext("See the result"),
            ))
            return redirect("assets:import", kind=kind)
        storage = tmp_storage(token)
        try:
            table = table_from_bytes(storage.read())
        except (OSError, ValueError, KeyError):
            preview.delete()
            messages.error(request, expired)
            return redirect("assets:import", kind=kind)
        report = import_table(kind, request.user, table, preview.filename, commit=True)
        if not report.ok:
            return _import_page(request, kind, ImportForm(), report, None, status=400)
        preview.done_at = timezone.now()
        preview.new, preview.updated, preview.unchanged = report.new, report.updated, report.unchanged
        preview.save(update_fields=["done_at", "new", "updated", "unchanged"])
        transaction.on_commit(storage.remove)
    messages.success(request, gettext("Imported %(file)s: %(new)d added, %(updated)d changed, %(unchanged)d unchanged.") % {
        "file": preview.filename, "new": report.new, "updated": report.updated, "unchanged": report.unchanged})
    return redirect(LIST_URLS[kind])


@login_required
def export(request, kind: str):
    """The rows the user sees (with the list's filters) as xlsx or csv."""
    _kind_or_404(kind)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404
    resource = RESOURCES[kind](user=request.user)
    params = request.GET.copy()
    params.pop("format", None)
    params.pop("page", None)
    queryset = FILTERS[kind](params or None, queryset=resource.get_queryset(), request=request).qs
    data = dataset_bytes(export_dataset(kind, request.user, queryset), fmt)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(kind, fmt)}"'
    return response


@login_required
def import_template(request, kind: str):
    """An empty workbook with the columns and a sheet that explains them."""
    _kind_or_404(kind)
    response = HttpResponse(template_book(kind), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response
