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
