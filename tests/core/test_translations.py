"""The Simplified Chinese catalogue is complete: no untranslated, fuzzy or missing entry."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
SOURCES = ["config", "core", "organizations", "projects", "budgets", "assets", "reports", "templates"]


def test_zh_hans_catalogue_has_no_untranslated_or_fuzzy_entry():
    po = polib.pofile(str(CATALOGUE))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [], f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_every_string_in_the_code_is_in_the_zh_hans_catalogue(tmp_path):
    """Extract afresh with makemessages into a scratch folder and compare with the catalogue."""
    assert shutil.which("xgettext"), "gettext is needed: sudo apt-get install -y gettext (make test installs it)"
    # makemessages writes next to the nearest `locale/` folder, so extract from a copy of the
    # sources that has none, into a scratch catalogue.
    src = tmp_path / "src"
    for name in SOURCES:
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("locale", "__pycache__", "migrations"))
    scratch = tmp_path / "locale"
    scratch.mkdir()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PDM_LOCALE_PATHS": str(scratch), "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-location", "-v", "0"]
    r = subprocess.run(args, cwd=src, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    fresh = polib.pofile(str(scratch / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    known = {(e.msgctxt, e.msgid) for e in polib.pofile(str(CATALOGUE)) if e.translated() and not e.obsolete}
    missing = sorted({e.msgid for e in fresh if (e.msgctxt, e.msgid) not in known})
    assert missing == [], f"{len(missing)} strings not translated, e.g. {missing[:8]}"


@pytest.mark.django_db
def test_catalogue_is_compiled_and_used(client):
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Log in") == "登录"
