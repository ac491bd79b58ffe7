"""Seed step: run the redundancy check of the seeded demands under review, so that the demo has flags.

The demands step writes in bulk (no signals), so this step first tells every running process to
rebuild its index, then checks the demands under review exactly as a submission would (the
same `run_check`), at most MAX_CHECKS of them (the first ones: at `--scale` 100 checking every
demand would take long and say nothing more). Flags of demands that have already passed the
provincial review (expert review) are resolved as dismissed by the provincial reviewer, as the
approval rule requires; a few on demands in provincial review too, so that every state shows.
Finally the coordination clusters are computed. Idempotent: a check updates its pending flags
and keeps resolved ones; a resolved flag is never resolved again.
"""

from __future__ import annotations

from django.db import transaction

from .choices import REVIEW_STATES, FlagState
from .choices import DemandStatus as S
from .models import Demand, RedundancyFlag
from .redundancy_feed import note_rebuild
from .services import redundancy as service

MAX_CHECKS = 1500
DISMISS_EVERY = 4  # in provincial review, one flagged demand in this many has its flags dismissed already
DISMISS_COMMENT = "经比对，建设内容和服务对象不同，不属于重复建设。"


def run(ctx) -> str:
    with transaction.atomic():
        note_rebuild()
    service.rebuild_index()
    reviewer = ctx.users.get("prov_reviewer")
    demands = list(Demand.objects.filter(status__in=REVIEW_STATES).order_by("pk").values_list("pk", "status")[:MAX_CHECKS])
    flagged = 0
    for pk, _status in ctx.progress(demands, total=len(demands), desc="redundancy checks"):
        if service.run_check(pk):
            flagged += 1
    dismissed = 0
    if reviewer is not None:
        flagged_review = list(
            RedundancyFlag.objects.filter(demand__status=S.PROVINCIAL_REVIEW).order_by("demand_id")
            .values_list("demand_id", flat=True).distinct()
        )
        to_dismiss = set(flagged_review[::DISMISS_EVERY])
        pending = RedundancyFlag.objects.filter(state=FlagState.PENDING).select_related("demand").order_by("pk")
        for flag in pending:
            if flag.demand.status == S.EXPERT_REVIEW or flag.demand_id in to_dismiss:
                service.resolve_flag(flag, FlagState.DISMISSED, DISMISS_COMMENT, actor=reviewer)
                dismissed += 1
    snapshot = service.compute_clusters()
    total = RedundancyFlag.objects.count()
    pending = RedundancyFlag.objects.filter(state=FlagState.PENDING).count()
    return (f"{len(demands)} demands checked, {flagged} with flags; {total} flags ({pending} pending, "
            f"{dismissed} dismissed now); {len(snapshot.clusters)} clusters")
