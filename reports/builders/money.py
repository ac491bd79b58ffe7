"""The money reports: budget execution and the savings ledger (xlsx, csv, pdf).

Both read as the requester through the budgets selectors (`lines_visible_to`, `savings_visible_to`,
that is `restrict()`), narrowed by the validated parameters. Budget execution has one row per budget
line (budgeted, paid, execution rate = paid / budgeted) and summary sheets by organization and by
source whose SUMIFS recompute the figures; the savings report lists every entry that makes up the
total, so the figure the province reports can be reproduced. A year with no data is an honest
empty report.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from budgets.choices import Category, DisbursementState, FundingSource, SavingDecision
from budgets.selectors import lines_visible_to, savings_visible_to
from core.money import format_amount
from organizations.choices import RegionLevel

from .. import tables
from ..headings import describe_filters, issuing_authority
from ..params import filter_by
from ..registry import BuildContext
from ..xlsx import Column, Workbook, csv_bytes
from .registers import _money_chart, _pdf, _pdf_section

ZERO = Decimal("0")

# budget execution columns
EXEC_ORG_COL, EXEC_SOURCE_COL, EXEC_BUDGETED_COL, EXEC_PAID_COL, EXEC_RATE_COL = 2, 5, 7, 8, 9
EXEC_CITY_COL, EXEC_YEAR_COL, EXEC_CATEGORY_COL = 3, 4, 6
# savings columns
SAVE_DECISION_COL, SAVE_REQUESTED_COL, SAVE_SAVED_COL = 5, 6, 8


def select_lines(user, params: dict):
    return filter_by(lines_visible_to(user), params, {
        "year": "fiscal_year", "org": "project__construction_org_id", "city": "project__construction_org__city_id",
        "source": "source"})


def select_savings(user, params: dict):
    return filter_by(savings_visible_to(user), params, {
        "year": "year", "org": "org_id", "city": "org__city_id", "decision": "decision"})


def execution_table(qs) -> tuple[tables.Table, list]:
    columns = [
        Column(_("Project number")), Column(_("Project")), Column(_("Construction organization")), Column(_("City")),
        Column(_("Fiscal year"), "year"), Column(_("Funding source")), Column(_("Category")),
        Column(_("Budgeted (CNY)"), "money"), Column(_("Paid (CNY)"), "money"), Column(_("Execution rate"), "percent"),
    ]
    provincial = _("Provincial")
    en = tables.english()
    rows_qs = qs.select_related(None).order_by("project__code", "fiscal_year", "source", "category", "pk").values_list(
        "project__code", "project__name", "project__construction_org__name", "project__construction_org__name_en",
        "project__construction_org__city__name", "project__construction_org__city__name_en",
        "project__construction_org__level",
        "fiscal_year", "source", "category", "amount",
    ).annotate(paid=Sum("disbursements__amount", filter=Q(disbursements__status=DisbursementState.PAID)))
    sources, categories = dict(FundingSource.choices), dict(Category.choices)
    rows = []
    for code, name, org, org_en, city, city_en, level, year, source, category, amount, paid in rows_qs:
        paid = paid or ZERO
        # The city of the construction organization; a provincial organization has none: "省级".
        place = (city_en if en and city_en else city) or (provincial if level == RegionLevel.PROVINCE else "")
        rows.append((code, name, (org_en if en and org_en else org) or "", place,
                     year, str(sources.get(source, source)), str(categories.get(category, category)), amount, paid,
                     (paid / amount) if amount else None))
    return tables.Table(_("Budget execution"), columns, iter(rows), len(rows)), rows


def savings_table(qs, *, keep_order: bool = False) -> tuple[tables.Table, list]:
    columns = [
        Column(_("Demand number")), Column(_("Demand")), Column(_("Organization")), Column(_("City")), Column(_("Year"), "text"),
        Column(_("Decision")), Column(_("Requested (CNY)"), "money"), Column(_("Still spent (CNY)"), "money"),
        Column(_("Saved (CNY)"), "money"), Column(_("Reason")), Column(_("Recorded at"), "datetime"),
    ]
    en = tables.english()
    decisions = dict(SavingDecision.choices)
    rows = []
    if not keep_order:
        qs = qs.order_by("year", "org__name", "pk")
    for code, title, org, org_en, city, city_en, year, decision, requested, deducted, amount, reason, at in (
        qs.select_related(None).values_list(
            "demand__code", "demand__title", "org__name", "org__name_en", "org__city__name", "org__city__name_en", "year",
            "decision", "requested", "deducted", "amount", "reason", "created_at")):
        rows.append((code or "", title, (org_en if en and org_en else org) or "", (city_en if en and city_en else city) or "",
                     str(year), str(decisions.get(decision, decision)), requested, deducted, amount, reason, at))
    return tables.Table(_("Savings ledger"), columns, iter(rows), len(rows)), rows


def disbursement_table(qs) -> tables.Table:
    """Disbursements in the order of `qs`: voucher, project, line, amount, payee, date, status."""
    columns = [
        Column(_("Voucher number")), Column(_("Project number")), Column(_("Project")), Column(_("Fiscal year"), "text"),
        Column(_("Funding source")), Column(_("Category")), Column(_("Amount (CNY)"), "money"), Column(_("Payee")),
        Column(_("Date"), "date"), Column(_("Purpose")), Column(_("Status")),
    ]
    sources, categories, states = dict(FundingSource.choices), dict(Category.choices), dict(DisbursementState.choices)
    rows = [(voucher, code, name, str(year), str(sources.get(source, source)), str(categories.get(category, category)), amount,
             payee, day, purpose, str(states.get(status, status)))
            for voucher, code, name, year, source, category, amount, payee, day, purpose, status in qs.select_related(None).values_list(
                "voucher_no", "budget_line__project__code", "budget_line__project__name", "budget_line__fiscal_year",
                "budget_line__source", "budget_line__category", "amount", "payee", "date", "purpose", "status")]
    return tables.Table(_("Disbursements"), columns, iter(rows), len(rows))


def _groups(rows, key: int, sums: tuple[int, ...]) -> list[tuple[str, tuple]]:
    out: dict[str, list] = {}
    for row in rows:
        g = out.setdefault(row[key], [0] + [ZERO] * len(sums))
        g[0] += 1
        for i, c in enumerate(sums, start=1):
            g[i] += Decimal(row[c] or 0)
    return [(label, tuple(values)) for label, values in out.items()]


def _short_execution_labels() -> dict[int, str]:
    """Headers of the PDF's narrow columns: short, so that they fit without breaking a word."""
    return {0: _("No."), EXEC_YEAR_COL: pgettext("column", "Year"), EXEC_BUDGETED_COL: _("Budget (CNY)"),
            EXEC_PAID_COL: _("Paid (CNY)"), EXEC_RATE_COL: _("Rate")}


