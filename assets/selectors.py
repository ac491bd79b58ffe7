"""Every read of the catalogue that depends on the user: pages, API, exports and imports use these.

The system catalogue, the capability taxonomy and the data catalogue are readable by everyone
signed in (they exist to be searched before a bureau asks for something new). Hardware follows
the organization tree: province-wide roles see all of it, a bureau sees the hardware of the
systems its organization owns or uses and of the projects it builds.
"""

from datetime import timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from organizations.models import Organization

from .choices import SystemStatus
from .models import ASSESSMENT_INTERVAL_DAYS, Capability, DataResource, HardwareItem, InformationSystem
from .permissions import maintains_whole_catalogue, may_edit_catalogue


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def search_q(text: str, fields: tuple[str, ...]) -> Q:
    """Every whitespace-separated term must occur in one of `fields` (Chinese or English, any case)."""
    q = Q()
    for term in text.split():
        term_q = Q()
        for field in fields:
            term_q |= Q(**{f"{field}__icontains": term})
        q &= term_q
    return q


def assessment_overdue_q(today=None) -> Q:
    """Graded systems, not retired, whose classified-protection assessment is due or never happened.

    The database form of `InformationSystem.is_assessment_overdue`.
    """
    today = today or timezone.localdate()
    q = Q(security_level__isnull=False, last_assessment__isnull=True)
    for level, days in ASSESSMENT_INTERVAL_DAYS.items():
        q |= Q(security_level=level, last_assessment__lte=today - timedelta(days=days))
    return q & ~Q(status=SystemStatus.RETIRED)


# ---------------------------------------------------------------- systems


def systems_for_catalogue(user) -> QuerySet[InformationSystem]:
    """The system catalogue as `user` reads it (every system, for everyone signed in).

    Rows carry their owner, its region and city, their capabilities and the number of user
    organizations, so that a list page costs the same few queries whatever its length.
    """
    if not _signed_in(user):
        return InformationSystem.objects.none()
    return (
        InformationSystem.objects.select_related("owner_org", "owner_org__region", "owner_org__city")
        .prefetch_related(Prefetch("capabilities", queryset=Capability.objects.order_by("sort_order", "code")))
        .annotate(user_count=Count("user_orgs", distinct=True))
    )


def filter_systems(
    queryset: QuerySet[InformationSystem],
    *,
    q: str = "",
    capability: str = "",
    owner_org=None,
    level: str = "",
    status: str = "",
    city=None,
    build_mode: str = "",
    overdue: bool | None = None,
) -> QuerySet[InformationSystem]:
    """The catalogue filters; relation filters go through sub-queries so that rows never repeat."""
    if q:
        queryset = queryset.filter(search_q(q, ("name", "description", "code")))
    if capability:
        queryset = queryset.filter(pk__in=InformationSystem.capabilities.through.objects.filter(
            capability__code=capability).values("informationsystem_id"))
    if owner_org:
        queryset = queryset.filter(owner_org=owner_org)
    if level:
        queryset = queryset.filter(owner_org__level=level)
    if status:
        queryset = queryset.filter(status=status)
    if city:
        # Systems used in the city: by one of its bureaus (or a county bureau under it), or owned there.
        used_there = InformationSystem.user_orgs.through.objects.filter(organization__city=city).values("informationsystem_id")
        queryset = queryset.filter(Q(pk__in=used_there) | Q(owner_org__city=city))
    if build_mode:
        queryset = queryset.filter(build_mode=build_mode)
    if overdue is True:
        queryset = queryset.filter(assessment_overdue_q())
    elif overdue is False:
        queryset = queryset.exclude(assessment_overdue_q())
    return queryset


def system_for_page(user, pk: int) -> InformationSystem | None:
    """One system with what its page shows, or None when there is none (or the user is signed out)."""
    return (
        systems_for_catalogue(user)
        .select_related("project")
        .prefetch_related(
            Prefetch(
                "user_orgs",
                queryset=Organization.objects.select_related("city", "region").order_by("city__code", "region__code", "code"),
            )
        )
        .filter(pk=pk)
        .first()
    )


