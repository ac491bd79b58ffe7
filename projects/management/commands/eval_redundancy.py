"""Measure redundancy detection on a labelled set, through the app's own code path (contract.md).

    python manage.py eval_redundancy FILE.json

FILE: {"systems": [{"key", "name", "description", "capabilities"?, "org"?, "user_regions"?}],
       "queries": [{"key", "title", "description", "capabilities"?, "org"?, "expect": [system or demand keys]}],
       "demands"?: [{"key", "title", "description", "capabilities"?, "org", "status"}]}
An "org" is {"region": "长春市", "name": "长春市城市管理局"}: the region is found by name in the tree
(区/县/市 as written), the bureau by name in that region, and created when it does not exist.

Inside one transaction that is always rolled back, the set's systems (and demands) are written into
the database (with any capability code or bureau the set uses that the database lacks); an index is
built by the app's document builders from those rows alone (they are the only candidates; a demand
is one only in a state the app checks against), and every query runs through
`services.redundancy.check()`, the function behind the live box, the API and the flags, with the
threshold of the settings:

- the full query as the flags job checks a submitted demand of the query's organization (its
  relations and bonuses; reviewers see every candidate);
- `title_only`: the title alone, as the live box sees it while a clerk of that organization types
  (the clerk's visibility: another bureau's demands only where the tree lets the clerk see them).

The measuring loop is the engine's `evaluation.measure`. Prints one JSON object:
queries, recall_at_1, recall_at_5, recall_at_10, mrr, flag_precision (of all flags raised, the
share on an expected candidate), flag_recall (share of queries with a non-empty `expect` whose
expected candidate is flagged), false_flag_rate (share of queries with an empty `expect` that get
any flag), p95_ms (one check, the set loaded), a few more, and "title_only" with the same figures.
Nothing is left behind.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assets.choices import SystemStatus
from assets.models import Capability, InformationSystem
from organizations.choices import Role
from organizations.models import Organization, Region, User
from projects.demands.choices import DemandStatus
from projects.demands.models import Demand
from projects.redundancy.documents import build_index, candidate_demands, demand_documents, flag_threshold, system_documents
from projects.redundancy.engine import text as textmod
from projects.redundancy.engine.evaluation import Hit, measure
from projects.redundancy.search import SEARCH_LIMIT, check


class _Rollback(Exception):
    """Leaves the evaluation's transaction, always."""


def _check_org(path: str, where: str, value) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or not str(value.get("region") or "").strip() or not str(value.get("name") or "").strip():
        raise CommandError(f'{path}: {where}.org must be {{"region": "...", "name": "..."}}')


def load_set(path: str) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"{path}: not a JSON file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("systems"), list) or not isinstance(data.get("queries"), list):
        raise CommandError(f'{path}: expected {{"systems": [...], "queries": [...]}}')
    if not isinstance(data.get("demands", []), list):
        raise CommandError(f'{path}: "demands" must be a list')
    keys = set()
    for i, s in enumerate(data["systems"]):
        if not isinstance(s, dict) or "key" not in s or not str(s.get("name") or "").strip():
            raise CommandError(f"{path}: systems[{i}] needs a key and a name")
        _check_org(path, f"systems[{i}]", s.get("org"))
        regions = s.get("user_regions", [])
        if not isinstance(regions, list) or not all(isinstance(r, str) and r.strip() for r in regions):
            raise CommandError(f"{path}: systems[{i}].user_regions must be a list of region names")
        keys.add(str(s["key"]))
    statuses = set(DemandStatus.values)
    for i, d in enumerate(data.get("demands", [])):
        if not isinstance(d, dict) or "key" not in d or not str(d.get("title") or "").strip():
            raise CommandError(f"{path}: demands[{i}] needs a key and a title")
        if d.get("org") is None:
            raise CommandError(f"{path}: demands[{i}] needs an org")
        _check_org(path, f"demands[{i}]", d.get("org"))
        if d.get("status") not in statuses:
            raise CommandError(f"{path}: demands[{i}].status must be one of {sorted(statuses)}")
        if str(d["key"]) in keys:
            raise CommandError(f"{path}: demands[{i}] reuses the key {d['key']!r}")
        keys.add(str(d["key"]))
    for i, q in enumerate(data["queries"]):
        if not isinstance(q, dict) or "key" not in q:
            raise CommandError(f"{path}: queries[{i}] needs a key")
        _check_org(path, f"queries[{i}]", q.get("org"))
        unknown = [k for k in q.get("expect") or [] if str(k) not in keys]
        if unknown:
            raise CommandError(f"{path}: queries[{i}] expects unknown systems {unknown}")
    return data


def evaluate(data: dict) -> dict:
    """The figures of `data`, measured through the app inside a transaction that is rolled back."""
    result: dict = {}
    try:
        with transaction.atomic():
            result = _load_and_measure(data)
            raise _Rollback
    except _Rollback:
        pass
    return result