def _rate(paid, budgeted) -> str:
    return f"{(paid / budgeted * 100):.1f}%" if budgeted else "—"


def build_budget_execution(ctx: BuildContext) -> bytes:
    table, rows = execution_table(select_lines(ctx.user, ctx.params))
    ctx.progress(0, max(table.count, 1))
    title = _("Budget execution")
    if ctx.format == "csv":
        return csv_bytes(table.columns, rows)
    sums = (EXEC_BUDGETED_COL, EXEC_PAID_COL)
    source_order = [str(label) for _v, label in FundingSource.choices]
    by_source = sorted(_groups(rows, EXEC_SOURCE_COL, sums), key=lambda g: source_order.index(g[0]) if g[0] in source_order else 99)
    by_org = sorted(_groups(rows, EXEC_ORG_COL, sums), key=lambda g: -g[1][1])
    if ctx.format == "pdf":
        table.rows = iter(rows)
        chart_items = [(label, v[1], f"¥{format_amount(v[1])} · {_rate(v[2], v[1])}") for label, v in by_source if v[0]]
        from ..charts import bar_chart

        # Year and category tell a project's lines apart (one project has a line per source, year and category).
        section = _pdf_section(title, table, [0, 1, 2, EXEC_YEAR_COL, 5, EXEC_CATEGORY_COL, 7, 8, 9], total_cols=sums,
                               chart=bar_chart(chart_items), short_labels=_short_execution_labels())
        if section["totals"]:
            budgeted = sum((Decimal(r[EXEC_BUDGETED_COL]) for r in rows), ZERO)
            paid = sum((Decimal(r[EXEC_PAID_COL]) for r in rows), ZERO)
            section["totals"][-1] = _rate(paid, budgeted)
        section["by_group"] = {
            "headers": [_("Funding source"), _("Budgeted (CNY)"), _("Paid (CNY)"), _("Execution rate")],
            "rows": [(label, "¥" + format_amount(v[1]), "¥" + format_amount(v[2]), _rate(v[2], v[1])) for label, v in by_source],
        }
        return _pdf(ctx, title, [section])
    book = Workbook(title=title, authority=issuing_authority(), generated_at=ctx.generated_at, filters=describe_filters(ctx.params))
    table.rows = iter(rows)
    info = book.add_table(table.name, table.columns, table.rows, title=title,
                          total_rate=(EXEC_RATE_COL, EXEC_PAID_COL, EXEC_BUDGETED_COL))
    book.add_summary(_("By organization"), info, by=EXEC_ORG_COL, groups=by_org, sums=list(sums),
                     title=_("Budget execution by organization"), count_label=_("Budget lines"), rate=(1, 0, _("Execution rate")))
    book.add_summary(_("By source"), info, by=EXEC_SOURCE_COL, groups=by_source, sums=list(sums),
                     title=_("Budget execution by source"), count_label=_("Budget lines"), rate=(1, 0, _("Execution rate")))
    return book.close()


