"""Project list and portfolio pages with 10,000 projects: median and p95 wall time, and query counts.

The projects are bulk-inserted straight into the benchmark's own database (load data, not a
workflow: states are spread over every stage of each machine, years 2021-2026, with beneficiaries,
demands and milestones). Figures land in bench/results/projects.json.
"""

import random
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import rss_mb, setup_django, summary, timed, write  # noqa: E402

N_PROJECTS = 10_000
REPEAT = 30
BATCH = 2_000


def reference_data():
    from assets.models import Capability
    from assets.reference import load_capabilities
    from organizations.models import Region
    from organizations.reference import load_regions
    from organizations.seed import ensure_demo_users

    if not Region.objects.exists():
        load_regions(Region)
    if not Capability.objects.exists():
        load_capabilities(Capability)
    return ensure_demo_users("bench-pass-2026")


def bulk_projects(users, n: int) -> int:
    """Insert projects up to `n` (idempotent: only the missing ones)."""
    from django.db import transaction

    from organizations.models import Organization
    from projects.delivery.seed import SCENARIOS
    from projects.models import Demand, Milestone, Project

    have = Project.objects.count()
    if have >= n:
        return 0
    rng = random.Random(2026)
    builder = Organization.objects.get(code="220000-zwj")
    bureaus = list(Organization.objects.exclude(level="province").values_list("pk", flat=True))
    today = date.today()
    Through = Project.beneficiary_orgs.through
    with transaction.atomic():
        for start in range(have, n, BATCH):
            projects = []
            for i in range(start, min(start + BATCH, n)):
                hardware, funding, development, operations, _options = SCENARIOS[i % len(SCENARIOS)]
                year = 2021 + i % 6
                planned_start = date(year, 1 + i % 12, 1)
                projects.append(Project(
                    code=f"XM-{year}-{i // 6 + 1:04d}", name=f"压测项目{i + 1}", construction_org=builder, year=year,
                    approved_budget=Decimal(rng.randrange(100_000, 9_000_000)), manager=users["pm"] if i % 3 else None,
                    planned_start=planned_start, planned_end=planned_start + timedelta(days=rng.randrange(180, 900)),
                    hardware_status=hardware, funding_status=funding, development_status=development, operations_status=operations,
                ))
            Project.objects.bulk_create(projects)
            links, demands, milestones = [], [], []
            for p in projects:
                orgs = rng.sample(bureaus, 1 + (p.pk % 3))
                links += [Through(project_id=p.pk, organization_id=o) for o in orgs]
                demands += [Demand(code=f"XQ-B-{p.pk:06d}-{k}", title=p.name, org_id=o, status="approved", project=p,
                                   budget_hardware=Decimal("0"), budget_software=p.approved_budget, budget_services=Decimal("0"),
                                   budget_operations=Decimal("0"), budget_total=p.approved_budget) for k, o in enumerate(orgs)]
                milestones += [Milestone(project=p, name=name, planned_date=p.planned_start + timedelta(days=90 * (k + 1)),
                                         actual_date=None if k or p.planned_start > today else p.planned_start + timedelta(days=95))
                               for k, name in enumerate(("需求调研完成", "竣工验收"))]
            Through.objects.bulk_create(links)
            Demand.objects.bulk_create(demands)
            Milestone.objects.bulk_create(milestones)
    return n - have


def measure(users) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    pages = {
        "project_list": "/projects/",
        "project_list_filtered": "/projects/?development_status=building&year=2025",
        "project_list_page_50": "/projects/?page=50",
        "portfolio": "/projects/portfolio/",
    }
    figures = {}
    for username in ("prov_approver", "coord_changchun"):
        client = Client()
        client.force_login(users[username])
        api = APIClient()
        api.force_authenticate(users[username])
        for name, (caller, url) in {**{k: (client, u) for k, u in pages.items()}, "api_list": (api, "/api/v1/projects/")}.items():
            assert caller.get(url).status_code == 200, (username, url)  # warm up
            with CaptureQueriesContext(connection) as queries:
                caller.get(url)
            count = len(queries)
            figures[f"{name}:{username}"] = {**summary(timed(lambda caller=caller, url=url: caller.get(url), REPEAT)), "queries": count}
    return figures


def main():
    setup_django("projects_bench.sqlite3")
    from django.conf import settings
    from django.db import connection

    from projects.models import Project

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host; templates not instrumented
    # As under a server with persistent connections: no reconnect per request; and the query log
    # is not reset at each request, so that the query counts can be read.
    from django.core import signals
    from django.db import close_old_connections, reset_queries

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    signals.request_started.disconnect(reset_queries)
    users = reference_data()
    created = bulk_projects(users, N_PROJECTS)
    pages = measure(users)
    write("projects", {
        "database": connection.vendor,
        "projects": Project.objects.count(),
        "created_now": created,
        "repeat": REPEAT,
        "pages": pages,
        "rss_mb": round(rss_mb(), 1),
    })


if __name__ == "__main__":
    main()
