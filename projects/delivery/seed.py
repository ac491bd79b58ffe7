"""Seed step: projects at every stage of each of their four machines, built from approved demands.

Projects come first from what the demand seed left (projects its approvals created, approved
demands without a project); when those run out, the step files and approves demands of its own
through the workflow doorway. Every state change goes through `project_transition`. Some
projects absorb demands from several cities (several beneficiary organizations); each gets
milestones (with acceptance documents where reached) and, unless waived, hardware.

Idempotent: a project counts as seeded once it has milestones; a second run adds nothing.
`--scale N` repeats the scenarios N times.
"""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import Q
from django.utils import timezone

from assets import services as catalogue
from assets.choices import HardwareKind, HardwareLocation, HardwareStatus
from assets.models import Capability
from core import workflow
from core.sequences import next_code, reserve_codes
from organizations.models import Organization
from projects import ports
from projects.delivery import services
from projects.delivery.choices import MACHINE_FIELDS, DevelopmentState, MilestoneKind, OperationsState
from projects.delivery.models import Milestone, Project
from projects.demands.choices import AssignmentState, DemandStatus
from projects.demands.models import Demand

# (hardware, funding, development, operations, options). Together they cover every state of every
# machine. Options: "late" (planned end passed, not delivered), "cities" (demands from several
# cities in one project), "rework" (development went back to building once).
SCENARIOS = [
    ("planning", "unfunded", "not_started", "not_started", {}),
    ("planning", "budgeted", "not_started", "not_started", {"cities": 3}),
    ("requested", "budgeted", "not_started", "not_started", {"late": True}),
    ("requested", "allocated", "requirements", "not_started", {}),
    ("procuring", "allocated", "design", "not_started", {"cities": 2}),
    ("procuring", "disbursing", "building", "not_started", {"late": True}),
    ("delivered", "disbursing", "building", "not_started", {"rework": True}),
    ("delivered", "disbursing", "testing", "not_started", {"late": True}),
    ("not_required", "disbursing", "acceptance", "not_started", {}),
    ("accepted", "disbursing", "delivered", "not_started", {"cities": 3}),
    ("accepted", "settled", "delivered", "trial", {}),
    ("accepted", "settled", "delivered", "in_operation", {"cities": 4}),
    ("not_required", "settled", "delivered", "in_operation", {}),
    ("accepted", "disbursing", "delivered", "upgrading", {}),
    ("accepted", "settled", "delivered", "suspended", {"cities": 2}),
    ("accepted", "settled", "delivered", "retired", {}),
]

# Demands the step files itself when the demand seed left none: (title, description, domain,
# capability codes, budget parts). Several cities ask for the same kind of system.
DEMAND_KINDS = [
    ("智慧停车诱导系统", "整合城区公共停车场泊位数据，提供实时泊位查询、停车诱导与移动支付。", "public_services",
     ["mobile_app", "payment", "gis", "iot"], (800_000, 600_000, 200_000, 100_000)),
    ("基层社会治理网格化平台", "建设覆盖街道、社区的网格化管理平台，实现事件上报、分拨、处置、考核闭环。", "social_governance",
     ["workflow", "gis", "mobile_app", "dashboard"], (500_000, 900_000, 300_000, 150_000)),
    ("智慧校园统一门户", "为中小学提供统一身份认证、家校互通、课程资源与校园安全视频联网。", "public_services",
     ["identity_auth", "message_push", "video", "mobile_app"], (1_200_000, 800_000, 300_000, 200_000)),
    ("不动产登记“一网通办”系统", "对接电子证照、电子印章与统一支付，实现不动产登记全程网办。", "government_services",
     ["online_service", "e_license", "e_seal", "payment"], (300_000, 1_500_000, 400_000, 200_000)),
    ("水务物联网监测平台", "对供水管网压力、流量、水质进行物联网实时监测与预警。", "infrastructure",
     ["iot", "gis", "analytics", "dashboard"], (2_000_000, 700_000, 300_000, 250_000)),
    ("养老服务信息平台", "汇聚老年人口、养老机构与居家服务数据，提供服务预约与补贴发放。", "public_services",
     ["appointment", "data_exchange", "payment", "mobile_app"], (400_000, 900_000, 250_000, 150_000)),
    ("企业信用信息公示系统", "归集企业信用信息，支撑联合奖惩与信用修复。", "social_credit",
     ["credit", "data_exchange", "search"], (300_000, 1_100_000, 200_000, 100_000)),
    ("12345热线智能分拨系统", "对12345热线工单进行智能识别与自动分拨，提升办结效率。", "government_services",
     ["hotline", "ai_vision", "workflow", "analytics"], (600_000, 1_300_000, 300_000, 200_000)),
]

