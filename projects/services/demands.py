"""Every write of a demand: filing and editing, attachments, and its approval machine.

- `save_demand` creates or edits a demand while it is a draft or returned for revision,
  with every rule on money, dates, capabilities and data resources.
- `add_attachment` / `delete_attachment` keep the files (type allow-list, 20 MB, content
  sniffed against the extension).
- `demand_transition` is the one doorway for the approval machine: it checks the state, the
  permission and the payload of the transition, then fires it through `core.workflow.fire`
  with the in-transaction effects (number, deadlines, review comment, merge and reuse) and
  the after-commit ones (notifications, the redundancy check).
- `send_overdue_reminders` is the daily reminder behind the Celery beat job.

Extension points filled by other parts of the app: `record_saving` (budgets: the savings
ledger), `projects.services.projects.on_demand_approved` (a project is born from an approved
demand), `projects.services.redundancy.schedule_check` (the redundancy check on submission).
"""

from __future__ import annotations

import zipfile
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from importlib import import_module
from pathlib import PurePath
from uuid import uuid4

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition

from assets.choices import Sharing, SystemStatus
from assets.models import Capability, DataResource, InformationSystem
from core import workflow
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid
from core.models import Notification
from core.notifications import notify
from core.sequences import next_code
from organizations.choices import Role
from organizations.permissions import acts_for_org, has_role

from ..choices import (
    EDITABLE_STATES,
    REVIEW_STATES,
    AuthorizationStatus,
    CandidateKind,
    ConstructionType,
    DemandStatus,
    Domain,
    FlagState,
    OperationsState,
    Urgency,
)
from ..deadlines import review_due
from ..models import BUDGET_PARTS, Attachment, Demand, DemandDataResource, Project, RedundancyFlag
from ..workflows import MAX_AMOUNT

S = DemandStatus


class DemandInvalid(TransitionInvalid):
    """The data of a demand (or of an attachment) breaks a rule: 400 with the fields named."""


# Public names of the transitions, as a person reads them (buttons, history, messages).
TRANSITION_LABELS = {
    "submit": gettext_lazy("Submit"),
    "municipal_approve": gettext_lazy("Pass on to the province"),
    "provincial_approve": gettext_lazy("Approve"),
    "expert_approve": gettext_lazy("Approve after expert review"),
    "return_for_revision": gettext_lazy("Return for revision"),
    "reject": gettext_lazy("Reject"),
    "merge": gettext_lazy("Merge into another demand or project"),
    "recommend_reuse": gettext_lazy("Recommend reusing a system"),
    "withdraw": gettext_lazy("Withdraw"),
}

# Transitions that need a comment (design.md: return and reject say why).
COMMENT_REQUIRED = ("return_for_revision", "reject")

# Fields a reviewer may mark "to fix" when returning a demand.
FIXABLE_FIELDS = (
    "title", "description", "contact_name", "contact_phone", "domain", "construction_type", "capabilities",
    "data_resources", *BUDGET_PARTS, "resources_wanted", "planned_start", "planned_end", "urgency",
    "policy_basis", "attachments",
)

# The fields `save_demand` accepts.
EDITABLE_FIELDS = (
    "title", "description", "contact_name", "contact_phone", "domain", "construction_type", "capabilities",
    "data_resources", *BUDGET_PARTS, "resources_wanted", "planned_start", "planned_end", "urgency", "policy_basis",
)
TEXT_LIMITS = {"title": 200, "contact_name": 50, "contact_phone": 30}

# Target states that a demand may be merged into (it covers the demand being merged).
MERGEABLE_TARGET_STATES = (S.MUNICIPAL_REVIEW, S.PROVINCIAL_REVIEW, S.EXPERT_REVIEW, S.APPROVED)

# Attachments: extension → (content type, sniffing rule). OFD, DOCX and XLSX are ZIP packages
# that must contain their format's main part; PDF, JPEG and PNG start with a magic number.
ATTACHMENT_TYPES = {
    "pdf": ("application/pdf", b"%PDF", None),
    "ofd": ("application/ofd", b"PK\x03\x04", "OFD.xml"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04", "word/document.xml"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04", "xl/workbook.xml"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff", None),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff", None),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n", None),
}
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


