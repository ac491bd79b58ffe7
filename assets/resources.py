"""Import and export of the catalogue with django-import-export: systems, hardware, data resources.

What the stock library does not do and a clerk with a spreadsheet needs, added here:

* Natural keys: a system by its code, an organization by its name or its code, capabilities by
  their codes (or Chinese names) separated by commas or 顿号. Headers in Chinese or English.
* Widgets that fail with a message in the user's language naming the column and the value
  (the stock ones say "matching query does not exist").
* Every lookup is loaded once per import (organizations, capabilities, existing rows), and rows
  are written in bulk at the end, with their many-to-many links and one history row each: a
  10,000-row file costs a few dozen queries, not tens of thousands.
* The user's scope: rows are looked up only among what the user may see, and a row that would
  change an entry of another organization is refused.
* Formula-like text (= + - @) is escaped on export and unescaped on import, so that a cell never
  runs in Excel and a round trip gives back the same text.

The whole import runs in one transaction; any wrong row and nothing is saved (assets.importing
drives preview and commit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.translation import gettext, gettext_lazy
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader

from core import audit
from core import import_widgets as money_widgets
from core.dates import validate_date_range
from core.sequences import reserve_codes
from organizations.models import Organization

from . import services
from .choices import BuildMode, HardwareKind, HardwareLocation, HardwareStatus, Opening, Sharing, SystemStatus, UpdateFrequency
from .models import Capability, DataResource, HardwareItem, InformationSystem
from .permissions import may_change_owned_by

# Cells starting with one of these are formulas to Excel, LibreOffice and WPS.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATORS = re.compile(r"[,，、;；\n]+")
PREVIEW_LIMIT = 200  # rows listed on the preview page (the counts cover every row)


def escape_formula(value):
    """Prefix formula-like text with an apostrophe so that a spreadsheet shows it as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unescape_formula(value: str) -> str:
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


# ---------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """One column of an import file: its key, its headers in Chinese and English, whether required."""

    key: str
    zh: str
    en: str
    required: bool = False
    help_zh: str = ""
    help_en: str = ""

    def label(self) -> str:
        return self.zh if (translation.get_language() or "").startswith("zh") else self.en

    def help(self) -> str:
        return self.help_zh if (translation.get_language() or "").startswith("zh") else self.help_en

    def aliases(self) -> set[str]:
        return {normalize_header(h) for h in (self.key, self.zh, self.en)}


def normalize_header(text) -> str:
    return re.sub(r"[\s*＊]+", "", force_str(text or "")).casefold()


# ---------------------------------------------------------------- widgets


class CellError(ValueError):
    """A cell that cannot be read; the message names the column and the value."""


class ColumnWidget(widgets.Widget):
    """A widget that knows its column's header, for messages a clerk understands."""

    column_label = ""

    def fail(self, message: str, value) -> CellError:
        return CellError(message % {"column": self.column_label, "value": force_str(value)})

    @staticmethod
    def is_empty(value) -> bool:
        return value is None or (isinstance(value, str) and not value.strip())


class TextWidget(ColumnWidget):
    def __init__(self, max_length: int | None = None, required: bool = False):
        super().__init__(coerce_to_string=True)
        self.max_length = max_length
        self.required = required

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            if self.required:
                raise self.fail(gettext("Column “%(column)s” is empty: a value is required."), "")
            return ""
        text = unescape_formula(force_str(value).strip())
        if self.max_length and len(text) > self.max_length:
            raise CellError(gettext("Column “%(column)s”: “%(value)s…” is longer than %(max)d characters.") % {
                "column": self.column_label, "value": text[:20], "max": self.max_length})
        return text

    def render(self, value, obj=None, **kwargs):
        return escape_formula("" if value is None else force_str(value))


class MoneyWidget(ColumnWidget, money_widgets.MoneyWidget):
    """An amount in CNY as clerks type it (core.money): 1,234.50, ¥1234, 50万, 1.5亿; the message names the column."""

    def __init__(self, default=None):
        money_widgets.MoneyWidget.__init__(self, default=default)

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError as exc:
            raise CellError(str(exc))


