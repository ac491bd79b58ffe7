"""Seed step "clusters": one past build-once decision, so that the clusters page shows what a decision records.

Takes the smallest cluster of the latest computation whose members in provincial review come
from two organizations or more, and decides "build once" on it as the provincial reviewer (the
same `decide_cluster` as the page): one provincial project at 40% of what the members asked,
each member merged into it through the doorway, the savings in the ledger. The larger clusters
are left for a person to decide. Idempotent: nothing is done once any cluster decision exists.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from projects.demands.choices import DemandStatus
from projects.redundancy.build_once import decide_cluster
from projects.redundancy.clusters import clusters_for, compute_clusters, latest_snapshot
from projects.redundancy.models import ClusterDecision

SHARE = Decimal("0.40")  # the provincial project's budget, as a share of what the members asked for
COMMENT = "省级统筹：各地需求一致，由省里统一建设、各地使用（省建市用）。"


def run(ctx) -> str:
    if ClusterDecision.objects.exists():
        return f"{ClusterDecision.objects.count()} cluster decisions (nothing to do)"
    reviewer = ctx.users.get("prov_reviewer")
    if reviewer is None:
        from organizations.models import User

        reviewer = User.objects.filter(username="prov_reviewer").first()
    if reviewer is None:
        return "no provincial reviewer: no cluster decision"
    snapshot = latest_snapshot(compute_if_missing=False) or compute_clusters()
    fits = []
    for cluster in clusters_for(reviewer, snapshot):
        members = [d for d in cluster["demands"] if d.status == DemandStatus.PROVINCIAL_REVIEW]
        if len({d.org_id for d in members}) >= 2:
            fits.append((len(members), cluster["key"], cluster, members))
    if not fits:
        return "no cluster in provincial review: no cluster decision"
    _n, _key, cluster, members = min(fits, key=lambda f: (f[0], f[1]))
    total = sum((d.budget_total for d in members), Decimal("0"))
    budget = (total * SHARE).quantize(Decimal("1"), rounding=ROUND_DOWN)
    name = f"全省{cluster.get('name') or cluster['title']}（省级统筹）"[:200]
    decision = decide_cluster(user=reviewer, key=cluster["key"], kind="build_once", demand_ids=[d.pk for d in members],
                              project_name=name, project_budget=budget, reason=COMMENT)
    return f"1 cluster decision: {decision.label}, {len(members)} demands into {decision.project.code}, saved {decision.savings}"
