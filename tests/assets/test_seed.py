"""The catalogue's demo data: what a province runs, every data attribute, idempotent."""

import io
import random

import pytest

from assets import seed
from assets.models import DataResource, HardwareItem, InformationSystem
from core.seeding import SeedContext

pytestmark = pytest.mark.django_db


def _run(users, scale=1):
    ctx = SeedContext(password="x" * 8, scale=scale, stdout=io.StringIO(), rng=random.Random(2026), users=users, quiet=True)
    return seed.run(ctx)


def test_seed_fills_the_catalogue_once(users):
    _run(users)
    counts = (InformationSystem.objects.count(), DataResource.objects.count(), HardwareItem.objects.count())
    assert counts[0] >= 60 and counts[1] >= 100 and counts[2] >= 30
    _run(users)
    assert (InformationSystem.objects.count(), DataResource.objects.count(), HardwareItem.objects.count()) == counts


def test_seed_has_every_sharing_and_opening_attribute_and_overdue_systems(users):
    _run(users)
    assert set(DataResource.objects.values_list("sharing", flat=True)) == {"unconditional", "authorized", "non_sharing"}
    assert set(DataResource.objects.values_list("opening", flat=True)) == {"unconditional", "conditional", "non_opening"}
    assert {s.status for s in InformationSystem.objects.all()} == {"building", "in_operation", "retired"}
    assert sum(s.is_assessment_overdue for s in InformationSystem.objects.all()) >= 5
    assert InformationSystem.objects.filter(owner_org__level="county").exists()


def test_seed_has_the_provincial_water_supply_platform_that_cities_use(users):
    _run(users)
    water = InformationSystem.objects.get(name="吉林省智慧供水监管平台")
    assert (water.owner_org.level, water.status, water.build_mode) == ("province", "in_operation", "provincial_for_others")
    assert {"iot", "gis", "analytics"} <= set(water.capabilities.values_list("code", flat=True))
    assert water.user_orgs.values("city").distinct().count() >= 5
    assert not water.user_orgs.filter(code="220300-swj").exists()  # Siping has not joined yet
    assert HardwareItem.objects.filter(system=water, location="provincial_cloud").count() == 3


def test_scale_two_adds_about_sixty_more_systems_once(users):
    _run(users)
    base = InformationSystem.objects.count()
    _run(users, scale=2)
    assert InformationSystem.objects.count() == base + 60
    _run(users, scale=2)
    assert InformationSystem.objects.count() == base + 60
    assert InformationSystem.objects.filter(code__regex=r"^XT-[0-9]{4}$").count() == base + 60
