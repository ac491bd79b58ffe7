"""What heads every report: the issuing authority and the filters used, in the reader's language."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from budgets.choices import FundingSource, SavingDecision
from organizations.choices import RegionLevel
from organizations.models import Organization, Region
from projects.demands.choices import DemandStatus


def _name(obj) -> str:
    english = (get_language() or "").startswith("en")
    return (obj.name_en if english and obj.name_en else obj.name) if obj else ""


def issuing_authority() -> str:
    """REPORT_ISSUING_AUTHORITY if set, else the province's coordination authority, in the reader's language."""
    if settings.REPORT_ISSUING_AUTHORITY:
        return settings.REPORT_ISSUING_AUTHORITY
    org = Organization.objects.filter(level=RegionLevel.PROVINCE, is_coordination_authority=True).order_by("pk").first()
    return _name(org)


def describe_filters(params: dict) -> list[tuple[str, str]]:
    """The register filters as (label, value) pairs with names, not ids (two queries at most)."""
    out = []
    if params.get("year"):
        out.append((_("Year"), str(params["year"])))
    if params.get("org"):
        out.append((_("Organization"), _name(Organization.objects.filter(pk=params["org"]).first()) or str(params["org"])))
    if params.get("city"):
        out.append((_("City"), _name(Region.objects.filter(pk=params["city"]).first()) or str(params["city"])))
    if params.get("states"):
        out.append((_("States"), "、".join(str(DemandStatus(s).label) for s in params["states"])))
    if params.get("source"):
        out.append((_("Funding source"), str(FundingSource(params["source"]).label)))
    if params.get("decision"):
        out.append((_("Decision"), str(SavingDecision(params["decision"]).label)))
    return out


def name_of(obj) -> str:
    return _name(obj)
