"""Reading a clerk's file, previewing and committing a catalogue import, and exporting.

An import is one pass of the resource over the whole file inside one transaction: the preview is
that pass as a dry run (nothing written), the commit is the same pass for real, rolled back if
any row is wrong. Before either, the file itself is checked with bounded work: its kind (an
Excel workbook or a CSV file, by content, not by name), its size, its number of rows (reading
stops at the limit), its headers (missing and unknown columns are named).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import tablib
from django.conf import settings
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.module_loading import import_string
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .models import InformationSystem
from .resources import RESOURCES, CatalogueResource, Column, normalize_header
from .signals import catalogue_changed

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 60
MAX_REPORTED_ERRORS = 100
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

KIND_LABELS = {
    "systems": _("information systems"),
    "data-resources": _("data resources"),
    "hardware": _("hardware and cloud resources"),
}


class ImportFileError(Exception):
    """The file as a whole cannot be imported; `message` says why in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class RowProblem:
    row: int  # the spreadsheet row (the header is row 1)
    column: str
    value: str
    message: str


@dataclass
class ImportReport:
    kind: str
    filename: str = ""
    total_rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    rows_with_errors: int = 0
    file_errors: list[str] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    committed: bool = False
    table: tuple | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.rows_with_errors

    @property
    def more_errors(self) -> int:
        """Rows with errors beyond those listed."""
        listed = len({p.row for p in self.problems})
        return max(0, self.rows_with_errors - listed)

    @property
    def preview_truncated(self) -> int:
        return max(0, self.new + self.updated - len(self.preview))


# ---------------------------------------------------------------- reading files


