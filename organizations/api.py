"""API: token, the caller, and the organization tree."""

from django.contrib.auth.signals import user_logged_in
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.throttling import ScopedRateThrottle

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
    """`{"username", "password"}` → `{"token"}`. Throttled per address, and locked per account and
    address after repeated failures (django-axes, organizations.security)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def post(self, request, *args, **kwargs):
        from axes.handlers.proxy import AxesProxyHandler

        from organizations.security import lockout_response

        credentials = {"username": str(request.data.get("username", ""))[:150]} if hasattr(request.data, "get") else {}
        if AxesProxyHandler.is_locked(request._request, credentials=credentials):
            return lockout_response(request._request)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        # A login like any other: the lockout counter of this account and address starts again.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


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
