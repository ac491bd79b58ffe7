"""Every write on money.

Lock order, everywhere (budget lines, disbursements, budget changes, funding transitions,
imports): the project row first, then its budget lines by ascending id, then the disbursement
or budget change. Every guard that reads other rows is checked again after these locks, inside
the transaction that writes (core.workflow.fire's `lock`), so that no concurrent request gets
between the check and the write: ten approvals racing for one line serialize on the line's lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, workflow
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid
from core.money import AmountError, parse_amount
from core.notifications import notify
from core.uploads import UploadRefused, check_upload
from organizations.choices import Role
from projects.delivery.choices import FundingState
from projects.delivery.models import Project
from projects.delivery.services import project_transition
from projects.ports import FundingFacts

from . import permissions as perm
from .choices import HOLDING_STATES, OPEN_STATES, BudgetChangeState, Category, DisbursementState, FundingSource, SavingDecision
from .models import BudgetChange, BudgetLine, Disbursement, FinalAccount, PartialAllocation, SavingsEntry
from .workflows import FUNDS_RELEASED, held_on_line

ZERO = Decimal("0")
MAX_AMOUNT = Decimal("999999999999.99")
LINE_MACHINE = "budget_line"


# ---------------------------------------------------------------------------------------
# Locks and facts (registered in projects.ports by BudgetsConfig.ready)
# ---------------------------------------------------------------------------------------


def lock_project_money(project_id: int) -> Project:
    """Lock the project row, then its budget lines by ascending id (the one lock order)."""
    project = Project.objects.select_for_update().get(pk=project_id)
    list(BudgetLine.objects.select_for_update().filter(project_id=project_id).order_by("pk").values_list("pk", flat=True))
    return project


# ---------------------------------------------------------------------------------------
# Running totals of a line (BudgetLine.requested_total / approved_total / paid_total)
# ---------------------------------------------------------------------------------------

TOTAL_FIELDS = {DisbursementState.REQUESTED: "requested_total", DisbursementState.APPROVED: "approved_total",
                DisbursementState.PAID: "paid_total"}  # a rejected disbursement holds nothing


def shift_line_totals(line_id: int, amount: Decimal, *, source: str | None = None, target: str | None = None) -> None:
    """Move `amount` of a line's running totals from state `source` to state `target` (either may be None).

    Called inside the transaction that moves the disbursement, after the line's lock (the lock
    order of this module), so that the totals change with the money or not at all."""
    updates = {}
    if source in TOTAL_FIELDS:
        updates[TOTAL_FIELDS[source]] = F(TOTAL_FIELDS[source]) - amount
    if target in TOTAL_FIELDS:
        name = TOTAL_FIELDS[target]
        updates[name] = (updates[name] + amount) if name in updates else F(name) + amount
    if updates:
        BudgetLine.objects.filter(pk=line_id).update(**updates)


def add_line_totals(sums: dict[int, dict[str, Decimal]]) -> None:
    """Add {line id: {state: amount}} to the lines' running totals (an import's new rows; lines locked)."""
    for line_id in sorted(sums):
        updates = {TOTAL_FIELDS[state]: F(TOTAL_FIELDS[state]) + amount for state, amount in sums[line_id].items()
                   if state in TOTAL_FIELDS and amount}
        if updates:
            BudgetLine.objects.filter(pk=line_id).update(**updates)


def _sum_of(state):
    money = DecimalField(max_digits=14, decimal_places=2)
    rows = (Disbursement.objects.filter(budget_line_id=OuterRef("pk"), status=state).order_by()
            .values("budget_line_id").annotate(s=Sum("amount")).values("s"))
    return Coalesce(Subquery(rows, output_field=money), Value(ZERO), output_field=money)


def actual_line_totals():
    """The running totals as the disbursements make them up now, as annotations of lines."""
    return {f"actual_{name}": _sum_of(state) for state, name in TOTAL_FIELDS.items()}


def recompute_line_totals(line_ids=None) -> int:
    """Set the running totals of the lines named (all when None) from their disbursements, in one
    UPDATE; the repair of `verify_line_totals --repair` and the test factories' helper."""
    qs = BudgetLine.objects.all() if line_ids is None else BudgetLine.objects.filter(pk__in=list(line_ids))
    return qs.update(**{name: _sum_of(state) for state, name in TOTAL_FIELDS.items()})


