"""The figures of the leadership and finance dashboard, each with the link to the list behind it.

Every figure reads through the selectors as the viewer (demands_visible_to, projects_visible_to, the
catalogue) and costs a fixed number of queries whatever the number of rows: counts per state and
per machine stage are conditional aggregates of one query each; the median wait of each review
stage is one indexed ORDER BY … OFFSET per stage, on the (status, stage_entered_at) index.

Those counts read every demand and every project, which at 100,000 demands takes about a second.
They are kept in a snapshot (reports.models.DashboardSnapshot) of the province-wide scope, the
only scope of the roles that open the dashboard: refreshed by Celery beat and by the page itself
when it is missing or older than REPORT_DASHBOARD_MAX_AGE_SECONDS; the page shows when they were
counted. A viewer narrower than the province (none of today's dashboard roles) is counted live.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from assets.selectors import systems_for_catalogue
from organizations.models import Region
from organizations.selectors import org_scope_q
from projects.delivery.choices import MACHINE_FIELDS, Machine
from projects.delivery.selectors import STATE_CHOICES, projects_visible_to
from projects.demands.choices import REVIEW_STATES, DemandStatus
from projects.demands.selectors import demands_visible_to
from projects.models import Demand, Project

from .models import DashboardSnapshot
from .tables import pick

OVERDUE_LISTED = 10
SYSTEMS_LISTED = 10


def _url(name: str, **query) -> str:
    return reverse(name) + ("?" + urlencode(query) if query else "")


# ------------------------------------------------------------------ the counts (what a snapshot keeps)


def demand_numbers(qs, now) -> dict:
    """The demand counts behind three charts, keyed by code and id (no labels), in five queries
    whatever the number of rows: the count of each state and of the overdue ones of each review
    stage (one conditional aggregate), the count per city, and the middle entry time of each review
    stage (one indexed ORDER BY … OFFSET per stage, on the (status, stage_entered_at) index)."""
    qs = qs.order_by()
    counts = qs.aggregate(**{s.value: Count("pk", filter=Q(status=s.value)) for s in DemandStatus},
                          **{f"{s}__late": Count("pk", filter=Q(status=s, due_at__lt=now)) for s in REVIEW_STATES})
    cities = {str(c) if c else "": n for c, n in qs.values_list("org__city_id").annotate(n=Count("pk"))}
    middle = {}
    for state in REVIEW_STATES:
        # The middle row by entry time (the lower middle for an even count); asked even for an empty stage,
        # so that the number of queries never depends on the data.
        offset = max(counts[state] - 1, 0) // 2
        entered = list(qs.filter(status=state, stage_entered_at__isnull=False).order_by("stage_entered_at")
                       .values_list("stage_entered_at", flat=True)[offset: offset + 1])
        middle[state] = entered[0].isoformat() if entered else None
    return {"states": {s.value: counts[s.value] for s in DemandStatus},
            "late": {s: counts[f"{s}__late"] for s in REVIEW_STATES}, "cities": cities, "middle_entered": middle}


def project_numbers(qs) -> dict:
    """Projects per state of each machine ("machine__state": n), one conditional aggregate."""
    aggregates = {}
    for machine, field in MACHINE_FIELDS.items():
        for state in STATE_CHOICES[machine]:
            aggregates[f"{machine}__{state.value}"] = Count("pk", filter=Q(**{field: state.value}))
    return qs.order_by().aggregate(**aggregates)


def numbers(user, now) -> dict:
    """The costly counts as `user` sees them, read now from the database (the underlying queries)."""
    return {"demands": demand_numbers(demands_visible_to(user), now), "projects": project_numbers(projects_visible_to(user))}


# ------------------------------------------------------------------ the snapshot of the province-wide scope

PROVINCE = "province"


def scope_of(user) -> str | None:
    """The snapshot scope whose figures are exactly what `user` may see: "province" for everyone the
    organization-tree rule does not narrow (org_scope_q is None: restrict() returns every row); None
    for anyone narrower (their dashboard is counted live)."""
    return PROVINCE if org_scope_q(user) is None else None


def refresh_snapshot(scope: str = PROVINCE, now=None) -> DashboardSnapshot:
    """Count again and store the snapshot of `scope` (Celery beat every REPORT_DASHBOARD_REFRESH_MINUTES,
    or the page when the snapshot is missing or older than REPORT_DASHBOARD_MAX_AGE_SECONDS)."""
    if scope != PROVINCE:
        raise ValueError(f"Unknown dashboard scope {scope!r}")
    now = now or timezone.now()
    started = time.perf_counter()
    # The province-wide scope: what demands_visible_to / projects_visible_to return for a user the
    # organization-tree rule does not narrow (restrict() adds no filter), i.e. every row.
    figures = {"demands": demand_numbers(Demand.objects.all(), now), "projects": project_numbers(Project.objects.all())}
    snapshot, _created = DashboardSnapshot.objects.update_or_create(
        scope=scope, defaults={"figures": figures, "computed_at": now, "seconds": round(time.perf_counter() - started, 3)})
    return snapshot


def snapshot_for(user, now=None) -> DashboardSnapshot | None:
    """The snapshot `user` may read, refreshed first when missing or too old; None when `user`'s
    visibility is narrower than any snapshot (then the page counts live)."""
    scope = scope_of(user)
    if scope is None:
        return None
    now = now or timezone.now()
    snapshot = DashboardSnapshot.objects.filter(scope=scope).first()
    if snapshot is None or (now - snapshot.computed_at).total_seconds() > settings.REPORT_DASHBOARD_MAX_AGE_SECONDS:
        snapshot = refresh_snapshot(scope, now)
    return snapshot


# ------------------------------------------------------------------ the figures, named in the reader's language


def demands_by_state(counts: dict) -> list[dict]:
    states = counts["demands"]["states"]
    return [{"key": s.value, "label": str(s.label), "value": states.get(s.value, 0), "url": _url("projects:demand_all", status=s.value)}
            for s in DemandStatus]


def demands_by_city(counts: dict) -> list[dict]:
    cities = counts["demands"]["cities"]
    out = []
    for region in Region.objects.filter(level="city").order_by("code"):
        out.append({"key": region.pk, "label": pick(region.name, region.name_en), "value": cities.get(str(region.pk), 0),
                    "url": _url("projects:demand_all", city=region.pk)})
    return out


def pipeline(counts: dict, as_of) -> list[dict]:
    """Each review stage: how many demands wait in it, the median days they have waited, how many are overdue (at `as_of`)."""
    demands = counts["demands"]
    out = []
    for state in REVIEW_STATES:
        n = demands["states"].get(state, 0)
        entered = demands["middle_entered"].get(state)
        median_days = round((as_of - datetime.fromisoformat(entered)).total_seconds() / 86400, 1) if n and entered else None
        out.append({"key": state, "label": str(DemandStatus(state).label), "value": n, "median_days": median_days,
                    "overdue": demands["late"].get(state, 0), "url": _url("projects:demand_all", status=state),
                    "overdue_url": _url("projects:demand_all", status=state, overdue="true")})
    return out


def overdue_reviews(user, now=None, limit: int = OVERDUE_LISTED) -> list:
    now = now or timezone.now()
    rows = list(demands_visible_to(user).filter(status__in=REVIEW_STATES, due_at__lt=now).order_by("due_at", "pk")[:limit])
    for d in rows:
        d.days_overdue = (now - d.due_at).days
    return rows


def projects_by_stage(counts: dict) -> list[dict]:
    row = counts["projects"]
    return [{
        "machine": machine, "label": str(Machine(machine).label),
        "states": [{"key": s.value, "label": str(s.label), "value": row.get(f"{machine}__{s.value}", 0),
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


def dashboard(user, *, live: bool = False) -> dict:
    """Every figure of the page. The costly counts come from the snapshot of `user`'s scope (`as_of`:
    when they were counted) unless `live` or `user` is narrower than any snapshot; the overdue list,
    the reuse of systems, the execution and the savings are read now (a few indexed queries)."""
    now = timezone.now()
    snapshot = None if live else snapshot_for(user, now)
    if snapshot is not None:
        counts, as_of = snapshot.figures, snapshot.computed_at
    else:
        counts, as_of = numbers(user, now), now
    return {
        "by_state": demands_by_state(counts),
        "by_city": demands_by_city(counts),
        "pipeline": pipeline(counts, as_of),
        "overdue": overdue_reviews(user, now),
        "projects": projects_by_stage(counts),
        "reuse": systems_reuse(user),
        "execution": execution_by_source(user),
        "savings": savings_by(user),
        "now": now,
        "as_of": as_of,
        "age_seconds": max(0, int((now - as_of).total_seconds())),
        "from_snapshot": snapshot is not None,
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
