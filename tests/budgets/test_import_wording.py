"""The import's wording as a new user read it: a date cell shows as a date, Chinese numerals are
called 中文数字, and every column message starts the same way (列“…”：)."""

import datetime

import polib
import pytest
from django.conf import settings
from django.utils import translation

from tests.budgets.test_import import HEAD, row, run, xlsx
from tests.budgets.test_import_again import line  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_a_date_cell_shows_as_a_date_in_the_value_column(users, line):  # noqa: F811
    future = datetime.datetime(2099, 12, 28)  # a real date cell of the workbook (a timestamp at midnight)
    cells = row("PZ-D", "XM-2026-0201", "1000")
    cells[HEAD.index("日期")] = future
    report = run(users["finance"], xlsx([cells]))
    assert [(p.row, p.column, p.value) for p in report.problems] == [(2, "日期", "2099-12-28")]
    assert "2099-12-28”" in report.problems[0].message and "00:00" not in report.problems[0].message


def test_chinese_numerals_are_called_chinese_numerals(users, line):  # noqa: F811
    with translation.override("zh-hans"):
        report = run(users["finance"], xlsx([row("PZ-W", "XM-2026-0201", "五万")]))
    assert report.problems[0].value == "五万"
    assert "中文数字" in report.problems[0].message and "大写" not in report.problems[0].message


def test_column_messages_start_the_same_way_in_chinese():
    catalogue = polib.pofile(str(settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    column_messages = [e for e in catalogue if e.msgid.startswith("Column “%(column)s”") and e.msgstr]
    assert column_messages
    assert [e.msgid for e in column_messages if not e.msgstr.startswith("列“%(column)s”")] == []