def system_users_by_city(system) -> list[tuple[str, list[Organization]]]:
    """The organizations using a system grouped by city (provincial departments first)."""
    from django.utils.translation import gettext

    provincial, groups = [], {}
    for org in system.user_orgs.all():  # prefetched by system_for_page, ordered by city
        if org.city_id is None:
            provincial.append(org)
        else:
            groups.setdefault(org.city.display_name, []).append(org)
    return ([(gettext("Provincial departments"), provincial)] if provincial else []) + list(groups.items())


def system_history(system):
    """The audit rows of one system, newest first (creation, edits, imports, go-live, retirement)."""
    from core.workflow import history_for

    return history_for(system).order_by("-at", "-pk")


# ---------------------------------------------------------------- capabilities


def capabilities_for_catalogue(user) -> QuerySet[Capability]:
    """The taxonomy with the number of systems in service (not retired) providing each capability."""
    if not _signed_in(user):
        return Capability.objects.none()
    return Capability.objects.annotate(
        system_count=Count("systems", filter=~Q(systems__status=SystemStatus.RETIRED), distinct=True)
    ).order_by("sort_order", "code")


def systems_providing(user, capability) -> QuerySet[InformationSystem]:
    """Systems that provide `capability`, those in operation first."""
    return filter_systems(systems_for_catalogue(user), capability=capability.code).order_by("status", "code")


# ---------------------------------------------------------------- data resources


def data_resources_for_catalogue(user) -> QuerySet[DataResource]:
    """The public data catalogue (every resource, for everyone signed in)."""
    if not _signed_in(user):
        return DataResource.objects.none()
    return DataResource.objects.select_related("owner_org", "owner_org__region")


def filter_data_resources(queryset, *, q: str = "", sharing: str = "", opening: str = "", owner_org=None,
                          update_frequency: str = "", level: str = ""):
    if q:
        queryset = queryset.filter(search_q(q, ("name", "description", "code")))
    if sharing:
        queryset = queryset.filter(sharing=sharing)
    if opening:
        queryset = queryset.filter(opening=opening)
    if owner_org:
        queryset = queryset.filter(owner_org=owner_org)
    if update_frequency:
        queryset = queryset.filter(update_frequency=update_frequency)
    if level:
        queryset = queryset.filter(owner_org__level=level)
    return queryset


# ---------------------------------------------------------------- hardware


def hardware_visible_to(user) -> QuerySet[HardwareItem]:
    """Hardware and cloud resources `user` may see (404 for the rest, from every entrance)."""
    return HardwareItem.objects.restrict(user).select_related("system", "system__owner_org", "project", "project__construction_org")


def filter_hardware(queryset, *, q: str = "", kind: str = "", location: str = "", status: str = "", system=None):
    if q:
        queryset = queryset.filter(search_q(q, ("name", "supplier", "system__name", "system__code")))
    if kind:
        queryset = queryset.filter(kind=kind)
    if location:
        queryset = queryset.filter(location=location)
    if status:
        queryset = queryset.filter(status=status)
    if system:
        queryset = queryset.filter(system=system)
    return queryset


# ---------------------------------------------------------------- write-side choices


def changeable_orgs(user) -> QuerySet[Organization]:
    """Organizations `user` may record as the owner of a catalogue entry."""
    qs = Organization.objects.select_related("region").order_by("region__code", "-is_coordination_authority", "code")
    if maintains_whole_catalogue(user):
        return qs
    if may_edit_catalogue(user):
        return qs.filter(pk=user.organization_id)
    return qs.none()


def changeable_systems(user) -> QuerySet[InformationSystem]:
    """Systems `user` may change (the choices when recording hardware)."""
    qs = InformationSystem.objects.select_related("owner_org").order_by("code")
    if maintains_whole_catalogue(user):
        return qs
    if may_edit_catalogue(user):
        return qs.filter(owner_org_id=user.organization_id)
    return qs.none()
