
import logging
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assets.models import InformationSystem
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid
from core.models import AuditLog
from projects.demands.choices import REVIEW_STATES
from projects.demands.models import Demand
from projects.demands.permissions import may_provincial_review
from projects.redundancy.choices import FlagState
from projects.redundancy.documents import flag_threshold
from projects.redundancy.engine.engine import Candidate
from projects.redundancy.feed import KIND_DEMAND, KIND_PROJECT, KIND_SYSTEM
from projects.redundancy.models import RedundancyFlag
from projects.redundancy.search import SEARCH_LIMIT, Wording, _visible_keys, candidate_url, check_demand

log = logging.getLogger(__name__)


FLAGS_PER_DEMAND = 5  # the strongest candidates above the threshold become flags (a reviewer decides on each)


# ---------------------------------------------------------------------------------------
# Flags
# ---------------------------------------------------------------------------------------


def _flag_audit(flag: RedundancyFlag, *, actor, source: str, target: str, comment: str, payload: dict) -> AuditLog:
    """One row of the append-only log for a decision on a flag (who, when, why)."""
    return AuditLog.objects.create(
        content_type=ContentType.objects.get_for_model(RedundancyFlag),
        object_id=flag.pk,
        object_repr=str(flag)[:300],
        machine="state",
        transition={"dismissed": "dismiss", "merged": "merge", "reused": "reuse"}.get(target, target),
        source=source,
        target=target,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=(str(actor) if actor is not None else "")[:150],
        comment=comment or "",
        payload=payload,
    )


def run_check(demand_or_id) -> list[RedundancyFlag]:
    """Check a demand under review and store its best candidates at or above the threshold as flags.

    At most FLAGS_PER_DEMAND, the strongest: a reviewer must decide on each flag. A pending flag
    of a candidate found again is updated (score, reasons); a resolved one stays as decided; a
    pending flag whose candidate is no longer among them is removed (the flag stated evidence that
    is gone). Never two flags for one candidate. Returns the demand's flags.
    """
    pk = getattr(demand_or_id, "pk", demand_or_id)
    demand = Demand.objects.select_related("org").filter(pk=pk).first()
    if demand is None or demand.status not in REVIEW_STATES:
        return []
    threshold, candidates = check_demand(demand, limit=SEARCH_LIMIT)
    found = {(c["kind"], c["id"]): c for c in [c for c in candidates if c["flagged"]][:FLAGS_PER_DEMAND]}
    with transaction.atomic():
        # Serialize the checks of one demand (two submissions in a row, a retried job).
        Demand.objects.select_for_update().filter(pk=demand.pk).values_list("pk", flat=True).first()
        existing = {(f.candidate_kind, f.candidate_id): f for f in RedundancyFlag.objects.filter(demand=demand)}
        for key, c in found.items():
            # Stored raw (codes and values), worded in the reader's language when shown.
            reasons = [{"code": d["code"], "values": d["values"], "weight": d["weight"]} for d in c["reason_details"]]
            flag = existing.get(key)
            score = Decimal(str(c["score"])).quantize(Decimal("0.0001"))
            if flag is None:
                RedundancyFlag.objects.create(
                    demand=demand, candidate_kind=c["kind"], candidate_id=c["id"], candidate_code=c["code"][:20],
                    candidate_title=c["title"][:200], score=score, reasons=reasons,
                )
            elif flag.state == FlagState.PENDING:
                flag.score, flag.reasons = score, reasons
                flag.candidate_code, flag.candidate_title = c["code"][:20], c["title"][:200]
                flag.save(update_fields=["score", "reasons", "candidate_code", "candidate_title"])
        stale = [f.pk for key, f in existing.items() if f.state == FlagState.PENDING and key not in found]
        if stale:
            RedundancyFlag.objects.filter(pk__in=stale, state=FlagState.PENDING).delete()
    return list(RedundancyFlag.objects.filter(demand=demand))


def may_resolve_flags(demand: Demand, user) -> bool:
    """Flags are resolved by the provincial review office (reviewers and approvers)."""
    return may_provincial_review(demand, user)


def resolve_flag(flag: RedundancyFlag, resolution: str = "dismissed", comment: str = "", actor=None) -> RedundancyFlag:
    """Dismiss a pending flag with a reason, as a provincial reviewer.

    Merge and reuse are decisions on the demand: its `merge` and `recommend_reuse` transitions
    resolve their flags themselves. Raises TransitionInvalid (no reason, other resolution),
    TransitionForbidden, or TransitionConflict (already resolved, or the demand left review).
    """
    if resolution != FlagState.DISMISSED:
        message = _("Only dismissal is done here: merging and reuse are decided with the demand's “merge” and "
                    "“recommend reuse” actions.")
        raise TransitionInvalid(message, field_errors={"resolution": [message]})
    comment = (comment or "").strip()
    if not comment:
        message = _("Please give the reason for dismissing this flag.")
        raise TransitionInvalid(message, field_errors={"comment": [message]})
    demand = flag.demand
    if not may_resolve_flags(demand, actor):
        raise TransitionForbidden(_("Only the provincial review office resolves redundancy flags."))
    if demand.status not in REVIEW_STATES:
        raise TransitionConflict(
            _("This demand is now in state “%(state)s”: its flags can no longer be resolved.")
            % {"state": demand.get_status_display()},
            state=demand.status,
        )
    now = timezone.now()
    with transaction.atomic():
        # Compare-and-set: of two reviewers dismissing at once, exactly one changes the row.
        changed = RedundancyFlag.objects.filter(pk=flag.pk, state=FlagState.PENDING).update(
            state=FlagState.DISMISSED, resolved_by=actor, resolved_at=now, resolution_comment=comment
        )
        if not changed:
            flag.refresh_from_db()
            raise TransitionConflict(
                _("This flag is already resolved (%(state)s).") % {"state": flag.get_state_display()}, state=flag.state
            )
        flag.refresh_from_db()
        _flag_audit(flag, actor=actor, source=FlagState.PENDING, target=FlagState.DISMISSED, comment=comment,
                    payload={"demand": demand.pk, "candidate": f"{flag.candidate_kind}:{flag.candidate_id}"})
    return flag


