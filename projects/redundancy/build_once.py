"""Decisions on a coordination cluster (省级统筹): build once, reuse one system, or dismiss.

`decide_cluster` is the one door (page and API). It works on the cluster as the deciding person
sees it in the latest snapshot, and is all-or-nothing: inside one transaction it locks the
member demands (ascending id, the lock order of every demand write), checks each is still in
provincial review, then

- build_once: creates one provincial project (built by the provincial coordination authority)
  and merges every member into it through the demand doorway (`demand_transition(merge,
  target_project=...)`): each requester becomes a beneficiary, each merge writes its audit row
  and its savings entry, the project's budget shared among the members in proportion to their
  budgets as the merge's incremental cost, so that the ledger adds up to the decision's savings
  (the members' total minus the project's budget);
- reuse: sends every member to one catalogue system (`recommend_reuse`);
- dismiss: records that the cluster is not one to act on, with the reason.

The decision, its members and its savings are one `ClusterDecision`, with one audit row
(core.audit). A member that cannot be merged (wrong state, a concurrent change) refuses the
whole decision with a message naming it; nothing is left half-written.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets.choices import SystemStatus
from assets.models import InformationSystem
from core import audit
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid, WorkflowError
from core.sequences import next_code
from organizations.choices import Role
from organizations.permissions import has_role
from projects.delivery.models import Project
from projects.delivery.services import construction_org, default_manager
from projects.demands.choices import DemandStatus
from projects.demands.models import Demand
from projects.demands.services import demand_transition
from projects.redundancy.choices import CandidateKind, FlagState
from projects.redundancy.clusters import cluster_label, clusters_for, latest_snapshot
from projects.redundancy.flags import resolve_for_redirect
from projects.redundancy.models import ClusterDecision, ClusterDecisionKind, ClusterDecisionMember

CENT = Decimal("0.01")
MAX_BUDGET = Decimal("10000000000.00")
REASON_MAX = 2000
CLUSTER_MACHINE = "cluster"  # the audit log's machine of cluster decisions


def may_decide_clusters(user) -> bool:
    """The provincial review office decides on clusters: merge and reuse are its decisions (design.md)."""
    return bool(user and user.is_authenticated and user.is_superuser) or has_role(user, Role.PROVINCIAL_REVIEWER)


def find_cluster(user, key: str) -> dict | None:
    """The cluster `key` of the latest snapshot as `user` sees it, or None."""
    snapshot = latest_snapshot(compute_if_missing=False)
    if snapshot is None or not key:
        return None
    return next((c for c in clusters_for(user, snapshot) if c["key"] == key), None)


def decisions_for(demand_ids) -> list[ClusterDecision]:
    """Decisions that any of these demands took part in, newest first (for a cluster's page)."""
    ids = list(demand_ids)
    if not ids:
        return []
    return list(
        ClusterDecision.objects.filter(members__demand_id__in=ids).distinct()
        .select_related("decided_by", "project", "system").prefetch_related("members__demand__org")
        .order_by("-decided_at", "-pk")
    )


def _invalid(field: str, message) -> TransitionInvalid:
    return TransitionInvalid(message, field_errors={field: [message]})


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip()).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise _invalid(field, _("Budget of the provincial project: enter an amount in CNY, e.g. 3000000.00.")) from None
    if not amount.is_finite() or amount <= 0:
        raise _invalid(field, _("Budget of the provincial project: it must be more than zero."))
    if amount > MAX_BUDGET:
        raise _invalid(field, _("Budget of the provincial project: it is over 10 billion CNY, please check the amount."))
    return amount


def _shares(budget: Decimal, members: list[Demand], total: Decimal) -> dict[int, Decimal]:
    """The project's budget shared among the members by their budgets (cents; the last takes the rest)."""
    shares, given = {}, Decimal("0")
    for i, d in enumerate(members):
        if i == len(members) - 1:
            share = budget - given
        else:
            share = (budget * d.budget_total / total).quantize(CENT, rounding=ROUND_HALF_UP) if total else Decimal("0")
        shares[d.pk] = share
        given += share
    return shares


def _name_of(demand: Demand) -> str:
    return f"{demand.code or demand.pk} “{demand.title}”"