def _cell(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def read_table(content: bytes, filename: str = "") -> tuple[list, list[list]]:
    """Headers and rows of the first sheet of an xlsx file or of a CSV file, at most MAX_ROWS rows.

    Raises ImportFileError for anything else (another format, a broken workbook, too big).
    """
    if not content:
        raise ImportFileError(_("The file is empty."))
    if len(content) > MAX_UPLOAD_BYTES:
        raise ImportFileError(gettext("The file is %(size).1f MB; files of at most %(max)d MB can be imported.") % {
            "size": len(content) / 1024 / 1024, "max": MAX_UPLOAD_BYTES // 1024 // 1024})
    name = (filename or "").lower()
    if content[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(content)
    elif content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or name.endswith(".xls"):
        raise ImportFileError(_("This is an old Excel 97–2003 (.xls) file: save it as an Excel workbook (.xlsx) or as CSV and upload it again."))
    else:
        rows = _csv_rows(content, name)
    headers = None
    data = []
    for raw in rows:
        values = [_cell(v) for v in raw]
        if headers is None:
            if not any(v is not None for v in values):
                continue  # blank lines above the headers
            while values and values[-1] is None:
                values.pop()
            if len(values) > MAX_COLUMNS:
                raise ImportFileError(gettext("The first row has %(n)d columns; this is not an import file of the catalogue.") % {"n": len(values)})
            headers = values
            continue
        values = values[: len(headers)]
        if not any(v is not None for v in values):
            continue  # blank lines
        data.append(values + [None] * (len(headers) - len(values)))
        if len(data) > MAX_ROWS:
            raise ImportFileError(gettext(
                "The file has more than %(max)s rows; import at most %(max)s rows at a time (split the file)."
            ) % {"max": f"{MAX_ROWS:,}"})
    if headers is None:
        raise ImportFileError(_("The file has no header row."))
    return headers, data


def _xlsx_rows(content: bytes):
    import openpyxl

    try:
        # read_only streams the sheet (a full load takes about 50 times the file size in memory).
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise ImportFileError(gettext("The file is not a readable Excel workbook (.xlsx): %(reason)s") % {"reason": exc.__class__.__name__})
    except Exception:  # openpyxl raises many kinds of errors on damaged files
        raise ImportFileError(_("The file is not a readable Excel workbook (.xlsx)."))
    sheet = book.worksheets[0] if book.worksheets else None
    if sheet is None:
        raise ImportFileError(_("The workbook has no sheet."))
    try:
        yield from sheet.iter_rows(values_only=True)
    finally:
        book.close()


def _csv_rows(content: bytes, name: str):
    if b"\x00" in content[:4096]:
        raise ImportFileError(_("The file is neither an Excel workbook (.xlsx) nor a CSV file."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The file is neither an Excel workbook (.xlsx) nor a CSV file."))
    sample = text[:4096]
    if not name.endswith((".csv", ".txt")) and ("," not in sample and "\t" not in sample):
        raise ImportFileError(_("The file is neither an Excel workbook (.xlsx) nor a CSV file."))
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        yield from csv.reader(io.StringIO(text), delimiter=delimiter)
    except csv.Error as exc:
        raise ImportFileError(gettext("The CSV file cannot be read: %(reason)s") % {"reason": exc})


def check_headers(resource_class: type[CatalogueResource], headers: list) -> tuple[list[str], dict[str, str], list[str]]:
    """Canonical column keys for the file's headers, the header each key came from, and the problems."""
    aliases = {}
    for column in resource_class.columns:
        for alias in column.aliases():
            aliases[alias] = column
    keys, original, problems, unknown = [], {}, [], []
    for position, header in enumerate(headers, start=1):
        if header is None:
            keys.append(f"__blank_{position}")
            continue
        column = aliases.get(normalize_header(header))
        if column is None:
            unknown.append(force_str(header))
            keys.append(f"__unknown_{position}")
        elif column.key in original:
            problems.append(gettext("The column “%(column)s” appears twice.") % {"column": header})
            keys.append(f"__duplicate_{position}")
        else:
            keys.append(column.key)
            original[column.key] = force_str(header)
    if unknown:
        problems.append(gettext("Unknown columns: %(columns)s. The template lists the columns that can be imported.") % {
            "columns": "、".join(f"“{h}”" for h in unknown)})
    missing = [c.label() for c in resource_class.columns if c.required and c.key not in original]
    if missing:
        problems.append(gettext("Missing columns: %(columns)s.") % {"columns": "、".join(f"“{m}”" for m in missing)})
    return keys, original, problems


# ---------------------------------------------------------------- running an import


def run_import(kind: str, user, content: bytes, filename: str = "", *, commit: bool, resource_class=None) -> ImportReport:
    """Preview (commit=False) or import (commit=True) a file; any problem and nothing is saved.

    The report keeps the table read from the file (`report.table`), so that a confirmed preview
    is imported from it (`import_table`) without reading the workbook a second time.
    """
    try:
        table = read_table(content, filename)
    except ImportFileError as exc:
        report = ImportReport(kind=kind, filename=filename)
        report.file_errors.append(str(exc.message))
        return report
    return import_table(kind, user, table, filename, commit=commit, resource_class=resource_class)


def import_table(kind: str, user, table: tuple[list, list[list]], filename: str = "", *, commit: bool,
                 resource_class=None) -> ImportReport:
    """Preview or import rows already read from a file (see `run_import`).

    `resource_class`: another app's resource built on CatalogueResource (budgets' lines and
    disbursements); by default the catalogue's resource of `kind`.
    """
    resource_class = resource_class or RESOURCES[kind]
    report = ImportReport(kind=kind, filename=filename)
    headers, rows = table
    keys, original_headers, problems = check_headers(resource_class, headers)
    report.total_rows = len(rows)
    if problems:
        report.file_errors.extend(problems)
        return report
    if not rows:
        report.file_errors.append(gettext("The file has a header row but no data rows."))
        return report
    wanted = [i for i, k in enumerate(keys) if not k.startswith("__")]
    # Without the key column every row is a new entry.
    add_key = resource_class.id_column not in keys
    dataset = tablib.Dataset(headers=[keys[i] for i in wanted] + ([resource_class.id_column] if add_key else []))
    for row in rows:
        dataset.append([row[i] for i in wanted] + ([None] if add_key else []))

    resource = resource_class(user=user, headers=original_headers)
    result = resource.import_data(dataset, dry_run=not commit, raise_errors=False, use_transactions=True,
                                  rollback_on_validation_errors=True)
    totals = result.totals
    report.new, report.updated, report.unchanged = totals.get("new", 0), totals.get("update", 0), totals.get("skip", 0)
    report.preview = resource.preview
    _collect_problems(report, resource, result, original_headers)
    report.committed = commit and report.ok
    report.table = table
    if report.committed and kind == "systems":
        # Bulk writes bypass the models' save signals: tell whoever keeps derived data (the
        # redundancy index of every process), so imported systems are found by the next check.
        catalogue_changed.send(sender=InformationSystem, kind=kind)
    return report


def table_bytes(table: tuple[list, list[list]]) -> bytes:
    """A table read from a file, as kept between preview and commit (JSON; dates as ISO text)."""

    def plain(value):
        if isinstance(value, datetime):
            return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, int | float | str) or value is None:
            return value
        return force_str(value)

    headers, rows = table
    return json.dumps({"headers": [plain(h) for h in headers], "rows": [[plain(v) for v in row] for row in rows]},
                      ensure_ascii=False).encode("utf-8")


def table_from_bytes(data: bytes) -> tuple[list, list[list]]:
    parsed = json.loads(data.decode("utf-8"))
    return parsed["headers"], parsed["rows"]


def _collect_problems(report: ImportReport, resource: CatalogueResource, result, headers: dict[str, str]) -> None:
    attribute_to_column = {f.attribute: f.column_name for f in resource.fields.values()}
    for error in result.base_errors:
        report.file_errors.append(gettext("The import failed and nothing was saved: %(error)s") % {"error": error.error})
    rows_with_errors = 0
    positions = {key: i for i, key in enumerate(result.diff_headers)}
    for invalid in result.invalid_rows:
        rows_with_errors += 1
        if len(report.problems) >= MAX_REPORTED_ERRORS:
            continue
        for attribute, messages in invalid.error_dict.items():
            column_key = attribute_to_column.get(attribute, attribute)
            column = headers.get(column_key) or _label(resource, column_key)
            value = invalid.values[positions[column_key]] if column_key in headers and column_key in positions else ""
            for message in messages:
                report.problems.append(RowProblem(invalid.number + 1, column, _show(value), force_str(message)))
    for error_row in result.error_rows:
        rows_with_errors += 1
        if len(report.problems) >= MAX_REPORTED_ERRORS:
            continue
        for error in error_row.errors:
            report.problems.append(RowProblem(error_row.number + 1, "", "", gettext("Unexpected error: %(error)s") % {"error": error.error}))
    report.rows_with_errors = rows_with_errors


def _label(resource, key) -> str:
    try:
        return resource.column(key).label()
    except StopIteration:
        return key if key != "__all__" else ""


MIDNIGHT_TEXT = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]00:00(:00)?$")


def _show(value) -> str:
    """A cell as the report's value column shows it: a date cell as a date (2026-12-28), not a timestamp."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = force_str(value)
    midnight = MIDNIGHT_TEXT.match(text.strip())
    return midnight.group(1) if midnight else text[:100]


# ---------------------------------------------------------------- temporary files between preview and commit


def tmp_storage(name: str | None = None):
    storage_class = import_string(getattr(settings, "IMPORT_EXPORT_TMP_STORAGE_CLASS", "import_export.tmp_storages.MediaStorage"))
    kwargs = {"name": name, "read_mode": "rb"}
    if storage_class.__name__ == "MediaStorage":
        kwargs["MEDIA_FOLDER"] = "private/catalogue-imports"
    return storage_class(**kwargs)


# ---------------------------------------------------------------- export and template


def export_dataset(kind: str, user, queryset=None, resource_class=None) -> tablib.Dataset:
    """The user's visible rows of `kind`, headers in the user's language, formula-like text escaped."""
    resource = (resource_class or RESOURCES[kind])(user=user)
    if queryset is None:
        queryset = resource.get_queryset()
    dataset = resource.export_dataset(queryset)
    label = KIND_LABELS.get(kind) or resource._meta.model._meta.verbose_name_plural  # budgets' kinds too
    dataset.title = str(label)[:31]  # the sheet's name (tablib's default is "Tablib Dataset")
    return dataset


def dataset_bytes(dataset: tablib.Dataset, fmt: str) -> bytes:
    if fmt == "csv":
        # A BOM, so that Excel opens the Chinese text as UTF-8.
        return ("\ufeff" + dataset.export("csv")).encode("utf-8")
    return dataset.export("xlsx")


def export_filename(kind: str, fmt: str) -> str:
    return f"{kind}-{timezone.localdate():%Y%m%d}.{fmt}"


def template_book(kind: str, resource_class=None) -> bytes:
    """An empty workbook with the headers, and a second sheet that explains each column."""
    resource_class = resource_class or RESOURCES[kind]
    columns: tuple[Column, ...] = resource_class.columns
    data = tablib.Dataset(headers=[c.label() for c in columns], title=gettext("Data"))
    notes = tablib.Dataset(headers=[gettext("Column"), gettext("Required"), gettext("How to fill it in")], title=gettext("Instructions"))
    resource = resource_class()
    for column in columns:
        widget = resource.fields[column.key].widget
        hint = column.help()
        if hasattr(widget, "choices") and not hint:
            hint = "、".join(str(label) for _code, label in widget.choices.choices)
        notes.append([column.label(), gettext("Yes") if column.required else "", hint])
    notes.append(["", "", ngettext("At most %(n)s row per file.", "At most %(n)s rows per file.", MAX_ROWS) % {"n": f"{MAX_ROWS:,}"}])
    return tablib.Databook([data, notes]).export("xlsx")
