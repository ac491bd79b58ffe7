"""The workflow doorway: the one way any state machine of any model changes state.

`fire()` checks that the transition exists from the current state, that the actor is
permitted, that the guards hold; fires the django-fsm transition; saves inside
`transaction.atomic()` (a stale copy loses with `ConcurrentTransition`), saving only the state
field and the fields the transition body changed (`update_fields`), so that a concurrent edit of
other fields survives; writes exactly one
append-only audit row; and registers side effects with `transaction.on_commit`, so that
nothing outside the database happens for a transition that rolls back.

Models declare machines with `FSMField(protected=True)` and `ConcurrentTransitionMixin`.
A transition method may carry a public name in `custom={"name": ...}` (projects have four
machines whose transitions share names such as `deliver`); otherwise its method name is
its public name. Conditions are `is_*`/`has_*` functions decorated with `guard(message)`,
so that a refused transition says which rule stopped it, in the user's language.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models, transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, FSMFieldMixin, Transition

from . import audit
from .errors import TransitionConflict, TransitionForbidden


def guard(message):
    """Mark a condition with the message shown when it blocks a transition."""

    def decorate(fn):
        fn.guard_message = message
        return fn

    return decorate


@dataclass(frozen=True)
class TransitionSpec:
    """One transition of one machine, as the doorway sees it."""

    name: str  # public name (API, audit log)
    method: str  # model method that django-fsm wraps
    field: str  # the FSM field, e.g. "status"
    sources: frozenset[str]
    target: str


def _fsm_field(model, field: str) -> FSMFieldMixin:
    f = model._meta.get_field(field)
    if not isinstance(f, FSMFieldMixin):
        raise TypeError(f"{model.__name__}.{field} is not a state field")
    return f


def machine_spec(model, field: str) -> dict[str, TransitionSpec]:
    """Every transition of the machine on `field`, by public name, in declaration order."""
    cache = model.__dict__.get("_workflow_specs")
    if cache is None:
        cache = {}
        model._workflow_specs = cache
    if field not in cache:
        specs: dict[str, dict] = {}
        for t in _fsm_field(model, field).get_all_transitions(model):
            name = t.custom.get("name", t.name)
            entry = specs.setdefault(name, {"method": t.name, "sources": set(), "target": t.target})
            entry["sources"].add(t.source)
        cache[field] = {
            name: TransitionSpec(name, e["method"], field, frozenset(e["sources"]), e["target"])
            for name, e in specs.items()
        }
    return cache[field]


def _transition_for(obj, spec: TransitionSpec) -> Transition | None:
    meta = getattr(obj, spec.method)._django_fsm
    return meta.get_transition(getattr(obj, spec.field))


def unmet_conditions(obj, spec: TransitionSpec) -> list[Callable]:
    """The guard functions that block `spec` on `obj` now (empty when all hold), for pages that
    show more of a guard than its message (where the person who unblocks it acts)."""
    t = _transition_for(obj, spec)
    if t is None:
        return []
    return [c for c in t.conditions if not c(obj)]


def unmet_guards(obj, spec: TransitionSpec) -> list[str]:
    """Messages of the guards that block `spec` on `obj` now (empty when all hold)."""
    return [str(getattr(c, "guard_message", c.__name__)) for c in unmet_conditions(obj, spec)]


def is_permitted(obj, spec: TransitionSpec, user) -> bool:
    """A person with the transition's permission; or the system itself (no user) for a transition
    declared `custom={"system": True}` (e.g. a flag whose evidence is gone)."""
    t = _transition_for(obj, spec)
    if t is None:
        return False
    if user is None:
        return bool(t.custom.get("system"))
    return bool(user.is_authenticated and user.is_active and t.has_perm(obj, user))


def available_transitions(obj, field: str, user) -> list[str]:
    """Public names of the transitions `user` may fire on `obj` now."""
    return [
        name
        for name, spec in machine_spec(type(obj), field).items()
        if _transition_for(obj, spec) is not None and is_permitted(obj, spec, user) and not unmet_guards(obj, spec)
    ]


def blocked_transitions(obj, field: str, user) -> dict[str, list[str]]:
    """Transitions `user` could fire from this state but for a guard: name → guard messages."""
    blocked = {}
    for name, spec in machine_spec(type(obj), field).items():
        if _transition_for(obj, spec) is not None and is_permitted(obj, spec, user):
            messages = unmet_guards(obj, spec)
            if messages:
                blocked[name] = messages
    return blocked


def reload(obj) -> None:
    """Load `obj`'s saved values into it again, without `refresh_from_db()`.

    django-fsm-2 4.2.4's `refresh_from_db()` switches the protected flag of the state
    field off and on for the whole process, so a concurrent request in another thread can
    meet "Direct status modification is not allowed". A fresh query into a new instance,
    copied into `obj.__dict__`, touches no shared state. Cached relations whose key
    changed are dropped, as `refresh_from_db()` would.
    """
    fresh = type(obj)._base_manager.db_manager(obj._state.db).get(pk=obj.pk)
    for f in obj._meta.concrete_fields:
        new = fresh.__dict__.get(f.attname)
        if f.is_relation and obj.__dict__.get(f.attname) != new and f.is_cached(obj):
            f.delete_cached_value(obj)
        obj.__dict__[f.attname] = new
    obj._state.adding = False
    if hasattr(obj, "_update_initial_state"):  # ConcurrentTransitionMixin: the state the next save expects
        obj._update_initial_state()


def _snapshot(obj) -> dict:
    """The concrete field values of `obj` now (copies of mutable JSON values)."""
    return {
        f.attname: copy.deepcopy(f.value_from_object(obj)) if isinstance(f, models.JSONField) else f.value_from_object(obj)
        for f in obj._meta.concrete_fields
        if not f.primary_key
    }


def _changed_fields(obj, before: dict, field: str) -> list[str]:
    """The state field, every field the transition body changed, and `updated_at` if any."""
    after = _snapshot(obj)
    changed = [name for name, value in after.items() if before[name] != value]
    names = [obj._meta.get_field(field).attname, *changed]
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        names.append("updated_at")
    return list(dict.fromkeys(names))


def state_label(obj, field: str) -> str:
    """The current state of `field` in the user's language."""
    return str(getattr(obj, f"get_{field}_display")())


