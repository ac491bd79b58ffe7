"""The approval sheet's sections whose data lives in budgets and in the review: the budget by funding
source (`budget_by_source`), the provincial reviewer's opinion (`reviewer_opinion`) and the expert
panel's opinions side by side with their recommended budgets and the median (`expert_opinions`).

reports is the top layer (import-linter: reports → budgets → projects), so these are registered
from reports.apps; each reads through the owning app's selector as the requester and returns None
when it has nothing to say (the sheet's numbering closes up).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.choices import FundingSource
from budgets.selectors import lines_visible_to
from core.money import format_amount
from projects.demands.choices import AssignmentState, ExpertVerdict, Recommendation
from projects.demands.selectors import assignments_visible_to, median, opinions_visible_to

from ..approval import Section, register_section

ZERO = Decimal("0")


def _money(value) -> str:
    return "—" if value is None else "¥" + format_amount(value)


def _day(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def section_budget_by_source(project, user) -> Section | None:
    """The project's budget lines by funding source and fiscal year (amounts, share of the lines)."""
    lines = list(lines_visible_to(user).filter(project_id=project.pk).select_related(None)
                 .values_list("source", "fiscal_year", "amount"))
    if not lines:
        return None
    years = sorted({year for _s, year, _a in lines})
    cells: dict[str, dict[int, Decimal]] = {}
    for source, year, amount in lines:
        cells.setdefault(source, {}).setdefault(year, ZERO)
        cells[source][year] += amount
    total = sum((a for _s, _y, a in lines), ZERO)
    rows = []
    for value, label in FundingSource.choices:
        if value not in cells:
            continue
        row_total = sum(cells[value].values(), ZERO)
        rows.append({"label": str(label), "years": [_money(cells[value].get(y)) if y in cells[value] else "" for y in years],
                     "total": _money(row_total), "share": f"{row_total / total * 100:.1f}%" if total else "—"})
    by_year = [_money(sum((a for _s, y, a in lines if y == year), ZERO)) for year in years]
    return Section(_("Budget by funding source"), "reports/pdf/sections/budget_by_source.html", {
        "years": years, "rows": rows, "by_year": by_year, "total": _money(total),
        "approved": _money(project.approved_budget), "covers": total == project.approved_budget})


def section_reviewer_opinion(project, user) -> Section | None:
    """The latest reviewer's opinion on each of the project's demands the requester may see."""
    demands = {d.pk: d for d in project.visible_demands}
    if not demands:
        return None
    latest = {}
    for opinion in opinions_visible_to(user).filter(demand_id__in=list(demands)):
        latest.setdefault(opinion.demand_id, opinion)  # newest first
    if not latest:
        return None
    labels = dict(Recommendation.choices)
    rows = [{"demand": demands[pk].code or "", "title": demands[pk].title, "reviewer": str(o.author),
             "recommendation": str(labels.get(o.recommendation, o.recommendation)),
             "requested": _money(demands[pk].budget_total), "recommended": _money(o.recommended_budget),
             "reason": o.reason, "at": _day(o.created_at)}
            for pk, o in sorted(latest.items(), key=lambda kv: demands[kv[0]].code or "")]
    return Section(_("Reviewer's opinion"), "reports/pdf/sections/reviewer_opinion.html", {"rows": rows})


def section_expert_opinions(project, user) -> Section | None:
    """Per demand that went to a panel: each expert's verdict, recommended budget and comments side by side,
    the counts by verdict and the median of the recommended budgets."""
    demands = {d.pk: d for d in project.visible_demands}
    if not demands:
        return None
    submitted = list(assignments_visible_to(user).filter(demand_id__in=list(demands), state=AssignmentState.SUBMITTED)
                     .order_by("demand_id", "submitted_at", "pk"))
    if not submitted:
        return None
    verdicts = dict(ExpertVerdict.choices)
    panels = []
    for pk in sorted({a.demand_id for a in submitted}, key=lambda pk: demands[pk].code or ""):
        members = [a for a in submitted if a.demand_id == pk]
        counts = {}
        for a in members:
            counts[a.verdict] = counts.get(a.verdict, 0) + 1
        panels.append({
            "demand": demands[pk], "requested": _money(demands[pk].budget_total),
            "members": [{"expert": str(a.expert), "title": getattr(getattr(a.expert, "expert_profile", None), "title", ""),
                         "verdict": str(verdicts.get(a.verdict, a.verdict)), "budget": _money(a.recommended_budget),
                         "comments": a.comments, "at": _day(a.submitted_at)} for a in members],
            "counts": "；".join(f"{verdicts.get(v, v)} {n}" for v, n in counts.items()),
            "median": _money(median(a.recommended_budget for a in members)),
        })
    return Section(_("Expert panel's opinions"), "reports/pdf/sections/expert_opinions.html", {"panels": panels})


def register_sections() -> None:
    register_section("budget_by_source", section_budget_by_source)
    register_section("reviewer_opinion", section_reviewer_opinion)
    register_section("expert_opinions", section_expert_opinions)
