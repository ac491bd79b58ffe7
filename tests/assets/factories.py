"""Factories of the catalogue (organizations come from the seeded tree)."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from assets.choices import HardwareKind, Opening, Sharing, SystemStatus
from assets.models import Capability, DataResource, HardwareItem, InformationSystem
from organizations.models import Organization


def org(code: str) -> Organization:
    return Organization.objects.get(code=code)


def capability(code: str) -> Capability:
    return Capability.objects.get(code=code)


class SystemFactory(DjangoModelFactory):
    class Meta:
        model = InformationSystem
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"XT-{5000 + n:04d}")
    name = factory.Sequence(lambda n: f"测试平台{n + 1}")
    description = "测试用系统"
    owner_org = factory.LazyFunction(lambda: org("220000-zwj"))
    status = SystemStatus.IN_OPERATION
    yearly_ops_cost = Decimal("100000.00")

    @factory.post_generation
    def capabilities(self, create, extracted, **kwargs):
        if create and extracted:
            self.capabilities.set([capability(c) if isinstance(c, str) else c for c in extracted])

    @factory.post_generation
    def user_orgs(self, create, extracted, **kwargs):
        if create and extracted:
            self.user_orgs.set([org(c) if isinstance(c, str) else c for c in extracted])


class DataResourceFactory(DjangoModelFactory):
    class Meta:
        model = DataResource

    code = factory.Sequence(lambda n: f"SJ-{50000 + n:05d}")
    name = factory.Sequence(lambda n: f"测试数据资源{n + 1}")
    owner_org = factory.LazyFunction(lambda: org("220000-gat"))
    sharing = Sharing.UNCONDITIONAL
    opening = factory.LazyAttribute(lambda r: Opening.NON_OPENING if r.sharing == Sharing.NON_SHARING else Opening.UNCONDITIONAL)
    record_count = 1000


class HardwareFactory(DjangoModelFactory):
    class Meta:
        model = HardwareItem

    name = factory.Sequence(lambda n: f"云主机{n + 1}")
    kind = HardwareKind.CLOUD_VM
    system = factory.SubFactory(SystemFactory)
    vcpu = 8
    memory_gb = 32
    quantity = 2
    unit_cost = Decimal("18000.00")


def make_project(code: str = "XM-2020-0901", construction_org: str = "220000-zwj"):
    """A bare project (test data: the projects app moves it through its machines)."""
    from projects.models import Project

    return Project.objects.create(code=code, name=f"测试项目 {code}", construction_org=org(construction_org), year=2026)
