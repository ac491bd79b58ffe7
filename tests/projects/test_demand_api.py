"""The demands API exactly as the contract names it: fields, filters, transition, history, errors."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from projects.demands.choices import DemandStatus as S
from projects.models import Demand
from tests.projects.factories import DataResourceFactory, DemandFactory, org, walk

MINIMAL = {
    "title": "长春市教育局校园安全视频联网平台",
    "description": "接入全市中小学校园视频，统一预警。",
    "domain": "public_services",
    "construction_type": "new",
    "capabilities": ["video", "ai_vision"],
    "budget_hardware": "1200000.00",
    "budget_software": "600000",
    "budget_services": "150000.5",
    "budget_operations": "0",
}

CONTRACT_FIELDS = {
    "id", "code", "title", "description", "org", "domain", "construction_type", "capabilities", "data_resources",
    "budget_hardware", "budget_software", "budget_services", "budget_operations", "budget_total", "status",
    "available_transitions", "project",
}


@pytest.mark.django_db
def test_post_minimal_demand_creates_a_submittable_draft_of_the_callers_bureau(api, users):
    client = api.as_user(users["sub_changchun"])
    response = client.post("/api/v1/demands/", MINIMAL, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert CONTRACT_FIELDS <= set(body)
    assert body["org"] == org("220100-jyj").pk
    assert body["status"] == "draft"
    assert body["code"] is None
    assert body["budget_total"] == "1950000.50"
    assert sorted(body["capabilities"]) == ["ai_vision", "video"]
    assert body["data_resources"] == []
    assert body["project"] is None
    assert body["available_transitions"] == ["submit", "withdraw"]

    submitted = client.post(f"/api/v1/demands/{body['id']}/transition/", {"name": "submit"}, format="json")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "municipal_review"
    assert re.fullmatch(rf"XQ-{timezone.localdate().year}-\d{{6}}", submitted.json()["code"])
    assert submitted.json()["available_transitions"] == ["withdraw"]


@pytest.mark.django_db
def test_read_only_fields_cannot_be_written(api, users):
    client = api.as_user(users["sub_changchun"])
    body = client.post("/api/v1/demands/", {**MINIMAL, "status": "approved", "code": "XQ-1999-000001",
                                            "budget_total": "1"}, format="json").json()
    assert (body["status"], body["code"], body["budget_total"]) == ("draft", None, "1950000.50")


@pytest.mark.django_db
def test_incomplete_submit_is_400_naming_each_missing_field(api, users):
    client = api.as_user(users["sub_changchun"])
    body = client.post("/api/v1/demands/", {"title": "只有标题"}, format="json").json()
    response = client.post(f"/api/v1/demands/{body['id']}/transition/", {"name": "submit"}, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert {"description", "domain", "construction_type", "capabilities", "budget_hardware", "budget_software",
            "budget_services", "budget_operations"} <= set(errors)
    assert "title" not in errors
    assert Demand.objects.get(pk=body["id"]).status == S.DRAFT


@pytest.mark.django_db
def test_bad_amounts_are_400_naming_the_field_and_nothing_is_saved(api, users):
    client = api.as_user(users["sub_changchun"])
    response = client.post("/api/v1/demands/", {**MINIMAL, "budget_hardware": "-100"}, format="json")
    assert response.status_code == 400
    assert list(k for k in response.json() if k != "detail") == ["budget_hardware"]
    response = client.post("/api/v1/demands/", {**MINIMAL, "budget_software": "20000000000"}, format="json")
    assert response.status_code == 400
    assert "budget_software" in response.json()
    response = client.post("/api/v1/demands/", {**MINIMAL, "capabilities": ["nope"]}, format="json")
    assert response.status_code == 400
    assert "nope" in response.json()["capabilities"][0]
    response = client.post("/api/v1/demands/", {**MINIMAL, "planned_start": "2026-05-01", "planned_end": "2026-04-01"},
                           format="json")
    assert response.status_code == 400
    assert "planned_end" in response.json()
    assert Demand.objects.count() == 0


@pytest.mark.django_db
def test_only_submitters_create(api, users):
    response = api.as_user(users["coord_changchun"]).post("/api/v1/demands/", MINIMAL, format="json")
    assert response.status_code == 403
    response = api.as_user(users["sub_changchun"]).post("/api/v1/demands/", {**MINIMAL, "org": org("220200-mzj").pk},
                                                        format="json")
    assert response.status_code == 400
    assert "org" in response.json()
    assert Demand.objects.count() == 0


@pytest.mark.django_db
def test_patch_while_draft_or_returned_only(api, users):
    client = api.as_user(users["sub_changchun"])
    demand = DemandFactory()
    resource = DataResourceFactory()
    response = client.patch(f"/api/v1/demands/{demand.pk}/", {"budget_operations": "0", "data_resources": [resource.pk]},
                            format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["budget_total"], response.json()["data_resources"]) == ("1350000.00", [resource.pk])
    walk(demand, S.MUNICIPAL_REVIEW, users)
    response = client.patch(f"/api/v1/demands/{demand.pk}/", {"title": "改"}, format="json")
    assert response.status_code == 409
    assert response.json()["status"] == "municipal_review"
    assert Demand.objects.get(pk=demand.pk).title == demand.title


@pytest.mark.django_db
def test_put_and_delete_are_not_offered(api, users):
    client = api.as_user(users["sub_changchun"])
    demand = DemandFactory()
    assert client.put(f"/api/v1/demands/{demand.pk}/", MINIMAL, format="json").status_code == 405
    assert client.delete(f"/api/v1/demands/{demand.pk}/").status_code == 405


@pytest.mark.django_db
def test_wrong_state_transition_is_409_with_the_current_status(api, users):
    demand = walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)
    response = api.as_user(users["prov_approver"]).post(
        f"/api/v1/demands/{demand.pk}/transition/", {"name": "provincial_approve"}, format="json")
    assert response.status_code == 409
    assert response.json()["status"] == "municipal_review"
    assert "municipal" in response.json()["detail"].lower() or "市级" in response.json()["detail"]


@pytest.mark.django_db
def test_forbidden_transition_on_a_visible_demand_is_403(api, users):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    response = api.as_user(users["prov_reviewer"]).post(
        f"/api/v1/demands/{demand.pk}/transition/", {"name": "provincial_approve"}, format="json")
    assert response.status_code == 403
    assert Demand.objects.get(pk=demand.pk).status == S.PROVINCIAL_REVIEW


@pytest.mark.django_db
def test_return_without_comment_is_400_naming_comment(api, users):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    response = api.as_user(users["prov_reviewer"]).post(
        f"/api/v1/demands/{demand.pk}/transition/", {"name": "return_for_revision", "comment": " "}, format="json")
    assert response.status_code == 400
    assert list(k for k in response.json() if k != "detail") == ["comment"]


@pytest.mark.django_db
def test_merge_and_reuse_take_their_targets(api, users):
    from tests.projects.factories import SystemFactory
    from tests.projects.project_factories import ProjectFactory

    client = api.as_user(users["prov_reviewer"])
    a = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    b = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    project, system = ProjectFactory(), SystemFactory()
    merged = client.post(f"/api/v1/demands/{a.pk}/transition/",
                         {"name": "merge", "comment": "并入省级项目", "target_project": project.pk}, format="json")
    assert (merged.status_code, merged.json()["status"], merged.json()["project"]) == (200, "merged", project.pk)
    reused = client.post(f"/api/v1/demands/{b.pk}/transition/",
                         {"name": "recommend_reuse", "comment": "复用", "system": system.pk}, format="json")
    assert (reused.status_code, reused.json()["status"], reused.json()["reuse_system"]) == (200, "reuse", system.pk)


@pytest.mark.django_db
def test_unknown_transition_name_is_400(api, users):
    demand = DemandFactory()
    response = api.as_user(users["sub_changchun"]).post(f"/api/v1/demands/{demand.pk}/transition/", {"name": "fly"},
                                                        format="json")
    assert response.status_code == 400
    assert "name" in response.json()


@pytest.mark.django_db
def test_history_lists_the_transitions_oldest_first(api, users):
    demand = walk(DemandFactory(), S.RETURNED, users)
    response = api.as_user(users["sub_changchun"]).get(f"/api/v1/demands/{demand.pk}/history/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [(r["transition"], r["source"], r["target"], r["actor"]) for r in body["results"]] == [
        ("submit", "draft", "municipal_review", "sub_changchun"),
        ("municipal_approve", "municipal_review", "provincial_review", "coord_changchun"),
        ("return_for_revision", "provincial_review", "returned", "prov_reviewer"),
    ]
    assert body["results"][2]["comment"] == "请补充建设内容"


@pytest.mark.django_db
def test_list_filters_status_org_domain_search(api, users):
    a = DemandFactory(title="智慧停车诱导系统", domain="public_services")
    b = walk(DemandFactory(title="农产品质量追溯平台", domain="agriculture"), S.MUNICIPAL_REVIEW, users)
    c = DemandFactory(title="民政救助信息系统", org=org("220200-mzj"), domain="social_governance")
    client = api.as_user(users["prov_reviewer"])

    def ids(query):
        response = client.get(f"/api/v1/demands/{query}")
        assert response.status_code == 200
        return sorted(r["id"] for r in response.json()["results"])

    assert ids("") == sorted([a.pk, b.pk, c.pk])
    assert ids("?status=municipal_review") == [b.pk]
    assert ids("?status=draft&status=municipal_review") == sorted([a.pk, b.pk, c.pk])
    assert ids("?status=draft") == sorted([a.pk, c.pk])
    assert ids(f"?org={org('220200-mzj').pk}") == [c.pk]
    assert ids("?domain=agriculture") == [b.pk]
    assert ids("?search=停车") == [a.pk]
    assert ids(f"?search={b.code}") == [b.pk]
    assert ids("?search=吉林市民政局") == [c.pk]
    assert client.get("/api/v1/demands/?status=nonsense").status_code == 400


@pytest.mark.django_db
def test_list_is_paginated_as_the_contract_says(api, users):
    DemandFactory.create_batch(3)
    body = api.as_user(users["sub_changchun"]).get("/api/v1/demands/?page_size=2").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert (body["count"], len(body["results"]), body["previous"]) == (3, 2, None)


@pytest.mark.django_db
def test_budget_total_is_a_string_decimal(api, users):
    DemandFactory(budget_hardware=Decimal("0.10"), budget_software=Decimal("0.20"), budget_services=Decimal("0"),
                  budget_operations=Decimal("0"))
    body = api.as_user(users["sub_changchun"]).get("/api/v1/demands/").json()
    assert body["results"][0]["budget_total"] == "0.30"


@pytest.mark.django_db
def test_anonymous_gets_401(api):
    assert api.get("/api/v1/demands/").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["abc", "1e3", "-1", "0", "99999999999999999999"])
@pytest.mark.parametrize("path", ["/api/v1/demands/{}/", "/api/v1/demands/{}/history/", "/api/v1/projects/{}/"])
def test_malformed_or_huge_ids_answer_404_not_500(users, api, bad, path):
    client = api.as_user(users["prov_reviewer"])
    assert client.get(path.format(bad)).status_code == 404
    if "demands/{}/" == path[8:]:
        assert client.patch(path.format(bad), {"title": "x"}, format="json").status_code == 404
    assert client.post(f"/api/v1/demands/{bad}/transition/", {"name": "submit"}, format="json").status_code == 404
