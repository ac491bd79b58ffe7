"""A demand page names another demand only to those who may open it; typed codes resolve within
what the user may see."""

import pytest
from django.urls import reverse

from projects.demands.choices import DemandStatus as S
from projects.models import Demand
from tests.projects.factories import DemandFactory, org, walk

OTHER_CITY_BUREAU = "220200-mzj"


@pytest.fixture
def merged_into_other_city(users):
    """A Changchun demand merged into a Jilin city demand (as the seed's 58 merged demands are)."""
    target = walk(DemandFactory(title="吉林市民政领导驾驶舱可视化大屏"), S.PROVINCIAL_REVIEW, users)
    merged = walk(DemandFactory(), S.MERGED, users, target_demand=target)
    Demand.objects.filter(pk=target.pk).update(org=org(OTHER_CITY_BUREAU))  # test data: another city's demand
    return merged, target


@pytest.mark.django_db
def test_merged_demand_hides_a_target_the_reader_cannot_open(users, login, merged_into_other_city):
    merged, target = merged_into_other_city
    client = login(users["sub_changchun"])
    html = client.get(reverse("projects:demand_detail", args=[merged.pk])).content.decode()
    assert target.title not in html
    assert reverse("projects:demand_detail", args=[target.pk]) not in html
    assert "已合并至其他单位的需求，由省级统筹建设" in html
    assert client.get(reverse("projects:demand_detail", args=[target.pk])).status_code == 404


@pytest.mark.django_db
def test_merged_demand_links_a_target_the_reader_may_open(users, login, merged_into_other_city):
    merged, target = merged_into_other_city
    html = login(users["prov_reviewer"]).get(reverse("projects:demand_detail", args=[merged.pk])).content.decode()
    assert target.title in html
    assert reverse("projects:demand_detail", args=[target.pk]) in html
    assert "已合并至其他单位的需求" not in html
