"""The clusters page beside its baseline in the same run (bench/results/clusters_page.json):

- baseline: what a person waited for before issue 14 when asking for clusters on the page:
  `compute_clusters()` inline in the request (the page computed when no snapshot existed, and
  "Recompute now" computed before answering; 4.4 s on the demo world);
- now: the clusters page read from the latest snapshot (GET, as the provincial reviewer), and
  "Recompute now" answering once the run is queued (the worker computes; here nothing consumes
  the queue, so the figure is the answer alone).

Ratio: baseline median / page median. Runs on the database of DATABASE_URL (the demo world:
`seed_demo` first); a bench database of its own otherwise, seeded once.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django, summary, timed, write  # noqa: E402

REPEAT_COMPUTE = 5
REPEAT_PAGE = 30


def main() -> None:
    setup_django("bench_clusters.sqlite3")
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from organizations.models import User
    from projects.demands.choices import REVIEW_STATES
    from projects.models import Demand
    from projects.redundancy.clusters import compute_clusters, request_recompute
    from projects.redundancy.index import get_index
    from projects.redundancy.models import ClusterRun, ClusterRunStatus

    if not User.objects.filter(username="prov_reviewer").exists():
        call_command("seed_demo", verbosity=0)
    reviewer = User.objects.get(username="prov_reviewer")
    get_index()  # both sides with a warm index
    compute_clusters()
    baseline = timed(compute_clusters, REPEAT_COMPUTE)

    client = Client()
    client.force_login(reviewer)
    url = reverse("projects:clusters")
    assert client.get(url, HTTP_HOST="127.0.0.1").status_code == 200

    def show():
        assert client.get(url, HTTP_HOST="127.0.0.1").status_code == 200

    page = timed(show, REPEAT_PAGE)

    def ask():
        run, _created = request_recompute(user=reviewer, enqueue=lambda pk: None)
        ClusterRun.objects.filter(pk=run.pk).update(status=ClusterRunStatus.FAILED)  # the next ask queues anew

    recompute = timed(ask, REPEAT_PAGE)
    ClusterRun.objects.filter(requested_by=reviewer, status=ClusterRunStatus.FAILED, snapshot__isnull=True).delete()
    base, now, asked = summary(baseline), summary(page), summary(recompute)
    write("clusters_page", {
        "pending_demands": Demand.objects.filter(status__in=REVIEW_STATES).count(),
        "baseline_compute_inline": base,
        "clusters_page_from_snapshot": now,
        "recompute_answer_queued": asked,
        "ratio_baseline_over_page": round(base["median_ms"] / now["median_ms"], 1),
        "ratio_baseline_over_recompute_answer": round(base["median_ms"] / asked["median_ms"], 1),
    })


if __name__ == "__main__":
    main()
