"""Who may use the redundancy pages: one function per page, used by the view and by the menu."""

from organizations.choices import Role
from organizations.permissions import has_role


def may_view_clusters(user) -> bool:
    """Reviewers of demands see the clusters: municipal coordinators (their city's), the province and auditors."""
    return bool(user and user.is_superuser) or has_role(user, Role.MUNICIPAL_COORDINATOR, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER, Role.AUDITOR)


def may_recompute_clusters(user) -> bool:
    """The provincial review office recomputes the clusters on demand."""
    return bool(user and user.is_superuser) or has_role(user, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER)
