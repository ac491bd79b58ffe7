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


def may_run_panel(demand, user) -> bool:
    """The provincial office (review office and leadership) assigns and replaces the expert panel."""
    return has_role(user, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER)


def may_record_opinion(demand, user) -> bool:
    """The provincial review office records its opinion while the demand is in provincial review."""
    return has_role(user, Role.PROVINCIAL_REVIEWER) and demand.status == DemandStatus.PROVINCIAL_REVIEW


def is_the_expert(assignment, user) -> bool:
    """Only the assigned expert submits or declines an assignment."""
    return has_role(user, Role.EXPERT) and assignment.expert_id == user.pk


def may_replace_expert(assignment, user) -> bool:
    """The provincial office replaces an expert who declined or let the deadline pass."""
    return may_run_panel(assignment.demand, user)


def is_owners_data_officer(request, user) -> bool:
    """The data officer of the organization owning the resource decides on its authorized sharing."""
    return has_role(user, Role.DATA_OFFICER) and request.owner_org_id is not None and user.organization_id == request.owner_org_id


def may_see_authorizations(user) -> bool:
    """Data officers decide on sharing requests; the provincial office and auditors follow them."""
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.role in (
        Role.DATA_OFFICER, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER, Role.AUDITOR)))


def is_expert(user) -> bool:
    """The experts of the pool have a list of the demands assigned to them."""
    return has_role(user, Role.EXPERT)
