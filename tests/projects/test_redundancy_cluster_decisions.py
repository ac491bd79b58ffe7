"""Clusters the province acts on: names, background recomputation, ?demand=, and the build-once decisions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from budgets.models import SavingsEntry
from core.audit import describe
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid
from core.models import AuditLog
from projects.delivery.models import Project
from projects.models import Demand
from projects.redundancy import tasks
from projects.redundancy.build_once import decide_cluster
from projects.redundancy.clusters import (
    cluster_label,
    cluster_name,
    clusters_for,
    compute_clusters,
    execute_run,
    fail_stale_runs,
    request_recompute,
)
from projects.redundancy.models import ClusterDecision, ClusterRun, ClusterRunStatus, RedundancyClusterSnapshot
from tests.projects.redundancy_helpers import (  # noqa: F401  (fresh_index, in_english are autouse fixtures)
    CHANGCHUN_EDU,
    JILIN_CIVIL,
    PARKING_DEMAND,
    SIPING_WATER,
    YANJI_EDU,
    fresh_index,
    in_english,
    make_demand,
    make_system,
    submit,
    to_provincial_review,
)

pytestmark = pytest.mark.django_db

BUDGETS = ((CHANGCHUN_EDU, "1000000.00"), (JILIN_CIVIL, "2500000.00"), (SIPING_WATER, "500000.00"))
HOTLINE = ("12345热线工单系统建设", "热线电话受理、工单派发、督办回访和知识库，接入市长公开电话。")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def parking_cluster(users, budgets=BUDGETS) -> tuple[list[Demand], dict]:
    demands = [to_provincial_review(make_demand(*PARKING_DEMAND, org_code=code, budget=b), users) for code, b in budgets]
    compute_clusters()
    [cluster] = clusters_for(users["prov_reviewer"])
    return demands, cluster


def state_of_world(demands) -> tuple:
    """What a refused decision must leave untouched."""
    return (
        [Demand.objects.get(pk=d.pk).status for d in demands], [Demand.objects.get(pk=d.pk).project_id for d in demands],
        Project.objects.count(), ClusterDecision.objects.count(), SavingsEntry.objects.count(), AuditLog.objects.count(),
    )


# --- names -------------------------------------------------------------------------------


def test_a_cluster_is_named_by_the_domain_terms_its_titles_share_and_the_kind_of_thing_asked_for():
    titles = ["长春市智慧停车管理平台", "吉林市智慧停车平台建设", "四平市智慧停车系统", "延吉市停车诱导平台"]
    assert cluster_name(titles, [["iot"]] * 4) == {"name": "智慧停车平台", "name_capabilities": []}
    assert cluster_name(["12345热线工单系统建设", "四平市12345热线升级", "白山市便民热线平台"], [[]] * 3)["name"] == "12345热线"
    assert cluster_name(["长春市数字城管平台", "吉林市数字城管系统升级改造"], [[]] * 2)["name"] == "数字城管"


def test_a_name_says_what_is_asked_for_not_who_asks():
    titles = ["松原市城市管理局数字化城管系统升级建设", "延边朝鲜族自治州城市管理局数字化城管系统升级建设"]
    orgs = ["松原市城市管理局", "延边朝鲜族自治州城市管理局"]
    assert cluster_name(titles, [[], []], orgs)["name"] == "数字化城管系统"
    titles = ["柳河县民政局婚姻登记预约系统升级（二期）", "西安区民政局婚姻登记预约系统升级项目", "榆树市民政局婚姻登记预约系统升级项目"]
    assert cluster_name(titles, [[]] * 3, ["柳河县民政局", "西安区民政局", "榆树市民政局"])["name"] == "婚姻登记预约系统"


def test_a_name_never_takes_words_of_the_descriptions_nor_place_names():
    """Titles that share no word: the capabilities most members need name the cluster, not the descriptions."""
    named = cluster_name(["低保审核系统", "社会救助信息平台"], [["workflow", "credit"], ["workflow"]])
    assert named == {"name": "", "name_capabilities": ["workflow"]}
    assert "长春" not in cluster_name(["长春市智慧停车平台", "长春市智慧停车系统"], [[], []])["name"]


def test_the_label_says_what_is_asked_for_and_by_how_many_cities_in_both_languages(users):
    demands, cluster = parking_cluster(users)
    assert cluster["label"] == "智慧停车平台 · 3 cities"
    with translation.override("zh-hans"):
        [cluster] = clusters_for(users["prov_reviewer"])
    assert cluster["label"] == "智慧停车平台 · 3 个地市"
    assert cluster_label({"name": "数字城管", "city_count": 1, "org_count": 2}) == "数字城管 · 2 organizations"


def test_the_page_shows_the_name_not_stray_words(users, login):
    parking_cluster(users)
    page = login(users["prov_reviewer"]).get(reverse("projects:clusters")).content.decode()
    assert '<strong data-testid="cluster-label">智慧停车平台 · 3 cities</strong>' in page


# --- recomputing in the background ----------------------------------------------------------


def test_a_recomputation_runs_in_the_background_and_records_who_asked_and_its_result(users, django_capture_on_commit_callbacks):
    parking_cluster(users)
    with django_capture_on_commit_callbacks(execute=True):
        run, created = request_recompute(user=users["prov_reviewer"], enqueue=tasks.enqueue_cluster_run)
    run.refresh_from_db()
    assert created is True
    assert (run.status, run.progress, run.requested_by) == (ClusterRunStatus.DONE, 100, users["prov_reviewer"])
    assert run.snapshot == RedundancyClusterSnapshot.objects.order_by("-pk").first()
    assert run.started_at <= run.finished_at


def test_asking_again_while_a_run_is_running_returns_the_running_one(users):
    running = ClusterRun.objects.create(status=ClusterRunStatus.RUNNING, heartbeat_at=timezone.now(), progress=40)
    run, created = request_recompute(user=users["prov_reviewer"], enqueue=tasks.enqueue_cluster_run)
    assert (run.pk, created) == (running.pk, False)
    assert ClusterRun.objects.count() == 1


def test_a_run_whose_worker_died_is_failed_after_the_timeout_and_a_new_one_can_start(users, settings):
    settings.REDUNDANCY_CLUSTER_RUN_TIMEOUT_MINUTES = 10
    dead = ClusterRun.objects.create(status=ClusterRunStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=11))
    alive = ClusterRun.objects.create(status=ClusterRunStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=9))
    assert fail_stale_runs() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.status, alive.status) == (ClusterRunStatus.FAILED, ClusterRunStatus.RUNNING)
    assert "10 minutes" in dead.error
    alive.heartbeat_at = timezone.now() - timedelta(minutes=30)
    alive.save()
    run, created = request_recompute(user=users["prov_reviewer"], enqueue=lambda pk: None)
    assert created is True and run.status == ClusterRunStatus.QUEUED


def test_the_page_shows_a_dead_run_as_failed_not_as_a_bar_that_never_moves(users, login):
    parking_cluster(users)
    ClusterRun.objects.create(status=ClusterRunStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=1), progress=20)
    page = login(users["auditor"]).get(reverse("projects:clusters")).content.decode()
    assert 'data-status="failed"' in page and "<progress" not in page
    assert ClusterRun.objects.get().status == ClusterRunStatus.FAILED


def test_a_run_moves_its_progress_and_a_broken_one_ends_failed(users, monkeypatch):
    for code in (CHANGCHUN_EDU, JILIN_CIVIL):
        submit(make_demand(*PARKING_DEMAND, org_code=code), users)
    seen = []
    real = ClusterRun.objects.filter

    run = ClusterRun.objects.create()
    assert execute_run(run.pk).status == ClusterRunStatus.DONE
    assert execute_run(run.pk).status == ClusterRunStatus.DONE  # only a queued run starts

    def broken(**kwargs):
        kwargs["progress"](1, 2)
        seen.append(real(pk=failing.pk).first().progress)
        raise RuntimeError("boom")

    monkeypatch.setattr("projects.redundancy.clusters.compute_clusters", broken)
    failing = ClusterRun.objects.create()
    result = execute_run(failing.pk)
    assert seen == [50]
    assert result.status == ClusterRunStatus.FAILED
    assert "RuntimeError" in result.error


def test_the_page_never_computes_while_a_person_waits(users, login, django_capture_on_commit_callbacks):
    parking_cluster(users)
    RedundancyClusterSnapshot.objects.all().delete()
    page = login(users["auditor"]).get(reverse("projects:clusters")).content.decode()
    assert RedundancyClusterSnapshot.objects.count() == 0 and ClusterRun.objects.count() == 0
    assert "Not computed yet." in page


def test_while_running_the_page_shows_the_last_result_and_a_progress_bar_that_polls(users, login):
    parking_cluster(users)
    ClusterRun.objects.create(status=ClusterRunStatus.RUNNING, heartbeat_at=timezone.now(), progress=37)
    client = login(users["prov_reviewer"])
    page = client.get(reverse("projects:clusters")).content.decode()
    assert page.count('data-testid="cluster"') == 1
    assert 'value="37"' in page and f'hx-get="{reverse("projects:cluster_run_status")}"' in page
    assert "style=" not in page.split('id="cluster-run"')[1].split("</div>")[0]
    partial = client.get(reverse("projects:cluster_run_status"), HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in partial
    ClusterRun.objects.update(status=ClusterRunStatus.DONE, progress=100)
    partial = client.get(reverse("projects:cluster_run_status"), HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"


def test_recompute_from_the_page_queues_a_run_after_the_commit(users, login, django_capture_on_commit_callbacks):
    """Pages run outside a transaction (no ATOMIC_REQUESTS): with jobs inline the run is done when the page answers;
    inside the test's transaction the commit comes at the end of the block."""
    parking_cluster(users)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(users["prov_reviewer"]).post(reverse("projects:clusters_recompute"))
        assert ClusterRun.objects.get().status == ClusterRunStatus.QUEUED
    assert messages_of(response) == ["Recomputation started: the page shows its progress, and the last result meanwhile."]
    run = ClusterRun.objects.get()
    assert (run.status, run.requested_by, len(run.snapshot.clusters)) == (ClusterRunStatus.DONE, users["prov_reviewer"], 1)


