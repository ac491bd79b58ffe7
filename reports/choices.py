from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    """The report kinds of contract.md. A kind is offered once a builder is registered for it
    (reports/registry.py); budget_execution and savings are registered by the budgets reports."""

    DEMAND_REGISTER = "demand_register", _("Demand register")
    PROJECT_LEDGER = "project_ledger", _("Project ledger")
    BUDGET_EXECUTION = "budget_execution", _("Budget execution")
    SAVINGS = "savings", _("Savings report")
    ASSET_INVENTORY = "asset_inventory", _("Asset inventory")
    REDUNDANCY_REVIEW = "redundancy_review", _("Redundancy review of a demand")
    PROJECT_APPROVAL = "project_approval", _("Project approval sheet")


class ReportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel (.xlsx)")
    PDF = "pdf", _("PDF")
    CSV = "csv", _("CSV")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_STATES = (JobStatus.QUEUED, JobStatus.RUNNING)

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}