def _cents(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def line_total_mismatches(line_ids=None) -> list[dict]:
    """Lines whose stored running totals differ from the sums of their disbursements (empty when all agree)."""
    qs = BudgetLine.objects.all() if line_ids is None else BudgetLine.objects.filter(pk__in=list(line_ids))
    qs = qs.annotate(**actual_line_totals())
    wrong = Q()
    for name in TOTAL_FIELDS.values():
        wrong |= ~Q(**{name: F(f"actual_{name}")})
    return [
        {"line": row["pk"], "project": row["project__code"],
         **{name: {"stored": _cents(row[name]), "actual": _cents(row[f"actual_{name}"])} for name in TOTAL_FIELDS.values()}}
        for row in qs.filter(wrong).order_by("pk").values("pk", "project__code", *TOTAL_FIELDS.values(),
                                                          *(f"actual_{n}" for n in TOTAL_FIELDS.values()))
    ]


def lock_funding(project) -> None:
    lock_project_money(project.pk)


def prefetch_funding_facts(projects) -> None:
    """The facts of many projects in three queries, kept on each instance (see projects.ports)."""
    projects = [p for p in projects if p.pk]
    ids = [p.pk for p in projects]
    if not ids:
        return
    lines = {r["project_id"]: r for r in BudgetLine.objects.filter(project_id__in=ids).order_by().values("project_id").annotate(
        n=Count("pk"), total=Sum("amount"))}
    money = {r["budget_line__project_id"]: r for r in Disbursement.objects.filter(budget_line__project_id__in=ids).order_by()
             .values("budget_line__project_id").annotate(
                 open=Count("pk", filter=Q(status__in=OPEN_STATES)), paid=Sum("amount", filter=Q(status=DisbursementState.PAID)),
                 payments=Count("pk", filter=Q(status=DisbursementState.PAID)))}
    partial = set(PartialAllocation.objects.filter(project_id__in=ids).values_list("project_id", flat=True))
    for project in projects:
        line = lines.get(project.pk, {"n": 0, "total": None})
        paid = money.get(project.pk, {"open": 0, "paid": None, "payments": 0})
        project.__dict__["_funding_facts"] = _facts(project, line, paid, project.pk in partial)


def _facts(project, lines, money, partial) -> FundingFacts:
    budgeted = lines["total"] or ZERO
    allocated = budgeted if project.funding_status in (FundingState.ALLOCATED, FundingState.DISBURSING, FundingState.SETTLED) else ZERO
    return FundingFacts(
        has_budget=lines["n"] > 0, open_disbursements=money["open"], covers_budget=lines["n"] > 0 and budgeted >= project.approved_budget,
        partial_allocation=partial, budgeted=budgeted, allocated=allocated, paid=money["paid"] or ZERO, payments=money["payments"],
    )


def funding_facts(project) -> FundingFacts:
    """Lines, disbursements and a partial allocation of `project`, in three queries."""
    lines = BudgetLine.objects.filter(project_id=project.pk).aggregate(n=Count("pk"), total=Sum("amount"))
    money = Disbursement.objects.filter(budget_line__project_id=project.pk).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATES)),
        paid=Sum("amount", filter=Q(status=DisbursementState.PAID)),
        payments=Count("pk", filter=Q(status=DisbursementState.PAID)),
    )
    return _facts(project, lines, money, PartialAllocation.objects.filter(project_id=project.pk).exists())


def record_settlement(project, actor) -> FinalAccount:
    """The final account (决算): paid per line, and the balance returned (inside `settle`)."""
    lines = list(BudgetLine.objects.filter(project_id=project.pk).order_by("pk").annotate(
        paid=Sum("disbursements__amount", filter=Q(disbursements__status=DisbursementState.PAID))))
    cents = Decimal("0.01")
    rows = [{"line": line.pk, "fiscal_year": line.fiscal_year, "source": line.source, "category": line.category,
             "amount": str(line.amount.quantize(cents)), "paid": str((line.paid or ZERO).quantize(cents))} for line in lines]
    budgeted = sum((line.amount for line in lines), ZERO).quantize(cents)
    paid = sum((line.paid or ZERO for line in lines), ZERO).quantize(cents)
    account, _created = FinalAccount.objects.update_or_create(
        project=project, defaults={"lines": rows, "budgeted": budgeted, "paid": paid, "returned": budgeted - paid, "settled_by": actor})
    return account


