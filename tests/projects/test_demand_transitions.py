"""The transition handlers (projects/demands/transitions.py): one per transition of the approval machine."""

from core.workflow import machine_spec
from projects.demands.models import Demand
from projects.demands.transitions import HANDLERS, handler_for


def test_every_transition_of_the_machine_has_exactly_one_handler():
    assert set(HANDLERS) == set(machine_spec(Demand, "status"))
    assert all(handler.name == name for name, handler in HANDLERS.items())


def test_an_unknown_name_has_no_handler():
    assert handler_for("approve_everything") is None
    assert handler_for(None) is None


def test_each_entrance_builds_the_payload_its_transition_reads():
    assert handler_for("return_for_revision").payload_from_form({"fields_to_fix": ["title"]}) == {"fields_to_fix": ["title"]}
    assert handler_for("recommend_reuse").payload_from_form({"system": 7}) == {"system": 7}
    assert handler_for("recommend_reuse").payload_from_form({"system": 7, "adaptation_cost": "2万"}) == {"system": 7, "adaptation_cost": "2万"}
    assert handler_for("merge").payload_from_form({"target": "", "incremental_cost": ""}) == {}
    assert handler_for("merge").payload_from_api({"target_project": 4, "incremental_cost": "5万"}) == {
        "target_project": 4, "incremental_cost": "5万"}
    assert handler_for("withdraw").payload_from_form({"target": "XQ-1", "system": 7}) == {}
    assert handler_for("merge").payload_from_api({"target_demand": 3, "target_project": None, "system": 7}) == {
        "target_demand": 3
    }
    assert handler_for("merge").payload_for_candidate("project", 5) == {"target_project": 5}
    assert handler_for("merge").payload_for_candidate("system", 5) is None
    assert handler_for("recommend_reuse").payload_for_candidate("system", 5) == {"system": 5}
    assert handler_for("reject").payload_for_candidate("demand", 5) is None
