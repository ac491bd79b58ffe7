from django.contrib import admin

from .models import AuditLog, CodeSequence, Notification


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Readable by auditors and administrators; never added, changed or deleted here."""

    list_display = ["at", "object_repr", "machine", "transition", "source", "target", "actor_name"]
    list_filter = ["machine", "transition", "content_type"]
    search_fields = ["object_repr", "actor_name", "comment"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "verb", "object_repr", "read_at"]
    list_filter = ["verb"]
    list_select_related = ["recipient"]


@admin.register(CodeSequence)
class CodeSequenceAdmin(admin.ModelAdmin):
    """The last number given per prefix: shown for support, never changed by hand."""

    list_display = ["key", "last"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
