"""Learning from reviewers' decisions: every decided flag is a labelled pair.

A flag dismissed with a reason says "not a duplicate"; a flag resolved by a merge or a reuse says
"a duplicate". `measure()` computes, over the flags decided so far:

- `precision`: the share of decided flags that reviewers kept (merged or reused);
- the dismissed share by the demand's business domain and by candidate kind, with examples;
- per domain with enough decisions (MIN_DECISIONS), a suggested flag threshold with the figures
  before and after, recomputed on the recorded decisions (only raising is measurable: a flag
  below today's threshold was never shown, so nobody decided on it).

Nothing changes until a person applies a suggestion (`apply_threshold`): it is stored as a
`DomainThreshold`, written to the audit log, and read from then on by `documents.flag_threshold`
for demands of that domain. `eval_redundancy --decisions` prints `measure()` as JSON.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid
from organizations.choices import Role
from organizations.permissions import has_role
from projects.demands.choices import Domain
from projects.redundancy.choices import CandidateKind, FlagState
from projects.redundancy.documents import domain_thresholds, flag_threshold, forget_domain_thresholds
from projects.redundancy.models import DomainThreshold, RedundancyFlag

KEPT = (FlagState.MERGED, FlagState.REUSED)
DECIDED = (FlagState.DISMISSED, *KEPT)
MIN_DECISIONS = 8  # decided flags of a domain before a threshold is suggested for it
MIN_PRECISION_GAIN = 0.05  # a suggestion must make the flags at least this much more precise
MIN_RECALL_AFTER = 0.8  # and keep at least this share of the flags reviewers kept
EXAMPLES = 3
THRESHOLD_MACHINE = "flag_threshold"  # the audit log's machine of applied thresholds


def may_view_learning(user) -> bool:
    """The provincial office (reviewers, approvers) and auditors read what the decisions teach."""
    return bool(user and user.is_authenticated and user.is_superuser) or has_role(
        user, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER, Role.AUDITOR)


def may_apply_threshold(user) -> bool:
    """The provincial review office applies a suggested threshold (auditors read only)."""
    return bool(user and user.is_authenticated and user.is_superuser) or has_role(
        user, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER)


def labelled_pairs() -> list[dict]:
    """Every decided flag: demand, domain, candidate kind, score, kept (True: merged or reused), comment."""
    rows = (RedundancyFlag.objects.filter(state__in=DECIDED)
            .select_related("demand").order_by("pk"))
    return [{
        "flag": f.pk, "demand": f.demand_id, "demand_code": f.demand.code, "demand_title": f.demand.title,
        "domain": f.demand.domain or "", "kind": f.candidate_kind, "candidate_code": f.candidate_code,
        "candidate_title": f.candidate_title, "score": float(f.score), "kept": f.state in KEPT, "state": f.state,
        "comment": f.resolution_comment,
    } for f in rows]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _groups(pairs: list[dict], key: str, labels: dict) -> list[dict]:
    by: dict[str, list[dict]] = defaultdict(list)
    for p in pairs:
        by[p[key]].append(p)
    out = []
    for value, items in by.items():
        dismissed = [p for p in items if not p["kept"]]
        out.append({
            key: value, "label": str(labels.get(value, value or "—")), "decided": len(items),
            "dismissed": len(dismissed), "kept": len(items) - len(dismissed),
            "dismissed_share": _share(len(dismissed), len(items)),
            "examples": _examples(dismissed),
        })
    out.sort(key=lambda g: (-(g["dismissed_share"] or 0), -g["decided"], g[key]))
    return out


def _examples(dismissed: list[dict]) -> list[dict]:
    """The highest-scored dismissed flags, one per demand (three flags of one demand teach one thing)."""
    out, seen = [], set()
    for p in sorted(dismissed, key=lambda p: (-p["score"], p["flag"])):
        if p["demand"] in seen:
            continue
        seen.add(p["demand"])
        out.append(_example(p))
        if len(out) == EXAMPLES:
            break
    return out


def _example(p: dict) -> dict:
    return {k: p[k] for k in ("flag", "demand", "demand_code", "demand_title", "kind", "candidate_code",
                              "candidate_title", "score", "comment")}


def figures_at(pairs: list[dict], threshold: float) -> dict:
    """What the flags would have been at `threshold`, on the recorded decisions."""
    shown = [p for p in pairs if p["score"] >= threshold - 1e-9]
    kept_all = sum(1 for p in pairs if p["kept"])
    kept = sum(1 for p in shown if p["kept"])
    return {
        "threshold": round(threshold, 4), "flags": len(shown), "kept": kept, "dismissed": len(shown) - kept,
        "precision": _share(kept, len(shown)), "recall_of_kept": _share(kept, kept_all),
    }


def suggest(pairs: list[dict], current: float) -> dict | None:
    """A higher threshold for these pairs, or None: the one with the best F1 (kept flags as positives)
    among the decided scores, when it gains MIN_PRECISION_GAIN of precision and keeps MIN_RECALL_AFTER."""
    if len(pairs) < MIN_DECISIONS:
        return None
    before = figures_at(pairs, current)
    best = None
    for t in sorted({round(p["score"], 4) for p in pairs if p["score"] > current}):
        after = figures_at(pairs, t)
        if not after["flags"] or after["precision"] is None or after["recall_of_kept"] is None:
            continue
        f1 = 2 * after["precision"] * after["recall_of_kept"] / ((after["precision"] + after["recall_of_kept"]) or 1)
        if best is None or f1 > best[0] + 1e-9:
            best = (f1, after)
    if best is None:
        return None
    after = best[1]
    if (after["precision"] - (before["precision"] or 0)) < MIN_PRECISION_GAIN or after["recall_of_kept"] < MIN_RECALL_AFTER:
        return None
    return {"before": before, "after": after}


def measure() -> dict:
    """The engine measured against the reviewers' recorded decisions (see the module)."""
    pairs = labelled_pairs()
    kept = sum(1 for p in pairs if p["kept"])
    domains = dict(Domain.choices)
    by_domain = _groups(pairs, "domain", domains)
    applied = domain_thresholds()
    suggestions = []
    for group in by_domain:
        domain = group["domain"]
        current = flag_threshold(domain)
        found = suggest([p for p in pairs if p["domain"] == domain], current)
        if found is not None:
            suggestions.append({"domain": domain, "label": group["label"], **found})
    return {
        "decisions": len(pairs),
        "kept": kept,
        "dismissed": len(pairs) - kept,
        "precision": _share(kept, len(pairs)),
        "flag_threshold": flag_threshold(),
        "applied_thresholds": {d: t for d, t in sorted(applied.items())},
        "by_domain": by_domain,
        "by_kind": _groups(pairs, "kind", dict(CandidateKind.choices)),
        "suggestions": suggestions,
        "min_decisions": MIN_DECISIONS,
    }