def field_label(name: str) -> str:
    """A demand field's name as the user reads it."""
    if name == "attachments":
        return str(gettext_lazy("attachments"))
    return str(Demand._meta.get_field(name).verbose_name)


def transition_label(name: str) -> str:
    return str(TRANSITION_LABELS.get(name, name))


def _invalid(errors: dict[str, list[str]], message=None):
    named = "、".join(field_label(f) if f in EDITABLE_FIELDS or f in FIXABLE_FIELDS else f for f in errors)
    raise DemandInvalid(
        message or _("Please correct these fields: %(fields)s.") % {"fields": named},
        field_errors=errors,
    )


# ---------------------------------------------------------------------------------------
# Filing and editing
# ---------------------------------------------------------------------------------------


def _clean_money(name: str, value, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(name, []).append(_("%(field)s is not an amount.") % {"field": field_label(name)})
        return None
    if not amount.is_finite():
        errors.setdefault(name, []).append(_("%(field)s is not an amount.") % {"field": field_label(name)})
        return None
    if amount < 0:
        errors.setdefault(name, []).append(_("%(field)s must not be negative.") % {"field": field_label(name)})
    elif amount > MAX_AMOUNT:
        errors.setdefault(name, []).append(
            _("%(field)s is over 10 billion CNY: please check the amount.") % {"field": field_label(name)}
        )
    elif amount != amount.quantize(Decimal("0.01")):
        errors.setdefault(name, []).append(
            _("%(field)s may have at most two decimal places (fen).") % {"field": field_label(name)}
        )
    return amount


def _clean_date(name: str, value, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(name, []).append(_("%(field)s is not a date (YYYY-MM-DD).") % {"field": field_label(name)})
        return None


def _clean_choice(name: str, value, choices, errors: dict) -> str:
    if value in (None, ""):
        return ""
    if value not in choices.values:
        errors.setdefault(name, []).append(
            _("“%(value)s” is not a valid choice for %(field)s.") % {"value": value, "field": field_label(name)}
        )
        return ""
    return value


def _clean_capabilities(values, errors: dict) -> list[Capability]:
    codes, objs = [], []
    for v in values or []:
        if isinstance(v, Capability):
            objs.append(v)
        else:
            codes.append(str(v).strip())
    if codes:
        found = {c.code: c for c in Capability.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            errors.setdefault("capabilities", []).append(
                _("Unknown capability codes: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        objs += [found[c] for c in codes if c in found]
    return list({c.pk: c for c in objs}.values())


def _clean_data_resources(values, errors: dict) -> list[DataResource]:
    ids, objs = [], []
    for v in values or []:
        if isinstance(v, DataResource):
            objs.append(v)
        else:
            try:
                ids.append(int(v))
            except (TypeError, ValueError):
                errors.setdefault("data_resources", []).append(_("“%(value)s” is not a data resource id.") % {"value": v})
    if ids:
        found = DataResource.objects.in_bulk(ids)
        unknown = [str(i) for i in ids if i not in found]
        if unknown:
            errors.setdefault("data_resources", []).append(
                _("Unknown data resources: %(ids)s.") % {"ids": ", ".join(unknown)}
            )
        objs += [found[i] for i in ids if i in found]
    return list({r.pk: r for r in objs}.values())


def validate_demand_data(data: dict, current: Demand | None = None) -> tuple[dict, dict]:
    """Clean `data` (only the keys given); return (values, errors by field)."""
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            continue
        if name in BUDGET_PARTS:
            values[name] = _clean_money(name, value, errors)
        elif name in ("planned_start", "planned_end"):
            values[name] = _clean_date(name, value, errors)
        elif name == "domain":
            values[name] = _clean_choice(name, value, Domain, errors)
        elif name == "construction_type":
            values[name] = _clean_choice(name, value, ConstructionType, errors)
        elif name == "urgency":
            values[name] = _clean_choice(name, value, Urgency, errors) or Urgency.NORMAL
        elif name == "capabilities":
            values[name] = _clean_capabilities(value, errors)
        elif name == "data_resources":
            values[name] = _clean_data_resources(value, errors)
        else:
            text = "" if value is None else str(value).strip()
            limit = TEXT_LIMITS.get(name)
            if limit and len(text) > limit:
                errors.setdefault(name, []).append(
                    _("%(field)s may have at most %(limit)d characters.") % {"field": field_label(name), "limit": limit}
                )
            values[name] = text

    def merged(name):
        if name in values:
            return values[name]
        return getattr(current, name) if current is not None else None

    if not any(p in errors for p in BUDGET_PARTS):
        total = sum((merged(p) or Decimal("0") for p in BUDGET_PARTS), Decimal("0"))
        if total > MAX_AMOUNT:
            errors.setdefault("budget_total", []).append(
                _("The total budget is over 10 billion CNY: please check the amounts.")
            )
    start, end = merged("planned_start"), merged("planned_end")
    if start and end and end < start and "planned_start" not in errors and "planned_end" not in errors:
        errors.setdefault("planned_end", []).append(
            _("%(end)s must not be before %(start)s.") % {"end": field_label("planned_end"), "start": field_label("planned_start")}
        )
    return values, errors


def _check_may_edit(actor, demand: Demand | None, org) -> None:
    if not has_role(actor, Role.SUBMITTER):
        raise TransitionForbidden(_("Only staff of the requesting bureau file and edit demands."))
    if not acts_for_org(actor, org):
        if demand is None:
            message = _("You may file demands only for your own organization.")
            raise DemandInvalid(message, field_errors={"org": [message]})
        raise TransitionForbidden(_("You are not permitted to do this."))
    if demand is not None and demand.status not in EDITABLE_STATES:
        raise TransitionConflict(
            _("This demand is now in state “%(state)s”: it can be edited only as a draft or when returned for revision.")
            % {"state": demand.get_status_display()},
            state=demand.status,
        )


def _sync_data_resources(demand: Demand, resources: list[DataResource]) -> None:
    """Keep the links of resources still wanted (and their authorization), add new, drop the rest."""
    wanted = {r.pk: r for r in resources}
    existing = set(demand.data_resource_links.values_list("resource_id", flat=True))
    demand.data_resource_links.exclude(resource_id__in=wanted).delete()
    DemandDataResource.objects.bulk_create(
        [
            DemandDataResource(
                demand=demand,
                resource=r,
                authorization=AuthorizationStatus.PENDING if r.sharing == Sharing.AUTHORIZED else AuthorizationStatus.NOT_NEEDED,
            )
            for pk, r in wanted.items()
            if pk not in existing
        ]
    )


def save_demand(*, actor, data: dict, demand: Demand | None = None) -> Demand:
    """Create a draft (demand=None) or edit a draft or returned demand, as `actor`.

    `data` holds only the fields to set (capabilities as codes or objects, data resources as
    ids or objects, amounts as Decimal or text). Raises DemandInvalid naming every bad field
    (nothing is saved then), TransitionForbidden, or TransitionConflict when the demand is no
    longer editable (also when someone changed its state meanwhile).
    """
    if demand is None:
        org = data.get("org") or getattr(actor, "organization", None)
    else:
        org = demand.org
        if "org" in data and data["org"] is not None and getattr(data["org"], "pk", data["org"]) != demand.org_id:
            message = _("The requesting organization of a demand cannot change.")
            raise DemandInvalid(message, field_errors={"org": [message]})
    _check_may_edit(actor, demand, org)
    values, errors = validate_demand_data(data, demand)
    if errors:
        _invalid(errors)

    capabilities = values.pop("capabilities", None)
    resources = values.pop("data_resources", None)
    target = demand if demand is not None else Demand(org=org, created_by=actor)
    for name, value in values.items():
        setattr(target, name, value)
    target.budget_total = target.compute_total()
    try:
        with transaction.atomic():
            target.save()
            if capabilities is not None:
                target.capabilities.set(capabilities)
            if resources is not None:
                _sync_data_resources(target, resources)
    except ConcurrentTransition:
        target.refresh_from_db()
        raise TransitionConflict(
            _("Someone else changed this demand first: it is now in state “%(state)s”. Reload and try again.")
            % {"state": target.get_status_display()},
            state=target.status,
        ) from None
    except BaseException:
        if demand is not None:
            demand.refresh_from_db()
        raise
    return target


# ---------------------------------------------------------------------------------------
# Attachments
# ---------------------------------------------------------------------------------------


def _extension(name: str) -> str:
    return PurePath(name or "").suffix.lower().lstrip(".")


def _head(upload, n: int) -> bytes:
    upload.seek(0)
    head = upload.read(n)
    upload.seek(0)
    return head


def check_attachment(upload) -> tuple[str, str]:
    """(extension, content type) of an acceptable upload, or DemandInvalid naming the file."""
    name = getattr(upload, "name", "") or ""
    ext = _extension(name)
    spec = ATTACHMENT_TYPES.get(ext)

    def refuse(message):
        raise DemandInvalid(message, field_errors={"attachments": [message]})

    if spec is None:
        refuse(
            _("“%(name)s”: this file type is not accepted. Accepted: PDF, OFD, Word (docx), Excel (xlsx), JPG, PNG.")
            % {"name": name}
        )
    if upload.size > ATTACHMENT_MAX_BYTES:
        refuse(_("“%(name)s” is larger than 20 MB.") % {"name": name})
    if upload.size == 0:
        refuse(_("“%(name)s” is empty.") % {"name": name})
    content_type, magic, main_part = spec
    if not _head(upload, len(magic)) == magic:
        refuse(_("“%(name)s”: the content is not a %(ext)s file.") % {"name": name, "ext": ext.upper()})
    if main_part is not None:
        try:
            upload.seek(0)
            with zipfile.ZipFile(upload) as package:
                names = set(package.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            names = set()
        finally:
            upload.seek(0)
        if main_part not in names and not any(n.endswith("/" + main_part) for n in names):
            refuse(_("“%(name)s”: the content is not a %(ext)s file.") % {"name": name, "ext": ext.upper()})
    return ext, content_type


def add_attachment(*, actor, demand: Demand, upload, description: str = "") -> Attachment:
    """Attach a file to a draft or returned demand of the actor's organization."""
    _check_may_edit(actor, demand, demand.org)
    ext, content_type = check_attachment(upload)
    original = PurePath(upload.name).name[:255]
    attachment = Attachment(
        demand=demand,
        original_name=original,
        content_type=content_type,
        size=upload.size,
        description=(description or "")[:200],
        uploaded_by=actor,
    )
    # A random stored name: what the user called the file is kept only as text.
    upload.seek(0)
    attachment.file.save(f"{uuid4().hex}.{ext}", upload, save=False)
    try:
        attachment.save()
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


def delete_attachment(*, actor, attachment: Attachment) -> None:
    """Remove a file from a draft or returned demand of the actor's organization."""
    demand = attachment.demand
    _check_may_edit(actor, demand, demand.org)
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


# ---------------------------------------------------------------------------------------
# Extension points
# ---------------------------------------------------------------------------------------


def record_saving(demand: Demand, kind: str, amount: Decimal) -> None:
    """Extension point: record the construction funds a merge or reuse avoided.

    Called inside the transaction of `merge` (kind "merge") and `recommend_reuse` (kind
    "reuse") with the demand's total budget. It does nothing yet: the budgets app fills it
    with a row of its savings ledger. Keep the signature.
    """
    return None


def _optional_hook(module: str, name: str):
    """A function of a module that may not exist yet (written by another part of the app)."""
    try:
        mod = import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return None
        raise
    return getattr(mod, name, None)


def on_demand_approved(demand: Demand, actor) -> None:
    """The demand is approved: it becomes (part of) a project (projects.services.projects)."""
    hook = _optional_hook("projects.services.projects", "on_demand_approved")
    if hook is not None:
        hook(demand, actor)


def _schedule_redundancy_check(demand_id: int) -> None:
    hook = _optional_hook("projects.services.redundancy", "schedule_check")
    if hook is not None:
        hook(Demand.objects.get(pk=demand_id))


def _add_beneficiary(project: Project, org) -> None:
    hook = _optional_hook("projects.services.projects", "add_beneficiary")
    if hook is not None:
        hook(project, org)
    else:
        project.beneficiary_orgs.add(org)


def _add_system_user(system: InformationSystem, org, *, actor, comment: str) -> None:
    hook = _optional_hook("assets.services", "add_user_org")
    if hook is not None:
        hook(system, org, actor=actor, comment=comment)
    else:
        system.user_orgs.add(org)


def _resolve_flags(demand: Demand, *, kind: str, candidate_id: int, state: str, actor, comment: str) -> None:
    """Merge and reuse resolve the demand's pending flag on the chosen candidate themselves."""
    hook = _optional_hook("projects.services.redundancy", "resolve_for_redirect")
    if hook is not None:  # also the target's other faces (its project, demands, system), with an audit row each
        hook(demand, kind=kind, candidate_id=candidate_id, state=state, actor=actor, comment=comment)
        return
    now = timezone.now()
    for flag in RedundancyFlag.objects.filter(demand=demand, state=FlagState.PENDING, candidate_kind=kind, candidate_id=candidate_id):
        flag.state, flag.resolved_by, flag.resolved_at, flag.resolution_comment = state, actor, now, comment
        flag.save(update_fields=["state", "resolved_by", "resolved_at", "resolution_comment"])


# ---------------------------------------------------------------------------------------
# The approval machine
# ---------------------------------------------------------------------------------------


def _conflict_wrong_state(demand: Demand, name: str):
    raise TransitionConflict(
        _("This demand is now in state “%(state)s”: “%(action)s” is not possible.")
        % {"state": demand.get_status_display(), "action": transition_label(name)},
        state=demand.status,
    )


def submit_problems(demand: Demand) -> dict[str, list[str]]:
    """Why the demand cannot be submitted yet, by field, in the user's language (empty: it can)."""
    errors: dict[str, list[str]] = {}
    for name in demand.missing_fields():
        errors[name] = [_("Please fill in %(field)s.") % {"field": field_label(name)}]
    if not errors:
        for name in demand.budget_problems():
            if name == "budget_total":
                total = demand.compute_total()
                if total <= 0:
                    message = _("The total budget must be more than zero.")
                elif total > MAX_AMOUNT:
                    message = _("The total budget is over 10 billion CNY: please check the amounts.")
                else:
                    message = _("The budget parts do not add up to the total.")
                errors.setdefault("budget_total", []).append(message)
            else:
                errors.setdefault(name, []).append(_("%(field)s must not be negative.") % {"field": field_label(name)})
    return errors


def _id_of(value):
    if value in (None, ""):
        return None
    if hasattr(value, "pk"):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        return value  # reported as not found


def _validate_payload(demand: Demand, name: str, actor, comment: str, payload: dict) -> dict:
    """Check what the transition needs besides the state; return the resolved objects."""
    resolved: dict = {}
    if name in COMMENT_REQUIRED and not comment:
        message = _("Please give a comment: %(action)s needs one, so that the bureau knows why.") % {
            "action": transition_label(name)
        }
        raise TransitionInvalid(message, field_errors={"comment": [message]})
    if name == "submit":
        errors = submit_problems(demand)
        if errors:
            named = "、".join(field_label(f) for f in errors)
            raise TransitionInvalid(
                _("The demand cannot be submitted yet. Please complete: %(fields)s.") % {"fields": named},
                field_errors=errors,
            )
    if name == "return_for_revision":
        fields = payload.get("fields_to_fix") or []
        if isinstance(fields, str):
            fields = [f for f in fields.split(",") if f.strip()]
        unknown = [f for f in fields if f not in FIXABLE_FIELDS]
        if unknown:
            message = _("Unknown fields to fix: %(fields)s.") % {"fields": ", ".join(map(str, unknown))}
            raise TransitionInvalid(message, field_errors={"fields_to_fix": [message]})
        resolved["fields_to_fix"] = list(dict.fromkeys(fields))
    if name == "merge":
        target_demand, target_project = _id_of(payload.get("target_demand")), _id_of(payload.get("target_project"))
        if (target_demand is None) == (target_project is None):
            message = _("Choose exactly one: the demand or the project this demand is merged into.")
            raise TransitionInvalid(message, field_errors={"target_demand": [message], "target_project": [message]})
        if target_demand is not None:
            from ..selectors.demands import demands_visible_to

            target = demands_visible_to(actor).filter(pk=target_demand if isinstance(target_demand, int) else -1).first()
            if target is None or target.pk == demand.pk or target.status not in MERGEABLE_TARGET_STATES:
                message = _("Choose another demand under review or approved to merge into (not this one).")
                raise TransitionInvalid(message, field_errors={"target_demand": [message]})
            resolved["target_demand"] = target
        else:
            project = Project.objects.filter(pk=target_project if isinstance(target_project, int) else -1).first()
            if project is None or project.operations_status == OperationsState.RETIRED:
                message = _("Choose an existing project that is not retired to merge into.")
                raise TransitionInvalid(message, field_errors={"target_project": [message]})
            resolved["target_project"] = project
    if name == "recommend_reuse":
        system_id = _id_of(payload.get("system"))
        system = InformationSystem.objects.filter(pk=system_id if isinstance(system_id, int) else -1).first()
        if system is None or system.status == SystemStatus.RETIRED:
            message = _("Choose a system of the catalogue that is not retired.")
            raise TransitionInvalid(message, field_errors={"system": [message]})
        resolved["system"] = system
    return resolved


def demand_transition(*, demand: Demand, name: str, actor, comment: str = "", **payload) -> Demand:
    """Fire transition `name` of the approval machine on `demand` as `actor`.

    Order of refusals: unknown name or wrong state → TransitionConflict (409, with the
    current state); not this actor's to do → TransitionForbidden (403); missing comment,
    incomplete demand, bad merge or reuse target → TransitionInvalid (400, fields named);
    a guard, or someone faster → TransitionConflict (409). Nothing is written when refused.
    """
    spec = workflow.machine_spec(Demand, "status").get(name)
    if spec is None:
        message = _("Unknown action “%(name)s”.") % {"name": name}
        raise TransitionInvalid(message, field_errors={"name": [message]})
    if demand.status not in spec.sources:
        _conflict_wrong_state(demand, name)
    if not workflow.is_permitted(demand, spec, actor):
        raise TransitionForbidden(_("You are not permitted to do this."), state=demand.status)
    comment = (comment or "").strip()
    # A list selector may have annotated the flag state; the guard must read the database now.
    demand.__dict__.pop("pending_flags_exist", None)
    resolved = _validate_payload(demand, name, actor, comment, payload)
    source = demand.status
    audit_payload = {
        k: (v.pk if hasattr(v, "pk") else v) for k, v in resolved.items() if v not in (None, [], "")
    }

    def after_save():
        _apply_effects(demand, name, source, actor, comment, resolved)

    on_commit = [lambda: notify_transition(demand.pk, name, actor.pk, comment)]
    if name == "submit":
        on_commit.append(lambda: _schedule_redundancy_check(demand.pk))
    return workflow.fire(
        demand,
        field="status",
        name=name,
        actor=actor,
        comment=comment,
        payload=audit_payload,
        after_save=after_save,
        on_commit=on_commit,
    )


def _apply_effects(demand: Demand, name: str, source: str, actor, comment: str, resolved: dict) -> None:
    """In-transaction effects of a transition that has just been saved."""
    now = timezone.now()
    changed = {"stage_entered_at": now}
    if demand.status in REVIEW_STATES:
        changed["due_at"] = review_due(now)
    else:
        changed["due_at"] = None
    if name == "submit":
        if not demand.code:
            changed["code"] = next_code("XQ", 6, timezone.localdate().year)
        if demand.submitted_at is None:
            changed["submitted_at"] = now
        changed["fields_to_fix"] = []
    elif name == "return_for_revision":
        changed["review_comment"] = comment
        changed["fields_to_fix"] = resolved.get("fields_to_fix", [])
    elif name == "reject":
        changed["review_comment"] = comment
    elif name == "merge":
        target_demand, project = resolved.get("target_demand"), resolved.get("target_project")
        if target_demand is not None:
            changed["merged_into"] = target_demand
            project = target_demand.project
            _resolve_flags(demand, kind=CandidateKind.DEMAND, candidate_id=target_demand.pk,
                           state=FlagState.MERGED, actor=actor, comment=comment)
        else:
            _resolve_flags(demand, kind=CandidateKind.PROJECT, candidate_id=project.pk,
                           state=FlagState.MERGED, actor=actor, comment=comment)
        if project is not None:
            changed["project"] = project
            _add_beneficiary(project, demand.org)
    elif name == "recommend_reuse":
        system = resolved["system"]
        changed["reuse_system"] = system
        _add_system_user(system, demand.org, actor=actor, comment=comment)
        _resolve_flags(demand, kind=CandidateKind.SYSTEM, candidate_id=system.pk,
                       state=FlagState.REUSED, actor=actor, comment=comment)
    for field, value in changed.items():
        setattr(demand, field, value)
    demand.save(update_fields=[*changed, "updated_at"])
    if name in ("merge", "recommend_reuse"):
        record_saving(demand, "merge" if name == "merge" else "reuse", demand.budget_total)
    if demand.status == S.APPROVED:
        on_demand_approved(demand, actor)


# ---------------------------------------------------------------------------------------
# Who hears of it
# ---------------------------------------------------------------------------------------


def next_actors(demand: Demand):
    """The people who must act on the demand in its current state (a queryset of users)."""
    User = get_user_model()
    active = User.objects.filter(is_active=True)
    if demand.status == S.MUNICIPAL_REVIEW:
        if demand.org.city_id is None:
            return active.none()
        return active.filter(role=Role.MUNICIPAL_COORDINATOR, organization__city_id=demand.org.city_id)
    if demand.status == S.PROVINCIAL_REVIEW:
        return active.filter(role=Role.PROVINCIAL_REVIEWER)
    if demand.status == S.EXPERT_REVIEW:
        return active.filter(role=Role.PROVINCIAL_APPROVER)
    if demand.status == S.RETURNED:
        return submitters_of(demand)
    return active.none()


def submitters_of(demand: Demand):
    User = get_user_model()
    return User.objects.filter(is_active=True, role=Role.SUBMITTER, organization_id=demand.org_id)


NEXT_ACTOR_MESSAGES = {
    S.MUNICIPAL_REVIEW: gettext_lazy("Demand %(code)s “%(title)s” of %(org)s waits for your municipal review (due %(due)s)."),
    S.PROVINCIAL_REVIEW: gettext_lazy("Demand %(code)s “%(title)s” of %(org)s waits for your provincial review (due %(due)s)."),
    S.EXPERT_REVIEW: gettext_lazy("Demand %(code)s “%(title)s” of %(org)s needs the expert panel's verdict (due %(due)s)."),
}
SUBMITTER_MESSAGE = gettext_lazy("Your demand %(code)s “%(title)s” is now “%(state)s” (%(action)s by %(actor)s).")
RETURNED_MESSAGE = gettext_lazy(
    "Your demand %(code)s “%(title)s” was returned for revision by %(actor)s: %(comment)s"
)


def notify_transition(demand_id: int, name: str, actor_id: int, comment: str = "") -> None:
    """After the commit: tell the people who must act next and the bureau's submitters, once each."""
    from django.utils import translation

    User = get_user_model()
    demand = Demand.objects.select_related("org").get(pk=demand_id)
    actor = User.objects.filter(pk=actor_id).first()
    url = reverse("projects:demand_detail", args=[demand.pk])
    with translation.override(settings.LANGUAGE_CODE):
        params = {
            "code": demand.code or _("(draft)"),
            "title": demand.title,
            "org": demand.org.name,
            "state": demand.get_status_display(),
            "action": transition_label(name),
            "actor": str(actor) if actor else "",
            "comment": comment,
            "due": timezone.localtime(demand.due_at).strftime("%Y-%m-%d") if demand.due_at else "-",
        }
    submitters = list(submitters_of(demand))
    told = {u.pk for u in submitters}
    if demand.status in NEXT_ACTOR_MESSAGES:
        reviewers = [u for u in next_actors(demand) if u.pk not in told]
        notify(reviewers, verb=f"demand.{name}", message=NEXT_ACTOR_MESSAGES[demand.status], params=params,
               obj=demand, actor=actor, url=url, exclude=[actor])
    message = RETURNED_MESSAGE if demand.status == S.RETURNED else SUBMITTER_MESSAGE
    notify(submitters, verb=f"demand.{name}", message=message, params=params, obj=demand, actor=actor, url=url,
           exclude=[actor])


# ---------------------------------------------------------------------------------------
# Daily reminders
# ---------------------------------------------------------------------------------------

REMINDER_VERB = "demand.review_overdue"
REMINDER_MESSAGE = gettext_lazy("%(count)s demands in your review queue are overdue. Please deal with them.")


def overdue_counts_by_reviewer(now=None) -> dict[int, int]:
    """user id → number of overdue demands that user's role and place must review."""
    from ..selectors.demands import overdue_demands

    now = now or timezone.now()
    User = get_user_model()
    counts: dict[int, int] = {}
    overdue = overdue_demands(now)
    by_state = dict(overdue.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    holders = {S.PROVINCIAL_REVIEW: Role.PROVINCIAL_REVIEWER, S.EXPERT_REVIEW: Role.PROVINCIAL_APPROVER}
    for state, role in holders.items():
        if by_state.get(state):
            for uid in User.objects.filter(is_active=True, role=role).values_list("pk", flat=True):
                counts[uid] = counts.get(uid, 0) + by_state[state]
    by_city = dict(
        overdue.filter(status=S.MUNICIPAL_REVIEW).values_list("org__city_id").annotate(n=Count("pk")).values_list("org__city_id", "n")
    )
    if by_city:
        coordinators = User.objects.filter(
            is_active=True, role=Role.MUNICIPAL_COORDINATOR, organization__city_id__in=[c for c in by_city if c]
        ).values_list("pk", "organization__city_id")
        for uid, city_id in coordinators:
            counts[uid] = counts.get(uid, 0) + by_city[city_id]
    return counts


def send_overdue_reminders(now=None) -> int:
    """Remind each reviewer with overdue demands, at most once per day. Returns how many were told."""
    now = now or timezone.now()
    User = get_user_model()
    counts = overdue_counts_by_reviewer(now)
    if not counts:
        return 0
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    already = set(
        Notification.objects.filter(
            verb=REMINDER_VERB, recipient_id__in=counts, created_at__gte=day_start, created_at__lt=day_start + timedelta(days=1)
        ).values_list("recipient_id", flat=True)
    )
    told = 0
    queue_url = reverse("projects:review_queue") + "?overdue=true"
    for user in User.objects.filter(pk__in=[u for u in counts if u not in already]).order_by("pk"):
        with transaction.atomic():
            told += len(notify([user], verb=REMINDER_VERB, message=REMINDER_MESSAGE,
                               params={"count": counts[user.pk]}, url=queue_url))
    return told