# Requesting organizations the step's own demands come from, with who submits and who reviews first.
REQUESTERS = [
    ("220100-jyj", "sub_changchun", "coord_changchun"),
    ("220200-mzj", "sub_jilin", "coord_jilin"),
    ("220300-swj", "sub_siping", "coord_siping"),
    ("222401-jyj", "sub_yanji", "coord_yanbian"),
    ("220000-jyt", "sub_province", None),
]

MILESTONES = [
    # (name, share of the planned period, reached when)
    ("需求调研完成", 0.15, lambda p: p.development_status not in (DevelopmentState.NOT_STARTED, DevelopmentState.REQUIREMENTS)),
    ("系统设计评审", 0.35, lambda p: p.development_status in (
        DevelopmentState.BUILDING, DevelopmentState.TESTING, DevelopmentState.ACCEPTANCE, DevelopmentState.DELIVERED)),
    ("系统测试完成", 0.7, lambda p: p.development_status in (DevelopmentState.ACCEPTANCE, DevelopmentState.DELIVERED)),
    ("竣工验收", 0.95, lambda p: p.development_status == DevelopmentState.DELIVERED),
]

# The milestone whose signed document lets the development be delivered.
ACCEPTANCE_MILESTONE = "竣工验收"

HARDWARE = [
    ("应用服务器（云主机 8核32G）", HardwareKind.CLOUD_VM, {"vcpu": 8, "memory_gb": 32}, 4, Decimal("18000.00")),
    ("数据库服务器（云主机 16核64G）", HardwareKind.CLOUD_VM, {"vcpu": 16, "memory_gb": 64}, 2, Decimal("36000.00")),
    ("对象存储", HardwareKind.CLOUD_STORAGE, {"storage_tb": Decimal("20.00")}, 1, Decimal("24000.00")),
]
HARDWARE_STATUS = {
    "requested": HardwareStatus.PLANNED,
    "procuring": HardwareStatus.ORDERED,
    "delivered": HardwareStatus.DELIVERED,
    "accepted": HardwareStatus.IN_SERVICE,
}
ACTORS = {"hardware": "pm", "development": "pm", "funding": "finance", "operations": "ops"}
# A minimal PDF: acceptance documents of reached milestones in the base set.
ACCEPTANCE_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _initial(field: str) -> str:
    return Project._meta.get_field(field).get_default()


def path_to(field: str, target: str, *, rework: bool = False) -> list[str]:
    """Transition names leading the machine on `field` from its first state to `target` (shortest)."""
    specs = workflow.machine_spec(Project, field)
    start = _initial(field)
    if rework:
        return path_to(field, DevelopmentState.TESTING) + ["rework"] + _path_between(specs, DevelopmentState.BUILDING, target)
    return _path_between(specs, start, target)


def _path_between(specs, start: str, target: str) -> list[str]:
    queue, seen = deque([(start, [])]), {start}
    while queue:
        state, path = queue.popleft()
        if state == target:
            return path
        for name, spec in specs.items():
            if state in spec.sources and spec.target not in seen:
                seen.add(spec.target)
                queue.append((spec.target, [*path, name]))
    raise ValueError(f"{target} cannot be reached from {start}")


