"""The savings ledger: one entry per decision that avoided spending, with reproducible totals."""

from decimal import Decimal

import pytest

from budgets import selectors
from budgets.models import SavingsEntry
from projects import ports
from tests.projects.project_factories import ApprovedDemandFactory, org

pytestmark = pytest.mark.django_db


def demand(**kw):
    return ApprovedDemandFactory(status="provincial_review", **kw)  # total 350,000.00


def test_a_merge_saves_the_total_less_a_declared_incremental_cost(users):
    d = demand()
    ports.record_saving(demand=d, decision="merge", amount=d.budget_total, actor=users["prov_approver"], reason="并入省级平台",
                        incremental_cost=Decimal("50000.00"))
    entry = SavingsEntry.objects.get()
    assert (entry.requested, entry.deducted, entry.amount, entry.decided_by, entry.org, entry.reason) == (
        Decimal("350000.00"), Decimal("50000.00"), Decimal("300000.00"), users["prov_approver"], d.org, "并入省级平台")


def test_a_reuse_saves_the_total_less_a_declared_adaptation_cost(users):
    d = demand()
    ports.record_saving(demand=d, decision="reuse", amount=d.budget_total, actor=users["prov_approver"], adaptation_cost="2万")
    assert SavingsEntry.objects.get().amount == Decimal("330000.00")


def test_a_merge_without_a_declared_cost_saves_the_whole_total(users):
    d = demand()
    ports.record_saving(demand=d, decision="merge", amount=d.budget_total, actor=users["prov_approver"])
    assert SavingsEntry.objects.get().amount == Decimal("350000.00")


def test_a_budget_cut_saves_requested_minus_approved(users):
    d = demand()
    ports.record_saving(demand=d, decision="budget_cut", amount=Decimal("100000.00"), actor=users["prov_approver"],
                        requested=Decimal("350000.00"), approved=Decimal("250000.00"), reason="专家建议压减")
    entry = SavingsEntry.objects.get()
    assert (entry.requested, entry.deducted, entry.amount) == (Decimal("350000.00"), Decimal("250000.00"), Decimal("100000.00"))


def test_the_merge_decision_records_its_entry_through_the_doorway(users):
    from projects.demands.services import demand_transition
    from tests.projects.project_factories import ProjectFactory

    d = demand()
    target = ProjectFactory()
    demand_transition(demand=d, name="merge", actor=users["prov_reviewer"], comment="与省级项目重复", target_project=target)
    entry = SavingsEntry.objects.get(demand=d)
    assert (entry.decision, entry.amount, entry.decided_by) == ("merge", Decimal("350000.00"), users["prov_reviewer"])


def test_totals_by_year_org_city_and_reason_are_the_sum_of_the_entries(users):
    a, b, c = demand(), demand(org=org("220200-mzj")), demand()
    ports.record_saving(demand=a, decision="merge", amount=a.budget_total, actor=None)
    ports.record_saving(demand=b, decision="reuse", amount=b.budget_total, actor=None, adaptation_cost="50000")
    ports.record_saving(demand=c, decision="budget_cut", amount=Decimal("10000"), actor=None)
    totals = selectors.savings_totals(users["finance"])
    assert (totals["total"], totals["count"]) == (Decimal("660000.00"), 3)
    assert {r["key"]: r["amount"] for r in totals["by_reason"]} == {
        "merge": Decimal("350000.00"), "reuse": Decimal("300000.00"), "budget_cut": Decimal("10000.00")}
    assert {r["label"]: r["amount"] for r in totals["by_city"]} == {"Changchun": Decimal("360000.00"), "Jilin": Decimal("300000.00")}  # English (the tests' language)
    assert sum(e.amount for e in SavingsEntry.objects.all()) == totals["total"]
    # a submitter's view holds only its organization's entries
    mine = selectors.savings_totals(users["sub_changchun"])
    assert mine["count"] == 0 or all(e.org_id == users["sub_changchun"].organization_id for e in selectors.savings_visible_to(users["sub_changchun"]))


def test_savings_api_lists_the_entries(users, api):
    d = demand()
    ports.record_saving(demand=d, decision="merge", amount=d.budget_total, actor=users["prov_approver"], reason="并入")
    body = api.as_user(users["finance"]).get("/api/v1/savings/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["demand"], row["decision"], row["amount"], row["requested"], row["decided_by"]) == (
        d.pk, "merge", "350000.00", "350000.00", "prov_approver")
    assert api.as_user(users["finance"]).get("/api/v1/savings/?decision=reuse").json()["count"] == 0
    assert api.as_user(users["finance"]).get("/api/v1/savings/?year=abc").status_code == 400


