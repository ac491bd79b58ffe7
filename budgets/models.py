"""Money: budget lines, budget changes, disbursements, the savings ledger, and the records of
allocation and settlement (design.md, "Money")."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from organizations.selectors import RestrictedManager
from projects.delivery.models import Project

from .choices import BudgetChangeState, Category, FundingSource, SavingDecision
from .workflows import BudgetChangeWorkflow, DisbursementWorkflow

MONEY = {"max_digits": 14, "decimal_places": 2}
POSITIVE = [MinValueValidator(Decimal("0.01"))]


class BudgetLine(TimeStampedModel):
    """Money for one project in one fiscal year from one source for one category; the lines of a
    project never exceed its approved budget."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="budget_lines", verbose_name=_("project"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    source = models.CharField(_("funding source"), max_length=20, choices=FundingSource.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    amount = models.DecimalField(_("amount (CNY)"), validators=POSITIVE, **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("entered by"))
    # Running totals of the line's disbursements by state, kept by budgets.services (the
    # disbursement doorway and the import) in the transaction that moves the money, under the
    # line's lock; the finance overview sums these instead of every disbursement.
    # `manage.py verify_line_totals` compares them with the disbursements.
    requested_total = models.DecimalField(_("requested (CNY)"), default=Decimal("0"), **MONEY)
    approved_total = models.DecimalField(_("approved, not yet paid (CNY)"), default=Decimal("0"), **MONEY)
    paid_total = models.DecimalField(_("paid (CNY)"), default=Decimal("0"), **MONEY)

    objects = RestrictedManager()

    class Meta:
        ordering = ["project_id", "fiscal_year", "source", "category"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["project", "fiscal_year", "source", "category"], name="budget_line_natural_key"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.fiscal_year} {self.get_source_display()} {self.get_category_display()}"

    @classmethod
    def access_rule(cls, user, action: str):
        """The lines of the projects the user may see."""
        return Project.access_rule(user, action, prefix="project__")


class Disbursement(DisbursementWorkflow, TimeStampedModel):
    """A payment against a budget line, with a unique voucher number; requested → approved → paid, or rejected."""

    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="disbursements", verbose_name=_("budget line"))
    amount = models.DecimalField(_("amount (CNY)"), validators=POSITIVE, **MONEY)
    voucher_no = models.CharField(_("voucher number"), max_length=40, unique=True)
    payee = models.CharField(_("payee"), max_length=200)
    date = models.DateField(_("date"))
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    milestone = models.ForeignKey("projects.Milestone", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="disbursements", verbose_name=_("milestone paid for"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))

    objects = RestrictedManager()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive")]

    def __str__(self) -> str:
        return self.voucher_no

    @classmethod
    def access_rule(cls, user, action: str):
        """The disbursements of the projects the user may see."""
        return Project.access_rule(user, action, prefix="budget_line__project__")


def change_document_path(instance, filename: str) -> str:
    return f"private/budgets/{instance.project_id}/changes/{filename}"


class BudgetChange(BudgetChangeWorkflow, TimeStampedModel):
    """A proposed change of a project's approved budget (old, new, reason, document); approved by a provincial approver."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="budget_changes", verbose_name=_("project"))
    old_amount = models.DecimalField(_("approved budget before (CNY)"), **MONEY)
    new_amount = models.DecimalField(_("approved budget after (CNY)"), **MONEY)
    reason = models.TextField(_("reason"))
    document = models.FileField(_("document"), upload_to=change_document_path, blank=True, max_length=300)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))

    objects = RestrictedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("budget change")
        verbose_name_plural = _("budget changes")
        constraints = [models.CheckConstraint(condition=Q(new_amount__gte=0), name="budget_change_not_negative")]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.old_amount} → {self.new_amount}"

    @property
    def is_open(self) -> bool:
        return self.status == BudgetChangeState.PROPOSED

    @classmethod
    def access_rule(cls, user, action: str):
        return Project.access_rule(user, action, prefix="project__")


class PartialAllocation(models.Model):
    """Finance allocates less than the approved budget, and says why (the lines need not cover it then)."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="partial_allocation", verbose_name=_("project"))
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("partial allocation")
        verbose_name_plural = _("partial allocations")

    def __str__(self) -> str:
        return str(self.project)


class FinalAccount(models.Model):
    """The final account (决算) of a settled project: paid per line and the balance returned."""

    project = models.OneToOneField(Project, on_delete=models.PROTECT, related_name="final_account", verbose_name=_("project"))
    lines = models.JSONField(_("paid per line"), default=list)  # [{"line", "label", "amount", "paid"}]
    budgeted = models.DecimalField(_("budgeted (CNY)"), **MONEY)
    paid = models.DecimalField(_("paid (CNY)"), **MONEY)
    returned = models.DecimalField(_("balance returned (CNY)"), **MONEY)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("settled by"))
    settled_at = models.DateTimeField(_("settled at"), auto_now_add=True)

    class Meta:
        verbose_name = _("final account")
        verbose_name_plural = _("final accounts")

    def __str__(self) -> str:
        return str(self.project)


class SavingsEntry(models.Model):
    """One decision that avoided spending: the figure the province reports as "construction funds saved"."""

    demand = models.ForeignKey("projects.Demand", on_delete=models.PROTECT, related_name="savings", verbose_name=_("demand"))
    decision = models.CharField(_("decision"), max_length=20, choices=SavingDecision.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    org = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("organization"))
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    requested = models.DecimalField(_("requested (CNY)"), **MONEY)
    deducted = models.DecimalField(_("still spent (CNY)"), default=Decimal("0"), **MONEY,
                                   help_text=_("incremental cost of a merge, adaptation cost of a reuse, approved amount of a cut"))
    amount = models.DecimalField(_("saved (CNY)"), **MONEY)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)

    objects = RestrictedManager()
    access_org_path = "org"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("savings entry")
        verbose_name_plural = _("savings entries")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="saving_not_negative")]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.get_decision_display()} {self.amount}"
