"""The demo data holds a project that went through an expert panel: its demand had a panel of three,
every opinion in, and was approved on them; `prov_approver` prints its approval sheet with the
panel's opinions (what the issue asks to look at)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from core.models import AuditLog
from core.seeding import SeedContext
from projects.delivery import seed as project_seed
from projects.demands import review_seed
from projects.demands.choices import DemandStatus as S
from projects.models import Demand
from reports.registry import BuildContext, builder_for
from tests.projects.factories import big_demand, walk
from tests.projects.review_factories import ensure_panel_experts

from .helpers import has_embedded_cjk_font, pdf_text

pytestmark = pytest.mark.django_db


def context(users):
    return SeedContext(password="demo-pass-2026", scale=1, stdout=io.StringIO(), users=users, quiet=True)


def test_a_demand_goes_through_the_panel_into_a_project_whose_sheet_prints_the_opinions(users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ensure_panel_experts(users)
    panelled = walk(big_demand(), S.EXPERT_REVIEW, users)  # waiting for a panel: the step picks it by its state
    ctx = context(users)

    assert review_seed._seed_approved_panel(ctx) == 1
    panelled.refresh_from_db()
    assert panelled.status == S.APPROVED
    submitted = list(panelled.expert_assignments.filter(state="submitted").order_by("pk"))
    assert len(submitted) == len(review_seed.APPROVED_PANEL) == 3
    approval = AuditLog.objects.filter(object_id=str(panelled.pk), transition="expert_approve").get()
    assert approval.actor == users["prov_approver"]
    # Approved at the median of the experts' recommended budgets (1, 0.85 and 0.9 of the request).
    assert panelled.approved_budget == (panelled.budget_total * Decimal("0.9")).quantize(Decimal("0.01"))
    assert review_seed._seed_approved_panel(ctx) == 0  # idempotent

    project_seed.run(ctx)
    panelled.refresh_from_db()
    project = panelled.project
    assert project is not None

    with translation.override("zh-hans"):
        build = BuildContext(user=users["prov_approver"], format="pdf", params={"project": project.pk},
                             generated_at=timezone.now(), language="zh-hans")
        content = builder_for("project_approval").build(build)
    text = pdf_text(content).replace("\n", "")
    assert "专家评审意见" in text
    for _verdict, _share, comments in review_seed.APPROVED_PANEL:
        assert comments[:12] in text
    for a in submitted:
        assert str(a.expert)[:2] in text
    assert has_embedded_cjk_font(content)
    assert not Demand.objects.filter(status=S.APPROVED, project__isnull=True, expert_assignments__state="submitted").exists()
