"""The review's services: conflicts of interest, bad inputs refused with clear messages in both languages,
the reviewer's opinion in the approver's queue and on top of the page, the budget cut."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from core.errors import TransitionConflict, TransitionInvalid
from core.models import AuditLog
from projects import ports
from projects.demands.choices import DemandStatus as S
from projects.demands.models import ExpertAssignment, ReviewOpinion
from projects.demands.review_services import assign_panel, record_opinion, submit_expert_opinion
from projects.demands.selectors import review_queue_for, suggest_experts
from projects.demands.services import demand_transition
from tests.projects.factories import PDF, DemandFactory, big_demand, walk
from tests.projects.review_factories import ensure_panel_experts, expert_profile, give_opinions, seat_panel, soon

pytestmark = pytest.mark.django_db


@pytest.fixture
def expert_demand(users):
    return walk(big_demand(), S.EXPERT_REVIEW, users)


def refusal(call, lang):
    with translation.override(lang), pytest.raises(TransitionInvalid) as err:
        call()
    return err.value


# --------------------------------------------------------------------------------------- conflicts of interest


def test_suggestions_never_hold_an_expert_of_the_requesting_organization_or_declaring_a_conflict(users, expert_demand):
    experts = ensure_panel_experts(users)
    from organizations.models import User

    same_org = User.objects.create(username="expert_same", role="expert", organization=expert_demand.org)
    expert_profile(same_org)
    expert_profile(experts[1], conflicts=[expert_demand.org])
    names = {p.user.username for p in suggest_experts(expert_demand, users["prov_reviewer"])}
    assert names == {"expert_wang", "expert_zhao"}


@pytest.mark.parametrize(("lang", "words"), [("en", "Conflict of interest"), ("zh-hans", "利益冲突")])
def test_a_conflicted_expert_is_refused(users, expert_demand, lang, words):
    experts = ensure_panel_experts(users)
    expert_profile(experts[2], conflicts=[expert_demand.org])
    err = refusal(lambda: assign_panel(demand=expert_demand, actor=users["prov_reviewer"], experts=experts, deadline=soon()), lang)
    assert words in err.message and str(experts[2]) in err.message
    assert list(err.field_errors) == ["experts"]
    assert not ExpertAssignment.objects.filter(demand=expert_demand).exists()


def test_an_expert_of_the_requesting_organization_is_refused(users, expert_demand):
    from organizations.models import User

    same_org = User.objects.create(username="expert_same", role="expert", organization=expert_demand.org)
    expert_profile(same_org)
    experts = ensure_panel_experts(users)[:2] + [same_org]
    err = refusal(lambda: assign_panel(demand=expert_demand, actor=users["prov_reviewer"], experts=experts, deadline=soon()), "en")
    assert "Conflict of interest" in err.message


# --------------------------------------------------------------------------------------- bad inputs

@pytest.mark.parametrize(("lang", "words"), [("en", "at least 3 experts: choose 1 more"), ("zh-hans", "至少3名专家")])
def test_a_panel_of_two_is_refused(users, expert_demand, lang, words):
    experts = ensure_panel_experts(users)[:2]
    err = refusal(lambda: assign_panel(demand=expert_demand, actor=users["prov_reviewer"], experts=experts, deadline=soon()), lang)
    assert words in err.message
    assert not ExpertAssignment.objects.filter(demand=expert_demand).exists()


@pytest.mark.parametrize(("lang", "words"), [("en", "The deadline must be in the future."), ("zh-hans", "截止时间必须晚于现在")])
def test_a_deadline_in_the_past_is_refused(users, expert_demand, lang, words):
    experts = ensure_panel_experts(users)
    past = timezone.now() - timedelta(days=1)
    err = refusal(lambda: assign_panel(demand=expert_demand, actor=users["prov_reviewer"], experts=experts, deadline=past), lang)
    assert words in err.message
    err = refusal(lambda: assign_panel(demand=expert_demand, actor=users["prov_reviewer"], experts=experts,
                                       deadline=(timezone.localdate() - timedelta(days=1)).isoformat()), lang)
    assert words in err.message


@pytest.mark.parametrize(("lang", "words"), [("en", "already been given"), ("zh-hans", "已经提交")])
def test_an_opinion_twice_is_refused(users, expert_demand, lang, words):
    seat_panel(expert_demand, users)
    (done,) = give_opinions(expert_demand, users, verdicts=("agree",))
    with translation.override(lang), pytest.raises(TransitionConflict) as err:
        submit_expert_opinion(assignment=ExpertAssignment.objects.get(pk=done.pk), actor=done.expert, verdict="disagree",
                              comments="改主意", recommended_budget=None)
    assert words in err.value.message
    fresh = ExpertAssignment.objects.get(pk=done.pk)
    assert (fresh.verdict, fresh.comments) == ("agree", "")


@pytest.mark.parametrize(("typed", "lang", "words"), [
    ("-100", "en", "is negative"), ("-100", "zh-hans", "负数"),
    ("1000.123", "en", "more than two decimal places"), ("1000.123", "zh-hans", "两位小数"),
])
def test_a_negative_or_over_precise_recommended_budget_is_refused(users, expert_demand, typed, lang, words):
    seat_panel(expert_demand, users)
    a = expert_demand.expert_assignments.order_by("pk").first()
    err = refusal(lambda: submit_expert_opinion(assignment=a, actor=a.expert, verdict="agree", recommended_budget=typed), lang)
    assert words in err.message and list(err.field_errors) == ["recommended_budget"]
    assert ExpertAssignment.objects.get(pk=a.pk).state == "assigned"


@pytest.mark.parametrize(("lang", "words"), [("en", "is a program (a Windows executable), not a PDF file"),
                                              ("zh-hans", "Windows")])
def test_a_renamed_exe_as_the_signed_file_is_refused(users, expert_demand, settings, tmp_path, lang, words):
    settings.MEDIA_ROOT = tmp_path
    seat_panel(expert_demand, users)
    a = expert_demand.expert_assignments.order_by("pk").first()
    exe = SimpleUploadedFile("专家意见.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    err = refusal(lambda: submit_expert_opinion(assignment=a, actor=a.expert, verdict="agree",
                                                recommended_budget="600万", signed_file=exe), lang)
    assert words in err.message and "专家意见.pdf" in err.message
    assert ExpertAssignment.objects.get(pk=a.pk).state == "assigned"
    assert list(tmp_path.rglob("*.pdf")) == []


def test_a_signed_pdf_is_kept_with_the_opinion(users, expert_demand, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seat_panel(expert_demand, users)
    a = expert_demand.expert_assignments.order_by("pk").first()
    submit_expert_opinion(assignment=a, actor=a.expert, verdict="agree_with_conditions", comments="压缩硬件",
                          recommended_budget="550万", signed_file=SimpleUploadedFile("王教授意见.pdf", PDF))
    fresh = ExpertAssignment.objects.get(pk=a.pk)
    assert (fresh.state, fresh.verdict, fresh.recommended_budget, fresh.signed_file_name) == (
        "submitted", "agree_with_conditions", Decimal("5500000.00"), "王教授意见.pdf")


def test_disagreeing_or_conditions_need_comments(users, expert_demand):
    seat_panel(expert_demand, users)
    a = expert_demand.expert_assignments.order_by("pk").first()
    err = refusal(lambda: submit_expert_opinion(assignment=a, actor=a.expert, verdict="disagree", recommended_budget=None), "en")
    assert list(err.field_errors) == ["comments"]


# --------------------------------------------------------------------------------------- the reviewer's opinion


def test_reviewer_opinion_bad_inputs(users):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    rev = users["prov_reviewer"]
    err = refusal(lambda: record_opinion(demand=demand, actor=rev, recommendation="approve", recommended_budget="-1"), "en")
    assert "is negative" in err.message
    err = refusal(lambda: record_opinion(demand=demand, actor=rev, recommendation="approve", recommended_budget="2000000"), "zh-hans")
    assert "高于申报总额" in err.message
    err = refusal(lambda: record_opinion(demand=demand, actor=rev, recommendation="approve", recommended_budget="100万"), "en")
    assert list(err.field_errors) == ["reason"]  # a cut says why
    assert not ReviewOpinion.objects.exists()
    from core.errors import TransitionForbidden

    with pytest.raises(TransitionForbidden):
        record_opinion(demand=demand, actor=users["prov_approver"], recommendation="approve")


def test_the_approvers_queue_shows_reviewed_demands_first(users):
    plain = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    reviewed = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    record_opinion(demand=reviewed, actor=users["prov_reviewer"], recommendation="approve")
    order = [d.pk for d in review_queue_for(users["prov_approver"]) if d.pk in (plain.pk, reviewed.pk)]
    assert order == [reviewed.pk, plain.pk]
    order = [d.pk for d in review_queue_for(users["prov_reviewer"]) if d.pk in (plain.pk, reviewed.pk)]
    assert order == [plain.pk, reviewed.pk]  # the reviewer's own queue: longest waiting first


def test_approving_as_recommended_keeps_both_figures_and_records_the_cut(users, monkeypatch):
    saved = []
    monkeypatch.setitem(ports._registry, "savings", lambda **kw: saved.append(kw))
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)  # 1,500,000 requested
    record_opinion(demand=demand, actor=users["prov_reviewer"], recommendation="approve", recommended_budget="120万",
                   reason="硬件使用省政务云")
    demand_transition(demand=demand, name="provincial_approve", actor=users["prov_approver"])
    demand.refresh_from_db()
    assert (demand.status, demand.budget_total, demand.approved_budget) == (S.APPROVED, Decimal("1500000.00"), Decimal("1200000.00"))
    assert demand.project.approved_budget == Decimal("1200000.00")
    assert [(s["decision"], s["amount"], s["demand"].pk) for s in saved] == [("budget_cut", Decimal("300000.00"), demand.pk)]
    row = AuditLog.objects.filter(object_id=demand.pk, machine="status", transition="provincial_approve").get()
    assert row.payload == {"approved_budget": "1200000.00"}


def test_approving_without_an_opinion_is_possible_and_marked_in_the_log(users, login, monkeypatch):
    saved = []
    monkeypatch.setitem(ports._registry, "savings", lambda **kw: saved.append(kw))
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    page = login(users["prov_approver"]).get(f"/demands/{demand.pk}/").content.decode()
    assert 'data-testid="no-opinion"' in page
    demand_transition(demand=demand, name="provincial_approve", actor=users["prov_approver"])
    row = AuditLog.objects.filter(object_id=demand.pk, machine="status", transition="provincial_approve").get()
    assert row.payload == {"without_opinion": True}
    assert saved == [] and demand.project.approved_budget == Decimal("1500000.00")


def test_expert_approve_defaults_to_the_median_of_the_panel(users, monkeypatch):
    saved = []
    monkeypatch.setitem(ports._registry, "savings", lambda **kw: saved.append(kw))
    demand = walk(DemandFactory(budget_software=Decimal("6600000.00")), S.EXPERT_REVIEW, users)  # 7,300,000
    seat_panel(demand, users)
    give_opinions(demand, users, verdicts=("agree", "agree_with_conditions", "disagree"),
                  budgets=["7000000", "6000000", None])
    demand_transition(demand=demand, name="expert_approve", actor=users["prov_approver"])
    demand.refresh_from_db()
    assert (demand.approved_budget, demand.project.approved_budget) == (Decimal("6500000.00"), Decimal("6500000.00"))
    assert [s["amount"] for s in saved] == [Decimal("800000.00")]


def test_an_approved_budget_typed_by_the_approver_wins_and_is_checked(users):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    err = refusal(lambda: demand_transition(demand=demand, name="provincial_approve", actor=users["prov_approver"],
                                            approved_budget="1000.001"), "en")
    assert list(err.field_errors) == ["approved_budget"]
    demand_transition(demand=demand, name="provincial_approve", actor=users["prov_approver"], approved_budget="140万")
    assert demand.approved_budget == Decimal("1400000.00")


def test_seed_data_has_the_pool_the_panels_and_the_requests(users):
    from django.core.management import call_command

    call_command("seed_demo", "--only", "organizations", "--only", "catalogue", verbosity=0)
    from projects.demands import review_seed
    from projects.demands import seed as demand_seed
    from projects.demands.models import AuthorizationRequest, ExpertProfile

    class Ctx:
        password, scale, quiet = "seed-pass-2026", 1, True

        @staticmethod
        def progress(it, total, desc):
            class Bar:
                def update(self, n): pass
                def close(self): pass
            return Bar()

    monkey_scale = 300
    demand_seed.PER_SCALE, old = monkey_scale, demand_seed.PER_SCALE
    try:
        import io

        from core.seeding import SeedContext

        ctx = SeedContext(password="seed-pass-2026", scale=1, stdout=io.StringIO(), quiet=True)
        demand_seed.run(ctx)
        review_seed.run(ctx)
        again = review_seed.run(ctx)
    finally:
        demand_seed.PER_SCALE = old
    assert ExpertProfile.objects.filter(user__is_active=True).count() >= 20
    states = set(ExpertAssignment.objects.values_list("state", flat=True))
    verdicts = set(ExpertAssignment.objects.exclude(verdict="").values_list("verdict", flat=True))
    assert states == {"assigned", "submitted", "declined", "replaced"}
    assert verdicts == {"agree", "agree_with_conditions", "disagree"}
    assert set(AuthorizationRequest.objects.values_list("state", flat=True)) == {
        "pending", "granted", "refused", "revoked", "expired", "withdrawn"}
    assert "0 new" in again and "0 panels, 0 opinions, 0 authorization requests new" in again
