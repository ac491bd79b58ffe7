"""Redundancy detection in the app: candidates from the database, the live check, flags, clusters.

The engine (projects/redundancy/) is pure Python; this module is its Django side:

- Candidates, as engine `Document`s built from the database alone:
    systems of the catalogue that are not retired;
    demands under review or approved (municipal_review, provincial_review, expert_review,
    approved), the demand being checked excluded;
    projects under construction: operations not started or in trial run. Once a project goes
    live its system enters the catalogue and stands for it there (a live project would be found
    twice); a retired one is no candidate. Its document joins the capabilities, data resources and
    domain of its demands; its organization is the one that asked first (the construction team
    builds everything for everyone, so it would say nothing about "the same bureau again").
- One index per process (`get_index()`), built on first use and kept fresh through the change
  feed (projects/redundancy_feed.py): before a search, at most every REDUNDANCY_POLL_SECONDS
  (and at once after a write of this very process), the rows after the last applied id are read
  and their objects re-read from the database. Ids that are missing below the highest one seen
  (transactions not committed yet, on PostgreSQL possibly out of id order) are looked at again
  for FEED_GAP_SECONDS. When the last applied row is gone (its transaction rolled back, or the
  table was emptied), or a "rebuild" row arrives (bulk writes), the index is rebuilt.
- `check()`: the one code path of every check (live box, API, flags on submission,
  `eval_redundancy`): candidates best first with reasons worded in the user's language, and, for
  a user, only the demands and projects that user may see (systems are the public catalogue).
- Flags: `schedule_check()` (the demands service calls it once a submission is committed) queues
  the Celery task that stores the candidates at or above REDUNDANCY_FLAG_THRESHOLD as flags;
  `resolve_flag()` dismisses one (with a reason); merge and reuse resolve theirs through
  `resolve_for_redirect()`, which the demands service calls inside those transitions. The
  construction funds saved by a merge or a reuse are recorded by the demands service's
  `record_saving` hook (the budgets app's savings ledger).
- Clusters: groups of pending demands of two or more organizations that ask for the same kind of
  system (`compute_clusters()`: a periodic Celery job and on demand), read through
  `clusters_for(user)` with the demands that user may see.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from assets.choices import SystemStatus
from assets.models import Capability, DataResource, InformationSystem
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid
from core.models import AuditLog
from organizations.models import Organization, Region
from organizations.selectors import sees_everything

from ..choices import REVIEW_STATES, DemandStatus, Domain, FlagState, OperationsState
from ..models import Demand, DemandDataResource, Project, RedundancyClusterSnapshot, RedundancyFlag, RedundancyIndexChange
from ..permissions import may_provincial_review
from ..redundancy import text as textmod
from ..redundancy.engine import DEFAULT_FLAG_THRESHOLD, Candidate, Document, Reason, RedundancyIndex
from ..redundancy_feed import KIND_ALL, KIND_DEMAND, KIND_PROJECT, KIND_SYSTEM, LOCAL_WRITES

log = logging.getLogger(__name__)

S = DemandStatus
KINDS = (KIND_SYSTEM, KIND_DEMAND, KIND_PROJECT)
CANDIDATE_DEMAND_STATES = (S.MUNICIPAL_REVIEW, S.PROVINCIAL_REVIEW, S.EXPERT_REVIEW, S.APPROVED)
BUILDING_PROJECT_STATES = (OperationsState.NOT_STARTED, OperationsState.TRIAL)

SEARCH_LIMIT = 10  # candidates of one check (the API, the flags job, the evaluation)
LIVE_LIMIT = 5  # candidates in the box beside the form
FLAGS_PER_DEMAND = 5  # the strongest candidates above the threshold become flags (a reviewer decides on each)
REASONS_SHOWN = 4  # reasons shown per candidate in the compact boxes
MAX_TITLE_CHARS = 2_000  # the API refuses longer input (400); pages cut it
MAX_DESCRIPTION_CHARS = 200_000
MAX_LIST_ITEMS = 200  # capabilities or data resources in one check

FEED_GAP_SECONDS = 60.0  # how long an id missing below the highest one seen is looked at again
FEED_MAX_GAPS = 2_000
FEED_BATCH = 5_000  # more changes than this at once: rebuild instead of applying them one by one
FEED_BUILD_WINDOW = 500  # ids below the highest at build time whose absence is remembered as gaps
FEED_RETENTION = timedelta(days=1)  # change rows older than this are pruned (the newest one is kept)
REBUILD_AFTER_IDLE_SECONDS = 6 * 3600  # a process idle this long may have missed pruned rows: rebuild
CHUNK = 500  # ids per query when re-reading changed objects

CLUSTER_NEIGHBOURS = 50  # demands looked at per pending demand when clustering
SNAPSHOTS_KEPT = 20


def flag_threshold() -> float:
    """REDUNDANCY_FLAG_THRESHOLD (settings, environment-overridable; the engine's default)."""
    return float(getattr(settings, "REDUNDANCY_FLAG_THRESHOLD", DEFAULT_FLAG_THRESHOLD))


def poll_seconds() -> float:
    return float(getattr(settings, "REDUNDANCY_POLL_SECONDS", 2.0))


# ---------------------------------------------------------------------------------------
# Documents from the database
# ---------------------------------------------------------------------------------------


def candidate_systems():
    return InformationSystem.objects.exclude(status=SystemStatus.RETIRED)


def candidate_demands():
    return Demand.objects.filter(status__in=CANDIDATE_DEMAND_STATES)


def candidate_projects():
    return Project.objects.filter(operations_status__in=BUILDING_PROJECT_STATES)


def _grouped(pairs: Iterable[tuple]) -> dict:
    out: dict = defaultdict(list)
    for key, value in pairs:
        if value is not None:
            out[key].append(value)
    return out


def system_documents(queryset=None) -> list[Document]:
    """Documents of the systems in `queryset` (default: every system that is not retired)."""
    qs = candidate_systems() if queryset is None else queryset
    ids = qs.values("pk")
    caps = _grouped(
        InformationSystem.capabilities.through.objects.filter(informationsystem_id__in=ids)
        .values_list("informationsystem_id", "capability__code").iterator(chunk_size=5000)
    )
    users: dict = defaultdict(list)
    for sid, org_id, city_id in (
        InformationSystem.user_orgs.through.objects.filter(informationsystem_id__in=ids)
        .values_list("informationsystem_id", "organization_id", "organization__city_id").iterator(chunk_size=5000)
    ):
        users[sid].append((org_id, city_id))
    docs = []
    rows = qs.order_by().values_list(
        "pk", "code", "name", "description", "owner_org_id", "owner_org__city_id", "owner_org__level"
    )
    for pk, code, name, description, org_id, city_id, level in rows.iterator(chunk_size=5000):
        used = users.get(pk, ())
        docs.append(Document(
            kind=KIND_SYSTEM, id=pk, code=code or "", title=name or "", description=description or "",
            capabilities=frozenset(caps.get(pk, ())), org_id=org_id, city_id=city_id, level=level or "",
            user_org_count=len({o for o, _c in used}),
            user_city_count=len({c for _o, c in used if c is not None}),
        ))
    return docs


def demand_documents(queryset=None) -> list[Document]:
    """Documents of the demands in `queryset` (default: those under review or approved)."""
    qs = candidate_demands() if queryset is None else queryset
    ids = qs.values("pk")
    caps = _grouped(
        Demand.capabilities.through.objects.filter(demand_id__in=ids)
        .values_list("demand_id", "capability__code").iterator(chunk_size=5000)
    )
    resources = _grouped(
        DemandDataResource.objects.filter(demand_id__in=ids).values_list("demand_id", "resource_id").iterator(chunk_size=5000)
    )
    rows = qs.order_by().values_list("pk", "code", "title", "description", "domain", "org_id", "org__city_id", "org__level")
    return [
        Document(
            kind=KIND_DEMAND, id=pk, code=code or "", title=title or "", description=description or "",
            capabilities=frozenset(caps.get(pk, ())), data_resources=frozenset(resources.get(pk, ())),
            domain=domain or "", org_id=org_id, city_id=city_id, level=level or "",
        )
        for pk, code, title, description, domain, org_id, city_id, level in rows.iterator(chunk_size=5000)
    ]


def project_documents(queryset=None) -> list[Document]:
    """Documents of the projects in `queryset` (default: those under construction), with their demands' data."""
    qs = candidate_projects() if queryset is None else queryset
    ids = qs.values("pk")
    caps = _grouped(
        Demand.capabilities.through.objects.filter(demand__project_id__in=ids)
        .values_list("demand__project_id", "capability__code").iterator(chunk_size=5000)
    )
    resources = _grouped(
        DemandDataResource.objects.filter(demand__project_id__in=ids)
        .values_list("demand__project_id", "resource_id").iterator(chunk_size=5000)
    )
    domains: dict = defaultdict(Counter)
    first_org: dict = {}
    for project_id, domain, org_id, city_id, level in (
        Demand.objects.filter(project_id__in=ids).order_by("submitted_at", "pk")
        .values_list("project_id", "domain", "org_id", "org__city_id", "org__level").iterator(chunk_size=5000)
    ):
        if domain:
            domains[project_id][domain] += 1
        first_org.setdefault(project_id, (org_id, city_id, level))
    docs = []
    rows = qs.order_by().values_list(
        "pk", "code", "name", "description", "construction_org_id", "construction_org__city_id", "construction_org__level"
    )
    for pk, code, name, description, org_id, city_id, level in rows.iterator(chunk_size=5000):
        org_id, city_id, level = first_org.get(pk, (org_id, city_id, level))
        common = domains[pk].most_common(1) if pk in domains else []
        docs.append(Document(
            kind=KIND_PROJECT, id=pk, code=code or "", title=name or "", description=description or "",
            capabilities=frozenset(caps.get(pk, ())), data_resources=frozenset(resources.get(pk, ())),
            domain=common[0][0] if common else "", org_id=org_id, city_id=city_id, level=level or "",
        ))
    return docs


BUILDERS = {
    KIND_SYSTEM: (system_documents, candidate_systems),
    KIND_DEMAND: (demand_documents, candidate_demands),
    KIND_PROJECT: (project_documents, candidate_projects),
}


def all_documents() -> list[Document]:
    """Every candidate of the database, as documents."""
    return [*system_documents(), *demand_documents(), *project_documents()]


def documents_for(kind: str, ids: Iterable[int]) -> list[Document]:
    """Documents of the objects of `kind` with these ids that are candidates now."""
    builder, candidates = BUILDERS[kind]
    ids = sorted(set(ids))
    docs = []
    for start in range(0, len(ids), CHUNK):
        docs += builder(candidates().filter(pk__in=ids[start:start + CHUNK]))
    return docs


def build_index(documents: Iterable[Document] | None = None) -> RedundancyIndex:
    """A new index of `documents` (default: every candidate of the database)."""
    index = RedundancyIndex()
    index.build(all_documents() if documents is None else documents)
    return index


# ---------------------------------------------------------------------------------------
# One index per process, following the change feed
# ---------------------------------------------------------------------------------------


class IndexHolder:
    """The process's index and its place in the change feed (thread-safe)."""

    def __init__(self):
        self._lock = threading.RLock()
        self.index: RedundancyIndex | None = None
        self.built_at = None
        self._last_id = 0
        self._last_key: tuple | None = None  # (kind, object id) of the row with id _last_id
        self._gaps: dict[int, float] = {}  # id → when it was first found missing
        self._last_poll = 0.0
        self._provisional: set[tuple[str, int]] = set()  # applied inside a transaction not committed yet
        self.rebuilds = 0

    def get(self) -> RedundancyIndex:
        index = self.index
        if index is not None and not self._due():
            return index
        with self._lock:
            if self.index is None:
                self._build()
            elif self._due():
                self._refresh()
            return self.index

    def reset(self) -> None:
        """Forget the index: the next search rebuilds it from the database."""
        with self._lock:
            self.__init__()

    def rebuild(self) -> RedundancyIndex:
        with self._lock:
            self._build()
            return self.index

    def _due(self) -> bool:
        return LOCAL_WRITES.is_set() or bool(self._provisional) or time.monotonic() - self._last_poll >= poll_seconds()

    def _build(self) -> None:
        LOCAL_WRITES.clear()
        last = RedundancyIndexChange.objects.order_by("-pk").values_list("pk", "kind", "object_id").first()
        last_id = last[0] if last else 0
        now = time.monotonic()
        gaps: dict[int, float] = {}
        if last_id > 1:
            low = max(1, last_id - FEED_BUILD_WINDOW)
            present = set(RedundancyIndexChange.objects.filter(pk__gte=low, pk__lt=last_id).values_list("pk", flat=True))
            gaps = {i: now for i in range(low, last_id) if i not in present}
        index = build_index()
        self.index = index
        self.built_at = timezone.now()
        self._last_id, self._last_key = last_id, (tuple(last[1:]) if last else None)
        self._gaps = gaps
        self._provisional = set()
        self._last_poll = now
        self.rebuilds += 1

    def _refresh(self) -> None:
        LOCAL_WRITES.clear()
        now = time.monotonic()
        idle, self._last_poll = now - self._last_poll, now
        if idle > REBUILD_AFTER_IDLE_SECONDS:
            return self._build()
        q = Q(pk__gte=self._last_id) if self._last_id else Q(pk__gt=0)
        if self._gaps:
            q |= Q(pk__in=list(self._gaps))
        rows = list(RedundancyIndexChange.objects.filter(q).order_by("pk").values_list("pk", "kind", "object_id")[: FEED_BATCH + 1])
        if len(rows) > FEED_BATCH:
            return self._build()
        if self._last_id:
            anchor = next((r for r in rows if r[0] == self._last_id), None)
            if anchor is None or tuple(anchor[1:]) != self._last_key:
                # The row applied last is gone: its transaction rolled back (or the feed was
                # emptied), so what the index took from it may never have happened.
                return self._build()
        keys: set[tuple[str, int]] = set()
        seen = set()
        for pk, kind, object_id in rows:
            seen.add(pk)
            if pk == self._last_id:
                continue
            self._gaps.pop(pk, None)
            if kind == KIND_ALL:
                return self._build()
            if kind in BUILDERS:
                keys.add((kind, object_id))
        top = max(seen) if seen else self._last_id
        if top > self._last_id:
            for pk in range(max(self._last_id + 1, top - FEED_MAX_GAPS), top):
                if pk not in seen:
                    self._gaps.setdefault(pk, now)
            last = next(r for r in reversed(rows) if r[0] == top)
            self._last_id, self._last_key = top, tuple(last[1:])
        self._gaps = {pk: t for pk, t in self._gaps.items() if now - t < FEED_GAP_SECONDS}
        if len(self._gaps) > FEED_MAX_GAPS:
            self._gaps = dict(sorted(self._gaps.items())[-FEED_MAX_GAPS:])
        if connection.in_atomic_block:
            self._provisional |= keys
        elif self._provisional:
            # Re-read what was applied inside a transaction: now we read what was committed.
            keys |= self._provisional
            self._provisional = set()
        self._apply(keys)

    def _apply(self, keys: set[tuple[str, int]]) -> None:
        by_kind: dict[str, set[int]] = defaultdict(set)
        for kind, object_id in keys:
            by_kind[kind].add(object_id)
        for kind, ids in by_kind.items():
            docs = documents_for(kind, ids)
            for doc in docs:
                self.index.upsert(doc)
            for object_id in ids - {d.id for d in docs}:
                self.index.remove(kind, object_id)


_holder = IndexHolder()


def get_index() -> RedundancyIndex:
    """The process's index, fresh within REDUNDANCY_POLL_SECONDS of any change in any process."""
    return _holder.get()


def reset_index() -> None:
    _holder.reset()


def rebuild_index() -> RedundancyIndex:
    return _holder.rebuild()


def prune_changes(now=None) -> int:
    """Delete change rows older than FEED_RETENTION, always keeping the newest. Returns how many went."""
    now = now or timezone.now()
    newest = RedundancyIndexChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    if newest is None:
        return 0
    deleted, _ = RedundancyIndexChange.objects.filter(created_at__lt=now - FEED_RETENTION, pk__lt=newest).delete()
    return deleted


# ---------------------------------------------------------------------------------------
# The check
# ---------------------------------------------------------------------------------------


def _codes(values) -> frozenset[str]:
    out = set()
    for v in values or ():
        code = getattr(v, "code", v)
        if code not in (None, ""):
            out.add(str(code))
    return frozenset(out)


def _ids(values) -> frozenset[int]:
    out = set()
    for v in values or ():
        v = getattr(v, "pk", v)
        try:
            out.add(int(v))
        except (TypeError, ValueError):
            continue
    return frozenset(out)


def _org(org) -> Organization | None:
    if org is None or org == "":
        return None
    if isinstance(org, Organization):
        return org
    try:
        return Organization.objects.filter(pk=int(org)).first()
    except (TypeError, ValueError):
        return None


def query_document(title, description, capabilities=(), org=None, data_resources=None, domain=None,
                   *, demand_id: int = 0) -> Document:
    """The engine document of what is being checked (a demand, or text typed into a form)."""
    org = _org(org)
    return Document(
        kind=KIND_DEMAND,
        id=demand_id,
        code="",
        title=textmod.to_text(title)[:MAX_TITLE_CHARS],
        description=textmod.to_text(description)[:MAX_DESCRIPTION_CHARS],
        capabilities=_codes(capabilities),
        data_resources=_ids(data_resources),
        domain=textmod.to_text(domain) if domain in Domain.values else "",
        org_id=org.pk if org else None,
        city_id=org.city_id if org else None,
        level=org.level if org else "",
    )


def _exclude_key(exclude) -> tuple[str, int] | None:
    if exclude is None:
        return None
    if isinstance(exclude, Demand):
        return (KIND_DEMAND, exclude.pk)
    if isinstance(exclude, tuple) and len(exclude) == 2:
        return (str(exclude[0]), int(exclude[1]))
    return (KIND_DEMAND, int(exclude))


def _visible_keys(candidates: list[Candidate], user) -> set[tuple[str, int]]:
    """Keys of the candidates `user` may see: every system; the demands and projects of the tree."""
    from ..selectors.demands import demands_visible_to
    from ..selectors.projects import projects_visible_to

    if not getattr(user, "is_authenticated", False):
        return set()
    keys = {(c.kind, c.id) for c in candidates if c.kind == KIND_SYSTEM}
    if sees_everything(user):
        return {(c.kind, c.id) for c in candidates}
    demand_ids = [c.id for c in candidates if c.kind == KIND_DEMAND]
    project_ids = [c.id for c in candidates if c.kind == KIND_PROJECT]
    if demand_ids:
        keys |= {(KIND_DEMAND, pk) for pk in demands_visible_to(user).filter(pk__in=demand_ids).values_list("pk", flat=True)}
    if project_ids:
        keys |= {(KIND_PROJECT, pk) for pk in projects_visible_to(user).filter(pk__in=project_ids).values_list("pk", flat=True)}
    return keys


def _search(index: RedundancyIndex, query: Document, *, limit: int, exclude, user) -> list[Candidate]:
    if user is None or sees_everything(user):
        candidates = index.search(query, limit=limit, exclude=exclude)
        return candidates if user is None or getattr(user, "is_authenticated", False) else []
    # Another bureau's demands may fill the top: look further, keep what the user may see, and
    # fall back on the public catalogue alone when that still leaves too few.
    fetch = limit * 3 + 20
    raw = index.search(query, limit=fetch, exclude=exclude)
    allowed = _visible_keys(raw, user)
    kept = [c for c in raw if (c.kind, c.id) in allowed]
    if len(kept) < limit and len(raw) == fetch:
        more = index.search(query, limit=limit, exclude=exclude, kinds={KIND_SYSTEM})
        have = {(c.kind, c.id) for c in kept}
        kept += [c for c in more if (c.kind, c.id) not in have]
        kept.sort(key=lambda c: (-c.score, c.kind, c.id))
    return kept[:limit]


def check(title, description, capabilities=(), org=None, data_resources=None, domain=None, *,
          exclude=None, user=None, limit: int = SEARCH_LIMIT, index: RedundancyIndex | None = None):
    """What this demand may duplicate: `(flag_threshold, candidates)`, best first; nothing is saved.

    Each candidate is a dict: kind, id, code, title, score (0..1), flagged (score ≥ threshold),
    reasons (sentences in the active language), reason_details (code, text, values, weight) and
    url. With `user`, only the demands and projects that user may see are candidates (systems are
    the public catalogue); without, everything (the flags job). `index` is for the evaluation.
    """
    threshold = flag_threshold()
    query = query_document(title, description, capabilities, org, data_resources, domain)
    index = index if index is not None else get_index()
    found = _search(index, query, limit=max(1, int(limit)), exclude=_exclude_key(exclude), user=user)
    return threshold, present(found, threshold)


def check_demand(demand: Demand, *, user=None, limit: int = SEARCH_LIMIT, index=None):
    """`check()` of a saved demand (itself excluded)."""
    return check(
        demand.title, demand.description,
        [c.code for c in demand.capabilities.all()], demand.org,
        list(demand.data_resource_links.values_list("resource_id", flat=True)), demand.domain,
        exclude=(KIND_DEMAND, demand.pk), user=user, limit=limit, index=index,
    )


# ---------------------------------------------------------------------------------------
# Reasons in the user's language
# ---------------------------------------------------------------------------------------


def _raw_reason(reason) -> tuple[str, list, float]:
    if isinstance(reason, Reason):
        return reason.code, list(reason.values), float(reason.weight)
    return reason.get("code", ""), list(reason.get("values") or []), float(reason.get("weight") or 0.0)


class Wording:
    """Looks up the names a set of reasons mentions (one query per kind of name) and words them."""

    def __init__(self, reason_lists: Iterable[Iterable]):
        caps, resources, regions = set(), set(), set()
        self.lists = [[_raw_reason(r) for r in reasons] for reasons in reason_lists]
        for reasons in self.lists:
            for code, values, _w in reasons:
                if code == "shared_capabilities":
                    caps.update(str(v) for v in values)
                elif code == "shared_data_resources":
                    resources.update(v for v in values if isinstance(v, int))
                elif code == "same_city":
                    regions.update(v for v in values if isinstance(v, int))
                elif code == "other_city" and len(values) == 2:
                    regions.update(v for v in values if isinstance(v, int))
        self.capabilities = {c.code: c for c in Capability.objects.filter(code__in=caps)} if caps else {}
        self.resources = dict(DataResource.objects.filter(pk__in=resources).values_list("pk", "name")) if resources else {}
        self.regions = {r.pk: r for r in Region.objects.filter(pk__in=regions)} if regions else {}

    @staticmethod
    def join(items: Iterable[str]) -> str:
        return ("、" if (get_language() or "").startswith("zh") else ", ").join(items)

    def text(self, code: str, values: list) -> str:
        if code == "text":
            percent = round(float(values[0]) * 100) if values else 0
            return _("Wording %(percent)s%% alike") % {"percent": percent}
        if code == "shared_terms":
            return _("Shared terms: %(terms)s") % {"terms": self.join(str(v) for v in values)}
        if code == "shared_capabilities":
            names = [str(self.capabilities[c]) if c in self.capabilities else str(c) for c in map(str, values)]
            return _("Shared capabilities: %(names)s") % {"names": self.join(names)}
        if code == "shared_data_resources":
            names = [self.resources.get(v, str(v)) for v in values]
            return _("Shared data resources: %(names)s") % {"names": self.join(names)}
        if code == "same_domain":
            label = dict(Domain.choices).get(values[0], values[0]) if values else ""
            return _("Same business domain: %(domain)s") % {"domain": label}
        if code == "same_org":
            return _("The same organization")
        if code == "same_city":
            region = self.regions.get(values[0]) if values else None
            return _("Same city: %(city)s") % {"city": region or ""}
        if code == "other_city":
            region = self.regions.get(values[1]) if len(values) == 2 else None
            return _("Another city: %(city)s") % {"city": region or ""}
        if code == "provincial_system":
            orgs, cities = (int(values[0]), int(values[1])) if len(values) == 2 else (0, 0)
            return ngettext(
                "Provincial system already used by %(cities)d city (%(orgs)d organizations)",
                "Provincial system already used by %(cities)d cities (%(orgs)d organizations)",
                cities,
            ) % {"cities": cities, "orgs": orgs}
        return code

    def details(self, i: int) -> list[dict]:
        return [
            {"code": code, "text": self.text(code, values), "values": values, "weight": round(weight, 4)}
            for code, values, weight in self.lists[i]
        ]


def candidate_url(kind: str, pk: int) -> str:
    if kind == KIND_SYSTEM:
        return reverse("assets:system_detail", args=[pk])
    if kind == KIND_PROJECT:
        return reverse("projects:project_detail", args=[pk])
    return reverse("projects:demand_detail", args=[pk])


def present(candidates: list[Candidate], threshold: float) -> list[dict]:
    """Engine candidates as the API and the pages show them (reasons worded)."""
    wording = Wording(c.reasons for c in candidates)
    out = []
    for i, c in enumerate(candidates):
        details = wording.details(i)
        out.append({
            "kind": c.kind,
            "id": c.id,
            "code": c.code,
            "title": c.title,
            "score": c.score,
            "flagged": c.score >= threshold,
            "reasons": [d["text"] for d in details],
            "reason_details": details,
            "url": candidate_url(c.kind, c.id),
        })
    return out


# ---------------------------------------------------------------------------------------
# Flags
# ---------------------------------------------------------------------------------------


def schedule_check(demand: Demand) -> None:
    """Queue the check of a submitted demand (the demands service calls this after the commit)."""
    from kombu.exceptions import OperationalError

    from ..tasks import run_redundancy_check

    try:
        run_redundancy_check.delay(demand.pk)
    except OperationalError:  # the broker is down: the check must still happen, and the submission stands
        log.warning("Redundancy check of demand %s could not be queued; running it inline.", demand.pk, exc_info=True)
        run_check(demand.pk)


def _flag_audit(flag: RedundancyFlag, *, actor, source: str, target: str, comment: str, payload: dict) -> AuditLog:
    """One row of the append-only log for a decision on a flag (who, when, why)."""
    return AuditLog.objects.create(
        content_type=ContentType.objects.get_for_model(RedundancyFlag),
        object_id=flag.pk,
        object_repr=str(flag)[:300],
        machine="state",
        transition={"dismissed": "dismiss", "merged": "merge", "reused": "reuse"}.get(target, target),
        source=source,
        target=target,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=(str(actor) if actor is not None else "")[:150],
        comment=comment or "",
        payload=payload,
    )


def run_check(demand_or_id) -> list[RedundancyFlag]:
    """Check a demand under review and store its best candidates at or above the threshold as flags.

    At most FLAGS_PER_DEMAND, the strongest: a reviewer must decide on each flag. A pending flag
    of a candidate found again is updated (score, reasons); a resolved one stays as decided; a
    pending flag whose candidate is no longer among them is removed (the flag stated evidence that
    is gone). Never two flags for one candidate. Returns the demand's flags.
    """
    pk = getattr(demand_or_id, "pk", demand_or_id)
    demand = Demand.objects.select_related("org").filter(pk=pk).first()
    if demand is None or demand.status not in REVIEW_STATES:
        return []
    threshold, candidates = check_demand(demand, limit=SEARCH_LIMIT)
    found = {(c["kind"], c["id"]): c for c in [c for c in candidates if c["flagged"]][:FLAGS_PER_DEMAND]}
    with transaction.atomic():
        # Serialize the checks of one demand (two submissions in a row, a retried job).
        Demand.objects.select_for_update().filter(pk=demand.pk).values_list("pk", flat=True).first()
        existing = {(f.candidate_kind, f.candidate_id): f for f in RedundancyFlag.objects.filter(demand=demand)}
        for key, c in found.items():
            # Stored raw (codes and values), worded in the reader's language when shown.
            reasons = [{"code": d["code"], "values": d["values"], "weight": d["weight"]} for d in c["reason_details"]]
            flag = existing.get(key)
            score = Decimal(str(c["score"])).quantize(Decimal("0.0001"))
            if flag is None:
                RedundancyFlag.objects.create(
                    demand=demand, candidate_kind=c["kind"], candidate_id=c["id"], candidate_code=c["code"][:20],
                    candidate_title=c["title"][:200], score=score, reasons=reasons,
                )
            elif flag.state == FlagState.PENDING:
                flag.score, flag.reasons = score, reasons
                flag.candidate_code, flag.candidate_title = c["code"][:20], c["title"][:200]
                flag.save(update_fields=["score", "reasons", "candidate_code", "candidate_title"])
        stale = [f.pk for key, f in existing.items() if f.state == FlagState.PENDING and key not in found]
        if stale:
            RedundancyFlag.objects.filter(pk__in=stale, state=FlagState.PENDING).delete()
    return list(RedundancyFlag.objects.filter(demand=demand))


def may_resolve_flags(demand: Demand, user) -> bool:
    """Flags are resolved by the provincial review office (reviewers and approvers)."""
    return may_provincial_review(demand, user)


def resolve_flag(flag: RedundancyFlag, resolution: str = "dismissed", comment: str = "", actor=None) -> RedundancyFlag:
    """Dismiss a pending flag with a reason, as a provincial reviewer.

    Merge and reuse are decisions on the demand: its `merge` and `recommend_reuse` transitions
    resolve their flags themselves. Raises TransitionInvalid (no reason, other resolution),
    TransitionForbidden, or TransitionConflict (already resolved, or the demand left review).
    """
    if resolution != FlagState.DISMISSED:
        message = _("Only dismissal is done here: merging and reuse are decided with the demand's “merge” and "
                    "“recommend reuse” actions.")
        raise TransitionInvalid(message, field_errors={"resolution": [message]})
    comment = (comment or "").strip()
    if not comment:
        message = _("Please give the reason for dismissing this flag.")
        raise TransitionInvalid(message, field_errors={"comment": [message]})
    demand = flag.demand
    if not may_resolve_flags(demand, actor):
        raise TransitionForbidden(_("Only the provincial review office resolves redundancy flags."))
    if demand.status not in REVIEW_STATES:
        raise TransitionConflict(
            _("This demand is now in state “%(state)s”: its flags can no longer be resolved.")
            % {"state": demand.get_status_display()},
            state=demand.status,
        )
    now = timezone.now()
    with transaction.atomic():
        # Compare-and-set: of two reviewers dismissing at once, exactly one changes the row.
        changed = RedundancyFlag.objects.filter(pk=flag.pk, state=FlagState.PENDING).update(
            state=FlagState.DISMISSED, resolved_by=actor, resolved_at=now, resolution_comment=comment
        )
        if not changed:
            flag.refresh_from_db()
            raise TransitionConflict(
                _("This flag is already resolved (%(state)s).") % {"state": flag.get_state_display()}, state=flag.state
            )
        flag.refresh_from_db()
        _flag_audit(flag, actor=actor, source=FlagState.PENDING, target=FlagState.DISMISSED, comment=comment,
                    payload={"demand": demand.pk, "candidate": f"{flag.candidate_kind}:{flag.candidate_id}"})
    return flag


def related_keys(kind: str, candidate_id: int) -> set[tuple[str, int]]:
    """The candidate and its other faces: a project, the demands it was made of, the system it runs."""
    keys = {(kind, candidate_id)}
    project_id = None
    if kind == KIND_SYSTEM:
        project_id = InformationSystem.objects.filter(pk=candidate_id).values_list("project_id", flat=True).first()
    elif kind == KIND_PROJECT:
        project_id = candidate_id
    elif kind == KIND_DEMAND:
        project_id = Demand.objects.filter(pk=candidate_id).values_list("project_id", flat=True).first()
    if project_id is not None:
        keys.add((KIND_PROJECT, project_id))
        keys |= {(KIND_SYSTEM, pk) for pk in InformationSystem.objects.filter(project_id=project_id).values_list("pk", flat=True)}
        keys |= {(KIND_DEMAND, pk) for pk in Demand.objects.filter(project_id=project_id).values_list("pk", flat=True)}
    return keys


def resolve_for_redirect(demand: Demand, *, kind: str, candidate_id: int, state: str, actor, comment: str = "") -> int:
    """Inside `merge` / `recommend_reuse`: mark the demand's pending flags on the chosen target merged / reused.

    The flag on the target itself and those on its other faces (a project and its demands and
    system) are resolved; flags on unrelated candidates stay as they are. Returns how many.
    """
    keys = related_keys(kind, candidate_id)
    q = Q(pk__in=[])
    for k, pk in keys:
        q |= Q(candidate_kind=k, candidate_id=pk)
    now = timezone.now()
    resolved = 0
    for flag in RedundancyFlag.objects.filter(q, demand=demand, state=FlagState.PENDING):
        changed = RedundancyFlag.objects.filter(pk=flag.pk, state=FlagState.PENDING).update(
            state=state, resolved_by=actor, resolved_at=now, resolution_comment=comment or ""
        )
        if changed:
            resolved += 1
            flag.state = state
            _flag_audit(flag, actor=actor, source=FlagState.PENDING, target=state, comment=comment,
                        payload={"demand": demand.pk, "candidate": f"{flag.candidate_kind}:{flag.candidate_id}",
                                 "target": f"{kind}:{candidate_id}"})
    return resolved


def _flag_info(flag: RedundancyFlag | None) -> dict:
    if flag is None:
        return {"flag_id": None, "flag_state": None, "resolution": None}
    resolution = None
    if flag.state != FlagState.PENDING:
        resolution = {
            "state": flag.state,
            "state_display": flag.get_state_display(),
            "comment": flag.resolution_comment,
            "by": str(flag.resolved_by) if flag.resolved_by_id else None,
            "at": flag.resolved_at.isoformat() if flag.resolved_at else None,
        }
    return {"flag_id": flag.pk, "flag_state": flag.state, "flag_state_display": flag.get_state_display(),
            "resolution": resolution}


def visible_flags(demand: Demand, user) -> list[RedundancyFlag]:
    """The demand's flags whose candidates `user` may see, best first."""
    flags = list(RedundancyFlag.objects.filter(demand=demand).select_related("resolved_by"))
    if user is None:
        return flags
    as_candidates = [Candidate(f.candidate_kind, f.candidate_id, f.candidate_code, f.candidate_title, 0.0, ()) for f in flags]
    allowed = _visible_keys(as_candidates, user)
    return [f for f in flags if (f.candidate_kind, f.candidate_id) in allowed]


def flags_for(demand: Demand, user) -> list[dict]:
    """The demand's flags as the panel shows them: candidate, score, worded reasons, state, resolution."""
    threshold = flag_threshold()
    flags = visible_flags(demand, user)
    wording = Wording(f.reasons for f in flags)
    out = []
    for i, f in enumerate(flags):
        details = wording.details(i)
        score = float(f.score)
        out.append({
            "kind": f.candidate_kind, "id": f.candidate_id, "code": f.candidate_code, "title": f.candidate_title,
            "score": score, "flagged": score >= threshold, "reasons": [d["text"] for d in details],
            "reason_details": details, "url": candidate_url(f.candidate_kind, f.candidate_id),
            "flag": f, **_flag_info(f),
        })
    return out


def similar_for(demand: Demand, user, *, limit: int = SEARCH_LIMIT) -> tuple[float, list[dict]]:
    """Candidates of a saved demand now, each with its flag's state and resolution; then flags not found now."""
    threshold, candidates = check_demand(demand, user=user, limit=limit)
    flags = {(f["kind"], f["id"]): f for f in flags_for(demand, user)}
    out = []
    for c in candidates:
        flag = flags.pop((c["kind"], c["id"]), None)
        out.append({**c, **_flag_info(flag["flag"] if flag else None), "current": True})
    for f in flags.values():
        entry = {k: v for k, v in f.items() if k != "flag"}
        out.append({**entry, "current": False})
    return threshold, out


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
    from ..selectors.demands import demands_visible_to

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
