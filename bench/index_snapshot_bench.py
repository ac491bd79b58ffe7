"""Benchmark of the redundancy index snapshot (projects/redundancy/snapshot.py) at 100,000 candidates.

What a web process pays to be ready, and what four forked workers cost together:

- baseline: building the index from the documents (in memory here; from the database it is
  slower still, since the documents must be read first);
- ready: a NEW process (interpreter start included) that loads the snapshot and answers its
  first search; target <= 3 s;
- identical: the loaded index answers 200 searches exactly like the index it was written from;
- memory: a process loads the snapshot, freezes the collector (`gc.freeze()`, as
  config/gunicorn.conf.py does) and forks four workers that each run 200 searches; their
  proportional set sizes (PSS, /proc/<pid>/smaps_rollup: shared pages divided among the sharers)
  plus the parent's, against the resident size of one process that loaded it alone; target <= 2x.

    .venv/bin/python bench/index_snapshot_bench.py [--docs 100000]
Writes bench/results/index_snapshot.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'bench' / 'bench.sqlite3'}")

RESULTS = ROOT / "bench" / "results" / "index_snapshot.json"
TARGETS = {"ready_seconds": 3.0, "four_workers_memory_ratio": 2.0}

CHILD = r"""
import gc, hashlib, json, os, sys, time
t_start = time.time()
sys.path.insert(0, sys.argv[1])
import django
django.setup()
t_django = time.time()
from pathlib import Path
from projects.redundancy import snapshot
sys.path.insert(0, os.path.join(sys.argv[1], "bench"))
import redundancy_bench as rb
import random

mode, path, nqueries = sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
t_read0 = time.time()
state = snapshot.read(path)
index = state["index"]
t_read = time.time() - t_read0
rng = random.Random(99)
queries = [rb.make_doc(rng, "demand", 30_000_000 + i) for i in range(nqueries)]

def answers():
    out = []
    for q in queries:
        out.append([(c.kind, c.id, round(c.score, 6)) for c in index.search(q, limit=10)])
    return hashlib.sha256(json.dumps(out).encode()).hexdigest()

def kb(pid, key):
    for line in open(f"/proc/{pid}/smaps_rollup"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0

if mode == "ready":
    t0 = time.time()
    index.search(queries[0], limit=10)
    ready_at = time.time()
    print(json.dumps({"ready_at": ready_at, "django_setup_s": t_django - t_start, "load_s": t_read,
                      "first_search_s": ready_at - t0, "answers": answers()}), flush=True)
elif mode == "alone":
    answers()
    print(json.dumps({"rss_kb": kb(os.getpid(), "Rss"), "pss_kb": kb(os.getpid(), "Pss")}), flush=True)
elif mode == "fork":
    index.warm_up()  # as projects.redundancy.index.start_from_snapshot does in gunicorn's master
    gc.freeze()
    pids, pipes = [], []
    for _ in range(4):
        r, w = os.pipe()
        go_r, go_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r); os.close(go_w)
            answers()
            os.write(w, b"done")
            os.read(go_r, 1)  # stay alive until the parent has measured
            os._exit(0)
        os.close(w); os.close(go_r)
        pids.append(pid); pipes.append((r, go_w))
    for r, _ in pipes:
        os.read(r, 4)
    workers = [kb(pid, "Pss") for pid in pids]
    result = {"workers_pss_kb": workers, "parent_pss_kb": kb(os.getpid(), "Pss"),
              "workers_rss_kb": [kb(pid, "Rss") for pid in pids]}
    for _, go in pipes:
        os.write(go, b"x")
    for pid in pids:
        os.waitpid(pid, 0)
    print(json.dumps(result), flush=True)
"""


def run_child(mode: str, path: Path, queries: int) -> tuple[dict, float]:
    started = time.time()
    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), mode, str(path), str(queries)],
                         capture_output=True, text=True, check=True, cwd=ROOT, env={**os.environ})
    return json.loads(out.stdout.strip().splitlines()[-1]), started


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)

    import django

    django.setup()
    sys.path.insert(0, str(ROOT / "bench"))
    import redundancy_bench as rb

    from projects.redundancy import snapshot
    from projects.redundancy.engine import text as textmod
    from projects.redundancy.engine.engine import RedundancyIndex

    rng = random.Random(2026)
    n_systems = args.docs * 3 // 10
    docs = [rb.make_doc(rng, "system" if i < n_systems else "demand", i + 1) for i in range(args.docs)]
    textmod.jieba_tokenizer()
    t0 = time.perf_counter()
    index = RedundancyIndex()
    index.build(docs)
    build_s = time.perf_counter() - t0
    del docs

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.snapshot"
        t0 = time.perf_counter()
        index.warm_up()  # as projects.redundancy.index.write_snapshot does
        snapshot.write({"index": index, "built_at": None, "last_id": 1, "last_at": None, "last_key": None, "gaps": []}, path)
        write_s = time.perf_counter() - t0
        size_mb = path.stat().st_size / 1e6

        qrng = random.Random(99)
        queries = [rb.make_doc(qrng, "demand", 30_000_000 + i) for i in range(args.queries)]
        expected = hashlib.sha256(json.dumps(
            [[(c.kind, c.id, round(c.score, 6)) for c in index.search(q, limit=10)] for q in queries]).encode()).hexdigest()

        ready, started = run_child("ready", path, args.queries)
        ready_s = ready["ready_at"] - started
        alone, _ = run_child("alone", path, args.queries)
        forked, _ = run_child("fork", path, args.queries)

    four_kb = sum(forked["workers_pss_kb"]) + forked["parent_pss_kb"]
    result = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "documents": args.docs,
        "baseline_build_seconds": round(build_s, 2),
        "snapshot_write_seconds": round(write_s, 2),
        "snapshot_mb": round(size_mb, 1),
        "ready_seconds": round(ready_s, 2),
        "ready_vs_build_ratio": round(ready_s / build_s, 3),
        "ready_parts_seconds": {k: round(ready[k], 2) for k in ("django_setup_s", "load_s", "first_search_s")},
        "identical_answers": ready["answers"] == expected,
        "one_process_rss_mb": round(alone["rss_kb"] / 1024, 1),
        "four_workers_pss_mb": [round(k / 1024, 1) for k in forked["workers_pss_kb"]],
        "parent_pss_mb": round(forked["parent_pss_kb"] / 1024, 1),
        "four_workers_total_mb": round(four_kb / 1024, 1),
        "four_workers_memory_ratio": round(four_kb / alone["rss_kb"], 2),
        "targets": TARGETS,
    }
    result["met"] = {
        "ready_seconds": result["ready_seconds"] <= TARGETS["ready_seconds"],
        "four_workers_memory_ratio": result["four_workers_memory_ratio"] <= TARGETS["four_workers_memory_ratio"],
        "identical_answers": result["identical_answers"],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return result


if __name__ == "__main__":
    main()
