"""Template filters of the demand pages: money in CNY, states, waiting times, labels."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from projects.demands.choices import DemandStatus as S

register = template.Library()

STATUS_TONES = {
    S.DRAFT: "secondary",
    S.MUNICIPAL_REVIEW: "info",
    S.PROVINCIAL_REVIEW: "primary",
    S.EXPERT_REVIEW: "warning",
    S.RETURNED: "warning",
    S.APPROVED: "success",
    S.REJECTED: "danger",
    S.MERGED: "dark",
    S.REUSE: "dark",
    S.WITHDRAWN: "light",
}


@register.filter
def cny(value, places: int = 2) -> str:
    """¥1,234,567.00: thousands separators whatever the locale's own grouping (zh-hans has none)."""
    if value in (None, ""):
        return "—"
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"¥{amount:,.{int(places)}f}"


@register.filter
def wan(value) -> str:
    """An amount in 万元 (ten thousands of CNY), the unit Chinese budget tables use: 1,234.57万."""
    if value in (None, ""):
        return "—"
    amount = Decimal(str(value)) / Decimal("10000")
    return _("%(amount)s × 10,000 CNY") % {"amount": f"{amount:,.2f}"}


@register.filter
def status_tone(status: str) -> str:
    return STATUS_TONES.get(status, "secondary")


@register.filter
def waited(since: datetime | None, now: datetime | None = None) -> str:
    """How long since `since`, in days (or hours under a day), e.g. "12 天"."""
    if not since:
        return "—"
    delta = (now or timezone.now()) - since
    days = delta.days
    if days >= 1:
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    hours = max(0, delta.seconds // 3600)
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


@register.filter
def transition_label(name: str) -> str:
    from projects.demands.choices import transition_label as label

    return label(name)


@register.filter
def field_label(name: str) -> str:
    from projects.demands.models import field_label as label

    try:
        return label(name)
    except Exception:
        return name


@register.filter
def state_label(value: str) -> str:
    """A demand state's name in the user's language (for audit rows that store the code)."""
    try:
        return str(S(value).label)
    except ValueError:
        return value


@register.filter
def is_overdue(demand) -> bool:
    from projects.demands.deadlines import is_overdue as overdue

    return overdue(demand)


@register.filter
def contains(container, item) -> bool:
    try:
        return item in container
    except TypeError:
        return False


# Backward and destructive transitions of a demand: shown apart from the forward ones, each behind
# a confirmation step saying what will happen (a <details> disclosure: no script needed).
BACKWARD_CONSEQUENCES = {
    "return_for_revision": gettext_lazy(
        "The demand goes back to the submitter, who revises it and submits it again; your comment is shown to them."),
    "reject": gettext_lazy("The demand is rejected for good and cannot be submitted again; your comment is shown to the submitter."),
    "expert_reject": gettext_lazy("The demand is rejected on the experts' verdict and cannot be submitted again."),
    "withdraw": gettext_lazy("The demand is withdrawn for good: it leaves every review queue and cannot be submitted again."),
}


@register.filter
def backward_consequence(name: str) -> str:
    """What a backward or destructive transition will do, in the reader's language ("" for a forward one)."""
    text = BACKWARD_CONSEQUENCES.get(name)
    return str(text) if text else ""


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (None when absent)."""
    return mapping.get(key) if hasattr(mapping, "get") else None
