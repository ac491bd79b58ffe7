"""Who may fire which transition: the role and tree rules of design.md, as pure functions."""

from organizations.choices import Role
from organizations.permissions import has_role


def _is_project_party(project, user) -> bool:
    """Provincial construction: the construction organization's staff, or the project's own manager."""
    return user.organization_id is not None and (
        project.manager_id == user.pk or user.organization_id == project.construction_org_id
    )


def may_drive_project(project, user) -> bool:
    """Hardware and development are driven by a project manager of the construction team."""
    return has_role(user, Role.PROJECT_MANAGER) and _is_project_party(project, user)


def may_fund_project(project, user) -> bool:
    """Funding moves by finance (a province-wide role)."""
    return has_role(user, Role.FINANCE_OFFICER)


def nobody(project, user) -> bool:
    """A transition only the system fires (e.g. disbursing begins with the first payment)."""
    return False


def may_operate_project(project, user) -> bool:
    """Trial run, go-live, upgrades, suspension and retirement belong to operations (province-wide)."""
    return has_role(user, Role.OPERATIONS_OFFICER)


def may_edit_project(project, user) -> bool:
    """Details and milestones: the project's own managers, or provincial leadership (who assigns the manager)."""
    return may_drive_project(project, user) or has_role(user, Role.PROVINCIAL_APPROVER)


def may_attach_demand(project, user) -> bool:
    """The provincial review office attaches an approved demand to an existing project."""
    return has_role(user, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER)