def build_savings(ctx: BuildContext) -> bytes:
    table, rows = savings_table(select_savings(ctx.user, ctx.params))
    ctx.progress(0, max(table.count, 1))
    title = _("Savings ledger")
    if ctx.format == "csv":
        return csv_bytes(table.columns, rows)
    sums = (SAVE_SAVED_COL, SAVE_REQUESTED_COL)
    by_decision = _groups(rows, SAVE_DECISION_COL, sums)
    by_year = sorted(_groups(rows, 4, sums))
    if ctx.format == "pdf":
        table.rows = iter(rows)
        section = _pdf_section(title, table, [0, 1, 2, 4, 5, SAVE_REQUESTED_COL, SAVE_SAVED_COL],
                               total_cols=(SAVE_REQUESTED_COL, SAVE_SAVED_COL),
                               chart=_money_chart([(label, (v[0], v[1])) for label, v in by_decision]))
        section["by_group"] = {
            "headers": [_("Decision"), _("Entries"), _("Saved (CNY)"), _("Requested (CNY)")],
            "rows": [(label, f"{v[0]:,}", "¥" + format_amount(v[1]), "¥" + format_amount(v[2])) for label, v in by_decision],
        }
        return _pdf(ctx, title, [section])
    book = Workbook(title=title, authority=issuing_authority(), generated_at=ctx.generated_at, filters=describe_filters(ctx.params))
    table.rows = iter(rows)
    info = book.add_table(table.name, table.columns, table.rows, title=title)
    book.add_summary(_("By decision"), info, by=SAVE_DECISION_COL, groups=by_decision, sums=list(sums),
                     title=_("Savings by decision"), count_label=_("Entries"))
    book.add_summary(_("By year"), info, by=4, groups=by_year, sums=list(sums), title=_("Savings by year"), count_label=_("Entries"))
    return book.close()
