"""Reports at volume, beside their baselines in the same run (bench/results/reports.json):

- the demand register of 100,000 demands to xlsx (reports/xlsx.py, xlsxwriter constant-memory)
  beside django-import-export's default export of the same rows (a ModelResource of the same
  fields, `export()` then `.xlsx`): seconds and peak memory of each, each in a fresh process of its
  own (a new interpreter, started by the small parent before it seeds anything). Peak memory is the
  process's own high-water mark of resident memory (VmHWM of /proc/self/status: it starts afresh at
  exec, unlike ru_maxrss, which a child inherits from the process it was forked from), with the
  resident memory after Django's start beside it, for both processes;
- the approval sheet of one project (PDF, warm: WeasyPrint and its fonts loaded once), beside the
  same sheet rendered as before (a new WeasyPrint font configuration per document);
- the budget execution PDF of a fiscal year with 1,000 projects' budget lines (lines added once,
  through budgets.seed.add_lines, i.e. the budgets services);
- the dashboard page at 100,000 demands: queries (equal for a small and the full database) and p95,
  reading the counts' snapshot (reports/dashboard.py), beside the same page counted live at every
  request (the baseline), and what one refresh of the snapshot costs.

Targets (issue 13): register ≤ 15 s and ≤ 150 MB; approval sheet ≤ 2 s; budget execution PDF of
1,000 projects ≤ 30 s; dashboard constant queries, p95 ≤ 300 ms. Seeds the bench database once
(`--scale 100`; idempotent), each seed step in a process of its own.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django, summary, timed, write  # noqa: E402

SCALE = 100
REPEAT = 30
EXECUTION_PROJECTS = 1000
ROOT = Path(__file__).resolve().parent.parent


def status_mb(key: str) -> float:
    """VmHWM (peak resident memory of this process since exec) or VmRSS, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(which: str) -> dict:
    """One export in a fresh process, so that its peak memory is its own."""
    out = subprocess.run([sys.executable, __file__, "--child", which], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def seed(*args: str) -> None:
    """A seed step in a process of its own (the parent stays small)."""
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "seed_demo", *args, "-v", "0"], check=True, cwd=ROOT)


def run_child(which: str) -> None:
    setup_django()
    from django.utils import timezone, translation

    from organizations.models import User

    user = User.objects.get(username="finance")
    start_mb = status_mb("VmRSS")
    started, cpu_started = time.perf_counter(), time.process_time()
    with translation.override("zh-hans"):
        if which == "register":
            from reports.registry import BuildContext, builder_for

            ctx = BuildContext(user=user, format="xlsx", params={}, generated_at=timezone.now(), language="zh-hans")
            content = builder_for("demand_register").build(ctx)
            rows = None
        else:
            content, rows = import_export_default(user)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = status_mb("VmHWM")
    if rows is None:
        from openpyxl import load_workbook

        rows = load_workbook(io.BytesIO(content), read_only=True).worksheets[0].max_row - 6  # title block, header, total row
    print(json.dumps({"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "load_average_1min": round(os.getloadavg()[0], 2),
                      "peak_mb": round(peak, 1), "rss_mb_after_django_start": round(start_mb, 1),
                      "peak_mb_over_start": round(peak - start_mb, 1), "bytes": len(content), "rows": rows}))


def import_export_default(user):
    """django-import-export's default: a ModelResource over the same visible demands and fields."""
    from import_export import fields, resources, widgets

    from assets.models import Capability
    from projects.demands.selectors import demands_visible_to
    from projects.models import Demand

    class DemandResource(resources.ModelResource):
        org = fields.Field(attribute="org__name", column_name="org")
        city = fields.Field(attribute="org__city__name", column_name="city")
        capabilities = fields.Field(attribute="capabilities", column_name="capabilities",
                                    widget=widgets.ManyToManyWidget(Capability, field="name"))

        class Meta:
            model = Demand
            fields = ("code", "title", "org", "city", "domain", "construction_type", "capabilities", "status", "urgency",
                      "budget_hardware", "budget_software", "budget_services", "budget_operations", "budget_total",
                      "created_at", "submitted_at")
            export_order = fields

    qs = demands_visible_to(user).order_by("pk")
    dataset = DemandResource().export(queryset=qs)
    return dataset.export("xlsx"), len(dataset)


