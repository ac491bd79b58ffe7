"""Measure the redundancy engine on a labelled set (pure function, no Django).

The set has the contract's shape:

    {"systems": [{"key", "name", "description", "capabilities"?}],
     "queries": [{"key", "title", "description", "capabilities"?, "expect": [system keys]}]}

Each query is searched as a "demand" against the set's systems only. A query counts as found at
k when one of its expected systems is among its top k candidates; a flag is a returned candidate
whose score reaches the threshold.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from . import text as textmod
from .engine import DEFAULT_FLAG_THRESHOLD, Document, RedundancyIndex

SEARCH_LIMIT = 10  # candidates per query, as the app shows them


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
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(pct / 100.0 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def evaluate(
    dataset: Mapping,
    *,
    index_factory: Callable[[], RedundancyIndex] = RedundancyIndex,
    threshold: float = DEFAULT_FLAG_THRESHOLD,
    limit: int = SEARCH_LIMIT,
    details: bool = False,
) -> dict:
    """Recall@1/5/10, MRR, flag precision/recall, false-flag rate and p95 latency on `dataset`.

    flag_precision: of all flags raised, the share on an expected system (1.0 if none raised).
    flag_recall: share of queries with a non-empty `expect` whose expected system is flagged.
    false_flag_rate: share of queries with an empty `expect` that get any flag.
    p95_ms: 95th percentile of one search, the set loaded and jieba warmed up.
    """
    systems, queries = dataset_documents(dataset)
    index = index_factory()
    index.build(systems)
    textmod.jieba_tokenizer()  # loaded once per process; not part of one check

    positives = [q for q in queries if q[1]]
    negatives = [q for q in queries if not q[1]]
    found = {1: 0, 5: 0, 10: 0}
    rr_sum = 0.0
    flags_total = flags_good = 0
    flagged_positives = 0
    flagged_negatives = 0
    timings = []
    rows = []
    for query, expect in queries:
        start = time.perf_counter()
        candidates = index.search(query, limit=limit, kinds={"system"})
        timings.append((time.perf_counter() - start) * 1000.0)
        codes = [c.code for c in candidates]
        expected = set(expect)
        flags = [c for c in candidates if c.score >= threshold]
        if expected:
            rank = next((i for i, code in enumerate(codes, start=1) if code in expected), None)
            for k in found:
                if rank is not None and rank <= k:
                    found[k] += 1
            if rank is not None:
                rr_sum += 1.0 / rank
            good = sum(1 for c in flags if c.code in expected)
            flags_good += good
            if good:
                flagged_positives += 1
        elif flags:
            flagged_negatives += 1
        flags_total += len(flags)
        if details:
            rows.append(
                {
                    "key": query.code,
                    "expect": sorted(expected),
                    "top": [(c.code, c.score) for c in candidates[:5]],
                    "flags": [c.code for c in flags],
                }
            )

    n_pos = len(positives)
    result = {
        "queries": len(queries),
        "positive_queries": n_pos,
        "negative_queries": len(negatives),
        "systems": len(systems),
        "threshold": threshold,
        "recall_at_1": round(found[1] / n_pos, 4) if n_pos else 0.0,
        "recall_at_5": round(found[5] / n_pos, 4) if n_pos else 0.0,
        "recall_at_10": round(found[10] / n_pos, 4) if n_pos else 0.0,
        "mrr": round(rr_sum / n_pos, 4) if n_pos else 0.0,
        "flags": flags_total,
        "flag_precision": round(flags_good / flags_total, 4) if flags_total else 1.0,
        "flag_recall": round(flagged_positives / n_pos, 4) if n_pos else 0.0,
        "false_flag_rate": round(flagged_negatives / len(negatives), 4) if negatives else 0.0,
        "p50_ms": round(_percentile(timings, 50), 3),
        "p95_ms": round(_percentile(timings, 95), 3),
    }
    if details:
        result["details"] = rows
    return result
