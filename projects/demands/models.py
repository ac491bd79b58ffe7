from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from organizations.selectors import RestrictedManager
from projects.demands.choices import AuthorizationStatus, ConstructionType, Domain, Urgency
from projects.demands.workflows import MAX_AMOUNT, DemandWorkflow
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

    access_org_path = "org"
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


class DemandDataResource(models.Model):
    """A data resource a demand needs, with the owner's authorization when sharing is authorized."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="data_resource_links")
    resource = models.ForeignKey("assets.DataResource", on_delete=models.PROTECT, related_name="demand_links")
    authorization = models.CharField(
        _("authorization"), max_length=20, choices=AuthorizationStatus.choices, default=AuthorizationStatus.NOT_NEEDED
    )
    authorized_by = models.CharField(_("authorized by"), max_length=100, blank=True)
    authorized_at = models.DateTimeField(_("authorized at"), null=True, blank=True)

    access_org_path = "demand__org"
    objects = RestrictedManager()

    class Meta:
        verbose_name = _("data resource needed")
        verbose_name_plural = _("data resources needed")
        constraints = [models.UniqueConstraint(fields=["demand", "resource"], name="unique_demand_data_resource")]

    def __str__(self) -> str:
        return f"{self.demand_id} → {self.resource_id} ({self.authorization})"


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

    access_org_path = "demand__org"
    objects = RestrictedManager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


def field_label(name: str) -> str:
    """A demand field's name as the user reads it."""
    if name == "attachments":
        return str(_("attachments"))
    return str(Demand._meta.get_field(name).verbose_name)
