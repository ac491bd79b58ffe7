"""The tree rule: which organizations' records each role may see."""

import pytest

from organizations.choices import Role
from organizations.models import Organization
from organizations.selectors import org_is_visible, restrict, visible_orgs

pytestmark = pytest.mark.django_db


def test_reference_tree_has_province_nine_cities_and_their_counties():
    from organizations.models import Region

    assert Region.objects.filter(level="province").count() == 1
    assert Region.objects.filter(level="city").count() == 9
    assert Region.objects.filter(level="county").count() == 60
    assert Region.objects.get(code="222401").name == "延吉市"
    assert Region.objects.get(code="222401").parent.name == "延边朝鲜族自治州"


def test_every_region_has_exactly_one_coordination_authority(users):
    from organizations.models import Region

    for region in Region.objects.all():
        assert region.organizations.filter(is_coordination_authority=True).count() == 1, region.name


@pytest.mark.parametrize(
    "username", ["prov_reviewer", "prov_approver", "pm", "finance", "ops", "auditor", "admin"]
)
def test_province_wide_roles_see_every_organization(users, username):
    assert visible_orgs(users[username]).count() == Organization.objects.count()


def test_submitter_sees_only_its_own_organization(users, orgs):
    assert list(visible_orgs(users["sub_changchun"])) == [orgs["220100-jyj"]]


def test_county_submitter_sees_only_its_own_bureau(users, orgs):
    assert list(visible_orgs(users["sub_yanji"])) == [orgs["222401-jyj"]]


def test_provincial_department_submitter_sees_only_itself(users, orgs):
    assert list(visible_orgs(users["sub_province"])) == [orgs["220000-jyt"]]


def test_municipal_coordinator_sees_its_city_and_its_counties_only(users, orgs):
    seen = set(visible_orgs(users["coord_changchun"]).values_list("code", flat=True))
    expected = set(Organization.objects.filter(city__code="220100").values_list("code", flat=True))
    assert seen == expected
    assert "220100-jyj" in seen  # a municipal bureau
    assert "220184-jyj" in seen  # 公主岭市, a county-level city under Changchun
    assert "220200-mzj" not in seen  # Jilin City
    assert "220000-jyt" not in seen  # a provincial department
    assert "222401-jyj" not in seen  # Yanji, under Yanbian


def test_yanbian_coordinator_sees_yanji_county_bureau(users, orgs):
    assert org_is_visible(users["coord_yanbian"], orgs["222401-jyj"].pk)
    assert not org_is_visible(users["coord_changchun"], orgs["222401-jyj"].pk)


def test_user_without_role_or_organization_sees_nothing(users, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x-long-password")
    assert visible_orgs(nobody).count() == 0
    orphan = django_user_model.objects.create_user("orphan", password="x-long-password", role=Role.SUBMITTER)
    assert visible_orgs(orphan).count() == 0


def test_inactive_user_sees_nothing(users):
    user = users["prov_reviewer"]
    user.is_active = False
    assert visible_orgs(user).count() == 0


def test_restrict_filters_any_queryset_by_its_org_field(users, orgs):
    qs = Organization.objects.all()
    # Organization has no `org` field; restrict on its own pk through the parent relation instead.
    limited = restrict(Organization.objects.filter(pk=orgs["220100-jyj"].pk).values("pk"), users["prov_reviewer"])
    assert limited.count() == 1
    assert restrict(qs, users["coord_jilin"], field="parent").filter(parent__city__code="220100").count() == 0
