"""Seed step "review": the expert pool, panels with opinions in every state, reviewers' opinions, and
data-sharing authorization requests in every state.

Idempotent: the pool is created by username, a panel only for a demand without one, an opinion only
for a demand without one, a request only for a link without one. Panels and opinions go through the
services (a handful of demands, so the doorway, its guards and its log are used as people would);
the authorization requests of the thousand seeded demands are written in bulk with their log rows.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from assets.choices import Sharing
from assets.models import Capability
from core import audit, workflow
from organizations.choices import Role
from organizations.models import Organization, User
from projects.demands import review_services as services
from projects.demands.choices import AssignmentState, AuthorizationState, AuthorizationStatus, Domain, Recommendation
from projects.demands.choices import DemandStatus as S
from projects.demands.models import AuthorizationRequest, Demand, DemandDataResource, ExpertProfile
from projects.demands.selectors import suggest_experts
from projects.demands.services import demand_transition

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
TITLES = ["教授", "研究员", "高级工程师", "正高级工程师", "副教授", "高级经济师"]
# (username suffix, provincial department the expert works in)
POOL_ORGS = ["kjt", "gxt", "fgw", "jyt", "wjw", "czt", "rst", "jtt", "zrzyt", "sthjt", "scjg", "tjj", "swt", "nynct",
             "slt", "zjt", "yjt", "mzt", "sft", "whlyt"]
DEMO_EXPERTS = {"expert_wang": (["identity_auth", "data_exchange", "analytics", "online_service"], ["government_services", "public_services"]),
                "expert_li": (["video", "iot", "ai_vision", "gis"], ["social_governance", "infrastructure"]),
                "expert_zhao": (["payment", "e_invoice", "credit", "workflow"], ["social_credit", "service_industry"])}
POOL_SIZE = 20


def _ensure_pool(ctx) -> int:
    rng = random.Random(11)
    codes = list(Capability.objects.values_list("code", flat=True))
    caps = {c.code: c for c in Capability.objects.all()}
    orgs = {o.code: o for o in Organization.objects.filter(code__in=[f"220000-{k}" for k in POOL_ORGS])}
    made = 0
    for username, (fields, domains) in DEMO_EXPERTS.items():
        user = User.objects.filter(username=username).first()
        if user is None or ExpertProfile.objects.filter(user=user).exists():
            continue
        profile = ExpertProfile.objects.create(user=user, title="教授", domains=domains)
        profile.capabilities.set([caps[c] for c in fields if c in caps])
        made += 1
    for i in range(POOL_SIZE):
        username = f"expert_{i + 1:02d}"
        org = orgs.get(f"220000-{POOL_ORGS[i % len(POOL_ORGS)]}")
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, role=Role.EXPERT, organization=org,
                        display_name=f"{SURNAMES[i % len(SURNAMES)]}{'教授' if i % 2 else '高工'} (省专家库)")
            user.set_password(ctx.password)
            user.save()
        if ExpertProfile.objects.filter(user=user).exists():
            continue
        profile = ExpertProfile.objects.create(user=user, title=TITLES[i % len(TITLES)],
                                               domains=rng.sample(list(Domain.values), 2))
        profile.capabilities.set([caps[c] for c in rng.sample(codes, 4)])
        # Some declare a conflict with a city's coordination office or a department they advise.
        if i % 4 == 0:
            profile.conflict_orgs.set(Organization.objects.filter(code__in=["220100-zwj", "220000-jyt"]))
        made += 1
    return made


def _panel(demand, reviewer, n=3):
    experts = [p.user for p in suggest_experts(demand, reviewer, limit=n + 1)]
    return experts[:n], experts[n:]


def _seed_panels(ctx) -> int:
    """Demands in expert review: no opinion yet; two of three in; all in with the three verdicts; one declined
    and replaced, one past its deadline."""
    reviewer = User.objects.filter(username="prov_reviewer").first()
    if reviewer is None:
        return 0
    waiting = list(Demand.objects.filter(status=S.EXPERT_REVIEW, expert_assignments__isnull=True).order_by("pk")[:6])
    if Demand.objects.filter(status=S.EXPERT_REVIEW, expert_assignments__isnull=False).exists():
        return 0
    deadline = timezone.now() + timedelta(days=10)
    scenarios = [(), ("agree", "agree"), ("agree", "agree_with_conditions", "disagree"), ("decline",), ("late",),
                 ("agree", "decline_only")]
    for demand, plan in zip(waiting, scenarios, strict=False):
        experts, spare = _panel(demand, reviewer)
        if len(experts) < 3:
            continue
        assignments = services.assign_panel(demand=demand, actor=reviewer, experts=experts, deadline=deadline)
        for a, step in zip(assignments, plan, strict=False):
            if step == "decline_only":
                services.decline_assignment(assignment=a, actor=a.expert, reason="时间冲突，无法按期评审。")
            elif step == "decline":
                services.decline_assignment(assignment=a, actor=a.expert, reason="本人曾参与该单位同类项目咨询，申请回避。")
                if spare:
                    services.replace_expert(assignment=a, actor=reviewer, expert=spare[0], deadline=deadline)
            elif step == "late":
                # The deadline passed without an opinion (set afterwards: the service refuses a past deadline).
                type(a).objects.filter(pk=a.pk).update(deadline=timezone.now() - timedelta(days=2))
            else:
                budget = (demand.budget_total * Decimal("0.85")).quantize(Decimal("0.01")) if step != "agree" else demand.budget_total
                services.submit_expert_opinion(
                    assignment=a, actor=a.expert, verdict=step, recommended_budget=None if step == "disagree" else budget,
                    comments={"agree": "", "agree_with_conditions": "建议压缩硬件采购，优先使用省政务云资源。",
                              "disagree": "与省级已建平台功能重复，建议复用。"}[step])
    return len(waiting)


# The panel a demand goes through before the approver approves it on the opinions (the project's approval
# sheet then prints them): each expert's verdict, the share of the request recommended, the comments.
APPROVED_PANEL = [("agree", Decimal("1"), "建设内容明确，技术路线可行，同意立项。"),
                  ("agree_with_conditions", Decimal("0.85"), "建议压缩硬件采购，优先使用省政务云资源，核减硬件预算。"),
                  ("agree_with_conditions", Decimal("0.9"), "应复用省级统一身份认证与电子证照平台，不重复建设。")]


def _seed_approved_panel(ctx) -> int:
    """One demand goes all the way through the expert panel: three experts assigned, three opinions in,
    then the approver approves it on them (`expert_approve`, at the median recommended budget), so that
    the project made of it has an approval sheet with the panel's opinions.

    Picked by state, not by title: a demand in expert review without a panel (the panels above keep
    theirs); a candidate the approval guards refuse (e.g. a refused data authorization) is left as it is.
    Idempotent: nothing is done when an approved demand already has submitted opinions.
    """
    reviewer = User.objects.filter(username="prov_reviewer").first()
    approver = User.objects.filter(username="prov_approver").first()
    if reviewer is None or approver is None:
        return 0
    if Demand.objects.filter(status=S.APPROVED, expert_assignments__state=AssignmentState.SUBMITTED).exists():
        return 0
    deadline = timezone.now() + timedelta(days=10)
    candidates = (Demand.objects.filter(status=S.EXPERT_REVIEW, expert_assignments__isnull=True)
                  .exclude(data_resource_links__authorization=AuthorizationStatus.REFUSED).order_by("pk"))
    for demand in candidates[:10]:
        experts, _spare = _panel(demand, reviewer)
        if len(experts) < len(APPROVED_PANEL):
            continue
        with transaction.atomic():
            assignments = services.assign_panel(demand=demand, actor=reviewer, experts=experts, deadline=deadline)
            for a, (verdict, share, comments) in zip(assignments, APPROVED_PANEL, strict=True):
                services.submit_expert_opinion(assignment=a, actor=a.expert, verdict=verdict, comments=comments,
                                               recommended_budget=(demand.budget_total * share).quantize(Decimal("0.01")))
            demand.refresh_from_db()
            if "expert_approve" not in workflow.available_transitions(demand, "status", approver):
                transaction.set_rollback(True)  # a guard refuses it: this candidate is left untouched
                continue
            # Through the demand's service (the approval's handler sets the budget at the panel's median).
            demand_transition(demand=demand, name="expert_approve", actor=approver,
                              comment="经专家评审，同意立项，按专家建议预算的中位数核定。")
        return 1
    return 0


def _seed_opinions(ctx) -> int:
    reviewer = User.objects.filter(username="prov_reviewer").first()
    if reviewer is None or Demand.objects.filter(review_opinions__isnull=False).exists():
        return 0
    demands = list(Demand.objects.filter(status=S.PROVINCIAL_REVIEW).order_by("pk")[:8])
    plans = [(Recommendation.APPROVE, None, ""), (Recommendation.APPROVE, Decimal("0.8"), "硬件部分可使用省政务云，核减二成。"),
             (Recommendation.REJECT, None, "建设必要性不足。"), (Recommendation.REUSE, None, "省级统一身份认证平台可满足需求。"),
             (Recommendation.MERGE, None, "与同期省级项目合并建设。")]
    for demand, (rec, share, reason) in zip(demands, plans, strict=False):
        budget = (demand.budget_total * share).quantize(Decimal("0.01")) if share else None
        services.record_opinion(demand=demand, actor=reviewer, recommendation=rec, recommended_budget=budget, reason=reason)
    return min(len(demands), len(plans))


def _seed_authorizations(ctx) -> int:
    """One request per authorized-sharing link of a submitted demand, in a state its demand's state explains."""
    links = list(DemandDataResource.objects.filter(resource__sharing=Sharing.AUTHORIZED).exclude(demand__status=S.DRAFT)
                 .select_related("demand", "resource").order_by("pk"))
    asked = set(AuthorizationRequest.objects.values_list("demand_id", "resource_id"))
    officers = {u.organization_id: u for u in User.objects.filter(role=Role.DATA_OFFICER)}
    today = timezone.localdate()
    now = timezone.now()
    rows, log, link_updates = [], [], []
    for i, link in enumerate(links):
        if (link.demand_id, link.resource_id) in asked:
            continue
        d = link.demand
        if d.status == S.APPROVED:
            state = [AuthorizationState.GRANTED, AuthorizationState.GRANTED, AuthorizationState.EXPIRED, AuthorizationState.REVOKED][i % 4]
        elif d.status in (S.REJECTED, S.WITHDRAWN, S.MERGED, S.REUSE):
            state = AuthorizationState.WITHDRAWN
        elif d.status == S.RETURNED:
            state = AuthorizationState.REFUSED
        else:
            state = AuthorizationState.PENDING if i % 5 else AuthorizationState.GRANTED
        officer = officers.get(link.resource.owner_org_id)
        decided = state != AuthorizationState.PENDING and state != AuthorizationState.WITHDRAWN
        r = AuthorizationRequest(
            demand=d, resource=link.resource, owner_org_id=link.resource.owner_org_id, state=state,
            system_name=(d.title or "")[:200], purpose=(d.description or "")[:2000], requested_until=d.planned_end,
            conditions="仅限本系统业务办理使用，不得转授第三方。" if state in (AuthorizationState.GRANTED, AuthorizationState.EXPIRED) else "",
            valid_until=(today + timedelta(days=365) if state == AuthorizationState.GRANTED
                         else today - timedelta(days=3) if state == AuthorizationState.EXPIRED else None),
            reason={AuthorizationState.REFUSED: "申请用途超出共享范围，请补充数据使用的具体业务场景。",
                    AuthorizationState.REVOKED: "发现超范围使用，停止授权。"}.get(state, ""),
            decided_by=officer if decided else None, decided_at=now if decided else None)
        rows.append(r)
        link.authorization = {AuthorizationState.GRANTED: AuthorizationStatus.GRANTED,
                              AuthorizationState.REFUSED: AuthorizationStatus.REFUSED,
                              AuthorizationState.REVOKED: AuthorizationStatus.REFUSED}.get(state, AuthorizationStatus.PENDING)
        link_updates.append(link)
    AuthorizationRequest.objects.bulk_create(rows, batch_size=2000)
    DemandDataResource.objects.bulk_update(link_updates, ["authorization"], batch_size=2000)
    content_type = ContentType.objects.get_for_model(AuthorizationRequest)
    for r in rows:
        log.append(audit.entry(audit.AuditEvent.SEED, r, content_type=content_type, machine="state", transition="request",
                               target=AuthorizationState.PENDING, actor=None, actor_name="种子数据"))
        step = {AuthorizationState.GRANTED: "grant", AuthorizationState.REFUSED: "refuse", AuthorizationState.REVOKED: "revoke",
                AuthorizationState.EXPIRED: "expire", AuthorizationState.WITHDRAWN: "withdraw"}.get(r.state)
        if step in ("revoke", "expire"):
            log.append(audit.entry(audit.AuditEvent.SEED, r, content_type=content_type, machine="state", transition="grant",
                                   source=AuthorizationState.PENDING, target=AuthorizationState.GRANTED, actor=r.decided_by,
                                   actor_name="种子数据"))
        if step:
            source = AuthorizationState.GRANTED if step in ("revoke", "expire") else AuthorizationState.PENDING
            log.append(audit.entry(audit.AuditEvent.SEED, r, content_type=content_type, machine="state", transition=step,
                                   source=source, target=r.state, actor=r.decided_by, actor_name="种子数据",
                                   comment=r.reason or r.conditions))
    audit.record_many(log)
    return len(rows)


def run(ctx) -> str:
    """Seed step: expert pool, panels, reviewers' opinions, authorization requests."""
    pool = _ensure_pool(ctx)
    panels = _seed_panels(ctx)
    approved = _seed_approved_panel(ctx)
    opinions = _seed_opinions(ctx)
    requests = _seed_authorizations(ctx)
    return (f"{ExpertProfile.objects.count()} experts ({pool} new), {panels} panels, {opinions} opinions, "
            f"{requests} authorization requests new ({AuthorizationRequest.objects.count()} in all), "
            f"{approved} demand approved on its panel's opinions")
