"""Demands at volume: the provincial review queue page and the API list with 100,000 demands.

Seeds the bench database once (organization tree, catalogue, `--scale 100` demands: idempotent,
so later runs reuse it), then times the pages a provincial reviewer opens most, logged in through
django.test.Client, and counts their queries. Figures land in bench/results/demands.json.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import rss_mb, setup_django, summary, timed, write  # noqa: E402

SCALE = 100
REPEAT = 30


def main() -> int:
    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from organizations.models import User
    from projects.models import Demand

    # The test client's host, without the test environment's template instrumentation (it
    # would double the rendering time and measure itself).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    seed_started = time.perf_counter()
    call_command("seed_demo", "--only", "organizations", "--only", "catalogue", verbosity=0)
    call_command("seed_demo", "--only", "demands", "--scale", str(SCALE), verbosity=0)
    seed_s = round(time.perf_counter() - seed_started, 1)
    if connection.vendor == "postgresql":
        # What autovacuum does after a bulk load: statistics for the planner, and a visibility
        # map so that counts can be answered from the indexes.
        with connection.cursor() as cursor:
            for table in ("projects_demand", "projects_demand_capabilities", "projects_demanddataresource",
                          "projects_redundancyflag", "core_auditlog"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    demands = Demand.objects.count()

    client = Client()
    client.force_login(User.objects.get(username="prov_reviewer"))
    cases = {
        "provincial_queue_page": "/demands/review/",
        "provincial_queue_page_filtered": "/demands/review/?domain=government_services&sort=budget&budget=1m-5m",
        "api_list": "/api/v1/demands/",
        "api_list_search": "/api/v1/demands/?search=%E6%99%BA%E6%85%A7&status=approved",
        "api_list_page_100": "/api/v1/demands/?page=100",
    }
    figures: dict = {"demands": demands, "scale": SCALE, "seed_seconds_this_run": seed_s,
                     "database": connection.vendor}
    for name, url in cases.items():
        response = client.get(url)  # warm up (and check it works)
        assert response.status_code == 200, (url, response.status_code)
        reset_queries()  # each request starts by clearing the log: capture from an empty one
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries = len(ctx.captured_queries)  # read now: later requests clear the log
        figures[name] = {"url": url, **summary(timed(lambda url=url: client.get(url), REPEAT)), "queries": queries}
    figures["rss_mb"] = round(rss_mb(), 1)
    write("demands", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
