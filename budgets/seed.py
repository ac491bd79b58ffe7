"""Demo money (seed_demo step "money"): budget lines, budget changes, disbursements in every state
and savings entries, so that the finance pages show a believable year: about a third of the
projects disbursing, a few settled. Everything goes through the services (the doorway, the locks,
the audit rows). Idempotent: a second run finds its vouchers and changes nothing.

The projects step asks for money through `projects.ports.fund_for_demo` while it drives each
project's funding machine (registered in BudgetsConfig.ready): lines before `budget`, the first
payment (which fires `begin_disbursing` itself) instead of pressing that button.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from projects.delivery.choices import FundingState
from projects.delivery.models import Project
from projects.delivery.services import project_transition
from projects.demands.models import Demand

from . import services
from .choices import Category, DisbursementState, FundingSource
from .models import BudgetChange, BudgetLine, Disbursement, SavingsEntry

PREFIX = "DEMO-"
SHARES = ((Category.SOFTWARE, Decimal("0.5")), (Category.HARDWARE, Decimal("0.3")), (Category.SERVICES, Decimal("0.2")))
SOURCES = list(FundingSource.values)
PAYEES = ["吉林祥云信息技术有限公司", "长春市数字科技有限公司", "延边智慧城市运营有限公司", "吉林省软件测评中心"]
CENT = Decimal("0.01")
# At most this many projects are funded and paid by the seed, whatever the --scale: every payment
# goes through the doorway (locks, guards, audit rows), and a year of a few hundred paying projects
# shows every page; at --scale 100 funding a third of 27,000 projects took well over an hour.
MAX_FUNDED = 600


def _users(ctx=None) -> dict:
    if ctx is not None and ctx.users:
        return ctx.users
    return {u.username: u for u in get_user_model().objects.filter(username__in=["finance", "pm", "prov_approver", "prov_reviewer"])}


def _voucher(project, n: int) -> str:
    return f"{PREFIX}{project.code}-{n:02d}"


def add_lines(project, users) -> None:
    """Lines covering the approved budget: software, hardware, services, from one source per project."""
    if project.approved_budget <= 0 or BudgetLine.objects.filter(project=project).exists():
        return
    source = SOURCES[project.pk % len(SOURCES)]
    left = project.approved_budget
    for i, (category, share) in enumerate(SHARES):
        amount = left if i == len(SHARES) - 1 else (project.approved_budget * share).quantize(CENT, ROUND_DOWN)
        left -= amount
        if amount > 0:
            services.add_budget_line(project=project, actor=users["finance"], fiscal_year=project.year, source=source,
                                     category=category, amount=amount, note="演示数据")


def _pay(project, users, line, share: Decimal, n: int, *, to: str = DisbursementState.PAID, days_ago: int = 60) -> Disbursement | None:
    voucher = _voucher(project, n)
    if Disbursement.objects.filter(voucher_no=voucher).exists():
        return None
    amount = (line.amount * share).quantize(CENT, ROUND_DOWN)
    if amount <= 0:
        return None
    d = services.request_disbursement(line=line, actor=users["finance"], amount=amount, voucher_no=voucher,
                                      payee=PAYEES[(project.pk + n) % len(PAYEES)], date=timezone.localdate() - timedelta(days=days_ago),
                                      purpose="合同进度款（演示数据）")
    steps = {DisbursementState.REQUESTED: [], DisbursementState.APPROVED: ["approve"], DisbursementState.PAID: ["approve", "pay"],
             DisbursementState.REJECTED: ["reject"]}[to]
    for name in steps:
        services.disbursement_transition(disbursement=d, name=name, actor=users["finance"],
                                         comment="票据不全，退回补正" if name == "reject" else "演示数据")
    return d


def fund_for_demo(project, name: str, users: dict) -> bool:
    """projects.ports.fund_for_demo: lines before `budget`; the first payment instead of `begin_disbursing`."""
    if name == "budget":
        add_lines(project, users)
    elif name == "begin_disbursing":
        line = BudgetLine.objects.filter(project=project).order_by("pk").first()
        if line is not None and _pay(project, users, line, Decimal("0.3"), 1, days_ago=120):
            return True
    return False


def _drive_to_disbursing(project, users) -> None:
    add_lines(project, users)
    for name in ("budget", "allocate"):
        project_transition(project=project, machine="funding", name=name, actor=users["finance"], comment="演示数据")
    fund_for_demo(project, "begin_disbursing", users)


def run(ctx) -> str:
    users = _users(ctx)
    if Disbursement.objects.filter(voucher_no__startswith=PREFIX, voucher_no__endswith="-02").exists():
        return _summary("already seeded")
    total = Project.objects.count()
    moving = Project.objects.filter(funding_status__in=(FundingState.DISBURSING, FundingState.SETTLED)).count()
    # About a third of the projects disbursing or settled: some just-approved projects get their money too.
    wanted = min(max(0, total // 3 - moving), 200 * ctx.scale, MAX_FUNDED)
    for project in Project.objects.filter(funding_status=FundingState.UNFUNDED, approved_budget__gt=0).order_by("pk")[:wanted]:
        _drive_to_disbursing(project, users)
    # Every state of the disbursement machine on the projects being paid.
    for i, project in enumerate(Project.objects.filter(funding_status=FundingState.DISBURSING).order_by("pk")[:MAX_FUNDED]):
        lines = list(BudgetLine.objects.filter(project=project).order_by("pk"))
        if not lines:
            continue
        _pay(project, users, lines[0], Decimal("0.2"), 2, days_ago=45)
        _pay(project, users, lines[-1], Decimal("0.1"), 3, to=(DisbursementState.REQUESTED, DisbursementState.APPROVED,
                                                             DisbursementState.REJECTED)[i % 3], days_ago=10)
        if i % 2 == 0 and len(lines) > 1:
            _pay(project, users, lines[1], Decimal("0.25"), 4, to=DisbursementState.REQUESTED, days_ago=3)
    _budget_changes(users)
    _redirect_savings(users)
    _budget_cuts(users)
    return _summary("seeded")


def _budget_changes(users) -> None:
    """Three budget changes: one approved (an increase), one rejected, one waiting for the approver."""
    if BudgetChange.objects.exists():
        return
    candidates = list(Project.objects.filter(funding_status__in=(FundingState.UNFUNDED, FundingState.BUDGETED, FundingState.ALLOCATED),
                                             approved_budget__gt=0).order_by("-funding_status", "pk")[:3])
    for i, project in enumerate(candidates):
        change = services.propose_budget_change(
            project=project, actor=users["pm"] if i != 1 else users["finance"],
            new_amount=(project.approved_budget * Decimal("1.15")).quantize(CENT), reason="新增两个地市接入，扩容云资源（演示数据）")
        if i == 0:
            services.budget_change_transition(change=change, name="approve", actor=users["prov_approver"], comment="同意扩容")
        elif i == 1:
            services.budget_change_transition(change=change, name="reject", actor=users["prov_approver"], comment="请先完成一期验收")


def _redirect_savings(users) -> None:
    """Merged and reused demands whose decision left no entry (filed in bulk by the demand seed) get theirs."""
    from projects.demands.choices import DemandStatus

    decided = set(SavingsEntry.objects.values_list("demand_id", flat=True))
    for demand in Demand.objects.filter(status__in=(DemandStatus.MERGED, DemandStatus.REUSE)).exclude(pk__in=decided).order_by("pk"):
        decision = "merge" if demand.status == DemandStatus.MERGED else "reuse"
        services.record_saving(demand=demand, decision=decision, amount=demand.budget_total, actor=users["prov_reviewer"],
                               reason="与已有系统或在建项目重复（演示数据）")


def _budget_cuts(users) -> None:
    """Budget cuts at approval for a few approved demands (the reviewer's recommendation)."""
    if SavingsEntry.objects.filter(decision="budget_cut").exists():
        return
    for demand in Demand.objects.filter(project__isnull=False, budget_total__gt=0).order_by("pk")[:4]:
        approved = (demand.budget_total * Decimal("0.85")).quantize(CENT)
        services.record_saving(demand=demand, decision="budget_cut", amount=demand.budget_total - approved, actor=users["prov_approver"],
                               reason="专家评审建议核减（演示数据）", requested=demand.budget_total, approved=approved)


def _summary(state: str) -> str:
    counts = {s: Disbursement.objects.filter(status=s).count() for s in DisbursementState.values}
    return (f"{state}: {BudgetLine.objects.count()} budget lines, {Disbursement.objects.count()} disbursements "
            f"({', '.join(f'{k} {v}' for k, v in counts.items())}), {BudgetChange.objects.count()} budget changes, "
            f"{SavingsEntry.objects.count()} savings entries")
