"""Factories for money tests: lines and disbursements in any state (test data only: the
application moves them through the doorway)."""

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from budgets.models import BudgetLine, Disbursement
from budgets.services import recompute_line_totals
from tests.projects.project_factories import ProjectFactory


class LineFactory(DjangoModelFactory):
    class Meta:
        model = BudgetLine

    project = factory.SubFactory(ProjectFactory, funding_status="allocated")
    fiscal_year = 2026
    source = "provincial_fiscal"
    category = "software"
    amount = Decimal("500000.00")


class DisbursementFactory(DjangoModelFactory):
    class Meta:
        model = Disbursement
        skip_postgeneration_save = True

    budget_line = factory.SubFactory(LineFactory)
    amount = Decimal("100000.00")
    voucher_no = factory.Sequence(lambda n: f"PZ-2026-{n + 1:05d}")
    payee = "长春某某科技有限公司"
    date = date(2026, 3, 1)

    @factory.post_generation
    def line_totals(obj, create, extracted, **kwargs):
        """The line's running totals as the services keep them (test data skips the doorway)."""
        if create:
            recompute_line_totals([obj.budget_line_id])


def funded_project(budget="1000000.00", line="1000000.00", **states):
    """An allocated project with one line covering its budget."""
    project = ProjectFactory(approved_budget=Decimal(budget), funding_status=states.pop("funding_status", "allocated"), **states)
    line = LineFactory(project=project, amount=Decimal(line))
    return project, line
