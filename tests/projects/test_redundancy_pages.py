"""Pages: the live box of the demand form, the flags panel, the comparison and its decisions, clusters."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from projects.demands.choices import DemandStatus as S
from projects.models import RedundancyFlag
from projects.redundancy.choices import FlagState
from projects.redundancy.clusters import compute_clusters
from projects.redundancy.flags import run_check
from tests.projects.project_factories import ProjectFactory
from tests.projects.redundancy_helpers import (  # noqa: F401  (fresh_index is an autouse fixture)
    CHANGCHUN_EDU,
    JILIN_CIVIL,
    PARKING_CAPS,
    PARKING_DEMAND,
    PARKING_SYSTEM,
    fresh_index,
    in_english,
    make_demand,
    make_system,
    submit,
    to_provincial_review,
)

pytestmark = pytest.mark.django_db
LIVE = "/redundancy/live/"


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_demand_form_carries_the_live_box(users, login):
    page = login(users["sub_changchun"]).get(reverse("projects:demand_create")).content.decode()
    assert 'id="redundancy-live"' in page
    assert f'hx-post="{LIVE}"' in page
    assert "keyup changed delay:500ms from:#id_title" in page


def test_the_live_box_shows_similar_systems_while_typing(users, login):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    client = login(users["sub_changchun"])
    response = client.post(LIVE, {"title": "长春市智慧停车平台", "description": "泊位查询和停车诱导", "capabilities": ["iot"]},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Similar systems already exist" in html
    assert f'href="/catalogue/systems/{system.pk}/"' in html
    assert f"{system.code} {PARKING_SYSTEM[0]}" in html
    assert html.count('data-testid="similar-candidate"') == 1


@pytest.mark.parametrize("title", ["", " ", "停"])
def test_the_live_box_stays_quiet_for_too_little_text(users, login, title):
    make_system(*PARKING_SYSTEM, PARKING_CAPS)
    html = login(users["sub_changchun"]).post(LIVE, {"title": title}).content.decode()
    assert "similar-box" not in html


def test_the_live_box_leaves_out_the_demand_being_edited_and_other_bureaus_demands(users, login):
    own = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    other = to_provincial_review(make_demand(*PARKING_DEMAND, org_code=JILIN_CIVIL), users)
    client = login(users["sub_changchun"])
    html = client.post(LIVE, {"title": PARKING_DEMAND[0], "description": PARKING_DEMAND[1]}).content.decode()
    assert f"/demands/{own.pk}/" in html and f"/demands/{other.pk}/" not in html
    html = client.post(LIVE, {"title": PARKING_DEMAND[0], "description": PARKING_DEMAND[1], "demand": own.pk}).content.decode()
    assert "similar-box" not in html


def test_the_live_box_answers_only_signed_in_posts(users, client, login):
    assert client.post(LIVE, {"title": "停车"}).status_code == 302
    assert login(users["sub_changchun"]).get(LIVE).status_code == 405


def test_the_demand_page_shows_flags_with_reasons_and_a_comparison_link(users, login):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    [flag] = run_check(demand)
    page = login(users["sub_changchun"]).get(reverse("projects:demand_detail", args=[demand.pk])).content.decode()
    assert 'data-testid="flags-panel"' in page
    assert f"{system.code} {PARKING_SYSTEM[0]}" in page
    assert "Shared capabilities: " in page
    assert reverse("projects:redundancy_compare", args=[demand.pk, "system", system.pk]) in page
    assert reverse("projects:flag_dismiss", args=[demand.pk, flag.pk]) not in page  # a bureau does not resolve
    reviewer_page = login(users["prov_reviewer"]).get(reverse("projects:demand_detail", args=[demand.pk])).content.decode()
    assert reverse("projects:flag_dismiss", args=[demand.pk, flag.pk]) in reviewer_page


def test_the_comparison_highlights_what_is_shared(users, login):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    run_check(demand)
    page = login(users["prov_reviewer"]).get(
        reverse("projects:redundancy_compare", args=[demand.pk, "system", system.pk])
    ).content.decode()
    assert '<mark class="px-0">停车诱导</mark>' in page
    assert page.count("text-bg-warning") >= 2 * len(PARKING_CAPS)  # shared capabilities on both sides
    assert 'data-testid="action-dismiss"' in page and 'data-testid="action-recommend_reuse"' in page
    assert 'data-testid="action-merge"' not in page  # a system is reused, not merged into


def test_the_comparison_escapes_what_people_typed(users, login):
    system = make_system("<script>alert(1)</script>智慧停车平台", "<img src=x onerror=alert(1)>泊位查询", PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    page = login(users["prov_reviewer"]).get(
        reverse("projects:redundancy_compare", args=[demand.pk, "system", system.pk])
    ).content.decode()
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_comparison_with_a_demand_the_user_may_not_see_is_a_404(users, login):
    other = to_provincial_review(make_demand(*PARKING_DEMAND, org_code=JILIN_CIVIL), users)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    client = login(users["sub_changchun"])
    assert client.get(reverse("projects:redundancy_compare", args=[demand.pk, "demand", other.pk])).status_code == 404
    assert client.get(reverse("projects:redundancy_compare", args=[demand.pk, "thing", other.pk])).status_code == 404
    assert login(users["prov_reviewer"]).get(
        reverse("projects:redundancy_compare", args=[demand.pk, "demand", other.pk])
    ).status_code == 200


def test_a_reviewer_dismisses_from_the_page_only_with_a_reason(users, login):
    make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    [flag] = run_check(demand)
    client = login(users["prov_reviewer"])
    url = reverse("projects:flag_dismiss", args=[demand.pk, flag.pk])
    response = client.post(url, {"comment": ""})
    assert messages_of(response) == ["Please give the reason for dismissing this flag."]
    flag.refresh_from_db()
    assert flag.state == FlagState.PENDING
    response = client.post(url, {"comment": "服务对象不同", "next": "https://evil.example/"})
    assert response.url == reverse("projects:demand_detail", args=[demand.pk])
    flag.refresh_from_db()
    assert (flag.state, flag.resolution_comment) == (FlagState.DISMISSED, "服务对象不同")


def test_a_bureau_cannot_dismiss_from_the_page(users, login):
    make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    [flag] = run_check(demand)
    response = login(users["sub_changchun"]).post(reverse("projects:flag_dismiss", args=[demand.pk, flag.pk]), {"comment": "x"})
    assert messages_of(response) == ["Only the provincial review office resolves redundancy flags."]
    flag.refresh_from_db()
    assert flag.state == FlagState.PENDING


def test_reuse_from_the_comparison_page(users, login):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    [flag] = run_check(demand)
    response = login(users["prov_reviewer"]).post(
        reverse("projects:redundancy_decide", args=[demand.pk, "system", system.pk]), {"name": "recommend_reuse", "comment": "开通"}
    )
    assert response.url == reverse("projects:demand_detail", args=[demand.pk])
    demand.refresh_from_db()
    flag.refresh_from_db()
    assert (demand.status, flag.state) == (S.REUSE, FlagState.REUSED)
    assert demand.org in system.user_orgs.all()


def test_merge_into_a_project_from_the_comparison_page(users, login):
    project = ProjectFactory(name="全省智慧停车管理平台项目", description=PARKING_SYSTEM[1])
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    login(users["prov_reviewer"]).post(
        reverse("projects:redundancy_decide", args=[demand.pk, "project", project.pk]), {"name": "merge", "comment": "并入"}
    )
    demand.refresh_from_db()
    assert (demand.status, demand.project) == (S.MERGED, project)
    assert demand.org in project.beneficiary_orgs.all()


def test_decisions_that_do_not_fit_are_refused_with_a_message(users, login):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    client = login(users["prov_reviewer"])
    response = client.post(reverse("projects:redundancy_decide", args=[demand.pk, "system", system.pk]), {"name": "merge"})
    assert messages_of(response) == [
        "This decision does not fit this candidate: merge into a demand or a project, reuse a system."
    ]
    from assets.services import retire_system

    retire_system(system)
    response = client.post(reverse("projects:redundancy_decide", args=[demand.pk, "system", system.pk]), {"name": "recommend_reuse"})
    assert messages_of(response)[-1] == "Choose a system of the catalogue that is not retired."
    demand.refresh_from_db()
    assert demand.status == S.PROVINCIAL_REVIEW


def test_the_similar_page_lists_candidates_and_flag_states(users, login):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    run_check(demand)
    page = login(users["sub_changchun"]).get(reverse("projects:demand_similar", args=[demand.pk])).content.decode()
    assert f"{system.code} {PARKING_SYSTEM[0]}" in page
    assert "Pending" in page
    assert login(users["sub_jilin"]).get(reverse("projects:demand_similar", args=[demand.pk])).status_code == 404


def test_the_clusters_page_shows_groups_with_their_total_budget(users, login, django_assert_num_queries):
    for code, budget in ((CHANGCHUN_EDU, "1000000.00"), (JILIN_CIVIL, "2000000.00")):
        submit(make_demand(*PARKING_DEMAND, org_code=code, budget=budget), users)
    compute_clusters()
    client = login(users["prov_reviewer"])
    client.get(reverse("projects:clusters"))  # the session's first request loads what every page needs
    # session, user, snapshot, the latest recomputation, the clusters' demands, capabilities, decisions on them,
    # recent decisions, unread count, the user's organization
    with django_assert_num_queries(10):
        page = client.get(reverse("projects:clusters")).content.decode()
    assert page.count('data-testid="cluster"') == 1
    assert "¥3,000,000.00" in page
    for code in ("220300-swj", "222401-jyj"):
        submit(make_demand(*PARKING_DEMAND, org_code=code), users)
    submit(make_demand("12345热线工单系统", "热线工单派发和回访", ["hotline"], org_code=CHANGCHUN_EDU), users)
    submit(make_demand("12345热线工单系统", "热线工单派发和回访", ["hotline"], org_code=JILIN_CIVIL), users)
    compute_clusters()
    with django_assert_num_queries(10):
        page = client.get(reverse("projects:clusters")).content.decode()
    assert page.count('data-testid="cluster"') == 2


def test_clusters_are_recomputed_on_demand_by_reviewers_only(users, login, django_capture_on_commit_callbacks):
    from projects.redundancy.models import ClusterRun

    for code in (CHANGCHUN_EDU, JILIN_CIVIL):
        submit(make_demand(*PARKING_DEMAND, org_code=code), users)
    assert login(users["sub_changchun"]).post(reverse("projects:clusters_recompute")).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):  # the run is queued after the commit (background)
        response = login(users["prov_reviewer"]).post(reverse("projects:clusters_recompute"))
    assert messages_of(response) == ["Recomputation started: the page shows its progress, and the last result meanwhile."]
    assert len(ClusterRun.objects.get().snapshot.clusters) == 1


def test_a_flag_on_a_closed_demand_is_shown_as_not_decided(users, login):
    make_system(*PARKING_SYSTEM, PARKING_CAPS)
    other = make_system("吉林市智慧停车平台", PARKING_DEMAND[1], PARKING_CAPS, owner="220200-zwj")
    project = ProjectFactory(name="全省智慧停车管理平台项目", description=PARKING_SYSTEM[1])
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    run_check(demand)
    from projects.demands.services import demand_transition

    demand_transition(demand=demand, name="merge", actor=users["prov_reviewer"], target_project=project.pk)
    page = login(users["prov_reviewer"]).get(reverse("projects:demand_detail", args=[demand.pk])).content.decode()
    assert 'data-testid="pending-flags"' not in page
    assert "Not decided" in page
    assert RedundancyFlag.objects.get(demand=demand, candidate_id=other.pk).state == FlagState.PENDING


def test_reuse_from_the_comparison_page_records_the_adaptation_cost(users, login):
    from budgets.models import SavingsEntry

    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    run_check(demand)
    client = login(users["prov_reviewer"])
    page = client.get(reverse("projects:redundancy_compare", args=[demand.pk, "system", system.pk])).content.decode()
    assert 'name="adaptation_cost"' in page and "data-money" in page
    client.post(reverse("projects:redundancy_decide", args=[demand.pk, "system", system.pk]),
                {"name": "recommend_reuse", "comment": "开通并改造接口", "adaptation_cost": "5万"})
    entry = SavingsEntry.objects.get(demand=demand)
    assert (entry.requested, entry.deducted, entry.amount) == (demand.budget_total, Decimal("50000.00"),
                                                               demand.budget_total - Decimal("50000.00"))


def test_a_cost_above_the_total_is_refused_on_the_comparison_page(users, login):
    system = make_system(*PARKING_SYSTEM, PARKING_CAPS)
    demand = to_provincial_review(make_demand(*PARKING_DEMAND), users)
    run_check(demand)
    response = login(users["prov_reviewer"]).post(
        reverse("projects:redundancy_decide", args=[demand.pk, "system", system.pk]),
        {"name": "recommend_reuse", "comment": "开通", "adaptation_cost": "9亿"}, follow=True)
    assert any("saving would be negative" in m for m in messages_of(response))
    demand.refresh_from_db()
    assert demand.status == S.PROVINCIAL_REVIEW
