"""Measure redundancy detection on a labelled set, through the app's own code path (contract.md).

    python manage.py eval_redundancy FILE.json

FILE: {"systems": [{"key", "name", "description", "capabilities"?}],
       "queries": [{"key", "title", "description", "capabilities"?, "expect": [system keys]}]}

Inside one transaction that is always rolled back, the set's systems are written into the
catalogue (with any capability code the set uses that the taxonomy lacks); an index is built by
the app's document builder from those systems alone (the set's systems are the only
candidates), and every query runs through `services.redundancy.check()`, the function behind the
live box, the API and the flags, with the threshold of the settings; the measuring loop is the
engine's `evaluation.measure`, given that search. Prints one JSON object:
queries, recall_at_1, recall_at_5, recall_at_10, mrr, flag_precision (of all flags raised, the
share on an expected system), flag_recall (share of queries with a non-empty `expect` whose
expected system is flagged), false_flag_rate (share of queries with an empty `expect` that get
any flag), p95_ms (one check, the set loaded), and a few more. Nothing is left behind.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assets.choices import SystemStatus
from assets.models import Capability, InformationSystem
from organizations.models import Organization
from projects.redundancy.documents import build_index, flag_threshold, system_documents
from projects.redundancy.engine import text as textmod
from projects.redundancy.engine.evaluation import Hit, measure
from projects.redundancy.search import SEARCH_LIMIT, check


class _Rollback(Exception):
    """Leaves the evaluation's transaction, always."""


def load_set(path: str) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"{path}: not a JSON file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("systems"), list) or not isinstance(data.get("queries"), list):
        raise CommandError(f'{path}: expected {{"systems": [...], "queries": [...]}}')
    keys = set()
    for i, s in enumerate(data["systems"]):
        if not isinstance(s, dict) or "key" not in s or not str(s.get("name") or "").strip():
            raise CommandError(f"{path}: systems[{i}] needs a key and a name")
        keys.add(str(s["key"]))
    for i, q in enumerate(data["queries"]):
        if not isinstance(q, dict) or "key" not in q:
            raise CommandError(f"{path}: queries[{i}] needs a key")
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


def _load_and_measure(data: dict) -> dict:
    """Load the set into the catalogue (the caller rolls it back) and measure `check()` on it."""
    owner = (
        Organization.objects.filter(level="province", is_coordination_authority=True).order_by("pk").first()
        or Organization.objects.order_by("pk").first()
    )
    if owner is None:
        raise CommandError("The organization tree is empty: run `manage.py migrate` and `manage.py seed_demo` first.")
    codes = {str(c) for item in data["systems"] + data["queries"] for c in item.get("capabilities") or []}
    known = {c.code: c for c in Capability.objects.filter(code__in=codes)}
    for code in sorted(codes - set(known)):
        known[code] = Capability.objects.create(code=code[:40], name=code[:100], name_en=code[:100])
    by_key: dict[str, int] = {}
    key_of: dict[int, str] = {}
    for i, s in enumerate(data["systems"], start=1):
        system = InformationSystem.objects.create(
            code=f"EV-{i:05d}", name=str(s["name"])[:200], description=str(s.get("description") or ""),
            owner_org=owner, status=SystemStatus.IN_OPERATION,
        )
        system.capabilities.set([known[str(c)] for c in s.get("capabilities") or []])
        by_key[str(s["key"])] = system.pk
        key_of[system.pk] = str(s["key"])
    # The set's systems are the only candidates: the index holds them and nothing else.
    index = build_index(system_documents(InformationSystem.objects.filter(pk__in=by_key.values())))
    textmod.jieba_tokenizer()  # loaded once per process: not part of one check

    def search(q: dict) -> list[Hit]:
        _, candidates = check(
            q.get("title") or "", q.get("description") or "", q.get("capabilities") or [], None,
            limit=SEARCH_LIMIT, index=index,
        )
        return [Hit(key_of.get(c["id"]), c["score"], c["flagged"]) for c in candidates]

    result = measure(((str(q["key"]), q, q.get("expect") or []) for q in data["queries"]), search)
    return {**result, "systems": len(data["systems"]), "flag_threshold": flag_threshold()}


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
