from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from organizations.choices import Role
from organizations.selectors import RestrictedManager, org_scope_q, sees_everything
from projects.demands.choices import (
    ACTIVE_ASSIGNMENT_STATES,
    AssignmentState,
    AuthorizationState,
    AuthorizationStatus,
    ConstructionType,
    Domain,
    ExpertVerdict,
    Recommendation,
    Urgency,
)
from projects.demands.workflows import MAX_AMOUNT, AssignmentWorkflow, AuthorizationWorkflow, DemandWorkflow
from projects.redundancy.choices import FlagState

MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
BUDGET_PARTS = ("budget_hardware", "budget_software", "budget_services", "budget_operations")
# What a demand must carry before it can be submitted (contract: enough for the API).
REQUIRED_FOR_SUBMIT = ("title", "description", "domain", "construction_type", "capabilities", *BUDGET_PARTS)


class Demand(DemandWorkflow, TimeStampedModel):
    """One request by a bureau to build, upgrade, integrate or operate an information system."""

    code = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True, help_text="XQ-2026-000001")
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("construction content"), blank=True)
    org = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="demands", verbose_name=_("requesting organization")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, verbose_name=_("filed by"))
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    domain = models.CharField(_("business domain"), max_length=30, choices=Domain.choices, blank=True, db_index=True)
    construction_type = models.CharField(_("construction type"), max_length=20, choices=ConstructionType.choices, blank=True)
    capabilities = models.ManyToManyField("assets.Capability", related_name="demands", blank=True, verbose_name=_("capabilities"))
    data_resources = models.ManyToManyField(
        "assets.DataResource", through="DemandDataResource", related_name="demands", blank=True, verbose_name=_("data resources")
    )
    budget_hardware = models.DecimalField(_("hardware budget (CNY)"), null=True, blank=True, **MONEY)
    budget_software = models.DecimalField(_("software budget (CNY)"), null=True, blank=True, **MONEY)
    budget_services = models.DecimalField(_("services budget (CNY)"), null=True, blank=True, **MONEY)
    budget_operations = models.DecimalField(_("operations budget (CNY)"), null=True, blank=True, **MONEY)
    budget_total = models.DecimalField(_("total budget (CNY)"), default=Decimal("0"), editable=False, **MONEY)
    resources_wanted = models.TextField(_("hardware or cloud resources wanted"), blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL, db_index=True)
    policy_basis = models.TextField(_("policy basis"), blank=True)
    submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    stage_entered_at = models.DateTimeField(_("in this stage since"), null=True, blank=True, db_index=True)
    due_at = models.DateTimeField(_("review due"), null=True, blank=True, db_index=True)
    review_comment = models.TextField(_("latest review comment"), blank=True)
    fields_to_fix = models.JSONField(_("fields to fix"), default=list, blank=True)
    project = models.ForeignKey(
        "Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="demands", verbose_name=_("project")
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_demands", verbose_name=_("merged into")
    )
    reuse_system = models.ForeignKey(
        "assets.InformationSystem", on_delete=models.PROTECT, null=True, blank=True, related_name="reuse_demands", verbose_name=_("reuses system")
    )
    # What the approver approved, when lower than the requested total (the budget cut); the requested
    # figure stays in budget_total. Null: approved as requested (or not approved).
    approved_budget = models.DecimalField(_("approved budget (CNY)"), null=True, blank=True, **MONEY)

    objects = RestrictedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        indexes = [
            models.Index(fields=["status", "stage_entered_at"]),
            models.Index(fields=["org", "status"]),
            # Lists show the newest first: walk this index instead of sorting every row.
            models.Index(fields=["created_at", "id"], name="demand_created_idx"),
            # Queue figures (waiting, overdue) are counted from this index alone.
            models.Index(fields=["status", "due_at"], name="demand_status_due_idx"),
        ]
        constraints = [
            # Within half a fen rather than equal: SQLite adds decimals as binary floats
            # (0.10 + 0.20 != 0.30 there); on PostgreSQL amounts of two decimals are exact anyway.
            models.CheckConstraint(
                condition=Q(budget_total__gte=F("budget_hardware") + F("budget_software") + F("budget_services")
                            + F("budget_operations") - Decimal("0.005"),
                            budget_total__lte=F("budget_hardware") + F("budget_software") + F("budget_services")
                            + F("budget_operations") + Decimal("0.005"))
                | Q(budget_hardware__isnull=True) | Q(budget_software__isnull=True)
                | Q(budget_services__isnull=True) | Q(budget_operations__isnull=True),
                name="demand_budget_total_is_sum_of_parts",
            ),
            models.CheckConstraint(condition=Q(budget_total__lte=MAX_AMOUNT), name="demand_budget_total_not_absurd"),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True) | Q(planned_end__isnull=True) | Q(planned_end__gte=F("planned_start")),
                name="demand_planned_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code or _('(draft)')} {self.title}"

    @classmethod
    def access_rule(cls, user, action: str, prefix: str = ""):
        """The organization tree; an expert sees exactly the demands it is (still) assigned to."""
        if user.role == Role.EXPERT and not user.is_superuser:
            if action == "change":
                return Q(pk__in=[])
            assigned = ExpertAssignment.objects.filter(expert=user, state__in=ACTIVE_ASSIGNMENT_STATES).values("demand_id")
            return Q(**{f"{prefix}pk__in": assigned})
        return org_scope_q(user, f"{prefix}org")

    def compute_total(self) -> Decimal:
        return sum((getattr(self, p) or Decimal("0") for p in BUDGET_PARTS), Decimal("0"))

    def missing_fields(self) -> list[str]:
        """Names of required fields that are empty (capabilities need a saved demand)."""
        missing = []
        for name in REQUIRED_FOR_SUBMIT:
            if name == "capabilities":
                if self.pk is None or not self.capabilities.exists():
                    missing.append(name)
            elif getattr(self, name) in (None, ""):
                missing.append(name)
        return missing

    def budget_problems(self) -> list[str]:
        """Budget rules broken, as field names (empty when the budget is sound)."""
        problems = [p for p in BUDGET_PARTS if getattr(self, p) is not None and getattr(self, p) < 0]
        if self.budget_total != self.compute_total():
            problems.append("budget_total")
        if self.compute_total() <= 0:
            problems.append("budget_total")
        if self.compute_total() > MAX_AMOUNT:
            problems.append("budget_total")
        return list(dict.fromkeys(problems))

    def needs_expert_review(self) -> bool:
        """Demands whose total reaches EXPERT_REVIEW_THRESHOLD go to the expert panel."""
        return self.budget_total >= Decimal(settings.EXPERT_REVIEW_THRESHOLD)

    def has_pending_flags(self) -> bool:
        """Whether a redundancy flag on the demand is still unresolved."""
        # List selectors annotate `pending_flags_exist` (one subquery for the page instead of
        # a query per row); the transition service drops it so that a guard reads the database.
        annotated = self.__dict__.get("pending_flags_exist")
        if annotated is not None:
            return bool(annotated)
        return self.flags.filter(state=FlagState.PENDING).exists()

    def refused_authorizations(self):
        """Authorization requests refused (or revoked) by the owner for a resource the demand still needs."""
        needed = self.data_resource_links.values("resource_id")
        return self.authorization_requests.filter(state__in=(AuthorizationState.REFUSED, AuthorizationState.REVOKED),
                                                  resource_id__in=needed)

    def has_refused_authorization(self) -> bool:
        """Whether an owner refused (or revoked) a resource the demand still needs."""
        # List selectors set `refused_authorizations_exist` for a page in the same query as the flags.
        annotated = self.__dict__.get("refused_authorizations_exist")
        if annotated is not None:
            return bool(annotated)
        return self.refused_authorizations().exists()

    def open_authorizations(self):
        """Authorization requests still waiting for the owner."""
        return self.authorization_requests.filter(state=AuthorizationState.PENDING)

    def latest_opinion(self):
        """The provincial reviewer's latest opinion, or None."""
        return self.review_opinions.order_by("-created_at", "-pk").first()