def decide_cluster(*, user, key: str, kind: str, demand_ids=None, reason: str = "", project_name: str = "",
                   project_budget=None, system=None) -> ClusterDecision:
    """Decide on cluster `key` as `user` (see the module). Raises TransitionForbidden, TransitionInvalid
    (bad input, fields named) or TransitionConflict (a member cannot be merged now, or someone decided first)."""
    if not may_decide_clusters(user):
        raise TransitionForbidden(_("Only the provincial review office decides on clusters."))
    if kind not in ClusterDecisionKind.values:
        raise _invalid("kind", _("Choose a decision: build once, reuse an existing system, or dismiss."))
    cluster = find_cluster(user, key)
    if cluster is None:
        raise TransitionConflict(_("This cluster is no longer in the latest computation: reload the clusters page."))
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise _invalid("reason", _("The reason may have at most %(limit)d characters (it has %(count)d).")
                       % {"limit": REASON_MAX, "count": len(reason)})
    members = {d.pk: d for d in cluster["demands"]}
    if demand_ids is None or kind == ClusterDecisionKind.DISMISS:
        chosen = sorted(members)
    else:
        try:
            chosen = sorted({int(v) for v in demand_ids})
        except (TypeError, ValueError):
            raise _invalid("demands", _("Members: choose demands of this cluster.")) from None
        strangers = [pk for pk in chosen if pk not in members]
        if strangers:
            raise _invalid("demands", _("Members: choose demands of this cluster."))
    if kind != ClusterDecisionKind.DISMISS and len({members[pk].org_id for pk in chosen}) < 2:
        raise _invalid("demands", _("Members: choose demands of at least two organizations."))
    resolved: dict = {}
    if kind == ClusterDecisionKind.DISMISS:
        if not reason:
            raise _invalid("reason", _("Please give the reason for dismissing this cluster."))
    elif kind == ClusterDecisionKind.BUILD_ONCE:
        resolved["name"] = (project_name or "").strip()
        if not resolved["name"]:
            raise _invalid("project_name", _("Name of the provincial project: this field is required."))
        if len(resolved["name"]) > 200:
            raise _invalid("project_name", _("Name of the provincial project: at most 200 characters."))
        resolved["budget"] = _money(project_budget, "project_budget")
    else:
        system_id = getattr(system, "pk", system)
        try:
            system_id = int(system_id)
        except (TypeError, ValueError):
            system_id = -1
        found = InformationSystem.objects.filter(pk=system_id).exclude(status=SystemStatus.RETIRED).first()
        if found is None:
            raise _invalid("system", _("Choose a system of the catalogue that is not retired."))
        resolved["system"] = found
    return _decide(user=user, cluster=cluster, kind=kind, chosen=chosen, reason=reason, resolved=resolved)


