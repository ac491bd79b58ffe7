"""Every read of demands that depends on who is asking.

`demands_visible_to(user)` is the one access rule (the organization tree, through
`organizations.selectors.restrict`): pages, the API, exports and attachment downloads all
start from it, so that a demand a user may not see is a 404 from every entrance.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import django_filters
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import filters
from organizations.models import Organization
from projects.demands.choices import REVIEW_STATES, ConstructionType, DemandStatus, Domain, Urgency
from projects.demands.models import Demand
from projects.demands.selectors import pending_flags_subquery

S = DemandStatus


# ---------------------------------------------------------------------------------------
# Filters (pages and API share them)
# ---------------------------------------------------------------------------------------

BUDGET_BANDS = {
    "lt1m": (_("under 1 million CNY"), None, Decimal("1000000")),
    "1m-5m": (_("1 to 5 million CNY"), Decimal("1000000"), Decimal("5000000")),
    "5m-20m": (_("5 to 20 million CNY"), Decimal("5000000"), Decimal("20000000")),
    "ge20m": (_("20 million CNY and more"), Decimal("20000000"), None),
}

SORTS = {
    "waiting": (_("Longest waiting first"), ("stage_entered_at", "pk")),
    "newest": (_("Most recent first"), ("-stage_entered_at", "-pk")),
    "due": (_("Due soonest first"), ("due_at", "pk")),
    "budget": (_("Largest budget first"), ("-budget_total", "pk")),
    "budget_asc": (_("Smallest budget first"), ("budget_total", "pk")),
    "urgency": (_("Most urgent first"), ("urgency_rank", "stage_entered_at", "pk")),
    "code": (_("By number"), ("code", "pk")),
    "created": (_("Recently created first"), ("-created_at", "-pk")),
}

AGE_CHOICES = [("3", _("waiting over 3 days")), ("7", _("waiting over 7 days")), ("14", _("waiting over 14 days")),
               ("30", _("waiting over 30 days"))]


class DemandFilter(filters.FilterSet):
    """Filters of the demand lists: status, organization, city, domain, urgency, capability,
    budget band, flagged or not, waiting time, overdue, text search; and the sort order."""

    # distinct=False: one status per row, and SELECT DISTINCT over every column would sort them all.
    status = django_filters.MultipleChoiceFilter(choices=DemandStatus.choices, distinct=False)
    org = filters.IntegerFilter(field_name="org_id")
    city = filters.IntegerFilter(field_name="org__city_id")
    domain = django_filters.ChoiceFilter(choices=Domain.choices)
    construction_type = django_filters.ChoiceFilter(choices=ConstructionType.choices)
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices)
    capability = filters.CharFilter(method="filter_capability")
    budget = django_filters.ChoiceFilter(choices=[(k, v[0]) for k, v in BUDGET_BANDS.items()], method="filter_budget")
    flagged = django_filters.BooleanFilter(method="filter_flagged")
    age = django_filters.ChoiceFilter(choices=AGE_CHOICES, method="filter_age")
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    search = filters.CharFilter(method="filter_search")
    sort = django_filters.ChoiceFilter(choices=[(k, v[0]) for k, v in SORTS.items()], method="filter_sort")

    class Meta:
        model = Demand
        fields: list[str] = []

    def filter_capability(self, queryset, name, value):
        through = Demand.capabilities.through
        return queryset.filter(Exists(through.objects.filter(demand_id=OuterRef("pk"), capability__code=value)))

    def filter_budget(self, queryset, name, value):
        _label, low, high = BUDGET_BANDS[value]
        if low is not None:
            queryset = queryset.filter(budget_total__gte=low)
        if high is not None:
            queryset = queryset.filter(budget_total__lt=high)
        return queryset

    def filter_flagged(self, queryset, name, value):
        return queryset.filter(pending_flags_subquery()) if value else queryset.exclude(pending_flags_subquery())

    def filter_age(self, queryset, name, value):
        return queryset.filter(stage_entered_at__lte=timezone.now() - timedelta(days=int(value)))

    def filter_overdue(self, queryset, name, value):
        late = Q(status__in=REVIEW_STATES, due_at__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # The organizations whose name matches first (a small table), then every condition is on
        # the demand table, where PostgreSQL combines its trigram indexes (migration 0012) and the
        # organization index in one bitmap; a join or a subquery in the OR would scan instead.
        orgs = list(Organization.objects.filter(name__icontains=value).values_list("pk", flat=True))
        return queryset.filter(
            Q(code__icontains=value) | Q(title__icontains=value) | Q(description__icontains=value) | Q(org_id__in=orgs)
        )

    def filter_sort(self, queryset, name, value):
        if value == "urgency":
            queryset = queryset.annotate(
                urgency_rank=Case(
                    When(urgency=Urgency.CRITICAL, then=Value(0)),
                    When(urgency=Urgency.URGENT, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                )
            )
        return queryset.order_by(*SORTS[value][1])


def filter_demands(queryset: QuerySet[Demand], params, *, default_sort: str | None = None) -> DemandFilter:
    """Apply the list filters in `params` (a QueryDict); invalid values are ignored, not fatal."""
    data = params.copy()
    if default_sort and not data.get("sort"):
        data["sort"] = default_sort
    filterset = DemandFilter(data, queryset=queryset)
    if not filterset.is_valid():
        # Drop the bad parameters and keep the rest (a hand-edited URL must not break the page).
        for bad in filterset.errors:
            data.pop(bad, None)
        filterset = DemandFilter(data, queryset=queryset)
    return filterset
