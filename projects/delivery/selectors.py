"""Every read of projects that depends on who asks.

`projects_visible_to(user)` is the one access rule (pages, API, downloads, exports): province-wide
roles see every project; a bureau user sees a project whose construction organization or one of
whose beneficiary organizations lies in its part of the tree (a submitter: its own organization;
a municipal coordinator: the bureaus of its city and counties).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from assets.models import HardwareItem
from core import workflow
from core.http import object_id
from core.models import AuditLog
from organizations.models import Organization
from projects.delivery.choices import MACHINE_FIELDS, DevelopmentState, FundingState, HardwareState, OperationsState
from projects.delivery.filters import late_q
from projects.delivery.models import Milestone, Project
from projects.demands.choices import DemandStatus
from projects.demands.models import Demand

STATE_CHOICES = {
    "hardware": HardwareState,
    "funding": FundingState,
    "development": DevelopmentState,
    "operations": OperationsState,
}


def projects_visible_to(user) -> QuerySet[Project]:
    """Projects `user` may read, with what every listing shows joined in."""
    return Project.objects.restrict(user).select_related("construction_org", "manager", "system")


def blocking_guards(project: Project, field: str) -> dict[str, list[str]]:
    """Transitions possible from the current state but for a guard, whoever may fire them: name → messages."""
    state = getattr(project, field)
    blocked = {}
    for name, spec in workflow.machine_spec(type(project), field).items():
        if state in spec.sources or "*" in spec.sources:
            reasons = workflow.unmet_guards(project, spec)
            if reasons:
                blocked[name] = reasons
    return blocked


def blocking_conditions(project: Project, field: str) -> dict[str, list]:
    """Like `blocking_guards`, with the guard functions themselves (the page links each to where it is unblocked)."""
    state = getattr(project, field)
    blocked = {}
    for name, spec in workflow.machine_spec(type(project), field).items():
        if state in spec.sources or "*" in spec.sources:
            conditions = workflow.unmet_conditions(project, spec)
            if conditions:
                blocked[name] = conditions
    return blocked


def project_for(user, pk) -> Project:
    """One project `user` may read, or 404 (never 403: existence is not revealed)."""
    pk = object_id(pk)  # 'abc', '1e3' or a number past 2**63: 404, never a crash
    try:
        return projects_visible_to(user).get(pk=pk)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def project_page(user, pk) -> Project:
    """One project with what its page shows prefetched: beneficiaries, milestones, hardware, and the
    demands `user` may see (`visible_demands`; `demand_count` counts them all, so that the page can
    say how many others there are without showing them)."""
    pk = object_id(pk)  # 'abc', '1e3' or a number past 2**63: 404, never a crash
    qs = projects_visible_to(user).annotate(demand_count=Count("demands", distinct=True)).prefetch_related(
        Prefetch("beneficiary_orgs", queryset=Organization.objects.select_related("region").order_by("code")),
        Prefetch("demands", queryset=Demand.objects.restrict(user).select_related("org").order_by("pk"),
                 to_attr="visible_demands"),
        "milestones",
        "hardware_items",
    )
    try:
        return qs.get(pk=pk)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def attachable_demands(user, limit: int | None = 500) -> QuerySet[Demand]:
    """Approved demands without a project that `user` may see, newest first (the attach form)."""
    qs = Demand.objects.restrict(user).filter(status=DemandStatus.APPROVED, project__isnull=True)
    qs = qs.select_related("org").order_by("-pk")
    return qs[:limit] if limit else qs


def milestone_for(user, pk) -> Milestone:
    """A milestone of a project `user` may read, or 404 (its document is served only then)."""
    pk = object_id(pk)  # 'abc', '1e3' or a number past 2**63: 404, never a crash
    try:
        return Milestone.objects.select_related("project").get(pk=pk, project__in=projects_visible_to(user).values("pk"))
    except (Milestone.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def project_hardware_for(user, pk) -> HardwareItem:
    """A hardware item of a project `user` may read, or 404."""
    pk = object_id(pk)
    try:
        return HardwareItem.objects.select_related("project").get(
            pk=pk, project__isnull=False, project__in=projects_visible_to(user).values("pk"))
    except (HardwareItem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def with_beneficiary_names(qs: QuerySet[Project]) -> QuerySet[Project]:
    """The beneficiary organizations of each row, for their names (one query for the page)."""
    return qs.prefetch_related(
        Prefetch("beneficiary_orgs", queryset=Organization.objects.only("id", "code", "name", "name_en").order_by("code"))
    )




def filter_choices(user) -> dict:
    """Organizations (id, name in the user's language) and years that occur in the projects `user` sees:
    two queries, plain tuples (hundreds of organizations render without building a model each)."""
    visible = projects_visible_to(user).order_by().values("pk")
    through = Project.beneficiary_orgs.through
    rows = Organization.objects.filter(
        Q(pk__in=Project.objects.filter(pk__in=visible).values("construction_org_id"))
        | Q(pk__in=through.objects.filter(project_id__in=visible).values("organization_id"))
    ).order_by("code").values_list("pk", "name", "name_en")
    english = (get_language() or "").startswith("en")
    orgs = [(pk, (name_en if english and name_en else name)) for pk, name, name_en in rows]
    years = projects_visible_to(user).order_by("-year").values_list("year", flat=True).distinct()
    return {"orgs": orgs, "years": list(years)}


def portfolio(user, *, late_limit: int = 50) -> dict:
    """Leadership's view of the projects `user` sees: how many sit in each stage of each machine,
    and which are late against their planned dates. Three queries whatever the number of projects."""
    today = timezone.localdate()
    qs = projects_visible_to(user).order_by()
    aggregates = {"total": Count("pk"), "budget": Sum("approved_budget"), "late": Count("pk", filter=late_q(today))}
    for machine, field in MACHINE_FIELDS.items():
        for state in STATE_CHOICES[machine]:
            aggregates[f"{machine}__{state.value}"] = Count("pk", filter=Q(**{field: state.value}))
    row = qs.aggregate(**aggregates)
    stages = []
    for machine in MACHINE_FIELDS:
        states = [{"state": s.value, "label": s.label, "count": row[f"{machine}__{s.value}"]} for s in STATE_CHOICES[machine]]
        stages.append({"machine": machine, "field": MACHINE_FIELDS[machine], "states": states})
    overdue_milestones = (
        Milestone.objects.filter(project_id=OuterRef("pk"), actual_date__isnull=True, planned_date__lt=today)
        .order_by()
        .values("project_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    late = list(
        qs.select_related("construction_org", "manager")
        .filter(late_q(today))
        .annotate(overdue_milestones=Coalesce(Subquery(overdue_milestones, output_field=IntegerField()), 0))
        .order_by("planned_end", "code")[:late_limit]
    )
    for project in late:
        project.days_late = (today - project.planned_end).days
    return {
        "total": row["total"],
        "budget": row["budget"] or 0,
        "late_count": row["late"],
        "stages": stages,
        "late": late,
        "today": today,
    }


def project_timeline(project: Project, user) -> QuerySet[AuditLog]:
    """The merged history of the project and of the demands it came from that `user` may see,
    oldest first (one query)."""
    project_type = ContentType.objects.get_for_model(Project)
    demand_type = ContentType.objects.get_for_model(Demand)
    demands = getattr(project, "visible_demands", None)
    demand_ids = [d.pk for d in demands] if demands is not None else list(
        Demand.objects.restrict(user).filter(project=project).values_list("pk", flat=True))
    return (
        AuditLog.objects.filter(
            Q(content_type=project_type, object_id=project.pk) | Q(content_type=demand_type, object_id__in=demand_ids)
        )
        .select_related("content_type")
        .order_by("at", "pk")
    )
