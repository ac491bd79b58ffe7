"""Optimistic locking for edits: refuse an edit of a record that changed since the user loaded it.

The version of a record is its `updated_at` (every `TimeStampedModel` has one; `auto_now`
moves it on every save). Use:

1. When the edit form or the API representation is produced, hand out the version::

       form.initial["version"] = edit_version(demand)      # a hidden field
       # or in a serializer: version = serializers.SerializerMethodField() → edit_version(obj)

2. When the edit comes back, lock the row and compare, inside the transaction that saves::

       with transaction.atomic():
           demand = lock_and_compare(Demand, pk, request.POST["version"])
           ...apply the edit to `demand`...
           demand.save(update_fields=[...changed fields..., "updated_at"])

   `lock_and_compare` takes the row lock (`SELECT … FOR UPDATE`) first, so two edits of
   one record are serialized: the second sees the first's new `updated_at` and raises
   `StaleEdit`. It returns the freshly loaded, locked row: apply the edit to it, not to a
   copy loaded earlier. `StaleEdit` is a `WorkflowError`: the API answers 409 with
   "此记录已被他人修改，请刷新后再编辑" (core/api.py); a page shows `err.message` on the form.

A transition through the doorway (core/workflow.py) moves `updated_at` too, so an edit
form opened before a transition is refused after it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.dateparse import parse_datetime

from .errors import StaleEdit

__all__ = ["StaleEdit", "edit_version", "lock_and_compare"]


def edit_version(obj) -> str:
    """The version token of `obj` as text (its `updated_at` in ISO 8601, microseconds kept)."""
    return obj.updated_at.isoformat(timespec="microseconds")


def _as_datetime(expected) -> datetime | None:
    if isinstance(expected, datetime):
        return expected
    try:
        return parse_datetime(str(expected or "").strip())
    except ValueError:
        return None


def lock_and_compare(model, pk, expected_updated_at, *, using: str | None = None):
    """Lock the row `pk` of `model` and return it, or raise StaleEdit if it changed.

    `model` is a model class or a queryset (a `restrict(user, "change")` queryset keeps the
    access rule: a row outside it raises `model.DoesNotExist`). `expected_updated_at` is
    the version the user loaded (`edit_version()` text or a datetime); a missing or
    malformed version is treated as stale. Must run inside `transaction.atomic()`.
    """
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("lock_and_compare() must run inside transaction.atomic(): the lock ends with it.")
    qs = model if hasattr(model, "select_for_update") and not isinstance(model, type) else model._default_manager
    if using:
        qs = qs.using(using)
    row = qs.select_for_update().get(pk=pk)
    expected = _as_datetime(expected_updated_at)
    if expected is None or row.updated_at != expected:
        raise StaleEdit()
    return row
