"""Human-readable numbers (XQ-2026-000001, XM-2026-0001, XT-0001) that never repeat."""

from django.db import transaction

from .models import CodeSequence


def next_number(key: str) -> int:
    """The next number for `key`, taken under a row lock inside the caller's transaction."""
    with transaction.atomic():
        # get_or_create survives two first-ever callers racing (it re-reads on IntegrityError).
        CodeSequence.objects.get_or_create(key=key)
        seq = CodeSequence.objects.select_for_update().get(key=key)
        seq.last += 1
        seq.save(update_fields=["last"])
        return seq.last


def next_code(prefix: str, width: int, year: int | None = None) -> str:
    """`prefix-year-NNN…` (or `prefix-NNN…` without a year), zero-padded to `width` digits."""
    key = f"{prefix}-{year}" if year else prefix
    return f"{key}-{next_number(key):0{width}d}"


def reserve_codes(prefix: str, width: int, count: int, year: int | None = None) -> list[str]:
    """`count` consecutive codes taken under one row lock (bulk imports: one query, not one per row)."""
    if count <= 0:
        return []
    key = f"{prefix}-{year}" if year else prefix
    with transaction.atomic():
        CodeSequence.objects.get_or_create(key=key)
        seq = CodeSequence.objects.select_for_update().get(key=key)
        first = seq.last + 1
        seq.last += count
        seq.save(update_fields=["last"])
    return [f"{key}-{n:0{width}d}" for n in range(first, first + count)]
