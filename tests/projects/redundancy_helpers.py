"""Helpers of the redundancy tests: a fresh index per test, systems and demands with chosen wording."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assets.choices import SystemStatus
from assets.models import Capability, InformationSystem
from organizations.models import Organization
from projects.demands.notifications import next_actors
from projects.demands.services import demand_transition
from projects.models import Demand
from projects.redundancy.index import reset_index
from tests.projects.factories import DemandFactory

# sub_* users' bureaus (organizations/seed.py)
CHANGCHUN_EDU = "220100-jyj"  # sub_changchun
JILIN_CIVIL = "220200-mzj"  # sub_jilin
SIPING_WATER = "220300-swj"  # sub_siping
YANJI_EDU = "222401-jyj"  # sub_yanji (county under Yanbian)
PROVINCE_EDU = "220000-jyt"  # sub_province
PROVINCE_ADMIN = "220000-zwj"  # the provincial coordination authority

SUBMITTER_OF = {
    CHANGCHUN_EDU: "sub_changchun", JILIN_CIVIL: "sub_jilin", SIPING_WATER: "sub_siping", YANJI_EDU: "sub_yanji",
    PROVINCE_EDU: "sub_province",
}

PARKING_SYSTEM = (
    "吉林省智慧停车管理平台",
    "全省统一的城市停车平台：路内和公共停车场泊位实时查询、停车诱导、无感支付和违停抓拍，各市按账号开通使用。",
)
PARKING_DEMAND = (
    "智慧停车管理平台建设",
    "建设城区智慧停车平台，接入路内泊位和公共停车场，提供泊位实时查询、停车诱导和无感支付。",
)
PARKING_CAPS = ["iot", "payment", "mobile_app"]


@pytest.fixture(autouse=True)
def fresh_index():
    """Each test starts from an index built from its own database (and leaves none behind)."""
    reset_index()
    yield
    reset_index()


@pytest.fixture(autouse=True)
def in_english(settings):
    """Messages are asserted in English (the msgids), whatever catalogue is compiled."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def org(code: str) -> Organization:
    return Organization.objects.get(code=code)


def make_system(name: str, description: str = "", capabilities=(), *, owner: str = PROVINCE_ADMIN, users=(),
                status: str = SystemStatus.IN_OPERATION, code: str | None = None) -> InformationSystem:
    n = InformationSystem.objects.count() + 1
    system = InformationSystem.objects.create(
        code=code or f"XT-{8000 + n}", name=name, description=description, owner_org=org(owner), status=status
    )
    system.capabilities.set(Capability.objects.filter(code__in=capabilities))
    if users:
        system.user_orgs.set(Organization.objects.filter(code__in=users))
    return system


def make_demand(title: str, description: str, capabilities=PARKING_CAPS, *, org_code: str = CHANGCHUN_EDU,
                budget: str = "1500000.00", **kwargs) -> Demand:
    """A complete draft of `org_code` (total `budget`, all in software)."""
    return DemandFactory(
        title=title, description=description, capabilities=list(capabilities), org=org(org_code),
        budget_hardware=Decimal("0.00"), budget_software=Decimal(budget), budget_services=Decimal("0.00"),
        budget_operations=Decimal("0.00"), **kwargs,
    )


def submit(demand: Demand, users) -> Demand:
    """Submit as the bureau's submitter (city and county bureaus land in municipal review)."""
    return demand_transition(demand=demand, name="submit", actor=users[SUBMITTER_OF[demand.org.code]])


def to_provincial_review(demand: Demand, users) -> Demand:
    submit(demand, users)
    if demand.status == "municipal_review":
        coordinator = next_actors(demand).order_by("pk").first()  # the city's coordinator
        demand_transition(demand=demand, name="municipal_approve", actor=coordinator)
    assert demand.status == "provincial_review"
    return demand


def keys(candidates) -> list[tuple[str, int]]:
    return [(c["kind"], c["id"]) for c in candidates]
