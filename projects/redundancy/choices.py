import math

from django.db import models
from django.utils.translation import gettext_lazy as _


class FlagState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DISMISSED = "dismissed", _("Dismissed")
    MERGED = "merged", _("Merged")
    REUSED = "reused", _("Reused")
    STALE = "stale", _("No longer found")


class CandidateKind(models.TextChoices):
    SYSTEM = "system", _("System")
    DEMAND = "demand", _("Demand")
    PROJECT = "project", _("Project")
    # One flag for many near-identical pending demands of other organizations (their cluster).
    GROUP = "group", _("Similar demands")


def whole_percent(score) -> int:
    """A score in [0, 1] as a whole percentage, rounded down: 0.8928 → 89.

    Down, never to the nearest: the band is decided on the score itself (≥ the threshold), so
    0.497 must read 49 beside "related", not 50 as if it had reached a 50% threshold."""
    return math.floor(float(score) * 100 + 1e-9)
