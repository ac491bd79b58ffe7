"""Every write to the catalogue: pages, API, imports, the project workflow and the seed call these.

Each write checks who may make it (assets.permissions), validates, saves inside one transaction
and appends a row to the audit log (machine "catalogue"), which is the history a system page
shows. A catalogue entry's status is not a state machine of its own: for a system built by a
project it mirrors the project's operations machine (go_live → register_system_for_project,
retire → retire_system), which is where that transition is checked and logged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import audit
from core.sequences import next_code
from organizations.choices import RegionLevel
from organizations.models import Organization

from .choices import BuildMode, SystemStatus
from .models import Capability, DataResource, HardwareItem, InformationSystem
from .permissions import may_change_owned_by, may_edit_catalogue

HISTORY_MACHINE = "catalogue"
SYSTEM_CODE_PREFIX, SYSTEM_CODE_WIDTH = "XT", 4
DATA_RESOURCE_CODE_PREFIX, DATA_RESOURCE_CODE_WIDTH = "SJ", 5

SYSTEM_FIELDS = (
    "name", "description", "owner_org", "status", "build_mode", "url", "yearly_ops_cost", "security_level", "last_assessment",
)
DATA_RESOURCE_FIELDS = ("name", "description", "owner_org", "update_frequency", "record_count", "sharing", "opening")
HARDWARE_FIELDS = (
    "name", "kind", "project", "system", "vcpu", "memory_gb", "storage_tb", "quantity", "unit_cost", "location",
    "supplier", "warranty_end", "status",
)

OWN_ORG_ONLY = _("You may only change catalogue entries of your own organization.")


# ---------------------------------------------------------------- history


def history_value(value) -> str | int | None:
    """A field value as the audit log keeps it (JSON: codes and plain text, never objects)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal | date):
        return str(value)
    if hasattr(value, "code"):
        return value.code
    return str(value)


def record_history(obj, *, actor, transition: str, source: str = "", target: str = "", comment: str = "",
                   payload: dict | None = None):
    """Append one row to the audit log for a catalogue entry (its history)."""
    return audit.record(**history_row(obj, actor=actor, transition=transition, source=source, target=target,
                                      comment=comment, payload=payload))


def history_row(obj, *, actor, transition: str, source: str = "", target: str = "", comment: str = "",
                payload: dict | None = None, content_type=None, event=audit.AuditEvent.CATALOGUE) -> dict:
    """The fields of one catalogue history row, for `core.audit.record` or `core.audit.entry`."""
    return {"event": event, "obj": obj, "actor": actor, "machine": HISTORY_MACHINE, "transition": transition,
            "source": source, "target": target, "comment": comment, "payload": payload, "content_type": content_type}


def _changes(before: dict, after: dict) -> dict:
    return {k: [history_value(before.get(k)), history_value(after[k])] for k in after if before.get(k) != after[k]}


def _snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


# ---------------------------------------------------------------- helpers


def _require_change(actor, org_id) -> None:
    if not may_change_owned_by(actor, org_id):
        raise PermissionDenied(OWN_ORG_ONLY)


def capabilities_from(values: Iterable) -> list[Capability]:
    """Capabilities from instances or codes; an unknown code is a validation error naming it."""
    values = list(values or [])
    codes = [v for v in values if isinstance(v, str)]
    found = {c.code: c for c in Capability.objects.filter(code__in=codes)} if codes else {}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError({"capabilities": gettext("Unknown capability code: %(codes)s") % {"codes": ", ".join(unknown)}})
    return [found[v] if isinstance(v, str) else v for v in values]


def orgs_from(values: Iterable) -> list[Organization]:
    values = list(values or [])
    ids = [v for v in values if isinstance(v, int)]
    found = {o.pk: o for o in Organization.objects.filter(pk__in=ids)} if ids else {}
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        raise ValidationError({"user_orgs": gettext("Unknown organization: %(ids)s") % {"ids": ", ".join(unknown)}})
    return [found[v] if isinstance(v, int) else v for v in values]


def default_build_mode(owner_org, user_orgs) -> str:
    """Provincial departments building for other organizations; everybody else builds for itself."""
    if owner_org.level == RegionLevel.PROVINCE and any(o.pk != owner_org.pk for o in user_orgs):
        return BuildMode.PROVINCIAL_FOR_OTHERS
    return BuildMode.SELF_BUILT


def _set_m2m(manager, items: list, before_codes: list, key) -> list | None:
    """Replace a many-to-many set; returns [before, after] keys when it changed, else None."""
    after = sorted(key(i) for i in items)
    if sorted(before_codes) == after:
        return None
    manager.set(items)
    return [sorted(before_codes), after]


# ---------------------------------------------------------------- systems


