"""The words of money: funding sources, categories, the states of disbursements and budget changes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FundingSource(models.TextChoices):
    PROVINCIAL_FISCAL = "provincial_fiscal", _("Provincial fiscal funds")
    MUNICIPAL_FISCAL = "municipal_fiscal", _("Municipal fiscal funds")
    CENTRAL_TRANSFER = "central_transfer", _("Central transfer payment")
    SPECIAL_BONDS = "special_bonds", _("Special bonds")
    SELF_RAISED = "self_raised", _("Self-raised funds")


class Category(models.TextChoices):
    HARDWARE = "hardware", _("Hardware")
    SOFTWARE = "software", _("Software")
    SERVICES = "services", _("Services")
    OPERATIONS = "operations", _("Operations")


class DisbursementState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


class BudgetChangeState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SavingDecision(models.TextChoices):
    MERGE = "merge", _("Merged into another demand or project")
    REUSE = "reuse", _("Reuse of an existing system")
    BUDGET_CUT = "budget_cut", _("Budget cut at approval")


# Disbursements that hold money on their line (approved + paid never exceed the line).
HOLDING_STATES = (DisbursementState.APPROVED, DisbursementState.PAID)
OPEN_STATES = (DisbursementState.REQUESTED, DisbursementState.APPROVED)
