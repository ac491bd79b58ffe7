"""The columns and rows of each register, in the reader's language: one definition shared by the
reports (reports/builders) and the "export what I see" of every list page (reports/exports.py).

Rows are read with `values_list` in chunks (no model instance per row) and the capabilities and
beneficiaries of each chunk in one query, so a 100,000-row register costs about 2 + rows/2,000
queries and little memory. Choice codes become their labels, organizations and capabilities their
names in the active language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

from django.db.models import QuerySet
from django.db.models.functions import TruncDate
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assets.choices import (
    BuildMode,
    HardwareKind,
    HardwareLocation,
    HardwareStatus,
    Opening,
    Sharing,
    SystemStatus,
    UpdateFrequency,
)
from assets.models import Capability, InformationSystem
from projects.delivery.choices import DevelopmentState, FundingState, HardwareState, OperationsState
from projects.delivery.models import Project
from projects.demands.choices import ConstructionType, DemandStatus, Domain, Urgency
from projects.demands.models import Demand

from .xlsx import Column

CHUNK = 2000
# keep_order: a list page's export keeps the order the list shows; reports order by number.


@dataclass
class Table:
    """A register: its columns, a function making its rows, and how many rows there are."""

    name: str
    columns: list[Column]
    rows: Iterator[tuple]
    count: int


def english() -> bool:
    return (get_language() or "").startswith("en")


def pick(name: str, name_en: str) -> str:
    return name_en if english() and name_en else name


def labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def _chunks(iterable, size=CHUNK):
    it = iter(iterable)
    while chunk := list(islice(it, size)):
        yield chunk


def _capability_names() -> dict[int, str]:
    return {pk: pick(name, name_en) for pk, name, name_en in Capability.objects.values_list("pk", "name", "name_en")}


# ------------------------------------------------------------------ demands


def demand_table(qs: QuerySet[Demand], *, keep_order: bool = False) -> Table:
    status, domain, ctype, urgency = labels(DemandStatus), labels(Domain), labels(ConstructionType), labels(Urgency)
    columns = [
        Column(_("Number"), min_width=16), Column(_("Title"), min_width=20), Column(_("Requesting organization")),
        Column(_("City")), Column(_("Business domain")), Column(_("Construction type")), Column(_("Capabilities")),
        Column(_("Status")), Column(_("Urgency")),
        Column(_("Hardware (CNY)"), "money"), Column(_("Software (CNY)"), "money"), Column(_("Services (CNY)"), "money"),
        Column(_("Operations (CNY)"), "money"), Column(_("Total budget (CNY)"), "money"),
        Column(_("Created"), "date"), Column(_("First submitted"), "date"), Column(_("Project"), min_width=12),
    ]
    qs = qs if keep_order else qs.order_by("pk")
    count = qs.count()
    # The two day columns as the local day, computed by the database (TruncDate in the active time zone).
    fields = ("pk", "code", "title", "org__name", "org__name_en", "org__city__name", "org__city__name_en", "domain",
              "construction_type", "status", "urgency", "budget_hardware", "budget_software", "budget_services",
              "budget_operations", "budget_total", "created_day", "submitted_day", "project__code")

    def rows():
        caps = _capability_names()
        through = Demand.capabilities.through
        draft = _("(draft)")
        en = english()  # asked once: get_language() per cell costs seconds over 100,000 rows
        days = qs.annotate(created_day=TruncDate("created_at"), submitted_day=TruncDate("submitted_at"))
        for chunk in _chunks(days.values_list(*fields).iterator(chunk_size=CHUNK)):
            names = defaultdict(list)
            links = through.objects.filter(demand_id__in=[r[0] for r in chunk]).order_by("capability__sort_order", "capability_id")
            for demand_id, cap_id in links.values_list("demand_id", "capability_id"):
                names[demand_id].append(caps.get(cap_id, ""))
            for r in chunk:
                yield (r[1] or draft, r[2], (r[4] if en and r[4] else r[3]), (r[6] if en and r[6] else r[5] or ""),
                       domain.get(r[7], r[7]), ctype.get(r[8], r[8]), "、".join(names[r[0]]), status.get(r[9], r[9]),
                       urgency.get(r[10], r[10]), r[11], r[12], r[13], r[14], r[15], r[16], r[17], r[18] or "")

    return Table(_("Demands"), columns, rows(), count)


# Where summary sheets of the demand register group by (column index in demand_table).
DEMAND_STATUS_COL, DEMAND_CITY_COL, DEMAND_TOTAL_COL = 7, 3, 13


# ------------------------------------------------------------------ projects


def project_table(qs: QuerySet[Project], *, keep_order: bool = False) -> Table:
    hw, fu, dev, ops = labels(HardwareState), labels(FundingState), labels(DevelopmentState), labels(OperationsState)
    columns = [
        Column(_("Number"), min_width=14), Column(_("Name"), min_width=20), Column(_("Year"), "text"),
        Column(_("Construction organization")), Column(_("Beneficiary organizations")),
        Column(_("Approved budget (CNY)"), "money"), Column(_("Hardware")), Column(_("Funding")), Column(_("Development")),
        Column(_("Operations")), Column(_("Planned start"), "date"), Column(_("Planned end"), "date"),
        Column(_("Actual start"), "date"), Column(_("Actual end"), "date"), Column(_("Project manager")),
    ]
    qs = qs if keep_order else qs.order_by("year", "code", "pk")
    count = qs.count()
    fields = ("pk", "code", "name", "year", "construction_org__name", "construction_org__name_en", "approved_budget",
              "hardware_status", "funding_status", "development_status", "operations_status", "planned_start",
              "planned_end", "actual_start", "actual_end", "manager__display_name", "manager__username")

    def rows():
        through = Project.beneficiary_orgs.through
        for chunk in _chunks(qs.values_list(*fields).iterator(chunk_size=CHUNK)):
            names = defaultdict(list)
            links = through.objects.filter(project_id__in=[r[0] for r in chunk]).order_by("organization__code")
            for project_id, name, name_en in links.values_list("project_id", "organization__name", "organization__name_en"):
                names[project_id].append(pick(name, name_en))
            for r in chunk:
                yield (r[1], r[2], str(r[3]), pick(r[4], r[5]), "、".join(names[r[0]]), r[6], hw.get(r[7], r[7]),
                       fu.get(r[8], r[8]), dev.get(r[9], r[9]), ops.get(r[10], r[10]), r[11], r[12], r[13], r[14],
                       r[15] or r[16] or "")

    return Table(_("Projects"), columns, rows(), count)


PROJECT_YEAR_COL, PROJECT_BUDGET_COL, PROJECT_DEVELOPMENT_COL = 2, 5, 8


# ------------------------------------------------------------------ the catalogue


def system_table(qs: QuerySet[InformationSystem], *, keep_order: bool = False) -> Table:
    st, mode = labels(SystemStatus), labels(BuildMode)
    columns = [
        Column(_("Code"), min_width=9), Column(_("Name"), min_width=20), Column(_("Owner organization")), Column(_("City")),
        Column(_("Status")), Column(_("Build mode")), Column(_("Capabilities")), Column(_("User organizations"), "int"),
        Column(_("Yearly operations cost (CNY)"), "money"), Column(_("Security level"), "text"),
        Column(_("Last assessment"), "date"),
    ]
    qs = qs if keep_order else qs.order_by("code", "pk")
    count = qs.count()
    fields = ("pk", "code", "name", "owner_org__name", "owner_org__name_en", "owner_org__city__name", "owner_org__city__name_en",
              "status", "build_mode", "yearly_ops_cost", "security_level", "last_assessment")

    def rows():
        caps = _capability_names()
        through = InformationSystem.capabilities.through
        users = InformationSystem.user_orgs.through
        for chunk in _chunks(qs.values_list(*fields).iterator(chunk_size=CHUNK)):
            ids = [r[0] for r in chunk]
            names = defaultdict(list)
            for sid, cid in through.objects.filter(informationsystem_id__in=ids).order_by("capability__sort_order").values_list(
                    "informationsystem_id", "capability_id"):
                names[sid].append(caps.get(cid, ""))
            user_counts = defaultdict(int)
            for sid in users.objects.filter(informationsystem_id__in=ids).values_list("informationsystem_id", flat=True):
                user_counts[sid] += 1
            for r in chunk:
                yield (r[1], r[2], pick(r[3], r[4]), pick(r[5] or "", r[6] or ""), st.get(r[7], r[7]), mode.get(r[8], r[8]),
                       "、".join(names[r[0]]), user_counts[r[0]], r[9], str(r[10]) if r[10] else "", r[11])

    return Table(_("Information systems"), columns, rows(), count)


def hardware_table(qs, *, keep_order: bool = False) -> Table:
    kind, loc, st = labels(HardwareKind), labels(HardwareLocation), labels(HardwareStatus)
    columns = [
        Column(_("Name"), min_width=16), Column(_("Kind")), Column(_("System")), Column(_("Project")), Column(_("vCPU"), "int"),
        Column(_("Memory (GB)"), "int"), Column(_("Storage (TB)"), "text", total=False), Column(_("Quantity"), "int"),
        Column(_("Unit cost (CNY)"), "money", total=False), Column(_("Amount (CNY)"), "money"), Column(_("Location")),
        Column(_("Supplier")), Column(_("Warranty end"), "date"), Column(_("Status")),
    ]
    qs = qs if keep_order else qs.order_by("pk")
    count = qs.count()
    fields = ("name", "kind", "system__code", "system__name", "project__code", "vcpu", "memory_gb", "storage_tb", "quantity",
              "unit_cost", "location", "supplier", "warranty_end", "status")

    def rows():
        for r in qs.values_list(*fields).iterator(chunk_size=CHUNK):
            system = f"{r[2]} {r[3]}" if r[2] else ""
            yield (r[0], kind.get(r[1], r[1]), system, r[4] or "", r[5], r[6], f"{r[7]}" if r[7] is not None else "", r[8],
                   r[9], (r[9] or Decimal("0")) * r[8], loc.get(r[10], r[10]), r[11], r[12], st.get(r[13], r[13]))

    return Table(_("Hardware and cloud resources"), columns, rows(), count)


def data_resource_table(qs, *, keep_order: bool = False) -> Table:
    share, opening, freq = labels(Sharing), labels(Opening), labels(UpdateFrequency)
    columns = [
        Column(_("Code"), min_width=10), Column(_("Name"), min_width=20), Column(_("Owner organization")),
        Column(_("Sharing")), Column(_("Opening")), Column(_("Update frequency")), Column(_("Records"), "int"),
    ]
    qs = qs if keep_order else qs.order_by("code", "pk")
    count = qs.count()
    fields = ("code", "name", "owner_org__name", "owner_org__name_en", "sharing", "opening", "update_frequency", "record_count")

    def rows():
        for r in qs.values_list(*fields).iterator(chunk_size=CHUNK):
            yield (r[0], r[1], pick(r[2], r[3]), share.get(r[4], r[4]), opening.get(r[5], r[5]), freq.get(r[6], r[6]), r[7])

    return Table(_("Data resources"), columns, rows(), count)
