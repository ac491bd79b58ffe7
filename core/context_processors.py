"""What the base layout needs on every page: the navigation for the user's role and unread count."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from organizations.choices import Role

# (url name, label, icon, roles that see it; None = everyone signed in). Apps add entries here.
NAVIGATION = [
    ("home", _("Home"), "house", None),
    ("projects:demand_list", _("My demands"), "file-earmark-text", {Role.SUBMITTER}),
    ("projects:review_queue", _("Review queue"), "inbox", {
        Role.MUNICIPAL_COORDINATOR, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER}),
    ("projects:demand_all", _("All demands"), "files", {
        Role.MUNICIPAL_COORDINATOR, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER, Role.AUDITOR,
        Role.PROJECT_MANAGER, Role.FINANCE_OFFICER}),
    ("projects:clusters", _("Clusters"), "diagram-3", None),  # gated by the app's own check
    ("projects:project_list", _("Projects"), "kanban", None),
    ("projects:portfolio", _("Portfolio"), "bar-chart", {
        Role.PROVINCIAL_APPROVER, Role.PROVINCIAL_REVIEWER, Role.PROJECT_MANAGER, Role.FINANCE_OFFICER,
        Role.OPERATIONS_OFFICER, Role.AUDITOR}),
    ("assets:system_list", _("Catalogue"), "hdd-stack", None),
    ("assets:capability_list", _("Capabilities"), "puzzle", None),
    ("assets:data_resource_list", _("Data resources"), "database", None),
    ("assets:hardware_list", _("Hardware"), "cpu", {
        Role.MUNICIPAL_COORDINATOR, Role.PROJECT_MANAGER, Role.OPERATIONS_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR,
        Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER}),
    ("core:audit_log", _("Audit log"), "journal-text", {Role.AUDITOR}),
]


# url name → `(user) -> bool`: the permission function the page's view itself uses, registered by
# the app that owns the page in its ready(), so that the menu and the view never decide differently.
_gates: dict = {}


def gate(url_name: str, check) -> None:
    """Show the menu entry `url_name` exactly to the users `check` lets through the view."""
    _gates[url_name] = check


def navigation_for(user):
    items = []
    for url_name, label, icon, roles in NAVIGATION:
        if url_name in _gates:
            if not _gates[url_name](user):
                continue
        elif roles is not None and not (user.is_superuser or user.role in roles):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue  # the page belongs to an app that is not wired yet
        items.append({"url": url, "label": label, "icon": icon, "name": url_name})
    return items


def shell(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {
        "nav_items": navigation_for(user),
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }
