"""Every write on projects.

The four machines move only through `project_transition` (the workflow doorway); projects are
born from approved demands (`on_demand_approved`, `create_project_for_demand`,
`attach_demand_to_project`); beneficiaries grow when demands are merged in (`add_beneficiary`);
details and milestones change through `update_project`, `add_milestone` and `update_milestone`.
Going live registers the project's system in the catalogue, retiring marks it retired, both in
the transaction of the transition.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets import services as catalogue
from assets.choices import HardwareKind, HardwareLocation, HardwareStatus, SystemStatus
from assets.models import Capability, HardwareItem, InformationSystem
from core import workflow
from core.concurrency import lock_and_compare
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid
from core.sequences import next_code
from core.uploads import UploadRefused, check_upload
from organizations.choices import RegionLevel, Role
from organizations.models import Organization
from projects import ports
from projects.delivery import permissions as perm
from projects.delivery.choices import MACHINE_FIELDS, Machine, MilestoneKind, OperationsState
from projects.delivery.models import Milestone, Project
from projects.demands.choices import DemandStatus
from projects.demands.models import Demand

# "Provincial construction for city use": the provincial coordination authority builds.
CONSTRUCTION_ORG_CODE = "220000-zwj"

# Acceptance documents: the same kinds and limit as demand attachments.

# Operations transitions whose effect reaches the catalogue.
REGISTERS_SYSTEM = ("go_live", "finish_upgrade")
RETIRES_SYSTEM = ("retire",)


# ---------------------------------------------------------------------------------------
# The four machines
# ---------------------------------------------------------------------------------------


def machine_field(machine: str) -> str:
    """The state field of `machine`, or TransitionInvalid naming the field `machine`."""
    field = MACHINE_FIELDS.get(machine)
    if field is None:
        message = _("Unknown machine “%(machine)s”: choose hardware, funding, development or operations.") % {
            "machine": machine
        }
        raise TransitionInvalid(message, field_errors={"machine": [message]})
    return field


def project_transition(*, project: Project, machine: str, name: str, actor, comment: str = "") -> Project:
    """Fire transition `name` of `machine` on `project` as `actor`.

    Raises TransitionInvalid (unknown machine), TransitionConflict (wrong state, a guard of
    another machine, a lost race: `guards` names what blocked) or TransitionForbidden.
    """
    field = machine_field(machine)
    after_save = lock = None
    if machine == Machine.FUNDING:
        # Funding guards count lines and disbursements: their rows are locked inside the
        # transaction and the guards checked again (lock order in projects.ports).
        lock = lambda: ports.lock_funding(project)  # noqa: E731
        if name == "settle":
            after_save = lambda: ports.record_settlement(project, actor)  # noqa: E731
    elif machine == Machine.OPERATIONS and name in REGISTERS_SYSTEM:
        after_save = lambda: register_project_system(project, actor)  # noqa: E731
    elif machine == Machine.OPERATIONS and name in RETIRES_SYSTEM:
        after_save = lambda: retire_project_system(project, actor, comment)  # noqa: E731
    with transaction.atomic():
        _refresh_details_under_lock(project)
        return workflow.fire(
            project, field=field, name=name, actor=actor, comment=comment, machine=machine, after_save=after_save,
            lock=lock,
        )


def _refresh_details_under_lock(project: Project) -> None:
    """Lock the project's row and load its saved details into `project`, keeping its states.

    A transition body may read a detail (`start` keeps an actual start already recorded): read
    from the locked row, an edit committed meanwhile is seen, never written back stale. The
    states stay as the caller loaded them, so that a transition decided on a state that has
    changed since still loses with a conflict (ConcurrentTransitionMixin compares them).
    """
    states = {Project._meta.get_field(f).attname for f in MACHINE_FIELDS.values()}
    fresh = Project.objects.select_for_update().get(pk=project.pk)
    for f in Project._meta.concrete_fields:
        if f.attname in states or f.primary_key:
            continue
        if f.is_relation and project.__dict__.get(f.attname) != fresh.__dict__[f.attname] and f.is_cached(project):
            f.delete_cached_value(project)
        project.__dict__[f.attname] = fresh.__dict__[f.attname]


# ---------------------------------------------------------------------------------------
# Closing the loop with the catalogue
# ---------------------------------------------------------------------------------------


def project_capabilities(project: Project):
    """The capabilities the project's demands asked for (the union)."""
    return Capability.objects.filter(demands__project=project).distinct()


def register_project_system(project: Project, actor=None):
    """Register (or update) the system a live project runs: capabilities, users, status, project link."""
    return catalogue.register_system_for_project(
        project,
        name=project.name,
        description=project.description or project.name,
        capabilities=list(project_capabilities(project)),
        user_orgs=list(project.beneficiary_orgs.all()),
        owner_org=project.construction_org,
        actor=actor,
    )


