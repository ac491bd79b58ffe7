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