# ---------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------


def clean_amount(value, label: str, *, allow_zero: bool = False) -> Decimal:
    """An amount as clerks type it (core.money), above zero, two decimals at most; TransitionInvalid naming `label`."""
    try:
        amount = value if isinstance(value, Decimal) else parse_amount(value)
    except AmountError as exc:
        raise TransitionInvalid(f"{label}: {exc.reason}.", field_errors={"amount": [f"{label}: {exc.reason}."]}) from None
    problem = None
    if not amount.is_finite():
        problem = _("%(field)s: enter an amount in CNY, e.g. 1200000.00.")
    elif amount < 0 or (amount == 0 and not allow_zero):
        problem = _("%(field)s: the amount must be above zero.")
    elif amount != amount.quantize(Decimal("0.01")):
        problem = _("%(field)s: use at most two decimal places.")
    elif amount > MAX_AMOUNT:
        problem = _("%(field)s: the amount is too large.")
    if problem:
        message = problem % {"field": label}
        raise TransitionInvalid(message, field_errors={"amount": [message]})
    return amount.quantize(Decimal("0.01"))


def _record(obj, actor, transition: str, *, source="", target="", comment="", payload=None, machine=LINE_MACHINE):
    audit.record(audit.AuditEvent.TRANSITION, obj, actor=actor, machine=machine, transition=transition, source=source,
                 target=target, comment=comment, payload=payload)


def _changeable_project(project, actor) -> None:
    if not Project.objects.restrict(actor, "change").filter(pk=project.pk).exists():
        raise TransitionForbidden(_("You are not permitted to do this."))


# ---------------------------------------------------------------------------------------
# Budget lines
# ---------------------------------------------------------------------------------------


def line_room(project: Project, *, exclude_line: int | None = None) -> Decimal:
    """What the approved budget leaves for more lines (read after the project's lock)."""
    qs = BudgetLine.objects.filter(project_id=project.pk)
    if exclude_line is not None:
        qs = qs.exclude(pk=exclude_line)
    return project.approved_budget - (qs.aggregate(total=Sum("amount"))["total"] or ZERO)


def _line_input(project, actor, amount, source, category) -> Decimal:
    """The checks every entry of a line shares (page, API, the edit): who, the amount as the import parses it, the choices."""
    if not perm.may_edit_budget_lines(project, actor):
        raise TransitionForbidden(_("You are not permitted to do this."))
    _changeable_project(project, actor)
    amount = clean_amount(amount, _("Amount"))
    if source not in FundingSource.values:
        raise TransitionInvalid(_("Funding source: choose one of the list."), field_errors={"source": [_("Choose one of the list.")]})
    if category not in Category.values:
        raise TransitionInvalid(_("Category: choose one of the list."), field_errors={"category": [_("Choose one of the list.")]})
    return amount


def _check_room(locked: Project, amount: Decimal, *, exclude_line: int | None = None) -> None:
    room = line_room(locked, exclude_line=exclude_line)
    if amount > room:
        message = _("The lines would exceed the approved budget of %(budget)s: %(room)s is left for new lines.") % {
            "budget": f"{locked.approved_budget:,.2f}", "room": f"{max(room, ZERO):,.2f}"}
        raise TransitionConflict(message, field_errors={"amount": [message]})


def add_budget_line(*, project: Project, actor, fiscal_year: int, source: str, category: str, amount, note: str = "") -> BudgetLine:
    """A new line of `project` (finance or the project's manager); the lines never exceed the approved budget."""
    amount = _line_input(project, actor, amount, source, category)
    with transaction.atomic():
        locked = lock_project_money(project.pk)
        if locked.funding_status == FundingState.SETTLED:
            raise TransitionConflict(_("Project %(code)s is settled: no budget line can be added.") % {"code": locked.code})
        _check_room(locked, amount)
        try:
            with transaction.atomic():
                line = BudgetLine.objects.create(project=locked, fiscal_year=fiscal_year, source=source, category=category,
                                                 amount=amount, note=note or "", created_by=actor)
        except IntegrityError:
            message = _("This project already has a line for that year, source and category: change its amount instead.")
            raise TransitionConflict(message, field_errors={"category": [message]}) from None
        _record(line, actor, "create", target=str(amount))
    return line


