"""Sharing and opening attributes as badges (the partial the demand page and the reviewer use)."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .factories import DataResourceFactory, org

pytestmark = pytest.mark.django_db

PARTIAL = "assets/partials/data_resource_badge.html"


def badges(html: str) -> list[tuple[str, str]]:
    """(data-badge, css classes) of each badge, in order."""
    import re

    return [(m.group(2), m.group(1)) for m in re.finditer(r'<span class="badge ([^"]+)"[^>]*data-badge="(\w+)"', html)]


@pytest.mark.parametrize("sharing,opening,expected", [
    ("unconditional", "unconditional", [("sharing", "text-bg-success"), ("opening", "text-bg-primary")]),
    ("authorized", "conditional", [("sharing", "text-bg-warning"), ("opening", "text-bg-info")]),
    ("non_sharing", "non_opening", [("sharing", "text-bg-danger"), ("opening", "text-bg-secondary")]),
])
def test_each_attribute_has_its_colour(sharing, opening, expected):
    html = render_to_string(PARTIAL, {"resource": DataResourceFactory(sharing=sharing, opening=opening)})
    assert badges(html) == expected
    assert f'data-sharing="{sharing}"' in html and f'data-opening="{opening}"' in html


def test_labels_are_in_the_users_language():
    resource = DataResourceFactory(sharing="authorized", opening="non_opening")
    with translation.override("en"):
        html = render_to_string(PARTIAL, {"resource": resource})
    assert "Authorized sharing" in html and "Non-opening" in html


@pytest.mark.parametrize("authorization,expected", [
    ("pending", "pending"),
    ("not_needed", "pending"),  # an authorized resource without a recorded authorization is pending
    ("granted", "granted"),
    ("refused", "refused"),
])
def test_authorized_resource_on_a_demand_shows_the_owners_authorization(authorization, expected):
    resource = DataResourceFactory(sharing="authorized", opening="non_opening")
    html = render_to_string(PARTIAL, {"resource": resource, "authorization": authorization})
    assert f'data-authorization="{expected}"' in html
    with translation.override("en"):
        html = render_to_string(PARTIAL, {"resource": resource, "authorization": "pending"})
    assert "Owner's authorization pending" in html


def test_authorization_can_be_the_demands_link_itself(users):
    from projects.models import Demand, DemandDataResource

    resource = DataResourceFactory(sharing="authorized", opening="conditional")
    demand = Demand.objects.create(org=org("220100-jyj"), title="学籍核验")
    link = DemandDataResource.objects.create(demand=demand, resource=resource, authorization="granted")
    html = render_to_string(PARTIAL, {"resource": resource, "authorization": link})
    assert 'data-authorization="granted"' in html


def test_non_sharing_on_a_demand_is_said_plainly():
    resource = DataResourceFactory(sharing="non_sharing")
    with translation.override("en"):
        html = render_to_string(PARTIAL, {"resource": resource, "authorization": "pending"})
    assert [b for b, _ in badges(html)] == ["sharing", "warning", "opening"]
    assert "Cannot be provided to this demand" in html
    assert "data-authorization" not in html


def test_catalogue_lists_show_no_authorization_badge():
    html = render_to_string(PARTIAL, {"resource": DataResourceFactory(sharing="authorized", opening="conditional")})
    assert "data-authorization" not in html


def test_data_resource_page_shows_the_demands_that_need_it_with_their_authorization(login, users):
    from projects.models import Demand, DemandDataResource

    resource = DataResourceFactory(name="中小学学籍信息", owner_org=org("220000-jyt"), sharing="authorized", opening="non_opening")
    mine = Demand.objects.create(org=org("220100-jyj"), title="长春市智慧校园")
    theirs = Demand.objects.create(org=org("220200-mzj"), title="吉林市救助核对")
    DemandDataResource.objects.create(demand=mine, resource=resource, authorization="pending")
    DemandDataResource.objects.create(demand=theirs, resource=resource, authorization="granted")
    response = login(users["sub_changchun"]).get(reverse("assets:data_resource_detail", args=[resource.pk]))
    html = response.content.decode()
    assert [link.demand.title for link in response.context["links"]] == ["长春市智慧校园"]
    assert 'data-authorization="pending"' in html and 'data-authorization="granted"' not in html
