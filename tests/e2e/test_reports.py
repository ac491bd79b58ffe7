"""Reports in a real browser: the dashboard draws its charts (ECharts, from json_script, no script
errors) and a bar leads to the list behind it; a report asked on the page ends in its download."""

import pytest

from .browser import login, screenshot

pytestmark = pytest.mark.browser


def test_dashboard_draws_every_chart_and_a_bar_opens_its_list(new_page):
    page = new_page(1366, 900)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    login(page, "prov_approver")
    page.goto("/reports/dashboard/")
    page.wait_for_selector(".pdm-chart[data-chart=reuse] svg")
    charts = page.eval_on_selector_all(".pdm-chart", "els => els.map(e => !!e.querySelector('svg path, svg rect'))")
    assert len(charts) == 11 and all(charts)  # demands, pipeline, projects, reuse, budget execution, savings
    screenshot(page, "reports-dashboard-zh", full_page=True)
    assert errors == []
    with page.expect_navigation():
        page.click("[data-testid=by-state] tbody a >> nth=0")
    assert "/demands/?status=draft" in page.url


def test_a_report_asked_on_the_page_ends_in_its_download(new_page):
    page = new_page(1280, 900)
    login(page, "finance", "en")
    page.goto("/reports/")
    page.select_option("#id_kind", "project_ledger")
    page.select_option("#id_format", "xlsx")
    with page.expect_navigation():
        page.click("[data-testid=report-form] button[type=submit]")
    page.wait_for_selector("[data-testid=download]")
    assert page.get_attribute("[data-testid=job-status]", "data-status") == "done"
    screenshot(page, "reports-job-done-en")
    with page.expect_download() as info:
        page.click("[data-testid=download]")
    assert info.value.suggested_filename.endswith(".xlsx")


def test_the_form_shows_the_fields_of_the_chosen_report_and_filters_the_organizations(new_page):
    page = new_page(1280, 900)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, "finance")
    page.goto("/reports/")
    page.select_option("#id_kind", "project_approval")
    assert page.is_visible("#id_project") and not page.is_visible("#id_states") and not page.is_visible("#id_year")
    page.select_option("#id_kind", "budget_execution")
    assert page.is_visible("#id_source") and page.is_visible("#id_year") and not page.is_visible("#id_project")
    assert not page.is_visible("#id_states")
    page.select_option("#id_kind", "demand_register")
    assert page.is_visible("#id_states") and not page.is_visible("#id_source")
    page.fill("[data-testid=org-filter]", "长春")
    shown = page.eval_on_selector_all("#id_org option", "els => els.filter(e => !e.hidden && e.value).map(e => e.parentElement.label + ' ' + e.textContent)")
    total = page.eval_on_selector_all("#id_org option", "els => els.filter(e => e.value).length")
    assert shown and len(shown) < total and all("长春" in text for text in shown)
    screenshot(page, "reports-form-filtered")
    page.select_option("#id_kind", "project_approval")
    page.fill("#id_project", "XM-1999-9999")
    with page.expect_navigation():
        page.click("[data-testid=report-form] button[type=submit]")
    assert "XM-1999-9999" in page.inner_text("[data-testid=field-project]")
    assert errors == []
