"""The models of the app `projects`, one domain package each; Django finds them all here."""

from .delivery.models import Milestone, Project, milestone_path
from .demands.models import Attachment, Demand, DemandDataResource, attachment_path
from .redundancy.models import RedundancyClusterSnapshot, RedundancyFlag, RedundancyIndexChange

__all__ = [
    "Attachment",
    "Demand",
    "DemandDataResource",
    "Milestone",
    "Project",
    "RedundancyClusterSnapshot",
    "RedundancyFlag",
    "RedundancyIndexChange",
    "attachment_path",  # named by migrations
    "milestone_path",
]