class DecimalWidget(ColumnWidget):
    """A non-negative quantity with two decimals at most (storage in TB)."""

    def __init__(self, default=None):
        super().__init__(coerce_to_string=False)
        self.default = default

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return self.default
        if isinstance(value, bool):
            raise self.fail(gettext("Column “%(column)s”: “%(value)s” is not an amount of money."), value)
        if isinstance(value, float):
            value = repr(value)
        text = force_str(value).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "").replace("元", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise self.fail(gettext("Column “%(column)s”: “%(value)s” is not an amount of money."), value)
        if not amount.is_finite():
            raise self.fail(gettext("Column “%(column)s”: “%(value)s” is not an amount of money."), value)
        if amount < 0:
            raise self.fail(gettext("Column “%(column)s”: “%(value)s” is negative; amounts cannot be below zero."), value)
        if amount != amount.quantize(Decimal("0.01")):
            raise self.fail(gettext("Column “%(column)s”: “%(value)s” has more than two decimal places."), value)
        if amount >= Decimal("1e12"):
            raise self.fail(gettext("Column “%(column)s”: “%(value)s” is too large."), value)
        return amount.quantize(Decimal("0.01"))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class IntWidget(ColumnWidget):
    def __init__(self, minimum: int | None = 0, maximum: int | None = None, default=None):
        super().__init__(coerce_to_string=False)
        self.minimum, self.maximum, self.default = minimum, maximum, default

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return self.default
        try:
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, float):
                if value != int(value):
                    raise ValueError
                number = int(value)
            else:
                number = int(force_str(value).strip().replace(",", ""))
        except (ValueError, OverflowError):
            raise self.fail(gettext("Column “%(column)s”: “%(value)s” is not a whole number."), value)
        if self.minimum is not None and number < self.minimum or self.maximum is not None and number > self.maximum:
            raise CellError(gettext("Column “%(column)s”: “%(value)s” must be between %(min)s and %(max)s.") % {
                "column": self.column_label, "value": value, "min": self.minimum, "max": self.maximum if self.maximum is not None else "∞"})
        return number

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class DateWidget(ColumnWidget):
    FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")

    def __init__(self, past_only: bool = False):
        super().__init__(coerce_to_string=False)
        self.past_only = past_only

    def clean(self, value, row=None, **kwargs):
        parsed = self.parse(value)
        if parsed is not None:
            try:
                validate_date_range(parsed, past_only=self.past_only)
            except ValidationError as exc:
                raise CellError(gettext("Column “%(column)s”: “%(value)s” is out of range. %(rule)s") % {
                    "column": self.column_label, "value": parsed.isoformat(), "rule": exc.messages[0]})
        return parsed

    def parse(self, value):
        if self.is_empty(value):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = force_str(value).strip()
        for fmt in self.FORMATS:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise self.fail(gettext("Column “%(column)s”: “%(value)s” is not a date (write it as 2026-03-31)."), value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


# The words clerks write for each choice, whatever the interface's translations say.
CHOICE_ALIASES = {
    "building": ("建设中", "在建", "建设"),
    "in_operation": ("运行中", "在用", "已上线", "运行"),
    "retired": ("已停用", "停用", "已下线", "已退役", "已报废", "报废"),
    "provincial_for_others": ("省建市用", "省级统建", "统建"),
    "self_built": ("自建", "本级自建"),
    "unconditional": ("无条件共享", "无条件开放", "无条件"),
    "authorized": ("有条件共享", "授权共享", "有条件"),
    "non_sharing": ("不予共享", "不共享"),
    "conditional": ("有条件开放", "依申请开放"),
    "non_opening": ("不予开放", "不开放"),
    "realtime": ("实时",),
    "daily": ("每日", "每天", "日"),
    "weekly": ("每周", "周"),
    "monthly": ("每月", "月"),
    "quarterly": ("每季度", "季度"),
    "yearly": ("每年", "年度", "年"),
    "irregular": ("不定期",),
    "server": ("服务器",),
    "storage": ("存储", "存储设备"),
    "network": ("网络设备", "网络"),
    "cloud_vm": ("云主机", "云服务器", "虚拟机"),
    "cloud_storage": ("云存储",),
    "licence": ("软件许可", "许可", "授权许可"),
    "provincial_cloud": ("省政务云", "吉林祥云", "政务云"),
    "local_room": ("本地机房", "机房"),
    "planned": ("计划中", "计划"),
    "ordered": ("已下单", "已采购"),
    "delivered": ("已到货", "已交付"),
    "in_service": ("在用", "使用中", "运行中"),
}


class ChoiceWidget(ColumnWidget):
    """One of a TextChoices: its code, its label in Chinese or English, or a word clerks use for it."""

    def __init__(self, choices, default=None):
        super().__init__(coerce_to_string=True)
        self.choices = choices
        self.default = default
        self._lookup = None

    def lookup(self) -> dict[str, str]:
        if self._lookup is None:
            table = {}
            for code in self.choices.values:
                for alias in CHOICE_ALIASES.get(code, ()):
                    table[normalize_header(alias)] = code
            for code, label in self.choices.choices:
                table[normalize_header(code)] = code
                for lang in ("en", "zh-hans"):
                    with translation.override(lang):
                        table[normalize_header(str(label))] = code
            self._lookup = table
        return self._lookup

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return self.default
        code = self.lookup().get(normalize_header(value))
        if code is None:
            allowed = "、".join(str(label) for _code, label in self.choices.choices)
            raise CellError(gettext("Column “%(column)s”: “%(value)s” is not one of: %(allowed)s.") % {
                "column": self.column_label, "value": value, "allowed": allowed})
        return code

    def render(self, value, obj=None, **kwargs):
        if not value:
            return ""
        return str(self.choices(value).label)


class OrgWidget(ColumnWidget, widgets.ForeignKeyWidget):
    """An organization by its full name (长春市教育局) or its code (220100-jyj), looked up once per import."""

    def __init__(self, table: dict | None = None, required: bool = True):
        widgets.ForeignKeyWidget.__init__(self, Organization, field="name")
        self.table = table
        self.required = required

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            if self.required:
                raise self.fail(gettext("Column “%(column)s” is empty: a value is required."), "")
            return None
        key = force_str(value).strip()
        org = self.table.get(key) if self.table is not None else None
        if org is None:
            raise self.fail(gettext("Column “%(column)s”: there is no organization named or coded “%(value)s”."), value)
        if org is AMBIGUOUS:
            raise self.fail(gettext("Column “%(column)s”: several organizations are named “%(value)s”; give its code instead."), value)
        return org

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.name


class ListWidget(ColumnWidget, widgets.ManyToManyWidget):
    """Several values in one cell, separated by commas, semicolons or 顿号."""

    separator_out = ","

    def __init__(self, model, table: dict | None = None):
        widgets.ManyToManyWidget.__init__(self, model, separator=",", field="pk")
        self.table = table

    # What a cell shows for one related record, and what it says of values it cannot find.
    label_attr = "pk"
    unknown_message = gettext_lazy("Column “%(column)s”: unknown value “%(value)s”.")

    def describe(self, obj) -> str:
        return force_str(getattr(obj, self.label_attr))

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return []
        found, unknown = [], []
        for part in LIST_SEPARATORS.split(force_str(value)):
            part = part.strip()
            if not part:
                continue
            item = self.table.get(part) if self.table is not None else None
            if item is None or item is AMBIGUOUS:
                unknown.append(part)
            elif item not in found:
                found.append(item)
        if unknown:
            raise self.unknown(unknown)
        return found

    def unknown(self, parts) -> CellError:
        return CellError(str(self.unknown_message) % {"column": self.column_label, "value": "、".join(parts)})

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator_out.join(self.describe(o) for o in value.all())


class CapabilityListWidget(ListWidget):
    label_attr = "code"
    unknown_message = gettext_lazy("Column “%(column)s”: unknown capability code “%(value)s” (see the capability list).")

    def __init__(self, table=None):
        super().__init__(Capability, table)


class OrgListWidget(ListWidget):
    separator_out = "、"

    label_attr = "name"
    unknown_message = gettext_lazy("Column “%(column)s”: there is no organization named or coded “%(value)s”.")

    def __init__(self, table=None):
        super().__init__(Organization, table)


class CodeWidget(ColumnWidget, widgets.ForeignKeyWidget):
    """A related record by its code (a system XT-0001, a project XM-2026-0001), looked up once per import."""

    def __init__(self, model, table: dict | None = None):
        widgets.ForeignKeyWidget.__init__(self, model, field="code")
        self.table = table

    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        key = force_str(value).strip().upper()
        obj = self.table.get(key) if self.table is not None else None
        if obj is None:
            raise self.fail(gettext("Column “%(column)s”: there is no record with code “%(value)s” that you may see."), value)
        return obj

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.code


AMBIGUOUS = object()


def org_table() -> dict:
    """Organizations by code and by name (a name two organizations share is marked ambiguous)."""
    table: dict = {}
    for org in Organization.objects.only("pk", "code", "name", "name_en", "level", "city_id"):
        table[org.code] = org
        for name in filter(None, (org.name, org.name_en)):
            table[name] = AMBIGUOUS if name in table and table[name] is not org else org
    return table


def capability_table() -> dict:
    table = {}
    for cap in Capability.objects.all():
        table[cap.code] = cap
        table[cap.name] = cap
        table[cap.name_en] = cap
    return table


# ---------------------------------------------------------------- the shared machinery


class PreloadedInstanceLoader(BaseInstanceLoader):
    """Existing rows of the file, loaded in one query (with their many-to-many links) from the user's scope."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        key = resource.id_column
        values = set()
        if dataset is not None and key in (dataset.headers or []):
            for raw in dataset[key]:
                clean = resource.normalize_key(raw)
                if clean is not None:
                    values.add(clean)
        self.instances = {}
        if values:
            qs = resource.get_queryset().filter(**{f"{resource.id_attribute}__in": values})
            self.instances = {resource.normalize_key(getattr(o, resource.id_attribute)): o for o in qs}

    def get_instance(self, row):
        return self.instances.get(self.resource.normalize_key(row.get(self.resource.id_column)))


class CatalogueResource(resources.ModelResource):
    """Shared import behaviour: scoped lookups, permissions, duplicate keys, change summary, bulk writes."""

    columns: tuple[Column, ...] = ()
    id_column = "code"  # the natural key column
    id_attribute = "code"
    concrete_fields: tuple[str, ...] = ()
    m2m_fields: tuple[str, ...] = ()
    code_prefix: tuple[str, int] | None = None  # new rows get codes from this sequence
    owner_attribute = "owner_org"
    clean_exclude: tuple[str, ...] = ()  # fields full_clean must not set again (a protected state field)

    class Meta:
        use_bulk = True
        batch_size = None  # everything is written once, at the end, after every row is known to be good
        skip_diff = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        instance_loader_class = PreloadedInstanceLoader
        chunk_size = 5000

    def __init__(self, user=None, headers: dict[str, str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        # Messages name a column as the file heads it (else by its label in the user's language).
        labels = {c.key: (headers or {}).get(c.key) or c.label() for c in self.columns}
        self.labels = labels
        for field in self.fields.values():
            if isinstance(field.widget, ColumnWidget):
                field.widget.column_label = labels.get(field.column_name, field.column_name)
        self.seen_keys: dict = {}
        self.preview: list[dict] = []
        self.created: list = []
        self.updated: list = []

    # -- scope and keys

    @classmethod
    def normalize_key(cls, raw):
        if raw is None:
            return None
        text = force_str(raw).strip().upper()
        return text or None

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def owner_id_of(self, instance) -> int | None:
        return getattr(instance, f"{self.owner_attribute}_id")

    # -- hooks of the import workflow

    def before_import(self, dataset, **kwargs):
        self.load_tables()

    def load_tables(self):  # pragma: no cover - overridden
        pass

    def after_init_instance(self, instance, new, row, **kwargs):
        key = self.normalize_key(row.get(self.id_column))
        number = kwargs.get("row_number")
        if key is not None:
            first = self.seen_keys.setdefault(key, number)
            if first != number:
                raise ValidationError({self.id_attribute: gettext(
                    "Column “%(column)s”: “%(value)s” appears twice in the file (rows %(first)s and %(row)s).") % {
                    "column": self.labels[self.id_column], "value": row.get(self.id_column),
                    "first": first + 1, "row": number + 1}})
            if new:
                raise ValidationError({self.id_attribute: self.unknown_key_message(row.get(self.id_column))})
        instance._import_new = new
        instance._import_before = {} if new else self.snapshot(instance)

    def unknown_key_message(self, value) -> str:
        return gettext("Column “%(column)s”: there is no entry “%(value)s” that you may see; leave it empty to add a new one.") % {
            "column": self.labels[self.id_column], "value": value}

    def snapshot(self, instance) -> dict:
        data = {f: getattr(instance, f) for f in self.concrete_fields}
        for f in self.m2m_fields:
            data[f] = sorted(o.pk for o in getattr(instance, f).all())
        return data

    def import_instance(self, instance, row, **kwargs):
        """Every column of the row, many-to-many ones included, so that all of a row's errors show at once."""
        errors = {}
        instance._import_m2m = {}
        for field in self.get_import_fields():
            if field.readonly or not field.attribute or field.column_name not in row:
                continue
            try:
                if isinstance(field.widget, widgets.ManyToManyWidget):
                    instance._import_m2m[field.attribute] = field.clean(row)
                else:
                    self.import_field(field, instance, row, **kwargs)
            except ValueError as e:
                errors[field.attribute] = ValidationError(force_str(e), code="invalid")
        if errors:
            raise ValidationError(errors)

    def changes(self, instance) -> dict:
        before = instance._import_before
        after = {f: getattr(instance, f) for f in self.concrete_fields}
        for f, items in instance._import_m2m.items():
            after[f] = sorted(o.pk for o in items)
        if instance._import_new:
            return after
        return {k: v for k, v in after.items() if k in before and before[k] != v}

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Rows that change nothing are skipped (and never need a permission)."""
        if import_validation_errors or instance._import_new:
            return False
        return not self.changes(instance)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        self.check_permission(instance, errors)
        try:
            # Uniqueness, constraints and foreign keys are the import's own business (duplicates in the
            # file, codes from the sequence, related rows from the tables loaded once); full_clean's
            # per-row queries for them would dominate the run.
            relations = [f.name for f in instance._meta.concrete_fields if f.is_relation]
            instance.full_clean(exclude=[*errors.keys(), self.id_attribute, *relations, *self.clean_exclude], validate_unique=False,
                                validate_constraints=False)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        errors = {k: v for k, v in errors.items() if v}
        if errors:
            raise ValidationError(errors)

    def check_permission(self, instance, errors):
        before_owner = instance._import_before.get(self.owner_attribute)
        owner_id = self.owner_id_of(instance)
        label = self.labels[self.owner_column]
        if before_owner is not None and not may_change_owned_by(self.user, before_owner.pk):
            errors[self.owner_attribute] = [gettext(
                "Column “%(column)s”: this entry belongs to “%(value)s”; you may only change entries of your own organization.") % {
                "column": label, "value": before_owner.name}]
        elif owner_id is not None and not may_change_owned_by(self.user, owner_id):
            owner = getattr(instance, self.owner_attribute)
            errors[self.owner_attribute] = [gettext(
                "Column “%(column)s”: “%(value)s” is not your organization; you may only add or change entries of your own organization.") % {
                "column": label, "value": owner.name}]

    owner_column = "owner_org"

    def save_instance(self, instance, is_create, row, **kwargs):
        changes = self.changes(instance)
        (self.created if is_create else self.updated).append((instance, changes, kwargs.get("row_number")))
        if len(self.preview) < PREVIEW_LIMIT:
            self.preview.append(self.preview_row(instance, is_create, changes, kwargs.get("row_number")))
        super().save_instance(instance, is_create, row, **kwargs)

    def preview_row(self, instance, is_create, changes, row_number) -> dict:
        before = instance._import_before
        shown = []
        if not is_create:
            for key, new in changes.items():
                shown.append({"column": self.label_for(key), "old": self.show(key, before.get(key)), "new": self.show(key, new)})
        return {"row": (row_number or 0) + 1, "new": is_create, "key": getattr(instance, self.id_attribute) or "",
                "name": getattr(instance, "name", ""), "changes": shown}

    def label_for(self, attribute: str) -> str:
        for field in self.fields.values():
            if field.attribute == attribute:
                return self.labels.get(field.column_name, field.column_name)
        return attribute

    def show(self, key, value) -> str:
        if value is None:
            return ""
        if key in self.m2m_fields:
            table = self.m2m_names(key)
            return "、".join(sorted(table.get(pk, str(pk)) for pk in value))
        field = next((f for f in self.fields.values() if f.attribute == key), None)
        if field is not None and isinstance(field.widget, ChoiceWidget):
            return field.widget.render(value)
        return force_str(getattr(value, "name", value))

    def m2m_names(self, key) -> dict:
        return {}

    # -- bulk writes (never during a preview)

    def get_bulk_update_fields(self):
        return [f for f in self.concrete_fields if f != self.id_attribute] + ["updated_at"]

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if dry_run or not self.create_instances:
            self.create_instances.clear()
            return
        if self.code_prefix:
            prefix, width = self.code_prefix
            for instance, code in zip(self.create_instances, reserve_codes(prefix, width, len(self.create_instances)), strict=True):
                setattr(instance, self.id_attribute, code)
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=500, result=result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if dry_run or not self.update_instances:
            self.update_instances.clear()
            return
        now = timezone.now()
        for instance in self.update_instances:
            instance.updated_at = now  # bulk_update does not touch auto_now fields
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size=500, result=result)

    def after_import(self, dataset, result, **kwargs):
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        self.write_m2m()
        self.write_history()

    def write_m2m(self):
        model = self._meta.model
        for name in self.m2m_fields:
            through = getattr(model, name).through
            source = f"{model._meta.model_name}_id"
            target = f"{getattr(model, name).field.related_model._meta.model_name}_id"
            changed = [(i, c) for i, c, _n in self.created + self.updated if name in c]
            replaced = [i.pk for i, _c in changed if not i._import_new]
            for start in range(0, len(replaced), 500):
                through.objects.filter(**{f"{source}__in": replaced[start:start + 500]}).delete()
            rows = [through(**{source: i.pk, target: pk}) for i, c in changed for pk in c[name]]
            through.objects.bulk_create(rows, batch_size=1000)

    def write_history(self):
        content_type = ContentType.objects.get_for_model(self._meta.model)
        rows = []
        for instance, changes, number in self.created + self.updated:
            payload = {"row": (number or 0) + 1}
            if not instance._import_new:
                payload["changes"] = {k: [self.show(k, instance._import_before.get(k)), self.show(k, v)] for k, v in changes.items()}
            status = getattr(instance, "status", "")
            before = instance._import_before.get("status", "") if not instance._import_new else ""
            rows.append(audit.entry(**services.history_row(
                instance, actor=self.user, transition="import", source=before, target=status, payload=payload,
                content_type=content_type, event=audit.AuditEvent.IMPORT)))
        audit.record_many(rows, batch_size=1000)

    # -- export

    def export_dataset(self, queryset):
        """The rows of `queryset` with headers in the user's language and formula-like text escaped."""
        dataset = self.export(queryset)
        dataset.headers = [self.column(h).label() for h in dataset.headers]
        return dataset


# ---------------------------------------------------------------- systems


SYSTEM_COLUMNS = (
    Column("code", "编码", "Code", help_zh="已有系统的编码（如 XT-0001）；新增系统留空，由系统编号", help_en="Code of an existing system (XT-0001); leave empty to add a new one"),
    Column("name", "系统名称", "Name", required=True),
    Column("description", "系统描述", "Description"),
    Column("owner_org", "所属单位", "Owner", required=True, help_zh="单位全称或单位编码", help_en="Full name or code of the organization"),
    Column("capabilities", "能力", "Capabilities", help_zh="能力编码，多个用逗号或顿号分隔（如 identity_auth、e_seal）", help_en="Capability codes separated by commas (identity_auth, e_seal)"),
    Column("user_orgs", "使用单位", "User organizations", help_zh="单位全称或编码，多个用顿号分隔", help_en="Names or codes of organizations, separated by commas"),
    Column("status", "状态", "Status"),
    Column("build_mode", "建设模式", "Build mode"),
    Column("url", "访问地址", "Address (URL)"),
    Column("yearly_ops_cost", "年度运维费用（元）", "Yearly operations cost (CNY)", help_zh="不得为负数", help_en="Not negative"),
    Column("security_level", "等保级别", "Classified-protection level", help_zh="1 至 5", help_en="1 to 5"),
    Column("last_assessment", "最近测评日期", "Last assessment", help_zh="如 2026-03-31", help_en="e.g. 2026-03-31"),
)


class SystemResource(CatalogueResource):
    """Systems by code; owner and user organizations by name or code; capabilities by code."""

    columns = SYSTEM_COLUMNS
    concrete_fields = ("name", "description", "owner_org", "status", "build_mode", "url", "yearly_ops_cost", "security_level",
                       "last_assessment")
    m2m_fields = ("capabilities", "user_orgs")
    code_prefix = (services.SYSTEM_CODE_PREFIX, services.SYSTEM_CODE_WIDTH)

    code = fields.Field(attribute="code", column_name="code", widget=TextWidget(max_length=10))
    name = fields.Field(attribute="name", column_name="name", widget=TextWidget(max_length=200, required=True))
    description = fields.Field(attribute="description", column_name="description", widget=TextWidget())
    owner_org = fields.Field(attribute="owner_org", column_name="owner_org", widget=OrgWidget())
    capabilities = fields.Field(attribute="capabilities", column_name="capabilities", widget=CapabilityListWidget())
    user_orgs = fields.Field(attribute="user_orgs", column_name="user_orgs", widget=OrgListWidget())
    status = fields.Field(attribute="status", column_name="status", widget=ChoiceWidget(SystemStatus, default=SystemStatus.IN_OPERATION))
    build_mode = fields.Field(attribute="build_mode", column_name="build_mode", widget=ChoiceWidget(BuildMode, default=BuildMode.SELF_BUILT))
    url = fields.Field(attribute="url", column_name="url", widget=TextWidget(max_length=200))
    yearly_ops_cost = fields.Field(attribute="yearly_ops_cost", column_name="yearly_ops_cost", widget=MoneyWidget(default=Decimal("0")))
    security_level = fields.Field(attribute="security_level", column_name="security_level", widget=IntWidget(minimum=1, maximum=5))
    last_assessment = fields.Field(attribute="last_assessment", column_name="last_assessment", widget=DateWidget(past_only=True))

    class Meta(CatalogueResource.Meta):
        model = InformationSystem
        fields = ("code", "name", "description", "owner_org", "capabilities", "user_orgs", "status", "build_mode", "url",
                  "yearly_ops_cost", "security_level", "last_assessment")
        import_id_fields = ("code",)

    def get_queryset(self):
        from .selectors import systems_for_catalogue

        return (systems_for_catalogue(self.user).select_related(None).select_related("owner_org", "project")
                .prefetch_related("capabilities", "user_orgs").order_by("code"))

    def load_tables(self):
        orgs, caps = org_table(), capability_table()
        self.fields["owner_org"].widget.table = orgs
        self.fields["user_orgs"].widget.table = orgs
        self.fields["capabilities"].widget.table = caps
        self._names = {
            "capabilities": {c.pk: c.code for c in caps.values()},
            "user_orgs": {o.pk: o.name for o in orgs.values() if o is not AMBIGUOUS},
        }

    def m2m_names(self, key) -> dict:
        return getattr(self, "_names", {}).get(key, {})

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        if not new and instance.status_follows_project and "status" in row:
            status = self.fields["status"].widget
            try:
                wanted = status.clean(row["status"])
            except ValueError:
                return
            if wanted != instance.status:
                raise ValidationError({"status": gettext(
                    "Column “%(column)s”: the status of %(code)s follows its project %(project)s and cannot be changed here.") % {
                    "column": self.labels["status"], "code": instance.code, "project": instance.project.code}})

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        owner = instance.owner_org if instance.owner_org_id else None
        if owner is not None and "user_orgs" in instance._import_m2m:
            # The owner uses its own system by definition; it is not listed among the users.
            instance._import_m2m["user_orgs"] = [o for o in instance._import_m2m["user_orgs"] if o.pk != owner.pk]
        if instance._import_new and ("build_mode" not in row or not row.get("build_mode")) and owner is not None:
            instance.build_mode = services.default_build_mode(owner, instance._import_m2m.get("user_orgs", []))


# ---------------------------------------------------------------- data resources


DATA_RESOURCE_COLUMNS = (
    Column("code", "编码", "Code", help_zh="已有资源的编码（如 SJ-00001）；新增留空", help_en="Code of an existing resource; leave empty to add"),
    Column("name", "资源名称", "Name", required=True),
    Column("description", "资源摘要", "Description"),
    Column("owner_org", "提供单位", "Owner", required=True, help_zh="单位全称或单位编码", help_en="Full name or code of the organization"),
    Column("update_frequency", "更新频率", "Update frequency"),
    Column("record_count", "记录数", "Records"),
    Column("sharing", "共享属性", "Sharing", required=True, help_zh="无条件共享、有条件共享或不予共享", help_en="unconditional, authorized or non_sharing"),
    Column("opening", "开放属性", "Opening", required=True, help_zh="无条件开放、有条件开放或不予开放", help_en="unconditional, conditional or non_opening"),
)


class DataResourceResource(CatalogueResource):
    columns = DATA_RESOURCE_COLUMNS
    concrete_fields = ("name", "description", "owner_org", "update_frequency", "record_count", "sharing", "opening")
    code_prefix = (services.DATA_RESOURCE_CODE_PREFIX, services.DATA_RESOURCE_CODE_WIDTH)

    code = fields.Field(attribute="code", column_name="code", widget=TextWidget(max_length=20))
    name = fields.Field(attribute="name", column_name="name", widget=TextWidget(max_length=200, required=True))
    description = fields.Field(attribute="description", column_name="description", widget=TextWidget())
    owner_org = fields.Field(attribute="owner_org", column_name="owner_org", widget=OrgWidget())
    update_frequency = fields.Field(attribute="update_frequency", column_name="update_frequency",
                                    widget=ChoiceWidget(UpdateFrequency, default=UpdateFrequency.MONTHLY))
    record_count = fields.Field(attribute="record_count", column_name="record_count", widget=IntWidget(minimum=0, default=0))
    sharing = fields.Field(attribute="sharing", column_name="sharing", widget=ChoiceWidget(Sharing))
    opening = fields.Field(attribute="opening", column_name="opening", widget=ChoiceWidget(Opening))

    class Meta(CatalogueResource.Meta):
        model = DataResource
        fields = ("code", "name", "description", "owner_org", "update_frequency", "record_count", "sharing", "opening")
        import_id_fields = ("code",)

    def get_queryset(self):
        from .selectors import data_resources_for_catalogue

        return data_resources_for_catalogue(self.user).order_by("code")

    def load_tables(self):
        self.fields["owner_org"].widget.table = org_table()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if instance.sharing == Sharing.NON_SHARING and instance.opening and instance.opening != Opening.NON_OPENING \
                and "opening" not in errors:
            errors["opening"] = [gettext(
                "Column “%(column)s”: “%(value)s” is not possible for a non-sharing resource; it must be non-opening.") % {
                "column": self.labels["opening"], "value": Opening(instance.opening).label}]
        super().validate_instance(instance, errors, validate_unique)


# ---------------------------------------------------------------- hardware


HARDWARE_COLUMNS = (
    Column("id", "编号", "ID", help_zh="已有条目的编号；新增留空", help_en="ID of an existing item; leave empty to add"),
    Column("name", "名称", "Name", required=True),
    Column("kind", "类型", "Kind", required=True),
    Column("system", "所属系统编码", "System code", help_zh="如 XT-0001", help_en="e.g. XT-0001"),
    Column("project", "所属项目编号", "Project code", help_zh="如 XM-2026-0001", help_en="e.g. XM-2026-0001"),
    Column("vcpu", "vCPU", "vCPU"),
    Column("memory_gb", "内存（GB）", "Memory (GB)"),
    Column("storage_tb", "存储（TB）", "Storage (TB)"),
    Column("quantity", "数量", "Quantity"),
    Column("unit_cost", "单价（元）", "Unit cost (CNY)", required=True, help_zh="不得为负数", help_en="Not negative"),
    Column("location", "部署位置", "Location"),
    Column("supplier", "供应商", "Supplier"),
    Column("warranty_end", "保修截止日期", "Warranty end"),
    Column("status", "状态", "Status"),
)


class HardwareResource(CatalogueResource):
    """Hardware by id (items have no natural code); system and project by their codes."""

    columns = HARDWARE_COLUMNS
    id_column = "id"
    id_attribute = "id"
    concrete_fields = ("name", "kind", "system", "project", "vcpu", "memory_gb", "storage_tb", "quantity", "unit_cost", "location",
                       "supplier", "warranty_end", "status")
    owner_column = "system"

    id = fields.Field(attribute="id", column_name="id", widget=IntWidget(minimum=1))
    name = fields.Field(attribute="name", column_name="name", widget=TextWidget(max_length=200, required=True))
    kind = fields.Field(attribute="kind", column_name="kind", widget=ChoiceWidget(HardwareKind))
    system = fields.Field(attribute="system", column_name="system", widget=CodeWidget(InformationSystem))
    project = fields.Field(attribute="project", column_name="project", widget=CodeWidget(None))
    vcpu = fields.Field(attribute="vcpu", column_name="vcpu", widget=IntWidget(minimum=0))
    memory_gb = fields.Field(attribute="memory_gb", column_name="memory_gb", widget=IntWidget(minimum=0))
    storage_tb = fields.Field(attribute="storage_tb", column_name="storage_tb", widget=DecimalWidget())
    quantity = fields.Field(attribute="quantity", column_name="quantity", widget=IntWidget(minimum=1, default=1))
    unit_cost = fields.Field(attribute="unit_cost", column_name="unit_cost", widget=MoneyWidget())
    location = fields.Field(attribute="location", column_name="location", widget=ChoiceWidget(HardwareLocation, default=HardwareLocation.PROVINCIAL_CLOUD))
    supplier = fields.Field(attribute="supplier", column_name="supplier", widget=TextWidget(max_length=200))
    warranty_end = fields.Field(attribute="warranty_end", column_name="warranty_end", widget=DateWidget())
    status = fields.Field(attribute="status", column_name="status", widget=ChoiceWidget(HardwareStatus, default=HardwareStatus.PLANNED))

    class Meta(CatalogueResource.Meta):
        model = HardwareItem
        fields = ("id", "name", "kind", "system", "project", "vcpu", "memory_gb", "storage_tb", "quantity", "unit_cost", "location",
                  "supplier", "warranty_end", "status")
        import_id_fields = ("id",)

    @classmethod
    def normalize_key(cls, raw):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        try:
            return int(float(force_str(raw).strip())) if not isinstance(raw, int) else raw
        except ValueError:
            return force_str(raw).strip()

    def get_queryset(self):
        from .selectors import hardware_visible_to

        return hardware_visible_to(self.user).order_by("pk")

    def load_tables(self):
        from .permissions import maintains_whole_catalogue

        Project = HardwareItem._meta.get_field("project").related_model  # the catalogue does not import projects

        # Codes are looked up once for the whole file. Every system may be named (the catalogue is
        # public; the permission check then decides); a bureau names only projects it builds, so
        # that an error never reveals another organization's project.
        self.fields["system"].widget.table = {s.code: s for s in InformationSystem.objects.only("pk", "code", "name", "owner_org_id")}
        projects = Project.objects.all()  # whole rows: deferring fields of a django-fsm model recurses
        if not maintains_whole_catalogue(self.user):
            projects = projects.filter(construction_org_id=getattr(self.user, "organization_id", None))
        self.fields["project"].widget.table = {p.code: p for p in projects}

    def owner_id_of(self, instance) -> int | None:
        if instance.system_id:
            return instance.system.owner_org_id
        if instance.project_id:
            return instance.project.construction_org_id
        return None

    def check_permission(self, instance, errors):
        from .permissions import hardware_owner_id

        if "system" in errors or "project" in errors:
            return  # the owner is unknown until those cells are right
        label = self.labels["system"]
        if not instance._import_new:
            before = HardwareItem(system=instance._import_before.get("system"), project=instance._import_before.get("project"))
            if not may_change_owned_by(self.user, hardware_owner_id(before)):
                errors["system"] = [gettext("Column “%(column)s”: you may not change hardware item %(value)s.") % {
                    "column": self.labels["id"], "value": instance.pk}]
                return
        if not may_change_owned_by(self.user, self.owner_id_of(instance)):
            value = instance.system.code if instance.system_id else (instance.project.code if instance.project_id else "")
            errors["system"] = [gettext(
                "Column “%(column)s”: “%(value)s” is not a system or project of your organization.") % {"column": label, "value": value}]

    def unknown_key_message(self, value) -> str:
        return gettext("Column “%(column)s”: there is no hardware item “%(value)s” that you may see; leave it empty to add a new one.") % {
            "column": self.labels["id"], "value": value}

    def preview_row(self, instance, is_create, changes, row_number) -> dict:
        row = super().preview_row(instance, is_create, changes, row_number)
        row["key"] = instance.pk or ""
        return row


RESOURCES = {
    "systems": SystemResource,
    "data-resources": DataResourceResource,
    "hardware": HardwareResource,
}