# --- ?demand= -------------------------------------------------------------------------------


def test_the_page_shows_the_cluster_holding_a_demand(users, login):
    demands, _cluster = parking_cluster(users)
    for code in (CHANGCHUN_EDU, JILIN_CIVIL):
        submit(make_demand(*HOTLINE, ["hotline"], org_code=code), users)
    compute_clusters()
    client = login(users["prov_reviewer"])
    assert client.get(reverse("projects:clusters")).content.decode().count('data-testid="cluster"') == 2
    page = client.get(reverse("projects:clusters") + f"?demand={demands[1].pk}").content.decode()
    assert page.count('data-testid="cluster"') == 1 and "智慧停车平台" in page
    lonely = submit(make_demand("森林防火视频监控", "林区视频监控", ["video"], org_code=YANJI_EDU), users)
    page = client.get(reverse("projects:clusters") + f"?demand={lonely.pk}").content.decode()
    assert page.count('data-testid="cluster"') == 0 and 'data-testid="focus-missing"' in page
    # a coordinator of another city does not learn of the cluster through the parameter
    page = login(users["coord_jilin"]).get(reverse("projects:clusters") + f"?demand={demands[0].pk}").content.decode()
    assert page.count('data-testid="cluster"') == 0


# --- build once -------------------------------------------------------------------------------


