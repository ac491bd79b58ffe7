"""`manage.py eval_redundancy FILE.json` (contract.md): the app's code path, the set's systems only, nothing left behind."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assets.models import Capability, InformationSystem
from projects.models import RedundancyIndexChange
from tests.projects.redundancy_helpers import PARKING_CAPS, PARKING_SYSTEM, fresh_index, make_system  # noqa: F401

pytestmark = pytest.mark.django_db

SHIPPED_SET = Path(__file__).resolve().parents[1] / "data" / "redundancy_eval.json"
CONTRACT_KEYS = {"queries", "recall_at_1", "recall_at_5", "recall_at_10", "mrr", "flag_precision", "flag_recall",
                 "false_flag_rate", "p95_ms"}


def evaluate(path) -> dict:
    out = io.StringIO()
    call_command("eval_redundancy", str(path), stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1  # one JSON object, nothing else
    return json.loads(lines[0])


def catalogue_state():
    return (
        list(InformationSystem.objects.order_by("pk").values_list("pk", "code", "name", "status")),
        Capability.objects.count(),
        RedundancyIndexChange.objects.count(),
    )


def test_the_shipped_set_meets_the_targets_and_leaves_the_catalogue_unchanged(users):
    make_system(*PARKING_SYSTEM, PARKING_CAPS)  # in the catalogue, but not a candidate of the evaluation
    before = catalogue_state()
    result = evaluate(SHIPPED_SET)
    assert CONTRACT_KEYS <= set(result)
    dataset = json.loads(SHIPPED_SET.read_text(encoding="utf-8"))
    assert (result["queries"], result["systems"]) == (len(dataset["queries"]), len(dataset["systems"]))
    assert result["flag_threshold"] == 0.5
    assert result["recall_at_5"] >= 0.95
    assert result["recall_at_1"] >= 0.85
    assert result["recall_at_1"] <= result["recall_at_5"] <= result["recall_at_10"] <= 1.0
    assert result["flag_precision"] >= 0.90
    assert result["flag_recall"] >= 0.85
    assert result["false_flag_rate"] <= 0.10
    assert result["p95_ms"] > 0
    assert catalogue_state() == before


def test_a_small_set_gives_exact_figures(users, tmp_path):
    path = tmp_path / "set.json"
    path.write_text(json.dumps({
        "systems": [
            {"key": "parking", "name": "吉林省智慧停车管理平台", "description": "泊位实时查询、停车诱导和无感支付",
             "capabilities": ["iot", "payment"]},
            {"key": "estate", "name": "吉林省不动产登记平台", "description": "不动产登记网上申请和权属证书查询",
             "capabilities": ["online_service", "made_up_code"]},
        ],
        "queries": [
            {"key": "q1", "title": "长春市智慧停车平台", "description": "停车诱导和泊位查询", "capabilities": ["iot"],
             "expect": ["parking"]},
            {"key": "q2", "title": "不动产登记网上办理", "description": "不动产登记申请", "expect": ["estate"]},
            {"key": "q3", "title": "森林防火视频监控", "description": "林区火点识别", "expect": []},
        ],
    }, ensure_ascii=False), encoding="utf-8")
    before = catalogue_state()
    result = evaluate(path)
    assert {k: result[k] for k in ("queries", "recall_at_1", "recall_at_5", "recall_at_10", "mrr", "flag_precision",
                                   "flag_recall", "false_flag_rate", "positive_queries", "negative_queries", "systems")} == {
        "queries": 3, "recall_at_1": 1.0, "recall_at_5": 1.0, "recall_at_10": 1.0, "mrr": 1.0, "flag_precision": 1.0,
        "flag_recall": 1.0, "false_flag_rate": 0.0, "positive_queries": 2, "negative_queries": 1, "systems": 2,
    }
    assert catalogue_state() == before
    assert not Capability.objects.filter(code="made_up_code").exists()


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such file"),
    ("not json", "not a JSON file"),
    ('{"systems": []}', 'expected {"systems": [...], "queries": [...]}'),
    ('{"systems": [{"key": "a"}], "queries": []}', "systems[0] needs a key and a name"),
    ('{"systems": [{"key": "a", "name": "x"}], "queries": [{"key": "q", "expect": ["b"]}]}', "expects unknown systems"),
])
def test_a_bad_file_is_refused_with_a_message(users, tmp_path, content, message):
    path = tmp_path / "set.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("eval_redundancy", str(path), stdout=io.StringIO())
    assert message in str(refused.value)


# -- the extended format: organizations, provincial users, in-flight demands, title_only ----------

ORGS_SET = Path(__file__).resolve().parents[1] / "data" / "redundancy_eval_orgs.json"


def world_state():
    from organizations.models import Organization, User
    from projects.models import Demand

    return (*catalogue_state(), Organization.objects.count(), User.objects.count(), Demand.objects.count())


def write(tmp_path, data) -> Path:
    path = tmp_path / "set.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_organizations_set_meets_the_targets_and_leaves_nothing_behind(users):
    before = world_state()
    result = evaluate(ORGS_SET)
    dataset = json.loads(ORGS_SET.read_text(encoding="utf-8"))
    assert (result["queries"], result["systems"], result["demands"]) == (
        len(dataset["queries"]), len(dataset["systems"]), len(dataset["demands"]))
    # A draft and a rejected demand are no candidates, as in the app.
    assert result["candidates"] == len(dataset["systems"]) + sum(
        d["status"] not in ("draft", "rejected") for d in dataset["demands"])
    assert result["recall_at_1"] >= 0.95
    assert result["flag_precision"] >= 0.95 and result["flag_recall"] >= 0.92
    assert result["false_flag_rate"] <= 0.05
    titles = result["title_only"]
    assert CONTRACT_KEYS <= set(titles) and titles["queries"] == result["queries"]
    assert titles["false_flag_rate"] <= 0.05
    assert world_state() == before  # bureaus, clerks, demands and systems rolled back


def test_each_optional_key_is_read(users, tmp_path):
    """org (created when missing), user_regions (a provincial system in use), demands (expect names them)."""
    from organizations.models import Organization

    base = {
        "systems": [
            {"key": "cc", "name": "长春市智慧停车管理平台", "description": "泊位查询、停车诱导和无感支付",
             "org": {"region": "长春市", "name": "长春市交通运输局"}},
            {"key": "sp", "name": "四平市智慧停车系统", "description": "泊位查询、停车诱导和无感支付",
             "org": {"region": "四平市", "name": "四平市城市管理局"}},
            {"key": "prov", "name": "吉林省统一公共支付平台", "description": "非税收入、缴费统一支付和对账",
             "org": {"region": "吉林省", "name": "吉林省财政厅"}, "user_regions": ["长春市", "吉林市", "四平市"]},
        ],
        "demands": [
            {"key": "d_jl", "title": "吉林市城区停车泊位物联网改造", "description": "地磁检测器、高位视频和手机缴费",
             "org": {"region": "吉林市", "name": "吉林市停车管理新设中心"}, "status": "provincial_review"},
            {"key": "d_draft", "title": "白城市停车泊位物联网改造", "description": "地磁检测器、高位视频和手机缴费",
             "org": {"region": "白城市", "name": "白城市城市管理局"}, "status": "draft"},
        ],
        "queries": [
            {"key": "q", "title": "长春市智慧停车管理平台", "description": "泊位查询、停车诱导和无感支付",
             "org": {"region": "长春市", "name": "长春市教育局"}, "expect": ["cc", "sp"]},
            {"key": "q_demand", "title": "辽源市停车泊位物联网改造", "description": "地磁检测器、高位视频和手机缴费",
             "org": {"region": "辽源市", "name": "辽源市城市管理局"}, "expect": ["d_jl"]},
            {"key": "q_pay", "title": "统一公共支付平台对接", "description": "非税收入、缴费统一支付和对账",
             "org": {"region": "长春市", "name": "长春市财政局"}, "expect": ["prov"]},
        ],
    }
    assert not Organization.objects.filter(name="吉林市停车管理新设中心").exists()
    before = world_state()
    result = evaluate(write(tmp_path, base))
    assert world_state() == before
    assert (result["demands"], result["candidates"]) == (2, 4)  # the draft is no candidate
    assert result["recall_at_1"] == 1.0 and result["flag_recall"] == 1.0

    # The same city ranks the namesake first: with the query's bureau in 四平 the order turns.
    from projects.management.commands import eval_redundancy

    captured = {}
    original = eval_redundancy.measure

    def spy(cases, search, **kw):
        cases = list(cases)
        captured.setdefault("full", {k: search(q) for k, q, _e in cases})
        return original(iter(cases), search, **kw)

    eval_redundancy.measure = spy
    try:
        eval_redundancy.evaluate(eval_redundancy.load_set(str(write(tmp_path, base))))
        first = captured.pop("full")
        moved = json.loads(json.dumps(base, ensure_ascii=False))
        moved["queries"][0]["org"] = {"region": "四平市", "name": "四平市教育局"}
        moved["queries"][0]["title"] = "四平市智慧停车管理平台"
        eval_redundancy.evaluate(eval_redundancy.load_set(str(write(tmp_path, moved))))
        second = captured.pop("full")
    finally:
        eval_redundancy.measure = original
    assert first["q"][0].key == "cc" and first["q"][0].score == 1.0  # the same system: 100%
    assert second["q"][0].key == "sp" and second["q"][0].score < 1.0  # same city first, not the same name
    assert first["q_pay"][0].key == "prov"


def test_title_only_is_the_live_box_of_a_clerk_of_the_bureau(users, tmp_path):
    """Titles alone: another city's demand is out of the clerk's sight (reviewers, checking the full demand, see it)."""
    data = {
        "systems": [{"key": "heat", "name": "四平市智慧供热监测系统", "description": "集中供热管网和换热站运行参数监测",
                     "org": {"region": "四平市", "name": "四平市住房和城乡建设局"}}],
        "demands": [{"key": "d", "title": "四平市智能水表远程抄表系统", "description": "远程抄表和阶梯计费",
                     "org": {"region": "四平市", "name": "四平市水务局"}, "status": "provincial_review"}],
        "queries": [
            {"key": "water", "title": "四平市农村饮水安全工程运行管理", "description": "",
             "org": {"region": "四平市", "name": "四平市水务局"}, "expect": []},
            {"key": "meter", "title": "辽源市智能水表远程抄表系统", "description": "远程抄表和阶梯计费",
             "org": {"region": "辽源市", "name": "辽源市水务局"}, "expect": ["d"]},
        ],
    }
    result = evaluate(write(tmp_path, data))
    assert result["false_flag_rate"] == 0.0 and result["flag_recall"] == 1.0
    titles = result["title_only"]
    assert titles["false_flag_rate"] == 0.0
    assert titles["recall_at_10"] == 0.0  # 四平's demand is not visible to a clerk of 辽源


@pytest.mark.parametrize(("data", "message"), [
    ({"systems": [], "queries": [], "demands": {}}, '"demands" must be a list'),
    ({"systems": [{"key": "a", "name": "x", "org": "长春"}], "queries": []}, 'systems[0].org must be'),
    ({"systems": [{"key": "a", "name": "x", "user_regions": "长春市"}], "queries": []}, "user_regions must be a list"),
    ({"systems": [], "queries": [], "demands": [{"key": "d", "title": "x", "status": "draft"}]}, "demands[0] needs an org"),
    ({"systems": [], "queries": [], "demands": [{"key": "d", "title": "x", "status": "nope",
                                                 "org": {"region": "长春市", "name": "x"}}]}, "demands[0].status must be"),
    ({"systems": [{"key": "a", "name": "x"}], "queries": [],
      "demands": [{"key": "a", "title": "x", "status": "draft", "org": {"region": "长春市", "name": "x"}}]}, "reuses the key"),
    ({"systems": [{"key": "a", "name": "x", "org": {"region": "火星市", "name": "x"}}], "queries": []}, "No region named '火星市'"),
])
def test_a_bad_extended_file_is_refused_and_leaves_nothing(users, tmp_path, data, message):
    before = world_state()
    with pytest.raises(CommandError) as refused:
        call_command("eval_redundancy", str(write(tmp_path, data)), stdout=io.StringIO())
    assert message in str(refused.value)
    assert world_state() == before
