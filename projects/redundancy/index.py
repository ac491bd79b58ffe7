
import logging
import threading
import time
from collections import defaultdict
from datetime import timedelta

from django.db import connection
from django.db.models import Q
from django.utils import timezone

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