def test_build_once_creates_one_provincial_project_that_every_member_merges_into(users, login):
    demands, cluster = parking_cluster(users)
    reviewer = users["prov_reviewer"]
    response = login(reviewer).post(reverse("projects:cluster_decide"), {
        "cluster": cluster["key"], "kind": "build_once", "demands": [d.pk for d in demands],
        "project_name": "全省智慧停车平台（省级统筹）", "project_budget": "1,500,000.00", "reason": "省建市用",
    })
    decision = ClusterDecision.objects.get()
    assert messages_of(response) == ["Build once: one provincial project: 智慧停车平台 · 3 cities, 3 demands, saved ¥2,500,000.00."]
    project = decision.project
    assert (project.name, project.approved_budget, project.construction_org.code) == (
        "全省智慧停车平台（省级统筹）", Decimal("1500000.00"), "220000-zwj")
    assert sorted(project.beneficiary_orgs.values_list("code", flat=True)) == sorted(c for c, _b in BUDGETS)
    assert (decision.members_total, decision.project_budget, decision.savings) == (
        Decimal("4000000.00"), Decimal("1500000.00"), Decimal("2500000.00"))
    assert sorted(m.demand_id for m in decision.members.all()) == sorted(d.pk for d in demands)
    for d in demands:
        d.refresh_from_db()
        assert (d.status, d.project_id) == ("merged", project.pk)
    # each merge through the doorway: its own audit row and savings entry; the entries add up to the decision
    merges = AuditLog.objects.filter(machine="status", transition="merge", object_id__in=[d.pk for d in demands])
    assert merges.count() == 3
    entries = SavingsEntry.objects.filter(demand__in=demands)
    assert sorted(entries.values_list("amount", flat=True)) == [Decimal("312500.00"), Decimal("625000.00"), Decimal("1562500.00")]
    assert sum(entries.values_list("amount", flat=True)) == decision.savings
    row = AuditLog.objects.get(machine="cluster")
    assert (row.transition, row.actor, row.payload["savings"], row.comment) == ("build_once", reviewer, "2500000.00", "省建市用")
    assert describe(row).transition == "Build once: one provincial project"
    page = login(reviewer).get(reverse("projects:clusters")).content.decode()
    assert 'data-testid="cluster-savings">Saved ¥2,500,000.00' in page
    assert project.code in page


