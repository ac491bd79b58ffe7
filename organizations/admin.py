from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Organization, Region, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "level", "is_coordination_authority"]
    list_filter = ["level", "is_coordination_authority", "city"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["region", "parent"]
    list_select_related = ["region"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "organization", "is_active"]
    list_filter = ["role", "is_active", "is_superuser"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Place in the tree"), {"fields": ("display_name", "role", "organization")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("Place in the tree"), {"fields": ("display_name", "role", "organization")}))
