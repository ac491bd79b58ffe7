"""List pages and the API list cost an exact number of queries, whatever the number of rows."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.demands.choices import DemandStatus as S
from projects.models import Demand, RedundancyFlag
from projects.redundancy.choices import CandidateKind
from tests.projects.factories import DemandFactory, walk


def make_rows(users, n):
    """n demands in each of draft, municipal review and provincial review (Changchun)."""
    for _ in range(n):
        DemandFactory()
        walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)
        walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)


# (user, page, queries): session, user, [organization], count, rows, capabilities, flags,
# filter choices, the page's own figures, the unread-notification badge.
PAGES = [
    ("sub_changchun", "projects:demand_list", 11),
    ("auditor", "projects:demand_all", 10),
    ("coord_changchun", "projects:demand_all", 10),
    ("coord_changchun", "projects:review_queue", 11),
    ("prov_reviewer", "projects:review_queue", 11),
    ("prov_approver", "projects:review_queue", 11),
]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 6])
@pytest.mark.parametrize(("username", "page", "queries"), PAGES)
def test_list_page_query_count_does_not_grow_with_rows(users, login, django_assert_num_queries, rows, username, page, queries):
    make_rows(users, rows)
    client = login(users[username])
    with django_assert_num_queries(queries):
        response = client.get(reverse(page) + "?sort=budget")
    assert response.status_code == 200
    assert len(response.context["page"]) >= rows


# token+user, [organization], the organizations whose name matches the search (read first, so
# that PostgreSQL's trigram indexes serve the rest), count, rows, capabilities, data resources, flags.
API = [("prov_reviewer", 7), ("prov_approver", 7), ("sub_changchun", 7), ("coord_changchun", 8), ("auditor", 7)]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 6])
@pytest.mark.parametrize(("username", "queries"), API)
def test_api_list_query_count_does_not_grow_with_rows(users, api, django_assert_num_queries, rows, username, queries):
    make_rows(users, rows)
    client = api.as_user(users[username])
    with django_assert_num_queries(queries):
        response = client.get("/api/v1/demands/?search=智慧")
    assert response.status_code == 200
    assert response.json()["count"] == 3 * rows  # every row is a Changchun demand each of them may see


@pytest.mark.django_db
def test_api_list_with_flags_and_transitions_stays_constant(users, api, django_assert_num_queries):
    make_rows(users, 4)
    for demand in Demand.objects.filter(status=S.PROVINCIAL_REVIEW)[:2]:
        RedundancyFlag.objects.create(demand=demand, candidate_kind=CandidateKind.SYSTEM, candidate_id=1,
                                      candidate_title="x", score=Decimal("0.9"))
    client = api.as_user(users["prov_approver"])
    with django_assert_num_queries(6):
        body = client.get("/api/v1/demands/?status=provincial_review").json()
    approvable = [r for r in body["results"] if "provincial_approve" in r["available_transitions"]]
    assert (body["count"], len(approvable), sum(r["pending_flags"] for r in body["results"])) == (4, 2, 2)
