"""Budget changes as a new user met them: a cut below the lines is refused at proposal naming the
lines' total; an approver sees why approve is missing; approvers and the proposer are told; a long
reason is shown shortened with the whole text one click away."""

from decimal import Decimal

import pytest
from django.urls import reverse

from budgets import services
from budgets.models import BudgetChange
from core.errors import TransitionConflict
from core.models import Notification
from tests.budgets.factories import funded_project

pytestmark = pytest.mark.django_db


def test_a_cut_below_the_lines_is_refused_at_proposal_naming_their_total(users):
    project, _line = funded_project(budget="1000000.00", line="800000.00")
    with pytest.raises(TransitionConflict) as err:
        services.propose_budget_change(project=project, actor=users["pm"], new_amount="700000", reason="压减")
    assert "800,000.00" in str(err.value.message) and "budget lines" in str(err.value.message)
    assert not BudgetChange.objects.exists()
    # down to the lines' total is accepted
    assert services.propose_budget_change(project=project, actor=users["pm"], new_amount="800000", reason="压减").pk


def test_the_page_refuses_the_cut_and_keeps_what_was_typed(client, users):
    project, _line = funded_project(budget="1000000.00", line="800000.00")
    client.force_login(users["pm"])
    page = client.post(reverse("budgets:budget_change_propose", args=[project.pk]), {"new_amount": "700000", "reason": "压减一期"},
                       follow=True).content.decode()
    assert "800,000.00" in page and not BudgetChange.objects.exists()
    assert 'value="700000"' in page and "\n压减一期</textarea>" in page


def test_the_approver_sees_why_approve_is_missing(client, users):
    project, line = funded_project(line="800000.00")
    change = services.propose_budget_change(project=project, actor=users["pm"], new_amount="900000", reason="压减")
    line.amount = Decimal("1000000.00")
    line.save(update_fields=["amount"])
    client.force_login(users["prov_approver"])
    for url in (reverse("budgets:budget_changes"), reverse("budgets:project_money", args=[project.pk])):
        page = client.get(url).content.decode()
        assert f'data-testid="change-approve-{change.pk}"' not in page
        assert f'data-testid="change-reject-{change.pk}"' in page
        assert f'data-testid="change-approve-blocked-{change.pk}"' in page
        blocked = page.split(f'data-testid="change-approve-blocked-{change.pk}"')[1].split("</div>")[0]
        assert "1,000,000.00" in blocked and "text-danger" in blocked


def notes(user, verb):
    return list(Notification.objects.filter(recipient=user, verb=verb))


def test_approvers_are_told_of_a_proposal_and_the_proposer_of_the_decision(users, django_capture_on_commit_callbacks):
    project, _line = funded_project()
    with django_capture_on_commit_callbacks(execute=True):
        change = services.propose_budget_change(project=project, actor=users["pm"], new_amount="1200000", reason="扩容")
    told = notes(users["prov_approver"], "budget_change.proposed")
    assert len(told) == 1 and project.code in told[0].message and "1,200,000.00" in told[0].message
    assert not notes(users["pm"], "budget_change.proposed")
    with django_capture_on_commit_callbacks(execute=True):
        services.budget_change_transition(change=change, name="approve", actor=users["prov_approver"])
    assert len(notes(users["pm"], "budget_change.approved")) == 1


def test_the_proposer_is_told_of_a_rejection(users, django_capture_on_commit_callbacks):
    project, _line = funded_project()
    with django_capture_on_commit_callbacks(execute=True):
        change = services.propose_budget_change(project=project, actor=users["finance"], new_amount="1200000", reason="扩容")
        services.budget_change_transition(change=change, name="reject", actor=users["prov_approver"], comment="依据不足")
    assert len(notes(users["finance"], "budget_change.rejected")) == 1
    assert not notes(users["finance"], "budget_change.approved")


def test_a_refused_proposal_tells_nobody(users, django_capture_on_commit_callbacks):
    project, _line = funded_project()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionConflict):
        services.propose_budget_change(project=project, actor=users["pm"], new_amount="10", reason="压减")
    assert not Notification.objects.filter(verb__startswith="budget_change").exists()


def test_a_long_reason_is_shortened_with_the_whole_text_at_hand(client, users):
    project, _line = funded_project()
    reason = "扩" * 2990 + "最后十个字在这里结束"
    change = BudgetChange.objects.create(project=project, old_amount=project.approved_budget, new_amount=Decimal("1200000.00"),
                                         reason=reason, proposed_by=users["pm"])
    client.force_login(users["prov_approver"])
    for url in (reverse("budgets:budget_changes"), reverse("budgets:project_money", args=[project.pk])):
        page = client.get(url).content.decode()
        assert f'data-testid="change-reason-{change.pk}"' in page
        assert "最后十个字在这里结束" in page  # the whole text, inside the <details>
        summary = page.split(f'data-testid="change-reason-{change.pk}"><summary>')[1].split("</summary>")[0]
        assert len(summary) <= 120
        assert 'style="' not in page.split('data-testid="budget-changes"')[1].split("</table>")[0]
