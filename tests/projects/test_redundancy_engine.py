"""The redundancy engine (projects.redundancy): plain unit tests, no Django and no database.

Run alone with: .venv/bin/python -m pytest tests/projects/test_redundancy_engine.py -p no:django -q
"""

import json
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from projects.redundancy.engine import engine
from projects.redundancy.engine import text as textmod
from projects.redundancy.engine.engine import DEFAULT_FLAG_THRESHOLD, Candidate, Document, Reason, RedundancyIndex
from projects.redundancy.engine.evaluation import dataset_documents, evaluate, load_dataset

EVAL_SET = Path(__file__).resolve().parents[1] / "data" / "redundancy_eval.json"


def system(id, title, description="", **kw):
    return Document(kind="system", id=id, code=f"XT-{id:04d}", title=title, description=description, **kw)


def demand(id, title, description="", **kw):
    return Document(kind="demand", id=id, code=f"XQ-2026-{id:04d}", title=title, description=description, **kw)


def by_code(candidates):
    return {c.code: c for c in candidates}


def reason(candidate, code):
    return next((r for r in candidate.reasons if r.code == code), None)


CATALOGUE = [
    system(
        1,
        "长春市智慧停车管理平台",
        "整合路内泊位和公共停车场，提供车位查询、停车诱导和无感支付。",
        capabilities=frozenset({"iot", "payment"}),
    ),
    system(
        2,
        "吉林市城市停车综合管理系统",
        "路侧泊位安装地磁，停车自动计时收费，手机查找空闲车位。",
        capabilities=frozenset({"iot", "payment"}),
    ),
    system(
        3,
        "长春住房公积金综合服务平台",
        "公积金缴存、提取、贷款申请的网上办理和账户查询。",
        capabilities=frozenset({"online_service"}),
    ),
    system(
        4,
        "吉林省统一身份认证平台",
        "为全省政务服务系统提供统一注册、实名核验和单点登录。",
        capabilities=frozenset({"identity_auth"}),
    ),
    system(
        5,
        "长春市校车安全监管平台",
        "校车卫星定位、车内视频监控和超速报警，学生上下车提醒家长。",
        capabilities=frozenset({"gis", "video"}),
    ),
    system(
        6,
        "长春市出租汽车智能服务监管平台",
        "出租车车载终端定位、电召叫车和网约车监管。",
        capabilities=frozenset({"gis", "mobile_app"}),
    ),
]


# Two systems with the same text and a query that matches it only in part, so that scores stay
# below 1 and each signal's effect is visible; a third, unrelated system keeps the IDF sensible.
TWIN = dict(
    title="智慧停车管理平台", description="整合城区路内泊位、公共停车场和充电桩资源，提供车位查询、停车诱导、无感支付和欠费追缴。"
)
OTHER = system(9, "长春住房公积金综合服务平台", "公积金缴存、提取和贷款申请。")


def twin_query(**kw):
    return demand(1, "停车收费系统", "路内泊位收费和欠费追缴", **kw)


def twins(first: dict, second: dict, *more):
    idx = RedundancyIndex()
    idx.build([system(1, **TWIN, **first), system(2, **TWIN, **second), *more, OTHER])
    return idx


@pytest.fixture
def index():
    idx = RedundancyIndex()
    idx.build(CATALOGUE)
    return idx


# -- normalisation and analysis ------------------------------------------------------------------


def test_normalize_folds_full_width_and_case():
    assert textmod.normalize("ＡＢＣ１２３　Ｐａｒｋｉｎｇ") == "abc123 parking"


def test_normalize_strips_html_tags_scripts_and_entities():
    out = textmod.normalize("<p>长春&amp;吉林<b>停车</b></p><script>alert('x')</script><!-- note -->")
    assert out == "长春 吉林 停车"


def test_normalize_strips_emoji_and_punctuation_and_collapses_space():
    assert textmod.normalize("智慧停车🚗🅿️！！  “一期”……\n\t系统") == "智慧停车 一期 系统"


def test_normalize_converts_common_traditional_characters():
    assert textmod.normalize("統一身份認證平臺與電子證照") == "统一身份认证平台与电子证照"


def test_normalize_tolerates_none_and_non_strings():
    assert textmod.normalize(None) == ""
    assert textmod.normalize(12345) == "12345"


def test_normalize_truncates_long_input():
    long = "智慧停车平台" * 20_000  # 120,000 characters
    assert len(textmod.normalize(long)) == textmod.MAX_ANALYSED_CHARS


def test_features_are_cjk_unigrams_and_bigrams_and_latin_words():
    assert textmod.Analyzer.features("智慧停车") == ["智", "慧", "停", "车", "智慧", "慧停", "停车"]
    assert textmod.Analyzer.features("api gateways 数据") == ["数", "据", "数据", "api", "gateway"]


