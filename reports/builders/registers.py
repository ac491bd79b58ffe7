"""The registers: demand register, project ledger, asset inventory (xlsx, csv, pdf).

Each reads as the requester through the selectors (demands_visible_to, projects_visible_to, the
catalogue selectors), narrowed by the validated parameters. A selection with no rows is an honest
empty report (title, filters, "no rows", totals of zero), never an error.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from assets import selectors as catalogue
from core.money import format_amount
from organizations.models import Region
from projects.delivery.choices import DevelopmentState
from projects.delivery.selectors import projects_visible_to
from projects.demands.choices import DemandStatus
from projects.demands.selectors import demands_visible_to

from .. import tables
from ..charts import bar_chart
from ..headings import describe_filters, issuing_authority
from ..params import filter_by
from ..pdf import render_pdf
from ..registry import BuildContext
from ..xlsx import Workbook, csv_bytes, text_width

PDF_ROW_LIMIT = 1000  # a PDF register lists at most this many rows; the workbook holds them all


# ------------------------------------------------------------------ selections


def select_demands(user, params: dict):
    return filter_by(demands_visible_to(user), params, {
        "year": "created_at__year", "org": "org_id", "city": "org__city_id", "states": "status__in"})


def select_projects(user, params: dict):
    return filter_by(projects_visible_to(user), params, {
        "year": "year", "org": "construction_org_id", "city": "construction_org__city_id"})


def _owner_filters(qs, params: dict, field: str):
    return filter_by(qs, params, {"org": f"{field}_id", "city": f"{field}__city_id"})


# ------------------------------------------------------------------ groupings (the summary sheets' cached values)


def demand_groups(qs) -> dict:
    zero = Decimal("0")
    by_status = {s: (n, t) for s, n, t in qs.order_by().values_list("status").annotate(n=Count("pk"), t=Coalesce(Sum("budget_total"), zero))}
    status_groups = [(str(label), by_status.get(value, (0, zero))) for value, label in DemandStatus.choices]
    by_city = {c: (n, t) for c, n, t in qs.order_by().values_list("org__city_id").annotate(n=Count("pk"), t=Coalesce(Sum("budget_total"), zero))}
    cities = Region.objects.filter(pk__in=[c for c in by_city if c]).order_by("code")
    city_groups = [(tables.pick(c.name, c.name_en), by_city[c.pk]) for c in cities]
    if None in by_city:
        city_groups.append(("", by_city[None]))
    return {"status": status_groups, "city": city_groups}


NOWRAP_KINDS = ("money", "int", "percent", "year", "date")


def _pdf_section(title, table: tables.Table, keep: list[int], *, chart=None, empty=None, total_cols=(), short_labels=None):
    rows, shown = [], 0
    sums = {i: Decimal("0") for i in total_cols}
    for row in table.rows:
        for i in total_cols:
            sums[i] += Decimal(row[i] or 0)
        if shown < PDF_ROW_LIMIT:
            rows.append([(_cell(table.columns[i].kind, row[i]), table.columns[i].kind in ("money", "int")) for i in keep])
            shown += 1
    # Fixed column widths from the widest text (headers counted at half, they wrap), so WeasyPrint lays
    # the table out once instead of measuring every cell: long registers render several times faster.
    unbroken = [j == 0 or table.columns[i].kind in NOWRAP_KINDS for j, i in enumerate(keep)]
    measure = [_tight_width if unbroken[j] else _print_width for j in range(len(keep))]
    widest = [max((measure[j](row[j][0]) for row in rows), default=0) for j in range(len(keep))]
    for j, i in enumerate(keep):
        if j and i in sums and table.columns[i].kind == "money":  # the total row's figure is the widest of its column
            widest[j] = max(widest[j], _tight_width("¥" + format_amount(sums[i])))
    # Codes (the first column), figures, rates, years and dates never wrap: their column gets the width
    # of its widest cell first. The other columns share what is left by their text, each at least as
    # wide as its longest Latin word (cells and header: no "Exec / ution", "Administrati / on").
    short_labels = short_labels or {}
    columns = []
    for j, i in enumerate(keep):
        column = table.columns[i]
        label = short_labels.get(i, column.label)
        numeric = column.kind in ("money", "int", "percent", "year")
        nowrap = unbroken[j]
        word = _longest_word(label)
        if nowrap:
            # a short header (预算年度, Year) stays on one line too
            need = max(widest[j], word, _tight_width(label) if text_width(label) <= 8 else 6) + CELL_PADDING
            columns.append({"label": label, "num": numeric, "nowrap": True, "need": need, "min": need, "weight": 0})
        else:
            longest = max((_longest_word(row[j][0]) for row in rows), default=0)
            least = min(max(longest, word, 10), 22) + CELL_PADDING  # at least five CJK characters a line
            weight = max(min(widest[j], 24), text_width(label) / 2, 8)
            columns.append({"label": label, "num": numeric, "nowrap": False, "min": least, "weight": weight})
    size = _share_widths(columns)
    rows = [[(text, num, columns[j]["nowrap"]) for j, (text, num) in enumerate(row)] for row in rows]
    totals = None
    if total_cols:
        totals = [("¥" + format_amount(sums[i])) if i in sums and table.columns[i].kind == "money" else
                  (f"{int(sums[i]):,}" if i in sums else "") for i in keep]
        totals[0] = _("Total (%(n)s rows)") % {"n": f"{table.count:,}"}
    return {"title": title, "columns": columns, "rows": rows, "count": table.count, "size": size, "shown": shown, "totals": totals,
            "truncated": table.count > shown, "chart": chart, "empty": empty or _("No rows match these filters.")}


LATIN_WORD = re.compile(r"[A-Za-z0-9().%\-]+")
PAGE_HALF_EMS = 112  # the text width of A4 portrait (178 mm) in half-ems of the tables' 9 pt
CELL_PADDING = 3  # 2 × 1.6 mm of padding, the borders and a little air, in the same unit


def _glyph(ch: str) -> float:
    if text_width(ch) == 2:
        return 2
    if ch.isdigit() or ch == "¥":
        return 1.1
    if ch.isupper() or ch in "%@&":
        return 1.45
    return 0.75 if ch in ".,-:;()'/ " else 1.3


def _tight_width(text: str) -> float:
    """Width of a text that does not wrap, in half-ems of 9 pt (measured on the rendered PDFs: a CJK
    character 2, a figure 1.1, a capital 1.45, a small letter 1.3, punctuation 0.75; a little generous)."""
    return sum(_glyph(ch) for ch in text)


def _longest_word(text: str) -> float:
    return max((_tight_width(w) for w in LATIN_WORD.findall(text)), default=0)


def _share_widths(columns: list[dict]) -> str:
    """Each column's `width` in % of the table: the unbroken ones their need, the others the rest by
    weight but never below their `min` (a column below its minimum gets it and leaves the pool).
    Returns the table's size class: "" at 9 pt, or "small" (8 pt) / "smaller" (7.5 pt) when the
    columns need more than the page at 9 pt (long English names), so that nothing has to break."""
    fixed = {j: c["need"] for j, c in enumerate(columns) if c["nowrap"]}
    pool = [j for j, c in enumerate(columns) if not c["nowrap"]]
    while pool:
        rest = PAGE_HALF_EMS - sum(fixed.values())
        total = sum(columns[j]["weight"] for j in pool) or 1
        short = [j for j in pool if rest * columns[j]["weight"] / total < columns[j]["min"]]
        if not short:
            fixed.update({j: rest * columns[j]["weight"] / total for j in pool})
            break
        for j in short:
            fixed[j] = columns[j]["min"]
            pool.remove(j)
    whole = sum(fixed.values()) or 1
    for j, c in enumerate(columns):
        c["width"] = round(100 * fixed[j] / whole, 1)
    scale = PAGE_HALF_EMS / whole
    # The glyph widths are a little generous: up to 3 % over still fits at 9 pt.
    return "" if scale >= 0.97 else "small" if scale >= 8 / 9 else "smaller"


def _print_width(text: str) -> float:
    """Width on the printed page in half-ems: a CJK character 2, a Latin letter or digit about 1.6 (cell padding included)."""
    return sum(2 if w == 2 else 1.6 for w in (text_width(ch) for ch in text))


def _cell(kind, value):
    if value is None or value == "":
        return ""
    if kind == "money":
        return "¥" + format_amount(value)
    if kind == "int":
        return f"{int(value):,}"
    if kind == "percent":
        return f"{float(value) * 100:.1f}%"
    if kind in ("date", "datetime"):
        return timezone.localtime(value).strftime("%Y-%m-%d") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def _money_chart(groups):
    items = [(label or _("(none)"), values[1], "¥" + format_amount(values[1]) + f" · {values[0]:,}") for label, values in groups if values[0]]
    return bar_chart(items)


def _pdf(ctx: BuildContext, title: str, sections: list[dict]) -> bytes:
    return render_pdf("reports/pdf/register.html", {"sections": sections, "filters": describe_filters(ctx.params)},
                      title=title, authority=issuing_authority(), generated_at=ctx.generated_at, language=ctx.language)


# ------------------------------------------------------------------ demand register


def build_demand_register(ctx: BuildContext) -> bytes:
    qs = select_demands(ctx.user, ctx.params)
    table = tables.demand_table(qs)
    ctx.progress(0, max(table.count, 1))
    title = _("Demand register")
    if ctx.format == "csv":
        return csv_bytes(table.columns, table.rows, progress=lambda n: ctx.progress(n, table.count))
    groups = demand_groups(qs)
    if ctx.format == "pdf":
        section = _pdf_section(title, table, [0, 1, 2, 7, tables.DEMAND_TOTAL_COL], total_cols=(tables.DEMAND_TOTAL_COL,),
                               chart=_money_chart(groups["status"]))
        section["by_status"] = [(label, f"{n:,}", "¥" + format_amount(t)) for label, (n, t) in groups["status"] if n]
        return _pdf(ctx, title, [section])
    book = Workbook(title=title, authority=issuing_authority(), generated_at=ctx.generated_at, filters=describe_filters(ctx.params))
    info = book.add_table(table.name, table.columns, table.rows, title=title, progress=lambda n: ctx.progress(n, table.count))
    book.add_summary(_("By status"), info, by=tables.DEMAND_STATUS_COL, groups=groups["status"], sums=[tables.DEMAND_TOTAL_COL],
                     title=_("Demands by status"), count_label=_("Demands"))
    book.add_summary(_("By city"), info, by=tables.DEMAND_CITY_COL, groups=groups["city"], sums=[tables.DEMAND_TOTAL_COL],
                     title=_("Demands by city"), count_label=_("Demands"))
    return book.close()


# ------------------------------------------------------------------ project ledger


def project_groups(qs) -> dict:
    zero = Decimal("0")
    by_year = [(str(y), (n, t)) for y, n, t in qs.order_by("year").values_list("year").annotate(
        n=Count("pk"), t=Coalesce(Sum("approved_budget"), zero))]
    dev = {s: (n, t) for s, n, t in qs.order_by().values_list("development_status").annotate(
        n=Count("pk"), t=Coalesce(Sum("approved_budget"), zero))}
    by_dev = [(str(label), dev.get(value, (0, zero))) for value, label in DevelopmentState.choices]
    return {"year": by_year, "development": by_dev}


def build_project_ledger(ctx: BuildContext) -> bytes:
    qs = select_projects(ctx.user, ctx.params)
    table = tables.project_table(qs)
    ctx.progress(0, max(table.count, 1))
    title = _("Project ledger")
    if ctx.format == "csv":
        return csv_bytes(table.columns, table.rows, progress=lambda n: ctx.progress(n, table.count))
    groups = project_groups(qs)
    if ctx.format == "pdf":
        section = _pdf_section(title, table, [0, 1, 2, 3, tables.PROJECT_BUDGET_COL, 8, 9], total_cols=(tables.PROJECT_BUDGET_COL,),
                               chart=_money_chart(groups["development"]))
        return _pdf(ctx, title, [section])
    book = Workbook(title=title, authority=issuing_authority(), generated_at=ctx.generated_at, filters=describe_filters(ctx.params))
    info = book.add_table(table.name, table.columns, table.rows, title=title, progress=lambda n: ctx.progress(n, table.count))
    book.add_summary(_("By year"), info, by=tables.PROJECT_YEAR_COL, groups=groups["year"], sums=[tables.PROJECT_BUDGET_COL],
                     title=_("Projects by year"), count_label=_("Projects"))
    book.add_summary(_("By development stage"), info, by=tables.PROJECT_DEVELOPMENT_COL, groups=groups["development"],
                     sums=[tables.PROJECT_BUDGET_COL], title=_("Projects by development stage"), count_label=_("Projects"))
    return book.close()


# ------------------------------------------------------------------ asset inventory


def build_asset_inventory(ctx: BuildContext) -> bytes:
    """Systems, hardware and data resources. The CSV holds the systems (one table per file)."""
    systems = tables.system_table(_owner_filters(catalogue.systems_for_catalogue(ctx.user), ctx.params, "owner_org"))
    hardware = tables.hardware_table(_owner_filters(catalogue.hardware_visible_to(ctx.user), ctx.params, "system__owner_org"))
    resources = tables.data_resource_table(_owner_filters(catalogue.data_resources_for_catalogue(ctx.user), ctx.params, "owner_org"))
    total = max(1, systems.count + hardware.count + resources.count)
    ctx.progress(0, total)
    title = _("Asset inventory")
    if ctx.format == "csv":
        return csv_bytes(systems.columns, systems.rows)
    if ctx.format == "pdf":
        sections = [
            _pdf_section(systems.name, systems, [0, 1, 2, 4, 7, 8], total_cols=(8,)),
            _pdf_section(hardware.name, hardware, [0, 1, 2, 7, 9, 13], total_cols=(7, 9)),
            _pdf_section(resources.name, resources, [0, 1, 2, 3, 4]),
        ]
        return _pdf(ctx, title, sections)
    book = Workbook(title=title, authority=issuing_authority(), generated_at=ctx.generated_at, filters=describe_filters(ctx.params))
    book.add_table(systems.name, systems.columns, systems.rows, title=f"{title}：{systems.name}")
    ctx.progress(systems.count, total)
    book.add_table(hardware.name, hardware.columns, hardware.rows, title=f"{title}：{hardware.name}")
    ctx.progress(systems.count + hardware.count, total)
    book.add_table(resources.name, resources.columns, resources.rows, title=f"{title}：{resources.name}")
    return book.close()
