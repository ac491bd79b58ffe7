from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import DashboardSnapshot, ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(ReadOnlyAdmin):
    """Report jobs, read-only (the file itself is downloaded through the checked report view)."""

    list_display = ("pk", "kind", "format", "requested_by", "status", "progress", "created_at")
    list_filter = ("kind", "format", "status")
    search_fields = ("requested_by__username", "filename")
    exclude = ("file",)
    readonly_fields = ("kind", "format", "params", "requested_by", "language", "status", "progress", "filename", "size",
                       "error", "created_at", "started_at", "heartbeat_at")


@admin.register(DashboardSnapshot)
class DashboardSnapshotAdmin(ReadOnlyAdmin):
    """The dashboard's province-wide counts, refreshed by beat and by the page (never by hand)."""

    list_display = ("scope", "computed_at", "seconds")