def _locked_line(line: BudgetLine) -> tuple[Project, BudgetLine]:
    """The project and its lines locked (the lock order), and the line as saved now."""
    locked = lock_project_money(line.project_id)
    try:
        fresh = BudgetLine.objects.get(pk=line.pk, project_id=locked.pk)
    except BudgetLine.DoesNotExist:
        raise TransitionConflict(_("This budget line was deleted meanwhile.")) from None
    if locked.funding_status == FundingState.SETTLED:
        raise TransitionConflict(_("Project %(code)s is settled: its budget lines cannot change.") % {"code": locked.code})
    return locked, fresh


def update_budget_line(*, line: BudgetLine, actor, fiscal_year: int, source: str, category: str, amount, note: str = "") -> BudgetLine:
    """Correct a line (finance or the project's manager), with the import's rules: the lines never exceed the
    approved budget, a line never drops below what is approved and paid on it, and a line with
    disbursements keeps its year, source and category (its payments were made against them)."""
    amount = _line_input(line.project, actor, amount, source, category)
    with transaction.atomic():
        locked, fresh = _locked_line(line)
        held = fresh.approved_total + fresh.paid_total
        if amount < held:
            message = _("The line cannot go below what is already approved and paid on it (%(held)s).") % {"held": f"{held:,.2f}"}
            raise TransitionConflict(message, field_errors={"amount": [message]})
        key = (int(fiscal_year), source, category)
        if key != (fresh.fiscal_year, fresh.source, fresh.category) and Disbursement.objects.filter(budget_line=fresh).exists():
            message = _("This line has disbursements: its fiscal year, source and category stay; add a new line instead.")
            raise TransitionConflict(message, field_errors={"category": [message]})
        _check_room(locked, amount, exclude_line=fresh.pk)
        before = {"fiscal_year": fresh.fiscal_year, "source": fresh.source, "category": fresh.category, "amount": str(fresh.amount),
                  "note": fresh.note}
        fresh.fiscal_year, fresh.source, fresh.category, fresh.amount, fresh.note = key[0], source, category, amount, (note or "")
        after = {"fiscal_year": fresh.fiscal_year, "source": fresh.source, "category": fresh.category, "amount": str(fresh.amount),
                 "note": fresh.note}
        if before == after:
            return fresh
        try:
            with transaction.atomic():
                fresh.save(update_fields=["fiscal_year", "source", "category", "amount", "note", "updated_at"])
        except IntegrityError:
            message = _("This project already has a line for that year, source and category: change its amount instead.")
            raise TransitionConflict(message, field_errors={"category": [message]}) from None
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        _record(fresh, actor, "update", source=before["amount"], target=after["amount"], payload={"changes": changes})
    return fresh


def delete_budget_line(*, line: BudgetLine, actor) -> None:
    """Delete a line that nothing was ever requested against (finance or the project's manager); logged first."""
    if not perm.may_edit_budget_lines(line.project, actor):
        raise TransitionForbidden(_("You are not permitted to do this."))
    _changeable_project(line.project, actor)
    with transaction.atomic():
        _locked, fresh = _locked_line(line)
        if Disbursement.objects.filter(budget_line=fresh).exists():
            raise TransitionConflict(_("This line has disbursements: it cannot be deleted (set its amount instead)."))
        _record(fresh, actor, "delete", source=str(fresh.amount), payload={
            "fiscal_year": fresh.fiscal_year, "source": fresh.source, "category": fresh.category, "amount": str(fresh.amount)})
        fresh.delete()


# ---------------------------------------------------------------------------------------
# Disbursements
# ---------------------------------------------------------------------------------------


