"""Pages of the coordination clusters (省级统筹) and of what reviewers' decisions teach.

- The clusters page reads the latest snapshot only (never computes while a person waits), shows
  when it was computed and, while a recomputation runs, its progress (htmx polling of the run's
  status; no inline script or style). `?demand=<id>` shows the cluster holding that demand.
- Recompute asks for a background run (`clusters.request_recompute`), or finds the running one.
- Decide: build once, reuse one system, or dismiss, through `build_once.decide_cluster`.
- The decisions page: precision of the flags reviewers kept, the dismissed share by domain and
  by candidate kind with examples, suggested thresholds; applying one through `decisions.apply_threshold`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assets.models import InformationSystem
from core.errors import WorkflowError
from projects.demands.choices import Domain
from projects.demands.selectors import demands_visible_to
from projects.redundancy import tasks
from projects.redundancy.build_once import decide_cluster, decisions_for, may_decide_clusters
from projects.redundancy.clusters import (
    clusters_for,
    fail_stale_runs,
    latest_run,
    latest_snapshot,
    request_recompute,
    run_timeout,
)
from projects.redundancy.decisions import apply_threshold, may_apply_threshold, may_view_learning, measure
from projects.redundancy.models import ClusterDecision, ClusterDecisionKind, ClusterRunStatus
from projects.redundancy.permissions import may_recompute_clusters, may_view_clusters

CLUSTERS_PER_PAGE = 20
RECENT_DECISIONS = 10


def _demand_param(request) -> int | None:
    value = request.GET.get("demand") or ""
    return int(value) if value.isdigit() else None


@login_required
def clusters_page(request):
    """Pending demands of several organizations asking for the same kind of system: build once."""
    user = request.user
    if not may_view_clusters(user):
        raise PermissionDenied
    snapshot = latest_snapshot(compute_if_missing=False)
    run = latest_run()
    if run is not None and run.is_active and timezone.now() - (run.heartbeat_at or run.created_at) > run_timeout():
        fail_stale_runs()  # its worker died: say so instead of a progress bar that never moves
        run = latest_run()
    if snapshot is None and (run is None or run.status == ClusterRunStatus.FAILED) and may_recompute_clusters(user):
        run, _created = request_recompute(user=user, enqueue=tasks.enqueue_cluster_run)
        snapshot = latest_snapshot(compute_if_missing=False)  # with jobs inline it is there now
        run = latest_run()
    clusters = clusters_for(user, snapshot) if snapshot is not None else []
    focus = _demand_param(request)
    focus_missing = False
    if focus is not None:
        chosen = [c for c in clusters if any(d.pk == focus for d in c["demands"])]
        focus_missing = not chosen
        clusters = chosen
    # A demand that was decided already (merged into a project, sent to reuse): say where it went.
    focus_demand = (demands_visible_to(user).select_related("project", "reuse_system", "merged_into")
                    .filter(pk=focus).first() if focus_missing else None)
    page = Paginator(clusters, CLUSTERS_PER_PAGE).get_page(request.GET.get("page"))
    shown = [c for c in page]
    decisions = decisions_for({d.pk for c in shown for d in c["demands"]})
    for c in shown:
        ids = {d.pk for d in c["demands"]}
        c["decisions"] = [x for x in decisions if ids & {m.demand_id for m in x.members.all()}]
    may_decide = may_decide_clusters(user)
    context = {
        "snapshot": snapshot,
        "run": run,
        "page": page,
        "cluster_count": len(clusters),
        "can_recompute": may_recompute_clusters(user),
        "can_decide": may_decide,
        "focus": focus,
        "focus_missing": focus_missing,
        "focus_demand": focus_demand,
        "recent": _recent_decisions(user) if focus is None else [],
        "kinds": ClusterDecisionKind,
    }
    return render(request, "projects/redundancy/clusters.html", context)


def _recent_decisions(user) -> list[ClusterDecision]:
    """The latest decisions whose members `user` may all see."""
    rows = list(ClusterDecision.objects.select_related("decided_by", "project", "system")
                .prefetch_related("members__demand__org").order_by("-decided_at", "-pk")[:RECENT_DECISIONS])
    ids = {m.demand_id for r in rows for m in r.members.all()}
    visible = set(demands_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    return [r for r in rows if {m.demand_id for m in r.members.all()} <= visible]


@login_required
def cluster_run_status(request):
    """The progress of the latest recomputation (htmx polls it while it runs; a finished run reloads the page)."""
    if not may_view_clusters(request.user):
        raise PermissionDenied
    run = latest_run()
    response = render(request, "projects/redundancy/cluster_run.html", {"run": run, "polled": True})
    if request.headers.get("HX-Request") and (run is None or not run.is_active):
        response["HX-Refresh"] = "true"  # the result is in: show the new clusters
    return response


@login_required
@require_POST
def clusters_recompute(request):
    """Ask for a recomputation in the background (or find the one running)."""
    if not may_recompute_clusters(request.user):
        raise Http404
    run, created = request_recompute(user=request.user, enqueue=tasks.enqueue_cluster_run)
    run.refresh_from_db()
    if run.status == ClusterRunStatus.DONE and run.snapshot_id:
        messages.success(request, _("Clusters recomputed: %(count)s groups.") % {"count": len(run.snapshot.clusters)})
    elif run.status == ClusterRunStatus.FAILED:
        messages.error(request, run.error)
    elif created:
        messages.info(request, _("Recomputation started: the page shows its progress, and the last result meanwhile."))
    else:
        messages.info(request, _("A recomputation is already running (asked at %(at)s): its progress is shown below.")
                      % {"at": run.created_at.strftime("%H:%M:%S")})
    return redirect("projects:clusters")


@login_required
@require_POST
def cluster_decide(request):
    """Build once, reuse one system, or dismiss a cluster (the provincial review office)."""
    user = request.user
    if not may_decide_clusters(user):
        raise Http404
    key = request.POST.get("cluster") or ""
    back = reverse("projects:clusters")
    focus = request.POST.get("demand") or ""
    if focus.isdigit():
        back += "?" + urlencode({"demand": focus})
    system = request.POST.get("system") or ""
    if system.strip().upper().startswith("XT-"):
        system = InformationSystem.objects.filter(code=system.strip().upper()).values_list("pk", flat=True).first() or -1
    try:
        decision = decide_cluster(
            user=user, key=key, kind=request.POST.get("kind") or "", demand_ids=request.POST.getlist("demands") or None,
            reason=request.POST.get("reason") or "", project_name=request.POST.get("project_name") or "",
            project_budget=request.POST.get("project_budget"), system=system,
        )
    except WorkflowError as err:
        messages.error(request, err.message)
        return redirect(back)
    messages.success(request, _("%(decision)s: %(label)s, %(count)s demands, saved ¥%(savings)s.") % {
        "decision": decision.get_kind_display(), "label": decision.label, "count": decision.members.count(),
        "savings": f"{decision.savings:,.2f}"})
    return redirect(back)


@login_required
def decisions_page(request):
    """What reviewers' decisions teach: which flags get dismissed most, with examples; suggested thresholds."""
    if not may_view_learning(request.user):
        raise PermissionDenied
    context = {"figures": measure(), "can_apply": may_apply_threshold(request.user)}
    return render(request, "projects/redundancy/decisions.html", context)


@login_required
@require_POST
def threshold_apply(request):
    """Apply the threshold suggested now for one domain (logged)."""
    if not may_apply_threshold(request.user):
        raise Http404
    try:
        row = apply_threshold(user=request.user, domain=request.POST.get("domain") or "")
    except WorkflowError as err:
        messages.error(request, err.message)
        return redirect("projects:redundancy_decisions")
    messages.success(request, _("Flag threshold for “%(domain)s” is now %(new)s%% (was %(old)s%%).") % {
        "domain": Domain(row.domain).label,
        "new": round(float(row.threshold) * 100), "old": round(float(row.previous) * 100)})
    return redirect("projects:redundancy_decisions")
