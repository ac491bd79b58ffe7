"""Snapshots of the redundancy index: a new process starts from the last one and catches up.

Building the index from the database takes about 30 s at 100,000 candidates; reading a snapshot
takes a fraction of that. A worker writes one after each rebuild and on a schedule
(`write_snapshot`, Celery beat), with the change-feed position the index includes; a process that
starts (`IndexHolder._build`, the first time) loads it and then reads the feed from that position
like any running process, so it ends where a rebuild would. gunicorn with `preload_app` loads it
once in the master and its forked workers share those pages copy-on-write (config/gunicorn.conf.py).

A snapshot is ignored (and the index built from the database) when:
- there is none, or it cannot be read;
- its signature does not match (HMAC with SECRET_KEY: the file is unpickled, so only a file this
  installation wrote is ever loaded);
- it was written by other engine code (a fingerprint of the engine and document modules: an
  upgrade never serves an index built by the old rules);
- the feed no longer holds the row it stopped at (pruned or rolled back): the holder rebuilds.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import pickle
import tempfile
import time
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

log = logging.getLogger(__name__)

MAGIC = b"PDM-REDUNDANCY-INDEX/1\n"
_SALT = "projects.redundancy.snapshot"
_SOURCES = ("engine/engine.py", "engine/text.py", "engine/domain_dict.txt", "documents.py")


def snapshot_path() -> Path | None:
    """Where snapshots live (REDUNDANCY_SNAPSHOT_PATH; empty: snapshots off)."""
    value = getattr(settings, "REDUNDANCY_SNAPSHOT_PATH", "")
    return Path(value) if value else None


@cache
def fingerprint() -> str:
    """The engine code a snapshot was built by: the hash of the modules that shape the index."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in _SOURCES:
        path = here / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def _mac(payload: bytes) -> bytes:
    return salted_hmac(_SALT, payload, algorithm="sha256").digest()


def dumps(state: dict) -> bytes:
    payload = pickle.dumps({**state, "fingerprint": fingerprint()}, protocol=pickle.HIGHEST_PROTOCOL)
    return MAGIC + _mac(payload) + payload


def loads(blob: bytes) -> dict | None:
    """The state in `blob`, or None (with the reason logged) when it must not be used."""
    if not blob.startswith(MAGIC):
        log.warning("Redundancy snapshot ignored: not a snapshot file.")
        return None
    body = blob[len(MAGIC):]
    mac, payload = body[:32], body[32:]
    if not hmac.compare_digest(mac, _mac(payload)):
        log.warning("Redundancy snapshot ignored: its signature does not match this installation's SECRET_KEY.")
        return None
    state = pickle.loads(payload)  # noqa: S301 - signed by this installation (checked above)
    if state.get("fingerprint") != fingerprint():
        log.info("Redundancy snapshot ignored: written by other engine code.")
        return None
    return state


def write(state: dict, path: Path | None = None) -> Path | None:
    """Write `state` atomically (a reader sees the old file or the new one, never half of one)."""
    path = path or snapshot_path()
    if path is None:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    blob = dumps({**state, "written_at": timezone.now()})
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(blob)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read(path: Path | None = None) -> dict | None:
    path = path or snapshot_path()
    if path is None:
        return None
    started = time.monotonic()
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("Redundancy snapshot %s unreadable: %s", path, exc)
        return None
    try:
        state = loads(blob)
    except Exception:  # a truncated or foreign pickle: build from the database instead
        log.warning("Redundancy snapshot %s could not be loaded.", path, exc_info=True)
        return None
    if state is not None:
        log.info("Redundancy snapshot %s loaded in %.2f s (feed position %s).", path, time.monotonic() - started,
                 state.get("last_id"))
    return state
