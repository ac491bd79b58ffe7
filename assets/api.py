"""API endpoints of the catalogue: capabilities, systems, hardware, data resources.

Reads go through assets.selectors (hardware answers 404 for what the caller may not see), writes
through assets.services (403 for a visible entry the caller may not change).
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import SimpleRouter

from core.api import PrimaryKeyRelatedField
from core.serializers import MoneyField
from organizations.models import Organization

from . import selectors, services
from .filters import DataResourceFilter, HardwareFilter, SystemFilter
from .models import Capability, DataResource, HardwareItem, InformationSystem
from .permissions import may_change_data_resource, may_change_hardware, may_change_system, may_edit_catalogue


class CapabilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Capability
        fields = ["id", "code", "name", "name_en", "description"]


class CapabilityViewSet(viewsets.ReadOnlyModelViewSet):
    """The shared capability taxonomy (readable by everyone signed in)."""

    serializer_class = CapabilitySerializer
    queryset = Capability.objects.all()
    lookup_field = "code"


def _service_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(exc, "error_dict"):
        return serializers.ValidationError(
            {("non_field_errors" if k == "__all__" else k): [str(m) for m in v] for k, v in exc.message_dict.items()})
    return serializers.ValidationError({"non_field_errors": [str(m) for m in exc.messages]})


class CatalogueWriteMixin(mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """POST and PATCH through the services; the permission is checked before the payload."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    may_change = staticmethod(lambda user, obj: False)

    def create(self, request, *args, **kwargs):
        if not may_edit_catalogue(request.user):
            raise PermissionDenied
        return super().create(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        if not self.may_change(request.user, self.get_object()):
            raise PermissionDenied(services.OWN_ORG_ONLY)
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)

    def perform_create(self, serializer):
        try:
            serializer.instance = self.create_entry(dict(serializer.validated_data))
        except DjangoValidationError as exc:
            raise _service_errors(exc)

    def perform_update(self, serializer):
        try:
            serializer.instance = self.update_entry(serializer.instance, dict(serializer.validated_data))
        except DjangoValidationError as exc:
            raise _service_errors(exc)


# ---------------------------------------------------------------- systems


DESCRIPTION_MAX = 5000  # the same limit as the forms (assets/forms.py)


def _description():
    return serializers.CharField(required=False, allow_blank=True, max_length=DESCRIPTION_MAX)


class SystemSerializer(serializers.ModelSerializer):
    description = _description()
    owner_org = PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False,
                                                   help_text=_("Defaults to the caller's organization."))
    capabilities = serializers.SlugRelatedField(many=True, slug_field="code", queryset=Capability.objects.all(), required=False)
    user_orgs = PrimaryKeyRelatedField(many=True, queryset=Organization.objects.all(), required=False)
    yearly_ops_cost = MoneyField(required=False)
    level = serializers.CharField(read_only=True)
    assessment_due = serializers.DateField(read_only=True, allow_null=True)
    assessment_overdue = serializers.BooleanField(source="is_assessment_overdue", read_only=True)
    project = PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = InformationSystem
        fields = ["id", "code", "name", "description", "owner_org", "level", "capabilities", "user_orgs", "status", "build_mode", "url",
                  "yearly_ops_cost", "security_level", "last_assessment", "assessment_due", "assessment_overdue", "project",
                  "created_at", "updated_at"]
        read_only_fields = ["code", "created_at", "updated_at"]
        extra_kwargs = {"build_mode": {"required": False}}


class SystemViewSet(CatalogueWriteMixin, viewsets.ReadOnlyModelViewSet):
    """The system catalogue: everyone signed in reads it; owners and provincial roles change it.

    Filters: `q` (name, description, code), `capability` (code), `owner_org`, `level`, `status`,
    `city` (region id of the users), `build_mode`, `overdue` (true/false).
    """

    serializer_class = SystemSerializer
    filterset_class = SystemFilter
    may_change = staticmethod(may_change_system)

    def get_queryset(self):
        return selectors.systems_for_catalogue(self.request.user).prefetch_related("user_orgs").order_by("code")

    def create_entry(self, data):
        owner = data.pop("owner_org", None) or self.request.user.organization
        if owner is None:
            raise serializers.ValidationError({"owner_org": [_("Give the owner organization.")]})
        system = services.create_system(actor=self.request.user, owner_org=owner, **data)
        return self.get_queryset().get(pk=system.pk)

    def update_entry(self, system, data):
        capabilities, user_orgs = data.pop("capabilities", None), data.pop("user_orgs", None)
        services.update_system(system, actor=self.request.user, capabilities=capabilities, user_orgs=user_orgs, **data)
        return self.get_queryset().get(pk=system.pk)


# ---------------------------------------------------------------- hardware


class HardwareSerializer(serializers.ModelSerializer):
    serializer_related_field = PrimaryKeyRelatedField  # `project`, `system`: out-of-range ids answer 400
    system_code = serializers.CharField(source="system.code", read_only=True, default=None, allow_null=True)
    unit_cost = MoneyField()
    total_cost = MoneyField(read_only=True)

    class Meta:
        model = HardwareItem
        fields = ["id", "name", "kind", "project", "system", "system_code", "vcpu", "memory_gb", "storage_tb", "quantity", "unit_cost",
                  "total_cost", "location", "supplier", "warranty_end", "status", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class HardwareViewSet(CatalogueWriteMixin, viewsets.ReadOnlyModelViewSet):
    """Hardware and cloud resources the caller may see (404 for others)."""

    serializer_class = HardwareSerializer
    filterset_class = HardwareFilter
    may_change = staticmethod(may_change_hardware)

    def get_queryset(self):
        return selectors.hardware_visible_to(self.request.user).order_by("pk")

    def create_entry(self, data):
        return services.create_hardware(actor=self.request.user, **data)

    def update_entry(self, item, data):
        return services.update_hardware(item, actor=self.request.user, **data)


# ---------------------------------------------------------------- data resources


class DataResourceSerializer(serializers.ModelSerializer):
    description = _description()
    owner_org = PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False,
                                                   help_text=_("Defaults to the caller's organization."))

    class Meta:
        model = DataResource
        fields = ["id", "code", "name", "description", "owner_org", "update_frequency", "record_count", "sharing", "opening",
                  "created_at", "updated_at"]
        read_only_fields = ["code", "created_at", "updated_at"]


class DataResourceViewSet(CatalogueWriteMixin, viewsets.ReadOnlyModelViewSet):
    """The public data catalogue with each resource's sharing and opening attributes."""

    serializer_class = DataResourceSerializer
    filterset_class = DataResourceFilter
    may_change = staticmethod(may_change_data_resource)

    def get_queryset(self):
        return selectors.data_resources_for_catalogue(self.request.user).order_by("code")

    def create_entry(self, data):
        owner = data.pop("owner_org", None) or self.request.user.organization
        if owner is None:
            raise serializers.ValidationError({"owner_org": [_("Give the owner organization.")]})
        return services.create_data_resource(actor=self.request.user, owner_org=owner, **data)

    def update_entry(self, resource, data):
        return services.update_data_resource(resource, actor=self.request.user, **data)


router = SimpleRouter()
router.register("capabilities", CapabilityViewSet, basename="capability")
router.register("systems", SystemViewSet, basename="system")
router.register("hardware", HardwareViewSet, basename="hardware")
router.register("data-resources", DataResourceViewSet, basename="data-resource")

urlpatterns = router.urls