class DemandDataResource(models.Model):
    """A data resource a demand needs, with the owner's authorization when sharing is authorized."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="data_resource_links")
    resource = models.ForeignKey("assets.DataResource", on_delete=models.PROTECT, related_name="demand_links")
    authorization = models.CharField(
        _("authorization"), max_length=20, choices=AuthorizationStatus.choices, default=AuthorizationStatus.NOT_NEEDED
    )
    authorized_by = models.CharField(_("authorized by"), max_length=100, blank=True)
    authorized_at = models.DateTimeField(_("authorized at"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        verbose_name = _("data resource needed")
        verbose_name_plural = _("data resources needed")
        constraints = [models.UniqueConstraint(fields=["demand", "resource"], name="unique_demand_data_resource")]

    def __str__(self) -> str:
        return f"{self.demand_id} → {self.resource_id} ({self.authorization})"



    @classmethod
    def access_rule(cls, user, action: str):
        """Those of the demands the user may see."""
        return Demand.access_rule(user, action, prefix="demand__")
def attachment_path(instance, filename: str) -> str:
    # Private storage: served only through a view that checks visibility.
    return f"private/demands/{instance.demand_id}/{filename}"


class Attachment(models.Model):
    """A file attached to a demand (PDF, OFD, Word, Excel, images; 20 MB at most)."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("demand"))
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name



    @classmethod
    def access_rule(cls, user, action: str):
        """Those of the demands the user may see (an expert: of the demands assigned to it)."""
        return Demand.access_rule(user, action, prefix="demand__")
def field_label(name: str) -> str:
    """A demand field's name as the user reads it."""
    if name == "attachments":
        return str(_("attachments"))
    return str(Demand._meta.get_field(name).verbose_name)


# ---------------------------------------------------------------------------------------
# The review: the reviewer's opinion, the expert pool and panel, data-sharing authorization
# ---------------------------------------------------------------------------------------


