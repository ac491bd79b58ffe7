""""Export what I see" of every list page: the same selector, the same filters, the same order, and
the same workbook code as the reports (reports/xlsx.py), so an export looks like a report.

Each list names the selector and filter its page uses; the view passes the page's query string.
The export is written while the request waits (constant memory); the registers of the whole
province go through the report jobs instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assets import selectors as catalogue
from assets.filters import DataResourceFilter, HardwareFilter, SystemFilter
from budgets import permissions as money_permissions
from budgets import selectors as money
from budgets.choices import DisbursementState
from budgets.filters import DisbursementFilter, SavingsFilter
from projects.delivery.filters import ProjectFilter
from projects.delivery.selectors import projects_visible_to
from projects.demands.filters import filter_demands
from projects.demands.selectors import QUEUE_ROLES, demand_rows, review_queue_for

from . import tables
from .builders.money import disbursement_table, savings_table
from .headings import issuing_authority
from .xlsx import Workbook

IGNORED = ("page", "format")


@dataclass(frozen=True)
class ListExport:
    title: object  # lazy text
    table: callable  # (request, params) -> tables.Table


def _params(request):
    params = request.GET.copy()
    for key in IGNORED:
        params.pop(key, None)
    return params


def _demands(request, params):
    return tables.demand_table(filter_demands(demand_rows(request.user), params, default_sort="created").qs, keep_order=True)


def _queue(request, params):
    user = request.user
    if not (user.is_superuser or user.role in QUEUE_ROLES):
        raise PermissionDenied
    return tables.demand_table(filter_demands(review_queue_for(user), params, default_sort="waiting").qs, keep_order=True)


def _projects(request, params):
    qs = ProjectFilter(params or None, queryset=projects_visible_to(request.user), request=request).qs.order_by("-year", "-code")
    return tables.project_table(qs, keep_order=True)


def _systems(request, params):
    qs = SystemFilter(params or None, queryset=catalogue.systems_for_catalogue(request.user).order_by("code"), request=request).qs
    return tables.system_table(qs, keep_order=True)


def _data_resources(request, params):
    qs = DataResourceFilter(params or None, queryset=catalogue.data_resources_for_catalogue(request.user).order_by("code"),
                            request=request).qs
    return tables.data_resource_table(qs, keep_order=True)


def _hardware(request, params):
    qs = HardwareFilter(params or None, queryset=catalogue.hardware_visible_to(request.user).order_by("pk"), request=request).qs
    return tables.hardware_table(qs, keep_order=True)


def _savings(request, params):
    if not money_permissions.may_view_finance(request.user):
        raise PermissionDenied
    qs = SavingsFilter(params or None, queryset=money.savings_visible_to(request.user), request=request).qs.order_by("-pk")
    return savings_table(qs, keep_order=True)[0]


def _disbursements(request, params):
    """The disbursement queue as its page shows it: open ones unless a status is chosen, oldest first."""
    if not money_permissions.may_work_queue(request.user):
        raise PermissionDenied
    filterset = DisbursementFilter(params or None, queryset=money.disbursements_visible_to(request.user), request=request)
    qs = filterset.qs if params.get("status") else filterset.qs.filter(status__in=(DisbursementState.REQUESTED, DisbursementState.APPROVED))
    return disbursement_table(qs.order_by("date", "pk"))


LISTS: dict[str, ListExport] = {
    "demands": ListExport(gettext_lazy("Demands"), _demands),
    "queue": ListExport(gettext_lazy("Review queue"), _queue),
    "projects": ListExport(gettext_lazy("Projects"), _projects),
    "systems": ListExport(gettext_lazy("System catalogue"), _systems),
    "data-resources": ListExport(gettext_lazy("Data resources"), _data_resources),
    "hardware": ListExport(gettext_lazy("Hardware and cloud resources"), _hardware),
    "savings": ListExport(gettext_lazy("Savings ledger"), _savings),
    "disbursements": ListExport(gettext_lazy("Disbursement queue"), _disbursements),
}


def describe_params(params) -> list[tuple[str, str]]:
    """The list's filters as the title block shows them (the query string's names and values)."""
    return [(key, "、".join(values)) for key, values in params.lists() if any(v.strip() for v in values)]


def export_list(request, name: str, generated_at) -> tuple[bytes, str]:
    """(xlsx bytes, file name) of list `name` as `request.user` sees it with the request's filters."""
    spec = LISTS[name]
    params = _params(request)
    table = spec.table(request, params)
    title = _("%(list)s (exported list)") % {"list": spec.title}
    book = Workbook(title=title, authority=issuing_authority(), generated_at=generated_at, filters=describe_params(params))
    book.add_table(str(spec.title), table.columns, table.rows, title=title)
    return book.close(), f"{name}-{generated_at:%Y%m%d-%H%M}.xlsx"
