"""Reports at volume, beside their baselines in the same run (bench/results/reports.json):

- the demand register of 100,000 demands to xlsx (reports/xlsx.py, xlsxwriter constant-memory)
  beside django-import-export's default export of the same rows (a ModelResource of the same
  fields, `export()` then `.xlsx`): seconds and peak memory of each, in a process of its own;
- the approval sheet of one project (PDF, warm: WeasyPrint and its fonts loaded once);
- the dashboard page at 100,000 demands: queries (equal for a small and the full database) and p95.

Targets (issue 13): register ≤ 15 s and ≤ 150 MB; approval sheet ≤ 2 s; dashboard constant
queries, p95 ≤ 300 ms. Seeds the bench database once (`--scale 100`; idempotent).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django, summary, timed, write  # noqa: E402

SCALE = 100
REPEAT = 30


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(which: str) -> dict:
    """One export in a fresh process, so that its peak memory is its own."""
    out = subprocess.run([sys.executable, __file__, "--child", which], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_child(which: str) -> None:
    setup_django()
    from django.utils import timezone, translation

    from organizations.models import User

    user = User.objects.get(username="finance")
    base = peak_mb()
    started = time.perf_counter()
    with translation.override("zh-hans"):
        if which == "register":
            from reports.registry import BuildContext, builder_for

            ctx = BuildContext(user=user, format="xlsx", params={}, generated_at=timezone.now(), language="zh-hans")
            content = builder_for("demand_register").build(ctx)
            rows = None
        else:
            content, rows = import_export_default(user)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": round(seconds, 2), "peak_mb": round(peak_mb(), 1), "peak_mb_over_start": round(peak_mb() - base, 1),
                      "bytes": len(content), "rows": rows}))


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


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        run_child(sys.argv[2])
        return 0
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone, translation

    from organizations.models import User
    from projects.models import Demand, Project
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

    call_command("seed_demo", "--only", "organizations", "--only", "catalogue", verbosity=0)
    client.force_login(User.objects.get(username="prov_approver"))
    small_queries = dashboard_queries() if not Demand.objects.exists() else None
    seed_started = time.perf_counter()
    call_command("seed_demo", "--only", "demands", "--scale", str(SCALE), verbosity=0)
    call_command("seed_demo", "--only", "projects", verbosity=0)
    seed_s = round(time.perf_counter() - seed_started, 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("projects_demand", "projects_demand_capabilities", "projects_project", "core_auditlog"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    figures: dict = {"demands": Demand.objects.count(), "scale": SCALE, "seed_seconds_this_run": seed_s, "database": connection.vendor}

    register = child("register")
    baseline = child("import_export")
    figures["demand_register_xlsx"] = {**register, "target_seconds": 15, "target_peak_mb": 150}
    figures["import_export_default_xlsx"] = baseline
    figures["ratio_seconds"] = round(baseline["seconds"] / register["seconds"], 2) if register["seconds"] else None
    figures["ratio_peak_mb"] = round(baseline["peak_mb"] / register["peak_mb"], 2) if register["peak_mb"] else None

    project = Project.objects.filter(demands__isnull=False).order_by("pk").first() or Project.objects.order_by("pk").first()
    approver = User.objects.get(username="prov_approver")

    def sheet():
        with translation.override("zh-hans"):
            ctx = BuildContext(user=approver, format="pdf", params={"project": project.pk}, generated_at=timezone.now(), language="zh-hans")
            return builder_for("project_approval").build(ctx)

    sheet()  # warm: WeasyPrint, Pango and the fonts load once per process
    figures["approval_sheet_pdf"] = {"project": project.code, **summary(timed(sheet, 10)), "target_ms": 2000}

    full_queries = dashboard_queries()
    figures["dashboard"] = {"url": "/reports/dashboard/", **summary(timed(lambda: client.get("/reports/dashboard/"), REPEAT)),
                            "queries": full_queries, "queries_empty_database": small_queries, "target_p95_ms": 300}
    write("reports", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
