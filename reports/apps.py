from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from core import panels
        from core.context_processors import gate

        from . import params, permissions
        from .builders import approval_sections, documents, money, registers
        from .registry import Builder, register

        register(Builder("demand_register", ("xlsx", "csv", "pdf"), registers.build_demand_register, params.RegisterParams))
        register(Builder("project_ledger", ("xlsx", "csv", "pdf"), registers.build_project_ledger, params.ProjectLedgerParams))
        register(Builder("asset_inventory", ("xlsx", "csv", "pdf"), registers.build_asset_inventory, params.AssetParams))
        register(Builder("redundancy_review", ("pdf",), documents.build_redundancy_review, params.DemandParams,
                         check_access=documents.check_demand_access, filename=documents.redundancy_review_filename))
        register(Builder("project_approval", ("pdf",), documents.build_project_approval, params.ProjectParams,
                         check_access=documents.check_project_access, filename=documents.project_approval_filename))
        register(Builder("budget_execution", ("xlsx", "csv", "pdf"), money.build_budget_execution, params.BudgetExecutionParams))
        register(Builder("savings", ("xlsx", "csv", "pdf"), money.build_savings, params.SavingsParams))
        documents.register_builtin_sections()
        approval_sections.register_sections()
        gate("reports:dashboard", permissions.may_see_dashboard)
        from .panels import approval_sheet_button, redundancy_review_button

        panels.register("projects.project", approval_sheet_button)
        panels.register("projects.demand", redundancy_review_button)