def request_disbursement(*, line: BudgetLine, actor, amount, voucher_no: str, payee: str, date, purpose: str = "",
                         milestone=None) -> Disbursement:
    """A disbursement against `line`, requested by finance (the project's funds must be allocated)."""
    if not perm.may_manage_money(actor):
        raise TransitionForbidden(_("You are not permitted to do this."))
    _changeable_project(line.project, actor)
    amount = clean_amount(amount, _("Amount"))
    voucher_no = (voucher_no or "").strip()
    if not voucher_no:
        raise TransitionInvalid(_("Voucher number: this field is required."), field_errors={"voucher_no": [_("This field is required.")]})
    if not (payee or "").strip():
        raise TransitionInvalid(_("Payee: this field is required."), field_errors={"payee": [_("This field is required.")]})
    if milestone is not None and milestone.project_id != line.project_id:
        raise TransitionInvalid(_("Milestone: it belongs to another project."), field_errors={"milestone": [_("Not of this project.")]})
    with transaction.atomic():
        project = lock_project_money(line.project_id)  # project, then its lines: the lock order
        if project.funding_status not in FUNDS_RELEASED:
            raise TransitionConflict(_("Project %(code)s: funds are not allocated (or the project is settled); no disbursement can be requested.")
                                     % {"code": project.code}, state=project.funding_status)
        fresh = BudgetLine.objects.get(pk=line.pk)
        left = fresh.amount - held_on_line(fresh.pk)
        if amount > left:
            message = _("The line has %(left)s left: %(amount)s is more.") % {"left": f"{left:,.2f}", "amount": f"{amount:,.2f}"}
            raise TransitionConflict(message, field_errors={"amount": [message]})
        if Disbursement.objects.filter(voucher_no=voucher_no).exists():
            message = _("Voucher number %(no)s is already used.") % {"no": voucher_no}
            raise TransitionConflict(message, field_errors={"voucher_no": [message]})
        try:
            with transaction.atomic():
                disbursement = Disbursement.objects.create(
                    budget_line=fresh, amount=amount, voucher_no=voucher_no, payee=payee.strip(), date=date or timezone.localdate(),
                    purpose=(purpose or "").strip(), milestone=milestone, requested_by=actor)
        except IntegrityError:
            message = _("Voucher number %(no)s is already used.") % {"no": voucher_no}
            raise TransitionConflict(message, field_errors={"voucher_no": [message]}) from None
        shift_line_totals(fresh.pk, amount, target=DisbursementState.REQUESTED)
        _record(disbursement, actor, "request", target=DisbursementState.REQUESTED, machine="status", payload={"amount": str(amount)})
    return disbursement


def disbursement_transition(*, disbursement: Disbursement, name: str, actor, comment: str = "") -> Disbursement:
    """approve, pay or reject `disbursement` through the doorway.

    The guards (money left on the line, the project's funds released) are checked again after
    locking the project, the line and the disbursement, in that order. The first payment fires
    the project's `begin_disbursing` as the system, in the same transaction.
    """
    held: dict = {"source": disbursement.status}

    def lock():
        held["project"] = lock_project_money(disbursement.budget_line.project_id)
        Disbursement.objects.select_for_update().filter(pk=disbursement.pk).values_list("pk", flat=True).first()

    def after_save():
        # The state saved above was `source` (a stale copy fails with ConcurrentTransition before this).
        shift_line_totals(disbursement.budget_line_id, disbursement.amount, source=held["source"], target=disbursement.status)
        project = held["project"]
        if name == "pay" and project.funding_status == FundingState.ALLOCATED:
            project_transition(project=project, machine="funding", name="begin_disbursing", actor=None,
                               comment=_("First payment: %(voucher)s") % {"voucher": disbursement.voucher_no})

    if name == "reject" and not (comment or "").strip():
        raise TransitionInvalid(_("Say why the disbursement is rejected."), field_errors={"comment": [_("A reason is required.")]})
    return workflow.fire(disbursement, field="status", name=name, actor=actor, comment=comment, lock=lock, after_save=after_save,
                         payload={"amount": str(disbursement.amount), "voucher_no": disbursement.voucher_no})


@dataclass
class RowOutcome:
    pk: int
    voucher_no: str
    ok: bool
    message: str = ""


def bulk_disbursement_transition(*, disbursements, name: str, actor, comment: str = "") -> list[RowOutcome]:
    """The same transition on several disbursements, each in its own transaction (each row logged)."""
    outcomes = []
    for disbursement in disbursements:
        try:
            disbursement_transition(disbursement=disbursement, name=name, actor=actor, comment=comment)
        except (TransitionConflict, TransitionForbidden, TransitionInvalid) as exc:
            outcomes.append(RowOutcome(disbursement.pk, disbursement.voucher_no, False, str(exc.message)))
        else:
            outcomes.append(RowOutcome(disbursement.pk, disbursement.voucher_no, True))
    return outcomes


# ---------------------------------------------------------------------------------------
# Budget changes
# ---------------------------------------------------------------------------------------


