"""Who hears of a transition: the people who must act next and the bureau's submitters, once each."""

import pytest
from django.core import mail

from core.errors import TransitionInvalid
from core.models import Notification
from organizations.choices import Role
from organizations.models import User
from projects.demands.choices import DemandStatus as S
from projects.demands.services import demand_transition
from tests.projects.factories import DemandFactory, org, walk


@pytest.fixture
def people(users):
    """Everyone with an e-mail address, plus a colleague of sub_changchun in the same bureau."""
    colleague = User.objects.create_user("sub_changchun_2", email="colleague@example.invalid", role=Role.SUBMITTER,
                                         organization=org("220100-jyj"), display_name="马科员")
    for name, user in users.items():
        user.email = f"{name}@example.invalid"
        user.save(update_fields=["email"])
    return {**users, "colleague": colleague}


def received(user):
    return list(Notification.objects.filter(recipient=user).values_list("verb", flat=True))


def fire(demand, name, actor, capture, **kw):
    with capture(execute=True):
        demand_transition(demand=demand, name=name, actor=actor, **kw)


@pytest.mark.django_db
def test_submit_tells_the_city_coordinator_and_the_colleagues_once(people, django_capture_on_commit_callbacks):
    demand = DemandFactory()
    fire(demand, "submit", people["sub_changchun"], django_capture_on_commit_callbacks)
    assert received(people["coord_changchun"]) == ["demand.submit"]
    assert received(people["colleague"]) == ["demand.submit"]
    assert received(people["sub_changchun"]) == []  # the actor knows
    for other in ("coord_jilin", "coord_siping", "prov_reviewer", "prov_approver", "sub_jilin", "auditor"):
        assert received(people[other]) == []
    assert sorted(m.to[0] for m in mail.outbox) == ["colleague@example.invalid", "coord_changchun@example.invalid"]
    coordinator_note = Notification.objects.get(recipient=people["coord_changchun"])
    assert demand.code in coordinator_note.message
    assert coordinator_note.url == f"/demands/{demand.pk}/"


@pytest.mark.django_db
def test_municipal_approval_tells_provincial_reviewers_and_the_submitters(people, django_capture_on_commit_callbacks):
    demand = walk(DemandFactory(), S.MUNICIPAL_REVIEW, people)
    Notification.objects.all().delete()
    mail.outbox.clear()
    fire(demand, "municipal_approve", people["coord_changchun"], django_capture_on_commit_callbacks)
    assert received(people["prov_reviewer"]) == ["demand.municipal_approve"]
    assert received(people["sub_changchun"]) == ["demand.municipal_approve"]
    assert received(people["colleague"]) == ["demand.municipal_approve"]
    assert received(people["prov_approver"]) == []
    assert received(people["coord_changchun"]) == []
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_expert_review_tells_the_approvers(people, django_capture_on_commit_callbacks):
    from decimal import Decimal

    second = User.objects.create_user("prov_approver_2", role=Role.PROVINCIAL_APPROVER, organization=org("220000-zwj"))
    demand = walk(DemandFactory(budget_software=Decimal("6000000")), S.PROVINCIAL_REVIEW, people)
    Notification.objects.all().delete()
    fire(demand, "provincial_approve", people["prov_approver"], django_capture_on_commit_callbacks)
    assert demand.status == S.EXPERT_REVIEW
    assert received(second) == ["demand.provincial_approve"]
    assert received(people["prov_approver"]) == []  # the actor
    assert received(people["prov_reviewer"]) == []
    assert received(people["sub_changchun"]) == ["demand.provincial_approve"]


@pytest.mark.django_db
def test_return_tells_the_submitters_once_with_the_comment(people, django_capture_on_commit_callbacks):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, people)
    Notification.objects.all().delete()
    fire(demand, "return_for_revision", people["prov_reviewer"], django_capture_on_commit_callbacks,
         comment="请补充与省统一身份认证平台的对接方案")
    notes = Notification.objects.filter(recipient=people["sub_changchun"])
    assert notes.count() == 1
    assert "请补充与省统一身份认证平台的对接方案" in notes.get().message
    assert Notification.objects.filter(recipient=people["colleague"]).count() == 1
    assert Notification.objects.exclude(recipient__in=[people["sub_changchun"], people["colleague"]]).count() == 0


@pytest.mark.django_db
def test_refused_transition_tells_nobody(people, django_capture_on_commit_callbacks):
    demand = walk(DemandFactory(), S.PROVINCIAL_REVIEW, people)
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionInvalid):
        demand_transition(demand=demand, name="reject", actor=people["prov_reviewer"], comment="")
    assert (Notification.objects.count(), len(mail.outbox)) == (0, 0)


@pytest.mark.django_db
def test_nothing_is_sent_before_the_commit(people, django_capture_on_commit_callbacks):
    demand = DemandFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        demand_transition(demand=demand, name="submit", actor=people["sub_changchun"])
        assert Notification.objects.count() == 0
    assert Notification.objects.count() == 0
    for callback in callbacks:  # the commit happens: now they hear of it
        callback()
    assert received(people["coord_changchun"]) == ["demand.submit"]


@pytest.mark.django_db
def test_unread_count_shows_in_the_header(people, login, django_capture_on_commit_callbacks):
    demand = DemandFactory()
    fire(demand, "submit", people["sub_changchun"], django_capture_on_commit_callbacks)
    page = login(people["coord_changchun"]).get("/")
    assert '<span class="badge rounded-pill bg-danger" data-testid="unread-count">1</span>' in page.content.decode()
