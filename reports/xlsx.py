"""Workbooks a finance officer can check: the one formatting code behind every Excel report and
every "export what I see".

Each table sheet starts with a title block (the title, the issuing authority and the generation
time, the filters used), then a frozen header row with an autofilter, the rows, and a total row of
SUBTOTAL formulas (they follow the autofilter). Summary sheets count and add with COUNTIFS/SUMIFS
formulas over the table, so every figure can be traced to its rows. Money is CNY, shares are
percentages, dates are real dates, column widths fit the text (a CJK character counts double).

xlsxwriter writes in constant-memory mode: each row goes to disk once written, so a 100,000-row
register takes a few megabytes of memory. Cells are written by type (`write_string` never turns
text into a formula); text that a spreadsheet would read as a formula (= + - @) is also marked
with Excel's quote prefix, so that it stays text when a user edits the cell.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = '"¥"#,##0.00'
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_WIDTH = 60
HEADER_ROW = 4  # 0-based: title, authority and time, filters, a blank row, then the header
SHEET_NAME_BAD = set("[]:*?/\\")
PROGRESS_EVERY = 2000  # rows between two progress reports (each is one UPDATE of the job row at most)
EXCEL_EPOCH = date(1899, 12, 30).toordinal()


@dataclass(frozen=True)
class Column:
    """One column: its header, its kind (text, money, percent, int, year, date, datetime) and whether the
    total row adds it up. A `year` is a number without a thousands separator (2026), never totalled."""

    label: str
    kind: str = "text"
    total: bool | None = None  # default: money and int columns are totalled
    min_width: int = 6

    @property
    def totalled(self) -> bool:
        return self.kind in ("money", "int") if self.total is None else self.total


class _CharWidths(dict):
    """Width of each character met so far (East Asian wide and full-width: 2), looked up once per character."""

    def __missing__(self, ch: str) -> int:
        width = self[ch] = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        return width


_CHAR_WIDTHS = _CharWidths()


def text_width(value) -> int:
    """Display width of a cell's text: East Asian wide characters count two."""
    text = "" if value is None else str(value)
    if text.isascii():
        return len(text)
    return sum(map(_CHAR_WIDTHS.__getitem__, text))


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def sheet_name(text: str, used: set[str]) -> str:
    """A valid, unique sheet name (31 characters, no []:*?/\\)."""
    name = "".join("_" if ch in SHEET_NAME_BAD else ch for ch in str(text)).strip("'")[:31] or "Sheet"
    base, n = name, 2
    while name.lower() in {u.lower() for u in used}:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


