"""Who may fire which transition: the role and tree rules of design.md, as pure functions."""

from organizations.choices import Role
from organizations.permissions import acts_for_org, coordinates_org, has_role
from projects.demands.choices import DemandStatus


def may_submit(demand, user) -> bool:
    """A submitter of the requesting organization submits and withdraws its demands."""
    return acts_for_org(user, demand.org)


def may_municipal_review(demand, user) -> bool:
    """The coordinator of the demand's city reviews city and county demands first."""
    return coordinates_org(user, demand.org)


def may_provincial_review(demand, user) -> bool:
    """The provincial review office returns, rejects, merges and recommends reuse."""
    return has_role(user, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER)


def may_provincial_approve(demand, user) -> bool:
    """Provincial leadership approves, and records the expert panel's verdict."""
    return has_role(user, Role.PROVINCIAL_APPROVER)


def may_decide_in_review(demand, user) -> bool:
    """Return or reject: whoever holds the demand in its current review stage."""
    if demand.status == DemandStatus.MUNICIPAL_REVIEW:
        return may_municipal_review(demand, user)
    if demand.status == DemandStatus.PROVINCIAL_REVIEW:
        return may_provincial_review(demand, user)
    if demand.status == DemandStatus.EXPERT_REVIEW:
        return may_provincial_approve(demand, user)
    return False


def may_redirect(demand, user) -> bool:
    """Merge and reuse are decisions of the provincial review office."""
    return has_role(user, Role.PROVINCIAL_REVIEWER)
