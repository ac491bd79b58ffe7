"""Template tags of redundancy detection: the flags panel of a demand page, scores, highlighting."""

from __future__ import annotations

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from projects.demands.choices import REVIEW_STATES
from projects.redundancy.choices import CandidateKind, FlagState, whole_percent
from projects.redundancy.documents import flag_threshold
from projects.redundancy.flags import flags_for, may_resolve_flags
from projects.redundancy.search import REASONS_SHOWN

register = template.Library()

KIND_ICONS = {"system": "hdd-stack", "demand": "file-earmark-text", "project": "kanban", "group": "diagram-3"}


@register.inclusion_tag("projects/redundancy/flags_panel.html", takes_context=True)
def redundancy_flags_panel(context, demand):
    """The demand's flags (score, reasons, state), with links to the comparison and, for reviewers, dismissal."""
    request = context.get("request")
    user = getattr(request, "user", None)
    flags = flags_for(demand, user)
    return {
        "demand": demand,
        "flags": flags,
        # Pending flags count as "to resolve" only while the demand is under review.
        "pending_count": sum(1 for f in flags if f["flag_state"] == FlagState.PENDING) if demand.status in REVIEW_STATES else 0,
        "can_resolve": demand.status in REVIEW_STATES and may_resolve_flags(demand, user),
        "under_review": demand.status in REVIEW_STATES,
        "threshold": flag_threshold(),
        "reasons_shown": REASONS_SHOWN,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def percent(score) -> str:
    """A score in [0, 1] as a whole percentage, rounded down (choices.whole_percent): 0.8928 → "89%"."""
    try:
        return f"{whole_percent(score)}%"
    except (TypeError, ValueError):
        return "—"


@register.filter
def kind_label(kind: str) -> str:
    return str(dict(CandidateKind.choices).get(kind, kind))


@register.filter
def kind_icon(kind: str) -> str:
    return KIND_ICONS.get(kind, "question-circle")


@register.filter
def highlight(text, terms) -> str:
    """`text` escaped, with every occurrence of the shared `terms` marked (<mark>)."""
    text = str(text or "")
    words = sorted({str(t) for t in (terms or []) if t and len(str(t)) >= 2}, key=len, reverse=True)
    if not words:
        return conditional_escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(str(conditional_escape(text[last:match.start()])))
        out.append(f'<mark class="px-0">{conditional_escape(match.group(0))}</mark>')
        last = match.end()
    out.append(str(conditional_escape(text[last:])))
    return mark_safe("".join(out))
