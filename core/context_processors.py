"""What the base layout needs on every page: the navigation for the user's role and unread count."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from organizations.choices import Role

# (url name, label, icon, roles that see it; None = everyone signed in). Apps add entries here.
# Entries named in GROUPS share one drop-down menu when a user sees two or more of them, so
# that the navigation keeps to one row at 1280 px in either language.
NAVIGATION = [
    ("home", _("Home"), "house", None),
    ("projects:demand_list", _("My demands"), "file-earmark-text", {Role.SUBMITTER}),
    ("projects:review_queue", _("Review queue"), "inbox", {
        Role.MUNICIPAL_COORDINATOR, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER}),
    ("projects:demand_all", _("All demands"), "files", {
        Role.MUNICIPAL_COORDINATOR, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER, Role.AUDITOR,
        Role.PROJECT_MANAGER, Role.FINANCE_OFFICER}),
    ("projects:expert_assignments", _("My reviews"), "clipboard-check", {Role.EXPERT}),
    ("projects:authorization_list", _("Sharing requests"), "shield-lock", None),  # gated by the app's own check
    ("projects:clusters", _("Clusters"), "diagram-3", None),  # gated by the app's own check
    ("projects:project_list", _("Projects"), "kanban", None),
    ("projects:portfolio", _("Portfolio"), "bar-chart", {
        Role.PROVINCIAL_APPROVER, Role.PROVINCIAL_REVIEWER, Role.PROJECT_MANAGER, Role.FINANCE_OFFICER,
        Role.OPERATIONS_OFFICER, Role.AUDITOR}),
    ("assets:system_list", _("System catalogue"), "hdd-stack", None),
    ("assets:capability_list", _("Capabilities"), "puzzle", None),
    ("assets:data_resource_list", _("Data resources"), "database", None),
    ("assets:hardware_list", _("Hardware"), "cpu", {
        Role.MUNICIPAL_COORDINATOR, Role.PROJECT_MANAGER, Role.OPERATIONS_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR,
        Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER}),
    ("budgets:overview", _("Budget overview"), "cash-stack", None),  # gated by the app's own check
    ("budgets:queue", _("Disbursement queue"), "cash-coin", None),
    ("budgets:budget_changes", _("Budget changes"), "arrow-left-right", None),
    ("budgets:savings", _("Savings ledger"), "piggy-bank", None),
    ("reports:dashboard", _("Dashboard"), "speedometer2", None),  # gated by reports.permissions.may_see_dashboard
    ("reports:index", _("Reports"), "file-earmark-spreadsheet", None),
    ("core:audit_log", _("Audit log"), "journal-text", {Role.AUDITOR}),
]


# url name → (group key, the group's label, its icon).
GROUPS = {
    "projects:project_list": ("projects", _("Projects"), "kanban"),
    "projects:portfolio": ("projects", _("Projects"), "kanban"),
    "assets:system_list": ("catalogue", _("Catalogue"), "hdd-stack"),
    "assets:capability_list": ("catalogue", _("Catalogue"), "hdd-stack"),
    "assets:data_resource_list": ("catalogue", _("Catalogue"), "hdd-stack"),
    "assets:hardware_list": ("catalogue", _("Catalogue"), "hdd-stack"),
    "budgets:overview": ("money", _("Money"), "cash-stack"),
    "budgets:queue": ("money", _("Money"), "cash-stack"),
    "budgets:budget_changes": ("money", _("Money"), "cash-stack"),
    "budgets:savings": ("money", _("Money"), "cash-stack"),
    "reports:dashboard": ("reports", _("Reports"), "file-earmark-spreadsheet"),
    "reports:index": ("reports", _("Reports"), "file-earmark-spreadsheet"),
}


# url name → `(user) -> bool`: the permission function the page's view itself uses, registered by
# the app that owns the page in its ready(), so that the menu and the view never decide differently.
_gates: dict = {}


def gate(url_name: str, check) -> None:
    """Show the menu entry `url_name` exactly to the users `check` lets through the view."""
    _gates[url_name] = check


def _links_for(user) -> list[dict]:
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


def navigation_for(user) -> list[dict]:
    """The user's navigation: links, and menus ({"label", "icon", "children"}) for groups."""
    links = _links_for(user)
    sizes: dict[str, int] = {}
    for link in links:
        if link["name"] in GROUPS:
            key = GROUPS[link["name"]][0]
            sizes[key] = sizes.get(key, 0) + 1
    items, menus = [], {}
    for link in links:
        group = GROUPS.get(link["name"])
        if group is None or sizes[group[0]] < 2:
            items.append(link)
            continue
        key, label, icon = group
        if key not in menus:
            menus[key] = {"label": label, "icon": icon, "children": [], "names": set()}
            items.append(menus[key])
        menus[key]["children"].append(link)
        menus[key]["names"].add(link["name"])
    return items


def shell(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {
        "nav_items": navigation_for(user),
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }
