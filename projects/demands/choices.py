from django.db import models
from django.utils.translation import gettext_lazy
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


# Public names of the transitions, as a person reads them (buttons, history, messages).
TRANSITION_LABELS = {
    "submit": gettext_lazy("Submit"),
    "municipal_approve": gettext_lazy("Pass on to the province"),
    "provincial_approve": gettext_lazy("Approve"),
    "expert_approve": gettext_lazy("Approve after expert review"),
    "return_for_revision": gettext_lazy("Return for revision"),
    "reject": gettext_lazy("Reject"),
    "merge": gettext_lazy("Merge into another demand or project"),
    "recommend_reuse": gettext_lazy("Recommend reusing a system"),
    "withdraw": gettext_lazy("Withdraw"),
}


def transition_label(name: str) -> str:
    return str(TRANSITION_LABELS.get(name, name))
