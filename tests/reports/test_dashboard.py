"""The dashboard: its numbers equal the underlying queries, its queries do not grow with the rows,
its charts draw from json_script (no inline script), and only leadership and finance open it."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Demand, Project
from reports import dashboard as figures
from reports import tasks
from reports.dashboard import refresh_snapshot
from reports.models import DashboardSnapshot
from tests.assets.factories import SystemFactory
from tests.projects.factories import DemandFactory
from tests.projects.project_factories import ProjectFactory, org


def make_world(n: int, start: int = 0):
    now = timezone.now()
    for i in range(start, start + n):
        d = DemandFactory(org=org("220100-jyj") if i % 2 else org("220200-mzj"))
        waited = timedelta(days=i + 1)
        Demand.objects.filter(pk=d.pk).update(status="provincial_review", code=f"XQ-2026-{900 + i:06d}",
                                              stage_entered_at=now - waited, due_at=now - timedelta(days=i) if i % 3 == 0 else now + timedelta(days=3))
    DemandFactory()  # a draft
    ProjectFactory(hardware_status="procuring", development_status="building")
    ProjectFactory()
    SystemFactory(name=f"全省统一身份认证{start or ''}", user_orgs=["220100-jyj", "220200-mzj", "220100-mzj"])


@pytest.mark.django_db
def test_dashboard_numbers_equal_the_underlying_queries(login, users):
    make_world(5)
    response = login(users["prov_approver"]).get(reverse("reports:dashboard"))
    assert response.status_code == 200
    f = response.context["f"]
    by_state = {r["key"]: r["value"] for r in f["by_state"]}
    assert by_state == {s: Demand.objects.filter(status=s).count() for s in by_state}
    assert by_state["provincial_review"] == 5 and by_state["draft"] == 1
    by_city = {r["label"]: r["value"] for r in f["by_city"]}
    assert by_city["长春市"] == Demand.objects.filter(org__city__name="长春市").count() == 3
    assert by_city["吉林市"] == 3 and len(by_city) == 9
    review = next(p for p in f["pipeline"] if p["key"] == "provincial_review")
    assert review["value"] == 5 and review["overdue"] == Demand.objects.filter(due_at__lt=timezone.now()).count() == 2
    assert review["median_days"] == pytest.approx(3.0, abs=0.05)  # waited 1..5 days: the middle one 3
    hardware = next(m for m in f["projects"] if m["machine"] == "hardware")
    assert {s["key"]: s["value"] for s in hardware["states"]}["procuring"] == Project.objects.filter(hardware_status="procuring").count() == 1
    assert [(r["label"], r["value"]) for r in f["reuse"]["top"]][0] == (f"{SystemFactory._meta.model.objects.get(name='全省统一身份认证').code} 全省统一身份认证", 2)
    assert [o.code for o in f["overdue"]] == ["XQ-2026-000903", "XQ-2026-000900"]
    # Each figure links to the list behind it.
    assert by_state and f["by_state"][0]["url"] == reverse("projects:demand_all") + "?status=draft"
    assert review["overdue_url"] == reverse("projects:demand_all") + "?status=provincial_review&overdue=true"


@pytest.mark.django_db
def test_dashboard_costs_the_same_queries_for_more_rows(login, users):
    client = login(users["finance"])
    make_world(2)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("reports:dashboard")).status_code == 200
        return len(ctx.captured_queries)

    first = count()  # no snapshot yet: the page counts and stores one
    few = count()  # then reads it
    assert few < first
    make_world(6, start=100)
    refresh_snapshot()
    assert count() == few


@pytest.mark.django_db
@pytest.mark.parametrize("counted", ["live", "snapshot"])
def test_counting_costs_the_same_queries_for_more_rows(users, counted):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            if counted == "live":
                figures.dashboard(users["prov_approver"], live=True)
            else:
                refresh_snapshot()
        return len(ctx.captured_queries)

    count()  # the snapshot's row is created once, then updated
    empty = count()  # no demand at all: every stage is still asked for its median
    make_world(2)
    few = count()
    make_world(6, start=100)
    assert empty == few == count()


@pytest.mark.django_db
def test_the_page_shows_the_snapshot_and_its_age_until_it_is_counted_again(login, users, settings):
    settings.REPORT_DASHBOARD_MAX_AGE_SECONDS = 600
    client = login(users["prov_approver"])
    make_world(3)
    assert client.get(reverse("reports:dashboard")).context["f"]["from_snapshot"]
    make_world(4, start=100)  # more demands after the snapshot: the page still shows it, and says when it was counted
    snapshot = DashboardSnapshot.objects.get(scope="province")
    DashboardSnapshot.objects.filter(pk=snapshot.pk).update(computed_at=snapshot.computed_at - timedelta(minutes=7))
    response = client.get(reverse("reports:dashboard"))
    f = response.context["f"]
    assert {r["key"]: r["value"] for r in f["by_state"]}["provincial_review"] == 3
    assert 7 * 60 <= f["age_seconds"] < 8 * 60
    html = response.content.decode()
    assert 'data-testid="figures-age"' in html and "7" in re.search(r'data-testid="figures-age"[^>]*>([^<]*)<', html).group(1)

    # Counted again (beat's task, or the page once the snapshot is too old): equal to the underlying queries again.
    tasks.refresh_dashboard_snapshot.delay()
    f = client.get(reverse("reports:dashboard")).context["f"]
    live = figures.dashboard(users["prov_approver"], live=True)
    for key in ("by_state", "by_city", "pipeline", "projects"):
        assert f[key] == live[key]
    assert {r["key"]: r["value"] for r in f["by_state"]}["provincial_review"] == Demand.objects.filter(status="provincial_review").count() == 7
    review = next(p for p in f["pipeline"] if p["key"] == "provincial_review")
    assert review["overdue"] == Demand.objects.filter(status="provincial_review", due_at__lt=timezone.now()).count()
    assert f["age_seconds"] < 60

    # Too old: the page counts again itself.
    make_world(1, start=200)
    DashboardSnapshot.objects.update(computed_at=timezone.now() - timedelta(seconds=601))
    f = client.get(reverse("reports:dashboard")).context["f"]
    assert {r["key"]: r["value"] for r in f["by_state"]}["provincial_review"] == 8 and f["age_seconds"] < 60


@pytest.mark.django_db
def test_only_a_province_wide_viewer_reads_the_snapshot(users):
    make_world(2)
    refresh_snapshot()
    assert figures.snapshot_for(users["finance"]) is not None
    assert figures.snapshot_for(users["coord_changchun"]) is None  # narrower: counted live, over what they may see
    f = figures.dashboard(users["coord_changchun"])
    assert not f["from_snapshot"]
    assert sum(r["value"] for r in f["by_state"]) == Demand.objects.filter(org__city__name="长春市").count()


@pytest.mark.django_db
def test_charts_come_from_json_and_a_static_script(login, users):
    make_world(2)
    html = login(users["auditor"]).get(reverse("reports:dashboard")).content.decode()
    inline = [s for s in re.findall(r"<script(?P<attrs>[^>]*)>", html) if "src=" not in s and 'type="application/json"' not in s]
    assert inline == []
    assert "vendor/echarts/echarts.min.js" in html and "js/dashboard.js" in html
    data = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert set(data) == {"by_state", "by_city", "pipeline", "projects", "reuse", "execution", "savings_reason", "savings_year"}
    assert all("url" in item for item in data["by_state"])


@pytest.mark.django_db
@pytest.mark.parametrize("username, code", [("prov_approver", 200), ("prov_reviewer", 200), ("finance", 200), ("auditor", 200),
                                            ("admin", 200), ("pm", 403), ("ops", 403), ("coord_changchun", 403), ("sub_changchun", 403)])
def test_only_leadership_and_finance_open_the_dashboard(login, users, username, code):
    assert login(users[username]).get(reverse("reports:dashboard")).status_code == code
