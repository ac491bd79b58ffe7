"""Writes to the organization tree."""

from .models import Organization, Region
from .reference import ensure_bureaus as _ensure_bureaus


def ensure_bureaus() -> int:
    """Bureaus in every region of the tree (idempotent)."""
    return _ensure_bureaus(Region, Organization)


def set_user_language(user, language: str) -> None:
    """Store the user's choice from the language switch ("" = follow the browser again)."""
    from django.conf import settings

    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
