"""The redundancy API: the check, a demand's similar candidates, resolving flags, clusters; visibility; bad input."""

import time

import pytest

from projects.models import RedundancyFlag, RedundancyIndexChange
from projects.redundancy.choices import FlagState
from projects.redundancy.clusters import compute_clusters
from projects.redundancy.flags import resolve_flag, run_check
from tests.projects.redundancy_helpers import (  # noqa: F401  (fresh_index is an autouse fixture)
    CHANGCHUN_EDU,
    JILIN_CIVIL,
    PARKING_CAPS,
    PARKING_DEMAND,
    PARKING_SYSTEM,
    fresh_index,
    in_english,
    make_demand,
    make_system,
    org,
    submit,
    to_provincial_review,
)

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/redundancy/check/"
CANDIDATE_KEYS = {"kind", "id", "code", "title", "score", "flagged", "band", "band_label", "reasons", "reason_details", "url"}


def test_check_answers_candidates_best_first_and_saves_nothing(users, api):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    make_system("吉林省不动产登记平台", "不动产登记网上申请", ["online_service"])
    changes = RedundancyIndexChange.objects.count()
    response = api.as_user(users["sub_changchun"]).post(
        CHECK, {"title": PARKING_DEMAND[0], "description": PARKING_DEMAND[1], "capabilities": PARKING_CAPS}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"flag_threshold", "candidates"}
    assert body["flag_threshold"] == 0.5
    first = body["candidates"][0]
    assert set(first) == CANDIDATE_KEYS
    assert (first["kind"], first["id"], first["code"], first["title"], first["flagged"]) == (
        "system", system.pk, system.code, PARKING_SYSTEM[0], True
    )
    assert first["url"] == f"/catalogue/systems/{system.pk}/"
    assert all(isinstance(r, str) and r for r in first["reasons"])
    scores = [c["score"] for c in body["candidates"]]
    assert scores == sorted(scores, reverse=True)
    assert RedundancyIndexChange.objects.count() == changes
    assert RedundancyFlag.objects.count() == 0


def test_check_needs_a_signed_in_user(api):
    assert api.post(CHECK, {"title": "智慧停车"}, format="json").status_code == 401


def test_a_bureau_sees_systems_but_never_another_bureaus_demands(users, api):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    own = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    other = to_provincial_review(make_demand(*PARKING_DEMAND, org_code=JILIN_CIVIL), users)
    body = {"title": PARKING_DEMAND[0], "description": PARKING_DEMAND[1], "capabilities": PARKING_CAPS}

    def found(username):
        response = api.as_user(users[username]).post(CHECK, body, format="json")
        return {(c["kind"], c["id"]) for c in response.json()["candidates"]}

    assert found("sub_changchun") == {("system", system.pk), ("demand", own.pk)}
    assert found("sub_jilin") == {("system", system.pk), ("demand", other.pk)}
    assert found("sub_siping") == {("system", system.pk)}
    assert found("coord_changchun") == {("system", system.pk), ("demand", own.pk)}
    assert found("prov_reviewer") == {("system", system.pk), ("demand", own.pk), ("demand", other.pk)}


def test_a_bureau_still_gets_systems_when_other_bureaus_demands_fill_the_top(users, api):
    system = make_system("吉林省停车服务平台", "停车", ["iot"])
    for _ in range(6):
        to_provincial_review(make_demand(*PARKING_DEMAND, org_code=JILIN_CIVIL), users)
    response = api.as_user(users["sub_siping"]).post(
        CHECK, {"title": PARKING_DEMAND[0], "description": PARKING_DEMAND[1], "limit": 1}, format="json"
    )
    assert [(c["kind"], c["id"]) for c in response.json()["candidates"]] == [("system", system.pk)]


