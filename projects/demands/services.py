"""Every write of a demand: filing and editing, attachments, and its approval machine.

- `save_demand` creates or edits a demand while it is a draft or returned for revision,
  with every rule on money, dates, capabilities and data resources.
- `demand_transition` is the one doorway for the approval machine: it checks the state and the
  permission, lets the transition's handler (`transitions.py`: one per transition) check its
  payload, then fires it through `core.workflow.fire` with the deadlines and the handler's
  in-transaction effects (number, review comment, merge and reuse) and the after-commit ones
  (notifications, the redundancy check).

Attachments are in `attachments.py`, notifications and reminders in `notifications.py`. What
other parts do on a decision goes through `projects.ports`: a submission is announced after
its commit (redundancy checks it), merge and reuse announce their chosen candidate inside the
transaction (redundancy resolves its flags on it), and the avoided cost goes to the savings
ledger. An approved demand becomes (part of) a project through `delivery.services`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from assets.choices import Sharing
from assets.models import Capability, DataResource
from core import workflow
from core.concurrency import lock_and_compare
from core.dates import validate_date_range
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid
from core.money import AmountError, parse_amount
from core.validators import is_phone
from organizations.choices import Role
from organizations.permissions import acts_for_org, has_role
from projects.delivery.services import on_demand_approved
from projects.demands import review_services
from projects.demands.choices import (
    EDITABLE_STATES,
    REVIEW_STATES,
    AuthorizationStatus,
    ConstructionType,
    DemandStatus,
    Domain,
    Urgency,
    transition_label,
)
from projects.demands.deadlines import review_due
from projects.demands.models import BUDGET_PARTS, Demand, DemandDataResource, field_label
from projects.demands.notifications import notify_transition
from projects.demands.transitions import FIXABLE_FIELDS, HANDLERS, TransitionHandler
from projects.demands.workflows import MAX_AMOUNT

S = DemandStatus


class DemandInvalid(TransitionInvalid):
    """The data of a demand (or of an attachment) breaks a rule: 400 with the fields named."""


# The fields `save_demand` accepts.
EDITABLE_FIELDS = (
    "title", "description", "contact_name", "contact_phone", "domain", "construction_type", "capabilities",
    "data_resources", *BUDGET_PARTS, "resources_wanted", "planned_start", "planned_end", "urgency", "policy_basis",
)
TEXT_LIMITS = {
    "title": 200, "contact_name": 50, "contact_phone": 30,
    # Long enough for a pasted construction plan, short enough that nobody stores a megabyte.
    "description": 20_000, "resources_wanted": 5_000, "policy_basis": 5_000,
}
COMMENT_MAX = 5_000


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
    """An amount as clerks type it (50万, 1.5亿, ¥1,200,000, full-width digits), or an error naming the
    field and what was typed; never a prefix of it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_amount(value)
    except AmountError as err:
        errors.setdefault(name, []).append(_("%(field)s: %(reason)s.") % {"field": field_label(name), "reason": err.reason})
        return None


