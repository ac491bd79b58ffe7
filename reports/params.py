"""The parameters a report takes, checked once for the API and the page alike.

Unknown keys are refused (a typo must not silently widen a report), values of the wrong type are
refused with the field named; objects named by id are checked against what the requester may see
by the builder's `check_access` (404, never 403).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from budgets.choices import FundingSource, SavingDecision
from projects.demands.choices import DemandStatus


class StrictParams(serializers.Serializer):
    """Parameters that refuse keys they do not know."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"params": [_("Parameters must be an object.")]})
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError({key: [_("Unknown parameter.")] for key in unknown})
        return super().to_internal_value(data)


class RegisterParams(StrictParams):
    """Filters of the registers: year, organization, city, demand states."""

    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, label=_("year"))
    org = serializers.IntegerField(required=False, min_value=1, label=_("organization"))
    city = serializers.IntegerField(required=False, min_value=1, label=_("city"))
    states = serializers.ListField(child=serializers.ChoiceField(choices=DemandStatus.choices), required=False,
                                   allow_empty=True, max_length=20, label=_("states"))


class DemandParams(StrictParams):
    demand = serializers.IntegerField(min_value=1, max_value=2**63 - 1, label=_("demand"))


class ProjectParams(StrictParams):
    project = serializers.IntegerField(min_value=1, max_value=2**63 - 1, label=_("project"))


class ProjectLedgerParams(StrictParams):
    """Filters of the project ledger: year, construction organization, its city."""

    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, label=_("year"))
    org = serializers.IntegerField(required=False, min_value=1, label=_("organization"))
    city = serializers.IntegerField(required=False, min_value=1, label=_("city"))


class AssetParams(StrictParams):
    """Filters of the asset inventory: owner organization, its city."""

    org = serializers.IntegerField(required=False, min_value=1, label=_("organization"))
    city = serializers.IntegerField(required=False, min_value=1, label=_("city"))


class BudgetExecutionParams(StrictParams):
    """Filters of budget execution: fiscal year, construction organization, its city, funding source."""

    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, label=_("year"))
    org = serializers.IntegerField(required=False, min_value=1, label=_("organization"))
    city = serializers.IntegerField(required=False, min_value=1, label=_("city"))
    source = serializers.ChoiceField(choices=FundingSource.choices, required=False, label=_("funding source"))


class SavingsParams(StrictParams):
    """Filters of the savings ledger: year, organization, its city, decision."""

    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100, label=_("year"))
    org = serializers.IntegerField(required=False, min_value=1, label=_("organization"))
    city = serializers.IntegerField(required=False, min_value=1, label=_("city"))
    decision = serializers.ChoiceField(choices=SavingDecision.choices, required=False, label=_("decision"))


def filter_by(qs, params: dict, lookups: dict[str, str]):
    """`qs` narrowed by each parameter given, through its lookup: {"year": "fiscal_year", ...}."""
    for name, lookup in lookups.items():
        if params.get(name):
            qs = qs.filter(**{lookup: params[name]})
    return qs
