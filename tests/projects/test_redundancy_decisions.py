"""Learning from reviewers' decisions: labelled pairs, dismissed shares, suggested thresholds, applying one."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.audit import describe
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid
from core.models import AuditLog
from projects.redundancy.decisions import apply_threshold, measure
from projects.redundancy.documents import flag_threshold
from projects.redundancy.models import DomainThreshold, RedundancyFlag
from projects.redundancy.search import check
from tests.projects.factories import DemandFactory
from tests.projects.redundancy_helpers import fresh_index, in_english  # noqa: F401  (autouse fixtures)

pytestmark = pytest.mark.django_db

# infrastructure: four dismissed flags below 0.65, six kept above it; social_credit: too few decisions
INFRA = [(0.55, "dismissed"), (0.58, "dismissed"), (0.60, "dismissed"), (0.62, "dismissed"),
         (0.70, "merged"), (0.75, "reused"), (0.80, "merged"), (0.85, "merged"), (0.90, "reused"), (0.95, "merged")]
CREDIT = [(0.60, "dismissed"), (0.90, "merged"), (0.52, "pending")]


def decided(domain: str, rows, kind: str = "system"):
    flags = []
    for i, (score, state) in enumerate(rows):
        demand = DemandFactory(domain=domain, title=f"{domain} 需求 {i}")
        flags.append(RedundancyFlag.objects.create(
            demand=demand, candidate_kind=kind, candidate_id=1000 + i, candidate_code=f"XT-{1000 + i}",
            candidate_title=f"候选 {i}", score=Decimal(str(score)), state=state,
            resolution_comment="不同业务" if state == "dismissed" else ""))
    return flags


@pytest.fixture
def history(db):
    decided("infrastructure", INFRA)
    decided("social_credit", CREDIT, kind="demand")


def test_decided_flags_are_labelled_pairs_measured_by_domain_and_kind(history):
    figures = measure()
    assert (figures["decisions"], figures["kept"], figures["dismissed"], figures["precision"]) == (12, 7, 5, 0.5833)
    assert [(g["domain"], g["decided"], g["dismissed"], g["dismissed_share"]) for g in figures["by_domain"]] == [
        ("social_credit", 2, 1, 0.5), ("infrastructure", 10, 4, 0.4)]
    assert [(g["kind"], g["dismissed_share"]) for g in figures["by_kind"]] == [("demand", 0.5), ("system", 0.4)]
    infra = figures["by_domain"][1]
    assert [e["score"] for e in infra["examples"]] == [0.62, 0.6, 0.58]
    assert infra["examples"][0]["comment"] == "不同业务"


def test_a_threshold_is_suggested_with_the_figures_before_and_after_only_where_evidence_supports_it(history):
    [suggestion] = measure()["suggestions"]
    assert suggestion["domain"] == "infrastructure"
    assert suggestion["before"] == {"threshold": 0.5, "flags": 10, "kept": 6, "dismissed": 4, "precision": 0.6,
                                    "recall_of_kept": 1.0}
    assert suggestion["after"] == {"threshold": 0.7, "flags": 6, "kept": 6, "dismissed": 0, "precision": 1.0,
                                   "recall_of_kept": 1.0}
    # nothing changes until a person applies it
    assert DomainThreshold.objects.count() == 0
    assert flag_threshold("infrastructure") == 0.5


def test_eval_redundancy_decisions_prints_the_same_figures_as_json(history):
    out = StringIO()
    call_command("eval_redundancy", "--decisions", stdout=out)
    assert json.loads(out.getvalue()) == json.loads(json.dumps(measure(), ensure_ascii=False))


def test_applying_a_suggestion_is_stored_logged_and_used_by_the_check_of_that_domain(history, users, login):
    response = login(users["prov_reviewer"]).post(reverse("projects:threshold_apply"), {"domain": "infrastructure"})
    assert response.status_code == 302
    row = DomainThreshold.objects.get()
    assert (row.domain, row.threshold, row.previous, row.applied_by) == (
        "infrastructure", Decimal("0.7000"), Decimal("0.5000"), users["prov_reviewer"])
    log = AuditLog.objects.get(machine="flag_threshold")
    assert (log.transition, log.source, log.target, log.payload["domain"]) == ("apply", "0.5000", "0.7000", "infrastructure")
    assert describe(log).transition == "Applied from the reviewers' decisions"
    assert flag_threshold("infrastructure") == 0.7
    assert flag_threshold("social_credit") == 0.5 and flag_threshold() == 0.5
    threshold, _candidates = check("智慧停车管理平台", "路内泊位", [], None, None, "infrastructure")
    assert threshold == 0.7
    assert check("智慧停车管理平台", "路内泊位", [], None, None, "social_credit")[0] == 0.5
    # the evidence is used up: no second suggestion for the domain
    assert measure()["suggestions"] == []
    assert measure()["applied_thresholds"] == {"infrastructure": 0.7}


def test_the_flags_of_a_demand_follow_its_domain_threshold(history, users):
    from tests.projects.redundancy_helpers import PARKING_DEMAND, PARKING_SYSTEM, make_demand, make_system, to_provincial_review

    make_system(*PARKING_SYSTEM, ["iot", "payment", "mobile_app"])
    demand = to_provincial_review(make_demand(*PARKING_DEMAND, domain="infrastructure"), users)
    apply_threshold(user=users["prov_reviewer"], domain="infrastructure")
    from projects.redundancy.flags import run_check
    from projects.redundancy.search import check_demand

    threshold, candidates = check_demand(demand)
    assert threshold == 0.7 and candidates
    assert all(c["flagged"] == (c["score"] >= 0.7) for c in candidates)
    flags = run_check(demand)
    assert all(float(f.score) >= 0.7 for f in flags)


def test_a_domain_without_enough_evidence_or_unknown_is_refused_and_nothing_changes(history, users):
    with pytest.raises(TransitionConflict):
        apply_threshold(user=users["prov_reviewer"], domain="social_credit")
    with pytest.raises(TransitionInvalid):
        apply_threshold(user=users["prov_reviewer"], domain="no_such_domain")
    with pytest.raises(TransitionForbidden):
        apply_threshold(user=users["auditor"], domain="infrastructure")
    assert DomainThreshold.objects.count() == 0
    assert not AuditLog.objects.filter(machine="flag_threshold").exists()


def test_the_page_shows_what_gets_dismissed_most_and_only_the_office_applies(history, users, login):
    page = login(users["auditor"]).get(reverse("projects:redundancy_decisions")).content.decode()
    assert 'data-testid="suggestions"' in page and "50% → <strong>70%</strong>" in page
    assert "不同业务" in page and "Apply</button>" not in page
    assert "Apply</button>" in login(users["prov_reviewer"]).get(reverse("projects:redundancy_decisions")).content.decode()
    assert login(users["auditor"]).post(reverse("projects:threshold_apply"), {"domain": "infrastructure"}).status_code == 404
    assert login(users["sub_changchun"]).get(reverse("projects:redundancy_decisions")).status_code == 403
    assert DomainThreshold.objects.count() == 0


def test_the_decisions_page_costs_the_same_queries_whatever_the_number_of_decisions(users, login, django_assert_num_queries):
    decided("infrastructure", INFRA[:2])
    client = login(users["prov_reviewer"])
    client.get(reverse("projects:redundancy_decisions"))
    # session, user, decided flags with their demands, unread count, the user's organization
    with django_assert_num_queries(5):
        client.get(reverse("projects:redundancy_decisions"))
    decided("social_credit", CREDIT * 4, kind="demand")
    with django_assert_num_queries(5):
        page = client.get(reverse("projects:redundancy_decisions")).content.decode()
    assert "不同业务" in page
