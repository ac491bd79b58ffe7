from django.contrib import admin

from .models import (
    Attachment,
    Demand,
    DemandDataResource,
    Milestone,
    Project,
    RedundancyClusterSnapshot,
    RedundancyFlag,
    RedundancyIndexChange,
)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False


class DataResourceInline(admin.TabularInline):
    model = DemandDataResource
    extra = 0
    raw_id_fields = ["resource"]


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    """Read and correct descriptive fields; state changes only through the pages and the API."""

    list_display = ["code", "title", "org", "status", "budget_total", "submitted_at"]
    list_filter = ["status", "domain", "urgency", "construction_type"]
    search_fields = ["code", "title", "description"]
    list_select_related = ["org"]
    raw_id_fields = ["org", "created_by", "project", "merged_into", "reuse_system"]
    readonly_fields = ["status", "code", "budget_total", "submitted_at", "stage_entered_at", "due_at"]
    inlines = [DataResourceInline, AttachmentInline]


@admin.register(RedundancyFlag)
class RedundancyFlagAdmin(admin.ModelAdmin):
    list_display = ["demand", "candidate_kind", "candidate_code", "candidate_title", "score", "state"]
    list_filter = ["state", "candidate_kind"]
    raw_id_fields = ["demand", "resolved_by"]
    readonly_fields = ["state"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "construction_org", "hardware_status", "funding_status", "development_status", "operations_status"]
    list_filter = ["hardware_status", "funding_status", "development_status", "operations_status", "year"]
    search_fields = ["code", "name"]
    list_select_related = ["construction_org"]
    raw_id_fields = ["construction_org", "manager", "beneficiary_orgs"]
    readonly_fields = ["hardware_status", "funding_status", "development_status", "operations_status"]
    inlines = [MilestoneInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the system writes for itself: visible to administrators, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RedundancyIndexChange)
class RedundancyIndexChangeAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "object_id", "created_at"]
    list_filter = ["kind"]


@admin.register(RedundancyClusterSnapshot)
class RedundancyClusterSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["computed_at", "threshold", "pending_count"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    """Attachments are listed here; their files are downloaded from the demand page, which checks access."""

    list_display = ["original_name", "demand", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["demand", "uploaded_by"]
    search_fields = ["original_name", "demand__code"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "planned_date", "actual_date"]
    list_select_related = ["project"]
    raw_id_fields = ["project"]
