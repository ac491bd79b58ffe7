"""API of money (contract.md): `GET, POST /api/v1/budget-lines/`, `GET, POST /api/v1/disbursements/`,
`POST /api/v1/disbursements/{id}/transition/` (approve, pay, reject), `GET /api/v1/savings/`,
`GET, POST /api/v1/budget-changes/`, `POST /api/v1/budget-changes/{id}/transition/` (approve, reject).

Reads go through the selectors (invisible → 404); writes through the services (400 field errors,
403, 409 with the guards that blocked).
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core import workflow
from core.http import object_id
from core.serializers import MoneyField
from projects.delivery.selectors import projects_visible_to

from . import selectors, services
from .choices import Category, FundingSource
from .filters import BudgetChangeFilter, BudgetLineFilter, DisbursementFilter, SavingsFilter


def _visible_project(user, pk):
    project = projects_visible_to(user).filter(pk=object_id(pk)).first() if pk is not None else None
    if project is None:
        raise serializers.ValidationError({"project": ["There is no such project that you may see."]})
    return project


class BudgetLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    project = serializers.IntegerField(source="project_id", min_value=1, max_value=2**63 - 1)
    project_code = serializers.CharField(source="project.code", read_only=True)
    fiscal_year = serializers.IntegerField(min_value=2000, max_value=2100)
    source = serializers.ChoiceField(choices=FundingSource.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    amount = MoneyField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class DisbursementSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    budget_line = serializers.IntegerField(source="budget_line_id", min_value=1, max_value=2**63 - 1)
    project = serializers.IntegerField(source="budget_line.project_id", read_only=True)
    amount = MoneyField()
    voucher_no = serializers.CharField(max_length=40)
    payee = serializers.CharField(max_length=200)
    date = serializers.DateField(required=False)
    purpose = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    milestone = serializers.IntegerField(source="milestone_id", required=False, allow_null=True, default=None, min_value=1,
                                         max_value=2**63 - 1)
    status = serializers.CharField(read_only=True)
    available_transitions = serializers.SerializerMethodField()

    def get_available_transitions(self, obj) -> list[str]:
        return workflow.available_transitions(obj, "status", self.context["request"].user)


class MoneyTransitionSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=40)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class BudgetChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    project = serializers.IntegerField(source="project_id", min_value=1, max_value=2**63 - 1)
    old_amount = MoneyField(read_only=True)
    new_amount = MoneyField()
    reason = serializers.CharField(max_length=4000)
    status = serializers.CharField(read_only=True)
    proposed_by = serializers.CharField(source="proposed_by.username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None)
    available_transitions = serializers.SerializerMethodField()

    def get_available_transitions(self, obj) -> list[str]:
        return workflow.available_transitions(obj, "status", self.context["request"].user)


class SavingsEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    demand = serializers.IntegerField(source="demand_id", read_only=True)
    demand_code = serializers.CharField(source="demand.code", read_only=True)
    decision = serializers.CharField(read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None)
    org = serializers.IntegerField(source="org_id", read_only=True)
    year = serializers.IntegerField(read_only=True)
    requested = MoneyField(read_only=True)
    deducted = MoneyField(read_only=True)
    amount = MoneyField(read_only=True)
    reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class _Base(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_value_regex = r"[0-9]+"

    def get_object(self):
        obj = self.get_queryset().filter(pk=object_id(self.kwargs["pk"])).first()
        if obj is None:
            raise Http404
        return obj


class BudgetLineViewSet(mixins.CreateModelMixin, _Base):
    """Budget lines of the projects the caller may see; finance and the project's manager add lines (never above the approved budget)."""

    serializer_class = BudgetLineSerializer
    filterset_class = BudgetLineFilter

    def get_queryset(self):
        return selectors.lines_visible_to(self.request.user).order_by("pk")

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        project = _visible_project(request.user, data["project_id"])
        line = services.add_budget_line(project=project, actor=request.user, fiscal_year=data["fiscal_year"], source=data["source"],
                                        category=data["category"], amount=data["amount"], note=data.get("note", ""))
        return Response(self.get_serializer(line).data, status=status.HTTP_201_CREATED)


class DisbursementViewSet(mixins.CreateModelMixin, _Base):
    """Disbursements of the projects the caller may see; finance requests, approves, pays and rejects."""

    serializer_class = DisbursementSerializer
    filterset_class = DisbursementFilter

    def get_queryset(self):
        return selectors.disbursements_visible_to(self.request.user).order_by("-date", "-pk")

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        line = selectors.lines_visible_to(request.user).filter(pk=data["budget_line_id"]).first()
        if line is None:
            raise serializers.ValidationError({"budget_line": ["There is no such budget line that you may see."]})
        milestone = None
        if data.get("milestone_id"):
            milestone = line.project.milestones.filter(pk=data["milestone_id"]).first()
            if milestone is None:
                raise serializers.ValidationError({"milestone": ["There is no such milestone of this project."]})
        disbursement = services.request_disbursement(
            line=line, actor=request.user, amount=data["amount"], voucher_no=data["voucher_no"], payee=data["payee"],
            date=data.get("date"), purpose=data.get("purpose", ""), milestone=milestone)
        return Response(self.get_serializer(disbursement).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MoneyTransitionSerializer, responses=DisbursementSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """`approve`, `pay` or `reject` (with a comment): 200, 409 (state, guards), 403, 404."""
        disbursement = self.get_object()
        body = MoneyTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.disbursement_transition(disbursement=disbursement, name=body.validated_data["name"], actor=request.user,
                                         comment=body.validated_data["comment"])
        return Response(self.get_serializer(self.get_queryset().get(pk=disbursement.pk)).data)


class BudgetChangeViewSet(mixins.CreateModelMixin, _Base):
    """Budget changes: proposed by the project's manager or finance, approved by a provincial approver."""

    serializer_class = BudgetChangeSerializer
    filterset_class = BudgetChangeFilter

    def get_queryset(self):
        return selectors.budget_changes_visible_to(self.request.user).order_by("-pk")

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        project = _visible_project(request.user, data["project_id"])
        change = services.propose_budget_change(project=project, actor=request.user, new_amount=data["new_amount"],
                                                reason=data["reason"])
        return Response(self.get_serializer(change).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MoneyTransitionSerializer, responses=BudgetChangeSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """`approve` or `reject` (with a comment): 200, 409, 403, 404."""
        change = self.get_object()
        body = MoneyTransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.budget_change_transition(change=change, name=body.validated_data["name"], actor=request.user,
                                          comment=body.validated_data["comment"])
        return Response(self.get_serializer(self.get_queryset().get(pk=change.pk)).data)


class SavingsViewSet(_Base):
    """The savings ledger: one entry per decision that avoided spending (filters decision, year, org, city)."""

    serializer_class = SavingsEntrySerializer
    filterset_class = SavingsFilter

    def get_queryset(self):
        return selectors.savings_visible_to(self.request.user).order_by("-pk")


router = SimpleRouter()
router.register("budget-lines", BudgetLineViewSet, basename="budget-line")
router.register("disbursements", DisbursementViewSet, basename="disbursement")
router.register("budget-changes", BudgetChangeViewSet, basename="budget-change")
router.register("savings", SavingsViewSet, basename="saving")

urlpatterns = router.urls
