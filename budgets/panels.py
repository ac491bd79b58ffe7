"""What money shows on other pages: the funding lane's figures on the project page, and finance's home panels."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from core import dashboard, panels

from . import selectors
from .choices import DisbursementState
from .permissions import may_manage_money

PROJECT_SLOT = "projects.project"


def register() -> None:
    panels.register(PROJECT_SLOT, funding_panel)
    dashboard.register(finance_panels)


def funding_panel(project, user) -> panels.Panel:
    """Approved, budgeted, allocated, paid, remaining and the execution rate, with the money page's link
    (the project itself is visible to `user`: the page that asks already checked it)."""
    return panels.Panel("funding_figures", "budgets/panels/funding.html", {
        "project": project, "money": selectors.project_money(project),
        "money_url": reverse("budgets:project_money", args=[project.pk]),
    })


def finance_panels(user) -> list[dashboard.Panel]:
    if not may_manage_money(user):
        return []
    queue = selectors.disbursement_queue(user).order_by()
    url = reverse("budgets:queue")
    return [
        dashboard.Panel(_("Disbursements to approve"), queue.filter(status=DisbursementState.REQUESTED).count(),
                        f"{url}?status=requested", "warning"),
        dashboard.Panel(_("Disbursements to pay"), queue.filter(status=DisbursementState.APPROVED).count(),
                        f"{url}?status=approved", "info"),
    ]
