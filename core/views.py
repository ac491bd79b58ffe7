"""The home page, the audit log for auditors, and notifications."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations.choices import Role

from . import audit
from .http import safe_next
from .models import AuditLog, Notification


@login_required
def home(request):
    """The start page: what waits for this user (apps contribute panels through `core.dashboard`)."""
    from .dashboard import panels_for

    return render(request, "core/home.html", {"panels": panels_for(request.user)})


@login_required
def audit_log(request):
    """Every transition of every machine, newest first: auditors and administrators only."""
    if not (request.user.is_superuser or request.user.role == Role.AUDITOR):
        raise PermissionDenied
    if any("\x00" in v for vs in request.GET.lists() for v in vs[1]):
        return HttpResponseBadRequest(_("Text may not contain NUL characters."), content_type="text/plain; charset=utf-8")
    qs = AuditLog.objects.restrict(request.user).select_related("content_type").order_by("-at", "-pk")
    machine = request.GET.get("machine")
    if machine:
        qs = qs.filter(machine=machine)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(object_repr__icontains=q) | qs.filter(actor_name__icontains=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(row, audit.describe(row)) for row in page.object_list]
    return render(request, "core/audit_log.html", {"page": page, "rows": rows, "q": q, "machine": machine,
                                                   "machines": audit.machine_choices()})


@login_required
def notifications(request):
    qs = request.user.notifications.order_by("-created_at", "-pk")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk: int):
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return redirect(safe_next(request, "core:notifications", url=note.url))


@login_required
@require_POST
def notifications_read_all(request):
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return redirect("core:notifications")


def favicon(request):
    """Browsers ask for /favicon.ico on pages without a <link rel=icon> (a PDF, a JSON answer).

    The static URL is looked up per request: under production it comes from collectstatic's
    manifest, which does not exist yet when the URLconf is imported (e.g. `check --deploy`)."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