def retire_project_system(project: Project, actor=None, comment: str = ""):
    """Mark the project's catalogue entry retired (nothing to do when it never went live)."""
    system = InformationSystem.objects.filter(project=project).first()
    if system is not None:
        catalogue.retire_system(system, actor=actor, comment=comment)
    return system


# ---------------------------------------------------------------------------------------
# Projects born from demands
# ---------------------------------------------------------------------------------------


def construction_org() -> Organization:
    """The provincial coordination authority, which builds for the cities."""
    org = Organization.objects.filter(code=CONSTRUCTION_ORG_CODE).first()
    if org is None:
        org = Organization.objects.filter(level=RegionLevel.PROVINCE, is_coordination_authority=True).first()
    if org is None:
        raise TransitionInvalid(_("The provincial coordination authority is missing from the organization tree."))
    return org


def default_manager(org: Organization):
    """The construction team's default project manager: the first active project manager of the
    construction organization (the provincial office changes it on the project page)."""
    User = get_user_model()
    return User.objects.filter(role=Role.PROJECT_MANAGER, organization=org, is_active=True).order_by("pk").first()


def on_demand_approved(demand: Demand, actor) -> Project:
    """Hook of the demand approval: the approved demand becomes (part of) a project."""
    if demand.project_id is not None:
        return demand.project
    return create_project_for_demand(demand, actor)


def create_project_for_demand(demand: Demand, actor, *, project: Project | None = None) -> Project:
    """Make the approved `demand` part of a project: a new one (XM-<year>-NNNN), or `project`.

    A new project takes its name, description, budget and planned dates from the demand; the
    provincial coordination authority builds it; the requesting organization benefits; its
    manager is the construction team's default one from the start. Attached to an existing project, the demand adds its
    organization as a beneficiary and its budget to the approved budget.
    """
    if demand.status != DemandStatus.APPROVED:
        raise TransitionInvalid(
            _("Only an approved demand can become part of a project; “%(demand)s” is “%(state)s”.")
            % {"demand": demand, "state": demand.get_status_display()},
            field_errors={"demand": [_("This demand is not approved.")]},
        )
    with transaction.atomic():
        if project is None:
            year = timezone.localdate().year
            builder = construction_org()
            project = Project.objects.create(
                code=next_code("XM", 4, year),
                manager=default_manager(builder),
                name=(demand.title or str(demand))[:200],
                description=demand.description,
                construction_org=builder,
                approved_budget=demand.budget_total,
                year=year,
                planned_start=demand.planned_start,
                planned_end=demand.planned_end,
            )
        else:
            if project.operations_status == OperationsState.RETIRED:
                raise TransitionInvalid(
                    _("Project %(project)s is retired: no demand can join it.") % {"project": project.code},
                    field_errors={"project": [_("This project is retired.")]},
                )
            # Under the row lock, from the saved figure: the budget grows even if someone saved the
            # project meanwhile. A save, not .update(): the redundancy change feed hears of it.
            locked = Project.objects.select_for_update().get(pk=project.pk)
            locked.approved_budget += demand.budget_total
            locked.save(update_fields=["approved_budget", "updated_at"])
            project.approved_budget = locked.approved_budget
        add_beneficiary(project, demand.org, actor)
        # Only the link: the demand's own fields (and its state) are left to the demand services.
        demand.project = project
        demand.save(update_fields=["project", "updated_at"])  # the change feed hears of it
    return project


def attach_demand_to_project(demand: Demand, project: Project, actor) -> Project:
    """A reviewer attaches an approved demand that has no project yet to an existing project."""
    if not perm.may_attach_demand(project, actor):
        raise TransitionForbidden(_("You are not permitted to do this."))
    if demand.project_id == project.pk:
        return project
    if demand.project_id is not None:
        raise TransitionConflict(
            _("Demand %(demand)s is already part of project %(project)s.")
            % {"demand": demand.code or demand.pk, "project": demand.project.code},
            state=demand.status,
        )
    return create_project_for_demand(demand, actor, project=project)


def add_beneficiary(project: Project, org: Organization, actor=None) -> bool:
    """`org` benefits from `project` (and uses its system once live). True when newly added."""
    if project.beneficiary_orgs.filter(pk=org.pk).exists():
        return False
    project.beneficiary_orgs.add(org)
    system = InformationSystem.objects.filter(project=project).exclude(status=SystemStatus.RETIRED).first()
    if system is not None:
        catalogue.add_user_org(system, org, actor=actor, comment=_("Beneficiary of project %(code)s") % {"code": project.code})
    return True


# ---------------------------------------------------------------------------------------
# Details and milestones
# ---------------------------------------------------------------------------------------

