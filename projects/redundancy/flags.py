
import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from assets.models import InformationSystem
from core import workflow
from core.audit import AuditEvent
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid
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


def _fire(flag: RedundancyFlag, name: str, *, actor, comment: str = "", payload: dict | None = None,
          event=AuditEvent.FLAG_DECISION) -> RedundancyFlag:
    """Every change of a flag's state goes through the doorway: one audit row each, stale copies lose."""
    return workflow.fire(flag, field="state", name=name, actor=actor, comment=comment, event=event,
                         kwargs={"by": actor, "comment": comment},
                         payload={"demand": flag.demand_id, "candidate": f"{flag.candidate_kind}:{flag.candidate_id}",
                                  "code": flag.candidate_code, "score": str(flag.score), **(payload or {})})


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
            elif flag.state in (FlagState.PENDING, FlagState.STALE):
                if flag.state == FlagState.STALE:  # the evidence is back
                    _fire(flag, "reopen", actor=None, event=AuditEvent.TRANSITION)
                flag.score, flag.reasons = score, reasons
                flag.candidate_code, flag.candidate_title = c["code"][:20], c["title"][:200]
                flag.save(update_fields=["score", "reasons", "candidate_code", "candidate_title"])
        for key, flag in existing.items():
            if flag.state == FlagState.PENDING and key not in found:
                # The evidence the flag stated is gone: it no longer blocks approval, and says so in the log.
                _fire(flag, "mark_stale", actor=None, event=AuditEvent.TRANSITION)
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
    if flag.state != FlagState.PENDING:
        raise TransitionConflict(
            _("This flag is already resolved (%(state)s).") % {"state": flag.get_state_display()}, state=flag.state
        )
    try:
        return _fire(flag, "dismiss", actor=actor, comment=comment)
    except TransitionConflict:
        current = type(flag)._default_manager.get(pk=flag.pk)
        raise TransitionConflict(
            _("This flag is already resolved (%(state)s).") % {"state": current.get_state_display()}, state=current.state
        ) from None


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
    name = {FlagState.MERGED: "merge", FlagState.REUSED: "reuse"}[state]
    resolved = 0
    for flag in RedundancyFlag.objects.filter(q, demand=demand, state=FlagState.PENDING).select_related("demand"):
        _fire(flag, name, actor=actor, comment=comment, payload={"target": f"{kind}:{candidate_id}"})
        resolved += 1
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
