"""`manage.py verify_line_totals [--repair]`: do the budget lines' running totals equal the sums of
their disbursements? Prints one JSON object; exit status 1 when any line differs (and was not repaired)."""

import json

from django.core.management.base import BaseCommand
from django.db import transaction

from budgets import services
from budgets.models import BudgetLine
from projects.delivery.models import Project


class Command(BaseCommand):
    help = "Compare the budget lines' running totals (requested, approved, paid) with their disbursements."

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="Set the totals of the lines that differ from their disbursements.")

    def handle(self, *args, repair=False, **options):
        wrong = services.line_total_mismatches()
        repaired = 0
        if wrong and repair:
            with transaction.atomic():
                # The lock order of budgets.services: the projects, then their lines by ascending id.
                ids = [row["line"] for row in wrong]
                project_ids = sorted(set(BudgetLine.objects.filter(pk__in=ids).values_list("project_id", flat=True)))
                list(Project.objects.select_for_update().filter(pk__in=project_ids).order_by("pk").values_list("pk", flat=True))
                list(BudgetLine.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
                repaired = services.recompute_line_totals(ids)
        result = {"lines": BudgetLine.objects.count(), "mismatched": len(wrong), "repaired": repaired,
                  "mismatches": json.loads(json.dumps(wrong[:50], default=str))}
        self.stdout.write(json.dumps(result, ensure_ascii=False))
        if wrong and not repair:
            raise SystemExit(1)
