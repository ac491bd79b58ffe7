
import logging
from collections import Counter, defaultdict
from decimal import Decimal

from django.db import transaction

from assets.models import Capability
from projects.demands.choices import REVIEW_STATES
from projects.demands.models import Demand
from projects.redundancy.documents import demand_documents, flag_threshold
from projects.redundancy.engine.engine import RedundancyIndex
from projects.redundancy.feed import KIND_DEMAND
from projects.redundancy.index import get_index
from projects.redundancy.models import RedundancyClusterSnapshot

log = logging.getLogger(__name__)


CLUSTER_NEIGHBOURS = 50  # demands looked at per pending demand when clustering
SNAPSHOTS_KEPT = 20

# ---------------------------------------------------------------------------------------
# Clusters: "five cities asked for parking systems; build one"
# ---------------------------------------------------------------------------------------


def compute_clusters(*, index: RedundancyIndex | None = None, threshold: float | None = None) -> RedundancyClusterSnapshot:
    """Group pending demands (under review) of two or more organizations that ask for the same kind of system.

    Two pending demands are neighbours when one finds the other at or above the flag threshold.
    Groups are formed around the demand with most neighbours first (a star, not a chain: every
    member is a neighbour of the centre, so that A~B~C never joins A and C alone). Stored as a
    snapshot that the pages and the API read.
    """
    threshold = flag_threshold() if threshold is None else threshold
    index = index if index is not None else get_index()
    pending = demand_documents(Demand.objects.filter(status__in=REVIEW_STATES))
    docs = {d.id: d for d in pending}
    neighbours: dict[int, dict[int, float]] = defaultdict(dict)
    terms: dict[tuple[int, int], tuple] = {}
    for doc in pending:
        for c in index.search(doc, limit=CLUSTER_NEIGHBOURS, exclude=(KIND_DEMAND, doc.id), kinds={KIND_DEMAND}):
            if c.id not in docs or c.score < threshold:
                continue
            for a, b in ((doc.id, c.id), (c.id, doc.id)):
                neighbours[a][b] = max(neighbours[a].get(b, 0.0), c.score)
            shared = next((r.values for r in c.reasons if r.code == "shared_terms"), ())
            terms[(doc.id, c.id)] = shared
    order = sorted(neighbours, key=lambda i: (-len(neighbours[i]), -sum(neighbours[i].values()), i))
    assigned: set[int] = set()
    clusters = []
    for centre in order:
        if centre in assigned:
            continue
        members = [centre] + [m for m, _s in sorted(neighbours[centre].items(), key=lambda kv: (-kv[1], kv[0]))
                              if m not in assigned]
        if len({docs[m].org_id for m in members}) < 2:
            continue
        assigned.update(members)
        term_counts: Counter = Counter()
        for m in members[1:]:
            term_counts.update(terms.get((centre, m)) or terms.get((m, centre)) or ())
        cap_counts = Counter(c for m in members for c in docs[m].capabilities)
        clusters.append({
            "key": f"d{centre}",
            "centre": centre,
            "demands": members,
            "scores": {str(m): round(neighbours[centre].get(m, 1.0), 4) for m in members},
            "terms": [t for t, _n in term_counts.most_common(6)],
            "capabilities": [c for c, n in sorted(cap_counts.items(), key=lambda kv: (-kv[1], kv[0])) if n >= 2][:8],
        })
    with transaction.atomic():
        snapshot = RedundancyClusterSnapshot.objects.create(
            threshold=Decimal(str(threshold)).quantize(Decimal("0.0001")), pending_count=len(pending), clusters=clusters
        )
        old = RedundancyClusterSnapshot.objects.order_by("-computed_at", "-pk").values_list("pk", flat=True)[SNAPSHOTS_KEPT:]
        RedundancyClusterSnapshot.objects.filter(pk__in=list(old)).delete()
    return snapshot


def latest_snapshot(*, compute_if_missing: bool = True) -> RedundancyClusterSnapshot | None:
    snapshot = RedundancyClusterSnapshot.objects.order_by("-computed_at", "-pk").first()
    if snapshot is None and compute_if_missing:
        snapshot = compute_clusters()
    return snapshot


def clusters_for(user, snapshot: RedundancyClusterSnapshot | None = None) -> list[dict]:
    """The snapshot's clusters as `user` may see them: visible demands still under review, two organizations or more.

    Each: key, title (the centre's), terms, capabilities (objects), demands (Demand rows with
    org and city), org_count, city_count, total_budget (Decimal). Largest first.
    """
    from projects.demands.selectors import demands_visible_to

    snapshot = snapshot if snapshot is not None else latest_snapshot()
    if snapshot is None:
        return []
    ids = {pk for c in snapshot.clusters for pk in c.get("demands", [])}
    rows = {
        d.pk: d
        for d in demands_visible_to(user).filter(pk__in=ids, status__in=REVIEW_STATES).select_related("org__city")
    } if ids else {}
    codes = {code for c in snapshot.clusters for code in c.get("capabilities", [])}
    caps = {c.code: c for c in Capability.objects.filter(code__in=codes)} if codes and rows else {}
    out = []
    for c in snapshot.clusters:
        members = [rows[pk] for pk in c.get("demands", []) if pk in rows]
        orgs = {m.org_id for m in members}
        if len(orgs) < 2:
            continue
        centre = rows.get(c.get("centre")) or members[0]
        out.append({
            "key": c.get("key"),
            "title": centre.title,
            "terms": c.get("terms", []),
            "capabilities": [caps[code] for code in c.get("capabilities", []) if code in caps],
            "demands": members,
            "scores": c.get("scores", {}),
            "org_count": len(orgs),
            "city_count": len({m.org.city_id for m in members if m.org.city_id}),
            "total_budget": sum((m.budget_total for m in members), Decimal("0")),
        })
    out.sort(key=lambda c: (-c["org_count"], -c["total_budget"], c["key"]))
    return out
