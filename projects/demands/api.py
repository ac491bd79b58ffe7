"""API of demands: list and file, read and edit, transition, history (contract.md).

Reads go through `selectors.demands` (a demand the caller may not see is a 404), writes
through `services.demands`; workflow errors are mapped by `core.api.exception_handler`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from assets.models import Capability, DataResource
from core.api import Pagination
from core.concurrency import edit_version
from core.models import AuditLog
from core.serializers import MoneyField
from core.workflow import available_transitions
from organizations.models import Organization
from projects.demands.filters import DemandFilter
from projects.demands.models import Demand
from projects.demands.selectors import attach_flag_state, demand_history, demand_rows, get_visible_demand
from projects.demands.services import demand_transition, save_demand
from projects.demands.transitions import handler_for

WRITABLE = (
    "title", "description", "org", "contact_name", "contact_phone", "domain", "construction_type", "capabilities",
    "data_resources", "budget_hardware", "budget_software", "budget_services", "budget_operations",
    "resources_wanted", "planned_start", "planned_end", "urgency", "policy_basis",
)


def _money():
    # Sign and size are checked by the service, with messages that name the field.
    return serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)


class DemandSerializer(serializers.ModelSerializer):
    """A demand as the contract names it (plus a few read-only conveniences)."""

    org = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False)
    capabilities = serializers.SlugRelatedField(
        many=True, slug_field="code", queryset=Capability.objects.all(), required=False,
        error_messages={"does_not_exist": _("Unknown capability code “{value}”.")},
    )
    data_resources = serializers.PrimaryKeyRelatedField(many=True, queryset=DataResource.objects.all(), required=False)
    budget_hardware = _money()
    budget_software = _money()
    budget_services = _money()
    budget_operations = _money()
    budget_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, coerce_to_string=True)
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    available_transitions = serializers.SerializerMethodField()
    org_name = serializers.CharField(source="org.name", read_only=True)
    pending_flags = serializers.SerializerMethodField()
    project = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    version = serializers.SerializerMethodField(help_text=_(
        "Send it back with a PATCH: an edit of a demand changed since is refused with 409."))

    class Meta:
        model = Demand
        fields = [
            "id", "code", "title", "description", "org", "org_name", "domain", "construction_type", "capabilities",
            "data_resources", "budget_hardware", "budget_software", "budget_services", "budget_operations",
            "budget_total", "status", "status_display", "available_transitions", "project",
            "contact_name", "contact_phone", "resources_wanted", "planned_start", "planned_end", "urgency",
            "policy_basis", "submitted_at", "stage_entered_at", "due_at", "review_comment", "fields_to_fix",
            "merged_into", "reuse_system", "pending_flags", "approved_budget", "created_at", "updated_at", "version",
        ]
        read_only_fields = [
            "id", "code", "submitted_at", "stage_entered_at", "due_at", "review_comment", "fields_to_fix",
            "merged_into", "reuse_system", "approved_budget", "created_at", "updated_at",
        ]
        extra_kwargs = {
            "title": {"required": False},
            "description": {"required": False},
            "domain": {"required": False},
            "construction_type": {"required": False},
        }

    def get_version(self, obj) -> str:
        return edit_version(obj)

    def get_available_transitions(self, demand) -> list[str]:
        request = self.context.get("request")
        return available_transitions(demand, "status", request.user) if request else []

    def get_pending_flags(self, demand) -> bool:
        return demand.has_pending_flags()

    def create(self, validated_data):
        return save_demand(actor=self.context["request"].user, data=self._service_data(validated_data))

    def update(self, instance, validated_data):
        version = self.context["request"].data.get("version") if hasattr(self.context["request"].data, "get") else None
        return save_demand(actor=self.context["request"].user, data=self._service_data(validated_data), demand=instance,
                           version=version or None)

    @staticmethod
    def _service_data(validated_data) -> dict:
        return {k: v for k, v in validated_data.items() if k in WRITABLE}


class HistorySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = AuditLog
        fields = ["id", "at", "actor", "actor_name", "transition", "source", "target", "comment", "payload"]


class TransitionRequestSerializer(serializers.Serializer):
    name = serializers.ChoiceField(
        choices=["submit", "municipal_approve", "provincial_approve", "expert_approve", "expert_reject",
                 "return_for_revision", "reject", "merge", "recommend_reuse", "withdraw"]
    )
    approved_budget = MoneyField(required=False, allow_null=True, help_text=_(
        "provincial_approve / expert_approve: the amount approved, when lower than requested (default: the recommended)."))
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    target_demand = serializers.IntegerField(required=False, allow_null=True)
    target_project = serializers.IntegerField(required=False, allow_null=True)
    system = serializers.IntegerField(required=False, allow_null=True)
    incremental_cost = MoneyField(required=False, allow_null=True, help_text=_(
        "merge: what merging still costs; the savings entry is the demand's total minus it (default 0, at most the total)."))
    adaptation_cost = MoneyField(required=False, allow_null=True, help_text=_(
        "recommend_reuse: what adapting the system costs; the savings entry is the demand's total minus it (default 0, at most the total)."))
    fields_to_fix = serializers.ListField(child=serializers.CharField(), required=False)


class DemandViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Demands the caller may see. PATCH only while draft or returned, by the bureau's submitters."""

    serializer_class = DemandSerializer
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = DemandFilter  # the contract's status, org, domain, search, and the page filters besides
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = r"[0-9]+"  # 'abc', '1e3': no demand, 404

    def get_queryset(self):
        return demand_rows(self.request.user, with_data_resources=True).order_by("-created_at", "-pk")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return attach_flag_state(page) if page is not None else None

    def get_object(self):
        return get_visible_demand(self.request.user, self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        demand = serializer.save()
        fresh = get_visible_demand(request.user, demand.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        demand = self.get_object()
        serializer = self.get_serializer(demand, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(self.get_serializer(get_visible_demand(request.user, demand.pk)).data)

    @extend_schema(request=TransitionRequestSerializer, responses=DemandSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Fire `name` (with `comment`; `merge` takes target_demand or target_project and an optional incremental_cost,
        `recommend_reuse` takes system and an optional adaptation_cost)."""
        demand = self.get_object()
        body = TransitionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        name, comment = data.pop("name"), data.pop("comment", "")
        handler = handler_for(name)
        payload = handler.payload_from_api(data) if handler is not None else {}
        demand_transition(demand=demand, name=name, actor=request.user, comment=comment, **payload)
        return Response(self.get_serializer(get_visible_demand(request.user, demand.pk)).data)

    @extend_schema(
        responses=inline_serializer("DemandHistoryPage", {"count": serializers.IntegerField(), "results": HistorySerializer(many=True)})
    )
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """The demand's transition log, oldest first (paginated like every list)."""
        demand = self.get_object()
        paginator = Pagination()
        page = paginator.paginate_queryset(demand_history(demand), request, view=self)
        return paginator.get_paginated_response(HistorySerializer(page, many=True).data)


router = SimpleRouter()
router.register("demands", DemandViewSet, basename="demand")

urlpatterns = router.urls
