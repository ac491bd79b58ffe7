"""Who sees what of the review, from every entrance (page, API, attachment and signed-file download,
history, similar and comparison pages): an expert only the demands assigned to it, and the other
experts' opinions only once its own is in; a data officer only the requests for its organization's
resources."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from assets.choices import Sharing
from projects.demands.choices import DemandStatus as S
from projects.demands.models import Attachment, AuthorizationRequest
from projects.demands.review_services import submit_expert_opinion
from projects.demands.services import save_demand
from tests.projects.factories import PDF, DataResourceFactory, DemandFactory, SystemFactory, big_demand, org, walk
from tests.projects.review_factories import seat_panel

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assigned = walk(big_demand(), S.EXPERT_REVIEW, users)
    other = walk(big_demand(), S.EXPERT_REVIEW, users)
    seat_panel(assigned, users)
    att = Attachment.objects.create(demand=assigned, file=ContentFile(PDF, name="a.pdf"), original_name="方案.pdf",
                                    content_type="application/pdf", size=len(PDF), uploaded_by=users["sub_changchun"])
    other_att = Attachment.objects.create(demand=other, file=ContentFile(PDF, name="b.pdf"), original_name="b.pdf",
                                          content_type="application/pdf", size=len(PDF), uploaded_by=users["sub_changchun"])
    return {"assigned": assigned, "other": other, "att": att, "other_att": other_att, "system": SystemFactory()}


def entrances(demand, att, system):
    return [f"/demands/{demand.pk}/", f"/demands/{demand.pk}/similar/", f"/attachments/{att.pk}/",
            f"/demands/{demand.pk}/compare/system/{system.pk}/",
            f"/api/v1/demands/{demand.pk}/", f"/api/v1/demands/{demand.pk}/history/", f"/api/v1/demands/{demand.pk}/similar/"]


def test_an_expert_sees_the_assigned_demand_from_every_entrance_and_no_other(users, login, api, world):
    expert = users["expert_wang"]
    client = login(expert)
    token = api.as_user(expert)
    for url in entrances(world["assigned"], world["att"], world["system"]):
        c = token if url.startswith("/api/") else client
        assert c.get(url).status_code == 200, url
    for url in entrances(world["other"], world["other_att"], world["system"]):
        c = token if url.startswith("/api/") else client
        assert c.get(url).status_code == 404, url
    listed = [d["id"] for d in token.get("/api/v1/demands/").json()["results"]]
    assert listed == [world["assigned"].pk]
    page = client.get("/demands/").content.decode()
    assert world["assigned"].code in page and world["other"].code not in page
    assert client.get("/reviews/mine/").status_code == 200
    assert world["assigned"].code in client.get("/reviews/mine/").content.decode()


def test_an_expert_sees_the_others_opinions_only_after_submitting_its_own(users, login, api, world, tmp_path):
    demand = world["assigned"]
    wang, li = users["expert_wang"], users["expert_li"]
    li_a = demand.expert_assignments.get(expert=li)
    submit_expert_opinion(assignment=li_a, actor=li, verdict="disagree", comments="李研究员的保留意见", recommended_budget=None,
                          signed_file=ContentFile(PDF, name="li.pdf"))
    token = api.as_user(wang)
    seen = {a["expert"] for a in token.get(f"/api/v1/expert-assignments/?demand={demand.pk}").json()["results"]}
    assert seen == {"expert_wang"}
    assert token.get(f"/api/v1/expert-assignments/{li_a.pk}/").status_code == 404
    client = login(wang)
    assert "李研究员的保留意见" not in client.get(f"/demands/{demand.pk}/").content.decode()
    assert client.get(f"/reviews/{li_a.pk}/file/").status_code == 404
    own = demand.expert_assignments.get(expert=wang)
    submit_expert_opinion(assignment=own, actor=wang, verdict="agree", recommended_budget=demand.budget_total)
    seen = {a["expert"] for a in token.get(f"/api/v1/expert-assignments/?demand={demand.pk}").json()["results"]}
    assert seen == {"expert_wang", "expert_li"}  # expert_zhao's is still awaited: not shown
    assert "李研究员的保留意见" in login(wang).get(f"/demands/{demand.pk}/").content.decode()
    assert login(wang).get(f"/reviews/{li_a.pk}/file/").status_code == 200
    # The approver sees all three, the awaited one too.
    seen = {a["expert"] for a in api.as_user(users["prov_approver"]).get(
        f"/api/v1/expert-assignments/?demand={demand.pk}").json()["results"]}
    assert seen == {"expert_wang", "expert_li", "expert_zhao"}


def test_an_expert_who_declined_no_longer_sees_the_demand(users, login, world):
    from projects.demands.review_services import decline_assignment

    a = world["assigned"].expert_assignments.get(expert=users["expert_zhao"])
    decline_assignment(assignment=a, actor=users["expert_zhao"], reason="利益回避")
    assert login(users["expert_zhao"]).get(f"/demands/{world['assigned'].pk}/").status_code == 404


def test_an_expert_cannot_act_on_the_demand(users, api, world):
    token = api.as_user(users["expert_wang"])
    r = token.post(f"/api/v1/demands/{world['assigned'].pk}/transition/", {"name": "expert_approve"}, format="json")
    assert r.status_code == 403
    r = token.patch(f"/api/v1/demands/{world['assigned'].pk}/", {"title": "x"}, format="json")
    assert r.status_code in (403, 409)


def test_a_data_officer_sees_only_the_requests_for_its_organizations_resources(users, login, api):
    vehicles = DataResourceFactory(owner_org=org("220000-gat"), sharing=Sharing.AUTHORIZED, name="机动车登记信息")
    licences = DataResourceFactory(owner_org=org("220000-scjg"), sharing=Sharing.AUTHORIZED, name="特种设备使用登记信息")
    demand = DemandFactory(planned_end=timezone.localdate() + timedelta(days=300))
    save_demand(actor=users["sub_changchun"], demand=demand, data={"data_resources": [vehicles.pk, licences.pk]})
    walk(demand, S.PROVINCIAL_REVIEW, users)
    ours = AuthorizationRequest.objects.get(resource=vehicles)
    theirs = AuthorizationRequest.objects.get(resource=licences)
    token = api.as_user(users["data_gat"])
    assert [r["id"] for r in token.get("/api/v1/authorizations/").json()["results"]] == [ours.pk]
    assert token.get(f"/api/v1/authorizations/{theirs.pk}/").status_code == 404
    assert token.post(f"/api/v1/authorizations/{theirs.pk}/transition/", {"name": "grant"}, format="json").status_code == 404
    page = login(users["data_gat"]).get("/authorizations/").content.decode()
    assert "机动车登记信息" in page and "特种设备使用登记信息" not in page
    assert login(users["data_gat"]).get(f"/demands/{demand.pk}/").status_code == 404  # the request says what, why, how long
    r = token.post(f"/api/v1/authorizations/{ours.pk}/transition/",
                   {"name": "grant", "valid_until": (timezone.localdate() + timedelta(days=365)).isoformat(),
                    "conditions": "仅限本系统使用"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "granted"
    # The grant is listed on the resource's page (who may use it, until when) and the demand page.
    resource_page = login(users["prov_reviewer"]).get(f"/catalogue/data-resources/{vehicles.pk}/").content.decode()
    assert 'data-testid="granted-row"' in resource_page and demand.title in resource_page
    demand_page = login(users["sub_changchun"]).get(f"/demands/{demand.pk}/").content.decode()
    assert "已授权" in demand_page or "Granted" in demand_page


def test_submitters_see_their_own_demands_requests_and_not_others(users, api):
    vehicles = DataResourceFactory(owner_org=org("220000-gat"), sharing=Sharing.AUTHORIZED)
    demand = DemandFactory()
    save_demand(actor=users["sub_changchun"], demand=demand, data={"data_resources": [vehicles.pk]})
    walk(demand, S.MUNICIPAL_REVIEW, users)
    assert api.as_user(users["sub_changchun"]).get("/api/v1/authorizations/").json()["count"] == 1
    assert api.as_user(users["sub_jilin"]).get("/api/v1/authorizations/").json()["count"] == 0
    assert api.as_user(users["data_scjg"]).get("/api/v1/authorizations/").json()["count"] == 0


def test_daily_check_expires_granted_authorizations_past_their_end_date(users):
    from projects.demands.tasks import expire_authorizations

    vehicles = DataResourceFactory(owner_org=org("220000-gat"), sharing=Sharing.AUTHORIZED)
    demand = DemandFactory()
    save_demand(actor=users["sub_changchun"], demand=demand, data={"data_resources": [vehicles.pk]})
    walk(demand, S.MUNICIPAL_REVIEW, users)
    r = AuthorizationRequest.objects.get(demand=demand)
    from projects.demands.review_services import decide_authorization

    decide_authorization(request=r, actor=users["data_gat"], name="grant", valid_until=timezone.localdate())
    assert expire_authorizations.delay().get() == 0  # ends today: still in force
    AuthorizationRequest.objects.filter(pk=r.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    assert expire_authorizations.delay().get() == 1
    assert AuthorizationRequest.objects.get(pk=r.pk).state == "expired"


def test_experts_are_reminded_once_before_the_deadline(users, world):
    from core.models import Notification
    from projects.demands.review_services import REMINDER_VERB, send_deadline_reminders

    demand = world["assigned"]
    demand.expert_assignments.update(deadline=timezone.now() + timedelta(days=1))
    assert send_deadline_reminders() == 3
    assert send_deadline_reminders() == 0
    assert Notification.objects.filter(verb=REMINDER_VERB, recipient=users["expert_wang"]).count() == 1
