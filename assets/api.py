"""API endpoints of the catalogue."""

from rest_framework import serializers, viewsets
from rest_framework.routers import SimpleRouter

from .models import Capability


class CapabilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Capability
        fields = ["id", "code", "name", "name_en", "description"]


class CapabilityViewSet(viewsets.ReadOnlyModelViewSet):
    """The shared capability taxonomy (readable by everyone signed in)."""

    serializer_class = CapabilitySerializer
    queryset = Capability.objects.all()
    lookup_field = "code"


router = SimpleRouter()
router.register("capabilities", CapabilityViewSet, basename="capability")

urlpatterns = router.urls
