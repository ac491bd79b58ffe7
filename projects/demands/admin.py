"""Administration of demands: read everything, change descriptive text; states and links only through the services."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Attachment, AuthorizationRequest, Demand, DemandDataResource, ExpertAssignment, ExpertProfile, ReviewOpinion


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
        "review_comment", "fields_to_fix", "approved_budget",
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


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin):
    """The provincial expert pool: fields of expertise and declared conflicts are kept here."""

    list_display = ["user", "title", "active"]
    list_filter = ["active"]
    search_fields = ["user__username", "user__display_name", "title"]
    list_select_related = ["user"]
    filter_horizontal = ["capabilities", "conflict_orgs"]
    raw_id_fields = ["user"]

    def has_delete_permission(self, request, obj=None):
        return False  # assignments and the log refer to the expert: take them out of the pool instead


@admin.register(ReviewOpinion)
class ReviewOpinionAdmin(ReadOnlyAdmin):
    list_display = ["demand", "recommendation", "recommended_budget", "author", "created_at"]
    list_select_related = ["demand", "author"]
    search_fields = ["demand__code"]


@admin.register(ExpertAssignment)
class ExpertAssignmentAdmin(ReadOnlyAdmin):
    """Assignments change only through the panel's services (the doorway and its log)."""

    list_display = ["demand", "expert", "state", "verdict", "recommended_budget", "deadline"]
    list_filter = ["state", "verdict"]
    list_select_related = ["demand", "expert"]
    search_fields = ["demand__code", "expert__username"]
    exclude = ["signed_file"]


@admin.register(AuthorizationRequest)
class AuthorizationRequestAdmin(ReadOnlyAdmin):
    """Requests change only through the owner's data officer (the doorway and its log)."""

    list_display = ["resource", "system_name", "owner_org", "state", "valid_until", "decided_by"]
    list_filter = ["state"]
    list_select_related = ["resource", "owner_org", "decided_by"]
    search_fields = ["demand__code", "resource__name", "system_name"]