@transaction.atomic
def create_system(
    *,
    actor,
    name: str,
    owner_org: Organization,
    description: str = "",
    capabilities: Iterable = (),
    user_orgs: Iterable = (),
    status: str = SystemStatus.IN_OPERATION,
    build_mode: str | None = None,
    url: str = "",
    yearly_ops_cost: Decimal | None = None,
    security_level: int | None = None,
    last_assessment: date | None = None,
    project=None,
    comment: str = "",
    check_permission: bool = True,
) -> InformationSystem:
    """Record a system in the catalogue with the next code `XT-NNNN`."""
    if check_permission:
        _require_change(actor, owner_org.pk if owner_org else None)
    caps = capabilities_from(capabilities)
    users = orgs_from(user_orgs)
    system = InformationSystem(
        name=(name or "").strip(),
        description=(description or "").strip(),
        owner_org=owner_org,
        status=status or SystemStatus.IN_OPERATION,
        build_mode=build_mode or default_build_mode(owner_org, users),
        url=url or "",
        yearly_ops_cost=Decimal("0") if yearly_ops_cost is None else yearly_ops_cost,
        security_level=security_level,
        last_assessment=last_assessment,
        project=project,
    )
    system.full_clean(exclude=["code"], validate_unique=False)
    system.code = next_code(SYSTEM_CODE_PREFIX, SYSTEM_CODE_WIDTH)
    system.save()
    system.capabilities.set(caps)
    system.user_orgs.set([o for o in users if o.pk != owner_org.pk])
    record_history(
        system, actor=actor, transition="create", target=system.status, comment=comment,
        payload={"capabilities": sorted(c.code for c in caps)},
    )
    return system


@transaction.atomic
def update_system(system: InformationSystem, *, actor, capabilities=None, user_orgs=None, comment: str = "",
                  check_permission: bool = True, **fields) -> InformationSystem:
    """Change a system's fields, capabilities or users. Only the fields passed change."""
    unknown = set(fields) - set(SYSTEM_FIELDS)
    if unknown:
        raise TypeError(f"update_system() got unknown fields: {sorted(unknown)}")
    if check_permission:
        _require_change(actor, system.owner_org_id)
        if "owner_org" in fields and fields["owner_org"] is not None:
            _require_change(actor, fields["owner_org"].pk)
    if system.status_follows_project and "status" in fields and fields["status"] != system.status:
        raise ValidationError({"status": gettext(
            "The status of a system built by a project follows the project's operations; change it on project %(code)s."
        ) % {"code": system.project.code}})
    before = _snapshot(system, SYSTEM_FIELDS)
    before_caps = [c.code for c in system.capabilities.all()]
    before_users = [o.code for o in system.user_orgs.all()]
    for k, v in fields.items():
        setattr(system, k, v.strip() if isinstance(v, str) and k in ("name", "description") else v)
    if system.yearly_ops_cost is None:
        system.yearly_ops_cost = Decimal("0")
    system.full_clean(validate_unique=False)
    changes = _changes(before, _snapshot(system, SYSTEM_FIELDS))
    if changes:
        system.save()
    if capabilities is not None:
        changed = _set_m2m(system.capabilities, capabilities_from(capabilities), before_caps, lambda c: c.code)
        if changed:
            changes["capabilities"] = changed
    if user_orgs is not None:
        users = [o for o in orgs_from(user_orgs) if o.pk != system.owner_org_id]
        changed = _set_m2m(system.user_orgs, users, before_users, lambda o: o.code)
        if changed:
            changes["user_orgs"] = changed
    if changes:
        if "status" not in changes and ("capabilities" in changes or "user_orgs" in changes):
            system.save(update_fields=["updated_at"])
        record_history(system, actor=actor, transition="update", source=before["status"], target=system.status,
                       comment=comment, payload={"changes": changes})
    return system


@transaction.atomic
def add_user_org(system: InformationSystem, org: Organization, *, actor=None, comment: str = "") -> bool:
    """Record `org` as a user of `system` (a reuse recommendation); False when it already was one.

    No permission check here: the caller (the demand's recommend_reuse transition) has made it.
    """
    if org.pk == system.owner_org_id or system.user_orgs.filter(pk=org.pk).exists():
        return False
    system.user_orgs.add(org)
    system.save(update_fields=["updated_at"])
    record_history(system, actor=actor, transition="add_user", source=system.status, target=system.status,
                   comment=comment, payload={"org": org.code})
    return True


