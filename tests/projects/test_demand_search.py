"""`?search=` on the demand list: code, title, description or the organization's name, in any
case; on PostgreSQL the trigram indexes of migration 0012 can serve every part of it."""

import pytest
from django.db import connection

from projects.demands.filters import DemandFilter
from projects.models import Demand
from tests.projects.factories import DemandFactory, org

pytestmark = pytest.mark.django_db


def _search(value):
    return set(DemandFilter({"search": value}, queryset=Demand.objects.all()).qs.values_list("title", flat=True))


def test_search_finds_title_description_code_and_organization(users):
    parking = DemandFactory(title="长春市智慧停车管理平台", description="路内泊位统一收费", code="XQ-2026-98765")
    water = DemandFactory(title="供水管网监测", description="压力与漏损在线监测", org=org("220000-jyt"))
    DemandFactory(title="校园安全视频联网", description="视频汇聚")

    assert _search("智慧停车") == {parking.title}
    assert _search("漏损在线") == {water.title}  # the description
    assert _search(parking.code.lower()) == {parking.title}  # case does not matter
    province_edu = org("220000-jyt").name
    assert _search(province_edu) == {water.title}  # the organization's name
    assert _search("   ") == {parking.title, water.title, "校园安全视频联网"}  # blank: no filter
    assert _search("没有这个词") == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's (CI runs PostgreSQL)")
def test_the_trigram_indexes_can_serve_the_search(users):
    DemandFactory(title="长春市智慧停车管理平台")
    sql, params = DemandFilter({"search": "智慧停车管理"}, queryset=Demand.objects.all()).qs.query.sql_with_params()
    with connection.cursor() as cursor:
        # A tiny table would be scanned (or read in the order of the date index) otherwise.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in ("demand_code_trgm", "demand_title_trgm", "demand_description_trgm"):
        assert index in plan, plan
    assert "SubPlan" not in plan and "Join" not in plan  # organizations matched beforehand
