"""Coordination clusters: computing them (in the background, with progress), naming them, reading them."""

import logging
import math
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assets.models import Capability
from projects.demands.choices import REVIEW_STATES
from projects.demands.models import Demand
from projects.redundancy.choices import FlagState
from projects.redundancy.documents import demand_documents, flag_threshold
from projects.redundancy.engine import text as textmod
from projects.redundancy.engine.engine import RedundancyIndex
from projects.redundancy.feed import KIND_DEMAND
from projects.redundancy.index import get_index
from projects.redundancy.models import CLUSTER_RUN_ACTIVE, ClusterRun, ClusterRunStatus, RedundancyClusterSnapshot, RedundancyFlag

log = logging.getLogger(__name__)


CLUSTER_NEIGHBOURS = 50  # demands looked at per pending demand when clustering
SNAPSHOTS_KEPT = 20

# ---------------------------------------------------------------------------------------
# Clusters: "five cities asked for parking systems; build one"
# ---------------------------------------------------------------------------------------


def compute_clusters(*, index: RedundancyIndex | None = None, threshold: float | None = None,
                     progress=None) -> RedundancyClusterSnapshot:
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
    # A reviewer who dismissed the flag between two demands said they are not the same system:
    # the pair never joins a cluster (either way round).
    dismissed = {frozenset(pair) for pair in RedundancyFlag.objects.filter(
        state=FlagState.DISMISSED, candidate_kind=KIND_DEMAND, demand_id__in=list(docs)).values_list("demand_id", "candidate_id")}
    neighbours: dict[int, dict[int, float]] = defaultdict(dict)
    terms: dict[tuple[int, int], tuple] = {}
    for done, doc in enumerate(pending, 1):
        if progress is not None and (done % 25 == 0 or done == len(pending)):
            progress(done, len(pending))
        for c in index.search(doc, limit=CLUSTER_NEIGHBOURS, exclude=(KIND_DEMAND, doc.id), kinds={KIND_DEMAND}):
            if c.id not in docs or c.score < threshold or frozenset((doc.id, c.id)) in dismissed:
                continue
            for a, b in ((doc.id, c.id), (c.id, doc.id)):
                neighbours[a][b] = max(neighbours[a].get(b, 0.0), c.score)
            shared = next((r.values for r in c.reasons if r.code == "shared_terms"), ())
            terms[(doc.id, c.id)] = shared
    org_names = dict(Demand.objects.filter(pk__in=list(neighbours)).values_list("pk", "org__name")) if neighbours else {}
    order = sorted(neighbours, key=lambda i: (-len(neighbours[i]), -sum(neighbours[i].values()), i))
    assigned: set[int] = set()
    clusters = []
    for centre in order:
        if centre in assigned:
            continue
        members = [centre]
        for m, _s in sorted(neighbours[centre].items(), key=lambda kv: (-kv[1], kv[0])):
            # A member must not be one a reviewer told apart from a member already in (a dismissed flag).
            if m not in assigned and not any(frozenset((m, other)) in dismissed for other in members):
                members.append(m)
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
            **cluster_name([docs[m].title for m in members], [docs[m].capabilities for m in members],
                           [org_names.get(m, "") for m in members]),
        })
    with transaction.atomic():
        snapshot = RedundancyClusterSnapshot.objects.create(
            threshold=Decimal(str(threshold)).quantize(Decimal("0.0001")), pending_count=len(pending), clusters=clusters
        )
        old = RedundancyClusterSnapshot.objects.order_by("-computed_at", "-pk").values_list("pk", flat=True)[SNAPSHOTS_KEPT:]
        RedundancyClusterSnapshot.objects.filter(pk__in=list(old)).delete()
    return snapshot


# ---------------------------------------------------------------------------------------
# Names: what the members ask for, from their titles and capabilities (never description words)
# ---------------------------------------------------------------------------------------

# What a title says it asks for, after its subject: kept at the end of a name when most members say it.
KIND_NOUNS = ("平台", "系统", "中心", "小程序", "大屏", "终端", "数据库", "app")
# Words of titles that say how, not what (besides the engine's stop terms and place names).
FILLER_WORDS = frozenset("建设 项目 工程 管理 升级 改造 新建 采购 购置 一期 二期 三期 完善 提升 扩容 配套 运维 服务 应用 "
                         "智慧 智能 数字 综合 统一 信息 全市 全县 全省 市级 县级 省级 本级".split())
NAME_TERMS = 2  # capabilities at most in a name
NAME_WORDS = 4  # title words at most in a name
ORG_SUFFIXES = ("局", "厅", "委员会", "委", "办公室", "政府")  # words that name who asks, not what