def test_a_member_that_cannot_be_merged_refuses_the_whole_decision_naming_it(users):
    demands, _ = parking_cluster(users, budgets=BUDGETS[:2])
    late = submit(make_demand(*PARKING_DEMAND, org_code=YANJI_EDU), users)  # still in municipal review
    compute_clusters()
    [cluster] = clusters_for(users["prov_reviewer"])
    before = state_of_world([*demands, late])
    with pytest.raises(TransitionConflict) as err:
        decide_cluster(user=users["prov_reviewer"], key=cluster["key"], kind="build_once",
                       demand_ids=[d.pk for d in cluster["demands"]], project_name="全省智慧停车", project_budget="1000000")
    assert late.code in str(err.value.message) and "Municipal review" in str(err.value.message)
    assert state_of_world([*demands, late]) == before
    # leaving it out, the others are decided
    decision = decide_cluster(user=users["prov_reviewer"], key=cluster["key"], kind="build_once",
                              demand_ids=[d.pk for d in demands], project_name="全省智慧停车", project_budget="1000000")
    assert decision.savings == Decimal("2500000.00")
    assert Demand.objects.get(pk=late.pk).status == "municipal_review"


def test_a_merge_refused_by_the_doorway_undoes_everything(users, monkeypatch):
    demands, cluster = parking_cluster(users)
    before = state_of_world(demands)
    from projects.demands import transitions

    real = transitions.Merge.validate

    def refuse_second(self, demand, actor, comment, payload):
        if demand.pk == demands[1].pk:
            raise TransitionInvalid("refused for the test")
        return real(self, demand, actor, comment, payload)

    monkeypatch.setattr(transitions.Merge, "validate", refuse_second)
    with pytest.raises(TransitionInvalid) as err:
        decide_cluster(user=users["prov_reviewer"], key=cluster["key"], kind="build_once", project_name="P",
                       project_budget="100")
    assert demands[1].code in str(err.value.message)
    assert state_of_world(demands) == before


def test_reuse_sends_every_member_to_one_system(users, login):
    system = make_system("吉林省智慧停车管理平台", "全省统一的城市停车平台", ["iot", "payment"])
    demands, cluster = parking_cluster(users)
    login(users["prov_reviewer"]).post(reverse("projects:cluster_decide"), {
        "cluster": cluster["key"], "kind": "reuse", "demands": [d.pk for d in demands], "system": system.code.lower()})
    decision = ClusterDecision.objects.get()
    assert (decision.kind, decision.system, decision.savings) == ("reuse", system, Decimal("4000000.00"))
    assert sorted(Demand.objects.filter(pk__in=[d.pk for d in demands]).values_list("status", flat=True)) == ["reuse"] * 3
    assert sorted(system.user_orgs.values_list("code", flat=True)) == sorted(c for c, _b in BUDGETS)


