"""Scores that mean something: 100% only for the same system, relations on equal evidence, bands, grouped flags."""

import pytest
from django.urls import reverse
from django.utils import translation

from organizations.models import Organization
from projects.demands.choices import DemandStatus as S
from projects.models import Demand, RedundancyFlag
from projects.redundancy.choices import FlagState
from projects.redundancy.engine.engine import Document, RedundancyIndex
from projects.redundancy.flags import flags_for, resolve_for_redirect, run_check
from projects.redundancy.search import BAND_DUPLICATE, BAND_RELATED, band_of, check
from tests.projects.redundancy_helpers import (  # noqa: F401  (fresh_index is an autouse fixture)
    CHANGCHUN_EDU,
    PARKING_CAPS,
    PARKING_DEMAND,
    fresh_index,
    in_english,
    make_demand,
    make_system,
    org,
    to_provincial_review,
)

pytestmark = pytest.mark.django_db
LIVE = "/redundancy/live/"

PARKING_TEXT = "整合全市路内泊位和公共停车场，提供泊位查询、无感支付、欠费追缴和停车诱导。"


def parking_world():
    """The demo's parking systems: the namesake of 长春 and the ones of other cities."""
    make_system("四平市智慧停车系统", "四平市中心城区路内停车泊位智能化改造和统一收费平台。", ["iot", "payment"], owner="220300-jtj")
    make_system("延吉市智慧停车云平台", "延吉市区路侧地磁泊位、停车场接入和手机缴费。", ["iot", "payment"], owner="220200-jtj")
    namesake = make_system("长春市智慧停车管理平台", PARKING_TEXT, ["iot", "payment"], owner="220100-jtj")
    make_system("吉林省不动产登记平台", "不动产登记网上申请和权属证书查询", ["online_service"])
    make_system("吉林省统一身份认证平台", "全省统一账号、单点登录和实名核验", ["identity_auth"])
    return namesake


def test_the_same_city_namesake_ranks_first_and_only_the_same_system_scores_100(users):
    namesake = parking_world()
    clerk = users["sub_changchun"]  # 长春市教育局
    for description in ("", PARKING_TEXT):
        _, found = check("长春市智慧停车管理平台", description, [], clerk.organization, user=clerk)
        assert (found[0]["kind"], found[0]["id"], found[0]["score"]) == ("system", namesake.pk, 1.0)
        assert all(c["score"] < 1.0 for c in found[1:])
    # Another city typing the same words: the namesake is not "the same system" there.
    siping = users["sub_siping"]
    _, found = check("长春市智慧停车管理平台", "", [], siping.organization, user=siping)
    assert all(c["score"] < 1.0 for c in found)


def test_equal_evidence_ranks_the_same_organization_then_the_same_city_then_a_provincial_system():
    index = RedundancyIndex()
    text = dict(title="智慧停车管理平台", description="路内泊位查询、停车诱导和无感支付，公共停车场接入。")
    index.build([
        Document(kind="system", id=1, code="other-city", org_id=30, city_id=300, level="city", **text),
        Document(kind="system", id=2, code="province", org_id=40, city_id=None, level="province",
                 user_org_count=12, user_city_count=9, **text),
        Document(kind="system", id=3, code="same-city", org_id=20, city_id=100, level="city", **text),
        Document(kind="system", id=4, code="same-org", org_id=10, city_id=100, level="city", **text),
        Document(kind="system", id=5, code="noise", title="不动产登记平台", description="权属证书查询和登记申请"),
    ])
    query = Document(kind="demand", id=0, code="", title="城区智慧停车平台", org_id=10, city_id=100, level="city",
                     description="路内泊位查询、停车诱导和无感支付，公共停车场接入。")
    found = index.search(query, limit=5)
    assert [c.code for c in found[:4]] == ["same-org", "same-city", "province", "other-city"]
    assert all(c.score < 1.0 for c in found)  # similar wording is not the same system


def test_a_water_supply_title_does_not_call_a_heating_system_a_duplicate(users):
    make_system("四平市智慧供热监测系统", "四平市集中供热管网和换热站运行参数监测。", ["iot"], owner="220300-zjj")
    water = make_system("吉林省智慧供水监管平台", "城市供水监管：水厂出厂水和管网末梢水质在线监测，管网压力、流量和漏损分析，供水应急调度。",
                        ["iot", "gis"], owner="220000-zjt")
    make_system("长春市供热监管平台", "热源、换热站运行和典型用户室温监测，供热投诉受理。", ["iot"], owner="220100-zjj")
    make_system("长春市智慧停车管理平台", PARKING_TEXT, ["iot", "payment"], owner="220100-jtj")
    make_system("吉林省统一身份认证平台", "全省统一账号、单点登录和实名核验", ["identity_auth"])
    make_system("吉林省生态环境监测平台", "空气、水质自动监测站数据汇聚和超标预警", ["iot"])
    clerk = users["sub_siping"]
    _, found = check("四平市智慧供水管网监测", "", [], clerk.organization, user=clerk)
    by_title = {c["title"]: c for c in found}
    assert found[0]["id"] == water.pk
    assert by_title["四平市智慧供热监测系统"]["band"] != BAND_DUPLICATE


