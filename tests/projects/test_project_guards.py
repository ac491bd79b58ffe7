"""Guards between the machines: each one blocking (with its message) and passing."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile

from core.errors import TransitionConflict
from core.models import AuditLog
from projects.delivery.services import project_transition
from projects.delivery.workflows import (
    has_acceptance_document,
    has_approved_budget,
    has_every_item_delivered,
    has_hardware_items,
    has_no_open_disbursement,
    is_development_delivered,
    is_funding_allocated,
    is_hardware_ready,
)
from projects.models import Project

from .project_factories import PDF, MilestoneFactory, ProjectFactory, acceptance_milestone, hardware_item

pytestmark = pytest.mark.django_db


def logged(project) -> int:
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Project), object_id=project.pk).count()


def assert_blocked(users, project, machine, name, actor, guard):
    field = f"{machine}_status"
    before = getattr(project, field)
    with pytest.raises(TransitionConflict) as err:
        project_transition(project=project, machine=machine, name=name, actor=users[actor])
    assert err.value.guards == [str(guard.guard_message)]
    assert err.value.state == before
    assert str(guard.guard_message) in str(err.value.message)
    assert getattr(Project.objects.get(pk=project.pk), field) == before
    assert logged(project) == 0


@pytest.mark.parametrize("funding", ["unfunded", "budgeted"])
def test_development_cannot_start_before_funding_is_allocated(users, funding):
    project = ProjectFactory(funding_status=funding)
    assert_blocked(users, project, "development", "start", "pm", is_funding_allocated)


@pytest.mark.parametrize("funding", ["allocated", "disbursing", "settled"])
def test_development_starts_once_funding_is_allocated(users, funding):
    project = ProjectFactory(funding_status=funding)
    project_transition(project=project, machine="development", name="start", actor=users["pm"])
    assert Project.objects.get(pk=project.pk).development_status == "requirements"


@pytest.mark.parametrize("hardware", ["planning", "requested", "procuring", "delivered"])
def test_acceptance_needs_the_hardware_accepted_or_waived(users, hardware):
    project = ProjectFactory(hardware_status=hardware, funding_status="allocated", development_status="testing")
    assert_blocked(users, project, "development", "submit_acceptance", "pm", is_hardware_ready)


@pytest.mark.parametrize("hardware", ["accepted", "not_required"])
def test_acceptance_passes_with_hardware_accepted_or_waived(users, hardware):
    project = ProjectFactory(hardware_status=hardware, funding_status="allocated", development_status="testing")
    project_transition(project=project, machine="development", name="submit_acceptance", actor=users["pm"])
    assert Project.objects.get(pk=project.pk).development_status == "acceptance"


@pytest.mark.parametrize("development", ["not_started", "requirements", "design", "building", "testing", "acceptance"])
def test_trial_run_needs_the_development_delivered(users, development):
    project = ProjectFactory(development_status=development)
    assert_blocked(users, project, "operations", "start_trial", "ops", is_development_delivered)


def test_trial_run_starts_once_the_development_is_delivered(users):
    project = ProjectFactory(development_status="delivered")
    project_transition(project=project, machine="operations", name="start_trial", actor=users["ops"])
    assert Project.objects.get(pk=project.pk).operations_status == "trial"


def test_budgeting_needs_an_approved_budget(users):
    project = ProjectFactory(approved_budget=Decimal("0.00"))
    assert_blocked(users, project, "funding", "budget", "finance", has_approved_budget)


def test_budgeting_passes_with_a_budget_line(users):
    from tests.budgets.factories import LineFactory

    project = ProjectFactory(approved_budget=Decimal("100.00"))
    LineFactory(project=project, amount=Decimal("100.00"))
    project_transition(project=project, machine="funding", name="budget", actor=users["finance"])
    assert Project.objects.get(pk=project.pk).funding_status == "budgeted"


def test_settlement_needs_no_open_disbursement(users):
    from tests.budgets.factories import DisbursementFactory, LineFactory

    project = ProjectFactory(funding_status="disbursing", development_status="delivered")
    DisbursementFactory(budget_line=LineFactory(project=project), status="approved")
    assert_blocked(users, project, "funding", "settle", "finance", has_no_open_disbursement)


def test_settlement_passes_with_every_disbursement_closed(users):
    from tests.budgets.factories import DisbursementFactory, LineFactory

    project = ProjectFactory(funding_status="disbursing", development_status="delivered")
    DisbursementFactory(budget_line=LineFactory(project=project), status="paid")
    project_transition(project=project, machine="funding", name="settle", actor=users["finance"])
    assert Project.objects.get(pk=project.pk).funding_status == "settled"


def test_budgeting_reads_the_budgets_extension_point(users):
    project = ProjectFactory(approved_budget=Decimal("100.00"))  # an approved budget, but no budget line
    assert_blocked(users, project, "funding", "budget", "finance", has_approved_budget)


def test_guard_message_is_in_the_users_language(users):
    from django.utils import translation

    project = ProjectFactory(funding_status="unfunded")
    with translation.override("en"), pytest.raises(TransitionConflict) as err:
        project_transition(project=project, machine="development", name="start", actor=users["pm"])
    assert err.value.guards == ["funding has not been allocated: waiting for finance to allocate the funds"]
    with translation.override("zh-hans"), pytest.raises(TransitionConflict) as err:
        project_transition(project=project, machine="development", name="start", actor=users["pm"])
    assert err.value.guards == ["资金未下达，等待财务下达资金"]


# ---- the facts the lanes rest on (issue 12 item 5) ----


def test_hardware_request_needs_an_item_on_the_project(users):
    project = ProjectFactory()
    assert_blocked(users, project, "hardware", "request", "pm", has_hardware_items)


@pytest.mark.parametrize("item", [{"unit_cost": Decimal("0.00")}, {"status": "retired"}])
def test_hardware_request_needs_an_item_with_a_cost_that_still_counts(users, item):
    project = ProjectFactory()
    hardware_item(project, **item)
    assert_blocked(users, project, "hardware", "request", "pm", has_hardware_items)


def test_hardware_request_passes_with_an_item_and_its_cost(users):
    project = ProjectFactory()
    hardware_item(project, unit_cost=Decimal("0.01"))
    project_transition(project=project, machine="hardware", name="request", actor=users["pm"])
    assert Project.objects.get(pk=project.pk).hardware_status == "requested"


def test_an_item_of_another_project_does_not_count(users):
    project, other = ProjectFactory(), ProjectFactory()
    hardware_item(other, status="delivered")
    assert_blocked(users, project, "hardware", "request", "pm", has_hardware_items)
    assert_blocked(users, ProjectFactory(hardware_status="delivered"), "hardware", "accept", "pm", has_every_item_delivered)


@pytest.mark.parametrize("pending", ["planned", "ordered"])
def test_hardware_acceptance_needs_every_item_delivered(users, pending):
    project = ProjectFactory(hardware_status="delivered")
    hardware_item(project, status="delivered")
    hardware_item(project, status=pending, name="数据库服务器")
    assert_blocked(users, project, "hardware", "accept", "pm", has_every_item_delivered)


def test_hardware_acceptance_needs_items_at_all(users):
    assert_blocked(users, ProjectFactory(hardware_status="delivered"), "hardware", "accept", "pm", has_every_item_delivered)


@pytest.mark.parametrize("statuses", [["delivered"], ["delivered", "in_service"], ["in_service", "retired"]])
def test_hardware_acceptance_passes_with_every_item_delivered(users, statuses):
    project = ProjectFactory(hardware_status="delivered")
    for status in statuses:
        hardware_item(project, status=status)
    project_transition(project=project, machine="hardware", name="accept", actor=users["pm"])
    assert Project.objects.get(pk=project.pk).hardware_status == "accepted"


def test_delivery_needs_an_acceptance_milestone(users):
    project = ProjectFactory(development_status="acceptance", hardware_status="accepted")
    milestone = MilestoneFactory(project=project, name="系统测试完成")  # a step of the plan, even with a document, is no acceptance
    milestone.document.save("测试报告.pdf", ContentFile(PDF))
    assert_blocked(users, project, "development", "deliver", "pm", has_acceptance_document)


def test_delivery_needs_the_acceptance_document(users):
    project = ProjectFactory(development_status="acceptance", hardware_status="accepted")
    acceptance_milestone(project, document=False)
    assert_blocked(users, project, "development", "deliver", "pm", has_acceptance_document)


def test_delivery_passes_with_the_signed_acceptance_document(users):
    project = ProjectFactory(development_status="acceptance", hardware_status="accepted")
    acceptance_milestone(project)
    project_transition(project=project, machine="development", name="deliver", actor=users["pm"])
    assert Project.objects.get(pk=project.pk).development_status == "delivered"


@pytest.mark.parametrize("condition", [has_hardware_items, has_every_item_delivered, has_acceptance_document,
                                       is_funding_allocated, is_hardware_ready, is_development_delivered])
def test_lane_guards_are_pure_conditions_with_a_rule_and_a_message_naming_who_acts(condition):
    assert condition.__name__.startswith(("is_", "has_"))
    assert condition.__doc__ and "\n" not in condition.__doc__.strip()
    from django.utils import translation

    with translation.override("en"):
        assert "waiting for" in str(condition.guard_message)
    with translation.override("zh-hans"):
        assert "等待" in str(condition.guard_message)
