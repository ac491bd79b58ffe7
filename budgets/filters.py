"""Filters of the money lists, pages and API alike (core.filters refuses malformed values with 400)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core import filters

from .choices import BudgetChangeState, Category, DisbursementState, FundingSource, SavingDecision
from .models import BudgetChange, BudgetLine, Disbursement, SavingsEntry


class BudgetLineFilter(filters.FilterSet):
    project = filters.IntegerFilter(field_name="project_id", label=_("Project"))
    fiscal_year = filters.IntegerFilter(field_name="fiscal_year", label=_("Fiscal year"))
    source = django_filters.ChoiceFilter(choices=FundingSource.choices, label=_("Funding source"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))

    class Meta:
        model = BudgetLine
        fields = ["project", "fiscal_year", "source", "category"]


class DisbursementFilter(filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DisbursementState.choices, label=_("Status"))
    project = filters.IntegerFilter(field_name="budget_line__project_id", label=_("Project"))
    budget_line = filters.IntegerFilter(field_name="budget_line_id", label=_("Budget line"))
    fiscal_year = filters.IntegerFilter(field_name="budget_line__fiscal_year", label=_("Fiscal year"))

    class Meta:
        model = Disbursement
        fields = ["status", "project", "budget_line", "fiscal_year"]


class BudgetChangeFilter(filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=BudgetChangeState.choices, label=_("Status"))
    project = filters.IntegerFilter(field_name="project_id", label=_("Project"))

    class Meta:
        model = BudgetChange
        fields = ["status", "project"]


class SavingsFilter(filters.FilterSet):
    decision = django_filters.ChoiceFilter(choices=SavingDecision.choices, label=_("Decision"))
    year = filters.IntegerFilter(field_name="year", label=_("Year"))
    org = filters.IntegerFilter(field_name="org_id", label=_("Organization"))
    city = filters.IntegerFilter(field_name="org__city_id", label=_("City"))

    class Meta:
        model = SavingsEntry
        fields = ["decision", "year", "org", "city"]