@pytest.mark.parametrize(("body", "field", "message"), [
    ({}, "title", "Please give a title or a description to check."),
    ({"title": "   ", "description": ""}, "title", "Please give a title or a description to check."),
    ({"title": "x" * 2001}, "title", "Ensure this field has no more than 2000 characters."),
    ({"title": "停车", "capabilities": ["iot", "no_such_code"]}, "capabilities", "Unknown capability codes: no_such_code."),
    ({"title": "停车", "data_resources": [999999]}, "data_resources", "Unknown data resources: 999999."),
    ({"title": "停车", "org": 999999}, "org", "Unknown organization: 999999."),
    ({"title": "停车", "capabilities": "iot"}, "capabilities", 'Expected a list of items but got type "str".'),
    ({"title": ["a", "b"]}, "title", "Not a valid string."),
    ({"title": "停\x00车"}, "title", "Null characters are not allowed."),
])
def test_bad_input_is_a_400_naming_the_field(users, api, body, field, message):
    from django.utils import translation

    with translation.override("en"):
        response = api.as_user(users["sub_changchun"]).post(CHECK, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()[field] == [message]


@pytest.mark.parametrize("text", [
    "停",  # one character
    "！？。，、……——",  # punctuation only
    "🚗🅿️🚦😀",  # emoji
    "'; DROP TABLE projects_demand; --",  # SQL
    "<script>alert('停车')</script><b>停车</b>",  # HTML
    "\x01\x02\x1f",  # control characters
])
def test_odd_text_gets_a_sensible_answer(users, api, text):
    make_system(*PARKING_SYSTEM, PARKING_CAPS)
    response = api.as_user(users["sub_changchun"]).post(CHECK, {"title": text, "description": text}, format="json")
    assert response.status_code == 200
    assert response.json()["flag_threshold"] == 0.5
    assert isinstance(response.json()["candidates"], list)
    assert RedundancyFlag.objects.count() == 0


def test_punctuation_and_emoji_alone_find_nothing(users, api):
    make_system(*PARKING_SYSTEM, PARKING_CAPS)
    for text in ("！？。，、……——", "🚗🅿️🚦😀"):
        response = api.as_user(users["sub_changchun"]).post(CHECK, {"title": text}, format="json")
        assert response.json()["candidates"] == []


def test_html_in_the_text_still_finds_the_system_by_its_words(users, api):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    response = api.as_user(users["sub_changchun"]).post(
        CHECK, {"title": "<b>智慧停车</b>管理平台", "description": "<p>泊位实时查询、停车诱导</p>"}, format="json"
    )
    assert response.json()["candidates"][0]["id"] == system.pk


def test_traditional_characters_find_the_simplified_system(users, api):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    response = api.as_user(users["sub_changchun"]).post(
        CHECK, {"title": "智慧停車管理平臺", "description": "泊位實時查詢、停車誘導和無感支付"}, format="json"
    )
    first = response.json()["candidates"][0]
    assert (first["id"], first["flagged"]) == (system.pk, True)


def test_a_hundred_thousand_characters_are_answered_quickly(users, api):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    long_text = (PARKING_DEMAND[1] * 3000)[:100_000]
    assert len(long_text) == 100_000
    client = api.as_user(users["sub_changchun"])
    client.post(CHECK, {"title": "预热"}, format="json")  # the index and jieba are loaded once per process
    start = time.perf_counter()
    response = client.post(CHECK, {"title": PARKING_DEMAND[0], "description": long_text}, format="json")
    elapsed = time.perf_counter() - start
    assert response.status_code == 200
    assert response.json()["candidates"][0]["id"] == system.pk
    assert elapsed < 5


def test_the_check_can_say_the_org_domain_and_data_resources(users, api):
    from tests.projects.factories import DataResourceFactory

    resource = DataResourceFactory()
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS, owner=CHANGCHUN_EDU)
    response = api.as_user(users["prov_reviewer"]).post(CHECK, {
        "title": PARKING_DEMAND[0], "capabilities": PARKING_CAPS, "org": org(CHANGCHUN_EDU).pk,
        "domain": "infrastructure", "data_resources": [resource.pk],
    }, format="json")
    first = response.json()["candidates"][0]
    assert first["id"] == system.pk
    assert "same_org" in [d["code"] for d in first["reason_details"]]


# ---------------------------------------------------------------------------------------
# A demand's similar candidates, and resolving its flags
# ---------------------------------------------------------------------------------------


def similar_url(demand):
    return f"/api/v1/demands/{demand.pk}/similar/"


def test_similar_lists_candidates_with_their_flag_state_and_resolution(users, api):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    [flag] = run_check(demand)
    resolve_flag(flag, "dismissed", "范围不同", actor=users["prov_reviewer"])
    body = api.as_user(users["prov_reviewer"]).get(similar_url(demand)).json()
    assert body["flag_threshold"] == 0.5
    [first] = body["candidates"]
    assert (first["kind"], first["id"], first["flag_id"], first["flag_state"], first["current"]) == (
        "system", system.pk, flag.pk, "dismissed", True
    )
    assert (first["resolution"]["state"], first["resolution"]["comment"], first["resolution"]["by"]) == (
        "dismissed", "范围不同", str(users["prov_reviewer"])
    )


def test_similar_keeps_a_flag_whose_candidate_is_gone(users, api):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    [flag] = run_check(demand)
    from assets.services import retire_system

    retire_system(system)
    [entry] = api.as_user(users["prov_reviewer"]).get(similar_url(demand)).json()["candidates"]
    assert (entry["id"], entry["flag_id"], entry["flag_state"], entry["current"]) == (system.pk, flag.pk, "pending", False)


def test_similar_of_a_demand_the_caller_may_not_see_is_a_404(users, api):
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    assert api.as_user(users["sub_jilin"]).get(similar_url(demand)).status_code == 404
    assert api.as_user(users["coord_jilin"]).get(similar_url(demand)).status_code == 404
    assert api.as_user(users["sub_changchun"]).get(similar_url(demand)).status_code == 200


def test_a_bureau_never_sees_a_flag_on_another_bureaus_demand(users, api):
    other = to_provincial_review(make_demand(*PARKING_DEMAND, org_code=JILIN_CIVIL), users)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    [flag] = run_check(demand)
    assert (flag.candidate_kind, flag.candidate_id) == ("demand", other.pk)
    assert api.as_user(users["sub_changchun"]).get(similar_url(demand)).json()["candidates"] == []
    reviewer_view = api.as_user(users["prov_reviewer"]).get(similar_url(demand)).json()["candidates"]
    assert [(c["id"], c["flag_id"]) for c in reviewer_view] == [(other.pk, flag.pk)]


