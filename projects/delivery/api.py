"""API of projects: `GET /api/v1/projects/`, `GET, PATCH /api/v1/projects/{id}/`,
`POST /api/v1/projects/{id}/transition/` (contract.md).

A PATCH changes a project's details (name, description, manager, dates) and must send back the
`version` it read: an edit of a project changed since (by an edit or a transition) is 409. The
approved budget is read-only: it changes only through a budget change.

Reads go through `projects_visible_to` (invisible → 404), transitions through
`project_transition` (409 with the current state and the guards that blocked, 403 for a
visible project the caller may not move).
"""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core import workflow
from core.concurrency import edit_version
from core.errors import TransitionForbidden
from core.http import object_id
from organizations.choices import Role
from projects import ports
from projects.delivery.choices import MACHINE_FIELDS, Machine
from projects.delivery.filters import ProjectFilter
from projects.delivery.permissions import may_edit_project
from projects.delivery.selectors import blocking_guards, projects_visible_to
from projects.delivery.services import project_transition, update_project
from projects.demands.models import Demand


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    approved_budget = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    hardware_status = serializers.CharField(read_only=True)
    funding_status = serializers.CharField(read_only=True)
    development_status = serializers.CharField(read_only=True)
    operations_status = serializers.CharField(read_only=True)
    available_transitions = serializers.SerializerMethodField()
    blocked = serializers.SerializerMethodField()
    demands = serializers.SerializerMethodField()
    beneficiary_orgs = serializers.SerializerMethodField()
    system = serializers.SerializerMethodField()
    construction_org = serializers.IntegerField(source="construction_org_id", read_only=True)
    manager = serializers.CharField(source="manager.username", default=None, read_only=True, allow_null=True)
    year = serializers.IntegerField(read_only=True)
    planned_start = serializers.DateField(read_only=True, allow_null=True)
    planned_end = serializers.DateField(read_only=True, allow_null=True)
    actual_start = serializers.DateField(read_only=True, allow_null=True)
    actual_end = serializers.DateField(read_only=True, allow_null=True)
    version = serializers.SerializerMethodField(help_text=_(
        "Send it back with a PATCH: an edit of a project changed since is refused with 409."))

    def get_version(self, obj) -> str:
        return edit_version(obj)

    def get_available_transitions(self, obj) -> dict[str, list[str]]:
        """Per machine, the transitions the caller may fire now."""
        user = self.context["request"].user
        return {machine: workflow.available_transitions(obj, field, user) for machine, field in MACHINE_FIELDS.items()}

    def get_blocked(self, obj) -> dict[str, dict[str, list[str]]]:
        """Per machine, transitions possible from the current state but blocked by a guard (with its message)."""
        out = {}
        for machine, field in MACHINE_FIELDS.items():
            blocked = blocking_guards(obj, field)
            if blocked:
                out[machine] = blocked
        return out

    def get_demands(self, obj) -> list[int]:
        return [d.pk for d in obj.demands.all()]

    def get_beneficiary_orgs(self, obj) -> list[int]:
        return sorted(o.pk for o in obj.beneficiary_orgs.all())

    def get_system(self, obj) -> int | None:
        """The catalogue entry of the project's system, once it went live."""
        try:
            return obj.system.pk
        except obj.__class__.system.RelatedObjectDoesNotExist:
            return None


class ProjectEditSerializer(serializers.Serializer):
    """The details a PATCH may change, and the version the caller read."""

    name = serializers.CharField(required=False, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    manager = serializers.SlugRelatedField(
        slug_field="username", required=False, allow_null=True,
        queryset=get_user_model().objects.filter(role=Role.PROJECT_MANAGER, is_active=True))
    planned_start = serializers.DateField(required=False, allow_null=True)
    planned_end = serializers.DateField(required=False, allow_null=True)
    actual_start = serializers.DateField(required=False, allow_null=True)
    actual_end = serializers.DateField(required=False, allow_null=True)
    version = serializers.CharField(help_text=_("The `version` of the project as you read it."))

    def validate(self, attrs):
        refused = {f: [_("The approved budget changes only through a budget change approved by the provincial approver.")]
                   for f in ("approved_budget",) if f in self.initial_data}
        refused.update({f: [_("This field is read-only.")] for f in READ_ONLY_ON_PATCH if f in self.initial_data})
        if refused:
            raise serializers.ValidationError(refused)
        return attrs


# Fields of a project a PATCH names in vain: states move by transitions, the rest is set by the system.
READ_ONLY_ON_PATCH = ("id", "code", "hardware_status", "funding_status", "development_status", "operations_status",
                      "construction_org", "beneficiary_orgs", "demands", "system", "year")


class TransitionSerializer(serializers.Serializer):
    machine = serializers.ChoiceField(choices=Machine.choices)
    name = serializers.CharField(max_length=40)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ProjectViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Projects the caller may see, with their four states; filters per state, `org`, `year`, `search`, `late`."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    lookup_value_regex = r"[0-9]+"  # anything else is no project: 404

    def get_object(self):
        obj = self.get_queryset().filter(pk=object_id(self.kwargs["pk"])).first()
        if obj is None:
            raise Http404
        return obj

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        ports.prefetch_funding_facts(page if page is not None else [])  # the funding guards of the page, in a few queries
        return page

    def get_queryset(self):
        return projects_visible_to(self.request.user).prefetch_related(
            # `status` too: the state machine reads it when a demand is loaded.
            Prefetch("demands", queryset=Demand.objects.restrict(self.request.user).only("id", "project_id", "status").order_by("pk")),
            "beneficiary_orgs",
            "hardware_items",  # the hardware guards read them
            "milestones",  # the delivery guard reads them
        ).order_by("-year", "-code")

    @extend_schema(request=ProjectEditSerializer, responses=ProjectSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change the details: 200 with the project; 400 naming the field; 403; 404; 409 when it changed since `version`."""
        project = self.get_object()
        if not may_edit_project(project, request.user):
            raise TransitionForbidden(_("You are not permitted to do this."))
        body = ProjectEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        version = changes.pop("version")
        update_project(project, request.user, version=version, **changes)
        fresh = self.get_queryset().get(pk=project.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_200_OK)

    @extend_schema(request=TransitionSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Fire `name` on `machine`: 200 with the project, 409 (state, guards), 403, 404."""
        project = self.get_object()
        body = TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        project_transition(
            project=project, machine=body.validated_data["machine"], name=body.validated_data["name"],
            actor=request.user, comment=body.validated_data["comment"],
        )
        fresh = self.get_queryset().get(pk=project.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_200_OK)


router = SimpleRouter()
router.register("projects", ProjectViewSet, basename="project")

urlpatterns = router.urls