def test_bigrams_do_not_cross_a_space():
    assert "车数" not in textmod.Analyzer.features("停车 数据")


def test_stop_terms_and_place_names_are_neutralised():
    analyzer = textmod.Analyzer()
    assert analyzer.prepare("长春市智慧停车管理平台建设项目（二期）") == "智慧停车"
    assert analyzer.prepare("延边朝鲜族自治州电子印章系统") == "电子印章"
    assert analyzer.prepare("Changchun smart parking system") == "智慧 停车"


def test_custom_stop_terms_and_region_names_are_added_to_the_defaults():
    analyzer = textmod.Analyzer(stop_terms=["试点"], region_names=["長嶺縣"])  # traditional input is normalised too
    assert analyzer.prepare("长岭县智慧停车试点平台") == "智慧停车"
    assert analyzer.prepare("长春市智慧停车") == "智慧停车"


def test_synonyms_map_abbreviations_and_english_to_the_same_words():
    analyzer = textmod.Analyzer()
    assert "协同办公" in analyzer.prepare("OA系统")
    assert "政务服务" in analyzer.prepare("一网通办")
    assert "电子证照" in analyzer.prepare("E-License wallet")
    assert "热线" in analyzer.prepare("12345")
    assert "停车" in analyzer.prepare("parking")


def test_jieba_keeps_domain_dictionary_terms_whole():
    assert "数据中台" in textmod.words("建设市级数据中台和电子证照库")


# -- ranking and scoring ---------------------------------------------------------------------------


def test_search_ranks_the_same_kind_of_system_first(index):
    found = index.search(demand(1, "四平市智慧停车系统", "城区道路泊位地磁改造，停车自动计费和手机缴费。"))
    assert {c.code for c in found[:2]} == {"XT-0001", "XT-0002"}


def test_a_city_name_does_not_make_systems_of_that_city_similar(index):
    found = by_code(index.search(demand(1, "长春市长春市长春市统一身份认证", "")))
    assert list(found)[0] == "XT-0004"
    assert "XT-0003" not in found  # 长春住房公积金: shares only the place name


def test_twin_query_matches_only_in_part():
    found = twins({}, {}).search(twin_query())
    assert 0.3 < found[0].score < 0.8


def test_capability_overlap_raises_the_score():
    idx = twins({"capabilities": frozenset({"payment", "iot"})}, {"capabilities": frozenset({"video"})})
    found = by_code(idx.search(twin_query(capabilities=frozenset({"payment", "iot"}))))
    assert found["XT-0001"].score > found["XT-0002"].score
    assert reason(found["XT-0001"], "shared_capabilities").values == ("iot", "payment")
    assert reason(found["XT-0002"], "shared_capabilities") is None


def test_capabilities_missing_on_one_side_are_neutral():
    idx = twins({}, {})
    plain = idx.search(twin_query())[0].score
    assert idx.search(twin_query(capabilities=frozenset({"payment"})))[0].score == plain


def test_same_domain_raises_the_score():
    idx = twins({"domain": "public_services"}, {"domain": "agriculture"})
    found = by_code(idx.search(twin_query(domain="public_services")))
    assert found["XT-0001"].score > found["XT-0002"].score
    assert reason(found["XT-0001"], "same_domain").values == ("public_services",)
    assert reason(found["XT-0002"], "same_domain") is None


def test_shared_data_resources_raise_the_score():
    idx = twins({"data_resources": frozenset({11, 12})}, {"data_resources": frozenset({13})})
    found = by_code(idx.search(twin_query(data_resources=frozenset({11, 12}))))
    assert found["XT-0001"].score > found["XT-0002"].score
    assert reason(found["XT-0001"], "shared_data_resources").values == (11, 12)


def test_same_org_reinforces_a_textual_match():
    idx = twins({"org_id": 7, "city_id": 1}, {"org_id": 8, "city_id": 2})
    found = by_code(idx.search(twin_query(org_id=7, city_id=1)))
    assert found["XT-0001"].score > found["XT-0002"].score
    assert reason(found["XT-0001"], "same_org").values == (7,)
    assert reason(found["XT-0002"], "other_city").values == (1, 2)
    assert reason(found["XT-0002"], "other_city").weight == 0.0


def test_same_city_is_a_smaller_reinforcement_than_same_org():
    idx = twins({"org_id": 7, "city_id": 1}, {"org_id": 9, "city_id": 1}, system(3, **TWIN, org_id=5, city_id=3))
    found = by_code(idx.search(twin_query(org_id=7, city_id=1)))
    assert found["XT-0001"].score > found["XT-0002"].score > found["XT-0003"].score
    assert reason(found["XT-0002"], "same_city").values == (1,)


