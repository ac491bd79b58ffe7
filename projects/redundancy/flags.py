
import logging
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assets.models import InformationSystem
from core import workflow
from core.audit import AuditEvent
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid
from projects.demands.choices import REVIEW_STATES
from projects.demands.models import Demand
from projects.demands.permissions import may_provincial_review
from projects.redundancy.choices import CandidateKind, FlagState
from projects.redundancy.documents import flag_threshold
from projects.redundancy.engine.engine import Candidate
from projects.redundancy.feed import KIND_DEMAND, KIND_PROJECT, KIND_SYSTEM
from projects.redundancy.models import RedundancyFlag
from projects.redundancy.search import SEARCH_LIMIT, Wording, _visible_keys, band_fields, candidate_url, check_demand

log = logging.getLogger(__name__)


FLAGS_PER_DEMAND = 5  # the strongest candidates above the threshold become flags (a reviewer decides on each)
# A demand whose flagged candidates include pending demands (under review) of GROUP_MIN_ORGS or
# more other organizations gets one grouped flag for all of them (kind "group", pointing at their
# cluster) instead of one flag each: the province decides on such a group once, on the cluster.
GROUP_MIN_ORGS = 3
GROUP_LOOK = 60  # candidates looked at to count the group (more than SEARCH_LIMIT: a group may be large)
KIND_GROUP = CandidateKind.GROUP.value


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
    threshold, candidates = check_demand(demand, limit=GROUP_LOOK)
    found = _flags_of(demand, [c for c in candidates if c["flagged"]])
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


def _flags_of(demand: Demand, flagged: list[dict]) -> dict:
    """{(kind, id): candidate} of the flags to store: a group of pending demands as one, then the strongest others."""
    demand_ids = [c["id"] for c in flagged if c["kind"] == KIND_DEMAND]
    pending = {
        pk: org_id for pk, org_id in Demand.objects.filter(pk__in=demand_ids, status__in=REVIEW_STATES)
        .exclude(org_id=demand.org_id).values_list("pk", "org_id")
    } if demand_ids else {}
    members = [c for c in flagged if c["kind"] == KIND_DEMAND and c["id"] in pending]
    orgs = {pending[c["id"]] for c in members}
    found = {}
    if len(orgs) >= GROUP_MIN_ORGS:
        best = members[0]
        found[(KIND_GROUP, demand.pk)] = {
            "kind": KIND_GROUP, "id": demand.pk, "code": "", "title": best["title"], "score": best["score"],
            "reason_details": [
                {"code": "similar_demands", "values": [len(orgs), len(members), [c["id"] for c in members]], "weight": 0.0},
                *[d for d in best["reason_details"] if d["code"] in ("shared_terms", "shared_capabilities")],
            ],
        }
        grouped = {c["id"] for c in members}
        flagged = [c for c in flagged if not (c["kind"] == KIND_DEMAND and c["id"] in grouped)]
    for c in flagged[: FLAGS_PER_DEMAND - len(found)]:
        found[(c["kind"], c["id"])] = c
    return found


def group_members(flag: RedundancyFlag) -> list[int]:
    """The demand ids a grouped flag stands for."""
    for reason in flag.reasons or ():
        if reason.get("code") == "similar_demands" and len(reason.get("values") or ()) >= 3:
            return [int(v) for v in reason["values"][2]]
    return []


def group_text(orgs: int) -> str:
    return ngettext("Similar to demands of %(orgs)d organization", "Similar to demands of %(orgs)d organizations", orgs) % {
        "orgs": orgs}


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
    # A grouped flag is resolved when the target is one of its demands (or stands for one).
    targets = {pk for k, pk in keys if k == KIND_DEMAND}
    for flag in RedundancyFlag.objects.filter(demand=demand, candidate_kind=KIND_GROUP, state=FlagState.PENDING):
        if targets & set(group_members(flag)):
            q |= Q(pk=flag.pk)
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
    # A grouped flag names no other demand: whoever sees this demand sees it (the cluster page filters its members).
    return [f for f in flags if f.candidate_kind == KIND_GROUP or (f.candidate_kind, f.candidate_id) in allowed]


def flags_for(demand: Demand, user) -> list[dict]:
    """The demand's flags as the panel shows them: candidate, score, worded reasons, state, resolution."""
    threshold = flag_threshold()
    flags = visible_flags(demand, user)
    wording = Wording(f.reasons for f in flags)
    out = []
    for i, f in enumerate(flags):
        details = wording.details(i)
        score = float(f.score)
        title, url = f.candidate_title, None
        if f.candidate_kind == KIND_GROUP:
            values = next((d["values"] for d in details if d["code"] == "similar_demands"), [0])
            title = group_text(int(values[0]))
            url = reverse("projects:clusters") + f"?demand={demand.pk}"
            details = [d for d in details if d["code"] != "similar_demands"]
        out.append({
            "kind": f.candidate_kind, "id": f.candidate_id, "code": f.candidate_code, "title": title,
            "score": score, "flagged": score >= threshold, **band_fields(score, threshold),
            "reasons": [d["text"] for d in details],
            "reason_details": details, "url": url or candidate_url(f.candidate_kind, f.candidate_id),
            "group": f.candidate_kind == KIND_GROUP, "flag": f, **_flag_info(f),
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