@lru_cache(maxsize=1)
def domain_terms() -> frozenset[str]:
    """The words of the engine's domain dictionary (engine/domain_dict.txt), normalised."""
    path = textmod.DOMAIN_DICT_PATH
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return frozenset(textmod.normalize(line.split()[0]) for line in lines if line.strip())


@lru_cache(maxsize=1)
def _analyzer() -> textmod.Analyzer:
    return textmod.Analyzer()


def _title_words(title: str, org_name: str = "") -> list[str]:
    """The title's words in order (jieba with the domain dictionary): who asks (the organization's
    name, with or without its place) and place names left out."""
    analyzer = _analyzer()
    # Not expanded by the synonym map: its rewrites ("12345热线" → "12345 热线") would split dictionary terms.
    text = textmod.normalize(title)
    org = textmod.normalize(org_name)
    for name in sorted({org, analyzer.neutralise(org).replace(" ", "")} - {""}, key=len, reverse=True):
        text = text.replace(name, " ")
    return [w for w in textmod.words(text)
            if (w.strip() and not analyzer.is_neutral(w) and not w.endswith(ORG_SUFFIXES)) or w in KIND_NOUNS]


def _is_filler(word: str) -> bool:
    """A word that says how, not what (建设项目, 综合信息, 一期): nothing is left without stop terms and filler."""
    rest = _analyzer().neutralise(word).replace(" ", "")
    for filler in sorted(FILLER_WORDS, key=len, reverse=True):
        rest = rest.replace(filler, "")
    return not rest or rest.isdigit()


def _shared(word_lists: list[list[str]], need: int, keep) -> list[str]:
    counts = Counter(w for words in word_lists for w in set(words) if keep(w))
    return [w for w, n in counts.items() if n >= need]


def cluster_name(titles: list[str], capabilities: list, org_names: list[str] | None = None) -> dict:
    """`{"name", "name_capabilities"}`: what most members ask for, e.g. "智慧停车平台".

    From the words that at least half the titles (and two) share (the domain dictionary's terms
    kept whole): at most NAME_WORDS of them in the order a title says them, ended by the kind of thing asked for (平台, 系统 …) when most titles say
    it; else from the capabilities most members need (codes, named in the reader's language when
    shown). Who asks (organization names), place names, stop terms and description words never.
    """
    if not titles:
        return {"name": "", "name_capabilities": []}
    need = max(2, math.ceil(len(titles) / 2))
    orgs = list(org_names or []) + [""] * (len(titles) - len(org_names or []))
    word_lists = [_title_words(t, o) for t, o in zip(titles, orgs, strict=True)]
    terms = domain_terms()
    shared = _shared(word_lists, need, lambda w: w not in KIND_NOUNS and (w in terms or len(w) >= 2 and not _is_filler(w)))
    shared = [w for w in shared if not any(w != o and w in o for o in shared)]
    counts = Counter(c for caps in capabilities for c in set(caps))
    shared_caps = [c for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n >= need][:NAME_TERMS]
    if shared:
        lead = next((words for words in word_lists if all(w in words for w in shared)), word_lists[0])
        shared.sort(key=lambda w: lead.index(w) if w in lead else len(lead))
        chosen = shared[:NAME_WORDS]
        said = [textmod.normalize(t) for t in titles]
        counts = {n: sum(1 for t in said if n in t) for n in KIND_NOUNS}
        nouns = sorted((n for n in KIND_NOUNS if counts[n] >= need), key=lambda n: -counts[n])
        name = ("" if all(textmod.is_cjk(w) for w in chosen) else " ").join(chosen)
        if nouns and not name.endswith(nouns[0]):
            name += nouns[0]
        return {"name": name[:60], "name_capabilities": []}
    return {"name": "", "name_capabilities": shared_caps}


def cluster_label(cluster: dict) -> str:
    """“智慧停车平台 · 7 个地市” / “智慧停车平台 · 7 cities”: the name and how many cities (or bureaus) ask."""
    name = cluster.get("name") or ""
    if not name and cluster.get("name_capabilities"):
        join = "、" if (translation.get_language() or "").startswith("zh") else ", "
        name = join.join(str(c) for c in cluster["name_capabilities"])
    if not name:
        name = _analyzer().neutralise(textmod.normalize(cluster.get("title") or "")) or cluster.get("title") or ""
    if cluster.get("city_count", 0) >= 2:
        count = ngettext("%(n)s city", "%(n)s cities", cluster["city_count"]) % {"n": cluster["city_count"]}
    else:
        count = ngettext("%(n)s organization", "%(n)s organizations", cluster["org_count"]) % {"n": cluster["org_count"]}
    return f"{name} · {count}"