def drive(project: Project, targets: dict[str, str], users: dict, *, rework: bool = False, facts=None) -> None:
    """Move each machine along its path, each step when the other machines' guards allow it.

    `facts(machine, name)` is called before each step: it enters what the step rests on (the
    items delivered before the hardware is accepted, the acceptance document before delivery),
    as the people of the lane do on the project page."""
    paths = {
        machine: deque(path_to(MACHINE_FIELDS[machine], target, rework=rework and machine == "development"))
        for machine, target in targets.items()
    }
    while any(paths.values()):
        moved = False
        for machine, path in paths.items():
            if not path:
                continue
            if machine == "funding" and ports.fund_for_demo(project, path[0], users):
                path.popleft()  # the budgets app fired it (the first payment begins disbursing)
                workflow.reload(project)
                moved = True
                continue
            spec = workflow.machine_spec(Project, MACHINE_FIELDS[machine])[path[0]]
            if facts is not None:
                facts(machine, path[0])
            if workflow.unmet_guards(project, spec):
                continue
            services.project_transition(project=project, machine=machine, name=path.popleft(), actor=users[ACTORS[machine]],
                                        comment="演示数据")
            moved = True
        if not moved:
            raise RuntimeError(f"{project.code}: no machine can move towards {targets}")


def _own_demand(kind: tuple, requester: tuple, users: dict, orgs: dict, capabilities: dict, year: int) -> Demand:
    """File and approve one demand through the doorway (the seed's own, when none is left)."""
    title, description, domain, caps, parts = kind
    org_code, submitter, coordinator = requester
    org = orgs[org_code]
    hw, sw, sv, op = (Decimal(p) for p in parts)
    demand = Demand.objects.create(
        code=next_code("XQ", 6, year), title=f"{org.region.name}{title}", description=description, org=org,
        created_by=users[submitter], domain=domain, construction_type="new", contact_name="联系人", contact_phone="0431-88888888",
        budget_hardware=hw, budget_software=sw, budget_services=sv, budget_operations=op, budget_total=hw + sw + sv + op,
        submitted_at=timezone.now(),
    )
    demand.capabilities.set([capabilities[c] for c in caps if c in capabilities])
    workflow.fire(demand, field="status", name="submit", actor=users[submitter], comment="演示数据")
    if demand.status == DemandStatus.MUNICIPAL_REVIEW:
        workflow.fire(demand, field="status", name="municipal_approve", actor=users[coordinator], comment="同意上报")
    workflow.fire(demand, field="status", name="provincial_approve", actor=users["prov_approver"], comment="同意立项")
    if demand.status == DemandStatus.EXPERT_REVIEW:
        workflow.fire(demand, field="status", name="expert_approve", actor=users["prov_approver"], comment="专家评审通过")
    return demand


class DemandSource:
    """Approved demands for new projects: the demand seed's first, then the step's own."""

    def __init__(self, users: dict):
        self.users = users
        self.year = timezone.localdate().year
        self.orgs = {o.code: o for o in Organization.objects.filter(code__in=[r[0] for r in REQUESTERS]).select_related("region")}
        self.capabilities = {c.code: c for c in Capability.objects.all()}
        self.left = deque(Demand.objects.filter(status=DemandStatus.APPROVED, project__isnull=True).select_related("org").order_by("pk"))
        self.n = 0

    def one(self, kind_index: int, requester_index: int) -> Demand:
        if self.left:
            return self.left.popleft()
        self.n += 1
        kind = DEMAND_KINDS[kind_index % len(DEMAND_KINDS)]
        return _own_demand(kind, REQUESTERS[requester_index % len(REQUESTERS)], self.users, self.orgs, self.capabilities, self.year)


def _without_region(project: Project) -> str:
    """The project's name without the requesting city's name in front (it now serves several)."""
    first = project.demands.select_related("org__region").order_by("pk").first()
    prefix = first.org.region.name if first else ""
    return project.name.removeprefix(prefix) if prefix and project.name != prefix else project.name


def fresh_projects():
    """Projects nobody has moved yet and the seed has not touched (e.g. born from the demand seed)."""
    initial = {field: _initial(field) for field in MACHINE_FIELDS.values()}
    return Project.objects.filter(**initial, milestones__isnull=True).order_by("pk")