def test_a_provincial_system_used_by_many_cities_is_a_reuse_candidate():
    idx = twins(
        {"level": "province", "user_org_count": 120, "user_city_count": 9},
        {"level": "city", "city_id": 1, "user_org_count": 3, "user_city_count": 1},
    )
    found = by_code(idx.search(twin_query(city_id=2)))
    assert found["XT-0001"].score > found["XT-0002"].score
    assert reason(found["XT-0001"], "provincial_system").values == (120, 9)


def test_organization_bonuses_never_make_a_match_without_shared_text(index):
    assert index.search(demand(1, "森林草原防火", "", org_id=1, city_id=1)) == []


def test_scores_are_in_range_rounded_and_sorted(index):
    found = index.search(demand(1, "智慧停车平台", "停车收费 校车 出租车 公积金 身份认证"))
    scores = [c.score for c in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 < s <= 1.0 and round(s, 4) == s for s in scores)


def test_identical_text_scores_one():
    idx = RedundancyIndex()
    doc = system(1, "长春市智慧停车管理平台", "整合路内泊位和公共停车场资源。", capabilities=frozenset({"iot"}))
    idx.build([doc, system(2, "长春市住房公积金服务平台", "公积金缴存和提取。")])
    top = idx.search(replace(doc, kind="demand"))[0]
    assert (top.code, top.score) == ("XT-0001", 1.0)


def test_reasons_carry_raw_values_strongest_first(index):
    top = index.search(demand(1, "吉林市智慧停车二期", "路内泊位地磁检测和停车收费", capabilities=frozenset({"iot"})))[0]
    assert isinstance(top, Candidate) and all(isinstance(r, Reason) for r in top.reasons)
    codes = [r.code for r in top.reasons]
    assert codes[:2] == ["text", "shared_terms"]
    assert 0.0 < reason(top, "text").values[0] <= 1.0
    assert any("停车" in term for term in reason(top, "shared_terms").values)
    assert reason(top, "shared_capabilities").values == ("iot",)
    weights = [r.weight for r in top.reasons if r.code != "shared_terms"]
    assert weights == sorted(weights, reverse=True)
    assert round(sum(weights), 4) == pytest.approx(top.score, abs=2e-4)
    assert json.loads(json.dumps(asdict(top)))["score"] == top.score  # plain types only


def test_english_query_finds_the_chinese_system(index):
    found = index.search(demand(1, "School bus GPS tracking and in-bus cameras", "Alert parents when students board the bus."))
    assert found[0].code == "XT-0005"


# -- threshold ----------------------------------------------------------------------------------------


def test_threshold_is_the_midpoint_of_the_evidence_scale():
    assert DEFAULT_FLAG_THRESHOLD == 0.5


def test_a_reworded_duplicate_is_flagged_and_a_word_sharing_neighbour_is_not(index):
    found = by_code(index.search(demand(1, "出租车电召及监管平台", "出租车车载终端定位，电话叫车，网约车监管。")))
    assert found["XT-0006"].score >= DEFAULT_FLAG_THRESHOLD
    assert found["XT-0005"].score < DEFAULT_FLAG_THRESHOLD  # 校车: also vehicle positioning, another system


# -- incremental index -----------------------------------------------------------------------------


def test_upsert_adds_a_document_without_rebuild(index):
    index.upsert(system(7, "长春市智慧水务平台", "供水管网压力监测和漏损分析。"))
    assert len(index) == 7
    assert index.search(demand(1, "智慧水务", "供水管网漏损"))[0].code == "XT-0007"


def test_upsert_replaces_a_document_with_the_same_key(index):
    index.upsert(system(3, "长春市智慧水务平台", "供水管网压力监测和漏损分析。"))
    assert len(index) == 6
    assert "XT-0003" not in by_code(index.search(demand(1, "住房公积金", "公积金提取")))
    assert index.search(demand(1, "智慧水务", "供水管网漏损"))[0].code == "XT-0003"


def test_remove_forgets_a_document_and_ignores_unknown_keys(index):
    index.remove("system", 1)
    index.remove("system", 999)
    index.remove("demand", 1)
    assert len(index) == 5
    assert "XT-0001" not in by_code(index.search(demand(1, "智慧停车", "停车收费")))


