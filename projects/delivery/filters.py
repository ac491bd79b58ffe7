"""Every read of projects that depends on who asks.

`projects_visible_to(user)` is the one access rule (pages, API, downloads, exports): province-wide
roles see every project; a bureau user sees a project whose construction organization or one of
whose beneficiary organizations lies in its part of the tree (a submitter: its own organization;
a municipal coordinator: the bureaus of its city and counties).
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import filters
from projects.delivery.choices import DevelopmentState, FundingState, HardwareState, OperationsState
from projects.delivery.models import Project

STATE_CHOICES = {
    "hardware": HardwareState,
    "funding": FundingState,
    "development": DevelopmentState,
    "operations": OperationsState,
}




def late_q(today=None) -> Q:
    """Late: the planned end has passed and the development is not delivered."""
    today = today or timezone.localdate()
    return Q(planned_end__lt=today) & ~Q(development_status=DevelopmentState.DELIVERED)


class ProjectFilter(filters.FilterSet):
    """Filters of the project list page and the API alike: each machine's state, organization, year."""

    hardware_status = django_filters.ChoiceFilter(choices=HardwareState.choices, label=_("Hardware"))
    funding_status = django_filters.ChoiceFilter(choices=FundingState.choices, label=_("Funding"))
    development_status = django_filters.ChoiceFilter(choices=DevelopmentState.choices, label=_("Development"))
    operations_status = django_filters.ChoiceFilter(choices=OperationsState.choices, label=_("Operations"))
    org = filters.IntegerFilter(method="filter_org", label=_("Organization"))
    year = filters.IntegerFilter(field_name="year", label=_("Year"))
    search = filters.CharFilter(method="filter_search", label=_("Search"))
    late = django_filters.BooleanFilter(method="filter_late", label=_("Late"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("My projects"))

    class Meta:
        model = Project
        fields = ["hardware_status", "funding_status", "development_status", "operations_status", "org", "year", "search", "late", "mine"]

    def filter_org(self, qs, name, value):
        """Built by, or built for, the organization."""
        links = Project.beneficiary_orgs.through.objects.filter(organization_id=value).values("project_id")
        return qs.filter(Q(construction_org_id=value) | Q(pk__in=links))

    def filter_search(self, qs, name, value):
        value = value.strip()
        return qs.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else qs

    def filter_mine(self, qs, name, value):
        """The projects whose manager the person asking is."""
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return qs
        return qs.filter(manager_id=user.pk)

    def filter_late(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(late_q()) if value else qs.exclude(late_q())
