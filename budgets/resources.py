"""Import and export of budget lines and disbursements, on the catalogue's import machinery
(assets.resources / assets.importing): headers in Chinese or English, per-row errors naming row,
column and value in the user's language, one pass in one transaction, nothing saved when any row
is wrong, lookups loaded once per file and rows written in bulk.

What money adds:

* Natural keys: a line by (project code, fiscal year, source, category); a disbursement by its
  voucher number: a new one is added; one already recorded with the same values counts as
  unchanged (an exported file imported again); with different values, or used twice in the file,
  or recorded on a disbursement the user may not see: refused.
* Scope: only projects the user may change are found; a settled project takes no new money.
* The invariants, per row and naming the rows: a project's lines never exceed its approved
  budget; approved plus paid on a line never exceed the line; a line never drops below what is
  approved and paid on it. On commit the projects and then their lines are locked first (the
  lock order of budgets.services), so that the check and the write see the same figures.
* The first payment of a project fires its `begin_disbursing` through the doorway, as the system.
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from decimal import Decimal
from io import BytesIO

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from import_export import fields
from import_export.instance_loaders import BaseInstanceLoader

from assets.resources import (
    CatalogueResource,
    ChoiceWidget,
    CodeWidget,
    Column,
    ColumnWidget,
    DateWidget,
    IntWidget,
    TextWidget,
    normalize_header,
)
from core import audit
from core import import_widgets as money_widgets
from projects.delivery.choices import FundingState
from projects.delivery.models import Project

from .choices import HOLDING_STATES, Category, DisbursementState, FundingSource
from .models import BudgetLine, Disbursement
from .services import LINE_MACHINE, add_line_totals
from .workflows import FUNDS_RELEASED

ZERO = Decimal("0")
FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*>\s*<f[ >/]')


def formula_cells(content: bytes, limit: int = 5) -> list[str]:
    """Cells of an xlsx workbook that hold a formula (an import takes values, never formulas)."""
    if content[:4] != b"PK\x03\x04":
        return []
    found = []
    try:
        with zipfile.ZipFile(BytesIO(content)) as book:
            for name in book.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with book.open(name) as sheet:
                        data = sheet.read(64 * 1024 * 1024)
                    found += [m.decode() for m in FORMULA_CELL.findall(data)[:limit]]
    except (zipfile.BadZipFile, OSError, KeyError):
        return []
    return found[:limit]


class AmountWidget(ColumnWidget, money_widgets.MoneyWidget):
    """An amount above zero as clerks type it (core.money): 1,234.50, ¥1234, 50万."""

    def __init__(self):
        money_widgets.MoneyWidget.__init__(self, default=None)

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            raise self.fail(gettext("Column “%(column)s” is empty: a value is required."), "")
        try:
            amount = super().clean(value, row, **kwargs)
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        if amount <= 0:
            raise self.fail(gettext("Column “%(column)s”: “%(value)s” is not above zero; amounts must be positive."), value)
        return amount


# The words clerks write for the money choices, beside codes and the interface's labels.
MONEY_ALIASES = {
    "provincial_fiscal": ("省级财政", "省财政", "省级财政资金"),
    "municipal_fiscal": ("市级财政", "市财政", "市级财政资金"),
    "central_transfer": ("中央转移支付", "中央资金", "转移支付"),
    "special_bonds": ("专项债券", "专项债"),
    "self_raised": ("自筹", "自筹资金", "单位自筹"),
    "hardware": ("硬件",),
    "software": ("软件", "软件开发"),
    "services": ("服务", "技术服务"),
    "operations": ("运维", "运行维护"),
    "requested": ("已申请", "申请", "待审批"),
    "approved": ("已批准", "批准", "已审批"),
    "paid": ("已支付", "支付", "已付款"),
    "rejected": ("已驳回", "驳回"),
}


class MoneyChoiceWidget(ChoiceWidget):
    def lookup(self) -> dict[str, str]:
        if self._lookup is None:
            table = dict(super().lookup())
            for code in self.choices.values:
                for alias in MONEY_ALIASES.get(code, ()):
                    table.setdefault(normalize_header(alias), code)
            self._lookup = table
        return self._lookup


def _label(choices, code) -> str:
    return str(dict(choices.choices).get(code, code))


class NoLoader(BaseInstanceLoader):
    """Rows are found by the resource itself (its natural key needs several cleaned cells)."""

    def get_instance(self, row):
        return self.resource.existing(row)


class MoneyResource(CatalogueResource):
    """What the two money imports share: the projects the user may change, loaded once, and the locks."""

    id_column = "project"
    owner_column = "project"
    owner_attribute = "project"

    class Meta(CatalogueResource.Meta):
        instance_loader_class = NoLoader

    def projects(self):
        return Project.objects.restrict(self.user, "change")

    def load_tables(self, dry_run=True, codes=()):
        qs = self.projects().order_by("pk")
        if codes:
            qs = qs.filter(code__in=codes)
        if not dry_run:
            qs = qs.select_for_update()  # the lock order: projects, then their lines (ascending id)
        self.project_table = {p.code: p for p in qs}
        self.fields["project"].widget.table = self.project_table
        lines = BudgetLine.objects.filter(project__in=list(self.project_table.values())).order_by("pk")
        if not dry_run:
            lines = lines.select_for_update()
        self.line_table = {(line.project_id, line.fiscal_year, line.source, line.category): line for line in lines}
        self.lines_by_project = defaultdict(Decimal)
        for line in self.line_table.values():
            self.lines_by_project[line.project_id] += line.amount
        held = (Disbursement.objects.filter(budget_line__in=list(self.line_table.values()), status__in=HOLDING_STATES)
                .values_list("budget_line_id", "amount"))
        self.held = defaultdict(Decimal)
        for line_id, amount in held:
            self.held[line_id] += amount

    def before_import(self, dataset, **kwargs):
        codes = {str(v).strip().upper() for v in (dataset["project"] if "project" in (dataset.headers or []) else []) if v}
        self.load_tables(dry_run=kwargs.get("dry_run", True), codes=codes)
        self.rows_of = defaultdict(list)  # project or line → spreadsheet rows so far

    def clean_cell(self, name, row):
        try:
            return self.fields[name].clean(row)
        except (ValueError, KeyError):
            return None

    def line_key(self, row):
        project = self.clean_cell("project", row)
        year, source, category = self.clean_cell("fiscal_year", row), self.clean_cell("source", row), self.clean_cell("category", row)
        if project is None or year is None or source is None or category is None:
            return None
        return (project.pk, year, source, category)

    def after_init_instance(self, instance, new, row, **kwargs):
        instance._import_new = new
        instance._import_before = {} if new else self.snapshot(instance)

    def check_permission(self, instance, errors):
        return None  # projects are looked up among those the user may change

    def row_of(self, number) -> int:
        return (number or 0) + 1

    def rows_text(self, rows) -> str:
        return "、".join(str(r) for r in rows)

    def write_history(self):
        rows = []
        for instance, changes, number in self.created + self.updated:
            payload = {"row": self.row_of(number)}
            if not instance._import_new:
                payload["changes"] = {k: [self.show(k, instance._import_before.get(k)), self.show(k, v)] for k, v in changes.items()}
            rows.append(self.history_entry(instance, payload))
        audit.record_many(rows, batch_size=1000)


LINE_COLUMNS = (
    Column("project", "项目编号", "Project code", required=True, help_zh="如 XM-2026-0001", help_en="e.g. XM-2026-0001"),
    Column("fiscal_year", "预算年度", "Fiscal year", required=True, help_zh="如 2026", help_en="e.g. 2026"),
    Column("source", "资金来源", "Funding source", required=True,
           help_zh="省级财政、市级财政、中央转移支付、专项债券或自筹", help_en="provincial_fiscal, municipal_fiscal, central_transfer, special_bonds, self_raised"),
    Column("category", "支出类别", "Category", required=True, help_zh="硬件、软件、服务或运维", help_en="hardware, software, services, operations"),
    Column("amount", "金额（元）", "Amount (CNY)", required=True, help_zh="大于零，如 1,200,000.00 或 120万", help_en="Above zero, e.g. 1,200,000.00"),
    Column("note", "备注", "Note"),
)


class BudgetLineResource(MoneyResource):
    """Budget lines by (project, year, source, category): new lines are added, existing ones get the file's amount."""

    columns = LINE_COLUMNS
    concrete_fields = ("project", "fiscal_year", "source", "category", "amount", "note")
    id_attribute = "pk"

    project = fields.Field(attribute="project", column_name="project", widget=CodeWidget(Project))
    fiscal_year = fields.Field(attribute="fiscal_year", column_name="fiscal_year", widget=IntWidget(minimum=2000, maximum=2100))
    source = fields.Field(attribute="source", column_name="source", widget=MoneyChoiceWidget(FundingSource))
    category = fields.Field(attribute="category", column_name="category", widget=MoneyChoiceWidget(Category))
    amount = fields.Field(attribute="amount", column_name="amount", widget=AmountWidget())
    note = fields.Field(attribute="note", column_name="note", widget=TextWidget(max_length=300))

    class Meta(MoneyResource.Meta):
        model = BudgetLine
        fields = ("project", "fiscal_year", "source", "category", "amount", "note")
        import_id_fields = ()

    def get_queryset(self):
        return BudgetLine.objects.restrict(self.user).select_related("project").order_by("project__code", "fiscal_year", "source", "category")

    def get_bulk_update_fields(self):
        return ["amount", "note", "updated_at"]

    def _check_import_id_fields(self, headers):
        return None

    def existing(self, row):
        key = self.line_key(row)
        return self.line_table.get(key) if key else None

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)  # every cell; all of a row's errors at once
        number = kwargs.get("row_number")
        key = (instance.project_id, instance.fiscal_year, instance.source, instance.category)
        if None in key:
            return
        first = self.seen_keys.setdefault(key, number)
        if first != number:
            raise ValidationError({"category": gettext(
                "Rows %(first)s and %(row)s are the same budget line (project, year, source and category).") % {
                "first": self.row_of(first), "row": self.row_of(number)}})
        project = instance.project
        if project.funding_status == FundingState.SETTLED:
            raise ValidationError({"project": gettext("Column “%(column)s”: project %(value)s is settled; its lines cannot change.") % {
                "column": self.labels["project"], "value": project.code}})
        old = instance._import_before.get("amount") or ZERO
        if not instance._import_new and instance.amount < self.held[instance.pk]:
            raise ValidationError({"amount": gettext(
                "Column “%(column)s”: %(value)s is below what is already approved and paid on this line (%(held)s).") % {
                "column": self.labels["amount"], "value": f"{instance.amount:,.2f}", "held": f"{self.held[instance.pk]:,.2f}"}})
        self.rows_of[project.pk].append(self.row_of(number))
        self.lines_by_project[project.pk] += instance.amount - old
        if self.lines_by_project[project.pk] > project.approved_budget:
            raise ValidationError({"amount": gettext(
                "Column “%(column)s”: the lines of %(project)s would add up to %(total)s, above its approved budget of %(budget)s "
                "(rows %(rows)s).") % {
                "column": self.labels["amount"], "project": project.code, "total": f"{self.lines_by_project[project.pk]:,.2f}",
                "budget": f"{project.approved_budget:,.2f}", "rows": self.rows_text(self.rows_of[project.pk])}})

    def preview_row(self, instance, is_create, changes, row_number) -> dict:
        row = super().preview_row(instance, is_create, changes, row_number)
        row["key"] = instance.project.code if instance.project_id else ""
        row["name"] = f"{instance.fiscal_year} {_label(FundingSource, instance.source)} {_label(Category, instance.category)} {instance.amount:,.2f}"
        return row

    def save_instance(self, instance, is_create, row, **kwargs):
        if is_create:
            instance.created_by = self.user
        super().save_instance(instance, is_create, row, **kwargs)

    def history_entry(self, instance, payload):
        return audit.entry(audit.AuditEvent.IMPORT, instance, actor=self.user, machine=LINE_MACHINE, transition="import",
                           target=str(instance.amount), payload=payload)

    def after_import(self, dataset, result, **kwargs):
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        self.write_history()


