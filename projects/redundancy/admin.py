"""Administration of redundancy records: all written by the system, all read-only here."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import RedundancyClusterSnapshot, RedundancyFlag, RedundancyIndexChange


@admin.register(RedundancyFlag)
class RedundancyFlagAdmin(ReadOnlyAdmin):
    """Flags are decided by reviewers on the demand page (dismiss, merge, reuse): a deleted pending
    flag would lift the approval guard without a trace, so nothing is changed or deleted here."""

    list_display = ["demand", "candidate_kind", "candidate_code", "candidate_title", "score", "state"]
    list_filter = ["state", "candidate_kind"]
    list_select_related = ["demand"]


@admin.register(RedundancyIndexChange)
class RedundancyIndexChangeAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "object_id", "created_at"]
    list_filter = ["kind"]


@admin.register(RedundancyClusterSnapshot)
class RedundancyClusterSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["computed_at", "threshold", "pending_count"]
