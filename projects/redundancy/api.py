"""API of redundancy detection (contract.md): the check, a demand's similar candidates, flags, clusters.

    POST /api/v1/redundancy/check/                        {"title","description","capabilities","org"?} → {"flag_threshold","candidates"}
    GET  /api/v1/demands/{id}/similar/                     → {"flag_threshold","candidates"} with flag state and resolution
    POST /api/v1/demands/{id}/flags/{flag_id}/resolve/     {"resolution": "dismissed", "comment"} (reviewers)
    GET  /api/v1/redundancy/clusters/                      paginated clusters of the latest computation
    POST /api/v1/redundancy/clusters/                      recompute now (reviewers)

Candidates and flags obey visibility: a caller never sees a demand or project it may not read.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from assets.models import Capability, DataResource
from core.api import Pagination
from organizations.choices import Role
from organizations.models import Organization
from organizations.permissions import has_role
from projects.demands.choices import Domain
from projects.demands.selectors import get_visible_demand
from projects.redundancy.choices import CandidateKind
from projects.redundancy.clusters import clusters_for, compute_clusters, latest_snapshot
from projects.redundancy.documents import flag_threshold
from projects.redundancy.flags import resolve_flag, similar_for, visible_flags
from projects.redundancy.models import RedundancyFlag
from projects.redundancy.search import MAX_DESCRIPTION_CHARS, MAX_LIST_ITEMS, MAX_TITLE_CHARS, SEARCH_LIMIT, check


class CheckRequestSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_TITLE_CHARS,
                                  trim_whitespace=True)
    description = serializers.CharField(required=False, allow_blank=True, default="",
                                        max_length=MAX_DESCRIPTION_CHARS, trim_whitespace=True)
    capabilities = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list,
                                         max_length=MAX_LIST_ITEMS)
    org = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    data_resources = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list,
                                           max_length=MAX_LIST_ITEMS)
    domain = serializers.ChoiceField(choices=Domain.choices, required=False, allow_blank=True, default="")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=SEARCH_LIMIT)

    def validate(self, data):
        if not data["title"] and not data["description"]:
            message = _("Please give a title or a description to check.")
            raise serializers.ValidationError({"title": [message], "description": [message]})
        codes = list(dict.fromkeys(c.strip() for c in data["capabilities"] if c.strip()))
        known = set(Capability.objects.filter(code__in=codes).values_list("code", flat=True)) if codes else set()
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise serializers.ValidationError(
                {"capabilities": [_("Unknown capability codes: %(codes)s.") % {"codes": ", ".join(unknown)}]}
            )
        data["capabilities"] = codes
        ids = list(dict.fromkeys(data["data_resources"]))
        found = set(DataResource.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
        missing = [str(i) for i in ids if i not in found]
        if missing:
            raise serializers.ValidationError(
                {"data_resources": [_("Unknown data resources: %(ids)s.") % {"ids": ", ".join(missing)}]}
            )
        data["data_resources"] = ids
        if data.get("org") is not None:
            org = Organization.objects.filter(pk=data["org"]).first()
            if org is None:
                raise serializers.ValidationError({"org": [_("Unknown organization: %(id)s.") % {"id": data["org"]}]})
            data["org"] = org
        return data


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    values = serializers.ListField(child=serializers.JSONField())
    weight = serializers.FloatField()


class CandidateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CandidateKind.choices)
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    score = serializers.FloatField()
    flagged = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    reason_details = ReasonSerializer(many=True)
    url = serializers.CharField()


class ResolutionSerializer(serializers.Serializer):
    state = serializers.CharField()
    state_display = serializers.CharField()
    comment = serializers.CharField()
    by = serializers.CharField(allow_null=True)
    at = serializers.CharField(allow_null=True)


class SimilarCandidateSerializer(CandidateSerializer):
    flag_id = serializers.IntegerField(allow_null=True)
    flag_state = serializers.CharField(allow_null=True)
    resolution = ResolutionSerializer(allow_null=True)
    current = serializers.BooleanField(help_text="found by the check now (false: only its flag remains)")


CheckResponse = inline_serializer(
    "RedundancyCheckResponse", {"flag_threshold": serializers.FloatField(), "candidates": CandidateSerializer(many=True)}
)
SimilarResponse = inline_serializer(
    "DemandSimilarResponse",
    {"flag_threshold": serializers.FloatField(), "candidates": SimilarCandidateSerializer(many=True)},
)


class CheckView(APIView):
    """What a demand being written may duplicate, with reasons. Nothing is saved."""

    @extend_schema(request=CheckRequestSerializer, responses=CheckResponse)
    def post(self, request):
        body = CheckRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        org = data.get("org") or request.user.organization
        threshold, candidates = check(
            data["title"], data["description"], data["capabilities"], org, data["data_resources"], data["domain"] or None,
            user=request.user, limit=data["limit"],
        )
        return Response({"flag_threshold": threshold, "candidates": candidates})


class SimilarView(APIView):
    """A demand's candidates now, each with its flag's state and resolution (then flags not found now)."""

    @extend_schema(responses=SimilarResponse)
    def get(self, request, pk: int):
        demand = get_visible_demand(request.user, pk)
        threshold, candidates = similar_for(demand, request.user)
        return Response({"flag_threshold": threshold, "candidates": candidates})


class ResolveRequestSerializer(serializers.Serializer):
    resolution = serializers.ChoiceField(choices=["dismissed", "merged", "reused"], default="dismissed")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class FlagSerializer(serializers.ModelSerializer):
    resolved_by = serializers.CharField(source="resolved_by.username", read_only=True, default=None)

    class Meta:
        model = RedundancyFlag
        fields = ["id", "demand", "candidate_kind", "candidate_id", "candidate_code", "candidate_title", "score", "state",
                  "resolved_by", "resolved_at", "resolution_comment", "created_at"]


class ResolveView(APIView):
    """Dismiss a pending flag with a reason (provincial reviewers). Merge and reuse resolve flags themselves."""

    @extend_schema(request=ResolveRequestSerializer, responses=FlagSerializer)
    def post(self, request, pk: int, flag_id: int):
        demand = get_visible_demand(request.user, pk)
        flag = RedundancyFlag.objects.filter(pk=flag_id, demand=demand).select_related("demand").first()
        if flag is None or flag_id not in {f.pk for f in visible_flags(demand, request.user)}:
            raise Http404
        body = ResolveRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        flag = resolve_flag(flag, body.validated_data["resolution"], body.validated_data["comment"], actor=request.user)
        return Response(FlagSerializer(flag).data)


class ClusterDemandSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    title = serializers.CharField()
    org = serializers.IntegerField(source="org_id")
    org_name = serializers.CharField(source="org.name")
    city = serializers.CharField(source="org.city.name", default=None)
    status = serializers.CharField()
    budget_total = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)


class ClusterSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    terms = serializers.ListField(child=serializers.CharField())
    capabilities = serializers.SerializerMethodField()
    org_count = serializers.IntegerField()
    city_count = serializers.IntegerField()
    total_budget = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=True)
    demands = ClusterDemandSerializer(many=True)

    def get_capabilities(self, cluster) -> list[str]:
        return [c.code for c in cluster["capabilities"]]


class PaginatedClusterSerializer(serializers.Serializer):
    """The clusters page by page, as every list of the API (contract: count, next, previous, results)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ClusterSerializer(many=True)
    computed_at = serializers.DateTimeField(allow_null=True)
    flag_threshold = serializers.FloatField()