def _clean_date(name: str, value, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            errors.setdefault(name, []).append(_("%(field)s is not a date (YYYY-MM-DD).") % {"field": field_label(name)})
            return None
    try:
        validate_date_range(value)
    except ValidationError as err:
        errors.setdefault(name, []).append(f"{field_label(name)}: {' '.join(err.messages)}")
        return None
    return value


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
            if name == "contact_phone" and text and not is_phone(text):
                errors.setdefault(name, []).append(
                    _("%(field)s: “%(value)s” is not a phone number (a mobile number, or a landline with its area code, "
                      "e.g. 0431-88886666 转 123).") % {"field": field_label(name), "value": text[:40]})
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
    dropped = existing - set(wanted)
    if dropped:
        review_services.withdraw_authorizations(demand, resource_ids=dropped)
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


def save_demand(*, actor, data: dict, demand: Demand | None = None, version=None) -> Demand:
    """Create a draft (demand=None) or edit a draft or returned demand, as `actor`.

    An edit locks the demand's row and saves only the fields it sets. With `version` (the
    `updated_at` the person loaded, from `core.concurrency.edit_version`), an edit of a demand
    that changed since then is refused with StaleEdit (409) instead of overwriting it.

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
            if demand is None:
                target.save()
            else:
                # The row lock serializes edits and transitions of one demand; the version check
                # refuses an edit of something the person has not seen.
                locked = (lock_and_compare(Demand, demand.pk, version) if version is not None
                          else Demand.objects.select_for_update().get(pk=demand.pk))
                if locked.status != demand.status:
                    raise ConcurrentTransition("the demand changed state")
                target.save(update_fields=[*values, "budget_total", "updated_at"])
            if capabilities is not None:
                target.capabilities.set(capabilities)
            if resources is not None:
                _sync_data_resources(target, resources)
    except ConcurrentTransition:
        workflow.reload(target)
        raise TransitionConflict(
            _("Someone else changed this demand first: it is now in state “%(state)s”. Reload and try again.")
            % {"state": target.get_status_display()},
            state=target.status,
        ) from None
    except BaseException:
        if demand is not None:
            workflow.reload(demand)
        raise
    return target


# ---------------------------------------------------------------------------------------
# The approval machine
# ---------------------------------------------------------------------------------------


def _conflict_wrong_state(demand: Demand, name: str):
    raise TransitionConflict(
        _("This demand is now in state “%(state)s”: “%(action)s” is not possible.")
        % {"state": demand.get_status_display(), "action": transition_label(name)},
        state=demand.status,
    )


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
    if len(comment) > COMMENT_MAX:
        message = _("The comment may have at most %(limit)d characters (it has %(count)d).") % {
            "limit": COMMENT_MAX, "count": len(comment)}
        raise TransitionInvalid(message, field_errors={"comment": [message]})
    # A list selector may have annotated the flag state; the guard must read the database now.
    demand.__dict__.pop("pending_flags_exist", None)
    demand.__dict__.pop("refused_authorizations_exist", None)
    handler = HANDLERS[name]
    resolved = handler.validate(demand, actor, comment, payload)
    audit_payload = {
        k: (v.pk if hasattr(v, "pk") else f"{v:.2f}" if isinstance(v, Decimal) else v)
        for k, v in resolved.items() if v not in (None, [], "", False)
    }

    def after_save():
        _apply_effects(demand, handler, actor, comment, resolved)

    on_commit = [lambda: notify_transition(demand.pk, name, actor.pk, comment), *handler.on_commit(demand)]
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


def _apply_effects(demand: Demand, handler: TransitionHandler, actor, comment: str, resolved: dict) -> None:
    """In-transaction effects of a transition that has just been saved: its stage clock, then its own."""
    now = timezone.now()
    changed = {"stage_entered_at": now}
    if demand.status in REVIEW_STATES:
        changed["due_at"] = review_due(now)
    else:
        changed["due_at"] = None
    handler.apply(demand, actor, comment, resolved, changed)
    for field, value in changed.items():
        setattr(demand, field, value)
    demand.save(update_fields=[*changed, "updated_at"])
    handler.after_save(demand, actor, comment, resolved)
    if demand.status == S.APPROVED:
        project = on_demand_approved(demand, actor)
        if demand.approved_budget is not None and demand.approved_budget < demand.budget_total:
            _project_gets_approved_amount(project, demand)
    if demand.status in (S.REJECTED, S.WITHDRAWN, S.MERGED, S.REUSE):
        review_services.withdraw_authorizations(demand)
    if demand.status != S.EXPERT_REVIEW:
        review_services.close_open_assignments(demand)


def _project_gets_approved_amount(project, demand: Demand) -> None:
    """The project was given the requested total (delivery's hook); it gets the approved amount instead."""
    from projects.delivery.models import Project

    # Under the row lock, from the saved figure (as delivery adds a demand's budget to a project).
    locked = Project.objects.select_for_update().get(pk=project.pk)
    locked.approved_budget -= demand.budget_total - demand.approved_budget
    locked.save(update_fields=["approved_budget", "updated_at"])
    project.approved_budget = locked.approved_budget
