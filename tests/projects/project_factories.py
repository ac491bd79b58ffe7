"""Factories for project tests: projects in any state of their four machines, approved demands.

States are given at creation (test data only: the application moves them through the doorway).
"""

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from assets.models import Capability
from organizations.models import Organization
from projects.models import Demand, Milestone, Project

CONSTRUCTION_ORG = "220000-zwj"


def org(code: str) -> Organization:
    return Organization.objects.get(code=code)


class ProjectFactory(DjangoModelFactory):
    """A project of the provincial construction team (codes of 2020, apart from those the services give)."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"XM-2020-{n + 1:04d}")
    name = factory.Sequence(lambda n: f"测试项目{n + 1}")
    construction_org = factory.LazyFunction(lambda: org(CONSTRUCTION_ORG))
    approved_budget = Decimal("1000000.00")
    year = 2026

    @factory.post_generation
    def beneficiaries(self, create, extracted, **kwargs):
        if create and extracted:
            self.beneficiary_orgs.add(*extracted)


class ApprovedDemandFactory(DjangoModelFactory):
    """An approved demand without a project, as the approval leaves it."""

    class Meta:
        model = Demand
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"XQ-2020-{n + 1:06d}")
    title = factory.Sequence(lambda n: f"智慧停车诱导系统{n + 1}")
    description = "整合城区公共停车场泊位数据，提供实时泊位查询与停车诱导。"
    org = factory.LazyFunction(lambda: org("220100-jyj"))
    domain = "public_services"
    construction_type = "new"
    budget_hardware = Decimal("100000.00")
    budget_software = Decimal("200000.00")
    budget_services = Decimal("50000.00")
    budget_operations = Decimal("0.00")
    budget_total = Decimal("350000.00")
    status = "approved"

    @factory.post_generation
    def capabilities(self, create, extracted, **kwargs):
        if create:
            codes = extracted if extracted is not None else ["gis", "payment"]
            self.capabilities.set(Capability.objects.filter(code__in=codes))


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"里程碑{n + 1}")
    planned_date = factory.LazyAttribute(lambda m: m.project.planned_start or date(2026, 6, 1))


# A minimal PDF, as an acceptance document.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def hardware_item(project, *, status="planned", unit_cost=Decimal("18000.00"), quantity=2, name="应用服务器（云主机 8核32G）"):
    """A hardware or cloud item of `project` with its cost (test data, created directly)."""
    from assets.models import HardwareItem

    return HardwareItem.objects.create(project=project, name=name, kind="cloud_vm", quantity=quantity, unit_cost=unit_cost,
                                       status=status)


def acceptance_milestone(project, *, document=True):
    """The acceptance milestone of `project`, with its signed document unless `document=False`."""
    from django.core.files.base import ContentFile

    milestone = MilestoneFactory(project=project, name="竣工验收", kind="final_acceptance")
    if document:
        milestone.document.save("竣工验收报告.pdf", ContentFile(PDF), save=True)
    return milestone


def with_facts(project):
    """Every fact the lanes' guards ask for: an item with its cost, delivered; the signed acceptance."""
    hardware_item(project, status="delivered")
    acceptance_milestone(project)
    return project