def may_recompute(user) -> bool:
    return has_role(user, Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER) or bool(user and user.is_superuser)


class ClustersView(APIView):
    """Groups of pending demands of two or more organizations asking for the same kind of system."""

    def _page(self, request, snapshot):
        clusters = clusters_for(request.user, snapshot)
        paginator = Pagination()
        page = paginator.paginate_queryset(clusters, request, view=self)
        response = paginator.get_paginated_response(ClusterSerializer(page, many=True).data)
        response.data["computed_at"] = snapshot.computed_at.isoformat() if snapshot else None
        response.data["flag_threshold"] = float(snapshot.threshold) if snapshot else flag_threshold()
        return response

    @extend_schema(responses=PaginatedClusterSerializer)
    def get(self, request):
        return self._page(request, latest_snapshot())

    @extend_schema(request=None, responses=PaginatedClusterSerializer)
    def post(self, request):
        if not may_recompute(request.user):
            raise PermissionDenied(_("Only the provincial review office recomputes the clusters."))
        return self._page(request, compute_clusters())


urlpatterns = [
    path("redundancy/check/", CheckView.as_view(), name="redundancy-check"),
    path("redundancy/clusters/", ClustersView.as_view(), name="redundancy-clusters"),
    path("demands/<int:pk>/similar/", SimilarView.as_view(), name="demand-similar"),
    path("demands/<int:pk>/flags/<int:flag_id>/resolve/", ResolveView.as_view(), name="demand-flag-resolve"),
]