# The approved budget is not among them: it changes only through a recorded budget change.
EDITABLE_FIELDS = ("name", "description", "manager", "planned_start", "planned_end", "actual_start", "actual_end")


def _invalid(errors: dict[str, str]):
    first = next(iter(errors.values()))
    return TransitionInvalid(first, field_errors={k: [v] for k, v in errors.items()})


def project_problems(values: dict) -> dict[str, str]:
    """Rules of a project's details broken by `values`, as field → message (empty when sound)."""
    errors: dict[str, str] = {}
    if "name" in values and not (values["name"] or "").strip():
        errors["name"] = _("Name: this field is required.")
    ps, pe = values.get("planned_start"), values.get("planned_end")
    if ps and pe and pe < ps:
        errors["planned_end"] = _("Planned end: cannot be before the planned start (%(start)s).") % {"start": ps}
    as_, ae = values.get("actual_start"), values.get("actual_end")
    if as_ and ae and ae < as_:
        errors["actual_end"] = _("Actual end: cannot be before the actual start (%(start)s).") % {"start": as_}
    today = timezone.localdate()
    for field, label in (("actual_start", _("Actual start")), ("actual_end", _("Actual end"))):
        if values.get(field) and values[field] > today and field not in errors:
            errors[field] = _("%(field)s: cannot be in the future.") % {"field": label}
    manager = values.get("manager")
    if manager is not None and manager.role != Role.PROJECT_MANAGER:
        errors["manager"] = _("Project manager: %(user)s is not a project manager.") % {"user": manager}
    return errors


