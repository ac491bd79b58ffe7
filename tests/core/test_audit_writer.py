"""One writer of the audit log, read in words: core/audit.py alone creates rows; pages show labels."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from projects.models import RedundancyFlag
from projects.redundancy.flags import resolve_flag, run_check

from ..projects.redundancy_helpers import (
    PARKING_CAPS,
    PARKING_DEMAND,
    PARKING_SYSTEM,
    make_demand,
    make_system,
    to_provincial_review,
)

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "organizations", "assets", "projects", "budgets", "reports"]
WRITES = re.compile(r"(?<!class )AuditLog\s*\(|AuditLog\.objects\.(create|bulk_create|get_or_create|update_or_create)")


def test_only_core_audit_creates_audit_rows():
    writers = sorted(
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and WRITES.search(path.read_text())
    )
    assert writers == ["core/audit.py"]


@pytest.mark.django_db
def test_audit_page_reads_in_words_not_codes(client, users):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    run_check(demand)
    flag = RedundancyFlag.objects.get(demand=demand, candidate_id=system.pk)
    resolve_flag(flag, comment="建设范围不同", actor=users["prov_reviewer"])
    client.force_login(users["auditor"])
    html = client.get(reverse("core:audit_log"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "市级初审" in html and "省级审核" in html  # demand states as words
    assert f"系统 {system.code} 疑似重复" in html  # the flag as a reader names it
    assert "已排除" in html
    for code in ("municipal_review", "provincial_review", ">submit<", ">dismiss<", "system:"):
        assert code not in html