# ---------------------------------------------------------------------------------------
# Recomputing in the background: a run row with progress (queued → running → done/failed)
# ---------------------------------------------------------------------------------------


def run_timeout() -> timedelta:
    """A run with no sign of life for this long lost its worker (REDUNDANCY_CLUSTER_RUN_TIMEOUT_MINUTES, default 10)."""
    return timedelta(minutes=float(getattr(settings, "REDUNDANCY_CLUSTER_RUN_TIMEOUT_MINUTES", 10)))


def fail_stale_runs(*, now=None) -> int:
    """Mark failed the runs whose worker gave no sign of life within the timeout. Returns how many."""
    now = now or timezone.now()
    limit = now - run_timeout()
    active = ClusterRun.objects.filter(status__in=CLUSTER_RUN_ACTIVE)
    stale = active.filter(heartbeat_at__lt=limit) | active.filter(heartbeat_at__isnull=True, created_at__lt=limit)
    minutes = round(run_timeout().total_seconds() / 60)
    with translation.override(settings.LANGUAGE_CODE):
        message = _("The recomputation gave no sign of life for %(minutes)s minutes: its worker stopped. Ask again.") % {
            "minutes": minutes}
    return ClusterRun.objects.filter(pk__in=list(stale.values_list("pk", flat=True)), status__in=CLUSTER_RUN_ACTIVE).update(
        status=ClusterRunStatus.FAILED, error=message, finished_at=now)


def latest_run() -> ClusterRun | None:
    return ClusterRun.objects.select_related("requested_by").order_by("-created_at", "-pk").first()


def request_recompute(*, user=None, enqueue) -> tuple[ClusterRun, bool]:
    """The run already queued or running (created False), else a new one, handed to `enqueue(run_id)`
    after the commit (the Celery task `tasks.recompute_clusters_run.delay`: the task layer sits above this one).

    With jobs inline (no broker) the task runs in this process once the transaction commits: the
    same code, synchronously.
    """
    fail_stale_runs()
    with transaction.atomic():
        # One recomputation at a time: the lock makes two clicks at once find each other's run.
        RedundancyClusterSnapshot.objects.select_for_update().order_by("-computed_at", "-pk").first()
        running = ClusterRun.objects.select_for_update().filter(status__in=CLUSTER_RUN_ACTIVE).order_by("-pk").first()
        if running is not None:
            return running, False
        run = ClusterRun.objects.create(requested_by=user if getattr(user, "is_authenticated", False) else None)
        transaction.on_commit(lambda: enqueue(run.pk))
    return run, True


def execute_run(run_id: int) -> ClusterRun | None:
    """Compute the clusters for one run, moving its progress. Safe to call twice: only a queued run starts."""
    now = timezone.now()
    if not ClusterRun.objects.filter(pk=run_id, status=ClusterRunStatus.QUEUED).update(
            status=ClusterRunStatus.RUNNING, started_at=now, heartbeat_at=now, progress=0):
        return ClusterRun.objects.filter(pk=run_id).first()
    last = {"pct": 0}

    def progress(done: int, total: int) -> None:
        pct = min(99, int(done * 100 / total)) if total else 0
        if pct > last["pct"]:
            last["pct"] = pct
            ClusterRun.objects.filter(pk=run_id).update(progress=pct, heartbeat_at=timezone.now())

    try:
        snapshot = compute_clusters(progress=progress)
    except Exception as exc:  # a broken run must end failed, never stay running
        log.exception("cluster run %s failed", run_id)
        with translation.override(settings.LANGUAGE_CODE):
            message = _("The clusters could not be computed (%(error)s). Ask again, or tell the administrator.") % {
                "error": type(exc).__name__}
        ClusterRun.objects.filter(pk=run_id).update(status=ClusterRunStatus.FAILED, error=message, finished_at=timezone.now())
        return ClusterRun.objects.get(pk=run_id)
    done = timezone.now()
    ClusterRun.objects.filter(pk=run_id).update(status=ClusterRunStatus.DONE, progress=100, snapshot=snapshot,
                                                heartbeat_at=done, finished_at=done, error="")
    return ClusterRun.objects.get(pk=run_id)


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
    codes = {code for c in snapshot.clusters for code in [*c.get("capabilities", []), *c.get("name_capabilities", [])]}
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
            "name": c.get("name", ""),
            "name_capabilities": [caps[code] for code in c.get("name_capabilities", []) if code in caps],
        })
        out[-1]["label"] = cluster_label(out[-1])
    out.sort(key=lambda c: (-c["org_count"], -c["total_budget"], c["key"]))
    return out