def update_project(project: Project, actor, *, version=None, **changes) -> Project:
    """Change a project's details (not its states, not its approved budget). Refuses what breaks
    a rule, saving nothing.

    With `version` (core.concurrency.edit_version of the project the person loaded: every page,
    API and admin edit passes it), an edit of a project that changed since then, by another edit
    or a transition of any machine, is refused with StaleEdit (409) instead of saved over it.
    """
    if not perm.may_edit_project(project, actor):
        raise TransitionForbidden(_("You are not permitted to do this."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    with transaction.atomic():
        # The row lock orders this edit after any transition or edit in flight; the rules are
        # checked against the locked row, and only the fields of the edit are written, so that a
        # details edit never writes back a stale state.
        if version is not None:
            fresh = lock_and_compare(Project, project.pk, version)
        else:
            fresh = Project.objects.select_for_update().get(pk=project.pk)
        values = {f: getattr(fresh, f) for f in EDITABLE_FIELDS}
        values.update(changes)
        errors = project_problems(values)
        if errors:
            raise _invalid(errors)
        changed = [f for f, v in changes.items() if getattr(fresh, f) != v]
        for field in changed:
            setattr(fresh, field, changes[field])
        if changed:
            fresh.save(update_fields=[*changed, "updated_at"])
    workflow.reload(project)
    return project


def milestone_problems(project: Project, values: dict, *, check_plan: bool = True) -> dict[str, str]:
    """Rules of a milestone broken by `values` (name, planned_date, actual_date, document).

    `check_plan=False`: the planned date is not compared with the project's plan (an edit that
    keeps it: a plan shortened since must not block recording the date or the document)."""
    errors: dict[str, str] = {}
    if not (values.get("name") or "").strip():
        errors["name"] = _("Name: this field is required.")
    planned: date | None = values.get("planned_date")
    actual: date | None = values.get("actual_date")
    if planned is None:
        errors["planned_date"] = _("Planned date: this field is required.")
    elif check_plan:
        if project.planned_start and planned < project.planned_start:
            errors["planned_date"] = _("Planned date: cannot be before the project's planned start (%(date)s).") % {
                "date": project.planned_start
            }
        elif project.planned_end and planned > project.planned_end:
            errors["planned_date"] = _("Planned date: cannot be after the project's planned end (%(date)s).") % {
                "date": project.planned_end
            }
    if actual is not None:
        start = project.actual_start or project.planned_start
        if actual > timezone.localdate():
            errors["actual_date"] = _("Actual date: cannot be in the future.")
        elif start and actual < start:
            errors["actual_date"] = _("Actual date: cannot be before the project started (%(date)s).") % {"date": start}
    if values.get("kind", MilestoneKind.STEP) not in MilestoneKind.values:
        errors["kind"] = _("Kind: choose a step of the plan or the acceptance.")
    document = values.get("document")
    if document:
        try:
            check_upload(document)  # the one upload check: kind by content, size, name
        except UploadRefused as err:
            errors["document"] = _("Acceptance document: %(reason)s") % {"reason": " ".join(err.messages)}
    return errors


def _save_milestone(milestone: Milestone, document) -> Milestone:
    with transaction.atomic():
        if document:
            name, _content_type = check_upload(document)
            document.seek(0)
            milestone.document.save(name, document, save=False)
        milestone.save()
    return milestone


def add_milestone(project: Project, actor, *, name: str, planned_date, actual_date=None, document=None, note: str = "",
                  kind: str = MilestoneKind.STEP) -> Milestone:
    """A dated step of the project (or its acceptance), with its acceptance document when it has one."""
    if not perm.may_edit_project(project, actor):
        raise TransitionForbidden(_("You are not permitted to do this."))
    values = {"name": name, "planned_date": planned_date, "actual_date": actual_date, "document": document, "kind": kind}
    errors = milestone_problems(project, values)
    if errors:
        raise _invalid(errors)
    milestone = Milestone(project=project, name=name.strip(), kind=kind, planned_date=planned_date, actual_date=actual_date,
                          note=note or "")
    return _save_milestone(milestone, document)


def update_milestone(milestone: Milestone, actor, **changes) -> Milestone:
    """Change a milestone's name, dates, note or document."""
    project = milestone.project
    if not perm.may_edit_project(project, actor):
        raise TransitionForbidden(_("You are not permitted to do this."))
    document = changes.pop("document", None)
    unknown = set(changes) - {"name", "kind", "planned_date", "actual_date", "note"}
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    values = {f: getattr(milestone, f) for f in ("name", "planned_date", "actual_date")}
    values.update(changes)
    values["document"] = document
    errors = milestone_problems(project, values, check_plan=values["planned_date"] != milestone.planned_date)
    if errors:
        raise _invalid(errors)
    for field, value in changes.items():
        setattr(milestone, field, value.strip() if field == "name" else value)
    return _save_milestone(milestone, document)


# ---------------------------------------------------------------------------------------
# Hardware and cloud items of a project (the facts of the hardware lane)
# ---------------------------------------------------------------------------------------

HARDWARE_ITEM_FIELDS = ("name", "kind", "quantity", "unit_cost", "location", "supplier")


def hardware_item_problems(values: dict) -> dict[str, str]:
    """Rules of a project's hardware item broken by `values`, as field → message."""
    errors: dict[str, str] = {}
    if not (values.get("name") or "").strip():
        errors["name"] = _("Name: this field is required.")
    if values.get("kind") not in HardwareKind.values:
        errors["kind"] = _("Kind: choose a server, storage, network device, cloud resource or licence.")
    quantity = values.get("quantity")
    if not isinstance(quantity, int) or quantity < 1:
        errors["quantity"] = _("Quantity: at least 1.")
    cost = values.get("unit_cost")
    if cost is None:
        errors["unit_cost"] = _("Unit cost: enter the cost of one item in CNY, e.g. 120000 or 12万.")
    elif cost <= 0:
        errors["unit_cost"] = _("Unit cost: the cost must be above zero.")
    if values.get("location", HardwareLocation.PROVINCIAL_CLOUD) not in HardwareLocation.values:
        errors["location"] = _("Location: choose the provincial cloud or a local machine room.")
    return errors


def add_hardware_item(project: Project, actor, **fields) -> HardwareItem:
    """The project manager records a hardware or cloud item the project needs, with its cost (before the request)."""
    if not perm.may_drive_project(project, actor):
        raise TransitionForbidden(_("You are not permitted to do this."))
    unknown = set(fields) - set(HARDWARE_ITEM_FIELDS)
    if unknown:
        raise ValueError(f"not a hardware item field here: {sorted(unknown)}")
    errors = hardware_item_problems(fields)
    if errors:
        raise _invalid(errors)
    with transaction.atomic():
        item = HardwareItem(project=project, status=HardwareStatus.PLANNED, **{**fields, "name": fields["name"].strip()})
        item.full_clean()
        item.save()
        catalogue.record_history(item, actor=actor, transition="create", target=item.status,
                                 comment=_("Recorded on project %(code)s") % {"code": project.code})
    return item


def mark_hardware_delivered(item: HardwareItem, actor) -> HardwareItem:
    """The project manager records that a planned or ordered item of the project has arrived."""
    project = item.project
    if project is None or not perm.may_drive_project(project, actor):
        raise TransitionForbidden(_("You are not permitted to do this."))
    with transaction.atomic():
        locked = HardwareItem.objects.select_for_update().get(pk=item.pk)
        if locked.status not in (HardwareStatus.PLANNED, HardwareStatus.ORDERED):
            raise TransitionConflict(
                _("“%(item)s” is already “%(state)s”.") % {"item": locked.name, "state": locked.get_status_display()},
                state=locked.status,
            )
        before = locked.status
        locked.status = HardwareStatus.DELIVERED
        locked.save(update_fields=["status", "updated_at"])
        catalogue.record_history(locked, actor=actor, transition="update", source=before, target=locked.status,
                                 payload={"changes": {"status": [before, locked.status]}})
    item.status = locked.status
    return locked
