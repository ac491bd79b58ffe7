"""API: token, the caller, and the organization tree."""

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from .models import Organization, Region
from .selectors import visible_orgs


class OrganizationSerializer(serializers.ModelSerializer):
    region = serializers.SerializerMethodField()
    region_code = serializers.CharField(source="region.code", read_only=True)
    city = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Organization
        fields = ["id", "code", "name", "name_en", "level", "parent", "region", "region_code", "city",
                  "is_coordination_authority"]

    def get_region(self, obj) -> str:
        return obj.region.name


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "name_en", "level", "kind", "parent"]


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """The organization tree. Everyone signed in may read it: it is how demands name their bureau."""

    serializer_class = OrganizationSerializer
    queryset = Organization.objects.select_related("region").order_by("region__code", "-is_coordination_authority", "code")
    filterset_fields = ["level", "region", "city", "is_coordination_authority"]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RegionSerializer
    queryset = Region.objects.order_by("code")
    filterset_fields = ["level", "parent"]


class TokenView(ObtainAuthToken):
    """`{"username", "password"}` → `{"token"}`."""


@extend_schema(
    responses=inline_serializer(
        "Me",
        {
            "username": serializers.CharField(),
            "role": serializers.CharField(),
            "org": serializers.IntegerField(allow_null=True),
            "org_name": serializers.CharField(allow_null=True),
            "visible_org_count": serializers.IntegerField(),
        },
    )
)
@api_view(["GET"])
def me(request):
    """The caller: username, role and organization."""
    user = request.user
    return Response(
        {
            "username": user.username,
            "display_name": str(user),
            "role": user.role or ("admin" if user.is_superuser else ""),
            "org": user.organization_id,
            "org_name": user.organization.name if user.organization_id else None,
            "visible_org_count": visible_orgs(user).count(),
        }
    )


router = SimpleRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("regions", RegionViewSet, basename="region")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", me, name="api-me"),
    *router.urls,
]
