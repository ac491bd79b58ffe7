"""API of the review under /api/v1/ (docs/api.md): reviewer's opinions, expert assignments, authorization requests.

The same rules as the pages: reads through the selectors (restrict(): an expert its own assignments and,
once its opinion is in, the others'; a data officer the requests for its organization's resources; a row
the caller may not see is a 404), writes through `review_services`.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.api import Pagination
from core.filters import FilterBackend, FilterSet, IntegerFilter
from core.serializers import MoneyField
from core.workflow import available_transitions
from projects.demands import review_services as services
from projects.demands.choices import AssignmentState, AuthorizationState, ExpertVerdict, Recommendation
from projects.demands.models import AuthorizationRequest, ExpertAssignment, ReviewOpinion
from projects.demands.selectors import (
    assignments_visible_to,
    authorizations_visible_to,
    get_visible_assignment,
    get_visible_authorization,
    get_visible_demand,
    get_visible_opinion,
    opinions_visible_to,
)

# ---------------------------------------------------------------------------------------- opinions


class ReviewOpinionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    recommended_budget = MoneyField(required=False, allow_null=True)
    recommendation_display = serializers.CharField(source="get_recommendation_display", read_only=True)

    class Meta:
        model = ReviewOpinion
        fields = ["id", "demand", "author", "recommendation", "recommendation_display", "recommended_budget", "reason",
                  "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class ReviewOpinionInput(serializers.Serializer):
    demand = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    recommended_budget = MoneyField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.TEXT_MAX)


class DemandFilterSet(FilterSet):
    demand = IntegerFilter(field_name="demand_id")


class ReviewOpinionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                           viewsets.GenericViewSet):
    """The provincial reviewer's opinions (审核意见); POST records one on a demand in provincial review."""

    serializer_class = ReviewOpinionSerializer
    pagination_class = Pagination
    filter_backends = [FilterBackend]
    filterset_class = DemandFilterSet
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return opinions_visible_to(self.request.user)

    def get_object(self):
        return get_visible_opinion(self.request.user, self.kwargs["pk"])

    @extend_schema(request=ReviewOpinionInput, responses={201: ReviewOpinionSerializer})
    def create(self, request, *args, **kwargs):
        body = ReviewOpinionInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        demand = get_visible_demand(request.user, data["demand"])
        opinion = services.record_opinion(demand=demand, actor=request.user, recommendation=data["recommendation"],
                                          recommended_budget=data.get("recommended_budget"), reason=data.get("reason", ""))
        return Response(ReviewOpinionSerializer(opinion).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------------------- expert assignments


class ExpertAssignmentSerializer(serializers.ModelSerializer):
    expert = serializers.CharField(source="expert.username", read_only=True)
    expert_name = serializers.CharField(source="expert.__str__", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    recommended_budget = MoneyField(read_only=True, allow_null=True)
    has_signed_file = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = ExpertAssignment
        fields = ["id", "demand", "expert", "expert_name", "state", "state_display", "deadline", "verdict", "comments",
                  "recommended_budget", "has_signed_file", "submitted_at", "decline_reason", "replaced_by",
                  "available_transitions", "created_at"]
        read_only_fields = fields

    def get_has_signed_file(self, obj) -> bool:
        return bool(obj.signed_file)

    def get_available_transitions(self, obj) -> list[str]:
        request = self.context.get("request")
        return available_transitions(obj, "state", request.user) if request else []


class PanelInput(serializers.Serializer):
    demand = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    experts = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), allow_empty=False,
                                    max_length=30, help_text=_("User ids of experts of the pool (at least three on the panel)."))
    deadline = serializers.DateTimeField(help_text=_("When the opinions are due (in the future)."))


class AssignmentTransitionInput(serializers.Serializer):
    name = serializers.ChoiceField(choices=["submit_opinion", "decline", "replace"])
    verdict = serializers.ChoiceField(choices=ExpertVerdict.choices, required=False)
    comments = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.TEXT_MAX)
    recommended_budget = MoneyField(required=False, allow_null=True)
    signed_file = serializers.FileField(required=False, allow_null=True, help_text=_("A signed PDF (multipart)."))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.TEXT_MAX)
    expert = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                      help_text=_("replace: the expert who takes the place."))
    deadline = serializers.DateTimeField(required=False, help_text=_("replace: the new expert's deadline."))


class AssignmentFilterSet(FilterSet):
    demand = IntegerFilter(field_name="demand_id")
    state = django_filters.ChoiceFilter(choices=AssignmentState.choices)


class ExpertAssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                              viewsets.GenericViewSet):
    """Experts on demands' panels. POST assigns a panel; `transition` submits an opinion, declines or replaces."""

    serializer_class = ExpertAssignmentSerializer
    pagination_class = Pagination
    filter_backends = [FilterBackend]
    filterset_class = AssignmentFilterSet
    lookup_value_regex = r"[0-9]+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return assignments_visible_to(self.request.user).order_by("demand_id", "created_at", "pk")

    def get_object(self):
        return get_visible_assignment(self.request.user, self.kwargs["pk"])

    @extend_schema(request=PanelInput, responses={201: ExpertAssignmentSerializer(many=True)})
    def create(self, request, *args, **kwargs):
        body = PanelInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        demand = get_visible_demand(request.user, data["demand"])
        created = services.assign_panel(demand=demand, actor=request.user, experts=data["experts"], deadline=data["deadline"])
        return Response(self.get_serializer(created, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssignmentTransitionInput, responses=ExpertAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """`submit_opinion` (verdict, comments, recommended_budget, signed_file), `decline` (reason), `replace`
        (expert, deadline: answers the new assignment)."""
        assignment = self.get_object()
        body = AssignmentTransitionInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        name = data["name"]
        if name == "submit_opinion":
            services.submit_expert_opinion(assignment=assignment, actor=request.user, verdict=data.get("verdict", ""),
                                           comments=data.get("comments", ""),
                                           recommended_budget=data.get("recommended_budget"),
                                           signed_file=data.get("signed_file"))
            result = assignment
        elif name == "decline":
            result = services.decline_assignment(assignment=assignment, actor=request.user, reason=data.get("reason", ""))
        else:
            result = services.replace_expert(assignment=assignment, actor=request.user, expert=data.get("expert"),
                                             deadline=data.get("deadline"))
        return Response(self.get_serializer(get_visible_assignment(request.user, result.pk)).data)


# ---------------------------------------------------------------------------------------- authorization requests


class AuthorizationSerializer(serializers.ModelSerializer):
    resource_name = serializers.CharField(source="resource.name", read_only=True)
    owner_org_name = serializers.CharField(source="owner_org.name", read_only=True)
    demand_code = serializers.CharField(source="demand.code", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None, allow_null=True)
    available_transitions = serializers.SerializerMethodField()

    class Meta:
        model = AuthorizationRequest
        fields = ["id", "demand", "demand_code", "resource", "resource_name", "owner_org", "owner_org_name", "system_name",
                  "purpose", "requested_until", "state", "state_display", "conditions", "valid_until", "reason",
                  "decided_by", "decided_at", "available_transitions", "created_at"]
        read_only_fields = fields

    def get_available_transitions(self, obj) -> list[str]:
        request = self.context.get("request")
        names = available_transitions(obj, "state", request.user) if request else []
        return [n for n in names if n in ("grant", "refuse", "revoke")]


class AuthorizationTransitionInput(serializers.Serializer):
    name = serializers.ChoiceField(choices=["grant", "refuse", "revoke"])
    conditions = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.TEXT_MAX)
    valid_until = serializers.DateField(required=False, allow_null=True, help_text=_("grant: the end date (optional)."))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.TEXT_MAX)


class AuthorizationFilterSet(FilterSet):
    demand = IntegerFilter(field_name="demand_id")
    resource = IntegerFilter(field_name="resource_id")
    state = django_filters.ChoiceFilter(choices=AuthorizationState.choices)


class AuthorizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Requests to owners of authorized-sharing resources; the owner's data officer grants, refuses or revokes."""

    serializer_class = AuthorizationSerializer
    pagination_class = Pagination
    filter_backends = [FilterBackend]
    filterset_class = AuthorizationFilterSet
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return authorizations_visible_to(self.request.user).order_by("-created_at", "-pk")

    def get_object(self):
        return get_visible_authorization(self.request.user, self.kwargs["pk"])

    @extend_schema(request=AuthorizationTransitionInput, responses=AuthorizationSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """`grant` (conditions, valid_until), `refuse` or `revoke` (reason)."""
        auth = self.get_object()
        body = AuthorizationTransitionInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.decide_authorization(request=auth, actor=request.user, name=data["name"],
                                      conditions=data.get("conditions", ""), valid_until=data.get("valid_until"),
                                      reason=data.get("reason", ""))
        return Response(self.get_serializer(get_visible_authorization(request.user, auth.pk)).data)


router = SimpleRouter()
router.register("review-opinions", ReviewOpinionViewSet, basename="review-opinion")
router.register("expert-assignments", ExpertAssignmentViewSet, basename="expert-assignment")
router.register("authorizations", AuthorizationViewSet, basename="authorization")

urlpatterns = router.urls
