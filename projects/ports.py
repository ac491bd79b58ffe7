"""What other parts of the system plug into: projects never imports budgets or reports.

A lower part declares here what it needs to tell or to ask; the part that answers registers
in its AppConfig.ready():

- `demand_submitted`: sent after the commit of a submission (redundancy queues its check).
- `demand_redirected`: sent inside the transaction of `merge` / `recommend_reuse` with the chosen
  candidate (redundancy resolves the flags on it, with an audit row each).
- `catalogue_changed` lives in assets (`assets.signals`); redundancy's index listens to it.
- The savings ledger (`record_saving`): one entry per decision that avoided spending. The
  budgets app registers its ledger; until then nothing is recorded.
- Funding facts (`funding_facts`): what the funding guards of a project need to know about
  its money (budget lines, open disbursements, what was paid). The budgets app registers the
  real ones; the default knows only the approved budget.
- Funding locks (`lock_funding`): taken inside a funding transition's transaction before its
  guards are checked again, so that no disbursement or line slips between check and write.
  Lock order everywhere: the project row, then its budget lines (ascending id), then a
  disbursement or budget change. The budgets app registers the real lock.
- Settlement (`record_settlement`): the final account (决算) written in the transaction of
  `settle`. The budgets app registers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.dispatch import Signal

demand_submitted = Signal()  # kwargs: demand_id
demand_redirected = Signal()  # kwargs: demand, kind, candidate_id, state, actor, comment


class SavingsLedger(Protocol):
    def __call__(self, *, demand, decision: str, amount: Decimal, actor, reason: str = "", **details) -> None: ...


@dataclass(frozen=True)
class FundingFacts:
    """What a project's funding guards read: the budgets app's figures, or the defaults."""

    has_budget: bool  # at least one budget line
    open_disbursements: int  # requested or approved, not yet paid or rejected
    covers_budget: bool = False  # the lines add up to the approved budget
    partial_allocation: bool = False  # finance recorded a partial allocation with its reason
    budgeted: Decimal = Decimal("0")  # sum of the lines
    allocated: Decimal = Decimal("0")  # what allocation makes available (the lines once allocated)
    paid: Decimal = Decimal("0")  # sum of paid disbursements
    payments: int = 0  # paid disbursements


class FundingFactsSource(Protocol):
    def __call__(self, project) -> FundingFacts: ...


def _no_ledger(*, demand, decision: str, amount: Decimal, actor, reason: str = "", **details) -> None:
    return None


def _default_funding_facts(project) -> FundingFacts:
    has = project.approved_budget > 0
    return FundingFacts(has_budget=has, open_disbursements=0, covers_budget=has, budgeted=project.approved_budget)


def _no_lock(project) -> None:
    return None


def _no_prefetch(projects) -> None:
    return None


def _no_demo_funding(project, name: str, users: dict) -> bool:
    return False


def _no_settlement(project, actor) -> None:
    return None


_registry: dict[str, object] = {
    "savings": _no_ledger, "funding": _default_funding_facts, "lock": _no_lock, "settlement": _no_settlement,
    "prefetch": _no_prefetch, "demo_funding": _no_demo_funding,
}


def register_savings_ledger(ledger: SavingsLedger) -> None:
    _registry["savings"] = ledger


def register_funding_facts(source: FundingFactsSource) -> None:
    _registry["funding"] = source


def register_funding_lock(lock) -> None:
    _registry["lock"] = lock


def register_settlement(recorder) -> None:
    _registry["settlement"] = recorder


def register_funding_prefetch(prefetch) -> None:
    _registry["prefetch"] = prefetch


def prefetch_funding_facts(projects) -> None:
    """Load the funding facts of many projects in a few queries (a list), kept on each instance
    (`_funding_facts`) until the instance is locked for a transition."""
    _registry["prefetch"](projects)


def register_demo_funding(step) -> None:
    _registry["demo_funding"] = step


def fund_for_demo(project, name: str, users: dict) -> bool:
    """Demo data: give `project` the money facts funding transition `name` needs (lines before
    `budget`; the first payment, which fires `begin_disbursing` itself). True when the budgets app
    fired the transition itself."""
    return _registry["demo_funding"](project, name, users)


def lock_funding(project) -> None:
    """Lock the rows the funding guards of `project` read (inside the caller's transaction); the
    facts a list prefetched onto the instance are dropped, so the guards read what is committed."""
    project.__dict__.pop("_funding_facts", None)
    _registry["lock"](project)


def record_settlement(project, actor) -> None:
    """Write the final account of `project` (inside the transaction of `settle`)."""
    _registry["settlement"](project, actor)


def record_saving(*, demand, decision: str, amount: Decimal, actor, reason: str = "", **details) -> None:
    """Record the construction funds a decision avoided (called inside the decision's transaction)."""
    _registry["savings"](demand=demand, decision=decision, amount=amount, actor=actor, reason=reason, **details)


def funding_facts(project) -> FundingFacts:
    cached = project.__dict__.get("_funding_facts")
    if cached is not None:
        return cached
    return _registry["funding"](project)
