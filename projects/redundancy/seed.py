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
    dismissed = 0
    reviewer = ctx.users.get("prov_reviewer")
    if reviewer is not None and flagged:
        in_review = sorted(Demand.objects.filter(pk__in=flagged, status=S.PROVINCIAL_REVIEW).values_list("pk", flat=True))
        chosen = set(in_review[::DISMISS_EVERY]) | set(
            Demand.objects.filter(pk__in=flagged, status=S.EXPERT_REVIEW).values_list("pk", flat=True)
        )
        pending = RedundancyFlag.objects.filter(demand_id__in=chosen, state=FlagState.PENDING).select_related("demand")
        for flag in pending.order_by("pk"):
            resolve_flag(flag, FlagState.DISMISSED, DISMISS_COMMENT, actor=reviewer)
            dismissed += 1
    CodeSequence.objects.update_or_create(key=PROGRESS_KEY, defaults={"last": todo[-1]})
    snapshot = compute_clusters()
    figures = measure(ctx, todo)
    return (f"{len(todo)} demands checked, {len(flagged)} with flags; {RedundancyFlag.objects.count()} flags "
            f"({dismissed} dismissed); {len(snapshot.clusters)} clusters" + (f"; {figures}" if figures else ""))


def measure(ctx, checked: list[int]) -> str:
    """The flags of the checked demands against the demo world's own labels (projects/demands/seed_world.py).

    A flag is right when its candidate is of the demand's family (a grouped flag: most of its
    demands are); precision is the share of right flags, recall the share of checked demands with
    a candidate of their family that got a right flag. Demands the demand seed did not write are
    left out. Empty when none of the checked demands carries a label.
    """
    from assets.models import InformationSystem
    from projects.demands import seed as demand_seed
    from projects.demands import seed_world
    from projects.redundancy.documents import candidate_demands, candidate_projects, candidate_systems
    from projects.redundancy.flags import group_members

    labels = seed_world.labels(demand_seed.Plan(ctx), demand_seed._progress())
    family = {("demand", pk): labels.get((org_id, title))
              for pk, org_id, title in Demand.objects.values_list("pk", "org_id", "title").iterator()}
    family.update({("system", pk): f"s:{pk}" for pk in InformationSystem.objects.values_list("pk", flat=True)})
    for pk, project_id in Demand.objects.filter(project__isnull=False).order_by("pk").values_list("pk", "project_id"):
        family.setdefault(("project", project_id), family.get(("demand", pk)))
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
