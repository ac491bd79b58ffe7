"""Every read of money that depends on who asks: the lines, disbursements, budget changes and
savings of the projects (and demands) the user may see, and the figures of the finance pages.

The overview is a fixed number of grouped queries whatever the number of projects and
disbursements: lines, with their running totals, grouped by (year, organization, source,
category); the roll-ups are summed in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.http import object_id
from organizations.models import Organization
from projects.delivery.models import Project

from .choices import HOLDING_STATES, OPEN_STATES, Category, DisbursementState, FundingSource, SavingDecision
from .models import BudgetChange, BudgetLine, Disbursement, FinalAccount, SavingsEntry

PROVINCIAL = _("Provincial")  # the city column of a provincial organization
ZERO = Decimal("0")


def lines_visible_to(user) -> QuerySet[BudgetLine]:
    return BudgetLine.objects.restrict(user).select_related("project")


def disbursements_visible_to(user) -> QuerySet[Disbursement]:
    return Disbursement.objects.restrict(user).select_related("budget_line__project", "milestone")


def budget_changes_visible_to(user) -> QuerySet[BudgetChange]:
    return BudgetChange.objects.restrict(user).select_related("project", "proposed_by", "decided_by")


def savings_visible_to(user) -> QuerySet[SavingsEntry]:
    return SavingsEntry.objects.restrict(user).select_related("demand", "org__region", "decided_by")


def _one(qs, pk):
    try:
        return qs.get(pk=object_id(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def disbursement_for(user, pk) -> Disbursement:
    return _one(disbursements_visible_to(user), pk)


def budget_change_for(user, pk) -> BudgetChange:
    return _one(budget_changes_visible_to(user), pk)


def line_for(user, pk) -> BudgetLine:
    return _one(lines_visible_to(user), pk)


def rate(paid: Decimal, budgeted: Decimal) -> Decimal | None:
    """The execution rate in percent (paid of budgeted), one decimal; None without a budget."""
    if not budgeted:
        return None
    return (paid * 100 / budgeted).quantize(Decimal("0.1"))


# ---------------------------------------------------------------------------------------
# One project's money
# ---------------------------------------------------------------------------------------


@dataclass
class ProjectMoney:
    approved: Decimal
    budgeted: Decimal
    allocated: Decimal
    approved_out: Decimal  # approved, not yet paid
    requested: Decimal
    paid: Decimal
    remaining: Decimal  # budgeted less approved and paid
    rate: Decimal | None
    lines: list = field(default_factory=list)


def project_money(project: Project) -> ProjectMoney:
    """The funding lane's figures: approved, budgeted, allocated, paid, remaining, execution rate; and per line."""
    lines = list(BudgetLine.objects.filter(project_id=project.pk).order_by("fiscal_year", "source", "category", "pk").annotate(
        paid=Sum("disbursements__amount", filter=Q(disbursements__status=DisbursementState.PAID)),
        held=Sum("disbursements__amount", filter=Q(disbursements__status__in=HOLDING_STATES)),
        requested=Sum("disbursements__amount", filter=Q(disbursements__status=DisbursementState.REQUESTED)),
        has_rejected=Count("disbursements", filter=Q(disbursements__status=DisbursementState.REJECTED)),
    ))
    budgeted = sum((line.amount for line in lines), ZERO)
    paid = sum((line.paid or ZERO for line in lines), ZERO)
    held = sum((line.held or ZERO for line in lines), ZERO)
    requested = sum((line.requested or ZERO for line in lines), ZERO)
    for line in lines:
        line.remaining = line.amount - (line.held or ZERO)
        line.rate = rate(line.paid or ZERO, line.amount)
    allocated = budgeted if project.funding_status in ("allocated", "disbursing", "settled") else ZERO
    return ProjectMoney(approved=project.approved_budget, budgeted=budgeted, allocated=allocated, approved_out=held - paid,
                        requested=requested, paid=paid, remaining=budgeted - held, rate=rate(paid, budgeted), lines=lines)


def project_money_page(user, project: Project) -> dict:
    """What the project's money page shows: the figures, disbursements, budget changes, final account."""
    return {
        "money": project_money(project),
        "disbursements": list(disbursements_visible_to(user).filter(budget_line__project=project).order_by("-date", "-pk")[:500]),
        "changes": list(budget_changes_visible_to(user).filter(project=project)),
        "final_account": FinalAccount.objects.filter(project=project).first(),
    }