def _decide(*, user, cluster: dict, kind: str, chosen: list[int], reason: str, resolved: dict) -> ClusterDecision:
    snapshot_at = latest_snapshot(compute_if_missing=False).computed_at
    with transaction.atomic():
        # Lock order: demands by ascending id (as every demand write). A second decision on the same
        # members waits here, then finds them merged, sent to reuse, or already decided, and is refused.
        locked = list(Demand.objects.select_for_update().filter(pk__in=chosen).select_related("org").order_by("pk"))
        if len(locked) != len(chosen):
            raise TransitionConflict(_("A member of this cluster no longer exists: reload the clusters page."))
        for d in locked:
            if kind != ClusterDecisionKind.DISMISS and d.status != DemandStatus.PROVINCIAL_REVIEW:
                raise TransitionConflict(
                    _("Demand %(demand)s is “%(state)s”: only demands in provincial review can be merged or sent to reuse. "
                      "Nothing was decided; leave it out of the decision or wait for it.")
                    % {"demand": _name_of(d), "state": d.get_status_display()}, state=d.status)
        earlier = (ClusterDecision.objects.filter(members__demand_id__in=chosen, decided_at__gte=snapshot_at)
                   .select_related("decided_by").order_by("-pk").first())
        if earlier is not None:
            raise TransitionConflict(
                _("%(who)s decided on this cluster at %(at)s (%(decision)s). Nothing was changed: reload the clusters page.")
                % {"who": earlier.decided_by, "at": timezone.localtime(earlier.decided_at).strftime("%Y-%m-%d %H:%M"),
                   "decision": earlier.get_kind_display()})
        total = sum((d.budget_total for d in locked), Decimal("0"))
        # Named as the cluster, counted by the members decided on (the others stay as they are).
        label = cluster_label({**cluster, "org_count": len({d.org_id for d in locked}),
                               "city_count": len({d.org.city_id for d in locked if d.org.city_id})})
        decision = ClusterDecision(kind=kind, cluster_key=cluster["key"], label=label[:200], reason=reason,
                                   members_total=total, decided_by=user, savings=Decimal("0"))
        if kind == ClusterDecisionKind.BUILD_ONCE:
            budget = resolved["budget"]
            if budget > total:
                raise _invalid("project_budget", _(
                    "Budget of the provincial project: it is more than the members ask for together (%(total)s CNY); "
                    "building once must not cost more.") % {"total": f"{total:,.2f}"})
            decision.project = _create_project(resolved["name"], budget, locked, user)
            decision.project_budget, decision.savings = budget, total - budget
            shares = _shares(budget, locked, total)
            comment = reason or _("Built once at the provincial level: project %(code)s") % {"code": decision.project.code}
            for d in locked:
                _redirect(d, name="merge", actor=user, comment=comment, target_project=decision.project.pk,
                          incremental_cost=shares[d.pk])
            # The members' flags on one another are merges too (a labelled pair each, for learning): the
            # first members merged before the others were part of the project, so their flags wait still.
            for d in locked:
                resolve_for_redirect(d, kind=CandidateKind.PROJECT, candidate_id=decision.project.pk,
                                     state=FlagState.MERGED, actor=user, comment=comment)
        elif kind == ClusterDecisionKind.REUSE:
            decision.system, decision.savings = resolved["system"], total
            comment = reason or _("Reuse of %(code)s %(name)s for the whole cluster") % {
                "code": resolved["system"].code, "name": resolved["system"].name}
            for d in locked:
                _redirect(d, name="recommend_reuse", actor=user, comment=comment, system=resolved["system"].pk)
        decision.save()
        ClusterDecisionMember.objects.bulk_create(
            [ClusterDecisionMember(decision=decision, demand=d, budget=d.budget_total) for d in locked])
        audit.record(audit.AuditEvent.FLAG_DECISION, decision, actor=user, machine=CLUSTER_MACHINE, transition=kind,
                     comment=reason, payload={
                         "cluster": cluster["key"], "demands": [d.pk for d in locked], "members_total": f"{total:.2f}",
                         "savings": f"{decision.savings:.2f}",
                         **({"project": decision.project.code} if decision.project_id else {}),
                         **({"system": decision.system.code} if decision.system_id else {}),
                     })
    return decision


def _create_project(name: str, budget: Decimal, members: list[Demand], actor) -> Project:
    """The provincial project the members merge into: built by the coordination authority for them all."""
    builder = construction_org()
    year = timezone.localdate().year
    starts = [d.planned_start for d in members if d.planned_start]
    ends = [d.planned_end for d in members if d.planned_end]
    description = _("Built once at the provincial level for: %(demands)s") % {
        "demands": "、".join(f"{d.org} {d.code}" for d in members)}
    return Project.objects.create(
        code=next_code("XM", 4, year), manager=default_manager(builder), name=name[:200], description=description,
        construction_org=builder, approved_budget=budget, year=year,
        planned_start=min(starts) if starts else None, planned_end=max(ends) if ends else None,
    )


def _redirect(demand: Demand, *, name: str, actor, comment: str, **payload) -> None:
    """One member through the doorway; a refusal names the member and undoes the whole decision."""
    try:
        demand_transition(demand=demand, name=name, actor=actor, comment=comment, **payload)
    except WorkflowError as err:
        raise type(err)(
            _("Demand %(demand)s cannot be decided with the others: %(why)s Nothing was decided.")
            % {"demand": _name_of(demand), "why": err.message},
            state=err.state, field_errors=getattr(err, "field_errors", None),
        ) from err
