"""The only writer of the audit log, and the words it is read in.

Every row of `AuditLog` comes from here: the workflow doorway (`TRANSITION`), reviewers'
decisions on redundancy flags (`FLAG_DECISION`), catalogue edits (`CATALOGUE`), imports
(`IMPORT`) and the demo seed (`SEED`). `record()` writes one row; `entry()` + `record_many()`
write many at once (imports, seeds) with the same fields.

Reading: pages never show raw codes (`go_live`, `in_operation`, `1001 ~ system:XT-0052`).
Each app registers, in its AppConfig.ready(), the vocabulary of its machines (the machine's
name, its states and transitions in the reader's language) and, where `str(obj)` is not what a
reader needs, a describer of the object. `describe(row)` returns the row in those words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import AuditLog


class AuditEvent(models.TextChoices):
    TRANSITION = "transition", _("State change")
    FLAG_DECISION = "flag_decision", _("Redundancy decision")
    CATALOGUE = "catalogue", _("Catalogue change")
    IMPORT = "import", _("Import")
    SEED = "seed", _("Demo data")
    OPINION = "opinion", _("Review opinion")


def _actor_fields(actor) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_name": ""}
    return {"actor": actor, "actor_name": (str(actor) or actor.get_username())[:150]}


def entry(event: AuditEvent, obj, *, actor, machine: str, transition: str, source: str = "", target: str = "",
          comment: str = "", payload: dict | None = None, at=None, content_type=None, actor_name: str | None = None) -> AuditLog:
    """One row, not saved yet (for `record_many`). `actor_name` names an actor kept only by name (seeds)."""
    row = AuditLog(
        event=event,
        content_type=content_type or ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        machine=machine,
        transition=transition,
        source=source or "",
        target=target or "",
        comment=comment or "",
        payload=payload or {},
        **_actor_fields(actor),
    )
    if at is not None:
        row.at = at
    if actor_name:
        row.actor_name = actor_name[:150]
    return row


def record(event: AuditEvent, obj, **fields) -> AuditLog:
    """Append one row to the log (inside the caller's transaction)."""
    row = entry(event, obj, **fields)
    row.save()
    return row


def record_many(rows: Iterable[AuditLog], batch_size: int = 2000) -> int:
    """Append many rows made by `entry()` (imports, seeds)."""
    created = AuditLog.objects.bulk_create(list(rows), batch_size=batch_size)
    return len(created)


def history_for(obj):
    """The rows of one object, oldest first."""
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk).select_related("actor")


# ---------------------------------------------------------------------------------------
# Reading the log in the reader's language
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    label: object  # the machine's name
    states: Mapping[str, object]
    transitions: Mapping[str, object]


@dataclass(frozen=True)
class Readable:
    object: str
    machine: str
    transition: str
    source: str
    target: str


_vocabularies: dict[tuple[str, str], Vocabulary] = {}
_describers: dict[str, Callable[[AuditLog], str]] = {}


def _key(model) -> str:
    return model._meta.label_lower


def register_vocabulary(model, machine: str, *, label, states: Mapping | type | None = None,
                        transitions: Mapping | None = None) -> None:
    """The words of one machine of `model` (states: a mapping or TextChoices)."""
    if isinstance(states, type) and issubclass(states, models.Choices):
        states = dict(states.choices)
    _vocabularies[(_key(model), machine)] = Vocabulary(label, states or {}, transitions or {})


def register_describer(model, describer: Callable[[AuditLog], str]) -> None:
    """How a row's object reads when `object_repr` is not enough (e.g. a redundancy flag)."""
    _describers[_key(model)] = describer


def describe(row: AuditLog) -> Readable:
    """The row in the reader's language; an unregistered code is shown as it is stored."""
    label = row.content_type.model_class()._meta.label_lower if row.content_type.model_class() else ""
    vocab = _vocabularies.get((label, row.machine))
    describer = _describers.get(label)

    def words(code, table):
        return str(table.get(code, code)) if code else "—"

    if vocab is None:
        return Readable(describer(row) if describer else row.object_repr, row.machine, row.transition,
                        row.source or "—", row.target or "—")
    return Readable(
        object=describer(row) if describer else row.object_repr,
        machine=str(vocab.label),
        transition=words(row.transition, vocab.transitions),
        source=words(row.source, vocab.states),
        target=words(row.target, vocab.states),
    )


def machine_choices() -> list[tuple[str, str]]:
    """Machines that occur in the log, for the audit page's filter (code, words)."""
    seen = {}
    for (_model, machine), vocab in _vocabularies.items():
        seen.setdefault(machine, str(vocab.label))
    return sorted(seen.items(), key=lambda kv: kv[1])