@transaction.atomic
def register_system_for_project(
    project,
    *,
    name: str,
    description: str,
    capabilities: Iterable,
    user_orgs: Iterable,
    owner_org: Organization,
    actor=None,
) -> InformationSystem:
    """A project goes live: its system enters the catalogue in operation, so that later demands find it.

    Called by the project's `go_live` transition (which checked the permission). A project has one
    system: going live again (after an upgrade) updates that entry instead of adding another.
    """
    caps = capabilities_from(capabilities)
    users = [o for o in orgs_from(user_orgs) if o.pk != owner_org.pk]
    system = InformationSystem.objects.select_for_update().filter(project=project).first()
    if system is None:
        return create_system(
            actor=actor, name=name, owner_org=owner_org, description=description, capabilities=caps, user_orgs=users,
            status=SystemStatus.IN_OPERATION, build_mode=default_build_mode(owner_org, users), project=project,
            comment=gettext("Went live with project %(code)s") % {"code": project.code}, check_permission=False,
        )
    before_status = system.status
    system.status = SystemStatus.IN_OPERATION
    system.save()
    system.capabilities.add(*caps)
    system.user_orgs.add(*users)
    record_history(system, actor=actor, transition="go_live", source=before_status, target=system.status,
                   comment=gettext("Went live with project %(code)s") % {"code": project.code})
    return system


@transaction.atomic
def retire_system(system: InformationSystem, *, actor=None, comment: str = "") -> InformationSystem:
    """Mark a system retired (its project's `retire` transition, or its owner). Retiring twice changes nothing."""
    system = InformationSystem.objects.select_for_update().get(pk=system.pk)
    if system.status == SystemStatus.RETIRED:
        return system
    before = system.status
    system.status = SystemStatus.RETIRED
    system.save(update_fields=["status", "updated_at"])
    record_history(system, actor=actor, transition="retire", source=before, target=system.status, comment=comment)
    return system


# ---------------------------------------------------------------- data resources


@transaction.atomic
def create_data_resource(*, actor, name: str, owner_org: Organization, sharing: str, opening: str, description: str = "",
                         update_frequency: str | None = None, record_count: int = 0) -> DataResource:
    """Record a resource of the data catalogue with the next code `SJ-NNNNN`."""
    _require_change(actor, owner_org.pk if owner_org else None)
    resource = DataResource(name=(name or "").strip(), owner_org=owner_org, sharing=sharing, opening=opening,
                            description=description or "", record_count=record_count or 0)
    if update_frequency:
        resource.update_frequency = update_frequency
    resource.full_clean(exclude=["code"], validate_unique=False)
    resource.code = next_code(DATA_RESOURCE_CODE_PREFIX, DATA_RESOURCE_CODE_WIDTH)
    resource.save()
    record_history(resource, actor=actor, transition="create")
    return resource


@transaction.atomic
def update_data_resource(resource: DataResource, *, actor, **fields) -> DataResource:
    unknown = set(fields) - set(DATA_RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"update_data_resource() got unknown fields: {sorted(unknown)}")
    _require_change(actor, resource.owner_org_id)
    if fields.get("owner_org") is not None:
        _require_change(actor, fields["owner_org"].pk)
    before = _snapshot(resource, DATA_RESOURCE_FIELDS)
    for k, v in fields.items():
        setattr(resource, k, v)
    resource.full_clean(validate_unique=False)
    changes = _changes(before, _snapshot(resource, DATA_RESOURCE_FIELDS))
    if changes:
        resource.save()
        record_history(resource, actor=actor, transition="update", payload={"changes": changes})
    return resource


# ---------------------------------------------------------------- hardware


def _hardware_owner_id(system, project) -> int | None:
    if system is not None:
        return system.owner_org_id
    if project is not None:
        return project.construction_org_id
    return None


@transaction.atomic
def create_hardware(*, actor, **fields) -> HardwareItem:
    """Record a hardware or cloud resource of a system or project the actor may change."""
    unknown = set(fields) - set(HARDWARE_FIELDS)
    if unknown:
        raise TypeError(f"create_hardware() got unknown fields: {sorted(unknown)}")
    if not may_edit_catalogue(actor):
        raise PermissionDenied(OWN_ORG_ONLY)
    item = HardwareItem(**fields)
    _require_change(actor, _hardware_owner_id(item.system, item.project))
    item.full_clean()
    item.save()
    record_history(item, actor=actor, transition="create", target=item.status)
    return item


@transaction.atomic
def update_hardware(item: HardwareItem, *, actor, **fields) -> HardwareItem:
    unknown = set(fields) - set(HARDWARE_FIELDS)
    if unknown:
        raise TypeError(f"update_hardware() got unknown fields: {sorted(unknown)}")
    _require_change(actor, _hardware_owner_id(item.system, item.project))
    before = _snapshot(item, HARDWARE_FIELDS)
    for k, v in fields.items():
        setattr(item, k, v)
    _require_change(actor, _hardware_owner_id(item.system, item.project))
    item.full_clean()
    changes = _changes(before, _snapshot(item, HARDWARE_FIELDS))
    if changes:
        item.save()
        record_history(item, actor=actor, transition="update", source=before["status"], target=item.status,
                       payload={"changes": changes})
    return item
