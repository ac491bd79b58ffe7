"""Documents of one object: the redundancy review of a demand, the approval sheet of a project (PDF).

Both read as the requester: the demand or project through its selector (404 when not visible),
the demands of a project as far as the requester may see them, the flags through
projects.redundancy.flags (only candidates the requester may see).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import AuditLog
from core.money import format_amount
from projects.delivery.selectors import project_for, project_page
from projects.demands.choices import ConstructionType, DemandStatus, Domain
from projects.demands.models import BUDGET_PARTS, Demand
from projects.demands.selectors import demand_detail, get_visible_demand
from projects.redundancy.flags import flags_for

from ..approval import Section, register_section, sections_for
from ..charts import bar_chart
from ..headings import issuing_authority, name_of
from ..pdf import render_pdf
from ..registry import BuildContext

NUMERALS = "一二三四五六七八九十"
APPROVALS = ("provincial_approve", "expert_approve")


def _money(value) -> str:
    return "¥" + format_amount(value or Decimal("0"))


def _part_labels() -> dict[str, str]:
    return {"budget_hardware": _("Hardware"), "budget_software": _("Software"), "budget_services": _("Services"),
            "budget_operations": _("Operations")}


def _flag_rows(demand, user) -> list[dict]:
    rows = []
    for f in flags_for(demand, user):
        resolution = f.get("resolution") or {}
        rows.append({
            "code": f["code"] or "", "title": f["title"], "kind": f["kind"], "score": f"{round(f['score'] * 100)}%",
            "reasons": f["reasons"], "state": f.get("flag_state_display") or "",
            "comment": resolution.get("comment") or "", "by": resolution.get("by") or "",
            "at": timezone.localtime(f["flag"].resolved_at).strftime("%Y-%m-%d") if f["flag"].resolved_at else "",
        })
    return rows


# ------------------------------------------------------------------ redundancy review of a demand


def check_demand_access(user, params: dict) -> None:
    get_visible_demand(user, params["demand"])


def build_redundancy_review(ctx: BuildContext) -> bytes:
    demand = demand_detail(ctx.user, ctx.params["demand"])
    ctx.progress(20, 100)
    flags = _flag_rows(demand, ctx.user)
    ctx.progress(60, 100)
    title = _("Redundancy review of demand %(code)s") % {"code": demand.code or _("(draft)")}
    context = {
        "demand": demand, "flags": flags, "org": name_of(demand.org),
        "status": DemandStatus(demand.status).label, "domain": Domain(demand.domain).label if demand.domain else "",
        "construction_type": ConstructionType(demand.construction_type).label if demand.construction_type else "",
        "capabilities": "、".join(name_of(c) for c in demand.capability_list),
        "total": _money(demand.budget_total),
        "chart": bar_chart([(f"{f['code']} {f['title']}"[:24], Decimal(f["score"].rstrip("%")), f["score"]) for f in flags]),
    }
    return render_pdf("reports/pdf/redundancy_review.html", context, title=title, authority=issuing_authority(),
                      generated_at=ctx.generated_at, language=ctx.language)


def redundancy_review_filename(ctx: BuildContext) -> str:
    return f"redundancy-review-{ctx.params['demand']}-{timezone.localtime(ctx.generated_at):%Y%m%d-%H%M}.pdf"


# ------------------------------------------------------------------ the project approval sheet


def check_project_access(user, params: dict) -> None:
    project_for(user, params["project"])


def _approval(demands) -> AuditLog | None:
    """The latest approval of the project's demands (provincial or after expert review)."""
    if not demands:
        return None
    return (AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Demand),
                                    object_id__in=[d.pk for d in demands], transition__in=APPROVALS)
            .order_by("-at", "-pk").first())


def section_what(project, user) -> Section:
    return Section(_("Construction content"), "reports/pdf/sections/what.html",
                   {"project": project, "demands": project.visible_demands, "hidden": project.demand_count - len(project.visible_demands)})


def section_why(project, user) -> Section | None:
    reasons = [(d, d.policy_basis) for d in project.visible_demands if d.policy_basis]
    return Section(_("Basis and necessity"), "reports/pdf/sections/why.html", {"reasons": reasons})


def section_budget_by_part(project, user) -> Section:
    labels = _part_labels()
    sums = {p: sum((getattr(d, p) or Decimal("0") for d in project.visible_demands), Decimal("0")) for p in BUDGET_PARTS}
    requested = sum(sums.values(), Decimal("0"))
    rows = [{"label": labels[p], "amount": _money(sums[p]),
             "share": f"{(sums[p] / requested * 100):.1f}%" if requested else "—"} for p in BUDGET_PARTS]
    chart = bar_chart([(labels[p], sums[p], _money(sums[p])) for p in BUDGET_PARTS]) if requested else ""
    return Section(_("Budget by part"), "reports/pdf/sections/budget_by_part.html", {
        "rows": rows, "requested": _money(requested), "approved": _money(project.approved_budget), "chart": chart})


def section_redundancy(project, user) -> Section:
    checks = [{"demand": d, "flags": _flag_rows(d, user)} for d in project.visible_demands]
    return Section(_("Redundancy check and its resolution"), "reports/pdf/sections/redundancy.html", {"checks": checks})


def register_builtin_sections() -> None:
    register_section("what", section_what)
    register_section("why", section_why)
    register_section("budget_by_part", section_budget_by_part)
    register_section("redundancy", section_redundancy)


def document_number(project) -> str:
    """The sheet's document number in the official form 吉数建审〔2026〕1号: REPORT_DOCUMENT_PREFIX,
    the project's year in 〔〕 and its sequence number within the year (the figures after the last
    "-" of its number XM-2026-0001, without leading zeros) followed by 号. Deterministic: the same
    project always gets the same number. A number of another form is kept whole before 号."""
    from django.conf import settings

    tail = (project.code or "").rsplit("-", 1)[-1]
    sequence = str(int(tail)) if tail.isdigit() else (project.code or str(project.pk))
    return f"{settings.REPORT_DOCUMENT_PREFIX}〔{project.year}〕{sequence}号"


def build_project_approval(ctx: BuildContext) -> bytes:
    project = project_page(ctx.user, ctx.params["project"])
    ctx.progress(10, 100)
    for demand in project.visible_demands:
        demand.capability_list = list(demand.capabilities.all())
    numbered = []
    for i, (key, section) in enumerate(sections_for(project, ctx.user)):
        numbered.append({"key": key, "number": NUMERALS[i] if i < len(NUMERALS) else str(i + 1), "section": section})
    ctx.progress(70, 100)
    approval = _approval(project.visible_demands)
    title = _("Approval sheet of project %(name)s") % {"name": project.name}
    context = {
        "project": project, "sections": numbered, "number": document_number(project),
        "construction_org": name_of(project.construction_org),
        "beneficiaries": "、".join(name_of(o) for o in project.beneficiary_orgs.all()),
        "approved": _money(project.approved_budget),
        "approver": approval.actor_name if approval else "",
        "approved_at": timezone.localtime(approval.at) if approval else None,
    }
    return render_pdf("reports/pdf/approval.html", context, title=title, authority=issuing_authority(),
                      generated_at=ctx.generated_at, language=ctx.language)


def project_approval_filename(ctx: BuildContext) -> str:
    return f"project-approval-{ctx.params['project']}-{timezone.localtime(ctx.generated_at):%Y%m%d-%H%M}.pdf"
