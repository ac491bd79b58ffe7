"""The figures of the leadership and finance dashboard, each with the link to the list behind it.

Every figure reads through the selectors as the viewer (demands_visible_to, projects_visible_to, the
catalogue) and costs a fixed number of queries whatever the number of rows: counts per state and
per machine stage are conditional aggregates of one query each; the median wait of each review
stage is one indexed ORDER BY … OFFSET per stage, on the (status, stage_entered_at) index.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from assets.selectors import systems_for_catalogue
from organizations.models import Region
from projects.delivery.choices import MACHINE_FIELDS, Machine
from projects.delivery.selectors import STATE_CHOICES, projects_visible_to
from projects.demands.choices import REVIEW_STATES, DemandStatus
from projects.demands.selectors import demands_visible_to

from .tables import pick

OVERDUE_LISTED = 10
SYSTEMS_LISTED = 10


def _url(name: str, **query) -> str:
    return reverse(name) + ("?" + urlencode(query) if query else "")


def demands_by_state(user) -> list[dict]:
    qs = demands_visible_to(user).order_by()
    row = qs.aggregate(**{s.value: Count("pk", filter=Q(status=s.value)) for s in DemandStatus})
    return [{"key": s.value, "label": str(s.label), "value": row[s.value], "url": _url("projects:demand_all", status=s.value)}
            for s in DemandStatus]


def demands_by_city(user) -> list[dict]:
    counts = dict(demands_visible_to(user).order_by().values_list("org__city_id").annotate(n=Count("pk")))
    out = []
    for region in Region.objects.filter(level="city").order_by("code"):
        out.append({"key": region.pk, "label": pick(region.name, region.name_en), "value": counts.get(region.pk, 0),
                    "url": _url("projects:demand_all", city=region.pk)})
    return out


def pipeline(user, now=None) -> list[dict]:
    """Each review stage: how many demands wait in it, the median days they have waited, how many are overdue."""
    now = now or timezone.now()
    qs = demands_visible_to(user).order_by()
    counts = qs.aggregate(**{f"{s}": Count("pk", filter=Q(status=s)) for s in REVIEW_STATES},
                          **{f"{s}__late": Count("pk", filter=Q(status=s, due_at__lt=now)) for s in REVIEW_STATES})
    out = []
    for state in REVIEW_STATES:
        n = counts[state]
        median_days = None
        if n:
            # The middle row by entry time (the lower middle for an even count), read from the index.
            entered = (qs.filter(status=state, stage_entered_at__isnull=False).order_by("stage_entered_at")
                       .values_list("stage_entered_at", flat=True)[(n - 1) // 2: (n - 1) // 2 + 1])
            entered = list(entered)
            if entered:
                median_days = round((now - entered[0]).total_seconds() / 86400, 1)
        out.append({"key": state, "label": str(DemandStatus(state).label), "value": n, "median_days": median_days,
                    "overdue": counts[f"{state}__late"], "url": _url("projects:demand_all", status=state),
                    "overdue_url": _url("projects:demand_all", status=state, overdue="true")})
    return out


def overdue_reviews(user, now=None, limit: int = OVERDUE_LISTED) -> list:
    now = now or timezone.now()
    rows = list(demands_visible_to(user).filter(status__in=REVIEW_STATES, due_at__lt=now).order_by("due_at", "pk")[:limit])
    for d in rows:
        d.days_overdue = (now - d.due_at).days
    return rows


def projects_by_stage(user) -> list[dict]:
    qs = projects_visible_to(user).order_by()
    aggregates = {}
    for machine, field in MACHINE_FIELDS.items():
        for state in STATE_CHOICES[machine]:
            aggregates[f"{machine}__{state.value}"] = Count("pk", filter=Q(**{field: state.value}))
    row = qs.aggregate(**aggregates)
    return [{
        "machine": machine, "label": str(Machine(machine).label),
        "states": [{"key": s.value, "label": str(s.label), "value": row[f"{machine}__{s.value}"],
                    "url": _url("projects:project_list", **{field: s.value})} for s in STATE_CHOICES[machine]],
    } for machine, field in MACHINE_FIELDS.items()]


def systems_reuse(user, limit: int = SYSTEMS_LISTED) -> dict:
    """省建市用: how many cities use each system; the most used systems and how many systems reach 0, 1, 2… cities."""
    rows = list(systems_for_catalogue(user).order_by().annotate(cities=Count("user_orgs__city", distinct=True))
                .values_list("pk", "code", "name", "cities"))
    spread = Counter(c for _pk, _code, _name, c in rows)
    top = sorted((r for r in rows if r[3]), key=lambda r: (-r[3], r[1]))[:limit]
    return {
        "top": [{"key": pk, "label": f"{code} {name}", "value": cities, "url": reverse("assets:system_detail", args=[pk])}
                for pk, code, name, cities in top],
        "spread": [{"key": n, "label": str(n), "value": spread[n], "url": _url("assets:system_list")} for n in sorted(spread)],
        "systems": len(rows),
    }


def execution_by_source(user) -> list[dict]:
    """Budgeted, paid and the execution rate (paid / budgeted, percent) per funding source (three queries)."""
    from budgets.selectors import overview

    return [{"key": r.key, "label": r.label, "budgeted": r.budgeted, "paid": r.paid, "rate": r.rate,
             "value": float(r.rate or 0), "url": _url("budgets:overview")} for r in overview(user)["by_source"]]


def savings_by(user) -> dict:
    """Saved amounts by reason and by year, each linking to the savings ledger filtered so."""
    from budgets.selectors import savings_totals

    totals = savings_totals(user)
    return {
        "total": totals["total"],
        "reason": [{"key": r["key"], "label": r["label"], "value": float(r["amount"] or 0), "amount": r["amount"], "count": r["count"],
                    "url": _url("budgets:savings", decision=r["key"])} for r in totals["by_reason"]],
        "year": [{"key": r["key"], "label": r["label"], "value": float(r["amount"] or 0), "amount": r["amount"], "count": r["count"],
                  "url": _url("budgets:savings", year=r["key"])} for r in sorted(totals["by_year"], key=lambda r: r["key"])],
    }


def dashboard(user) -> dict:
    now = timezone.now()
    return {
        "by_state": demands_by_state(user),
        "by_city": demands_by_city(user),
        "pipeline": pipeline(user, now),
        "overdue": overdue_reviews(user, now),
        "projects": projects_by_stage(user),
        "reuse": systems_reuse(user),
        "execution": execution_by_source(user),
        "savings": savings_by(user),
        "now": now,
    }


def chart_data(figures: dict) -> dict:
    """What static/js/dashboard.js draws: plain labels, values and links (json_script, no inline script)."""
    def series(items):
        return [{"label": i["label"], "value": i["value"], "url": i["url"]} for i in items]

    return {
        "by_state": series(figures["by_state"]),
        "by_city": series(figures["by_city"]),
        "pipeline": [{"label": p["label"], "value": p["median_days"] or 0, "count": p["value"], "url": p["url"]}
                     for p in figures["pipeline"]],
        "projects": [{"label": m["label"], "states": series(m["states"])} for m in figures["projects"]],
        "reuse": series(figures["reuse"]["top"]),
        "execution": series(figures["execution"]),
        "savings_reason": series(figures["savings"]["reason"]),
        "savings_year": series(figures["savings"]["year"]),
    }
