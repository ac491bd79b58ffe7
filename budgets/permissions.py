"""Who may do what with money: pure functions of the role and the tree (design.md, "Money")."""

from organizations.choices import Role
from organizations.permissions import has_role


def may_manage_money(user) -> bool:
    """Budget lines, disbursements and imports are finance's (a province-wide role)."""
    return has_role(user, Role.FINANCE_OFFICER)


def may_view_finance(user) -> bool:
    """The finance pages (overview, queue): finance, provincial leadership and the auditors."""
    return bool(user and user.is_authenticated and (user.is_superuser or has_role(
        user, Role.FINANCE_OFFICER, Role.PROVINCIAL_APPROVER, Role.PROVINCIAL_REVIEWER, Role.AUDITOR)))


def may_propose_budget_change(project, user) -> bool:
    """The project's manager (or the construction team's project managers) and finance propose a budget change."""
    if has_role(user, Role.FINANCE_OFFICER):
        return True
    return has_role(user, Role.PROJECT_MANAGER) and user.organization_id is not None and (
        project.manager_id == user.pk or project.construction_org_id == user.organization_id)


def may_edit_budget_lines(project, user) -> bool:
    """Finance and the project's manager (or the construction team's project managers) add, correct and delete its lines."""
    return may_propose_budget_change(project, user)


def may_decide_budget_change(change, user) -> bool:
    """A provincial approver approves or rejects a budget change."""
    return has_role(user, Role.PROVINCIAL_APPROVER)


def may_approve_disbursement(disbursement, user) -> bool:
    """Finance approves, pays and rejects disbursements."""
    return has_role(user, Role.FINANCE_OFFICER)


def may_work_queue(user) -> bool:
    """The disbursement queue and the imports: finance (and superusers)."""
    return bool(user and user.is_authenticated and (user.is_superuser or may_manage_money(user)))


def may_view_budget_changes(user) -> bool:
    """The list of budget changes: who proposes, decides on or reads them."""
    return bool(user and user.is_authenticated and (user.is_superuser or has_role(
        user, Role.FINANCE_OFFICER, Role.PROVINCIAL_APPROVER, Role.PROVINCIAL_REVIEWER, Role.PROJECT_MANAGER, Role.AUDITOR)))
