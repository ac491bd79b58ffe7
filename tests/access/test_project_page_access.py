"""The project page shows each beneficiary only the demands (and their history) it may see."""

import pytest
from django.urls import reverse

from projects.demands.choices import DemandStatus as S
from projects.models import Demand
from tests.projects.factories import DemandFactory, org, walk
from tests.projects.project_factories import ProjectFactory

CHANGCHUN_EDU, JILIN_CIVIL = "220100-jyj", "220200-mzj"


@pytest.fixture
def shared_project(users):
    """A project built for two bureaus of two cities, from one demand of each, each with its history."""
    mine = walk(DemandFactory(title="长春教育身份认证"), S.APPROVED, users)
    theirs = walk(DemandFactory(title="吉林民政养老服务"), S.RETURNED, users)  # history: "请补充建设内容"
    Demand.objects.filter(pk=theirs.pk).update(org=org(JILIN_CIVIL))  # test data: the other city's demand
    project = ProjectFactory(beneficiaries=[org(CHANGCHUN_EDU), org(JILIN_CIVIL)])
    Demand.objects.filter(pk__in=[mine.pk, theirs.pk]).update(project=project)
    return project, mine, theirs


def page(login, user, project):
    response = login(user).get(reverse("projects:project_detail", args=[project.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_beneficiary_sees_only_its_own_demands_and_a_count_of_the_others(users, login, shared_project):
    project, mine, theirs = shared_project
    html = page(login, users["sub_changchun"], project)
    assert mine.title in html
    assert theirs.title not in html
    assert "另有 1 个其他单位的需求" in html


@pytest.mark.django_db
def test_beneficiary_timeline_holds_no_history_of_a_demand_it_cannot_open(users, login, shared_project):
    project, mine, theirs = shared_project
    html = page(login, users["sub_changchun"], project)
    assert "请补充建设内容" not in html  # the comment on the other city's demand
    assert "李主任" in html  # the approver of its own demand
    assert login(users["sub_changchun"]).get(reverse("projects:demand_detail", args=[theirs.pk])).status_code == 404


@pytest.mark.django_db
def test_other_city_coordinator_sees_its_demand_and_not_ours(users, login, shared_project):
    project, mine, theirs = shared_project
    html = page(login, users["coord_jilin"], project)
    assert (theirs.title in html, mine.title in html, "另有 1 个其他单位的需求" in html) == (True, False, True)


@pytest.mark.django_db
def test_province_sees_every_demand_and_no_count(users, login, shared_project):
    project, mine, theirs = shared_project
    html = page(login, users["prov_reviewer"], project)
    assert (mine.title in html, theirs.title in html, "其他单位的需求" in html, "请补充建设内容" in html) == (True, True, False, True)


@pytest.mark.django_db
def test_project_api_lists_only_visible_demand_ids(users, api, shared_project):
    project, mine, theirs = shared_project
    body = api.as_user(users["sub_changchun"]).get(f"/api/v1/projects/{project.pk}/").json()
    assert body["demands"] == [mine.pk]
