from django.contrib import admin

from .models import Capability, DataResource, HardwareItem, ImportPreview, InformationSystem


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "sort_order"]
    search_fields = ["code", "name", "name_en"]


@admin.register(InformationSystem)
class InformationSystemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "owner_org", "status", "build_mode", "security_level"]
    list_filter = ["status", "build_mode", "security_level"]
    search_fields = ["code", "name", "description"]
    autocomplete_fields = ["owner_org", "user_orgs", "capabilities"]
    list_select_related = ["owner_org"]
    readonly_fields = ["code", "project"]

    def get_readonly_fields(self, request, obj=None):
        # A project-built system's status follows its project (InformationSystem.status_follows_project).
        if obj is not None and obj.status_follows_project:
            return [*self.readonly_fields, "status"]
        return self.readonly_fields


@admin.register(DataResource)
class DataResourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "owner_org", "sharing", "opening", "update_frequency"]
    list_filter = ["sharing", "opening", "update_frequency"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["owner_org"]
    list_select_related = ["owner_org"]


@admin.register(HardwareItem)
class HardwareItemAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "project", "system", "quantity", "unit_cost", "location", "status"]
    list_filter = ["kind", "location", "status"]
    search_fields = ["name", "supplier"]
    raw_id_fields = ["project", "system"]


@admin.register(ImportPreview)
class ImportPreviewAdmin(admin.ModelAdmin):
    """Written by the import pages only: shown read-only."""

    list_display = ["created_at", "kind", "filename", "user", "done_at", "new", "updated", "unchanged"]
    list_filter = ["kind"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
