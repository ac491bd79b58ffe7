"""Who may act for which organization (the write side of the tree rule)."""

from .choices import Role


def has_role(user, *roles: str) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in roles)


def acts_for_org(user, org) -> bool:
    """A submitter acts only for its own organization."""
    return has_role(user, Role.SUBMITTER) and org is not None and user.organization_id == org.pk


def coordinates_org(user, org) -> bool:
    """A municipal coordinator acts on its city's bureaus and the county bureaus under it."""
    return (
        has_role(user, Role.MUNICIPAL_COORDINATOR)
        and org is not None
        and user.organization is not None
        and user.organization.city_id is not None
        and org.city_id == user.organization.city_id
    )
