"""The models of the app `projects`, one domain package each; Django finds them all here."""

from .delivery.models import Milestone, Project, milestone_path
from .demands.models import (
    Attachment,
    AuthorizationRequest,
    Demand,
    DemandDataResource,
    ExpertAssignment,
    ExpertProfile,
    ReviewOpinion,
    attachment_path,
    signed_opinion_path,
)
from .redundancy.models import RedundancyClusterSnapshot, RedundancyFlag, RedundancyIndexChange

__all__ = [
    "Attachment",
    "AuthorizationRequest",
    "ExpertAssignment",
    "ExpertProfile",
    "ReviewOpinion",
    "Demand",
    "DemandDataResource",
    "Milestone",
    "Project",
    "RedundancyClusterSnapshot",
    "RedundancyFlag",
    "RedundancyIndexChange",
    "attachment_path",  # named by migrations
    "milestone_path",
    "signed_opinion_path",
]