def _check_guards(obj, spec: TransitionSpec, name: str, current: str) -> None:
    guards = unmet_guards(obj, spec)
    if guards:
        raise TransitionConflict(
            _("“%(transition)s” is blocked: %(reasons)s")
            % {"transition": name, "reasons": "; ".join(guards)},
            state=current,
            guards=guards,
        )


def fire(
    obj,
    *,
    field: str,
    name: str,
    actor,
    comment: str = "",
    machine: str | None = None,
    payload: dict | None = None,
    kwargs: dict | None = None,
    after_save: Callable[[], None] | None = None,
    lock: Callable[[], None] | None = None,
    on_commit: Iterable[Callable[[], None]] = (),
    event: audit.AuditEvent = audit.AuditEvent.TRANSITION,
):
    """Fire transition `name` of the machine on `field` of `obj` as `actor`.

    `kwargs` go to the transition method; `after_save` runs inside the same transaction
    once the new state is saved (domain effects that must roll back with it); `on_commit`
    callables run only after the commit (mail, Celery jobs); `lock` runs first inside the
    transaction (row locks on what the guards read), after which the guards are checked again. Raises TransitionConflict
    (wrong state, guard, lost race) or TransitionForbidden; nothing is written then.
    """
    model = type(obj)
    spec = machine_spec(model, field).get(name)
    current = getattr(obj, field)
    if spec is None or _transition_for(obj, spec) is None:
        raise TransitionConflict(
            _("“%(transition)s” is not possible now: this record is in state “%(state)s”.")
            % {"transition": name, "state": state_label(obj, field)},
            state=current,
        )
    if not is_permitted(obj, spec, actor):
        raise TransitionForbidden(_("You are not permitted to do this."), state=current)
    _check_guards(obj, spec, name, current)

    before = _snapshot(obj)
    try:
        with transaction.atomic():
            if lock is not None:
                # The guards above read rows that a concurrent transaction may change before this
                # one writes (money left on a line, open disbursements): `lock` takes those rows
                # with select_for_update, in the caller's lock order, and the guards are checked
                # again against what is committed now. Refused here, nothing is written.
                lock()
                _check_guards(obj, spec, name, current)
            getattr(obj, spec.method)(**(kwargs or {}))
            # Only what the transition changed: a concurrent edit of other fields, committed
            # since `obj` was loaded, must not be overwritten by this copy's stale values.
            obj.save(update_fields=_changed_fields(obj, before, field))
            if after_save is not None:
                after_save()
            audit.record(
                event,
                obj,
                actor=actor,
                machine=machine or field,
                transition=name,
                source=current,
                target=getattr(obj, field),
                comment=comment,
                payload=payload,
            )
            for callback in on_commit:
                transaction.on_commit(callback)
    except ConcurrentTransition:
        reload(obj)
        raise TransitionConflict(
            _("Someone else changed this record first: it is now in state “%(state)s”. Reload and try again.")
            % {"state": state_label(obj, field)},
            state=getattr(obj, field),
        ) from None
    except BaseException:
        # The database rolled back; do not leave the caller holding the in-memory new state.
        reload(obj)
        raise
    return obj


def history_for(obj):
    """The audit rows of one object, oldest first."""
    return audit.history_for(obj)