def test_dismissing_a_cluster_needs_a_reason_and_changes_no_demand(users):
    demands, cluster = parking_cluster(users)
    with pytest.raises(TransitionInvalid) as err:
        decide_cluster(user=users["prov_reviewer"], key=cluster["key"], kind="dismiss", reason="  ")
    assert err.value.field_errors == {"reason": ["Please give the reason for dismissing this cluster."]}
    decision = decide_cluster(user=users["prov_reviewer"], key=cluster["key"], kind="dismiss", reason="各市停车规模差异大")
    assert (decision.kind, decision.savings, decision.members.count()) == ("dismiss", Decimal("0"), 3)
    assert [Demand.objects.get(pk=d.pk).status for d in demands] == ["provincial_review"] * 3
    assert AuditLog.objects.filter(machine="cluster", transition="dismiss", comment="各市停车规模差异大").count() == 1
    with pytest.raises(TransitionConflict):  # already decided since the last computation
        decide_cluster(user=users["prov_reviewer"], key=cluster["key"], kind="dismiss", reason="again")


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"project_budget": "abc"}, "project_budget", "Budget of the provincial project: enter an amount in CNY, e.g. 3000000.00."),
    ({"project_budget": "0"}, "project_budget", "Budget of the provincial project: it must be more than zero."),
    ({"project_budget": "4000000.01"}, "project_budget", "Budget of the provincial project: it is more than the members ask "
     "for together (4,000,000.00 CNY); building once must not cost more."),
    ({"project_name": "  "}, "project_name", "Name of the provincial project: this field is required."),
    ({"kind": "merge_all"}, "kind", "Choose a decision: build once, reuse an existing system, or dismiss."),
    ({"kind": "reuse", "system": "XT-9999"}, "system", "Choose a system of the catalogue that is not retired."),
    ({"demand_ids": ["x"]}, "demands", "Members: choose demands of this cluster."),
    ({"demand_ids": [-5]}, "demands", "Members: choose demands of this cluster."),
])
def test_bad_input_is_refused_with_a_message_naming_it_and_nothing_is_written(users, fields, field, message):
    demands, cluster = parking_cluster(users)
    before = state_of_world(demands)
    args = {"kind": "build_once", "project_name": "全省智慧停车", "project_budget": "1000000", **fields}
    with pytest.raises(TransitionInvalid) as err:
        decide_cluster(user=users["prov_reviewer"], key=cluster["key"], **args)
    assert err.value.field_errors == {field: [message]}
    assert state_of_world(demands) == before


def test_one_organization_is_no_cluster_to_build_once_for(users):
    demands, cluster = parking_cluster(users)
    with pytest.raises(TransitionInvalid) as err:
        decide_cluster(user=users["prov_reviewer"], key=cluster["key"], kind="build_once", demand_ids=[demands[0].pk],
                       project_name="P", project_budget="1")
    assert err.value.field_errors == {"demands": ["Members: choose demands of at least two organizations."]}


def test_an_unknown_cluster_is_refused(users):
    parking_cluster(users)
    with pytest.raises(TransitionConflict):
        decide_cluster(user=users["prov_reviewer"], key="d999999", kind="dismiss", reason="x")


@pytest.mark.parametrize("who", ["prov_approver", "coord_changchun", "auditor", "sub_changchun", "finance"])
def test_only_the_provincial_review_office_decides(users, login, who):
    demands, cluster = parking_cluster(users)
    before = state_of_world(demands)
    response = login(users[who]).post(reverse("projects:cluster_decide"), {"cluster": cluster["key"], "kind": "dismiss",
                                                                         "reason": "x"})
    assert response.status_code == 404
    with pytest.raises(TransitionForbidden):
        decide_cluster(user=users[who], key=cluster["key"], kind="dismiss", reason="x")
    assert state_of_world(demands) == before
    page = login(users[who]).get(reverse("projects:clusters"))
    assert 'data-testid="decide"' not in page.content.decode()


def test_the_page_refuses_who_may_not_see_clusters(users, login):
    assert login(users["sub_changchun"]).get(reverse("projects:clusters")).status_code == 403
    assert login(users["sub_changchun"]).get(reverse("projects:cluster_run_status")).status_code == 403


# --- two decisions at once --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_decisions_on_the_same_cluster_at_once_one_wins(users):
    from tests.projects.test_demand_concurrency import race

    demands, cluster = parking_cluster(users)
    reviewer = users["prov_reviewer"]

    def build(budget):
        return lambda: decide_cluster(user=reviewer, key=cluster["key"], kind="build_once", project_name="全省智慧停车",
                                      project_budget=budget).pk

    def dismiss():
        return decide_cluster(user=reviewer, key=cluster["key"], kind="dismiss", reason="不统筹").pk

    outcomes = race(build("1000000"), build("2000000"), dismiss)
    assert sorted(o[0] for o in outcomes) == ["conflict", "conflict", "ok"], outcomes
    decision = ClusterDecision.objects.get()
    assert decision.pk == next(o[1] for o in outcomes if o[0] == "ok")
    assert Project.objects.filter(name="全省智慧停车").count() == (1 if decision.kind == "build_once" else 0)
    assert AuditLog.objects.filter(machine="cluster").count() == 1
    statuses = set(Demand.objects.filter(pk__in=[d.pk for d in demands]).values_list("status", flat=True))
    assert statuses == ({"merged"} if decision.kind == "build_once" else {"provincial_review"})
    assert SavingsEntry.objects.filter(demand__in=demands).count() == (3 if decision.kind == "build_once" else 0)


