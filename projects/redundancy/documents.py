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
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache

from assets.choices import SystemStatus
from assets.models import InformationSystem
from projects.delivery.choices import OperationsState
from projects.delivery.models import Project
from projects.demands.choices import DemandStatus
from projects.demands.models import Demand, DemandDataResource
from projects.redundancy.engine.engine import DEFAULT_FLAG_THRESHOLD, DEFAULT_RELATED_THRESHOLD, Document, RedundancyIndex
from projects.redundancy.feed import KIND_DEMAND, KIND_PROJECT, KIND_SYSTEM
from projects.redundancy.models import DomainThreshold

log = logging.getLogger(__name__)

S = DemandStatus
KINDS = (KIND_SYSTEM, KIND_DEMAND, KIND_PROJECT)
CANDIDATE_DEMAND_STATES = (S.MUNICIPAL_REVIEW, S.PROVINCIAL_REVIEW, S.EXPERT_REVIEW, S.APPROVED)
BUILDING_PROJECT_STATES = (OperationsState.NOT_STARTED, OperationsState.TRIAL)


CHUNK = 500  # ids per query when re-reading changed objects


def flag_threshold(domain: str | None = None) -> float:
    """REDUNDANCY_FLAG_THRESHOLD (settings, environment-overridable; the engine's default), or the
    threshold a person applied for `domain` from the reviewers' decisions (projects.redundancy.decisions)."""
    base = float(getattr(settings, "REDUNDANCY_FLAG_THRESHOLD", DEFAULT_FLAG_THRESHOLD))
    if domain:
        return domain_thresholds().get(domain, base)
    return base


DOMAIN_THRESHOLDS_CACHE_KEY = "redundancy:domain-thresholds"


def domain_thresholds() -> dict[str, float]:
    """The applied per-domain thresholds, from the cache (shared by the processes in production), else the table."""
    found = cache.get(DOMAIN_THRESHOLDS_CACHE_KEY)
    if found is None:
        found = {d: float(t) for d, t in DomainThreshold.objects.values_list("domain", "threshold")}
        cache.set(DOMAIN_THRESHOLDS_CACHE_KEY, found, timeout=None)
    return found


def forget_domain_thresholds() -> None:
    """After a threshold was applied: every process reads the table again."""
    cache.delete(DOMAIN_THRESHOLDS_CACHE_KEY)


def related_threshold() -> float:
    """REDUNDANCY_RELATED_THRESHOLD: the lower band ("related, for reference") starts here; below it nothing is shown."""
    return min(flag_threshold(), float(getattr(settings, "REDUNDANCY_RELATED_THRESHOLD", DEFAULT_RELATED_THRESHOLD)))


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
