"""The one place that answers "which organizations' records may this user see"."""

from django.db import models
from django.db.models import Q, QuerySet

from .choices import PROVINCE_WIDE_ROLES, Role
from .models import Organization, Region

READ_ONLY_ROLES = (Role.AUDITOR,)


def sees_everything(user) -> bool:
    """Provincial roles, finance, operations, auditors and superusers see every organization."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.role in PROVINCE_WIDE_ROLES


def org_scope_q(user, field: str = "org") -> Q | None:
    """A filter on `field` (a foreign key to Organization) limiting rows to what `user` may see.

    Returns None when the user sees everything, and a filter that matches nothing when the
    user has no place in the tree. Every selector of every app builds on this.
    """
    if sees_everything(user):
        return None
    if not user or not user.is_authenticated or not user.is_active or user.organization_id is None:
        return Q(pk__in=[])
    if user.role == Role.MUNICIPAL_COORDINATOR:
        org = user.organization
        if org.city_id is None:
            return Q(pk__in=[])
        # The city's own bureaus and every county bureau under it.
        return Q(**{f"{field}__city_id": org.city_id})
    if user.role == Role.SUBMITTER:
        return Q(**{f"{field}_id": user.organization_id})
    return Q(pk__in=[])


def restrict(queryset: QuerySet, user, field: str = "org") -> QuerySet:
    """Apply the organization-tree rule to any queryset whose rows belong to an organization."""
    q = org_scope_q(user, field)
    return queryset if q is None else queryset.filter(q)


def visible_orgs(user) -> QuerySet[Organization]:
    """Organizations whose records `user` may read."""
    qs = Organization.objects.select_related("region", "parent")
    if sees_everything(user):
        return qs
    if not user or not user.is_authenticated or user.organization_id is None:
        return qs.none()
    if user.role == Role.MUNICIPAL_COORDINATOR:
        return qs.filter(city_id=user.organization.city_id) if user.organization.city_id else qs.none()
    if user.role == Role.SUBMITTER:
        return qs.filter(pk=user.organization_id)
    return qs.none()


def org_is_visible(user, org_id: int | None) -> bool:
    """Whether `user` may read records of the organization with this id."""
    if org_id is None:
        return sees_everything(user)
    return visible_orgs(user).filter(pk=org_id).exists()


def region_tree() -> QuerySet[Region]:
    """All regions, parents first, for pickers and the API."""
    return Region.objects.select_related("parent").order_by("code")


class RestrictedQuerySet(QuerySet):
    """NetBox's `restrict()`: `Model.objects.restrict(user, "view" | "change")` is the rows `user` may
    read or change, by the organization tree, from every entrance (pages, API, exports, downloads,
    panels, redundancy candidates).

    A model names the path to its organization in `access_org_path` (e.g. "demand__org"), or
    declares `access_rule(user, action) -> Q | None` for a rule of its own (None: every row).
    "change" is "view" less the read-only roles (auditors); what a person may then do with a row
    is the workflow's permission, checked by the doorway.
    """

    def restrict(self, user, action: str = "view") -> QuerySet:
        if action not in ("view", "change"):
            raise ValueError(f"Unknown action {action!r}: view or change")
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        if action == "change" and not user.is_superuser and user.role in READ_ONLY_ROLES:
            return self.none()
        rule = getattr(self.model, "access_rule", None)
        q = rule(user, action) if rule is not None else org_scope_q(user, self.model.access_org_path)
        return self if q is None else self.filter(q)


RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)


def language_for(user) -> str:
    """The language to write to `user` in (notifications, exports): their choice or the site default."""
    from django.conf import settings

    return getattr(user, "preferred_language", None) or settings.LANGUAGE_CODE