def propose_budget_change(*, project: Project, actor, new_amount, reason: str, document=None) -> BudgetChange:
    """Propose a new approved budget (the project's manager or finance), with its reason and document."""
    if not perm.may_propose_budget_change(project, actor):
        raise TransitionForbidden(_("You are not permitted to do this."))
    new_amount = clean_amount(new_amount, _("New approved budget"), allow_zero=True)
    if not (reason or "").strip():
        raise TransitionInvalid(_("Reason: say why the budget changes."), field_errors={"reason": [_("This field is required.")]})
    if document:
        try:
            name, _type = check_upload(document)
        except UploadRefused as err:
            message = _("Document: %(reason)s") % {"reason": " ".join(err.messages)}
            raise TransitionInvalid(message, field_errors={"document": [message]}) from None
    with transaction.atomic():
        locked = lock_project_money(project.pk)  # the project, then its lines: their total holds until commit
        if new_amount == locked.approved_budget:
            message = _("The new budget equals the approved budget (%(budget)s): nothing to change.") % {
                "budget": f"{locked.approved_budget:,.2f}"}
            raise TransitionInvalid(message, field_errors={"new_amount": [message]})
        lines = lines_total(locked.pk)
        if new_amount < lines:
            # Approved plus paid never exceed the lines, so the lines' total is the floor of the budget.
            message = _("The new budget %(new)s is below the total of the project's budget lines (%(total)s): "
                        "reduce the lines first, or propose at least %(total)s.") % {
                "new": f"{new_amount:,.2f}", "total": f"{lines:,.2f}"}
            raise TransitionConflict(message, field_errors={"new_amount": [message]})
        if BudgetChange.objects.filter(project=locked, status=BudgetChangeState.PROPOSED).exists():
            raise TransitionConflict(_("A budget change of this project is already waiting for a decision."))
        change = BudgetChange(project=locked, old_amount=locked.approved_budget, new_amount=new_amount, reason=reason.strip(),
                              proposed_by=actor)
        if document:
            document.seek(0)
            change.document.save(name, document, save=False)
        change.save()
        _record(change, actor, "propose", target=BudgetChangeState.PROPOSED, machine="status",
                payload={"old": str(change.old_amount), "new": str(change.new_amount)})
        transaction.on_commit(lambda: _tell_approvers(change.pk))
    return change


def lines_total(project_id: int) -> Decimal:
    """The total of a project's budget lines (the lowest approved budget they allow)."""
    return BudgetLine.objects.filter(project_id=project_id).aggregate(total=Sum("amount"))["total"] or ZERO


def _change_url(change) -> str:
    return reverse("budgets:project_money", args=[change.project_id])


def _tell_approvers(change_id: int) -> None:
    """A proposed budget change: the provincial approvers decide on it (after commit)."""
    change = BudgetChange.objects.select_related("project", "proposed_by").get(pk=change_id)
    people = get_user_model().objects.filter(is_active=True, role=Role.PROVINCIAL_APPROVER)
    notify(people, verb="budget_change.proposed", obj=change, actor=change.proposed_by, url=_change_url(change),
           exclude=[change.proposed_by] if change.proposed_by else (),
           message=gettext_lazy("%(who)s proposes to change the approved budget of %(code)s from %(old)s to %(new)s."),
           params={"who": str(change.proposed_by or ""), "code": change.project.code, "old": f"{change.old_amount:,.2f}",
                   "new": f"{change.new_amount:,.2f}"})


def _tell_proposer(change_id: int, actor) -> None:
    """An approved or rejected budget change: its proposer hears of it (after commit)."""
    change = BudgetChange.objects.select_related("project", "proposed_by").get(pk=change_id)
    if change.proposed_by is None:
        return
    message = (gettext_lazy("Your budget change of %(code)s (%(old)s → %(new)s) was approved.")
               if change.status == BudgetChangeState.APPROVED else
               gettext_lazy("Your budget change of %(code)s (%(old)s → %(new)s) was rejected."))
    notify([change.proposed_by], verb=f"budget_change.{change.status}", obj=change, actor=actor, url=_change_url(change),
           exclude=[actor] if actor else (), message=message,
           params={"code": change.project.code, "old": f"{change.old_amount:,.2f}", "new": f"{change.new_amount:,.2f}"})


