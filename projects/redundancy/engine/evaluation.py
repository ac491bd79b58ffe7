"""Measure redundancy detection on a labelled set (pure functions, no Django).

The set has the contract's shape:

    {"systems": [{"key", "name", "description", "capabilities"?}],
     "queries": [{"key", "title", "description", "capabilities"?, "expect": [system keys]}]}

`measure` is the one measuring loop: it runs each query through a search function given by the
caller and computes the figures. `evaluate` gives it the engine alone (an index of the set's
systems); `manage.py eval_redundancy` gives it the app's own `check()` inside a rolled-back
transaction. A query counts as found at k when one of its expected systems is among its top k
candidates; a flag is a candidate whose score reaches the threshold.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from . import text as textmod
from .engine import DEFAULT_FLAG_THRESHOLD, Document, RedundancyIndex

SEARCH_LIMIT = 10  # candidates per query, as the app shows them
RECALL_AT = (1, 5, 10)


class Hit(NamedTuple):
    """One candidate of a search, best first: the set's key of what was found, its score, flagged or not."""

    key: str | None
    score: float
    flagged: bool


def load_dataset(path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def dataset_documents(dataset: Mapping) -> tuple[list[Document], list[tuple[Document, list[str]]]]:
    """(systems, [(query, expected system keys)]) as engine documents; the code is the set's key."""
    systems = [
        Document(
            kind="system",
            id=i,
            code=str(s["key"]),
            title=s.get("name", ""),
            description=s.get("description", ""),
            capabilities=frozenset(s.get("capabilities") or ()),
        )
        for i, s in enumerate(dataset.get("systems", []), start=1)
    ]
    queries = [
        (
            Document(
                kind="demand",
                id=i,
                code=str(q["key"]),
                title=q.get("title", ""),
                description=q.get("description", ""),
                capabilities=frozenset(q.get("capabilities") or ()),
            ),
            [str(k) for k in q.get("expect", [])],
        )
        for i, q in enumerate(dataset.get("queries", []), start=1)
    ]
    return systems, queries


def _percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of `values` (0.0 when there are none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(pct / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def measure(
    cases: Iterable[tuple[str, Any, Iterable[str]]],
    search: Callable[[Any], list[Hit]],
    *,
    details: bool = False,
) -> dict:
    """Recall@1/5/10, MRR, flag precision/recall, false-flag rate and latency of `search` on `cases`.

    `cases` are (key, query, expected keys); `search(query)` returns its hits best first.
    flag_precision: of all flags raised, the share on an expected system (1.0 if none raised).
    flag_recall: share of queries with a non-empty `expect` whose expected system is flagged.
    false_flag_rate: share of queries with an empty `expect` that get any flag.
    p50_ms, p95_ms: percentiles of one search (the caller loads the set and warms jieba first).
    """
    queries = positives = negatives = 0
    found = dict.fromkeys(RECALL_AT, 0)
    rr_sum = 0.0
    flags_total = flags_good = flagged_positives = flagged_negatives = 0
    timings = []
    rows = []
    for key, query, expect in cases:
        queries += 1
        expected = {str(k) for k in expect}
        start = time.perf_counter()
        hits = search(query)
        timings.append((time.perf_counter() - start) * 1000.0)
        flags = [h for h in hits if h.flagged]
        flags_total += len(flags)
        if expected:
            positives += 1
            rank = next((i for i, h in enumerate(hits, start=1) if h.key in expected), None)
            if rank is not None:
                rr_sum += 1.0 / rank
                for k in found:
                    found[k] += rank <= k
            good = sum(1 for h in flags if h.key in expected)
            flags_good += good
            flagged_positives += bool(good)
        else:
            negatives += 1
            flagged_negatives += bool(flags)
        if details:
            rows.append({
                "key": key,
                "expect": sorted(expected),
                "top": [(h.key, h.score) for h in hits[:5]],
                "flags": [h.key for h in flags],
            })

    def share(part, whole, empty=0.0):
        return round(part / whole, 4) if whole else empty

    result = {
        "queries": queries,
        "recall_at_1": share(found[1], positives),
        "recall_at_5": share(found[5], positives),
        "recall_at_10": share(found[10], positives),
        "mrr": share(rr_sum, positives),
        "flag_precision": share(flags_good, flags_total, empty=1.0),
        "flag_recall": share(flagged_positives, positives),
        "false_flag_rate": share(flagged_negatives, negatives),
        "p95_ms": round(_percentile(timings, 95), 3),
        "p50_ms": round(_percentile(timings, 50), 3),
        "positive_queries": positives,
        "negative_queries": negatives,
        "flags": flags_total,
    }
    if details:
        result["details"] = rows
    return result


def evaluate(
    dataset: Mapping,
    *,
    index_factory: Callable[[], RedundancyIndex] = RedundancyIndex,
    threshold: float = DEFAULT_FLAG_THRESHOLD,
    limit: int = SEARCH_LIMIT,
    details: bool = False,
) -> dict:
    """The figures of `measure` for the engine alone: each query searched among the set's systems."""
    systems, queries = dataset_documents(dataset)
    index = index_factory()
    index.build(systems)
    textmod.jieba_tokenizer()  # loaded once per process; not part of one check

    def search(query: Document) -> list[Hit]:
        return [
            Hit(c.code, c.score, c.score >= threshold) for c in index.search(query, limit=limit, kinds={"system"})
        ]

    result = measure(((q.code, q, expect) for q, expect in queries), search, details=details)
    return {**result, "systems": len(systems), "threshold": threshold}