def seeded_count() -> int:
    return Project.objects.filter(milestones__isnull=False).distinct().count()


def build(index: int, scenario: tuple, project: Project | None, source: DemandSource, users: dict, *, documents: bool) -> Project:
    """One seeded project: demands (several cities for some), dates, manager, states, milestones, hardware."""
    hardware, funding, development, operations, options = scenario
    today = timezone.localdate()
    if project is None:
        demand = source.one(index, index)
        project = demand.project or services.create_project_for_demand(demand, users["prov_approver"])
    for extra in range(1, options.get("cities", 1)):
        services.attach_demand_to_project(source.one(index, index + extra), project, users["prov_reviewer"])
        if extra == 1:
            services.update_project(project, users["prov_approver"], name=f"{_without_region(project)}（省建市用）"[:200])
    # Planned dates: late ones ended a month ago; the others end next year.
    planned_start = today - timedelta(days=300 + 7 * (index % 20))
    planned_end = today - timedelta(days=30) if options.get("late") else planned_start + timedelta(days=540)
    services.update_project(project, users["prov_approver"], manager=users["pm"], planned_start=planned_start, planned_end=planned_end)
    workflow.reload(project)
    span = (planned_end - planned_start).days
    plan = {name: planned_start + timedelta(days=int(span * share)) for name, share, _reached in MILESTONES}
    items = []
    if hardware in HARDWARE_STATUS:
        # What the hardware request lists: the items with their cost, entered before the request.
        for name, kind, spec, quantity, unit_cost in HARDWARE[: 2 + index % 2]:
            items.append(catalogue.create_hardware(
                actor=users["pm"], name=name, kind=kind, project=project, quantity=quantity, unit_cost=unit_cost,
                location=HardwareLocation.PROVINCIAL_CLOUD, supplier="吉林祥云信息技术有限公司", status=HardwareStatus.PLANNED, **spec,
            ))

    def facts(machine: str, name: str) -> None:
        if (machine, name) == ("hardware", "accept"):
            for item in items:
                if item.status in (HardwareStatus.PLANNED, HardwareStatus.ORDERED):
                    services.mark_hardware_delivered(item, users["pm"])
        elif (machine, name) == ("development", "deliver") and not project.milestones.filter(kind=MilestoneKind.ACCEPTANCE).exists():
            planned = plan[ACCEPTANCE_MILESTONE]
            services.add_milestone(project, users["pm"], name=ACCEPTANCE_MILESTONE, kind=MilestoneKind.ACCEPTANCE,
                                   planned_date=planned, actual_date=min(max(planned, project.actual_start or planned), today),
                                   document=ContentFile(ACCEPTANCE_PDF, name=f"{ACCEPTANCE_MILESTONE}验收报告.pdf"))

    drive(project, {"hardware": hardware, "funding": funding, "development": development, "operations": operations}, users,
          rework=options.get("rework", False), facts=facts)
    for item in items:  # where the hardware stands: ordered while procuring, in service once accepted
        item.refresh_from_db()
        if item.status != HARDWARE_STATUS[hardware]:
            catalogue.update_hardware(item, actor=users["pm"], status=HARDWARE_STATUS[hardware])
    actual = {}
    if project.development_status != DevelopmentState.NOT_STARTED:
        actual["actual_start"] = planned_start + timedelta(days=20)
    if project.development_status == DevelopmentState.DELIVERED:
        actual["actual_end"] = min(today - timedelta(days=10), planned_end)
    if actual:
        services.update_project(project, users["pm"], **actual)
    existing = set(project.milestones.values_list("name", flat=True))
    for name, _share, reached in MILESTONES:
        if name in existing:
            continue
        planned = plan[name]
        done = reached(project)
        actual_date = min(max(planned, actual.get("actual_start", planned)), today) if done else None
        document = ContentFile(ACCEPTANCE_PDF, name=f"{name}验收报告.pdf") if done and documents else None
        kind = MilestoneKind.ACCEPTANCE if name == ACCEPTANCE_MILESTONE else MilestoneKind.STEP
        services.add_milestone(project, users["pm"], name=name, kind=kind, planned_date=planned, actual_date=actual_date,
                               document=document)
    return project


