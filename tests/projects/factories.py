"""Factories for demand tests.

`DemandFactory` makes a complete draft (ready to submit). To get a demand in another state,
`walk(demand, state, users)` moves it there through the real service, as people would.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory

from assets.choices import Opening, Sharing, SystemStatus
from assets.models import Capability, DataResource, InformationSystem
from organizations.models import Organization
from projects.demands.choices import DemandStatus as S
from projects.demands.services import demand_transition
from projects.models import Demand

CHANGCHUN_EDU = "220100-jyj"  # sub_changchun's bureau


def org(code: str) -> Organization:
    return Organization.objects.get(code=code)


class DemandFactory(DjangoModelFactory):
    """A complete draft of the Changchun education bureau (budget 1,500,000.00)."""

    class Meta:
        model = Demand
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"智慧校园统一身份认证平台建设{n + 1}")
    description = "为全市中小学师生提供统一身份认证和单点登录，整合现有教务、资源平台账号。"
    org = factory.LazyFunction(lambda: org(CHANGCHUN_EDU))
    contact_name = "刘科长"
    contact_phone = "0431-88880000"
    domain = "public_services"
    construction_type = "new"
    budget_hardware = Decimal("300000.00")
    budget_software = Decimal("800000.00")
    budget_services = Decimal("250000.00")
    budget_operations = Decimal("150000.00")
    budget_total = factory.LazyAttribute(
        lambda d: sum((p or Decimal("0") for p in (d.budget_hardware, d.budget_software, d.budget_services,
                                                    d.budget_operations)), Decimal("0"))
    )

    @factory.post_generation
    def capabilities(self, create, extracted, **kwargs):
        if not create:
            return
        codes = ["identity_auth", "data_exchange"] if extracted is None else extracted
        self.capabilities.set(Capability.objects.filter(code__in=codes))


class DataResourceFactory(DjangoModelFactory):
    class Meta:
        model = DataResource

    code = factory.Sequence(lambda n: f"DR-T{n + 1:05d}")
    name = factory.Sequence(lambda n: f"学籍信息{n + 1}")
    owner_org = factory.LazyFunction(lambda: org("220000-jyt"))
    sharing = Sharing.UNCONDITIONAL
    opening = factory.LazyAttribute(lambda r: Opening.NON_OPENING if r.sharing == Sharing.NON_SHARING else Opening.CONDITIONAL)


class SystemFactory(DjangoModelFactory):
    class Meta:
        model = InformationSystem

    code = factory.Sequence(lambda n: f"XT-{9000 + n}")
    name = factory.Sequence(lambda n: f"吉林省统一身份认证平台{n + 1}")
    owner_org = factory.LazyFunction(lambda: org("220000-zwj"))
    status = SystemStatus.IN_OPERATION


# How to reach each state from a draft: (transition, who fires it, payload) steps.
def _paths(users, target_demand=None, system=None):
    sub, coord = users["sub_changchun"], users["coord_changchun"]
    rev, appr = users["prov_reviewer"], users["prov_approver"]
    to_prov = [("submit", sub, {}), ("municipal_approve", coord, {})]
    return {
        S.DRAFT: [],
        S.MUNICIPAL_REVIEW: [("submit", sub, {})],
        S.PROVINCIAL_REVIEW: to_prov,
        S.EXPERT_REVIEW: to_prov + [("provincial_approve", appr, {})],
        S.RETURNED: to_prov + [("return_for_revision", rev, {"comment": "请补充建设内容"})],
        S.APPROVED: to_prov + [("provincial_approve", appr, {})],
        S.REJECTED: to_prov + [("reject", rev, {"comment": "与省级平台重复"})],
        S.MERGED: to_prov + [("merge", rev, {"comment": "并入", "target_demand": target_demand})],
        S.REUSE: to_prov + [("recommend_reuse", rev, {"comment": "复用", "system": system})],
        S.WITHDRAWN: [("withdraw", sub, {})],
    }


def walk(demand: Demand, state: str, users, *, target_demand=None, system=None) -> Demand:
    """Move a Changchun draft to `state` through the service (expert review needs a big budget)."""
    if state == S.EXPERT_REVIEW and demand.budget_total < Decimal("5000000"):
        raise ValueError("expert review needs a demand of 5,000,000 CNY or more")
    for name, actor, payload in _paths(users, target_demand, system)[state]:
        payload = dict(payload)
        comment = payload.pop("comment", "")
        demand_transition(demand=demand, name=name, actor=actor, comment=comment, **payload)
    if state == S.APPROVED and demand.status == S.EXPERT_REVIEW:
        from tests.projects.review_factories import give_opinions, seat_panel

        seat_panel(demand, users)
        give_opinions(demand, users)
        demand_transition(demand=demand, name="expert_approve", actor=users["prov_approver"])
    assert demand.status == state, (demand.status, state)
    return demand


def big_demand(**kwargs) -> Demand:
    """A draft whose total (6,000,000.00) goes to the expert panel."""
    return DemandFactory(budget_software=Decimal("5000000.00"), budget_hardware=Decimal("600000.00"), **kwargs)


# ---------------------------------------------------------------------------------------
# Files whose bytes match (or not) their extension
# ---------------------------------------------------------------------------------------

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def zip_with(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in names:
            z.writestr(name, "<x/>")
    return buf.getvalue()


DOCX = zip_with("[Content_Types].xml", "word/document.xml")
XLSX = zip_with("[Content_Types].xml", "xl/workbook.xml")
OFD = zip_with("OFD.xml", "Doc_0/Document.xml")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)
