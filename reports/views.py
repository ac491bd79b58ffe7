"""Pages of reports: ask for one, watch it build (htmx polling), download it; the exports of the
list pages; the dashboard.

A job page, its status and its file are the requester's (and superusers'): 404 for anyone else.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from . import dashboard as figures
from .choices import CONTENT_TYPES
from .exports import LISTS, export_list
from .forms import ReportForm
from .permissions import may_see_dashboard
from .selectors import job_for, recent_jobs
from .services import ReportRequestInvalid, fail_stale_jobs, request_report


def _error_text(errors, label=str) -> str:
    """The errors as one sentence, each field named by `label(key)` (its label in the reader's language)."""
    parts = []
    for key, value in (errors.items() if isinstance(errors, dict) else [("", errors)]):
        if isinstance(value, dict):
            parts.append(_error_text(value, label))
        else:
            items = value if isinstance(value, list) else [value]
            text = "; ".join(str(v) for v in items)
            parts.append(_("%(field)s: %(errors)s") % {"field": label(key), "errors": text} if key else text)
    return " ".join(parts)


@login_required
def report_index(request):
    """Ask for a report (GET: the form, prefilled from the query string; POST: the job) and my recent reports."""
    user = request.user
    if request.method == "POST":
        form = ReportForm(request.POST, user=user)
        if form.is_valid():
            try:
                job, created = request_report(user=user, kind=form.cleaned_data["kind"], fmt=form.cleaned_data["format"],
                                              params=form.params())
            except ReportRequestInvalid as exc:
                errors = exc.errors if isinstance(exc.errors, dict) else {}
                for key, value in {**errors, **(errors.get("params") if isinstance(errors.get("params"), dict) else {})}.items():
                    if key in form.fields and not isinstance(value, dict):
                        form.add_error(key, [str(v) for v in (value if isinstance(value, list) else [value])])
                messages.error(request, _("The report cannot be made: %(errors)s") % {
                    "errors": _error_text(exc.errors, form.label_of)})
            else:
                if not created:
                    messages.info(request, _("This report is already being built; here it is."))
                return redirect("reports:job", pk=job.pk)
    else:
        form = ReportForm(initial=request.GET.dict(), user=user)
    fail_stale_jobs(user=user)
    return render(request, "reports/index.html", {"form": form, "jobs": recent_jobs(user)})


@login_required
def job_detail(request, pk):
    job = job_for(request.user, pk)
    if job.is_active and fail_stale_jobs(user=request.user):
        job = job_for(request.user, pk)
    return render(request, "reports/job.html", {"job": job})


@login_required
def job_status(request, pk):
    """The progress bar (htmx polls it every second while the job runs; the answer stops the polling once done)."""
    job = job_for(request.user, pk)
    if job.is_active and fail_stale_jobs(user=request.user):
        job = job_for(request.user, pk)
    return render(request, "reports/partials/job_status.html", {"job": job})


def download(request, pk):
    """The file, to its requester (and superusers): a signed-in session or the API token
    (`Authorization: Token …`, as for the API's download_url). Anyone else: 404."""
    user = request.user
    if not user.is_authenticated and request.headers.get("Authorization", "").startswith("Token "):
        try:
            found = TokenAuthentication().authenticate(request)
        except AuthenticationFailed:
            found = None
        user = found[0] if found else user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    job = job_for(user, pk)
    if not job.is_downloadable:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=job.filename or job.file.name.rsplit("/", 1)[-1],
                            content_type=CONTENT_TYPES[job.format])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def export(request, name: str):
    """"Export what I see": the list `name` with the page's filters, as the user sees it, in xlsx."""
    if name not in LISTS:
        raise Http404
    content, filename = export_list(request, name, timezone.localtime())
    response = HttpResponse(content, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def dashboard(request):
    """Leadership and finance: demands, the approval pipeline, projects, overdue reviews, reuse of systems."""
    if not may_see_dashboard(request.user):
        raise PermissionDenied
    data = figures.dashboard(request.user)
    return render(request, "reports/dashboard.html", {"f": data, "charts": figures.chart_data(data)})
