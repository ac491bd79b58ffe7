"""API of the decisions on coordination clusters and of what reviewers' decisions teach (docs/api.md).

    GET  /api/v1/redundancy/cluster-decisions/   decisions whose member demands the caller may all see
    POST /api/v1/redundancy/cluster-decisions/   decide on a cluster (provincial review office): 201, 400, 403, 409
    GET  /api/v1/redundancy/decisions/           `eval_redundancy --decisions` (provincial office, auditors)

Writes go through `build_once.decide_cluster`; its refusals are mapped by core.api like every
doorway error (400 with field errors, 403, 409).
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from assets.models import InformationSystem
from core.api import Pagination
from projects.demands.models import Demand
from projects.demands.selectors import demands_visible_to
from projects.redundancy.build_once import decide_cluster, may_decide_clusters
from projects.redundancy.decisions import may_view_learning, measure
from projects.redundancy.models import ClusterDecision, ClusterDecisionKind


class ClusterDecisionInput(serializers.Serializer):
    cluster = serializers.CharField(max_length=40)
    kind = serializers.ChoiceField(choices=ClusterDecisionKind.choices)
    demands = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=500)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    project_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    project_budget = serializers.CharField(required=False, allow_blank=True, max_length=40)
    system = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="id or number XT-…")


class ClusterDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    cluster = serializers.CharField(source="cluster_key")
    label = serializers.CharField()
    reason = serializers.CharField()
    project = serializers.IntegerField(source="project_id", allow_null=True)
    project_code = serializers.CharField(source="project.code", default=None)
    system = serializers.IntegerField(source="system_id", allow_null=True)
    members_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    project_budget = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    savings = serializers.DecimalField(max_digits=14, decimal_places=2)
    demands = serializers.SerializerMethodField()
    decided_by = serializers.CharField(source="decided_by.username")
    decided_at = serializers.DateTimeField()

    def get_demands(self, decision) -> list[int]:
        return [m.demand_id for m in decision.members.all()]


class PaginatedClusterDecisionSerializer(serializers.Serializer):
    """The decisions page by page, as every list of the API (contract: count, next, previous, results)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ClusterDecisionSerializer(many=True)


def _system_id(value: str):
    value = (value or "").strip()
    if value.upper().startswith("XT-"):
        return InformationSystem.objects.filter(code=value.upper()).values_list("pk", flat=True).first() or -1
    return value or None


class ClusterDecisionsView(APIView):
    """Decisions on clusters (build once, reuse, dismiss), newest first; deciding one."""

    @extend_schema(responses=PaginatedClusterDecisionSerializer)
    def get(self, request):
        hidden = Demand.objects.exclude(pk__in=demands_visible_to(request.user).values("pk"))
        rows = (ClusterDecision.objects.exclude(members__demand__in=hidden).select_related("decided_by", "project")
                .prefetch_related("members").order_by("-decided_at", "-pk"))
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(ClusterDecisionSerializer(page, many=True).data)

    @extend_schema(request=ClusterDecisionInput, responses={201: ClusterDecisionSerializer})
    def post(self, request):
        if not may_decide_clusters(request.user):
            raise PermissionDenied(_("Only the provincial review office decides on clusters."))
        data = ClusterDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        decision = decide_cluster(
            user=request.user, key=v["cluster"], kind=v["kind"], demand_ids=v.get("demands"), reason=v.get("reason", ""),
            project_name=v.get("project_name", ""), project_budget=v.get("project_budget"), system=_system_id(v.get("system")),
        )
        return Response(ClusterDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class DecisionFiguresView(APIView):
    """The engine measured against the reviewers' recorded decisions (as `eval_redundancy --decisions`)."""

    @extend_schema(responses=dict)
    def get(self, request):
        if not may_view_learning(request.user):
            raise PermissionDenied(_("Only the provincial office and auditors read what the decisions teach."))
        return Response(measure())


urlpatterns = [
    path("redundancy/cluster-decisions/", ClusterDecisionsView.as_view(), name="redundancy-cluster-decisions"),
    path("redundancy/decisions/", DecisionFiguresView.as_view(), name="redundancy-decisions"),
]
