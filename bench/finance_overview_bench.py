"""The finance overview at 10,000 projects and 100,000 disbursements: constant query count, p95 ≤ 200 ms.

The page (`/money/` as finance, through the test client: view, selectors, template) is measured
at a small volume and at the full one: the number of queries must be the same, and the p95 of 30
requests at full volume at most 200 ms. The page sums the lines' running totals (about 30,000
lines); the baseline in the same run is the former query, the holding disbursements grouped by
their line's year, organization, source and category (100,000 rows joined), timed alone. The data is
written in bulk (with the running totals filled from the disbursements, as the migration does)
inside a transaction that is rolled back at the end. Figures land in bench/results/finance_overview.json.
"""

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django, summary, timed, write  # noqa: E402

PROJECTS = 10_000
DISBURSEMENTS = 100_000
REPEAT = 30


class Rollback(Exception):
    pass


def main() -> int:
    setup_django("finance_overview_bench.sqlite3")
    from django.db import connection, transaction
    from django.db.models import Q, Sum
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from budgets import selectors
    from budgets.models import BudgetLine, Disbursement
    from budgets.services import recompute_line_totals
    from organizations.models import Organization, User
    from organizations.services import ensure_bureaus
    from projects.models import Project

    ensure_bureaus()
    figures = {"projects": PROJECTS, "disbursements": DISBURSEMENTS, "database": connection.vendor}
    sources = ["provincial_fiscal", "municipal_fiscal", "central_transfer", "special_bonds", "self_raised"]
    categories = ["hardware", "software", "services", "operations"]
    statuses = ["paid", "paid", "approved", "requested", "rejected"]

    def fill(n_projects, n_disbursements, offset):
        orgs = list(Organization.objects.order_by("pk")[:200])
        projects = Project.objects.bulk_create([
            Project(code=f"XM-{2090 + (offset % 5)}-{offset + i:05d}"[:20], name=f"基准项目{offset + i}", construction_org=orgs[i % len(orgs)],
                    approved_budget=Decimal("3000000.00"), year=2024 + i % 3, funding_status="disbursing")
            for i in range(n_projects)], batch_size=2000)
        lines = BudgetLine.objects.bulk_create([
            BudgetLine(project=p, fiscal_year=p.year, source=sources[(i + k) % 5], category=categories[k], amount=Decimal("1000000.00"))
            for i, p in enumerate(projects) for k in range(3)], batch_size=5000)
        Disbursement.objects.bulk_create([
            Disbursement(budget_line=lines[i % len(lines)], amount=Decimal(1000 + i % 900), voucher_no=f"OV-{offset}-{i:07d}",
                         payee="某公司", date=date(2026, 1 + i % 12, 1 + i % 28), status=statuses[i % 5])
            for i in range(n_disbursements)], batch_size=5000)
        recompute_line_totals([line.pk for line in lines])

    def former_query(user):
        """The overview's aggregate before the running totals: every holding disbursement, grouped through its line."""
        keys = ("fiscal_year", "project__construction_org_id", "source", "category")
        money = selectors.disbursements_visible_to(user).select_related(None).filter(status__in=("approved", "paid"))
        return list(money.order_by().values(*(f"budget_line__{k}" for k in keys)).annotate(
            held=Sum("amount"), paid=Sum("amount", filter=Q(status="paid"))))

    def current_query(user):
        keys = ("fiscal_year", "project__construction_org_id", "source", "category")
        return list(selectors.lines_visible_to(user).select_related(None).order_by().values(*keys).annotate(
            total=Sum("amount"), held=Sum("approved_total") + Sum("paid_total"), paid=Sum("paid_total")))

    def measure(client):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/money/")
            assert response.status_code == 200, (response.status_code, response.content[:300])
        return len(queries)

    try:
        with transaction.atomic():
            finance = User.objects.get_or_create(username="finance", defaults={"role": "finance_officer"})[0]
            client = Client(HTTP_HOST="localhost")
            client.force_login(finance)
            fill(100, 1000, 0)
            small_queries = measure(client)
            fill(PROJECTS - 100, DISBURSEMENTS - 1000, 100)
            large_queries = measure(client)
            times = summary(timed(lambda: client.get("/money/"), REPEAT))
            figures["overview"] = {**times, "queries_small": small_queries, "queries_large": large_queries,
                                   "constant_queries": small_queries == large_queries, "target_p95_ms": 200}
            lines_only = summary(timed(lambda: current_query(finance), REPEAT))
            baseline = summary(timed(lambda: former_query(finance), REPEAT))
            figures["aggregate_over_line_totals"] = lines_only
            figures["baseline_aggregate_over_disbursements"] = baseline
            figures["ratio_baseline_to_ours_p95"] = round(baseline["p95_ms"] / lines_only["p95_ms"], 1) if lines_only["p95_ms"] else None
            raise Rollback
    except Rollback:
        pass
    write("finance_overview", figures)
    print(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