def budget_change_transition(*, change: BudgetChange, name: str, actor, comment: str = "") -> BudgetChange:
    """approve or reject a budget change; approval sets the project's approved budget in the same transaction."""

    def lock():
        Project.objects.select_for_update().filter(pk=change.project_id).values_list("pk", flat=True).first()
        BudgetChange.objects.select_for_update().filter(pk=change.pk).values_list("pk", flat=True).first()

    def after_save():
        if name != "approve":
            return
        project = Project.objects.get(pk=change.project_id)  # locked above
        before = project.approved_budget
        project.approved_budget = change.new_amount
        project.save(update_fields=["approved_budget", "updated_at"])  # a save: the change feed hears of it
        audit.record(audit.AuditEvent.TRANSITION, project, actor=actor, machine="approved_budget", transition="budget_change",
                     source=str(before), target=str(change.new_amount), comment=change.reason, payload={"budget_change": change.pk})

    if name == "reject" and not (comment or "").strip():
        raise TransitionInvalid(_("Say why the budget change is rejected."), field_errors={"comment": [_("A reason is required.")]})
    return workflow.fire(change, field="status", name=name, actor=actor, comment=comment, lock=lock, after_save=after_save,
                         kwargs={"by": actor}, payload={"old": str(change.old_amount), "new": str(change.new_amount)},
                         on_commit=[lambda: _tell_proposer(change.pk, actor)])


# ---------------------------------------------------------------------------------------
# Allocation
# ---------------------------------------------------------------------------------------


def record_partial_allocation(*, project: Project, actor, reason: str) -> PartialAllocation:
    """Finance allocates less than the approved budget and says why (then `allocate` needs no full cover)."""
    if not perm.may_manage_money(actor):
        raise TransitionForbidden(_("You are not permitted to do this."))
    if not (reason or "").strip():
        raise TransitionInvalid(_("Reason: say why only part of the budget is allocated."), field_errors={"reason": [_("This field is required.")]})
    with transaction.atomic():
        Project.objects.select_for_update().filter(pk=project.pk).values_list("pk", flat=True).first()
        entry, _created = PartialAllocation.objects.update_or_create(project=project, defaults={"reason": reason.strip(), "recorded_by": actor})
        _record(project, actor, "partial_allocation", comment=reason.strip(), machine="funding")
    return entry


# ---------------------------------------------------------------------------------------
# The savings ledger (registered in projects.ports)
# ---------------------------------------------------------------------------------------

DEDUCTIONS = {"merge": "incremental_cost", "reuse": "adaptation_cost", "budget_cut": "approved"}


def _money(value) -> Decimal:
    try:
        return parse_amount(value) if not isinstance(value, Decimal) else value
    except AmountError:
        return ZERO


def record_saving(*, demand, decision: str, amount: Decimal, actor, reason: str = "", **details) -> SavingsEntry:
    """One entry per decision that avoided spending (inside the decision's transaction).

    merge: the demand's total minus a declared incremental cost (`incremental_cost`);
    reuse: the total minus a declared adaptation cost (`adaptation_cost`);
    budget_cut: requested minus approved (`requested`, `approved`; else `amount` is the cut).
    """
    if decision not in SavingDecision.values:
        raise ValueError(f"unknown saving decision {decision!r}")
    requested = _money(details.get("requested", amount if decision != "budget_cut" else demand.budget_total))
    key = DEDUCTIONS[decision]
    if key in details and details[key] not in (None, ""):
        deducted = _money(details[key])
    elif decision == "budget_cut":
        deducted = requested - _money(amount)
    else:
        deducted = ZERO
    saved = max(requested - deducted, ZERO)
    entry = SavingsEntry.objects.create(
        demand=demand, decision=decision, decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        org_id=demand.org_id, year=timezone.localdate().year, requested=requested, deducted=min(deducted, requested),
        amount=saved, reason=reason or "")
    return entry


# ---------------------------------------------------------------------------------------
# Imports (budgets.resources writes through these checks)
# ---------------------------------------------------------------------------------------


def holding_by_line(line_ids) -> dict[int, Decimal]:
    """Approved plus paid per line, for the lines named (one query)."""
    rows = (Disbursement.objects.filter(budget_line_id__in=list(line_ids), status__in=HOLDING_STATES)
            .values("budget_line_id").annotate(total=Sum("amount")))
    return {r["budget_line_id"]: r["total"] for r in rows}
