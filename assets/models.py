from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.dates import DateRangeValidator, add_days
from core.models import TimeStampedModel
from organizations.selectors import RestrictedManager, org_scope_q

from .choices import BuildMode, HardwareKind, HardwareLocation, HardwareStatus, Opening, Sharing, SystemStatus, UpdateFrequency

MONEY = {"max_digits": 14, "decimal_places": 2}

# Classified-protection (等级保护) assessment intervals by level: level 3 yearly, levels 4 and 5
# every half year; levels 1 and 2 have no mandatory cycle, we ask for one every two years.
ASSESSMENT_INTERVAL_DAYS = {1: 730, 2: 730, 3: 365, 4: 182, 5: 182}


class Capability(models.Model):
    """A shared capability of the taxonomy (unified identity authentication, e-seals, GIS …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name


class InformationSystem(TimeStampedModel):
    """A system in operation or under construction: the catalogue later demands are checked against."""

    code = models.CharField(_("code"), max_length=10, unique=True, help_text="XT-0001")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner_org = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="owned_systems", verbose_name=_("owner")
    )
    capabilities = models.ManyToManyField(Capability, related_name="systems", blank=True, verbose_name=_("capabilities"))
    user_orgs = models.ManyToManyField(
        "organizations.Organization", related_name="used_systems", blank=True, verbose_name=_("user organizations")
    )
    status = models.CharField(_("status"), max_length=20, choices=SystemStatus.choices, default=SystemStatus.IN_OPERATION, db_index=True)
    build_mode = models.CharField(_("build mode"), max_length=30, choices=BuildMode.choices, default=BuildMode.SELF_BUILT)
    url = models.URLField(_("address"), blank=True)
    project = models.OneToOneField(
        "projects.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="system", verbose_name=_("project")
    )
    yearly_ops_cost = models.DecimalField(_("yearly operations cost (CNY)"), default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    security_level = models.PositiveSmallIntegerField(
        _("classified-protection level"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    last_assessment = models.DateField(_("last assessment"), null=True, blank=True, validators=[DateRangeValidator(past_only=True)])

    class Meta:
        ordering = ["code"]
        verbose_name = _("information system")
        verbose_name_plural = _("information systems")
        constraints = [
            models.CheckConstraint(condition=models.Q(yearly_ops_cost__gte=0), name="system_ops_cost_not_negative"),
            models.CheckConstraint(
                condition=models.Q(security_level__isnull=True) | models.Q(security_level__gte=1, security_level__lte=5),
                name="system_security_level_1_to_5",
            ),
            models.CheckConstraint(condition=models.Q(status__in=SystemStatus.values), name="system_status_valid"),
            models.CheckConstraint(condition=models.Q(build_mode__in=BuildMode.values), name="system_build_mode_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def status_follows_project(self) -> bool:
        """A system built by a project takes its status from the project's operations machine
        (go-live, retirement), never from an edit: the one place this rule is written."""
        return self.project_id is not None

    @property
    def level(self) -> str:
        """The system's level (province, city, county) is its owner's place in the tree."""
        return self.owner_org.level

    def get_level_display(self) -> str:
        return self.owner_org.get_level_display()

    @property
    def assessment_due(self):
        """The date the next classified-protection assessment is due, or None.

        Never raises, whatever the row holds (a date near date.max saved before the range check
        existed, a level outside 1–5): the catalogue pages of every user depend on it.
        """
        if not self.security_level:
            return None
        if not self.last_assessment:
            return timezone.localdate()
        return add_days(self.last_assessment, ASSESSMENT_INTERVAL_DAYS.get(self.security_level, 730))

    @property
    def is_assessment_overdue(self) -> bool:
        """A graded system whose assessment is past due (or never happened) is marked overdue."""
        due = self.assessment_due
        return due is not None and self.status != SystemStatus.RETIRED and due <= timezone.localdate()


class DataResource(TimeStampedModel):
    """A resource of the public data catalogue with its sharing and opening attributes."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner_org = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="data_resources", verbose_name=_("owner")
    )
    update_frequency = models.CharField(_("update frequency"), max_length=20, choices=UpdateFrequency.choices, default=UpdateFrequency.MONTHLY)
    record_count = models.PositiveBigIntegerField(_("records"), default=0)
    sharing = models.CharField(_("sharing"), max_length=20, choices=Sharing.choices, db_index=True)
    opening = models.CharField(_("opening"), max_length=20, choices=Opening.choices, db_index=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("data resource")
        verbose_name_plural = _("data resources")
        constraints = [
            models.CheckConstraint(condition=models.Q(sharing__in=Sharing.values), name="data_resource_sharing_valid"),
            models.CheckConstraint(condition=models.Q(opening__in=Opening.values), name="data_resource_opening_valid"),
            # What other departments may not receive is not opened to the public either.
            models.CheckConstraint(
                condition=~models.Q(sharing=Sharing.NON_SHARING) | models.Q(opening=Opening.NON_OPENING),
                name="data_resource_non_sharing_not_opened",
                violation_error_message=_("A non-sharing resource cannot be opened to the public: its opening must be non-opening."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HardwareItem(TimeStampedModel):
    """A server, storage, network device, cloud resource or licence of a project or system."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=HardwareKind.choices)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="hardware_items", verbose_name=_("project")
    )
    system = models.ForeignKey(
        InformationSystem, on_delete=models.PROTECT, null=True, blank=True, related_name="hardware_items", verbose_name=_("system")
    )
    vcpu = models.PositiveIntegerField(_("vCPU"), null=True, blank=True)
    memory_gb = models.PositiveIntegerField(_("memory (GB)"), null=True, blank=True)
    storage_tb = models.DecimalField(
        _("storage (TB)"), max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_cost = models.DecimalField(_("unit cost (CNY)"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    location = models.CharField(_("location"), max_length=20, choices=HardwareLocation.choices, default=HardwareLocation.PROVINCIAL_CLOUD)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True, validators=[DateRangeValidator()])
    status = models.CharField(_("status"), max_length=20, choices=HardwareStatus.choices, default=HardwareStatus.PLANNED)

    objects = RestrictedManager()

    @classmethod
    def access_rule(cls, user, action: str):
        """Hardware of a system owned or used, or of a project built or built for, in the user's part of the tree."""
        by_owner = org_scope_q(user, "system__owner_org")
        if by_owner is None:
            return None
        used = InformationSystem.user_orgs.through.objects.filter(org_scope_q(user, "organization")).values("informationsystem_id")
        project_model = cls._meta.get_field("project").related_model
        projects = project_model.objects.restrict(user, action).values("pk")
        return by_owner | Q(system_id__in=used) | Q(project_id__in=projects)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("hardware or cloud resource")
        verbose_name_plural = _("hardware and cloud resources")
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_cost__gte=0), name="hardware_unit_cost_not_negative"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="hardware_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(storage_tb__isnull=True) | models.Q(storage_tb__gte=0), name="hardware_storage_not_negative"
            ),
            models.CheckConstraint(condition=models.Q(kind__in=HardwareKind.values), name="hardware_kind_valid"),
            models.CheckConstraint(condition=models.Q(status__in=HardwareStatus.values), name="hardware_status_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def total_cost(self) -> Decimal:
        return self.unit_cost * self.quantity


class ImportPreview(models.Model):
    """A previewed catalogue import waiting for its confirmation: confirmed at most once.

    The confirm locks this row (`select_for_update`) for the whole import, so that two
    simultaneous confirms of one preview (a double click, two tabs, two web processes)
    import once: the second waits, then finds `done_at` set and reports the first's result.
    """

    token = models.CharField(_("token"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=20)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    done_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    new = models.PositiveIntegerField(_("added"), default=0)
    updated = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)

    class Meta:
        verbose_name = _("import preview")
        verbose_name_plural = _("import previews")

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.token})"
