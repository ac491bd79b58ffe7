"""The approval sheet's three sections from budgets and the review: the budget by funding source from
the project's lines, the reviewer's opinion, the expert panel's opinions side by side with their
recommended budgets and the median; each read as the requester, left out when there is nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from projects.demands.models import ExpertAssignment, ReviewOpinion
from reports import approval
from tests.budgets.factories import LineFactory
from tests.projects.project_factories import ApprovedDemandFactory, ProjectFactory, org

from .helpers import has_embedded_cjk_font, pdf_text
from .test_pdfs import build, squash

pytestmark = pytest.mark.django_db


def expert(username, name, title=""):
    from projects.demands.models import ExpertProfile

    user = get_user_model().objects.create(username=username, display_name=name, role="expert")
    ExpertProfile.objects.create(user=user, title=title)
    return user


@pytest.fixture
def reviewed(users):
    project = ProjectFactory(code="XM-2026-0077", name="全省政务数据共享交换平台", approved_budget=Decimal("3000000.00"),
                             beneficiaries=[org("220100-jyj")])
    demand = ApprovedDemandFactory(code="XQ-2026-000201", title="政务数据共享交换（长春）", project=project)
    LineFactory(project=project, fiscal_year=2026, source="provincial_fiscal", category="software", amount=Decimal("2000000.00"))
    LineFactory(project=project, fiscal_year=2027, source="provincial_fiscal", category="operations", amount=Decimal("400000.00"))
    LineFactory(project=project, fiscal_year=2026, source="special_bonds", category="hardware", amount=Decimal("600000.00"))
    ReviewOpinion.objects.create(demand=demand, author=users["prov_reviewer"], recommendation="approve",
                                 recommended_budget=Decimal("300000.00"), reason="建设必要，建议压减运维费用")
    now = timezone.now()
    for i, (name, verdict, budget) in enumerate([("王教授", "agree", "320000.00"), ("刘高工", "agree_with_conditions", "280000.00"),
                                                  ("孙研究员", "disagree", "200000.00")]):
        ExpertAssignment.objects.create(demand=demand, expert=expert(f"exp{i}", name, "正高级工程师"), assigned_by=users["prov_reviewer"],
                                        deadline=now + timedelta(days=5), state="submitted", verdict=verdict,
                                        recommended_budget=Decimal(budget), comments=f"意见{i}", submitted_at=now)
    ExpertAssignment.objects.create(demand=demand, expert=expert("exp9", "赵未交"), assigned_by=users["prov_reviewer"],
                                    deadline=now + timedelta(days=5))
    return project, demand


def test_the_sheet_has_budget_by_source_reviewer_and_expert_sections_in_order(users, reviewed):
    project, _demand = reviewed
    content = build("project_approval", users["prov_approver"], {"project": project.pk})
    text = squash(pdf_text(content))
    for heading in ("四、资金来源构成", "五、重复建设核查及处理意见", "六、审核意见", "七、专家评审意见"):
        assert heading in text
    assert text.index("三、投资估算") < text.index("四、资金来源构成") < text.index("五、重复建设") < text.index("六、审核意见")
    # by source and year: provincial 2,000,000 (2026) + 400,000 (2027), bonds 600,000; total 3,000,000 = approved
    assert "¥2,400,000.00" in text and "¥600,000.00" in text and "¥3,000,000.00" in text and "80.0%" in text
    assert "尚未全部覆盖" not in text
    assert "建议同意" in text or "审核建议" in text
    assert "建设必要，建议压减运维费用" in text and "¥300,000.00" in text
    # three submitted opinions side by side, the one awaited left out; the median of 320k, 280k, 200k is 280k
    for name in ("王教授", "刘高工", "孙研究员"):
        assert name in text
    assert "赵未交" not in text
    assert "中位数¥280,000.00" in text and "¥320,000.00" in text and "¥200,000.00" in text
    assert has_embedded_cjk_font(content)


def test_sections_without_data_are_left_out_and_the_numbering_closes_up(users):
    project = ProjectFactory(code="XM-2026-0078", name="空白项目", approved_budget=Decimal("100000.00"))
    ApprovedDemandFactory(code="XQ-2026-000301", title="空白需求", project=project)
    text = squash(pdf_text(build("project_approval", users["prov_approver"], {"project": project.pk})))
    assert "四、重复建设核查及处理意见" in text
    assert "资金来源构成" not in text and "审核意见" not in text.replace("重复建设核查及处理意见", "") and "专家评审意见" not in text


def test_the_sections_read_as_the_requester(users, reviewed):
    project, demand = reviewed
    jilin_demand = ApprovedDemandFactory(code="XQ-2026-000202", title="吉林需求", project=project, org=org("220200-mzj"))
    ReviewOpinion.objects.create(demand=jilin_demand, author=users["prov_reviewer"], recommendation="reject", reason="吉林的意见")
    from projects.delivery.selectors import project_page
    from reports.builders.approval_sections import section_reviewer_opinion

    project_for_sub = project_page(users["sub_changchun"], project.pk)
    section = section_reviewer_opinion(project_for_sub, users["sub_changchun"])
    assert [r["demand"] for r in section.context["rows"]] == ["XQ-2026-000201"]
    assert approval.registered_sections().index("budget_by_source") == 3


def test_render_for_a_person(users, reviewed, tmp_path):
    """Not a check: writes the sheet as PNG for a person to look at when REPORTS_PNG_DIR is set."""
    import os
    from pathlib import Path

    from .helpers import png_pages

    if os.environ.get("REPORTS_PNG_DIR"):
        png_pages(build("project_approval", users["prov_approver"], {"project": reviewed[0].pk}), Path(os.environ["REPORTS_PNG_DIR"]), "approval")
