from django.db import models
from django.utils.translation import gettext_lazy as _


class DemandStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    MUNICIPAL_REVIEW = "municipal_review", _("Municipal review")
    PROVINCIAL_REVIEW = "provincial_review", _("Provincial review")
    EXPERT_REVIEW = "expert_review", _("Expert review")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged")
    REUSE = "reuse", _("Sent to reuse")
    WITHDRAWN = "withdrawn", _("Withdrawn")


REVIEW_STATES = (DemandStatus.MUNICIPAL_REVIEW, DemandStatus.PROVINCIAL_REVIEW, DemandStatus.EXPERT_REVIEW)
EDITABLE_STATES = (DemandStatus.DRAFT, DemandStatus.RETURNED)


class Domain(models.TextChoices):
    GOVERNMENT_SERVICES = "government_services", _("Government services")
    SOCIAL_GOVERNANCE = "social_governance", _("Social governance")
    PUBLIC_SERVICES = "public_services", _("Public services")
    AGRICULTURE = "agriculture", _("Agriculture")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    SERVICE_INDUSTRY = "service_industry", _("Service industry")
    SOCIAL_CREDIT = "social_credit", _("Social credit")
    DATA_SHARING = "data_sharing", _("Data sharing")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure")
    OTHER = "other", _("Other")


class ConstructionType(models.TextChoices):
    NEW = "new", _("New system")
    UPGRADE = "upgrade", _("Upgrade")
    INTEGRATION = "integration", _("Integration")
    OPERATIONS = "operations", _("Operations and maintenance")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Critical")


class AuthorizationStatus(models.TextChoices):
    NOT_NEEDED = "not_needed", _("Not needed")
    PENDING = "pending", _("Owner's authorization pending")
    GRANTED = "granted", _("Authorized by the owner")
    REFUSED = "refused", _("Refused by the owner")


class FlagState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DISMISSED = "dismissed", _("Dismissed")
    MERGED = "merged", _("Merged")
    REUSED = "reused", _("Reused")


class CandidateKind(models.TextChoices):
    SYSTEM = "system", _("System")
    DEMAND = "demand", _("Demand")
    PROJECT = "project", _("Project")


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
