"""Redundancy detection in Django: which rows become candidates, how, and the threshold of the settings."""

from decimal import Decimal

import pytest
from django.conf import settings

from assets.choices import SystemStatus
from projects.delivery.choices import OperationsState
from projects.models import Demand, RedundancyFlag
from projects.redundancy.choices import FlagState
from projects.redundancy.documents import demand_documents, documents_for, flag_threshold, project_documents, system_documents
from projects.redundancy.engine.engine import DEFAULT_FLAG_THRESHOLD, Document
from projects.redundancy.flags import run_check
from projects.redundancy.search import check, check_demand
from tests.projects.project_factories import ProjectFactory
from tests.projects.redundancy_helpers import (  # noqa: F401  (fresh_index is an autouse fixture)
    CHANGCHUN_EDU,
    JILIN_CIVIL,
    PARKING_CAPS,
    PARKING_DEMAND,
    PARKING_SYSTEM,
    PROVINCE_ADMIN,
    SIPING_WATER,
    fresh_index,
    in_english,
    keys,
    make_demand,
    make_system,
    org,
    submit,
    to_provincial_review,
)

pytestmark = pytest.mark.django_db


def test_a_system_becomes_a_document_with_its_owner_capabilities_and_users(users):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS, users=["220100-jtj", "220100-gaj", "220200-zwj", "220000-gat"])
    [doc] = system_documents()
    owner = org(PROVINCE_ADMIN)
    assert doc == Document(
        kind="system", id=system.pk, code=system.code, title=PARKING_SYSTEM[0], description=PARKING_SYSTEM[1],
        capabilities=frozenset(PARKING_CAPS), org_id=owner.pk, city_id=None, level="province",
        user_org_count=4, user_city_count=2,
    )


def test_retired_systems_are_no_candidates(users):
    live = make_system("吉林省电子证照库")
    make_system("长春市旧版证照系统", status=SystemStatus.RETIRED)
    make_system("延边州在建证照系统", status=SystemStatus.BUILDING)
    assert sorted(d.title for d in system_documents()) == ["吉林省电子证照库", "延边州在建证照系统"]
    assert documents_for("system", [live.pk])[0].id == live.pk


def test_only_demands_under_review_or_approved_are_candidates(users):
    draft = make_demand("草稿需求", "还没有提交")
    in_municipal = make_demand("市级审核中的需求", "已经提交")
    submit(in_municipal, users)
    in_province = to_provincial_review(make_demand("省级审核中的需求", "已经转报"), users)
    withdrawn = make_demand("撤回的需求", "提交后撤回")
    submit(withdrawn, users)
    from projects.demands.services import demand_transition

    demand_transition(demand=withdrawn, name="withdraw", actor=users["sub_changchun"])
    assert sorted(d.id for d in demand_documents()) == sorted([in_municipal.pk, in_province.pk])
    assert draft.pk not in {d.id for d in demand_documents()}


def test_a_demand_document_carries_its_domain_data_resources_and_city(users):
    from tests.projects.factories import DataResourceFactory

    resources = DataResourceFactory.create_batch(2)
    demand = make_demand(*PARKING_DEMAND, domain="infrastructure")
    demand.data_resource_links.create(resource=resources[0])
    demand.data_resource_links.create(resource=resources[1])
    submit(demand, users)
    [doc] = demand_documents()
    bureau = org(CHANGCHUN_EDU)
    assert doc == Document(
        kind="demand", id=demand.pk, code=demand.code, title=PARKING_DEMAND[0], description=PARKING_DEMAND[1],
        capabilities=frozenset(PARKING_CAPS), data_resources=frozenset(r.pk for r in resources),
        domain="infrastructure", org_id=bureau.pk, city_id=bureau.city_id, level="city",
    )


