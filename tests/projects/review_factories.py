"""Helpers for the review tests: the demo experts' profiles, a panel, opinions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from assets.models import Capability
from projects.demands.models import ExpertProfile
from projects.demands.review_services import assign_panel, submit_expert_opinion

PANEL = ("expert_wang", "expert_li", "expert_zhao")


def expert_profile(user, *, capabilities=("identity_auth", "data_exchange"), domains=("public_services",), conflicts=()):
    profile, _ = ExpertProfile.objects.get_or_create(user=user, defaults={"title": "教授", "domains": list(domains)})
    profile.capabilities.set(Capability.objects.filter(code__in=capabilities))
    profile.conflict_orgs.set(conflicts)
    return profile


def ensure_panel_experts(users):
    for name in PANEL:
        if not ExpertProfile.objects.filter(user=users[name]).exists():
            expert_profile(users[name])
    return [users[n] for n in PANEL]


def soon(days: int = 7):
    return timezone.now() + timedelta(days=days)


def seat_panel(demand, users, deadline=None):
    """The three demo experts on the demand's panel (as the provincial reviewer)."""
    experts = ensure_panel_experts(users)
    return assign_panel(demand=demand, actor=users["prov_reviewer"], experts=experts, deadline=deadline or soon())


def give_opinions(demand, users, verdicts=("agree", "agree"), budgets=None):
    """Opinions of the first experts of the panel, in order."""
    assignments = list(demand.expert_assignments.filter(state="assigned").order_by("pk"))
    done = []
    for i, verdict in enumerate(verdicts):
        a = assignments[i]
        budget = budgets[i] if budgets else demand.budget_total
        done.append(submit_expert_opinion(assignment=a, actor=a.expert, verdict=verdict,
                                          comments="" if verdict == "agree" else "需补充等保方案",
                                          recommended_budget=Decimal(budget) if budget is not None else None))
    return done