DISBURSEMENT_COLUMNS = (
    Column("voucher_no", "凭证号", "Voucher number", required=True, help_zh="唯一，不得重复", help_en="Unique"),
    Column("project", "项目编号", "Project code", required=True, help_zh="如 XM-2026-0001", help_en="e.g. XM-2026-0001"),
    Column("fiscal_year", "预算年度", "Fiscal year", required=True),
    Column("source", "资金来源", "Funding source", required=True),
    Column("category", "支出类别", "Category", required=True),
    Column("amount", "金额（元）", "Amount (CNY)", required=True, help_zh="大于零，最多两位小数", help_en="Above zero, two decimals at most"),
    Column("payee", "收款单位", "Payee", required=True),
    Column("date", "日期", "Date", required=True, help_zh="如 2026-03-31", help_en="e.g. 2026-03-31"),
    Column("purpose", "用途", "Purpose"),
    Column("status", "状态", "Status", help_zh="已申请、已批准或已支付（默认已申请）", help_en="requested, approved or paid (default requested)"),
)

RECORDED_VALUES = ("voucher_no", "budget_line__project__code", "budget_line__fiscal_year", "budget_line__source",
                   "budget_line__category", "amount", "payee", "date", "purpose", "status")
IMPORTABLE_STATES = (DisbursementState.REQUESTED, DisbursementState.APPROVED, DisbursementState.PAID)


