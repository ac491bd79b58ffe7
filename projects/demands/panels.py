"""What the demands domain shows on other pages: the home page and the catalogue's detail pages.

Registered from ProjectsConfig.ready(); every panel reads through the demands selectors, so it
holds only the demands the user may see.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import dashboard, panels
from organizations.choices import Role
from projects.demands.choices import REVIEW_STATES, DemandStatus
from projects.demands.selectors import (
    QUEUE_ROLES,
    demands_needing,
    demands_visible_to,
    granted_authorizations_for,
    my_assignments,
    reuse_demands_for,
    review_queue_for,
)

PANEL_ROWS = 50


def system_reuse_panel(system, user) -> panels.Panel:
    """On a catalogue system: the demands the province sent to reuse it."""
    return panels.Panel("reuse_demands", "projects/demands/panels/system_reuse.html",
                        {"reuse_demands": list(reuse_demands_for(system, user)[:PANEL_ROWS])})


def data_resource_panel(resource, user) -> panels.Panel:
    """On a data resource: the demands that need it, with the owner's authorization."""
    return panels.Panel("demand_links", "projects/demands/panels/data_resource_demands.html",
                        {"links": list(demands_needing(resource, user)[:PANEL_ROWS]), "resource": resource})


def data_resource_authorizations_panel(resource, user) -> panels.Panel | None:
    """On an authorized-sharing data resource: who may use it (granted requests), and until when."""
    if resource.sharing != "authorized":
        return None
    return panels.Panel("granted_authorizations", "projects/demands/panels/data_resource_authorizations.html",
                        {"granted": list(granted_authorizations_for(resource, user)[:PANEL_ROWS]), "resource": resource})


def register() -> None:
    dashboard.register(demand_panels)
    panels.register("assets.system", system_reuse_panel)
    panels.register("assets.data_resource", data_resource_panel)
    panels.register("assets.data_resource", data_resource_authorizations_panel)


def demand_panels(user) -> list[dashboard.Panel]:
    """What waits: returned and draft demands for a bureau, the queue and overdue for reviewers."""
    if not user.is_authenticated:
        return []
    panels = []
    if user.role == Role.SUBMITTER:
        qs = demands_visible_to(user)
        url = reverse("projects:demand_list")
        returned = qs.filter(status=DemandStatus.RETURNED).count()
        panels.append(dashboard.Panel(_("Returned for revision"), returned, f"{url}?status=returned",
                                      "danger" if returned else "secondary"))
        panels.append(dashboard.Panel(_("Drafts"), qs.filter(status=DemandStatus.DRAFT).count(), f"{url}?status=draft"))
        panels.append(dashboard.Panel(_("Under review"), qs.filter(status__in=REVIEW_STATES).count(), url, "info"))
    if user.role == Role.EXPERT:
        awaiting = my_assignments(user).filter(state="assigned").count()
        panels.append(dashboard.Panel(_("Opinions awaited from me"), awaiting, reverse("projects:expert_assignments"),
                                      "warning" if awaiting else "secondary"))
    if user.role == Role.DATA_OFFICER:
        from projects.demands.selectors import authorization_queue

        waiting = authorization_queue(user).filter(state="pending").count()
        panels.append(dashboard.Panel(_("Sharing requests waiting"), waiting,
                                      reverse("projects:authorization_list") + "?state=pending",
                                      "warning" if waiting else "secondary"))
    if user.role in QUEUE_ROLES:
        queue = review_queue_for(user)
        url = reverse("projects:review_queue")
        overdue = queue.filter(due_at__lt=timezone.now()).count()
        panels.append(dashboard.Panel(_("Waiting for my review"), queue.count(), url))
        panels.append(dashboard.Panel(_("Overdue reviews"), overdue, f"{url}?overdue=true", "danger" if overdue else "secondary"))
    return panels