def projects_for_panel_demands(users: dict) -> int:
    """Each demand approved on an expert panel's opinions (the review step approves one) becomes a project of
    its own through the service, first: its approval sheet then prints the panel's opinions."""
    demands = (Demand.objects.filter(status=DemandStatus.APPROVED, project__isnull=True, expert_assignments__state=AssignmentState.SUBMITTED)
               .distinct().order_by("pk"))
    made = 0
    for demand in demands:
        services.create_project_for_demand(demand, users["prov_approver"])
        made += 1
    return made


def projects_for_the_rest() -> int:
    """Every approved demand still without a project gets one, just approved (bulk: no transition here).

    One project per demand, numbered in the year of its approval, built by the provincial
    coordination authority for the requesting organization, as `create_project_for_demand` does.
    """
    rest = list(Demand.objects.filter(status=DemandStatus.APPROVED, project__isnull=True).order_by("pk"))
    if not rest:
        return 0
    builder = services.construction_org()
    manager = services.default_manager(builder)  # a project has a manager from the moment it exists
    by_year = defaultdict(list)
    for demand in rest:
        approved_at = demand.stage_entered_at or demand.updated_at
        by_year[timezone.localtime(approved_at).year if approved_at else timezone.localdate().year].append(demand)
    Through = Project.beneficiary_orgs.through
    for year, demands in sorted(by_year.items()):
        projects = [
            Project(code=code, name=(d.title or d.code or "")[:200], description=d.description, construction_org=builder, manager=manager,
                    approved_budget=d.budget_total, year=year, planned_start=d.planned_start, planned_end=d.planned_end)
            for code, d in zip(reserve_codes("XM", 4, len(demands), year), demands, strict=True)
        ]
        Project.objects.bulk_create(projects, batch_size=1000)
        Through.objects.bulk_create([Through(project_id=p.pk, organization_id=d.org_id) for p, d in zip(projects, demands, strict=True)],
                                    batch_size=5000, ignore_conflicts=True)
        for project, demand in zip(projects, demands, strict=True):
            demand.project = project
        # Only the link column: the demands' states are not touched.
        Demand.objects.bulk_update(demands, ["project"], batch_size=1000)
    return len(rest)


def run(ctx) -> str:
    """Seed step (core.seeding.STEPS): projects at every stage, `len(SCENARIOS) * scale` in all, and a
    project for every other approved demand."""
    users = ctx.users or _demo_users()
    target = len(SCENARIOS) * ctx.scale
    done = seeded_count()
    panels = projects_for_panel_demands(users)  # also on a database seeded before the review step approved one
    if done >= target:
        rest = projects_for_the_rest()
        return (f"{Project.objects.count()} projects (already seeded; {rest} for approved demands without one); "
                f"{panels} approved on an expert panel")
    source = DemandSource(users)
    pool = deque(fresh_projects())
    todo = range(done, target)
    for index in ctx.progress(todo, total=len(todo), desc="projects"):
        scenario = SCENARIOS[index % len(SCENARIOS)]
        build(index, scenario, pool.popleft() if pool else None, source, users, documents=index < len(SCENARIOS))
    rest = projects_for_the_rest()
    live = Project.objects.filter(~Q(operations_status__in=[OperationsState.NOT_STARTED, OperationsState.TRIAL])).count()
    return (f"{Project.objects.count()} projects ({len(todo)} at every stage, {panels} approved on an expert panel, "
            f"{live} with a live or retired system, "
            f"{rest} just approved), {Milestone.objects.count()} milestones, {source.n} demands filed for them")


def _demo_users() -> dict:
    from django.contrib.auth import get_user_model

    return {u.username: u for u in get_user_model().objects.filter(username__in=[*ACTORS.values(), "prov_approver", "prov_reviewer",
                                                                               *(r[1] for r in REQUESTERS), *(r[2] for r in REQUESTERS if r[2])])}
