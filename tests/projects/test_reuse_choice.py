"""Recommending reuse on the demand page: the systems the check named for this demand are offered,
any other catalogue system by its number; never a list of every system (thousands of options)."""

from decimal import Decimal

import pytest

from projects.demands.choices import DemandStatus as S
from projects.models import Demand, RedundancyFlag
from projects.redundancy.choices import CandidateKind
from tests.projects.factories import DemandFactory, SystemFactory, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(users):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    named = SystemFactory(name="吉林省智慧停车平台")
    others = [SystemFactory() for _ in range(30)]
    RedundancyFlag.objects.create(demand=demand, candidate_kind=CandidateKind.SYSTEM, candidate_id=named.pk,
                                  candidate_title=named.name, candidate_code=named.code, score=Decimal("0.93"))
    return demand, named, others


def test_the_page_offers_the_flagged_systems_and_a_number_box(flagged, users, login):
    demand, named, others = flagged
    page = login(users["prov_reviewer"]).get(f"/demands/{demand.pk}/").content.decode()
    assert f'<option value="{named.pk}">{named.code} {named.name}</option>' in page
    assert not any(f'<option value="{o.pk}">' in page for o in others)
    assert 'name="system_code"' in page


def test_reuse_by_the_number_of_any_catalogue_system(flagged, users, login):
    demand, named, others = flagged
    client = login(users["prov_reviewer"])
    response = client.post(f"/demands/{demand.pk}/transition/",
                           {"name": "recommend_reuse", "comment": "复用全省平台", "system_code": others[7].code.lower()})
    assert response.status_code == 302
    demand = Demand.objects.get(pk=demand.pk)
    assert (demand.status, demand.reuse_system_id) == (S.REUSE, others[7].pk)


def test_an_unknown_number_is_named_and_nothing_changes(flagged, users, login):
    demand, named, others = flagged
    client = login(users["prov_reviewer"])
    response = client.post(f"/demands/{demand.pk}/transition/",
                           {"name": "recommend_reuse", "comment": "复用", "system_code": "XT-NOPE"}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "目录中没有编号为“XT-NOPE”的系统。" in response.content.decode()
    assert Demand.objects.get(pk=demand.pk).status == S.PROVINCIAL_REVIEW


def test_a_refused_action_keeps_what_the_reviewer_wrote_once(users, login):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    client = login(users["prov_approver"])
    reason = "预算偏高，按专家建议核减软件开发费用。" * 3
    response = client.post(f"/demands/{demand.pk}/transition/",
                           {"name": "provincial_approve", "comment": reason, "approved_budget": "五十万"}, follow=True)
    page = response.content.decode()
    assert Demand.objects.get(pk=demand.pk).status == S.PROVINCIAL_REVIEW  # refused: nothing written
    assert f">{reason}</textarea>" in page
    assert 'value="五十万"' in page and "data-select-on-focus" in page
    again = client.get(f"/demands/{demand.pk}/").content.decode()
    assert reason not in again  # shown once, not forever


def test_the_queue_says_a_demand_was_checked_when_its_flags_were_dismissed(users, login):
    from projects.redundancy.choices import FlagState

    pending, dismissed, clean = (walk(DemandFactory(title=t), S.PROVINCIAL_REVIEW, users) for t in ("甲", "乙", "丙"))
    system = SystemFactory()
    for demand, state in ((pending, FlagState.PENDING), (dismissed, FlagState.DISMISSED)):
        RedundancyFlag.objects.create(demand=demand, candidate_kind=CandidateKind.SYSTEM, candidate_id=system.pk,
                                      candidate_title=system.name, score=Decimal("0.9"), state=state)
    page = login(users["prov_reviewer"]).get("/demands/review/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = {d.code: page.split(d.code, 1)[1].split("</tr>", 1)[0] for d in (pending, dismissed, clean)}
    assert "Flagged" in rows[pending.code] and "Checked, not a duplicate" not in rows[pending.code]
    assert 'data-testid="flags-dismissed"' in rows[dismissed.code] and "Flagged" not in rows[dismissed.code]
    assert "Flagged" not in rows[clean.code] and "flags-dismissed" not in rows[clean.code]