def resolve_url(demand, flag):
    return f"/api/v1/demands/{demand.pk}/flags/{flag.pk}/resolve/"


def test_a_reviewer_dismisses_a_flag_with_a_reason(users, api):
    make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    [flag] = run_check(demand)
    response = api.as_user(users["prov_reviewer"]).post(
        resolve_url(demand, flag), {"resolution": "dismissed", "comment": "建设内容不同"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["state"], body["resolved_by"], body["resolution_comment"]) == (
        flag.pk, "dismissed", "prov_reviewer", "建设内容不同"
    )
    again = api.as_user(users["prov_reviewer"]).post(resolve_url(demand, flag), {"comment": "再来一次"}, format="json")
    assert again.status_code == 409


@pytest.mark.parametrize(("who", "body", "status"), [
    ("prov_reviewer", {"resolution": "dismissed"}, 400),
    ("prov_reviewer", {"resolution": "dismissed", "comment": "  "}, 400),
    ("prov_reviewer", {"resolution": "reused", "comment": "复用"}, 400),
    ("prov_reviewer", {"resolution": "forgotten", "comment": "x"}, 400),
    ("sub_changchun", {"resolution": "dismissed", "comment": "不是重复"}, 403),
    ("coord_changchun", {"resolution": "dismissed", "comment": "不是重复"}, 403),
    ("sub_jilin", {"resolution": "dismissed", "comment": "不是重复"}, 404),
])
def test_resolving_is_refused_with_the_right_status(users, api, who, body, status):
    make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    [flag] = run_check(demand)
    response = api.as_user(users[who]).post(resolve_url(demand, flag), body, format="json")
    assert response.status_code == status
    flag.refresh_from_db()
    assert flag.state == FlagState.PENDING


def test_a_flag_of_another_demand_is_a_404(users, api):
    make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    other = to_provincial_review(make_demand("智慧停车诱导", PARKING_DEMAND[1]), users)
    run_check(demand)
    [flag] = [f for f in run_check(other) if f.candidate_kind == "system"]
    response = api.as_user(users["prov_reviewer"]).post(resolve_url(demand, flag), {"comment": "x"}, format="json")
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------
# Clusters
# ---------------------------------------------------------------------------------------


def parking_wave(users):
    """Changchun, Jilin and Siping ask for the same parking platform."""
    demands = []
    for code, budget in ((CHANGCHUN_EDU, "1000000.00"), (JILIN_CIVIL, "2000000.00"), ("220300-swj", "3000000.00")):
        demand = make_demand(*PARKING_DEMAND, org_code=code, budget=budget)
        submit(demand, users)
        demands.append(demand)
    return demands


def test_clusters_list_pending_demands_of_several_organizations_with_their_budget(users, api):
    demands = parking_wave(users)
    compute_clusters()
    response = api.as_user(users["prov_reviewer"]).get("/api/v1/redundancy/clusters/")
    body = response.json()
    assert (body["count"], body["next"], body["previous"], body["flag_threshold"]) == (1, None, None, 0.5)
    [cluster] = body["results"]
    assert (cluster["org_count"], cluster["city_count"], cluster["total_budget"]) == (3, 3, "6000000.00")
    assert sorted(d["id"] for d in cluster["demands"]) == sorted(d.pk for d in demands)
    assert cluster["capabilities"] == ["iot", "mobile_app", "payment"]


def test_clusters_obey_visibility(users, api):
    parking_wave(users)
    compute_clusters()
    for who, count in (("prov_reviewer", 1), ("auditor", 1), ("coord_changchun", 0), ("sub_changchun", 0)):
        assert api.as_user(users[who]).get("/api/v1/redundancy/clusters/").json()["count"] == count, who


def test_only_the_provincial_review_office_recomputes_clusters(users, api):
    parking_wave(users)
    assert api.as_user(users["sub_changchun"]).post("/api/v1/redundancy/clusters/").status_code == 403
    response = api.as_user(users["prov_reviewer"]).post("/api/v1/redundancy/clusters/")
    assert (response.status_code, response.json()["count"]) == (200, 1)


def test_the_clusters_list_costs_the_same_queries_whatever_its_length(users, api, django_assert_num_queries):
    parking_wave(users)
    compute_clusters()
    client = api.as_user(users["prov_reviewer"])
    # session/token, snapshot, demands of the clusters, capabilities
    with django_assert_num_queries(4):
        assert client.get("/api/v1/redundancy/clusters/").json()["count"] == 1
    for title in ("城市网格化社会治理平台建设", "12345热线工单系统"):
        for code in (CHANGCHUN_EDU, JILIN_CIVIL):
            submit(make_demand(title, title + "，覆盖全市。", ["gis", "workflow"], org_code=code), users)
    compute_clusters()
    with django_assert_num_queries(4):
        assert client.get("/api/v1/redundancy/clusters/").json()["count"] == 3
