"""A refused form on a project's money page comes back with the error and what was typed (once)."""

from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from budgets.models import BudgetChange, BudgetLine, Disbursement
from tests.budgets.factories import LineFactory, funded_project
from tests.projects.project_factories import ProjectFactory

pytestmark = pytest.mark.django_db


def money(project):
    return reverse("budgets:project_money", args=[project.pk])


@pytest.mark.parametrize("amount,reason", [
    ("1200000", "扩" * 4100),  # too long: 最多 4000 个字符
    ("abc", "两个城市加入平台"),
    ("-5", "两个城市加入平台"),
])
def test_a_refused_budget_change_keeps_amount_and_reason(client, users, amount, reason):
    project, _line = funded_project()
    client.force_login(users["pm"])
    response = client.post(reverse("budgets:budget_change_propose", args=[project.pk]), {"new_amount": amount, "reason": reason},
                           follow=True)
    page = unescape(response.content.decode())
    assert not BudgetChange.objects.exists()
    assert 'alert' in page  # the error is shown
    form = page.split('data-testid="budget-change-form"')[1].split("</form>")[0]
    assert f'value="{amount}"' in form and f"\n{reason}</textarea>" in form
    # once: the next visit starts empty again
    again = client.get(money(project)).content.decode().split('data-testid="budget-change-form"')[1].split("</form>")[0]
    assert reason not in again


def test_a_change_already_pending_keeps_what_was_typed(client, users):
    project, _line = funded_project()
    BudgetChange.objects.create(project=project, old_amount=project.approved_budget, new_amount=Decimal("1100000.00"), reason="一",
                                proposed_by=users["pm"])
    client.force_login(users["pm"])
    page = client.post(reverse("budgets:budget_change_propose", args=[project.pk]), {"new_amount": "1300000", "reason": "第二次申请"},
                       follow=True).content.decode()
    form = page.split('data-testid="budget-change-form"')[1].split("</form>")[0]
    assert 'value="1300000"' in form and "\n第二次申请</textarea>" in form
    assert BudgetChange.objects.count() == 1


def test_a_refused_new_line_opens_again_with_what_was_typed(client, users):
    project = ProjectFactory(approved_budget=Decimal("100000.00"))
    client.force_login(users["finance"])
    body = {"fiscal_year": 2026, "source": "special_bonds", "category": "hardware", "amount": "300000", "note": "服务器扩容"}
    page = client.post(reverse("budgets:line_add", args=[project.pk]), body, follow=True).content.decode()
    assert not BudgetLine.objects.exists()
    add = page.split('data-testid="add-line"')[1].split("</details>")[0]
    assert add.lstrip().startswith("open")
    assert 'value="300000"' in add and 'value="服务器扩容"' in add and '<option value="special_bonds" selected>' in add
    assert ' open' not in client.get(money(project)).content.decode().split('data-testid="add-line"')[1][:10]


def test_a_refused_line_edit_keeps_what_was_typed(client, users):
    project = ProjectFactory(approved_budget=Decimal("100000.00"))
    line = LineFactory(project=project, amount=Decimal("50000.00"))
    client.force_login(users["finance"])
    body = {"fiscal_year": 2026, "source": line.source, "category": line.category, "amount": "五十万", "note": "改"}
    page = client.post(reverse("budgets:line_edit", args=[line.pk]), body, follow=True).content.decode()
    edit = page.split(f'data-testid="edit-line-{line.pk}"')[1].split("</details>")[0]
    assert edit.lstrip().startswith("open") and 'value="五十万"' in edit
    line.refresh_from_db()
    assert line.amount == Decimal("50000.00")


def test_a_refused_disbursement_keeps_what_was_typed(client, users):
    project, line = funded_project(line="1000.00", budget="1000.00")
    client.force_login(users["finance"])
    body = {"budget_line": line.pk, "amount": "5000", "voucher_no": "PZ-TYPED-1", "payee": "某某公司", "date": "2026-03-01",
            "purpose": "一期款", "milestone": ""}
    page = client.post(reverse("budgets:disbursement_add", args=[project.pk]), body, follow=True).content.decode()
    assert not Disbursement.objects.exists()
    form = page.split('data-testid="add-disbursement"')[1].split("</details>")[0]
    assert form.lstrip().startswith("open")
    assert 'value="PZ-TYPED-1"' in form and 'value="5000"' in form and 'value="某某公司"' in form and 'value="一期款"' in form
