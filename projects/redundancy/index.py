
import logging
import threading
import time
from collections import defaultdict
from datetime import timedelta

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from projects.redundancy import snapshot
from projects.redundancy.documents import BUILDERS, build_index, documents_for, poll_seconds
from projects.redundancy.engine.engine import RedundancyIndex
from projects.redundancy.feed import KIND_ALL, LOCAL_WRITES
from projects.redundancy.models import RedundancyIndexChange

log = logging.getLogger(__name__)


FEED_GAP_SECONDS = 60.0  # how long an id missing below the highest one seen is looked at again
FEED_MAX_GAPS = 2_000
FEED_BATCH = 5_000  # more changes than this at once: rebuild instead of applying them one by one
FEED_BUILD_WINDOW = 500  # ids below the highest at build time whose absence is remembered as gaps
FEED_RETENTION = timedelta(days=1)  # change rows older than this are pruned (the newest one is kept)
REBUILD_AFTER_IDLE_SECONDS = 6 * 3600  # a process idle this long may have missed pruned rows: rebuild
CHUNK = 500  # ids per query when re-reading changed objects


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
        self.from_snapshot = False  # started from a snapshot (then caught up from the feed)

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
            self._build_from_database()
            return self.index

    def _due(self) -> bool:
        return LOCAL_WRITES.is_set() or bool(self._provisional) or time.monotonic() - self._last_poll >= poll_seconds()

    def state(self) -> dict:
        """What a snapshot holds: the index and the feed position it includes."""
        with self._lock:
            last_at = RedundancyIndexChange.objects.filter(pk=self._last_id).values_list("created_at", flat=True).first()
            return {"index": self.index, "built_at": self.built_at, "last_id": self._last_id, "last_at": last_at,
                    "last_key": self._last_key, "gaps": sorted(self._gaps)}

    def start_from_snapshot(self) -> bool:
        """Load the snapshot if there is a usable one (gunicorn's master, before it forks); never builds.

        Also warms it up (tokenizer, lazy structures), so that forked workers share all of it.
        """
        with self._lock:
            if self.index is None and self._start_from_snapshot():
                self.index.warm_up()
                return True
            return False

    def _start_from_snapshot(self) -> bool:
        """On a process's first use: the last snapshot, then the feed since it (see snapshot.py)."""
        state = snapshot.read()
        if state is None or not isinstance(state.get("index"), RedundancyIndex) or not state.get("last_id"):
            return False
        # The row it stopped at, with its time: a snapshot of another database (recreated, restored
        # elsewhere) does not match it even where the ids happen to coincide.
        if not RedundancyIndexChange.objects.filter(pk=state["last_id"], created_at=state.get("last_at")).exists():
            log.info("Redundancy snapshot ignored: this database's change feed does not hold its position.")
            return False
        now = time.monotonic()
        self.index = state["index"]
        self.built_at = state["built_at"]
        self._last_id, self._last_key = state["last_id"], state["last_key"]
        self._gaps = {pk: now for pk in state["gaps"]}
        self._provisional = set()
        self._last_poll = now
        self.from_snapshot = True
        self._refresh()  # catches up; rebuilds by itself when the feed lost its position
        return True

    def _build(self) -> None:
        if self.index is None and self.rebuilds == 0 and not self.from_snapshot and self._start_from_snapshot():
            return
        self._build_from_database()

    def _build_from_database(self) -> None:
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
        self.from_snapshot = False

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


def start_from_snapshot() -> bool:
    return _holder.start_from_snapshot()


def write_snapshot():
    """Bring this process's index up to date and write it as the snapshot new processes start from."""
    get_index().warm_up()  # the lazy structures go into the snapshot: a new process needs not build them
    return snapshot.write(_holder.state())


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