# ---------------------------------------------------------------------------------------
# The finance overview
# ---------------------------------------------------------------------------------------


@dataclass
class Row:
    key: object
    label: str
    budgeted: Decimal = ZERO
    paid: Decimal = ZERO
    held: Decimal = ZERO

    @property
    def rate(self):
        return rate(self.paid, self.budgeted)

    @property
    def remaining(self):
        return self.budgeted - self.held


def overview(user, *, year: int | None = None) -> dict:
    """Budgeted, approved-and-paid and paid by year, organization, source and category, with execution rates.

    Two queries whatever the volume (lines grouped, organization names): the lines carry running
    totals of their disbursements (BudgetLine.approved_total / paid_total, kept by the services
    in the transaction that moves the money), so the overview sums lines, not disbursements.
    """
    lines = lines_visible_to(user).select_related(None)
    if year:
        lines = lines.filter(fiscal_year=year)
    keys = ("fiscal_year", "project__construction_org_id", "source", "category")
    line_rows = lines.order_by().values(*keys).annotate(
        total=Sum("amount"), held=Sum(F("approved_total") + F("paid_total")), paid=Sum("paid_total"))
    groups = {name: {} for name in ("year", "org", "source", "category")}
    total = Row("total", "")

    def rows_for(values):
        return (("year", values[0]), ("org", values[1]), ("source", values[2]), ("category", values[3]))

    for r in line_rows:
        for name, key in rows_for([r[k] for k in keys]):
            row = groups[name].setdefault(key, Row(key, ""))
            row.budgeted += r["total"]
            row.held += r["held"] or ZERO
            row.paid += r["paid"] or ZERO
        total.budgeted += r["total"]
        total.held += r["held"] or ZERO
        total.paid += r["paid"] or ZERO
    org_names = dict(Organization.objects.filter(pk__in=list(groups["org"])).values_list("pk", "name"))
    sources, categories = dict(FundingSource.choices), dict(Category.choices)
    for key, row in groups["year"].items():
        row.label = str(key)
    for key, row in groups["org"].items():
        row.label = org_names.get(key, str(key))
    for key, row in groups["source"].items():
        row.label = str(sources.get(key, key))
    for key, row in groups["category"].items():
        row.label = str(categories.get(key, key))
    return {
        "total": total,
        "by_year": sorted(groups["year"].values(), key=lambda r: r.key, reverse=True),
        "by_org": sorted(groups["org"].values(), key=lambda r: -r.budgeted),
        "by_source": sorted(groups["source"].values(), key=lambda r: FundingSource.values.index(r.key)),
        "by_category": sorted(groups["category"].values(), key=lambda r: Category.values.index(r.key)),
    }


def disbursement_queue(user, *, status: str | None = None) -> QuerySet[Disbursement]:
    """Disbursements waiting for finance (requested, then approved), oldest first."""
    qs = disbursements_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=OPEN_STATES)
    return qs.order_by("date", "pk")


# ---------------------------------------------------------------------------------------
# The savings ledger
# ---------------------------------------------------------------------------------------


def savings_totals(user, qs: QuerySet[SavingsEntry] | None = None) -> dict:
    """Saved amounts (and entry counts) by year, organization, city and reason; the entries list makes them up."""
    qs = (savings_visible_to(user) if qs is None else qs).select_related(None).order_by()
    decisions = dict(SavingDecision.choices)

    def grouped(key, label_of):
        return [{"key": r[key], "label": label_of(r), "amount": r["amount"], "count": r["n"]}
                for r in qs.values(*({key} | set(label_fields.get(key, ())))).annotate(amount=Sum("amount"), n=Count("pk")).order_by("-amount")]

    label_fields = {"org_id": ("org__name",), "org__city_id": ("org__city__name", "org__city__name_en")}
    english = get_language().startswith("en")

    def city_label(r):
        if r.get("org__city_id") is None:
            return str(PROVINCIAL)  # provincial organizations have no city
        return (english and r.get("org__city__name_en")) or r.get("org__city__name") or "—"

    totals = qs.aggregate(amount=Sum("amount"), n=Count("pk"))
    return {
        "total": totals["amount"] or ZERO,
        "count": totals["n"],
        "by_year": grouped("year", lambda r: str(r["year"])),
        "by_org": grouped("org_id", lambda r: r["org__name"]),
        "by_city": grouped("org__city_id", city_label),
        "by_reason": grouped("decision", lambda r: str(decisions.get(r["decision"], r["decision"]))),
    }