def test_kinds_and_exclude_filter_candidates(index):
    index.upsert(demand(50, "四平市智慧停车系统", "道路泊位地磁改造和停车收费。"))
    query = demand(51, "智慧停车", "停车收费")
    assert {c.kind for c in index.search(query)} == {"system", "demand"}
    assert {c.kind for c in index.search(query, kinds={"system"})} == {"system"}
    assert "XQ-2026-0050" not in by_code(index.search(query, exclude=("demand", 50)))
    assert index.search(query, kinds={"project"}) == []


def test_incremental_changes_match_a_fresh_build_once_merged(monkeypatch):
    systems, queries = dataset_documents(load_dataset(EVAL_SET))
    final = systems[:120] + [replace(s, title=s.title + "（升级）") for s in systems[120:140]]
    fresh = RedundancyIndex()
    fresh.build(final)
    monkeypatch.setattr(engine, "MERGE_MIN", 1)
    monkeypatch.setattr(engine, "MERGE_FRACTION", 0.0)  # merge after every change
    incremental = RedundancyIndex()
    incremental.build(systems[:60])
    for doc in systems[60:]:
        incremental.upsert(doc)
    for doc in systems[120:140]:
        incremental.upsert(replace(doc, title=doc.title + "（升级）"))
    for doc in systems[140:]:
        incremental.remove(doc.kind, doc.id)
    assert len(incremental) == len(fresh) == 140
    for query, _ in queries[:40]:
        expected = [(c.code, c.score) for c in fresh.search(query)]
        assert [(c.code, c.score) for c in incremental.search(query)] == expected


def test_pending_changes_are_searchable_before_a_merge(index):
    assert engine.MERGE_MIN > 1  # the default leaves a single upsert pending
    index.upsert(system(8, "长春市智慧供热监管平台", "换热站温度监测和供热投诉处理。"))
    assert len(index._full.pending) == 1
    assert index.search(demand(1, "供热监管", "换热站温度"))[0].code == "XT-0008"


# -- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    ["", "   ", "！？。，、……", "🚗🅿️😀🎉", "<script>alert(1)</script>", "系统 平台 建设 项目", "长春市 吉林省"],
)
def test_queries_without_analysable_text_return_nothing(index, title):
    assert index.search(demand(1, title, "")) == []


def test_sql_and_html_are_just_text(index):
    found = index.search(demand(1, "'; DROP TABLE demands; -- 智慧停车", "<img src=x onerror=alert(1)> 停车收费 OR 1=1"))
    assert isinstance(found, list) and found[0].code in {"XT-0001", "XT-0002"}


def test_very_long_input_is_truncated_before_analysis(index):
    long = "智慧停车路内泊位地磁检测。" * 10_000  # 130,000 characters
    tokens = index.analyzer.analyse(long)
    assert len(tokens) < 2 * textmod.MAX_ANALYSED_CHARS
    found = index.search(demand(1, long, long))
    assert isinstance(found, list) and found[0].code in {"XT-0001", "XT-0002"}


def test_badly_typed_fields_do_not_raise(index):
    odd = Document(
        kind="demand",
        id=1,
        code=None,
        title=None,
        description=12345,
        capabilities=["iot", None, ""],
        data_resources=["3", None, "x"],
        domain=None,
        org_id="7",
        city_id="x",
        level=None,
        user_org_count=None,
        user_city_count="2",
    )
    assert isinstance(index.search(odd), list)
    index.upsert(replace(odd, kind="system", id=99, title="智慧停车"))
    assert len(index) == 7


def test_empty_index_and_zero_limit(index):
    assert RedundancyIndex().search(demand(1, "智慧停车")) == []
    assert index.search(demand(1, "智慧停车"), limit=0) == []
    empty = RedundancyIndex()
    empty.build([])
    assert len(empty) == 0 and empty.search(demand(1, "智慧停车")) == []


# -- the labelled set -----------------------------------------------------------------------------


def test_shipped_eval_set_has_the_contract_shape():
    dataset = load_dataset(EVAL_SET)
    keys = {s["key"] for s in dataset["systems"]}
    assert len(dataset["systems"]) >= 150
    positives = [q for q in dataset["queries"] if q["expect"]]
    negatives = [q for q in dataset["queries"] if not q["expect"]]
    assert len(positives) >= 60 and len(negatives) >= 30
    assert all(set(q["expect"]) <= keys for q in positives)


def test_engine_meets_the_targets_on_the_shipped_set():
    result = evaluate(load_dataset(EVAL_SET), index_factory=RedundancyIndex)
    assert result["queries"] == 125
    assert result["recall_at_5"] >= 0.95
    assert result["recall_at_1"] >= 0.85
    assert result["flag_precision"] >= 0.90
    assert result["flag_recall"] >= 0.85
    assert result["false_flag_rate"] <= 0.10
    assert set(result) >= {"recall_at_10", "mrr", "p95_ms"}
