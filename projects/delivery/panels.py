"""What the delivery domain shows on other pages: the home page panels of the project roles."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core import dashboard
from organizations.choices import Role
from projects.delivery import selectors
from projects.delivery.choices import DevelopmentState, FundingState, OperationsState
from projects.delivery.workflows import HARDWARE_READY


def register() -> None:
    dashboard.register(project_panels)


def project_panels(user) -> list[dashboard.Panel]:
    """Home-page panels: what waits for the project manager, finance and operations; late projects for leadership."""
    role = user.role
    if role not in (Role.PROJECT_MANAGER, Role.FINANCE_OFFICER, Role.OPERATIONS_OFFICER, Role.PROVINCIAL_APPROVER,
                    Role.PROVINCIAL_REVIEWER, Role.AUDITOR):
        return []
    qs = selectors.projects_visible_to(user).order_by()
    url = reverse("projects:project_list")
    panels = []
    if role == Role.PROJECT_MANAGER:
        # "My projects" are exactly those whose manager I am (the list opens on the same filter).
        mine = qs.filter(manager=user).exclude(operations_status=OperationsState.RETIRED)
        panels.append(dashboard.Panel(_("Projects I drive"), mine.count(), f"{url}?mine=true"))
        waiting = mine.filter(development_status=DevelopmentState.TESTING).exclude(hardware_status__in=HARDWARE_READY).count()
        panels.append(dashboard.Panel(_("Acceptance waiting for hardware"), waiting, f"{url}?development_status=testing",
                                      "warning" if waiting else "secondary"))
    elif role == Role.FINANCE_OFFICER:
        for state in (FundingState.UNFUNDED, FundingState.BUDGETED):
            panels.append(dashboard.Panel(_("Funding: %(state)s") % {"state": state.label}, qs.filter(funding_status=state).count(),
                                          f"{url}?funding_status={state.value}"))
    elif role == Role.OPERATIONS_OFFICER:
        ready = qs.filter(development_status=DevelopmentState.DELIVERED, operations_status=OperationsState.NOT_STARTED).count()
        panels.append(dashboard.Panel(_("Ready for a trial run"), ready,
                                      f"{url}?development_status=delivered&operations_status=not_started"))
        panels.append(dashboard.Panel(_("In trial run"), qs.filter(operations_status=OperationsState.TRIAL).count(),
                                      f"{url}?operations_status=trial", "info"))
    if role != Role.FINANCE_OFFICER and role != Role.OPERATIONS_OFFICER:
        late = qs.filter(selectors.late_q()).count()
        panels.append(dashboard.Panel(_("Late projects"), late, f"{url}?late=true", "danger" if late else "secondary"))
    return panels
