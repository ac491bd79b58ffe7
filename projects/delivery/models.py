from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from organizations.selectors import RestrictedManager, org_scope_q
from projects import ports
from projects.delivery.choices import MilestoneKind
from projects.delivery.workflows import ProjectWorkflow
from projects.demands.models import MONEY


class Project(ProjectWorkflow, TimeStampedModel):
    """A construction project built from one or more approved demands, with four machines."""

    code = models.CharField(_("number"), max_length=20, unique=True, help_text="XM-2026-0001")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    construction_org = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="constructed_projects", verbose_name=_("construction organization")
    )
    beneficiary_orgs = models.ManyToManyField(
        "organizations.Organization", related_name="benefiting_projects", blank=True, verbose_name=_("beneficiary organizations")
    )
    approved_budget = models.DecimalField(_("approved budget (CNY)"), default=Decimal("0"), **MONEY)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="managed_projects", verbose_name=_("project manager")
    )
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)

    objects = RestrictedManager()

    @classmethod
    def access_rule(cls, user, action: str, prefix: str = ""):
        """Built by, or built for, an organization in the user's part of the tree (province-wide roles: all)."""
        by_construction = org_scope_q(user, f"{prefix}construction_org")
        if by_construction is None:
            return None
        links = cls.beneficiary_orgs.through.objects.filter(org_scope_q(user, "organization")).values("project_id")
        return by_construction | Q(**{f"{prefix}pk__in": links})

    class Meta:
        ordering = ["-year", "-code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(condition=Q(approved_budget__gte=0), name="project_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True) | Q(planned_end__isnull=True) | Q(planned_end__gte=F("planned_start")),
                name="project_planned_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def funding_facts(self) -> ports.FundingFacts:
        """The project's money as the budgets app knows it (lines, disbursements), through projects.ports."""
        return ports.funding_facts(self)

    def open_disbursement_count(self) -> int:
        """Disbursements requested or approved but not yet paid (the budgets app's facts)."""
        return self.funding_facts().open_disbursements


def milestone_path(instance, filename: str) -> str:
    return f"private/projects/{instance.project_id}/milestones/{filename}"


class Milestone(models.Model):
    """A dated step of a project, with the document that accepted it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("project"))
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=MilestoneKind.choices, default=MilestoneKind.STEP)
    planned_date = models.DateField(_("planned date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    document = models.FileField(_("acceptance document"), upload_to=milestone_path, blank=True, max_length=300)
    note = models.TextField(_("note"), blank=True)

    objects = RestrictedManager()

    class Meta:
        ordering = ["planned_date", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [models.CheckConstraint(condition=Q(kind__in=MilestoneKind.values), name="milestone_kind_valid")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def access_rule(cls, user, action: str):
        """The milestones of the projects the user may see."""
        return Project.access_rule(user, action, prefix="project__")