def test_build_once_resolves_the_members_flags_on_one_another_as_merged(users):
    from projects.redundancy.flags import run_check
    from projects.redundancy.models import RedundancyFlag

    demands, cluster = parking_cluster(users)
    for d in demands:
        run_check(d)
    ids = {d.pk for d in demands}
    among = RedundancyFlag.objects.filter(demand_id__in=ids, candidate_kind="demand", candidate_id__in=ids)
    assert among.count() == 6 and set(among.values_list("state", flat=True)) == {"pending"}
    decide_cluster(user=users["prov_reviewer"], key=cluster["key"], kind="build_once", project_name="全省智慧停车",
                   project_budget="1000000")
    assert set(among.values_list("state", flat=True)) == {"merged"}
    assert AuditLog.objects.filter(machine="state", transition="merge", object_id__in=among.values("pk")).count() == 6


# --- the API --------------------------------------------------------------------------------


def test_the_api_decides_build_once_and_lists_the_decision(users, api):
    demands, cluster = parking_cluster(users)
    client = api.as_user(users["prov_reviewer"])
    response = client.post("/api/v1/redundancy/cluster-decisions/", {
        "cluster": cluster["key"], "kind": "build_once", "project_name": "全省智慧停车平台", "project_budget": "1500000"},
        format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["members_total"], body["project_budget"], body["savings"]) == (
        "build_once", "4000000.00", "1500000.00", "2500000.00")
    assert sorted(body["demands"]) == sorted(d.pk for d in demands)
    assert body["project_code"] == Project.objects.get(pk=body["project"]).code
    listed = client.get("/api/v1/redundancy/cluster-decisions/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    # a coordinator of another city sees members it may not see: not listed
    assert api.as_user(users["coord_jilin"]).get("/api/v1/redundancy/cluster-decisions/").json()["count"] == 0


def test_the_api_refuses_bad_input_others_and_late_decisions(users, api):
    demands, cluster = parking_cluster(users)
    url = "/api/v1/redundancy/cluster-decisions/"
    before = state_of_world(demands)
    reviewer = api.as_user(users["prov_reviewer"])
    response = reviewer.post(url, {"cluster": cluster["key"], "kind": "build_once", "project_name": "P",
                                   "project_budget": "abc"}, format="json")
    assert response.status_code == 400
    assert response.json()["project_budget"] == ["Budget of the provincial project: enter an amount in CNY, e.g. 3000000.00."]
    assert reviewer.post(url, {"kind": "dismiss"}, format="json").status_code == 400
    assert api.as_user(users["prov_approver"]).post(url, {"cluster": cluster["key"], "kind": "dismiss", "reason": "x"},
                                                    format="json").status_code == 403
    assert state_of_world(demands) == before
    reviewer = api.as_user(users["prov_reviewer"])  # one client: the credentials are the last user's
    assert reviewer.post(url, {"cluster": cluster["key"], "kind": "dismiss", "reason": "x"}, format="json").status_code == 201
    assert reviewer.post(url, {"cluster": cluster["key"], "kind": "dismiss", "reason": "y"}, format="json").status_code == 409


def test_the_api_gives_the_decision_figures_to_the_provincial_office(users, api):
    assert api.as_user(users["auditor"]).get("/api/v1/redundancy/decisions/").json()["decisions"] == 0
    assert api.as_user(users["sub_changchun"]).get("/api/v1/redundancy/decisions/").status_code == 403


def test_a_decision_on_part_of_a_cluster_is_named_by_the_members_decided_on(users):
    demands, cluster = parking_cluster(users)
    decision = decide_cluster(user=users["prov_reviewer"], key=cluster["key"], kind="build_once",
                              demand_ids=[d.pk for d in demands[:2]], project_name="P", project_budget="1000")
    assert (cluster["label"], decision.label) == ("智慧停车平台 · 3 cities", "智慧停车平台 · 2 cities")
    assert Demand.objects.get(pk=demands[2].pk).status == "provincial_review"


def test_the_page_says_where_a_decided_demand_went(users, login):
    demands, cluster = parking_cluster(users)
    client = login(users["prov_reviewer"])
    client.post(reverse("projects:cluster_decide"), {
        "cluster": cluster["key"], "kind": "build_once", "demands": [d.pk for d in demands],
        "project_name": "全省智慧停车平台（省级统筹）", "project_budget": "1,500,000.00", "reason": "省建市用"})
    compute_clusters()
    demand = Demand.objects.select_related("project").get(pk=demands[0].pk)
    page = client.get(reverse("projects:clusters") + f"?demand={demand.pk}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Demand {demand.code} was merged into project {demand.project.code}: it is in no cluster any more." in page
