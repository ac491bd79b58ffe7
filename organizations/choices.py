from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    CITY = "city", _("Prefecture-level city")
    COUNTY = "county", _("County")


class Role(models.TextChoices):
    SUBMITTER = "submitter", _("Submitter")
    MUNICIPAL_COORDINATOR = "municipal_coordinator", _("Municipal coordinator")
    PROVINCIAL_REVIEWER = "provincial_reviewer", _("Provincial reviewer")
    PROVINCIAL_APPROVER = "provincial_approver", _("Provincial approver")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    OPERATIONS_OFFICER = "operations_officer", _("Operations officer")
    AUDITOR = "auditor", _("Auditor")
    EXPERT = "expert", _("Expert")
    DATA_OFFICER = "data_officer", _("Data officer")


# Roles that see every organization's records.
PROVINCE_WIDE_ROLES = frozenset(
    {
        Role.PROVINCIAL_REVIEWER,
        Role.PROVINCIAL_APPROVER,
        Role.PROJECT_MANAGER,
        Role.FINANCE_OFFICER,
        Role.OPERATIONS_OFFICER,
        Role.AUDITOR,
    }
)
