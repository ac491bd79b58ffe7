"""Seed step: run the redundancy check of the seeded demands under review, so that the demo has flags.

The demands step writes in bulk (no signals), so this step first tells every running process to
rebuild its index, then checks the demands under review exactly as a submission would (the
same `run_check`), at most MAX_CHECKS of them (the first ones: at `--scale` 100 checking every
demand would take long and show nothing more). Flags of demands that have already passed the
provincial review (expert review) are resolved as dismissed by the provincial reviewer, as the
approval rule requires; so are those of one flagged demand in DISMISS_EVERY in provincial
review, so that every state shows. Finally the coordination clusters are computed.

Idempotent: the highest demand id checked is kept in a number sequence ("seed-redundancy"), so a
second run checks nothing again and changes nothing; a larger `--scale` checks only the demands
added since (within MAX_CHECKS).
"""

from __future__ import annotations

from django.db import transaction

from core.errors import WorkflowError
from core.models import CodeSequence
from projects.demands.choices import REVIEW_STATES
from projects.demands.choices import DemandStatus as S
from projects.demands.models import Demand
from projects.redundancy.choices import FlagState
from projects.redundancy.clusters import compute_clusters
from projects.redundancy.feed import note_rebuild
from projects.redundancy.flags import resolve_flag, run_check
from projects.redundancy.index import rebuild_index
from projects.redundancy.models import RedundancyFlag

MAX_CHECKS = 1500
DISMISS_EVERY = 4
DISMISS_COMMENT = "经比对，建设内容和服务对象不同，不属于重复建设。"
PROGRESS_KEY = "seed-redundancy"  # the highest demand id checked by the seed


def run(ctx) -> str:
    progress = CodeSequence.objects.filter(key=PROGRESS_KEY).values_list("last", flat=True).first() or 0
    already = Demand.objects.filter(status__in=REVIEW_STATES, pk__lte=progress).count() if progress else 0
    todo = list(
        Demand.objects.filter(status__in=REVIEW_STATES, pk__gt=progress).order_by("pk")
        .values_list("pk", flat=True)[: max(0, MAX_CHECKS - already)]
    )
    if not todo:
        return f"{RedundancyFlag.objects.count()} flags (nothing to check)"
    with transaction.atomic():
        note_rebuild()  # the steps before wrote in bulk: every running process rebuilds its index
    rebuild_index()
    flagged = [pk for pk in ctx.progress(todo, total=len(todo), desc="redundancy checks") if run_check(pk)]
    dismissed = decided = 0
    reviewer = ctx.users.get("prov_reviewer")
    if reviewer is not None and flagged:
        dismissed, decided = _decide(ctx, reviewer, flagged)
    CodeSequence.objects.update_or_create(key=PROGRESS_KEY, defaults={"last": todo[-1]})
    snapshot = compute_clusters()
    figures = measure(ctx, todo)
    return (f"{len(todo)} demands checked, {len(flagged)} with flags; {RedundancyFlag.objects.count()} flags "
            f"({dismissed} dismissed, {decided} demands merged or sent to reuse on a flag); {len(snapshot.clusters)} clusters" + (f"; {figures}" if figures else ""))


# Why a reviewer dismissed a flag the demo world knows to be wrong (a different system): varied,
# as reviewers write them; the first is also used for demands the world does not label.
DISMISS_REASONS = [
    DISMISS_COMMENT,
    "候选系统服务的业务对象不同，两者仅共用省级统一身份认证等公共支撑能力。",
    "相同的只是部署和对接方面的表述（吉林祥云、统一身份认证），业务内容不重复。",
    "与候选项属于同一主管部门的不同业务，功能不交叉。",
]
GROUP_COMMENT = "同类需求已纳入省级统筹研究，本需求按原计划先行评审。"
UPGRADE_COMMENT = "经核实为原系统的升级改造，已与原建设单位确认不另建新系统，保留需求进入专家评审。"


