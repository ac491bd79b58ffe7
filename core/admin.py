from django.contrib import admin

from .models import AuditLog, CodeSequence, Notification


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the system writes for itself: visible to administrators, never added, changed or deleted by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """Readable by auditors and administrators; never added, changed or deleted here."""

    list_display = ["at", "object_repr", "machine", "transition", "source", "target", "actor_name"]
    list_filter = ["machine", "transition", "content_type"]
    search_fields = ["object_repr", "actor_name", "comment"]
    date_hierarchy = "at"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "verb", "object_repr", "read_at"]
    list_filter = ["verb"]
    list_select_related = ["recipient"]


@admin.register(CodeSequence)
class CodeSequenceAdmin(ReadOnlyAdmin):
    """The last number given per prefix: shown for support, never changed by hand."""

    list_display = ["key", "last"]