class DisbursementResource(MoneyResource):
    """Disbursements by voucher number (new, or unchanged when recorded with the same values); the line by project code, year, source and category."""

    columns = DISBURSEMENT_COLUMNS
    concrete_fields = ("voucher_no", "amount", "payee", "date", "purpose", "status")
    id_column = "voucher_no"
    id_attribute = "voucher_no"
    clean_exclude = ("status",)  # full_clean sets every field again: the protected state field refuses that

    voucher_no = fields.Field(attribute="voucher_no", column_name="voucher_no", widget=TextWidget(max_length=40, required=True))
    project = fields.Field(column_name="project", widget=CodeWidget(Project))
    fiscal_year = fields.Field(column_name="fiscal_year", widget=IntWidget(minimum=2000, maximum=2100))
    source = fields.Field(column_name="source", widget=MoneyChoiceWidget(FundingSource))
    category = fields.Field(column_name="category", widget=MoneyChoiceWidget(Category))
    amount = fields.Field(attribute="amount", column_name="amount", widget=AmountWidget())
    payee = fields.Field(attribute="payee", column_name="payee", widget=TextWidget(max_length=200, required=True))
    date = fields.Field(attribute="date", column_name="date", widget=DateWidget(past_only=True))
    purpose = fields.Field(attribute="purpose", column_name="purpose", widget=TextWidget(max_length=300))
    status = fields.Field(attribute="status", column_name="status", widget=MoneyChoiceWidget(DisbursementState, default=DisbursementState.REQUESTED))

    class Meta(MoneyResource.Meta):
        model = Disbursement
        fields = ("voucher_no", "project", "fiscal_year", "source", "category", "amount", "payee", "date", "purpose", "status")
        import_id_fields = ()

    def get_queryset(self):
        return Disbursement.objects.restrict(self.user).select_related("budget_line__project").order_by("voucher_no")

    def _check_import_id_fields(self, headers):
        return None

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        vouchers = {str(v).strip() for v in dataset["voucher_no"] if v} if "voucher_no" in (dataset.headers or []) else set()
        self.used_vouchers = set()
        self.recorded = {}  # voucher → what is recorded, for the vouchers of the file the user may see
        vouchers = list(vouchers)
        for start in range(0, len(vouchers), 5000):
            chunk = vouchers[start:start + 5000]
            self.used_vouchers |= set(Disbursement.objects.filter(voucher_no__in=chunk).values_list("voucher_no", flat=True))
            for rec in Disbursement.objects.restrict(self.user).filter(voucher_no__in=chunk).values(*RECORDED_VALUES):
                self.recorded[rec["voucher_no"]] = rec
        self.paid_projects = {}

    def recorded_differences(self, recorded, instance, cells) -> dict:
        """The columns where the file's row differs from the disbursement recorded under its voucher."""
        file_values = {
            "project": cells["project"].code, "fiscal_year": cells["fiscal_year"], "source": cells["source"],
            "category": cells["category"], "amount": instance.amount, "payee": (instance.payee or "").strip(),
            "date": instance.date, "purpose": (instance.purpose or "").strip(), "status": instance.status,
        }
        shown = {
            "project": recorded["budget_line__project__code"], "fiscal_year": recorded["budget_line__fiscal_year"],
            "source": _label(FundingSource, recorded["budget_line__source"]),
            "category": _label(Category, recorded["budget_line__category"]), "amount": f"{recorded['amount']:,.2f}",
            "payee": recorded["payee"], "date": recorded["date"].isoformat(), "purpose": recorded["purpose"] or "—",
            "status": _label(DisbursementState, recorded["status"]),
        }
        stored = {
            "project": recorded["budget_line__project__code"], "fiscal_year": recorded["budget_line__fiscal_year"],
            "source": recorded["budget_line__source"], "category": recorded["budget_line__category"], "amount": recorded["amount"],
            "payee": (recorded["payee"] or "").strip(), "date": recorded["date"], "purpose": (recorded["purpose"] or "").strip(),
            "status": recorded["status"],
        }
        return {
            name: [gettext("Column “%(column)s”: voucher number “%(voucher)s” is already recorded with a different value "
                           "(recorded: %(recorded)s); change it on its page.") % {
                "column": self.labels[name], "voucher": recorded["voucher_no"], "recorded": shown[name]}]
            for name in file_values if file_values[name] != stored[name]
        }

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """A row whose voucher is recorded with the same values changes nothing: it counts as unchanged."""
        if import_validation_errors:
            return False
        return bool(getattr(instance, "_import_unchanged", False))

    def existing(self, row):
        return None  # a disbursement is never changed by an import

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute == "status":
            # A new, unsaved row is born in the file's state: the protected state field is set once,
            # before the instance is ever saved (no transition happens here; the audit row says "import").
            instance.__dict__["status"] = field.clean(row)
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        cells = {}
        for name in ("project", "fiscal_year", "source", "category"):  # the line's cells (no attribute of their own)
            try:
                cells[name] = value = self.fields[name].clean(row)
            except ValueError as exc:
                errors[name] = [str(exc)]
            else:
                if value is None:
                    errors[name] = [gettext("Column “%(column)s” is empty: a value is required.") % {"column": self.labels[name]}]
        number = kwargs.get("row_number")
        voucher = (instance.voucher_no or "").strip()
        if voucher and "voucher_no" not in errors:
            first = self.seen_keys.setdefault(voucher, number)
            if first != number:
                errors["voucher_no"] = [gettext("Column “%(column)s”: “%(value)s” appears twice in the file (rows %(first)s and %(row)s).") % {
                    "column": self.labels["voucher_no"], "value": voucher, "first": self.row_of(first), "row": self.row_of(number)}]
            elif voucher in self.used_vouchers and voucher not in self.recorded:
                errors["voucher_no"] = [gettext("Column “%(column)s”: voucher number “%(value)s” is already used.") % {
                    "column": self.labels["voucher_no"], "value": voucher}]
        if instance.status and instance.status not in IMPORTABLE_STATES and "status" not in errors:
            errors["status"] = [gettext("Column “%(column)s”: “%(value)s” cannot be imported; a rejected payment is not recorded.") % {
                "column": self.labels["status"], "value": _label(DisbursementState, instance.status)}]
        key = None
        if len(cells) == 4 and None not in cells.values():
            key = (cells["project"].pk, cells["fiscal_year"], cells["source"], cells["category"])
        recorded = self.recorded.get(voucher) if voucher and "voucher_no" not in errors else None
        if recorded is not None:
            # Exported rows imported again (or the same file twice): the same values are unchanged and
            # skipped; different values are refused (a recorded disbursement changes on its page only).
            if not errors:
                errors = self.recorded_differences(recorded, instance, cells)
            if errors:
                raise ValidationError(errors)
            instance._import_unchanged = True
            return
        line = self.line_table.get(key) if key else None
        if key and line is None and not errors.get("project"):
            project = self.project_table.get(str(row.get("project")).strip().upper())
            errors["category"] = [gettext(
                "Project %(project)s has no budget line for %(year)s, %(source)s, %(category)s: enter the line first.") % {
                "project": project.code if project else row.get("project"), "year": key[1],
                "source": _label(FundingSource, key[2]), "category": _label(Category, key[3])}]
        if line is not None:
            instance.budget_line = line
            project = self.project_table_by_pk(line.project_id)
            if project.funding_status not in FUNDS_RELEASED and "project" not in errors:
                errors["project"] = [gettext(
                    "Column “%(column)s”: the funds of %(value)s are not allocated (or it is settled); no disbursement can be recorded.") % {
                    "column": self.labels["project"], "value": project.code}]
            elif instance.amount and instance.status in HOLDING_STATES and not errors:
                self.rows_of[line.pk].append(self.row_of(number))
                self.held[line.pk] += instance.amount
                if self.held[line.pk] > line.amount:
                    errors["amount"] = [gettext(
                        "Column “%(column)s”: approved and paid on the line %(project)s %(year)s %(source)s %(category)s would reach %(total)s, "
                        "above the line's %(line)s (rows %(rows)s).") % {
                        "column": self.labels["amount"], "project": project.code, "year": line.fiscal_year,
                        "source": _label(FundingSource, line.source), "category": _label(Category, line.category),
                        "total": f"{self.held[line.pk]:,.2f}", "line": f"{line.amount:,.2f}", "rows": self.rows_text(self.rows_of[line.pk])}]
            if instance.status == DisbursementState.PAID:
                self.paid_projects[project.pk] = project
        if errors:
            raise ValidationError(errors)

    def project_table_by_pk(self, pk):
        if not hasattr(self, "_by_pk"):
            self._by_pk = {p.pk: p for p in self.project_table.values()}
        return self._by_pk[pk]

    def save_instance(self, instance, is_create, row, **kwargs):
        instance.requested_by = self.user
        now = timezone.now()
        if instance.status in HOLDING_STATES:
            instance.decided_at = now
        if instance.status == DisbursementState.PAID:
            instance.paid_at = now
        super().save_instance(instance, is_create, row, **kwargs)

    def preview_row(self, instance, is_create, changes, row_number) -> dict:
        row = super().preview_row(instance, is_create, changes, row_number)
        row["key"] = instance.voucher_no
        line = instance.budget_line
        row["name"] = (f"{line.project.code} · {instance.payee} · {instance.amount:,.2f} · "
                       f"{_label(DisbursementState, instance.status)}")
        return row

    def history_entry(self, instance, payload):
        return audit.entry(audit.AuditEvent.IMPORT, instance, actor=self.user, machine="status", transition="import",
                           target=instance.status, payload={**payload, "amount": str(instance.amount)})

    def after_import(self, dataset, result, **kwargs):
        from projects.delivery.services import project_transition

        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        self.write_history()
        # The lines' running totals take the new rows, in this transaction (the lines were locked by load_tables).
        sums = defaultdict(lambda: defaultdict(Decimal))
        for instance, _changes, _number in self.created:
            sums[instance.budget_line_id][instance.status] += instance.amount
        add_line_totals(sums)
        # The first payment of a project begins its disbursing, through the doorway (the system fires it).
        for project in sorted(self.paid_projects.values(), key=lambda p: p.pk):
            if project.funding_status == FundingState.ALLOCATED:
                project_transition(project=project, machine="funding", name="begin_disbursing", actor=None,
                                   comment=gettext("First payment (import)"))

    def dehydrate_project(self, obj):
        return obj.budget_line.project.code

    def dehydrate_fiscal_year(self, obj):
        return obj.budget_line.fiscal_year

    def dehydrate_source(self, obj):
        return _label(FundingSource, obj.budget_line.source)

    def dehydrate_category(self, obj):
        return _label(Category, obj.budget_line.category)


RESOURCES = {"budget-lines": BudgetLineResource, "disbursements": DisbursementResource}