class ReviewOpinion(models.Model):
    """The provincial reviewer's opinion (审核意见) on a demand in provincial review, for the approver."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="review_opinions", verbose_name=_("demand"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewer"))
    recommendation = models.CharField(_("recommendation"), max_length=20, choices=Recommendation.choices)
    recommended_budget = models.DecimalField(_("recommended budget (CNY)"), null=True, blank=True, **MONEY)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("review opinion")
        verbose_name_plural = _("review opinions")

    def __str__(self) -> str:
        return f"{self.demand_id}: {self.get_recommendation_display()}"

    @classmethod
    def access_rule(cls, user, action: str):
        """Those of the demands the user may see."""
        return Demand.access_rule(user, action, prefix="demand__")

    @property
    def is_budget_cut(self) -> bool:
        return self.recommended_budget is not None and self.recommended_budget < self.demand.budget_total


class ExpertProfile(models.Model):
    """A member of the provincial expert pool: fields of expertise and declared conflicts of interest."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile",
                                verbose_name=_("expert"))
    title = models.CharField(_("professional title"), max_length=100, blank=True)
    capabilities = models.ManyToManyField("assets.Capability", related_name="experts", blank=True,
                                          verbose_name=_("fields of expertise"))
    domains = models.JSONField(_("business domains"), default=list, blank=True)
    conflict_orgs = models.ManyToManyField("organizations.Organization", related_name="conflicted_experts", blank=True,
                                           verbose_name=_("conflict-of-interest organizations"))
    active = models.BooleanField(_("in the pool"), default=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")

    def __str__(self) -> str:
        return str(self.user)



    @classmethod
    def access_rule(cls, user, action: str):
        """The provincial office and auditors see the pool; an expert its own profile; nobody else."""
        if sees_everything(user):
            return None
        return Q(user_id=user.pk) if user.role == Role.EXPERT else Q(pk__in=[])
def signed_opinion_path(instance, filename: str) -> str:
    # Private storage: served only through a view that checks visibility.
    return f"private/opinions/{instance.demand_id}/{filename}"


class ExpertAssignment(AssignmentWorkflow, TimeStampedModel):
    """One expert's place on the panel of one demand, with the opinion once given."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="expert_assignments", verbose_name=_("demand"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_assignments",
                               verbose_name=_("expert"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("assigned by"))
    deadline = models.DateTimeField(_("deadline"))
    verdict = models.CharField(_("opinion"), max_length=30, choices=ExpertVerdict.choices, blank=True)
    comments = models.TextField(_("comments"), blank=True)
    recommended_budget = models.DecimalField(_("recommended budget (CNY)"), null=True, blank=True, **MONEY)
    signed_file = models.FileField(_("signed opinion (PDF)"), upload_to=signed_opinion_path, max_length=300, blank=True)
    signed_file_name = models.CharField(_("file name"), max_length=255, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    replaced_by = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("replaced by"))
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["demand_id", "created_at", "pk"]
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")
        constraints = [
            models.UniqueConstraint(fields=["demand", "expert"], condition=Q(state__in=("assigned", "submitted")),
                                    name="one_active_assignment_per_expert_and_demand"),
        ]

    def __str__(self) -> str:
        return f"{self.demand} · {self.expert}"



    @classmethod
    def access_rule(cls, user, action: str):
        """An expert: its own assignments, and the others' submitted opinions once its own is submitted.
        Everyone else: the assignments of the demands they may see."""
        if user.role == Role.EXPERT and not user.is_superuser:
            own = Q(expert_id=user.pk)
            if action == "change":
                return own
            done = ExpertAssignment.objects.filter(expert=user, state=AssignmentState.SUBMITTED).values("demand_id")
            return own | Q(demand_id__in=done, state=AssignmentState.SUBMITTED)
        return Demand.access_rule(user, action, prefix="demand__")


class AuthorizationRequest(AuthorizationWorkflow, TimeStampedModel):
    """A demand's request to the owner of an authorized-sharing resource: what, for which system, why, how long."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="authorization_requests",
                               verbose_name=_("demand"))
    resource = models.ForeignKey("assets.DataResource", on_delete=models.PROTECT, related_name="authorization_requests",
                                 verbose_name=_("data resource"))
    owner_org = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("owner"))
    system_name = models.CharField(_("for the system"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    requested_until = models.DateField(_("needed until"), null=True, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    valid_until = models.DateField(_("authorized until"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("authorization request")
        verbose_name_plural = _("authorization requests")
        constraints = [
            models.UniqueConstraint(fields=["demand", "resource"], condition=Q(state__in=("pending", "granted")),
                                    name="one_open_authorization_per_demand_and_resource"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} → {self.system_name}"

    @classmethod
    def access_rule(cls, user, action: str):
        """A data officer: the requests for its organization's resources. Everyone else: those of the demands
        they may see."""
        if user.role == Role.DATA_OFFICER and not user.is_superuser:
            return Q(owner_org_id=user.organization_id) if user.organization_id else Q(pk__in=[])
        return Demand.access_rule(user, action, prefix="demand__")