def local(value):
    """Aware datetimes as the local wall time Excel shows (Excel has no time zones)."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    return value


class Workbook:
    """A report workbook. `add_table()` per sheet, `add_summary()` for formula summaries, then `close()`."""

    def __init__(self, *, title: str, authority: str, generated_at: datetime, filters: Sequence[tuple[str, str]] = ()):
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {
            "constant_memory": True, "in_memory": False, "strings_to_formulas": False, "strings_to_numbers": False,
            "strings_to_urls": False, "default_date_format": DATE_FORMAT, "remove_timezone": True,
        })
        self.book.set_properties({"title": title, "company": authority, "created": local(generated_at)})
        self.title, self.authority, self.generated_at, self.filters = title, authority, generated_at, list(filters)
        self.used_names: set[str] = set()
        self.tables: dict[str, dict] = {}
        f = self.book.add_format
        self.fmt = {
            "title": f({"bold": True, "font_size": 14}),
            "meta": f({"font_color": "#444444"}),
            "header": f({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True, "valign": "vcenter"}),
            "text": f({}),
            "quoted": f({"quote_prefix": True}),
            "money": f({"num_format": MONEY_FORMAT}),
            "percent": f({"num_format": PERCENT_FORMAT}),
            "int": f({"num_format": "#,##0"}),
            "year": f({"num_format": "0"}),
            "date": f({"num_format": DATE_FORMAT}),
            "datetime": f({"num_format": DATETIME_FORMAT}),
            "total_label": f({"bold": True, "top": 1}),
            "total_money": f({"bold": True, "top": 1, "num_format": MONEY_FORMAT}),
            "total_int": f({"bold": True, "top": 1, "num_format": "#,##0"}),
            "total_percent": f({"bold": True, "top": 1, "num_format": PERCENT_FORMAT}),
            "total_blank": f({"top": 1}),
        }

    # ------------------------------------------------------------------ the title block

    def _title_block(self, sheet, title: str, filters: Sequence[tuple[str, str]]) -> None:
        sheet.write_string(0, 0, title, self.fmt["title"])
        generated = timezone.localtime(self.generated_at) if timezone.is_aware(self.generated_at) else self.generated_at
        sheet.write_string(1, 0, _("Issued by: %(authority)s    Generated: %(at)s") % {
            "authority": self.authority, "at": generated.strftime("%Y-%m-%d %H:%M")}, self.fmt["meta"])
        shown = "；".join(f"{k}：{v}" for k, v in filters) if filters else _("none (everything you may see)")
        sheet.write_string(2, 0, _("Filters: %(filters)s") % {"filters": shown}, self.fmt["meta"])

    # ------------------------------------------------------------------ tables

    def add_table(self, name: str, columns: Sequence[Column], rows: Iterable[Sequence], *, title: str | None = None,
                  filters: Sequence[tuple[str, str]] | None = None, total_label: str | None = None, progress=None,
                  total_rate: tuple[int, int, int] | None = None) -> dict:
        """Write one table sheet; returns where its data lies (for summaries that refer to it).
        `total_rate` = (column, numerator column, denominator column): the total row's cell of that
        column is the ratio of the two SUBTOTALs, `=IF(den=0,0,num/den)` (the overall execution rate)."""
        sheet = self.book.add_worksheet(sheet_name(name, self.used_names))
        self._title_block(sheet, title or self.title, self.filters if filters is None else filters)
        widths = [max(c.min_width, text_width(c.label) + 2) for c in columns]
        for col, column in enumerate(columns):
            sheet.write_string(HEADER_ROW, col, column.label, self.fmt["header"])
        sums = [Decimal("0") if c.totalled else None for c in columns]
        kinds = [c.kind for c in columns]
        writers = [self._writer(sheet, kind) for kind in kinds]
        # Numbers and dates are measured once at the end: a number column by its largest figure, a date by its format.
        largest: list = [None] * len(columns)
        negative = [False] * len(columns)
        ncols, r = len(columns), HEADER_ROW
        for r, row in enumerate(rows, start=HEADER_ROW + 1):
            if len(row) != ncols:
                raise ValueError(f"row {r - HEADER_ROW} has {len(row)} cells for {ncols} columns")
            for col in range(ncols):
                value = row[col]
                if value is None or value == "":
                    continue  # an empty cell (xlsxwriter writes no blank cell without a format either)
                text = writers[col](r, col, value)
                if text is not None:
                    # Measured only when it could widen the column (a character is at most two wide).
                    width = widths[col]
                    if width < MAX_WIDTH and 2 * len(text) > width:
                        widths[col] = max(width, min(text_width(text), MAX_WIDTH))
                    continue
                if sums[col] is not None:
                    sums[col] += Decimal(value)
                if kinds[col] in ("money", "int"):
                    magnitude = abs(value)
                    if largest[col] is None or magnitude > largest[col]:
                        largest[col] = magnitude
                    if value < 0:
                        negative[col] = True
                elif largest[col] is None:
                    largest[col] = True  # a date or a percentage was written
            if progress and (r - HEADER_ROW) % PROGRESS_EVERY == 0:
                progress(r - HEADER_ROW)
        for col, kind in enumerate(kinds):
            if largest[col] is not None:
                widths[col] = max(widths[col], self._number_width(kind, largest[col]) + negative[col])
        first, last = HEADER_ROW + 1, r
        count = last - HEADER_ROW
        total_row = last + 1
        if count:
            sheet.autofilter(HEADER_ROW, 0, last, len(columns) - 1)
        sheet.write_string(total_row, 0, total_label or _("Total (%(n)s rows)") % {"n": f"{count:,}"}, self.fmt["total_label"])
        for col, column in enumerate(columns[1:], start=1):
            if column.totalled:
                rng = f"{xl_rowcol_to_cell(first, col)}:{xl_rowcol_to_cell(max(first, last), col)}"
                value = sums[col] if count else 0
                fmt = self.fmt["total_money"] if column.kind == "money" else self.fmt["total_int"]
                sheet.write_formula(total_row, col, f"=SUBTOTAL(9,{rng})", fmt, float(value) if column.kind == "money" else int(value))
            elif total_rate and col == total_rate[0]:
                num, den = (xl_rowcol_to_cell(total_row, c) for c in total_rate[1:])
                n, d = (sums[c] or Decimal("0") for c in total_rate[1:])
                sheet.write_formula(total_row, col, f"=IF({den}=0,0,{num}/{den})", self.fmt["total_percent"],
                                    float(n / d) if count and d else 0.0)
            else:
                sheet.write_blank(total_row, col, None, self.fmt["total_blank"])
        sheet.freeze_panes(HEADER_ROW + 1, 1 if len(columns) > 3 else 0)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, min(width + 1, MAX_WIDTH))
        sheet.set_row(HEADER_ROW, 30)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.repeat_rows(HEADER_ROW)
        sheet.fit_to_pages(1, 0)
        info = {"sheet": sheet.get_name(), "first": first, "last": last, "count": count, "columns": list(columns)}
        self.tables[name] = info
        return info

    def _writer(self, sheet, kind: str):
        """The function writing one non-empty cell of a column of `kind`, with its format chosen once.
        It returns the text written for a text cell (to measure the column), None for a number or a date."""
        fmt = self.fmt
        if kind in ("money", "percent", "int", "year"):
            number_format = fmt[kind]
            convert = int if kind in ("int", "year") else float

            def number(r, col, value):
                sheet.write_number(r, col, convert(value), number_format)

            return number
        if kind in ("date", "datetime"):
            day_format, time_format = fmt["date"], fmt["datetime"]
            zone = timezone.get_current_timezone()  # looked up once per column, not per cell

            def moment(r, col, value):
                if isinstance(value, datetime):
                    value = (value.astimezone(zone) if value.tzinfo is not None else value).replace(tzinfo=None)
                if kind == "date" and isinstance(value, datetime):
                    value = value.date()  # a day column: the local day of the moment
                if isinstance(value, datetime):
                    sheet.write_datetime(r, col, value, time_format)
                elif isinstance(value, date):
                    # An Excel date is the count of days since 1899-12-30 under a date format (what write_datetime writes).
                    sheet.write_number(r, col, value.toordinal() - EXCEL_EPOCH, day_format)
                else:
                    return self._text(sheet, r, col, str(value))
                return None

            return moment
        return lambda r, col, value: self._text(sheet, r, col, str(value))

    def _text(self, sheet, r: int, col: int, text: str) -> str:
        sheet.write_string(r, col, text, self.fmt["quoted"] if text.startswith(FORMULA_START) else self.fmt["text"])
        return text

    @staticmethod
    def _number_width(kind: str, largest) -> int:
        """Width of a column's widest figure (the largest magnitude in its format), or of a date or percentage."""
        if kind == "money":
            return text_width(f"¥{Decimal(largest):,.2f}")
        if kind == "int":
            return text_width(f"{int(largest):,}")
        return {"percent": 7, "year": 6, "date": 10, "datetime": 16}.get(kind, 0)

    # ------------------------------------------------------------------ summaries as formulas

    def add_summary(self, name: str, table: dict, *, by: int, groups: Sequence[tuple[str, object]], sums: Sequence[int],
                    title: str | None = None, count_label: str | None = None,
                    rate: tuple[int, int, str] | None = None) -> None:
        """A sheet with one row per group: COUNTIFS of the rows and SUMIFS of the `sums` columns of
        `table`, matched on the text in column `by`, with a share of the first sum and a total row.
        `groups` are (label as it appears in the table, value computed here) pairs: the value is
        only the cached result; Excel, WPS and LibreOffice compute the formula. `rate` = (i, j, label)
        adds a last column of sum i divided by sum j (indexes into `sums`), e.g. paid / budgeted."""
        sheet = self.book.add_worksheet(sheet_name(name, self.used_names))
        self._title_block(sheet, title or name, self.filters)
        columns = table["columns"]
        src = f"'{table['sheet']}'!"
        first, last = table["first"], max(table["first"], table["last"])

        def col_range(c):
            letter = xl_col_to_name(c)
            return f"{src}${letter}${first + 1}:${letter}${last + 1}"

        headers = [columns[by].label, count_label or _("Rows")] + [columns[c].label for c in sums]
        if sums:
            headers.append(_("Share of %(column)s") % {"column": columns[sums[0]].label})
        if rate:
            headers.append(rate[2])
        rate_col = len(headers) - 1 if rate else None
        for c, label in enumerate(headers):
            sheet.write_string(HEADER_ROW, c, label, self.fmt["header"])
        widths = [text_width(h) + 2 for h in headers]
        r = HEADER_ROW
        key_range = col_range(by)
        grand = [sum((Decimal(v[i + 1] or 0) for _label, v in groups), Decimal("0")) for i in range(len(sums))] if groups else []
        for r, (label, values) in enumerate(groups, start=HEADER_ROW + 1):
            key = xl_rowcol_to_cell(r, 0)
            sheet.write_string(r, 0, str(label))
            widths[0] = max(widths[0], text_width(label) + 1)
            sheet.write_formula(r, 1, f"=COUNTIFS({key_range},{key})", self.fmt["int"], int(values[0]))
            for i, c in enumerate(sums):
                sheet.write_formula(r, 2 + i, f"=SUMIFS({col_range(c)},{key_range},{key})", self.fmt["money"],
                                    float(values[i + 1] or 0))
                widths[2 + i] = max(widths[2 + i], text_width(f"¥{Decimal(values[i + 1] or 0):,.2f}") + 1)
            if sums:
                share_col = 2 + len(sums)
                part = xl_rowcol_to_cell(r, 2)
                whole = xl_rowcol_to_cell(HEADER_ROW + len(groups) + 1, 2, row_abs=True, col_abs=True)
                cached = float(Decimal(values[1] or 0) / grand[0]) if grand and grand[0] else 0.0
                sheet.write_formula(r, share_col, f"=IF({whole}=0,0,{part}/{whole})", self.fmt["percent"], cached)
            if rate:
                self._rate_cell(sheet, r, rate_col, rate, [Decimal(values[i + 1] or 0) for i in range(len(sums))], self.fmt["percent"])
        total_row = HEADER_ROW + len(groups) + 1
        sheet.write_string(total_row, 0, _("Total"), self.fmt["total_label"])
        body = (HEADER_ROW + 1, max(HEADER_ROW + 1, total_row - 1))
        for c in range(1, len(headers)):
            rng = f"{xl_rowcol_to_cell(body[0], c)}:{xl_rowcol_to_cell(body[1], c)}"
            if c == rate_col:
                self._rate_cell(sheet, total_row, c, rate, grand or [Decimal("0")] * len(sums), self.fmt["total_percent"])
            elif c == 1:
                cached = sum(int(v[0]) for _label, v in groups)
                sheet.write_formula(total_row, c, f"=SUM({rng})", self.fmt["total_int"], cached)
            elif sums and c == 2 + len(sums):
                sheet.write_formula(total_row, c, f"=SUM({rng})", self.fmt["total_percent"], 1.0 if grand and grand[0] else 0)
            else:
                cached = float(grand[c - 2]) if grand else 0
                sheet.write_formula(total_row, c, f"=SUM({rng})", self.fmt["total_money"], cached)
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        for c, width in enumerate(widths):
            sheet.set_column(c, c, min(max(width, 10) + 1, MAX_WIDTH))
        sheet.set_row(HEADER_ROW, 30)

    @staticmethod
    def _rate_cell(sheet, r: int, c: int, rate, values, fmt) -> None:
        num, den = xl_rowcol_to_cell(r, 2 + rate[0]), xl_rowcol_to_cell(r, 2 + rate[1])
        cached = float(values[rate[0]] / values[rate[1]]) if values[rate[1]] else 0.0
        sheet.write_formula(r, c, f"=IF({den}=0,0,{num}/{den})", fmt, cached)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def csv_bytes(columns: Sequence[Column], rows: Iterable[Sequence], *, progress=None) -> bytes:
    """The same table as CSV (UTF-8 with a BOM for Excel); formula-like text prefixed with an apostrophe."""
    import csv

    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([c.label for c in columns])
    for n, row in enumerate(rows, start=1):
        cells = []
        for column, value in zip(columns, row, strict=True):
            value = local(value)
            if column.kind == "date" and isinstance(value, datetime):
                value = value.date()
            if value is None:
                cells.append("")
            elif column.kind == "money":
                cells.append(f"{Decimal(value):.2f}")
            elif isinstance(value, datetime):
                cells.append(value.strftime("%Y-%m-%d %H:%M"))
            elif isinstance(value, date):
                cells.append(value.isoformat())
            elif is_formula_like(value):
                cells.append("'" + value)
            else:
                cells.append(str(value))
        writer.writerow(cells)
        if progress and n % 1000 == 0:
            progress(n)
    return out.getvalue().encode("utf-8")
