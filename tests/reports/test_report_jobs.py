"""Report jobs: asking (API and page), building inline with progress, the running job found again,
stale jobs failed, expired files removed, downloads only by the requester (404 for anyone else)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import services
from reports.choices import JobStatus
from reports.models import ReportJob
from tests.projects.factories import DemandFactory

from .helpers import workbook


def ask(api, user, body):
    return api.as_user(user).post("/api/v1/reports/", body, format="json")


@pytest.mark.django_db
def test_api_builds_a_report_inline_and_serves_it_to_the_requester(api, users, django_capture_on_commit_callbacks):
    DemandFactory(title="智慧校园平台")
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(api, users["finance"], {"kind": "demand_register", "format": "xlsx", "params": {}})
    assert response.status_code == 202
    body = response.json()
    # The test's transaction holds the commit until the block ends: the answer saw the job queued.
    assert set(body) == {"id", "status"} and body["status"] == "queued"
    status = api.get(f"/api/v1/reports/{body['id']}/").json()
    assert status["status"] == "done" and status["progress"] == 100 and status["error"] == ""
    assert status["download_url"].endswith(reverse("reports:download", args=[body["id"]]))
    download = api.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = workbook(b"".join(download.streaming_content))
    assert "智慧校园平台" in [c.value for c in book.worksheets[0]["B"]]


@pytest.mark.django_db
def test_progress_moves_from_zero_to_one_hundred(users, monkeypatch):
    for i in range(3):
        DemandFactory(title=f"需求{i}")
    seen = []
    original = services._set

    def spy(job_id, **fields):
        if "progress" in fields:
            seen.append(fields["progress"])
        original(job_id, **fields)

    monkeypatch.setattr(services, "_set", spy)
    job = ReportJob.objects.create(kind="demand_register", format="csv", params={}, params_key="k", requested_by=users["finance"])
    assert (job.status, job.progress) == (JobStatus.QUEUED, 0)
    services.run_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.progress) == (JobStatus.DONE, 100)
    assert seen == sorted(seen) and all(0 <= p < 100 for p in seen)


@pytest.mark.django_db
def test_a_repeat_request_while_running_returns_the_running_job(api, users):
    user = users["finance"]
    job, created = services.request_report(user=user, kind="project_ledger", fmt="xlsx", params={"year": 2026})
    # Inline jobs run after the commit: in this test's transaction nothing has run yet, as with a busy worker.
    assert created and job.status == JobStatus.QUEUED
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, heartbeat_at=timezone.now(), progress=40)
    response = ask(api, user, {"kind": "project_ledger", "format": "xlsx", "params": {"year": 2026}})
    assert response.status_code == 202 and response.json() == {"id": job.pk, "status": "running"}
    assert ReportJob.objects.count() == 1
    # Other parameters, format or person: a new job.
    assert ask(api, user, {"kind": "project_ledger", "format": "xlsx", "params": {"year": 2025}}).json()["id"] != job.pk
    assert ask(api, users["auditor"], {"kind": "project_ledger", "format": "xlsx", "params": {"year": 2026}}).json()["id"] != job.pk


@pytest.mark.django_db
def test_the_page_asks_and_shows_the_progress_then_the_download(login, users, django_capture_on_commit_callbacks):
    client = login(users["finance"])
    assert client.get(reverse("reports:index")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:index"), {"kind": "project_ledger", "format": "csv", "year": "2026"})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:job", args=[job.pk])
    page = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert 'data-status="done"' in page and reverse("reports:download", args=[job.pk]) in page
    assert "hx-trigger" not in page  # polling stops once done


@pytest.mark.django_db
def test_a_running_job_page_polls(login, users):
    job = ReportJob.objects.create(kind="demand_register", format="xlsx", params={}, params_key="x",
                                   requested_by=users["finance"], status=JobStatus.RUNNING, progress=37, heartbeat_at=timezone.now())
    html = login(users["finance"]).get(reverse("reports:job_status", args=[job.pk])).content.decode()
    assert f'hx-get="{reverse("reports:job_status", args=[job.pk])}"' in html and 'value="37"' in html


@pytest.mark.django_db
def test_downloads_and_status_are_refused_across_users(login, api, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = services.request_report(user=users["finance"], kind="asset_inventory", fmt="xlsx", params={})
    job.refresh_from_db()
    assert job.is_downloadable
    for name in ("prov_approver", "auditor", "sub_changchun"):
        client = login(users[name])
        for url in ("reports:job", "reports:job_status", "reports:download"):
            assert client.get(reverse(url, args=[job.pk])).status_code == 404, (name, url)
        assert api.as_user(users[name]).get(f"/api/v1/reports/{job.pk}/").status_code == 404
    assert login(users["admin"]).get(reverse("reports:download", args=[job.pk])).status_code == 200
    assert login(users["finance"]).get(reverse("reports:download", args=[job.pk])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("body, field", [
    ({"kind": "nonsense", "format": "xlsx"}, "kind"),
    ({"kind": "demand_register", "format": "docx"}, "format"),
    ({"kind": "redundancy_review", "format": "xlsx", "params": {"demand": 1}}, "format"),
    ({"kind": "demand_register", "format": "xlsx", "params": {"year": "twenty"}}, "params"),
    ({"kind": "demand_register", "format": "xlsx", "params": {"year": 1900}}, "params"),
    ({"kind": "demand_register", "format": "xlsx", "params": {"states": ["nope"]}}, "params"),
    ({"kind": "demand_register", "format": "xlsx", "params": {"colour": "red"}}, "params"),
    ({"kind": "demand_register", "format": "xlsx", "params": [1, 2]}, "params"),
    ({"kind": "project_approval", "format": "pdf", "params": {}}, "params"),
    ({"kind": "project_approval", "format": "pdf", "params": {"project": "abc"}}, "params"),
])
def test_bad_requests_are_400_naming_the_field(api, users, body, field):
    response = ask(api, users["finance"], body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not ReportJob.objects.exists()


@pytest.mark.django_db
def test_an_object_the_user_may_not_see_is_404(api, users):
    demand = DemandFactory()  # Changchun education bureau
    walk_code = "XQ-2026-000777"
    type(demand).objects.filter(pk=demand.pk).update(code=walk_code)
    assert ask(api, users["sub_jilin"], {"kind": "redundancy_review", "format": "pdf", "params": {"demand": demand.pk}}).status_code == 404
    assert ask(api, users["sub_jilin"], {"kind": "project_approval", "format": "pdf", "params": {"project": 987654}}).status_code == 404
    assert not ReportJob.objects.exists()


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_failed_after_the_timeout(api, users, settings):
    settings.REPORT_JOB_TIMEOUT_MINUTES = 30
    old = timezone.now() - timedelta(minutes=31)
    job = ReportJob.objects.create(kind="demand_register", format="xlsx", params={}, params_key="x", requested_by=users["finance"],
                                   status=JobStatus.RUNNING, progress=50, started_at=old, heartbeat_at=old)
    fresh = ReportJob.objects.create(kind="demand_register", format="csv", params={}, params_key="y", requested_by=users["finance"],
                                     status=JobStatus.RUNNING, progress=10, heartbeat_at=timezone.now())
    status = api.as_user(users["finance"]).get(f"/api/v1/reports/{job.pk}/").json()
    assert status["status"] == "failed" and "30" in status["error"] and status["download_url"] is None
    fresh.refresh_from_db()
    assert fresh.status == JobStatus.RUNNING
    from reports.tasks import fail_stale_reports

    assert fail_stale_reports() == 0  # already failed; the fresh one lives


@pytest.mark.django_db
def test_expired_files_are_removed_by_the_periodic_job(users, login, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = services.request_report(user=users["finance"], kind="project_ledger", fmt="csv", params={})
    job.refresh_from_db()
    path = job.file.path
    ReportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    from reports.tasks import remove_expired_reports

    assert remove_expired_reports() == 1
    job.refresh_from_db()
    import os

    assert not os.path.exists(path) and job.file.name == "" and not job.is_downloadable
    assert login(users["finance"]).get(reverse("reports:download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_a_failing_builder_ends_the_job_failed_with_a_message(users, monkeypatch):
    from reports import registry

    builder = registry.builder_for("project_ledger")

    def explode(ctx):
        raise RuntimeError("disk full")

    monkeypatch.setitem(registry._builders, "project_ledger", registry.Builder("project_ledger", builder.formats, explode, builder.params))
    job = ReportJob.objects.create(kind="project_ledger", format="xlsx", params={}, params_key="z", requested_by=users["finance"])
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "RuntimeError" in job.error and not job.file
