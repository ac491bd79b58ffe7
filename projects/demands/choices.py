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
    "expert_reject": gettext_lazy("Reject after expert review"),
    "return_for_revision": gettext_lazy("Return for revision"),
    "reject": gettext_lazy("Reject"),
    "merge": gettext_lazy("Merge into another demand or project"),
    "recommend_reuse": gettext_lazy("Recommend reusing a system"),
    "withdraw": gettext_lazy("Withdraw"),
}


def transition_label(name: str) -> str:
    if name in TRANSITION_LABELS:
        return str(TRANSITION_LABELS[name])
    # The reviewer's opinion is in the demand's log too (machine "opinion", the recommendation as its name).
    opinion = dict(Recommendation.choices).get(name)
    return str(opinion) if opinion is not None else name


class Recommendation(models.TextChoices):
    """The provincial reviewer's opinion (审核意见) that the approver decides on."""

    APPROVE = "approve", _("Recommend approval")
    REJECT = "reject", _("Recommend rejection")
    REUSE = "reuse", _("Recommend reusing a system")
    MERGE = "merge", _("Recommend merging")


class ExpertVerdict(models.TextChoices):
    AGREE = "agree", _("Agree")
    AGREE_WITH_CONDITIONS = "agree_with_conditions", _("Agree with conditions")
    DISAGREE = "disagree", _("Disagree")


class AssignmentState(models.TextChoices):
    ASSIGNED = "assigned", _("Opinion awaited")
    SUBMITTED = "submitted", _("Opinion submitted")
    DECLINED = "declined", _("Declined")
    REPLACED = "replaced", _("Replaced")
    CLOSED = "closed", _("Panel closed")


# Assignments that hold a place on the panel (a declined or replaced expert no longer does).
ACTIVE_ASSIGNMENT_STATES = (AssignmentState.ASSIGNED, AssignmentState.SUBMITTED)


class AuthorizationState(models.TextChoices):
    PENDING = "pending", _("Waiting for the owner")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ASSIGNMENT_TRANSITION_LABELS = {
    "submit_opinion": gettext_lazy("Submit the opinion"),
    "decline": gettext_lazy("Decline the assignment"),
    "replace": gettext_lazy("Replace the expert"),
}
AUTHORIZATION_TRANSITION_LABELS = {
    "grant": gettext_lazy("Grant"),
    "refuse": gettext_lazy("Refuse"),
    "revoke": gettext_lazy("Revoke"),
    "expire": gettext_lazy("Expired (end date passed)"),
    "withdraw": gettext_lazy("Withdrawn (no longer needed)"),
}
