"""Who may change which catalogue entry (the catalogue itself is readable by everyone signed in).

A bureau user (submitter or municipal coordinator) changes only entries whose owner is its own
organization; the provincial construction and review roles change every entry; auditors and
finance read only.
"""

from organizations.choices import Role

# Provincial roles that maintain the whole catalogue.
CATALOGUE_MAINTAINERS = frozenset(
    {Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_APPROVER, Role.PROJECT_MANAGER, Role.OPERATIONS_OFFICER}
)
# Bureau roles that maintain the entries of their own organization.
BUREAU_ROLES = frozenset({Role.SUBMITTER, Role.MUNICIPAL_COORDINATOR})


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def maintains_whole_catalogue(user) -> bool:
    """Provincial maintainers (and superusers) change every catalogue entry."""
    return _active(user) and (user.is_superuser or user.role in CATALOGUE_MAINTAINERS)


def may_edit_catalogue(user) -> bool:
    """Whether the user may change any catalogue entry at all (shows the create and import buttons)."""
    if maintains_whole_catalogue(user):
        return True
    return _active(user) and user.role in BUREAU_ROLES and user.organization_id is not None


def may_change_owned_by(user, org_id: int | None) -> bool:
    """Whether the user may create or change an entry owned by the organization with this id."""
    if maintains_whole_catalogue(user):
        return True
    return _active(user) and user.role in BUREAU_ROLES and org_id is not None and user.organization_id == org_id


def may_change_system(user, system) -> bool:
    return may_change_owned_by(user, system.owner_org_id)


def may_change_data_resource(user, resource) -> bool:
    return may_change_owned_by(user, resource.owner_org_id)


def hardware_owner_id(item) -> int | None:
    """A hardware item belongs to its system's owner, else to its project's construction organization."""
    if item.system_id:
        return item.system.owner_org_id
    if item.project_id:
        return item.project.construction_org_id
    return None


def may_change_hardware(user, item) -> bool:
    return may_change_owned_by(user, hardware_owner_id(item))