def apply_threshold(*, user, domain: str) -> DomainThreshold:
    """Apply the threshold suggested now for `domain` (recomputed here, never taken from the form)."""
    if not may_apply_threshold(user):
        raise TransitionForbidden(_("Only the provincial review office applies a flag threshold."))
    if domain not in Domain.values:
        message = _("Choose a business domain.")
        raise TransitionInvalid(message, field_errors={"domain": [message]})
    with transaction.atomic():
        # One application at a time per domain: the row (or the first of the table) is locked.
        current_row = DomainThreshold.objects.select_for_update().filter(domain=domain).first()
        current = float(current_row.threshold) if current_row else flag_threshold()
        found = suggest([p for p in labelled_pairs() if p["domain"] == domain], current)
        if found is None:
            raise TransitionConflict(_("The recorded decisions no longer support a change of the threshold for "
                                       "“%(domain)s”: nothing was changed.") % {"domain": Domain(domain).label})
        new = Decimal(str(found["after"]["threshold"])).quantize(Decimal("0.0001"))
        previous = Decimal(str(current)).quantize(Decimal("0.0001"))
        row, _created = DomainThreshold.objects.update_or_create(domain=domain, defaults={
            "threshold": new, "previous": previous, "evidence": found, "applied_by": user, "applied_at": timezone.now()})
        audit.record(audit.AuditEvent.FLAG_DECISION, row, actor=user, machine=THRESHOLD_MACHINE, transition="apply",
                     source=f"{previous}", target=f"{new}", payload={"domain": domain, **found})
        transaction.on_commit(forget_domain_thresholds)
    forget_domain_thresholds()
    return row