# ---------------------------------------------------------------- the costs asked by the merge and reuse forms


def _post(client, d, **data):
    from django.urls import reverse

    return client.post(reverse("projects:demand_transition", args=[d.pk]), data, follow=True, HTTP_ACCEPT_LANGUAGE="en")


def test_the_reviewers_merge_form_asks_the_incremental_cost_and_the_entry_deducts_it(users, login):
    from tests.projects.project_factories import ProjectFactory

    d, target = demand(), ProjectFactory()
    client = login(users["prov_reviewer"])
    from django.urls import reverse

    page = client.get(reverse("projects:demand_detail", args=[d.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="incremental_cost"' in page and 'name="adaptation_cost"' in page
    _post(client, d, name="merge", comment="并入省级平台", target=target.code, incremental_cost="5万")
    entry = SavingsEntry.objects.get(demand=d)
    assert (entry.decision, entry.requested, entry.deducted, entry.amount) == (
        "merge", Decimal("350000.00"), Decimal("50000.00"), Decimal("300000.00"))


def test_a_cost_above_the_demands_total_is_refused_and_nothing_changes(users, login):
    from tests.projects.project_factories import ProjectFactory

    d, target = demand(), ProjectFactory()
    response = _post(login(users["prov_reviewer"]), d, name="merge", comment="并入", target=target.code, incremental_cost="400,000")
    assert ("Incremental cost (400,000.00) is above the demand&#x27;s total (350,000.00): the saving would be negative."
            in response.content.decode())
    d.refresh_from_db()
    assert (d.status, d.project_id, SavingsEntry.objects.count()) == ("provincial_review", None, 0)


def test_the_api_takes_an_adaptation_cost_for_a_reuse(users, api):
    from tests.assets.factories import SystemFactory

    d, system = demand(), SystemFactory(status="in_operation")
    client = api.as_user(users["prov_reviewer"])
    url = f"/api/v1/demands/{d.pk}/transition/"
    refused = client.post(url, {"name": "recommend_reuse", "system": system.pk, "adaptation_cost": "-5"}, format="json",
                          HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400 and SavingsEntry.objects.count() == 0
    done = client.post(url, {"name": "recommend_reuse", "system": system.pk, "adaptation_cost": "1,200.50", "comment": "复用"},
                       format="json")
    assert done.status_code == 200, done.content
    entry = SavingsEntry.objects.get(demand=d)
    assert (entry.decision, entry.deducted, entry.amount) == ("reuse", Decimal("1200.50"), Decimal("348799.50"))


def test_the_api_takes_an_incremental_cost_for_a_merge_and_refuses_one_above_the_total(users, api):
    from tests.projects.project_factories import ProjectFactory

    d, target = demand(), ProjectFactory()
    client = api.as_user(users["prov_reviewer"])
    url = f"/api/v1/demands/{d.pk}/transition/"
    refused = client.post(url, {"name": "merge", "target_project": target.pk, "incremental_cost": "350000.01"}, format="json",
                          HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "above the demand's total (350,000.00)" in refused.content.decode()
    assert SavingsEntry.objects.count() == 0
    done = client.post(url, {"name": "merge", "target_project": target.pk, "incremental_cost": "350000"}, format="json")
    assert done.status_code == 200
    assert SavingsEntry.objects.get(demand=d).amount == Decimal("0.00")  # the whole total still spent: nothing saved, never negative


def test_cities_are_named_in_the_readers_language_and_provincial_entries_say_so(users):
    from django.utils import translation

    a, b = demand(), demand(org=org("220000-jyt"))  # a Changchun bureau, a provincial department
    ports.record_saving(demand=a, decision="merge", amount=a.budget_total, actor=None)
    ports.record_saving(demand=b, decision="merge", amount=b.budget_total, actor=None)
    with translation.override("en"):
        labels = {r["label"] for r in selectors.savings_totals(users["finance"])["by_city"]}
        assert labels == {"Changchun", "Provincial"}
    with translation.override("zh-hans"):
        assert {str(r["label"]) for r in selectors.savings_totals(users["finance"])["by_city"]} == {"长春市", "省级"}
