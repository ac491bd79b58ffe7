from django.db import models
from django.utils.translation import gettext_lazy as _


class HardwareState(models.TextChoices):
    PLANNING = "planning", _("Planning")
    REQUESTED = "requested", _("Requested")
    PROCURING = "procuring", _("Procuring")
    DELIVERED = "delivered", _("Delivered")
    ACCEPTED = "accepted", _("Accepted")
    NOT_REQUIRED = "not_required", _("Not required")


class FundingState(models.TextChoices):
    UNFUNDED = "unfunded", _("Unfunded")
    BUDGETED = "budgeted", _("Budgeted")
    ALLOCATED = "allocated", _("Allocated")
    DISBURSING = "disbursing", _("Disbursing")
    SETTLED = "settled", _("Settled")


class DevelopmentState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    REQUIREMENTS = "requirements", _("Requirements")
    DESIGN = "design", _("Design")
    BUILDING = "building", _("Building")
    TESTING = "testing", _("Testing")
    ACCEPTANCE = "acceptance", _("Acceptance")
    DELIVERED = "delivered", _("Delivered")


class OperationsState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    TRIAL = "trial", _("Trial run")
    IN_OPERATION = "in_operation", _("In operation")
    UPGRADING = "upgrading", _("Upgrading")
    SUSPENDED = "suspended", _("Suspended")
    RETIRED = "retired", _("Retired")


class Machine(models.TextChoices):
    """The project's four machines, by the name the API uses."""

    HARDWARE = "hardware", _("Hardware")
    FUNDING = "funding", _("Funding")
    DEVELOPMENT = "development", _("Development")
    OPERATIONS = "operations", _("Operations")


MACHINE_FIELDS = {
    Machine.HARDWARE: "hardware_status",
    Machine.FUNDING: "funding_status",
    Machine.DEVELOPMENT: "development_status",
    Machine.OPERATIONS: "operations_status",
}


class MilestoneKind(models.TextChoices):
    """A milestone is a step of the plan, or the acceptance whose signed document lets the development be delivered."""

    STEP = "step", _("Step of the plan")
    ACCEPTANCE = "final_acceptance", _("Acceptance milestone")
