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
  its money (budget lines, open disbursements). The budgets app registers the real ones;
  the default knows only the approved budget.
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

    has_budget: bool
    open_disbursements: int


class FundingFactsSource(Protocol):
    def __call__(self, project) -> FundingFacts: ...


def _no_ledger(*, demand, decision: str, amount: Decimal, actor, reason: str = "", **details) -> None:
    return None


def _default_funding_facts(project) -> FundingFacts:
    return FundingFacts(has_budget=project.approved_budget > 0, open_disbursements=0)


_registry: dict[str, object] = {"savings": _no_ledger, "funding": _default_funding_facts}


def register_savings_ledger(ledger: SavingsLedger) -> None:
    _registry["savings"] = ledger


def register_funding_facts(source: FundingFactsSource) -> None:
    _registry["funding"] = source


def record_saving(*, demand, decision: str, amount: Decimal, actor, reason: str = "", **details) -> None:
    """Record the construction funds a decision avoided (called inside the decision's transaction)."""
    _registry["savings"](demand=demand, decision=decision, amount=amount, actor=actor, reason=reason, **details)


def funding_facts(project) -> FundingFacts:
    return _registry["funding"](project)
