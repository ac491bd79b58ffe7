"""Administration of redundancy records: all written by the system, all read-only here."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    ClusterDecision,
    ClusterDecisionMember,
    ClusterRun,
    DomainThreshold,
    RedundancyClusterSnapshot,
    RedundancyFlag,
    RedundancyIndexChange,
)


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


@admin.register(ClusterRun)
class ClusterRunAdmin(ReadOnlyAdmin):
    """Background recomputations of the clusters (asked on the clusters page, or by beat)."""

    list_display = ["pk", "status", "progress", "requested_by", "created_at", "finished_at"]
    list_filter = ["status"]


class ClusterDecisionMemberInline(ReadOnlyInline):
    model = ClusterDecisionMember
    fields = ["demand", "budget"]


@admin.register(ClusterDecision)
class ClusterDecisionAdmin(ReadOnlyAdmin):
    """Build once / reuse / dismiss decisions, taken on the clusters page: one record each, never edited."""

    list_display = ["pk", "kind", "label", "members_total", "project_budget", "savings", "decided_by", "decided_at"]
    list_filter = ["kind"]
    inlines = [ClusterDecisionMemberInline]


@admin.register(ClusterDecisionMember)
class ClusterDecisionMemberAdmin(ReadOnlyAdmin):
    list_display = ["decision", "demand", "budget"]
    list_select_related = ["decision", "demand"]


@admin.register(DomainThreshold)
class DomainThresholdAdmin(ReadOnlyAdmin):
    """Per-domain thresholds applied on the decisions page (by a person, logged there)."""

    list_display = ["domain", "threshold", "previous", "applied_by", "applied_at"]