def related_keys(kind: str, candidate_id: int) -> set[tuple[str, int]]:
    """The candidate and its other faces: a project, the demands it was made of, the system it runs."""
    keys = {(kind, candidate_id)}
    project_id = None
    if kind == KIND_SYSTEM:
        project_id = InformationSystem.objects.filter(pk=candidate_id).values_list("project_id", flat=True).first()
    elif kind == KIND_PROJECT:
        project_id = candidate_id
    elif kind == KIND_DEMAND:
        project_id = Demand.objects.filter(pk=candidate_id).values_list("project_id", flat=True).first()
    if project_id is not None:
        keys.add((KIND_PROJECT, project_id))
        keys |= {(KIND_SYSTEM, pk) for pk in InformationSystem.objects.filter(project_id=project_id).values_list("pk", flat=True)}
        keys |= {(KIND_DEMAND, pk) for pk in Demand.objects.filter(project_id=project_id).values_list("pk", flat=True)}
    return keys


def resolve_for_redirect(demand: Demand, *, kind: str, candidate_id: int, state: str, actor, comment: str = "", **_signal) -> int:
    """Inside `merge` / `recommend_reuse`: mark the demand's pending flags on the chosen target merged / reused.

    The flag on the target itself and those on its other faces (a project and its demands and
    system) are resolved; flags on unrelated candidates stay as they are. Returns how many.
    """
    keys = related_keys(kind, candidate_id)
    q = Q(pk__in=[])
    for k, pk in keys:
        q |= Q(candidate_kind=k, candidate_id=pk)
    now = timezone.now()
    resolved = 0
    for flag in RedundancyFlag.objects.filter(q, demand=demand, state=FlagState.PENDING):
        changed = RedundancyFlag.objects.filter(pk=flag.pk, state=FlagState.PENDING).update(
            state=state, resolved_by=actor, resolved_at=now, resolution_comment=comment or ""
        )
        if changed:
            resolved += 1
            flag.state = state
            _flag_audit(flag, actor=actor, source=FlagState.PENDING, target=state, comment=comment,
                        payload={"demand": demand.pk, "candidate": f"{flag.candidate_kind}:{flag.candidate_id}",
                                 "target": f"{kind}:{candidate_id}"})
    return resolved


def _flag_info(flag: RedundancyFlag | None) -> dict:
    if flag is None:
        return {"flag_id": None, "flag_state": None, "resolution": None}
    resolution = None
    if flag.state != FlagState.PENDING:
        resolution = {
            "state": flag.state,
            "state_display": flag.get_state_display(),
            "comment": flag.resolution_comment,
            "by": str(flag.resolved_by) if flag.resolved_by_id else None,
            "at": flag.resolved_at.isoformat() if flag.resolved_at else None,
        }
    return {"flag_id": flag.pk, "flag_state": flag.state, "flag_state_display": flag.get_state_display(),
            "resolution": resolution}


def visible_flags(demand: Demand, user) -> list[RedundancyFlag]:
    """The demand's flags whose candidates `user` may see, best first."""
    flags = list(RedundancyFlag.objects.filter(demand=demand).select_related("resolved_by"))
    if user is None:
        return flags
    as_candidates = [Candidate(f.candidate_kind, f.candidate_id, f.candidate_code, f.candidate_title, 0.0, ()) for f in flags]
    allowed = _visible_keys(as_candidates, user)
    return [f for f in flags if (f.candidate_kind, f.candidate_id) in allowed]


def flags_for(demand: Demand, user) -> list[dict]:
    """The demand's flags as the panel shows them: candidate, score, worded reasons, state, resolution."""
    threshold = flag_threshold()
    flags = visible_flags(demand, user)
    wording = Wording(f.reasons for f in flags)
    out = []
    for i, f in enumerate(flags):
        details = wording.details(i)
        score = float(f.score)
        out.append({
            "kind": f.candidate_kind, "id": f.candidate_id, "code": f.candidate_code, "title": f.candidate_title,
            "score": score, "flagged": score >= threshold, "reasons": [d["text"] for d in details],
            "reason_details": details, "url": candidate_url(f.candidate_kind, f.candidate_id),
            "flag": f, **_flag_info(f),
        })
    return out


def similar_for(demand: Demand, user, *, limit: int = SEARCH_LIMIT) -> tuple[float, list[dict]]:
    """Candidates of a saved demand now, each with its flag's state and resolution; then flags not found now."""
    threshold, candidates = check_demand(demand, user=user, limit=limit)
    flags = {(f["kind"], f["id"]): f for f in flags_for(demand, user)}
    out = []
    for c in candidates:
        flag = flags.pop((c["kind"], c["id"]), None)
        out.append({**c, **_flag_info(flag["flag"] if flag else None), "current": True})
    for f in flags.values():
        entry = {k: v for k, v in f.items() if k != "flag"}
        out.append({**entry, "current": False})
    return threshold, out