@pytest.mark.parametrize(("operations", "candidate"), [
    (OperationsState.NOT_STARTED, True),
    (OperationsState.TRIAL, True),
    (OperationsState.IN_OPERATION, False),  # live: its system in the catalogue stands for it
    (OperationsState.UPGRADING, False),
    (OperationsState.SUSPENDED, False),
    (OperationsState.RETIRED, False),
])
def test_projects_are_candidates_while_under_construction(users, operations, candidate):
    project = ProjectFactory(name="全省智慧停车平台项目", operations_status=operations)
    assert [d.id for d in project_documents()] == ([project.pk] if candidate else [])


def test_a_project_document_joins_its_demands_capabilities_and_takes_the_first_requester(users):
    project = ProjectFactory(name="全省智慧停车平台项目", description="停车诱导")
    first = to_provincial_review(make_demand(*PARKING_DEMAND, capabilities=["iot", "payment"], domain="infrastructure"), users)
    second = to_provincial_review(make_demand("智慧停车二期", "无感支付", capabilities=["gis"], org_code=JILIN_CIVIL,
                                              domain="infrastructure"), users)
    for demand in (first, second):
        Demand.objects.filter(pk=demand.pk).update(project=project)
    [doc] = project_documents()
    bureau = org(CHANGCHUN_EDU)
    assert (doc.capabilities, doc.domain, doc.org_id, doc.city_id, doc.level) == (
        frozenset({"iot", "payment", "gis"}), "infrastructure", bureau.pk, bureau.city_id, "city"
    )


def test_the_flag_threshold_of_the_settings_is_the_engines_default():
    assert settings.REDUNDANCY_FLAG_THRESHOLD == DEFAULT_FLAG_THRESHOLD == 0.5
    assert flag_threshold() == 0.5


def test_a_candidate_is_flagged_exactly_when_its_score_reaches_the_threshold(users, settings):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    threshold, [found] = check(*PARKING_DEMAND, PARKING_CAPS, org(CHANGCHUN_EDU))
    assert (threshold, found["kind"], found["id"], found["flagged"]) == (0.5, "system", system.pk, True)
    settings.REDUNDANCY_FLAG_THRESHOLD = found["score"]
    assert check(*PARKING_DEMAND, PARKING_CAPS, org(CHANGCHUN_EDU))[1][0]["flagged"] is True
    settings.REDUNDANCY_FLAG_THRESHOLD = found["score"] + 0.0001
    threshold, [again] = check(*PARKING_DEMAND, PARKING_CAPS, org(CHANGCHUN_EDU))
    assert (threshold, again["score"], again["flagged"]) == (found["score"] + 0.0001, found["score"], False)


def test_a_higher_threshold_in_the_settings_stores_fewer_flags(users, settings):
    make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand("城区停车诱导", "停车诱导屏和泊位查询小程序"), users)
    score = check_demand(demand)[1][0]["score"]
    assert 0.5 < score < 1
    settings.REDUNDANCY_FLAG_THRESHOLD = score + 0.0001
    assert run_check(demand) == []
    settings.REDUNDANCY_FLAG_THRESHOLD = 0.5
    assert [f.state for f in run_check(demand)] == [FlagState.PENDING]
    assert RedundancyFlag.objects.get().score == Decimal(str(score))


def test_a_check_explains_each_candidate_in_the_users_language(users):
    from django.utils import translation

    make_system(*PARKING_SYSTEM, PARKING_CAPS, users=["220100-jtj", "220200-jtj", "220300-jtj"])
    with translation.override("en"):
        _t, [found] = check(*PARKING_DEMAND, PARKING_CAPS, org(SIPING_WATER))
    assert [d["code"] for d in found["reason_details"]] == ["text", "shared_terms", "shared_capabilities", "provincial_system"]
    assert found["reasons"] == [
        f"Wording {round(found['reason_details'][0]['values'][0] * 100)}% alike",
        "Shared terms: 停车诱导, 无感支付, 智慧停车, 停车场, 查询, 泊位",
        "Shared capabilities: IoT sensing, Mobile apps, Unified public payment",
        "Provincial system already used by 3 cities (3 organizations)",
    ]
