"""Budget lines entered, corrected and deleted on the project's money page, by finance or the
project's manager, with the import's rules and amounts as the import reads them; each change in
the audit log; everyone else refused, nothing changed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from budgets.models import BudgetLine
from core.models import AuditLog
from tests.budgets.factories import DisbursementFactory, LineFactory
from tests.projects.project_factories import ProjectFactory, org

pytestmark = pytest.mark.django_db


def money_page(project):
    return reverse("budgets:project_money", args=[project.pk])


def edit(line):
    return reverse("budgets:line_edit", args=[line.pk])


def body(amount, year=2026, source="provincial_fiscal", category="software", note=""):
    return {"fiscal_year": year, "source": source, "category": category, "amount": amount, "note": note}


def line_log(line_pk):
    return list(AuditLog.objects.filter(machine="budget_line", object_id=line_pk).order_by("pk").values_list("transition", "source", "target"))


@pytest.fixture
def project(users):
    return ProjectFactory(approved_budget=Decimal("1000000.00"))  # built by the pm's construction team


@pytest.mark.parametrize("username", ["finance", "pm"])
def test_finance_and_the_projects_manager_add_edit_and_delete_a_line(client, users, project, username):
    client.force_login(users[username])
    response = client.post(reverse("budgets:line_add", args=[project.pk]), body("50万"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Budget line added." in response.content.decode()
    line = BudgetLine.objects.get(project=project)
    assert line.amount == Decimal("500000.00")
    page = client.get(money_page(project)).content.decode()
    assert f'data-testid="line-edit-form-{line.pk}"' in page and f'data-testid="delete-line-{line.pk}"' in page
    response = client.post(edit(line), body("1,000,000", category="hardware", note="改为硬件"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Budget line saved." in response.content.decode()
    line.refresh_from_db()
    assert (line.amount, line.category, line.note) == (Decimal("1000000.00"), "hardware", "改为硬件")
    response = client.post(reverse("budgets:line_delete", args=[line.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Budget line deleted." in response.content.decode()
    assert not BudgetLine.objects.filter(pk=line.pk).exists()
    assert line_log(line.pk) == [("create", "", "500000.00"), ("update", "500000.00", "1000000.00"), ("delete", "1000000.00", "")]
    assert AuditLog.objects.filter(machine="budget_line", object_id=line.pk, actor=users[username]).count() == 3


def test_an_edit_above_the_approved_budget_is_refused_and_changes_nothing(client, users, project):
    line = LineFactory(project=project, amount=Decimal("600000.00"))
    LineFactory(project=project, category="hardware", amount=Decimal("300000.00"))
    client.force_login(users["pm"])
    response = client.post(edit(line), body("80万"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert ("The lines would exceed the approved budget of 1,000,000.00: 700,000.00 is left for new lines."
            in response.content.decode())
    line.refresh_from_db()
    assert line.amount == Decimal("600000.00") and line_log(line.pk) == []


@pytest.mark.parametrize(("amount", "message"), [
    ("12万元整", "Amount (CNY): “12万元整” is not an amount; write e.g. 500000, 1,200,000.00, ¥300,000, 50万 or 1.5亿."),
    ("0", "Amount: the amount must be above zero."),
    ("100.005", "Amount (CNY): “100.005” has more than two decimal places; amounts are counted to the fen (0.01)."),
])
def test_an_amount_the_import_would_refuse_is_refused_on_the_page(client, users, project, amount, message):
    line = LineFactory(project=project, amount=Decimal("600000.00"))
    client.force_login(users["finance"])
    response = client.post(edit(line), body(amount), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert message in response.content.decode()
    line.refresh_from_db()
    assert line.amount == Decimal("600000.00") and line_log(line.pk) == []


def test_a_line_never_drops_below_what_is_approved_and_paid_on_it(client, users, project):
    line = LineFactory(project=project, amount=Decimal("600000.00"))
    DisbursementFactory(budget_line=line, amount=Decimal("250000.00"), status="paid")
    DisbursementFactory(budget_line=line, amount=Decimal("100000.00"), status="approved")
    client.force_login(users["finance"])
    response = client.post(edit(line), body("300,000"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "The line cannot go below what is already approved and paid on it (350,000.00)." in response.content.decode()
    response = client.post(edit(line), body("350,000", year=2027), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "This line has disbursements: its fiscal year, source and category stay" in response.content.decode()
    client.post(edit(line), body("350,000"))
    line.refresh_from_db()
    assert (line.fiscal_year, line.amount) == (2026, Decimal("350000.00"))


def test_a_line_with_disbursements_is_not_deleted(client, users, project):
    line = LineFactory(project=project, amount=Decimal("600000.00"))
    DisbursementFactory(budget_line=line, amount=Decimal("1000.00"), status="rejected")
    client.force_login(users["finance"])
    assert f'data-testid="delete-line-{line.pk}"' not in client.get(money_page(project)).content.decode()
    response = client.post(reverse("budgets:line_delete", args=[line.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "This line has disbursements: it cannot be deleted" in response.content.decode()
    assert BudgetLine.objects.filter(pk=line.pk).exists() and line_log(line.pk) == []


def test_a_settled_projects_lines_do_not_change(client, users):
    project = ProjectFactory(funding_status="settled")
    line = LineFactory(project=project, amount=Decimal("600000.00"))
    client.force_login(users["finance"])
    assert 'data-testid="line-edit-form-' not in client.get(money_page(project)).content.decode()
    response = client.post(edit(line), body("1000"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert f"Project {project.code} is settled: its budget lines cannot change." in response.content.decode()
    line.refresh_from_db()
    assert line.amount == Decimal("600000.00")


@pytest.mark.parametrize("username", ["auditor", "prov_approver", "ops"])
def test_readers_of_the_project_may_not_change_its_lines(client, users, project, username):
    line = LineFactory(project=project, amount=Decimal("600000.00"))
    client.force_login(users[username])
    assert 'data-testid="line-edit-form-' not in client.get(money_page(project)).content.decode()
    assert client.post(edit(line), body("1000")).status_code == 403
    assert client.post(reverse("budgets:line_delete", args=[line.pk])).status_code == 403
    assert client.post(reverse("budgets:line_add", args=[project.pk]), body("1000", category="hardware")).status_code == 403
    line.refresh_from_db()
    assert line.amount == Decimal("600000.00") and BudgetLine.objects.filter(project=project).count() == 1


def test_a_project_manager_of_another_team_may_not_change_the_lines(client, users):
    other = ProjectFactory(construction_org=org("220100-jyj"), beneficiaries=[org("220100-jyj")])
    line = LineFactory(project=other, amount=Decimal("600000.00"))
    client.force_login(users["pm"])
    assert client.post(edit(line), body("1000")).status_code == 403
    assert client.post(reverse("budgets:line_delete", args=[line.pk])).status_code == 403
    line.refresh_from_db()
    assert line.amount == Decimal("600000.00")


def test_a_bureau_that_cannot_see_the_project_gets_404(client, users, project):
    line = LineFactory(project=project, amount=Decimal("600000.00"))
    client.force_login(users["sub_jilin"])
    assert client.post(edit(line), body("1000")).status_code == 404
    assert client.post(reverse("budgets:line_delete", args=[line.pk])).status_code == 404
