"""`make load`: locust, headless, against a running `make serve-prod` (loopback only).

    LOAD_HOST=http://127.0.0.1:8001 LOAD_USERS=20 LOAD_SECONDS=60 make load

Checks /healthz first, runs bench/load/locustfile.py, and writes throughput, p50/p95/p99 and
errors (overall and per kind of request, counted once every user has started and logged in)
to bench/results/load.json, with the date, the
machine and the number of demands the server holds.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "load.json"
TARGETS = {"errors": 0, "p95_ms": 300}


def main() -> int:
    host = os.environ.get("LOAD_HOST", "http://127.0.0.1:8001")
    users = int(os.environ.get("LOAD_USERS", "20"))
    seconds = int(os.environ.get("LOAD_SECONDS", "60"))
    if urlparse(host).hostname not in {"127.0.0.1", "localhost", "::1"}:
        sys.exit(f"LOAD_HOST must be on this machine (loopback); got {host}")
    try:
        with urllib.request.urlopen(host + "/healthz", timeout=5) as r:
            health = json.load(r)
    except OSError as exc:
        sys.exit(f"No server at {host} ({exc}). Start one first: make serve-prod (SEED_SCALE=100 for the figures of record).")
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "load"
        cmd = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless",
               "--host", host, "-u", str(users), "-r", str(max(1, users // 5)), "-t", f"{seconds}s",
               "--csv", str(prefix), "--only-summary", "--stop-timeout", "10",
               # The figures are the working day's steady state: counted from the moment the last
               # user has started (each logs in once at its start: password hashing is slow on purpose).
               "--reset-stats"]
        code = subprocess.call(cmd, cwd=ROOT)
        rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))
        failures = list(csv.DictReader(open(f"{prefix}_failures.csv", encoding="utf-8")))

    def figures(row):
        return {"requests": int(row["Request Count"]), "errors": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1), "p50_ms": float(row["50%"] or 0),
                "p95_ms": float(row["95%"] or 0), "p99_ms": float(row["99%"] or 0)}

    total = next(r for r in rows if r["Name"] == "Aggregated")
    result = {
        "date": datetime.now().isoformat(timespec="minutes"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "host": host, "health": health, "users": users, "seconds": seconds,
        "total": figures(total),
        "by_request": {f"{r['Type']} {r['Name']}": figures(r) for r in rows if r["Name"] != "Aggregated"},
        "failures": [{"request": f"{f['Method']} {f['Name']}", "error": f["Error"], "count": int(f["Occurrences"])}
                     for f in failures],
        "targets": TARGETS,
    }
    result["met"] = result["total"]["errors"] == 0 and result["total"]["p95_ms"] <= TARGETS["p95_ms"]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result["total"], indent=2), "\nmet:", result["met"], "\n->", RESULTS)
    return code


if __name__ == "__main__":
    sys.exit(main())
