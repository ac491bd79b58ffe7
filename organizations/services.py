"""Writes to the organization tree."""

from .models import Organization, Region
from .reference import ensure_bureaus as _ensure_bureaus


def ensure_bureaus() -> int:
    """Bureaus in every region of the tree (idempotent)."""
    return _ensure_bureaus(Region, Organization)