def execution_year(figures: dict) -> int:
    """A fiscal year with budget lines of EXECUTION_PROJECTS projects: the year with most projects, topped up
    through budgets.seed.add_lines (the budgets services: the lines cover each approved budget)."""
    from django.db.models import Count

    from budgets.models import BudgetLine
    from budgets.seed import _users, add_lines
    from projects.models import Project

    year = Project.objects.order_by().values_list("year").annotate(n=Count("pk")).order_by("-n")[0][0]
    have = BudgetLine.objects.filter(fiscal_year=year).values("project_id").distinct().count()
    started = time.perf_counter()
    users = _users()
    for project in Project.objects.filter(year=year, budget_lines__isnull=True, approved_budget__gt=0).order_by("pk")[
            : max(0, EXECUTION_PROJECTS - have)]:
        add_lines(project, users)
    figures["execution_lines_seconds_this_run"] = round(time.perf_counter() - started, 1)
    return year


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        run_child(sys.argv[2])
        return 0
    setup_django()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone, translation

    from budgets.models import BudgetLine
    from organizations.models import User
    from projects.models import Demand, Project
    from reports import dashboard as board
    from reports import pdf
    from reports.registry import BuildContext, builder_for

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()

    def dashboard_queries():
        client.get("/reports/dashboard/")
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/reports/dashboard/")
        assert response.status_code == 200, response.status_code
        return len(ctx.captured_queries)

    seed("--only", "organizations", "--only", "catalogue")
    client.force_login(User.objects.get(username="prov_approver"))
    small_queries = dashboard_queries() if not Demand.objects.exists() else None
    seed_started = time.perf_counter()
    seed("--only", "demands", "--scale", str(SCALE))
    seed("--only", "projects")
    seed_s = round(time.perf_counter() - seed_started, 1)
    figures: dict = {"demands": Demand.objects.count(), "projects": Project.objects.count(), "scale": SCALE,
                     "seed_seconds_this_run": seed_s, "database": connection.vendor, "cpus": os.cpu_count(),
                     "load_average_1min_at_start": round(os.getloadavg()[0], 2)}
    year = execution_year(figures)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("projects_demand", "projects_demand_capabilities", "projects_project", "core_auditlog", "budgets_budgetline"):
                cursor.execute(f"VACUUM ANALYZE {table}")

    register = child("register")
    baseline = child("import_export")
    figures["demand_register_xlsx"] = {**register, "target_seconds": 15, "target_peak_mb": 150}
    figures["import_export_default_xlsx"] = baseline
    figures["ratio_seconds"] = round(baseline["seconds"] / register["seconds"], 2) if register["seconds"] else None
    figures["ratio_cpu_seconds"] = round(baseline["cpu_seconds"] / register["cpu_seconds"], 2) if register["cpu_seconds"] else None
    figures["ratio_peak_mb"] = round(baseline["peak_mb"] / register["peak_mb"], 2) if register["peak_mb"] else None

    project = Project.objects.filter(demands__isnull=False).order_by("pk").first() or Project.objects.order_by("pk").first()
    approver = User.objects.get(username="prov_approver")
    finance = User.objects.get(username="finance")

    def build(kind, user, params):
        with translation.override("zh-hans"):
            ctx = BuildContext(user=user, format="pdf", params=params, generated_at=timezone.now(), language="zh-hans")
            return builder_for(kind).build(ctx)

    def sheet():
        return build("project_approval", approver, {"project": project.pk})

    sheet()  # warm: WeasyPrint, Pango and the fonts load once per process
    figures["approval_sheet_pdf"] = {"project": project.code, **summary(timed(sheet, 10)), "target_ms": 2000}
    kept = pdf.font_config
    from weasyprint.text.fonts import FontConfiguration

    pdf.font_config = FontConfiguration  # the baseline: a new font configuration (Pango font map) per document
    try:
        figures["approval_sheet_pdf_new_font_config_each"] = summary(timed(sheet, 10))
    finally:
        pdf.font_config = kept
    figures["approval_sheet_ratio_median"] = round(
        figures["approval_sheet_pdf_new_font_config_each"]["median_ms"] / figures["approval_sheet_pdf"]["median_ms"], 2)

    lines = BudgetLine.objects.filter(fiscal_year=year)
    started = time.perf_counter()
    content = build("budget_execution", finance, {"year": year})
    figures["budget_execution_pdf"] = {
        "year": year, "projects": lines.values("project_id").distinct().count(), "budget_lines": lines.count(),
        "seconds": round(time.perf_counter() - started, 2), "bytes": len(content), "target_seconds": 30}

    started = time.perf_counter()
    board.refresh_snapshot()
    refresh_s = round(time.perf_counter() - started, 3)
    full_queries = dashboard_queries()
    page = summary(timed(lambda: client.get("/reports/dashboard/"), REPEAT))
    figures["dashboard"] = {"url": "/reports/dashboard/", "counts_from": "snapshot", **page, "queries": full_queries,
                            "queries_empty_database": small_queries, "target_p95_ms": 300,
                            "snapshot_refresh_seconds": refresh_s}
    kept = board.snapshot_for
    board.snapshot_for = lambda user, now=None: None  # the baseline: every request counts live
    try:
        live = summary(timed(lambda: client.get("/reports/dashboard/"), 10))
    finally:
        board.snapshot_for = kept
    figures["dashboard_counted_live_each_request"] = live
    figures["dashboard_ratio_p95"] = round(live["p95_ms"] / page["p95_ms"], 2)
    write("reports", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
