"""Nobody reads or changes a demand outside their place in the tree, from any entrance: always 404."""

import pytest
from django.urls import reverse

from projects.demands.attachments import add_attachment
from projects.demands.choices import DemandStatus as S
from projects.models import Attachment, Demand
from tests.projects.factories import PDF, DemandFactory, org, upload, walk

OUTSIDERS = ["sub_jilin", "sub_yanji", "sub_province", "sub_siping", "coord_jilin", "coord_siping", "coord_yanbian"]
INSIDERS = ["sub_changchun", "coord_changchun", "prov_reviewer", "prov_approver", "pm", "finance", "ops", "auditor", "admin"]


@pytest.fixture
def changchun(users, settings, tmp_path):
    """A returned Changchun demand with an attachment (editable, so that every entrance applies)."""
    settings.MEDIA_ROOT = tmp_path
    demand = DemandFactory()
    attachment = add_attachment(actor=users["sub_changchun"], demand=demand, upload=upload("可研.pdf", PDF))
    walk(demand, S.RETURNED, users)
    return demand, attachment


def page_requests(demand, attachment):
    return [
        ("get", reverse("projects:demand_detail", args=[demand.pk]), {}),
        ("get", reverse("projects:demand_edit", args=[demand.pk]), {}),
        ("post", reverse("projects:demand_edit", args=[demand.pk]), {"title": "改", "action": "save"}),
        ("post", reverse("projects:demand_transition", args=[demand.pk]), {"name": "withdraw"}),
        ("get", reverse("projects:attachment_download", args=[attachment.pk]), {}),
        ("post", reverse("projects:attachment_delete", args=[attachment.pk]), {}),
    ]


def api_requests(demand):
    return [
        ("get", f"/api/v1/demands/{demand.pk}/", {}),
        ("patch", f"/api/v1/demands/{demand.pk}/", {"title": "改"}),
        ("post", f"/api/v1/demands/{demand.pk}/transition/", {"name": "withdraw"}),
        ("get", f"/api/v1/demands/{demand.pk}/history/", {}),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsider_gets_404_from_every_page_and_download(users, login, changchun, username):
    demand, attachment = changchun
    client = login(users[username])
    for method, url, data in page_requests(demand, attachment):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (username, method, url, response.status_code)
    fresh = Demand.objects.get(pk=demand.pk)
    assert (fresh.status, fresh.title, Attachment.objects.count()) == (S.RETURNED, demand.title, 1)


@pytest.mark.django_db
@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsider_gets_404_from_every_api_endpoint_and_not_in_lists(users, api, changchun, username):
    demand, _ = changchun
    client = api.as_user(users[username])
    for method, url, data in api_requests(demand):
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 404, (username, method, url, response.status_code)
    assert demand.pk not in [r["id"] for r in client.get("/api/v1/demands/?page_size=500").json()["results"]]
    assert Demand.objects.get(pk=demand.pk).status == S.RETURNED


@pytest.mark.django_db
@pytest.mark.parametrize("username", OUTSIDERS)
def test_outsider_does_not_find_it_in_page_lists(users, login, changchun, username):
    demand, _ = changchun
    client = login(users[username])
    for name in ("projects:demand_all", "projects:demand_list"):
        response = client.get(reverse(name) + f"?search={demand.code}", follow=True)
        assert demand.pk not in [d.pk for d in response.context["page"]]


@pytest.mark.django_db
@pytest.mark.parametrize("username", INSIDERS)
def test_insiders_read_it(users, login, api, changchun, username):
    demand, attachment = changchun
    assert login(users[username]).get(reverse("projects:demand_detail", args=[demand.pk])).status_code == 200
    assert login(users[username]).get(reverse("projects:attachment_download", args=[attachment.pk])).status_code == 200
    assert api.as_user(users[username]).get(f"/api/v1/demands/{demand.pk}/").status_code == 200
    assert api.as_user(users[username]).get(f"/api/v1/demands/{demand.pk}/history/").status_code == 200


@pytest.mark.django_db
def test_coordinator_sees_county_demands_of_its_city_only(users, api):
    yanji = DemandFactory(org=org("222401-jyj"))
    assert api.as_user(users["coord_yanbian"]).get(f"/api/v1/demands/{yanji.pk}/").status_code == 200
    assert api.as_user(users["coord_changchun"]).get(f"/api/v1/demands/{yanji.pk}/").status_code == 404


@pytest.mark.django_db
def test_unknown_ids_are_404_too(users, login, api):
    assert login(users["prov_reviewer"]).get(reverse("projects:demand_detail", args=[999999])).status_code == 404
    assert login(users["prov_reviewer"]).get(reverse("projects:attachment_download", args=[999999])).status_code == 404
    assert api.as_user(users["prov_reviewer"]).get("/api/v1/demands/999999/").status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, changchun):
    demand, attachment = changchun
    for url in (reverse("projects:demand_detail", args=[demand.pk]), reverse("projects:attachment_download", args=[attachment.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
