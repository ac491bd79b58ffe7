from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = _("Budgets")

    def ready(self):
        from core import audit
        from core import context_processors as navigation
        from projects import ports

        from . import panels, seed, services
        from .choices import BudgetChangeState, DisbursementState
        from .models import BudgetChange, BudgetLine, Disbursement
        from .permissions import may_view_budget_changes, may_view_finance, may_work_queue

        # Projects read money, lock its rows and record settlements and savings only through its ports.
        ports.register_funding_facts(services.funding_facts)
        ports.register_funding_lock(services.lock_funding)
        ports.register_funding_prefetch(services.prefetch_funding_facts)
        ports.register_settlement(services.record_settlement)
        ports.register_savings_ledger(services.record_saving)
        ports.register_demo_funding(seed.fund_for_demo)
        audit.register_vocabulary(Disbursement, "status", label=_("Disbursement"), states=DisbursementState, transitions={
            "request": _("Requested"), "approve": _("Approve"), "pay": _("Pay"), "reject": _("Reject")})
        audit.register_vocabulary(BudgetChange, "status", label=_("Budget change"), states=BudgetChangeState, transitions={
            "propose": _("Propose"), "approve": _("Approve"), "reject": _("Reject")})
        audit.register_vocabulary(BudgetLine, services.LINE_MACHINE, label=_("Budget line"), transitions={
            "create": _("Entered"), "update": _("Changed"), "delete": _("Deleted"), "import": _("Imported")})
        navigation.gate("budgets:overview", may_view_finance)
        navigation.gate("budgets:queue", may_work_queue)
        navigation.gate("budgets:budget_changes", may_view_budget_changes)
        navigation.gate("budgets:savings", may_view_finance)
        panels.register()
