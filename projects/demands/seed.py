"""Seed step: demands in every state from bureaus across the province, with their history.

1,000 demands per `--scale` unit (scale 100: 100,000), written with bulk inserts: the demand
rows, their capabilities and data resources, and the audit-log rows of the transitions that
brought each one where it is (who, when, with which comment), so that every timeline reads as
if people had done it. No workflow call per demand: at this volume the doorway would take
hours; the state each row is given is one the machine can reach, along a path the log records.

The first fifty demands belong to the demo bureaus (sub_changchun, sub_jilin, sub_yanji,
sub_province, sub_siping), ten each, one in every state. Generation is deterministic by index
and its progress is kept in a number sequence ("seed-demands"), so a second run adds nothing
and a larger `--scale` adds only the difference.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from assets.choices import Sharing, SystemStatus
from assets.models import Capability, DataResource, InformationSystem
from core import audit
from core.models import AuditLog, CodeSequence
from core.sequences import reserve_codes
from organizations.choices import RegionLevel, Role
from organizations.models import Organization, User
from projects.demands.choices import AuthorizationStatus, Urgency
from projects.demands.choices import DemandStatus as S
from projects.demands.deadlines import review_due
from projects.demands.models import Demand, DemandDataResource

from . import seed_world as texts

PER_SCALE = 1000
BATCH = 2000
PROGRESS_KEY = "seed-demands"
DEMO_BUREAUS = ["220100-jyj", "220200-mzj", "222401-jyj", "220000-jyt", "220300-swj"]
ALL_STATES = [S.DRAFT, S.MUNICIPAL_REVIEW, S.PROVINCIAL_REVIEW, S.EXPERT_REVIEW, S.RETURNED,
              S.APPROVED, S.REJECTED, S.MERGED, S.REUSE, S.WITHDRAWN]
STATE_WEIGHTS = {S.DRAFT: 11, S.MUNICIPAL_REVIEW: 12, S.PROVINCIAL_REVIEW: 14, S.EXPERT_REVIEW: 4, S.RETURNED: 8,
                 S.APPROVED: 28, S.REJECTED: 7, S.MERGED: 5, S.REUSE: 6, S.WITHDRAWN: 5}


RETURN_COMMENTS = [
    ("建设内容与省统一身份认证平台功能重复，请改为对接省级平台，并说明需要新建的部分。", ["description", "capabilities"]),
    ("预算构成不清晰，请补充硬件配置清单和软件功能点测算依据。", ["budget_hardware", "budget_software", "resources_wanted"]),
    ("请补充政策依据的文件名称和文号。", ["policy_basis"]),
    ("所需数据资源未说明共享方式，请与数据主管部门确认授权后重新提交。", ["data_resources"]),
    ("计划工期过短，请结合采购周期重新安排建设计划。", ["planned_start", "planned_end"]),
    ("请补充可行性研究报告或建设方案作为附件。", ["attachments"]),
]
REJECT_COMMENTS = [
    "经审核，该需求与已建成的省一体化政务服务平台功能重复，不予立项，请直接使用省级平台。",
    "该需求属于部门日常运维事项，应纳入运维经费统筹安排，不作为新建项目立项。",
    "建设必要性论证不充分，且与本市已建系统高度重叠，不予通过。",
]
APPROVE_COMMENTS = ["同意立项，按省级统筹、省建市用方式建设。", "同意，请严格控制预算。", "同意上报。", "符合全省数字政府建设规划，同意。"]
MERGE_COMMENTS = ["与同类需求合并，由省级统一建设，本单位作为使用单位。", "多个城市提出相同需求，合并建设。"]
REUSE_COMMENTS = ["省级已建成同类系统，建议直接复用，无需新建。", "请直接使用省级平台相应功能模块。"]
WITHDRAW_COMMENTS = ["", "需求调整，撤回重新论证。", ""]
POLICY_BASIS = [
    "《吉林省促进大数据发展应用条例》（2021年1月1日起施行）",
    "《吉林省数字政府建设“十四五”规划》",
    "《国务院关于加快推进全国一体化在线政务服务平台建设的指导意见》（国发〔2018〕27号）",
    "《吉林省人民政府办公厅关于加快推进政务服务“一网通办”的实施意见》",
]
RESOURCES = ["吉林祥云政务云：云主机 8核16G × {n} 台，云存储 {t} TB", "利用现有机房服务器，新增存储 {t} TB",
             "吉林祥云政务云：云主机 16核32G × {n} 台，数据库服务 1 套", "不需要新增硬件，部署于省级平台"]
CONTACTS = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡"]


def _weighted_states(rng: random.Random) -> str:
    return rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()))[0]


def _budget(rng: random.Random, low: int, high: int, at_least: int = 0) -> dict[str, Decimal]:
    """Four parts in CNY (multiples of 100), their total between `low` and `high` 万元."""
    total = max(rng.randint(low, high) * 10000, at_least)
    hw = rng.uniform(0.1, 0.4)
    sw = rng.uniform(0.3, 0.55)
    sv = rng.uniform(0.08, 0.2)
    parts = [int(total * p / 100) * 100 for p in (hw, sw, sv)]
    ops = max(total - sum(parts), 0)
    return {
        "budget_hardware": Decimal(parts[0]), "budget_software": Decimal(parts[1]),
        "budget_services": Decimal(parts[2]), "budget_operations": Decimal(ops),
    }


class Plan:
    """What the seed knows about the province: bureaus, people, catalogue."""

    def __init__(self, ctx):
        self.now = timezone.now()
        self.orgs = list(Organization.objects.select_related("region", "city").order_by("code"))
        self.by_code = {o.code: o for o in self.orgs}
        self.filers = [o for o in self.orgs if not o.is_coordination_authority]
        self.capabilities = {c.code: c for c in Capability.objects.all()}
        self.resources = list(DataResource.objects.only("id", "sharing").order_by("pk"))
        self.systems = list(
            InformationSystem.objects.exclude(status=SystemStatus.RETIRED).select_related("owner_org")
            .prefetch_related("capabilities").order_by("pk")
        )
        # Systems a bureau may ask for again: its line's own, the province-wide platforms and its city's.
        self._copyable: dict[tuple[str, int | None], list] = {}
        self.layout: list[dict] = []  # per demand index: what it asks for and its family (texts.layout)
        self.cursor: dict[str, int] = defaultdict(int)  # next unused entry of each line
        self.families: dict[str, list[dict]] = defaultdict(list)  # per line: families with a candidate member
        users = list(User.objects.filter(is_active=True).select_related("organization"))
        self.submitter = {u.organization_id: u for u in users if u.role == Role.SUBMITTER and u.organization_id}
        self.coordinator = {u.organization.city_id: u for u in users
                            if u.role == Role.MUNICIPAL_COORDINATOR and u.organization_id}
        self.reviewer = next((u for u in users if u.role == Role.PROVINCIAL_REVIEWER), None)
        self.approver = next((u for u in users if u.role == Role.PROVINCIAL_APPROVER), None)
        self.coord_office = {o.city_id: o for o in self.orgs if o.is_coordination_authority and o.level == RegionLevel.CITY}
        self.threshold = int(settings.EXPERT_REVIEW_THRESHOLD)

    def person(self, user, fallback: str) -> tuple:
        return (user, str(user)) if user is not None else (None, fallback)

    def submitter_of(self, org):
        return self.person(self.submitter.get(org.pk), f"{org.name}经办人")

    def coordinator_of(self, org):
        office = self.coord_office.get(org.city_id)
        return self.person(self.coordinator.get(org.city_id), f"{office.name if office else org.city}审核员")

    def actor(self, who: str, org) -> tuple:
        """(user or None, name) of who acted: "sub", "coord", "rev" or "appr"."""
        if who == "sub":
            return self.submitter_of(org)
        if who == "coord":
            return self.coordinator_of(org)
        return self.provincial(approver=who == "appr")

    def provincial(self, approver: bool):
        user = self.approver if approver else self.reviewer
        return self.person(user, "省政务服务和数字化建设管理局" + ("领导" if approver else "审核处"))


def _path(state: str, provincial_org: bool, expert: bool, rng: random.Random) -> list[tuple[str, str, str, str]]:
    """(transition, source, target, who) steps from draft to `state`; who: sub, coord, rev, appr."""
    up = [("submit", S.DRAFT, S.PROVINCIAL_REVIEW, "sub")] if provincial_org else [
        ("submit", S.DRAFT, S.MUNICIPAL_REVIEW, "sub"), ("municipal_approve", S.MUNICIPAL_REVIEW, S.PROVINCIAL_REVIEW, "coord")]
    if state == S.DRAFT:
        return []
    if state == S.MUNICIPAL_REVIEW:
        return up[:1]
    if state == S.PROVINCIAL_REVIEW:
        return up
    if state == S.EXPERT_REVIEW:
        return up + [("provincial_approve", S.PROVINCIAL_REVIEW, S.EXPERT_REVIEW, "appr")]
    if state == S.APPROVED:
        if expert:
            return up + [("provincial_approve", S.PROVINCIAL_REVIEW, S.EXPERT_REVIEW, "appr"),
                         ("expert_approve", S.EXPERT_REVIEW, S.APPROVED, "appr")]
        return up + [("provincial_approve", S.PROVINCIAL_REVIEW, S.APPROVED, "appr")]
    if state == S.RETURNED:
        if not provincial_org and rng.random() < 0.4:
            return up[:1] + [("return_for_revision", S.MUNICIPAL_REVIEW, S.RETURNED, "coord")]
        return up + [("return_for_revision", S.PROVINCIAL_REVIEW, S.RETURNED, "rev")]
    if state == S.REJECTED:
        if not provincial_org and rng.random() < 0.3:
            return up[:1] + [("reject", S.MUNICIPAL_REVIEW, S.REJECTED, "coord")]
        return up + [("reject", S.PROVINCIAL_REVIEW, S.REJECTED, "rev")]
    if state == S.MERGED:
        return up + [("merge", S.PROVINCIAL_REVIEW, S.MERGED, "rev")]
    if state == S.REUSE:
        return up + [("recommend_reuse", S.PROVINCIAL_REVIEW, S.REUSE, "rev")]
    if state == S.WITHDRAWN:
        choice = rng.random()
        if choice < 0.4:
            return [("withdraw", S.DRAFT, S.WITHDRAWN, "sub")]
        if choice < 0.7 or provincial_org:
            return up[:1] + [("withdraw", up[0][2], S.WITHDRAWN, "sub")]
        return up + [("withdraw", S.PROVINCIAL_REVIEW, S.WITHDRAWN, "sub")]
    raise ValueError(state)


def _draw(index: int, plan: Plan) -> tuple[random.Random, Organization, str]:
    """(the demand's random stream, its organization, its state): drawn first, deterministic by index."""
    rng = random.Random(20260000 + index)
    if index < 10 * len(DEMO_BUREAUS):
        org = plan.by_code.get(DEMO_BUREAUS[index // 10]) or rng.choice(plan.filers)
        state = ALL_STATES[index % 10]
    else:
        org = rng.choice(plan.filers)
        state = _weighted_states(rng)
    provincial_org = org.level == RegionLevel.PROVINCE
    if state == S.MUNICIPAL_REVIEW and provincial_org:
        state = S.PROVINCIAL_REVIEW
    if state == S.REUSE and not plan.systems:
        state = S.REJECTED
    return rng, org, state


def _compose(index: int, plan: Plan) -> dict:
    """Everything about demand number `index`, deterministic."""
    rng, org, state = _draw(index, plan)
    provincial_org = org.level == RegionLevel.PROVINCE
    content = texts.content(index, plan)
    domain, caps, ctype, (low, high) = content["domain"], content["capabilities"], content["ctype"], content["budget"]
    expert = state == S.EXPERT_REVIEW or (state == S.APPROVED and rng.random() < 0.15)
    budget = _budget(rng, low, high, at_least=plan.threshold if expert else 0)
    total = sum(budget.values(), Decimal("0"))
    expert = expert and total >= plan.threshold
    if state == S.APPROVED and total >= plan.threshold:
        expert = True
    title, description = content["title"][:200], content["description"]
    # Time: in-review demands entered their stage in the last 20 days (some are overdue),
    # the others reached their state some time in the last eighteen months.
    in_review = state in (S.MUNICIPAL_REVIEW, S.PROVINCIAL_REVIEW, S.EXPERT_REVIEW)
    last = plan.now - timedelta(days=rng.uniform(0.2, 20) if in_review else rng.uniform(1, 540))
    steps = _path(state, provincial_org, expert, rng)
    times = [last] if steps else []
    for _ in steps[:-1]:
        times.insert(0, times[0] - timedelta(days=rng.uniform(1, 12), hours=rng.uniform(0, 8)))
    created = times[0] - timedelta(days=rng.uniform(0.1, 10)) if steps else last
    comments = []
    fields_to_fix: list[str] = []
    review_comment = ""
    for name, _source, _target, _who in steps:
        if name == "return_for_revision":
            review_comment, fields_to_fix = rng.choice(RETURN_COMMENTS)
            comments.append(review_comment)
        elif name == "reject":
            review_comment = rng.choice(REJECT_COMMENTS)
            comments.append(review_comment)
        elif name in ("municipal_approve", "provincial_approve", "expert_approve"):
            comments.append(rng.choice(APPROVE_COMMENTS))
        elif name == "merge":
            comments.append(rng.choice(MERGE_COMMENTS))
        elif name == "recommend_reuse":
            comments.append(rng.choice(REUSE_COMMENTS))
        elif name == "withdraw":
            comments.append(rng.choice(WITHDRAW_COMMENTS))
        else:
            comments.append("")
    start = (created + timedelta(days=rng.randint(60, 200))).date()
    fields = {
        "title": title, "description": description, "org": org, "domain": domain, "construction_type": ctype,
        "contact_name": f"{rng.choice(CONTACTS)}{rng.choice(['科长', '主任', '工程师', '副局长'])}",
        "contact_phone": f"0{rng.choice(['431', '432', '434', '437', '435', '439', '438', '436', '433'])}-{rng.randint(80000000, 89999999)}",
        "resources_wanted": rng.choice(RESOURCES).format(n=rng.randint(2, 12), t=rng.randint(2, 50)),
        "planned_start": start, "planned_end": start + timedelta(days=rng.randint(120, 540)),
        "urgency": rng.choices([Urgency.NORMAL, Urgency.URGENT, Urgency.CRITICAL], weights=[80, 15, 5])[0],
        "policy_basis": rng.choice(POLICY_BASIS),
        **budget, "budget_total": total,
        "created_at": created,
        "review_comment": review_comment,
        "fields_to_fix": fields_to_fix if state == S.RETURNED else [],
        "stage_entered_at": last if steps else None,
        "due_at": review_due(last) if in_review else None,
        "submitted_at": times[0] if steps and steps[0][0] == "submit" else None,
    }
    capability_codes = list(dict.fromkeys(caps))
    return {
        "state": state, "fields": fields, "steps": list(zip(steps, times, comments, strict=True)),
        "capabilities": capability_codes,
        "resources": rng.sample(plan.resources, k=min(len(plan.resources), rng.randint(0, 3))) if plan.resources else [],
        "system": rng.choice(plan.systems) if state == S.REUSE else None,
        "rng_merge": rng.random(),
    }


def _progress() -> int:
    seq = CodeSequence.objects.filter(key=PROGRESS_KEY).first()
    return seq.last if seq else 0


def _write_batch(indices: range, plan: Plan, content_type, merge_targets: list[int]) -> int:
    composed = [_compose(i, plan) for i in indices]
    # Numbers for the submitted ones, per year of first submission, from the one sequence.
    by_year: dict[int, list[dict]] = defaultdict(list)
    for item in composed:
        submitted = item["fields"]["submitted_at"]
        if submitted is not None:
            by_year[timezone.localtime(submitted).year].append(item)
    for year, items in by_year.items():
        items.sort(key=lambda it: it["fields"]["submitted_at"])
        for item, code in zip(items, reserve_codes("XQ", 6, len(items), year), strict=True):
            item["fields"]["code"] = code
    demands = []
    for item in composed:
        f = item["fields"]
        demand = Demand(status=item["state"], created_by=plan.submitter.get(f["org"].pk), **f)
        if item["system"] is not None:
            demand.reuse_system_id = item["system"].pk
        demands.append(demand)
    # Merged demands go in second, into a demand under review or approved (of this batch or before).
    first = [d for d in demands if d.status != S.MERGED]
    second = [d for d in demands if d.status == S.MERGED]
    Demand.objects.bulk_create(first, batch_size=1000)
    merge_targets.extend(d.pk for d in first if d.status in (S.APPROVED, S.PROVINCIAL_REVIEW))
    for demand, item in zip(demands, composed, strict=True):
        if demand.status == S.MERGED and merge_targets:
            demand.merged_into_id = merge_targets[int(item["rng_merge"] * len(merge_targets))]
    Demand.objects.bulk_create(second, batch_size=1000)
    # bulk_create stamped "now" (auto_now): a list should show when the demand last moved.
    Demand.objects.filter(pk__in=[d.pk for d in demands]).update(updated_at=Coalesce("stage_entered_at", "created_at"))

    links, data_links, rows, system_users = [], [], [], []
    Through = Demand.capabilities.through
    SystemUsers = InformationSystem.user_orgs.through
    for demand, item in zip(demands, composed, strict=True):
        for code in item["capabilities"]:
            cap = plan.capabilities.get(code)
            if cap is not None:
                links.append(Through(demand_id=demand.pk, capability_id=cap.pk))
        for resource in item["resources"]:
            if resource.sharing == Sharing.AUTHORIZED:
                auth = AuthorizationStatus.GRANTED if demand.status == S.APPROVED else AuthorizationStatus.PENDING
            else:
                auth = AuthorizationStatus.NOT_NEEDED
            data_links.append(DemandDataResource(demand_id=demand.pk, resource_id=resource.pk, authorization=auth))
        for (name, source, target, who), at, comment in item["steps"]:
            actor, actor_name = plan.actor(who, demand.org)
            payload = {}
            if name == "return_for_revision":
                payload = {"fields_to_fix": item["fields"]["fields_to_fix"]}
            elif name == "recommend_reuse" and item["system"] is not None:
                payload = {"system": item["system"].pk}
            elif name == "merge" and demand.merged_into_id:
                payload = {"target_demand": demand.merged_into_id}
            rows.append(audit.entry(
                audit.AuditEvent.SEED, demand, content_type=content_type, machine="status", transition=name,
                source=source, target=target, actor=actor, actor_name=actor_name, at=at, comment=comment, payload=payload,
            ))
        if demand.reuse_system_id is not None:
            system_users.append(SystemUsers(informationsystem_id=demand.reuse_system_id, organization_id=demand.org_id))
    Through.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
    DemandDataResource.objects.bulk_create(data_links, batch_size=5000, ignore_conflicts=True)
    audit.record_many(rows, batch_size=5000)
    SystemUsers.objects.bulk_create(system_users, batch_size=5000, ignore_conflicts=True)
    return len(demands)


def run(ctx) -> str:
    """Seed step: demands up to 1,000 × scale, with capabilities, data resources and history."""
    target = PER_SCALE * ctx.scale
    done = _progress()
    if done >= target:
        return f"{Demand.objects.count()} demands (nothing to add)"
    plan = Plan(ctx)
    content_type = ContentType.objects.get_for_model(Demand)
    merge_targets = list(
        Demand.objects.filter(status__in=[S.APPROVED, S.PROVINCIAL_REVIEW]).order_by("-pk").values_list("pk", flat=True)[:2000]
    )
    added = 0
    bar = ctx.progress(None, total=target - done, desc="demands")
    for start in range(done, target, BATCH):
        stop = min(start + BATCH, target)
        with transaction.atomic():
            added += _write_batch(range(start, stop), plan, content_type, merge_targets)
            merge_targets[:] = merge_targets[-2000:]
            CodeSequence.objects.update_or_create(key=PROGRESS_KEY, defaults={"last": stop})
        bar.update(stop - start)
    bar.close()
    return f"{Demand.objects.count()} demands ({added} new), {AuditLog.objects.filter(content_type=content_type).count()} transitions logged"
