"""Deep API pages read their keys first (core/api.py DeepPaginator): the same rows in the same
order as a plain OFFSET, with the queryset's joins and prefetches, one query more than a shallow page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import core.api
from projects.models import Demand
from tests.projects.factories import DemandFactory

pytestmark = pytest.mark.django_db


def _codes(body):
    return [row["id"] for row in body["results"]]


def test_every_deep_page_equals_the_plain_offset_page(users, api, monkeypatch):
    for _ in range(11):
        DemandFactory()
    expected = list(Demand.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
    client = api.as_user(users["auditor"])
    plain = [_codes(client.get(f"/api/v1/demands/?page_size=2&page={n}").json()) for n in range(1, 7)]
    monkeypatch.setattr(core.api, "DEEP_OFFSET", 3)  # from the third row on, keys first
    deep = [_codes(client.get(f"/api/v1/demands/?page_size=2&page={n}").json()) for n in range(1, 7)]
    assert deep == plain == [expected[i:i + 2] for i in range(0, 11, 2)]
    last = client.get("/api/v1/demands/?page_size=2&page=6").json()
    assert (last["count"], last["next"], len(last["results"])) == (11, None, 1)
    assert last["results"][0]["capabilities"]  # prefetched relations still there


def test_a_deep_page_costs_one_query_more_and_reads_no_whole_rows_past_it(users, api, monkeypatch):
    for _ in range(6):
        DemandFactory()
    client = api.as_user(users["auditor"])
    with CaptureQueriesContext(connection) as shallow:
        client.get("/api/v1/demands/?page_size=2&page=3")
    monkeypatch.setattr(core.api, "DEEP_OFFSET", 3)
    with CaptureQueriesContext(connection) as deep:
        client.get("/api/v1/demands/?page_size=2&page=3")
    assert len(deep.captured_queries) == len(shallow.captured_queries) + 1
    keys = [q["sql"] for q in deep.captured_queries if "OFFSET" in q["sql"].upper()]
    assert len(keys) == 1 and '"projects_demand"."description"' not in keys[0]  # the offset walks keys only


def test_a_page_past_the_end_is_still_a_404(users, api, monkeypatch):
    DemandFactory()
    monkeypatch.setattr(core.api, "DEEP_OFFSET", 0)
    response = api.as_user(users["auditor"]).get("/api/v1/demands/?page=9")
    assert response.status_code == 404
