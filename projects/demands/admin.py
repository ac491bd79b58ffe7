"""Administration of demands: read everything, change descriptive text; states and links only through the services."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Attachment, Demand, DemandDataResource


def attachment_link(attachment: Attachment):
    """A private file: linked through the download view that checks who may read it."""
    if not attachment.pk:
        return "—"
    return format_html('<a href="{}">{}</a>', reverse("projects:attachment_download", args=[attachment.pk]), attachment.original_name)


attachment_link.short_description = _("file")


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["file_link", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def file_link(self, obj):
        return attachment_link(obj)


class DataResourceInline(ReadOnlyInline):
    """The resources a demand needs and their authorization: changed by the demand form and the owner's decision."""

    model = DemandDataResource
    fields = ["resource", "authorization", "authorized_by", "authorized_at"]
    readonly_fields = fields


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    """Read and correct descriptive fields; state, organization and links change only through the services."""

    list_display = ["code", "title", "org", "status", "budget_total", "submitted_at"]
    list_filter = ["status", "domain", "urgency", "construction_type"]
    search_fields = ["code", "title", "description"]
    list_select_related = ["org"]
    readonly_fields = [
        "status", "code", "org", "created_by", "project", "merged_into", "reuse_system", "budget_hardware", "budget_software",
        "budget_services", "budget_operations", "budget_total", "submitted_at", "stage_entered_at", "due_at",
        "review_comment", "fields_to_fix",
    ]
    exclude = ["capabilities"]
    inlines = [DataResourceInline, AttachmentInline]

    def has_add_permission(self, request):
        return False  # demands are filed by bureaus, through the form or the API

    def has_delete_permission(self, request, obj=None):
        return False  # the audit log and the flags refer to it


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    """Attachments are listed here; their files open through the view that checks access."""

    list_display = ["original_name", "demand", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["demand", "uploaded_by"]
    search_fields = ["original_name", "demand__code"]
    fields = ["file_link", "demand", "content_type", "size", "description", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def file_link(self, obj):
        return attachment_link(obj)
