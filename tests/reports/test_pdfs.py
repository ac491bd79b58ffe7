"""Every PDF read back: pdftotext for its Chinese title and figures, pdffonts for an embedded CJK font;
the approval sheet's sections in order, with the extension points the budgets and review parts fill."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone, translation

from reports import approval
from reports.builders.documents import check_demand_access, check_project_access
from reports.registry import BuildContext, builder_for
from tests.assets.factories import SystemFactory
from tests.projects.factories import DemandFactory
from tests.projects.project_factories import ApprovedDemandFactory, ProjectFactory, org

from .helpers import has_embedded_cjk_font, pdf_text


def build(kind, user, params=None, language="zh-hans"):
    with translation.override(language):
        ctx = BuildContext(user=user, format="pdf", params=params or {}, generated_at=timezone.now(), language=language)
        return builder_for(kind).build(ctx)


def squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.django_db
def test_demand_register_pdf_has_its_title_figures_page_numbers_and_a_cjk_font(users):
    DemandFactory(title="智慧校园统一身份认证平台")
    content = build("demand_register", users["finance"])
    text = squash(pdf_text(content))
    assert "需求台账" in text and "智慧校园统一身份认证平台" in text
    assert "¥1,500,000.00" in text and "合计（1行）" in text
    assert "第1页，共1页" in text and "吉林省政务服务和数字化建设管理局" in text
    assert has_embedded_cjk_font(content)


@pytest.mark.django_db
def test_an_empty_register_pdf_says_so(users):
    text = pdf_text(build("project_ledger", users["finance"], {"year": 2001}))
    assert "项目台账" in text and "没有符合筛选条件的记录" in text and "年度：2001" in squash(text)


@pytest.mark.django_db
def test_asset_inventory_pdf(users):
    SystemFactory(name="吉林省智慧供水监管平台")
    content = build("asset_inventory", users["finance"])
    text = squash(pdf_text(content))
    assert "资产清单" in text and "吉林省智慧供水监管平台" in text and "信息系统" in text and "¥100,000.00" in text
    assert has_embedded_cjk_font(content)


@pytest.fixture
def flagged_demand(users):
    from projects.redundancy.models import RedundancyFlag

    demand = DemandFactory(title="长春市智慧停车平台")
    type(demand).objects.filter(pk=demand.pk).update(code="XQ-2026-000321", status="provincial_review")
    system = SystemFactory(name="吉林省智慧停车云平台", owner_org=org("220000-zwj"))
    RedundancyFlag.objects.create(demand=demand, candidate_kind="system", candidate_id=system.pk, candidate_code=system.code,
                                  candidate_title=system.name, score=Decimal("0.8100"), reasons=[],
                                  state="dismissed", resolution_comment="服务对象不同，不构成重复", resolved_by=users["prov_reviewer"],
                                  resolved_at=timezone.now())
    return demand


@pytest.mark.django_db
def test_redundancy_review_shows_the_demand_and_each_flag_with_its_resolution(users, flagged_demand):
    content = build("redundancy_review", users["prov_approver"], {"demand": flagged_demand.pk})
    text = squash(pdf_text(content))
    assert "需求XQ-2026-000321重复建设核查表" in text and "长春市智慧停车平台" in text
    assert "吉林省智慧停车云平台" in text and "81%" in text and "服务对象不同，不构成重复" in text and "¥1,500,000.00" in text
    assert has_embedded_cjk_font(content)


@pytest.mark.django_db
def test_documents_refuse_objects_the_requester_may_not_see(users, flagged_demand):
    project = ProjectFactory(construction_org=org("220100-jyj"))
    with pytest.raises(Http404):
        check_demand_access(users["sub_jilin"], {"demand": flagged_demand.pk})
    with pytest.raises(Http404):
        check_project_access(users["sub_jilin"], {"project": project.pk})
    check_project_access(users["sub_changchun"], {"project": project.pk})


@pytest.fixture
def project(users):
    project = ProjectFactory(code="XM-2026-0042", name="全省统一身份认证平台", approved_budget=Decimal("9000000.00"),
                             beneficiaries=[org("220100-jyj")])
    a = ApprovedDemandFactory(code="XQ-2026-000101", title="统一身份认证（长春）", project=project,
                              policy_basis="《吉林省数字政府建设总体规划》")
    ApprovedDemandFactory(code="XQ-2026-000102", title="统一身份认证（吉林）", project=project, org=org("220200-mzj"))
    return project, a


@pytest.mark.django_db
def test_approval_sheet_follows_the_official_layout(users, project):
    project, _demand = project
    content = build("project_approval", users["prov_approver"], {"project": project.pk})
    text = squash(pdf_text(content))
    assert "全省统一身份认证平台立项审批表" in text and "吉数建审〔2026〕42号" in text
    for heading in ("一、建设内容", "二、建设依据与必要性", "三、投资估算（按构成）", "四、重复建设核查及处理意见"):
        assert heading in text
    assert text.index("一、建设内容") < text.index("二、建设依据") < text.index("三、投资估算") < text.index("四、重复建设")
    # Two demands of 100,000 + 200,000 + 50,000 + 0 each: by part, the total, the approved budget.
    assert "¥200,000.00" in text and "¥400,000.00" in text and "¥700,000.00" in text and "¥9,000,000.00" in text
    assert "《吉林省数字政府建设总体规划》" in text and "审批人" in text and "盖章" in text
    assert has_embedded_cjk_font(content)


@pytest.mark.django_db
def test_a_reader_sees_only_its_demands_on_the_sheet(users, project):
    project, _demand = project
    text = squash(pdf_text(build("project_approval", users["sub_changchun"], {"project": project.pk})))
    assert "统一身份认证（长春）" in text and "统一身份认证（吉林）" not in text and "另有1条需求您无权查看" in text


@pytest.mark.django_db
def test_later_parts_plug_their_sections_into_the_sheet(users, project, monkeypatch):
    project, _demand = project
    monkeypatch.setattr(approval, "_providers", dict(approval._providers))
    approval.register_section("expert_opinions", lambda p, u: approval.Section("专家组意见", "reports/pdf/sections/why.html",
                                                                              {"reasons": []}))
    approval.register_section("budget_by_source", lambda p, u: None)  # nothing to say: the numbering closes up
    text = squash(pdf_text(build("project_approval", users["prov_approver"], {"project": project.pk})))
    assert "四、重复建设核查及处理意见" in text and "五、专家组意见" in text
    assert approval.registered_sections() == ["what", "why", "budget_by_part", "budget_by_source", "redundancy", "reviewer_opinion", "expert_opinions"]


@pytest.mark.django_db
def test_approval_sheet_in_english(users, project):
    project, _demand = project
    text = pdf_text(build("project_approval", users["prov_approver"], {"project": project.pk}, language="en"))
    assert "Approval sheet of project" in text and "Construction content" in text and "Page 1 of" in text