class _Tree:
    """Regions and bureaus of the set, found by name in the tree or created (inside the rollback)."""

    def __init__(self):
        self.orgs: dict[tuple[str, str], Organization] = {}
        self.clerks: dict[int, User] = {}
        self.created = 0

    @staticmethod
    def region(name: str) -> Region:
        region = Region.objects.filter(name=name.strip()).order_by("code").first()
        if region is None:
            raise CommandError(f"No region named {name!r} in the organization tree.")
        return region

    def org(self, spec: dict | None) -> Organization | None:
        if not spec:
            return None
        key = (str(spec["region"]).strip(), str(spec["name"]).strip())
        if key not in self.orgs:
            region = self.region(key[0])
            found = Organization.objects.filter(region=region, name=key[1]).order_by("code").first()
            if found is None:
                self.created += 1
                found = Organization.objects.create(code=f"eval-{region.code}-{self.created}", name=key[1][:200], region=region)
            self.orgs[key] = found
        return self.orgs[key]

    def in_region(self, name: str) -> Organization:
        """An organization of the region (a user of a provincial system there)."""
        region = self.region(name)
        found = Organization.objects.filter(region=region).order_by("-is_coordination_authority", "code").first()
        return found or self.org({"region": name, "name": f"{region.name}政务服务和数字化建设管理局"})

    def clerk(self, org: Organization) -> User:
        """A submitter of the bureau: the one who types into the live box."""
        if org.pk not in self.clerks:
            self.clerks[org.pk] = User.objects.create(
                username=f"eval-clerk-{org.pk}", role=Role.SUBMITTER, organization=org, is_active=True,
            )
        return self.clerks[org.pk]


def _load_and_measure(data: dict) -> dict:
    """Load the set into the database (the caller rolls it back) and measure `check()` on it."""
    owner = (
        Organization.objects.filter(level="province", is_coordination_authority=True).order_by("pk").first()
        or Organization.objects.order_by("pk").first()
    )
    if owner is None:
        raise CommandError("The organization tree is empty: run `manage.py migrate` and `manage.py seed_demo` first.")
    demands = data.get("demands") or []
    items = data["systems"] + data["queries"] + demands
    codes = {str(c) for item in items for c in item.get("capabilities") or []}
    known = {c.code: c for c in Capability.objects.filter(code__in=codes)}
    for code in sorted(codes - set(known)):
        known[code] = Capability.objects.create(code=code[:40], name=code[:100], name_en=code[:100])
    tree = _Tree()
    key_of: dict[tuple[str, int], str] = {}
    system_ids, demand_ids = [], []
    for i, s in enumerate(data["systems"], start=1):
        system = InformationSystem.objects.create(
            code=f"EV-{i:05d}", name=str(s["name"])[:200], description=str(s.get("description") or ""),
            owner_org=tree.org(s.get("org")) or owner, status=SystemStatus.IN_OPERATION,
        )
        system.capabilities.set([known[str(c)] for c in s.get("capabilities") or []])
        if s.get("user_regions"):
            system.user_orgs.set([tree.in_region(name) for name in s["user_regions"]])
        system_ids.append(system.pk)
        key_of[("system", system.pk)] = str(s["key"])
    for i, d in enumerate(demands, start=1):
        demand = Demand.objects.create(
            code=f"EVD-{i:05d}", title=str(d["title"])[:200], description=str(d.get("description") or ""),
            org=tree.org(d["org"]), status=d["status"],
        )
        demand.capabilities.set([known[str(c)] for c in d.get("capabilities") or []])
        demand_ids.append(demand.pk)
        key_of[("demand", demand.pk)] = str(d["key"])
    # The set's rows are the only candidates: the index holds them and nothing else.
    index = build_index([
        *system_documents(InformationSystem.objects.filter(pk__in=system_ids)),
        *demand_documents(candidate_demands().filter(pk__in=demand_ids)),
    ])
    textmod.jieba_tokenizer()  # loaded once per process: not part of one check
    orgs = {str(q["key"]): tree.org(q.get("org")) for q in data["queries"]}

    def hits(candidates) -> list[Hit]:
        return [Hit(key_of.get((c["kind"], c["id"])), c["score"], c["flagged"]) for c in candidates]

    def full(q: dict) -> list[Hit]:
        # As the flags job checks a submitted demand of the query's organization.
        _, candidates = check(
            q.get("title") or "", q.get("description") or "", q.get("capabilities") or [], orgs[str(q["key"])],
            limit=SEARCH_LIMIT, index=index,
        )
        return hits(candidates)

    def title_only(q: dict) -> list[Hit]:
        # As the live box checks the title while a clerk of the organization types.
        org = orgs[str(q["key"])]
        _, candidates = check(
            q.get("title") or "", "", [], org, user=tree.clerk(org) if org else None, limit=SEARCH_LIMIT, index=index,
        )
        return hits(candidates)

    def cases():
        return ((str(q["key"]), q, q.get("expect") or []) for q in data["queries"])

    if data["queries"]:  # one check not measured: first-use costs of the process (query compilation, caches)
        full(data["queries"][0])
        title_only(data["queries"][0])
    result = measure(cases(), full)
    titles = measure(cases(), title_only)
    return {
        **result, "systems": len(data["systems"]), "demands": len(demands), "candidates": len(index),
        "flag_threshold": flag_threshold(), "title_only": titles,
    }


class Command(BaseCommand):
    help = "Measure redundancy detection on a labelled set (recall@k, MRR, flag precision/recall, false flags, p95)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the labelled set (JSON, see contract.md)")
        parser.add_argument("--decisions", action="store_true",
                            help="measure against the reviewers' decisions recorded in the database instead")

    def handle(self, *args, **options):
        if options["decisions"]:
            from projects.redundancy.decisions import measure

            self.stdout.write(json.dumps(measure(), ensure_ascii=False))
            return
        if not options["file"]:
            raise CommandError("give the labelled set FILE.json, or --decisions")
        result = evaluate(load_set(options["file"]))
        self.stdout.write(json.dumps(result, ensure_ascii=False))