def test_bands_are_worded_alike_on_the_live_box_the_flags_and_the_comparison(users, login):
    parking_world()
    client = login(users["sub_changchun"])
    html = client.post(LIVE, {"title": "长春市智慧停车管理平台", "description": PARKING_TEXT}).content.decode()
    assert "Likely duplicate" in html
    assert "不动产登记" not in html  # below the lower band: not shown
    with translation.override("zh-hans"):
        client.cookies["django_language"] = "zh-hans"
        html = client.post(LIVE, {"title": "长春市智慧停车管理平台", "description": PARKING_TEXT},
                           HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "疑似重复" in html and "高度疑似重复" not in html
    client.cookies.pop("django_language")
    demand = to_provincial_review(make_demand("长春市智慧停车管理平台", PARKING_TEXT, PARKING_CAPS), users)
    flags = run_check(demand)
    assert flags
    reviewer = login(users["prov_reviewer"])
    page = reviewer.get(reverse("projects:demand_detail", args=[demand.pk])).content.decode()
    assert 'data-band="duplicate"' in page and "Likely duplicate" in page
    flag = flags[0]
    compare = reviewer.get(reverse("projects:redundancy_compare", args=[demand.pk, flag.candidate_kind, flag.candidate_id]))
    assert "Likely duplicate" in compare.content.decode()


def test_band_of_a_score():
    assert band_of(0.5, 0.5) == BAND_DUPLICATE
    assert band_of(0.49, 0.5) == BAND_RELATED
    assert band_of(0.3, 0.5) == BAND_RELATED
    assert band_of(0.29, 0.5) == ""


def pending_copy(code: str, n: int) -> Demand:
    demand = make_demand(f"智慧停车管理平台建设{'一二三四五六'[n]}期", PARKING_DEMAND[1], PARKING_CAPS, org_code=code)
    Demand.objects.filter(pk=demand.pk).update(status=S.PROVINCIAL_REVIEW)
    return Demand.objects.get(pk=demand.pk)


def test_a_demand_like_pending_demands_of_many_organizations_gets_one_grouped_flag(users, login):
    system = make_system("吉林省智慧停车管理平台", PARKING_DEMAND[1], PARKING_CAPS)
    copies = [pending_copy(code, n) for n, code in enumerate(["220200-jtj", "220300-jtj", "220400-jtj", "220500-jtj"])]
    demand = to_provincial_review(make_demand(*PARKING_DEMAND, PARKING_CAPS, org_code=CHANGCHUN_EDU), users)
    flags = run_check(demand)
    kinds = sorted(f.candidate_kind for f in flags)
    assert kinds == ["group", "system"]
    group = next(f for f in flags if f.candidate_kind == "group")
    assert group.candidate_id == demand.pk
    shown = next(f for f in flags_for(demand, users["prov_reviewer"]) if f["group"])
    assert shown["title"] == "Similar to demands of 4 organizations"
    assert shown["url"] == reverse("projects:clusters") + f"?demand={demand.pk}"
    with translation.override("zh-hans"):
        assert next(f for f in flags_for(demand, None) if f["group"])["title"] == "与 4 个单位的同类需求相似"
    page = login(users["prov_reviewer"]).get(reverse("projects:demand_detail", args=[demand.pk])).content.decode()
    assert "Similar to demands of 4 organizations" in page and 'data-testid="cluster-link"' in page
    # Checked again: still one grouped flag, never one per demand.
    assert sorted(f.candidate_kind for f in run_check(demand)) == ["group", "system"]
    # Merging into one of its demands resolves the grouped flag; the system's flag stays.
    assert resolve_for_redirect(demand, kind="demand", candidate_id=copies[0].pk, state=FlagState.MERGED,
                                actor=users["prov_reviewer"]) == 1
    assert RedundancyFlag.objects.get(pk=group.pk).state == FlagState.MERGED
    assert RedundancyFlag.objects.get(demand=demand, candidate_kind="system", candidate_id=system.pk).state == FlagState.PENDING


def test_two_similar_pending_demands_stay_separate_flags(users):
    copies = [pending_copy(code, n) for n, code in enumerate(["220200-jtj", "220300-jtj"])]
    demand = to_provincial_review(make_demand(*PARKING_DEMAND, PARKING_CAPS, org_code=CHANGCHUN_EDU), users)
    flagged = {(f.candidate_kind, f.candidate_id) for f in run_check(demand)}
    assert flagged == {("demand", d.pk) for d in copies}
    assert Organization.objects.filter(pk__in=[d.org_id for d in copies]).count() == 2
    assert org(CHANGCHUN_EDU).pk not in {d.org_id for d in copies}


@pytest.mark.parametrize(("score", "shown"), [(0.497, "49%"), (0.4999, "49%"), (0.5, "50%"), (0.8928, "89%"),
                                               (0.999, "99%"), (1.0, "100%"), (0.0, "0%"), (None, "—")])
def test_a_score_is_shown_rounded_down_so_it_never_reads_as_reaching_a_band_it_did_not(score, shown):
    from projects.templatetags.redundancy_tags import percent

    assert percent(score) == shown
