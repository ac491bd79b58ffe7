"""Administration of money: read everything, change nothing (amounts, states and the ledger move
only through the services, with their locks and audit rows)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import BudgetChange, BudgetLine, Disbursement, FinalAccount, PartialAllocation, SavingsEntry


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    list_display = ["project", "fiscal_year", "source", "category", "amount", "requested_total", "approved_total", "paid_total"]
    list_filter = ["fiscal_year", "source", "category"]
    search_fields = ["project__code", "project__name"]
    list_select_related = ["project"]


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = ["voucher_no", "budget_line", "amount", "payee", "date", "status"]
    list_filter = ["status"]
    search_fields = ["voucher_no", "payee", "budget_line__project__code"]
    list_select_related = ["budget_line__project"]


@admin.register(BudgetChange)
class BudgetChangeAdmin(ReadOnlyAdmin):
    list_display = ["project", "old_amount", "new_amount", "status", "proposed_by", "decided_by"]
    list_filter = ["status"]
    list_select_related = ["project", "proposed_by", "decided_by"]


@admin.register(SavingsEntry)
class SavingsEntryAdmin(ReadOnlyAdmin):
    list_display = ["demand", "decision", "requested", "deducted", "amount", "year", "org"]
    list_filter = ["decision", "year"]
    list_select_related = ["demand", "org"]


admin.site.register(PartialAllocation, ReadOnlyAdmin)
admin.site.register(FinalAccount, ReadOnlyAdmin)
