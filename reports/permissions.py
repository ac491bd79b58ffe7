"""Who may use which report page (the menu and the views ask the same functions)."""

from organizations.choices import Role

DASHBOARD_ROLES = (Role.PROVINCIAL_APPROVER, Role.PROVINCIAL_REVIEWER, Role.FINANCE_OFFICER, Role.AUDITOR)


def may_see_dashboard(user) -> bool:
    """Leadership and finance: provincial approvers and reviewers, finance officers, auditors (and superusers)."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.role in DASHBOARD_ROLES))