def _decide(ctx, reviewer, flagged: list[int]) -> tuple[int, int]:
    """The provincial reviewer's decisions on the seeded flags, believable against the world's labels.

    Demands past the provincial review (expert review) had their flags resolved, as approval
    requires: a flag on a different system was dismissed with a reason; one on the same family was
    an upgrade agreed with the owner (dismissed, saying so). In provincial review, one flagged
    demand in DISMISS_EVERY was decided: sent to reuse the system or merged into the demand or
    project its flag names when the flag is right (through the demand's doorway, with its savings
    entry), its wrong flags dismissed. Demands the world does not label: dismissed, as before.
    """
    from projects.demands.services import demand_transition
    from projects.demands.transitions import handler_for

    family = _families(ctx)
    in_review = sorted(Demand.objects.filter(pk__in=flagged, status=S.PROVINCIAL_REVIEW).values_list("pk", flat=True))
    chosen = set(in_review[::DISMISS_EVERY]) | set(
        Demand.objects.filter(pk__in=flagged, status=S.EXPERT_REVIEW).values_list("pk", flat=True))
    dismissed = decided = 0
    pending = RedundancyFlag.objects.filter(demand_id__in=chosen, state=FlagState.PENDING).select_related("demand")
    for flag in list(pending.order_by("demand_id", "-score", "pk")):
        flag.refresh_from_db()
        if flag.state != FlagState.PENDING:
            continue  # resolved by a decision on its demand just before
        demand = flag.demand
        if flag.candidate_kind == "group":  # similar pending demands: the province's clusters decide those
            if demand.status == S.EXPERT_REVIEW:
                resolve_flag(flag, FlagState.DISMISSED, GROUP_COMMENT, actor=reviewer)
                dismissed += 1
            continue
        own = family.get(("demand", flag.demand_id))
        right = own is not None and family.get((flag.candidate_kind, flag.candidate_id)) == own
        if right and demand.status == S.PROVINCIAL_REVIEW:
            name = "recommend_reuse" if flag.candidate_kind == "system" else "merge"
            payload = handler_for(name).payload_for_candidate(flag.candidate_kind, flag.candidate_id)
            if payload is not None:
                comment = ("该系统已建成运行，开通使用即可，不再重复建设。" if name == "recommend_reuse"
                           else "与同类需求合并统一建设。")
                try:
                    demand_transition(demand=demand, name=name, actor=reviewer, comment=comment, **payload)
                    decided += 1
                    continue
                except WorkflowError:  # the candidate cannot take it (closed, retired): the flag stays pending
                    continue
        if right and own is not None:
            if demand.status == S.EXPERT_REVIEW:
                resolve_flag(flag, FlagState.DISMISSED, UPGRADE_COMMENT, actor=reviewer)
                dismissed += 1
            continue  # a right flag in provincial review the reviewer has not reached: stays pending
        reason = DISMISS_REASONS[(flag.demand_id + flag.candidate_id) % len(DISMISS_REASONS)] if own else DISMISS_COMMENT
        resolve_flag(flag, FlagState.DISMISSED, reason, actor=reviewer)
        dismissed += 1
    return dismissed, decided


def _families(ctx) -> dict:
    """(kind, id) → the demo world's family label, for demands, systems and projects."""
    from assets.models import InformationSystem
    from projects.demands import seed as demand_seed
    from projects.demands import seed_world

    labels = seed_world.labels(demand_seed.Plan(ctx), demand_seed._progress())
    family = {("demand", pk): labels.get((org_id, title))
              for pk, org_id, title in Demand.objects.values_list("pk", "org_id", "title").iterator()}
    family.update({("system", pk): f"s:{pk}" for pk in InformationSystem.objects.values_list("pk", flat=True)})
    for pk, project_id in Demand.objects.filter(project__isnull=False).order_by("pk").values_list("pk", "project_id"):
        family.setdefault(("project", project_id), family.get(("demand", pk)))
    return family


def measure(ctx, checked: list[int]) -> str:
    """The flags of the checked demands against the demo world's own labels (projects/demands/seed_world.py).

    A flag is right when its candidate is of the demand's family (a grouped flag: most of its
    demands are); precision is the share of right flags, recall the share of checked demands with
    a candidate of their family that got a right flag. Demands the demand seed did not write are
    left out. Empty when none of the checked demands carries a label.
    """
    from projects.redundancy.documents import candidate_demands, candidate_projects, candidate_systems
    from projects.redundancy.flags import group_members

    family = _families(ctx)
    members: dict[str, set] = {}
    for kind, qs in (("system", candidate_systems()), ("demand", candidate_demands()), ("project", candidate_projects())):
        for pk in qs.values_list("pk", flat=True):
            if family.get((kind, pk)):
                members.setdefault(family[(kind, pk)], set()).add((kind, pk))
    labelled = [pk for pk in checked if family.get(("demand", pk))]
    if not labelled:
        return ""
    flags_of: dict[int, list] = {}
    for flag in RedundancyFlag.objects.filter(demand_id__in=labelled):
        flags_of.setdefault(flag.demand_id, []).append(flag)
    right = total = positives = found = flagged = 0
    for pk in labelled:
        own = family[("demand", pk)]
        flags = flags_of.get(pk, [])
        flagged += bool(flags)
        good = 0
        for flag in flags:
            if flag.candidate_kind == "group":
                ids = group_members(flag)
                ok = sum(family.get(("demand", m)) == own for m in ids) * 2 > len(ids)
            else:
                ok = family.get((flag.candidate_kind, flag.candidate_id)) == own
            good += ok
        total += len(flags)
        right += good
        if members.get(own, set()) - {("demand", pk)}:
            positives += 1
            found += bool(good)
    precision = right / total if total else 1.0
    recall = found / positives if positives else 1.0
    return (f"against the demo world's labels: flag precision {precision:.2f}, flag recall {recall:.2f} "
            f"({positives} of {len(labelled)} checked demands duplicate a candidate), "
            f"{flagged} flagged ({flagged / len(labelled):.0%})")
