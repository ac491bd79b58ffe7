"""The change feed of redundancy detection: which candidates changed, for every process to follow.

Each process keeps its redundancy index in memory (services/redundancy.py). Whenever a system, a
demand or a project changes, one `RedundancyIndexChange` row (kind, object id) is written in the
same transaction as the change; every process reads the rows after the last id it applied before
a search (at most every REDUNDANCY_POLL_SECONDS) and re-reads those objects. Nothing lives only
in one process's memory: an index can always be rebuilt from the database alone.

The rows are written by the services that change these objects and, as a safety net, by the
`post_save` / `post_delete` / `m2m_changed` receivers below (connected in ProjectsConfig.ready).
Signals are acceptable here although business flow never hides in signals: keeping a search
index in step with its rows is bookkeeping, not a business rule, and a signal is the one place
that sees every save whichever app or admin page makes it. Bulk writes (`bulk_create`, queryset
`update`) send no signals: whoever writes in bulk calls `note_rebuild()`.

This module is light on purpose (models only, no numpy): it is imported at start-up.
"""

from __future__ import annotations

import threading

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

KIND_SYSTEM = "system"
KIND_DEMAND = "demand"
KIND_PROJECT = "project"
KIND_ALL = "all"  # every process rebuilds its index from the database

# Set when this process wrote a change: its next search reads the feed at once instead of waiting
# for the next poll (so that a process sees its own writes immediately).
LOCAL_WRITES = threading.Event()


def note_change(kind: str, object_id: int | None) -> None:
    """Record that a candidate of `kind` changed (inside the caller's transaction)."""
    from .models import RedundancyIndexChange

    if object_id is None:
        return
    RedundancyIndexChange.objects.create(kind=kind, object_id=object_id)
    LOCAL_WRITES.set()
    transaction.on_commit(LOCAL_WRITES.set)


def note_rebuild() -> None:
    """Tell every process to rebuild its index from the database (after bulk writes)."""
    note_change(KIND_ALL, 0)


# -- receivers ----------------------------------------------------------------------------------


def _system_saved(sender, instance, **kwargs):
    if not kwargs.get("raw"):
        note_change(KIND_SYSTEM, instance.pk)


def _system_deleted(sender, instance, **kwargs):
    note_change(KIND_SYSTEM, instance.pk)


def _never_a_candidate(demand) -> bool:
    """A draft has never been submitted (no transition leads back to draft): it is in no index."""
    return getattr(demand, "status", None) == "draft"


def _demand_saved(sender, instance, **kwargs):
    if kwargs.get("raw") or _never_a_candidate(instance):
        return
    note_change(KIND_DEMAND, instance.pk)
    if instance.project_id is not None:
        # A project's document is made of its demands' capabilities and data resources.
        note_change(KIND_PROJECT, instance.project_id)


def _demand_deleted(sender, instance, **kwargs):
    note_change(KIND_DEMAND, instance.pk)


def _project_changed(sender, instance, **kwargs):
    if not kwargs.get("raw"):
        note_change(KIND_PROJECT, instance.pk)


def _data_link_changed(sender, instance, **kwargs):
    if not kwargs.get("raw"):
        note_change(KIND_DEMAND, instance.demand_id)


def _m2m_receiver(kind: str):
    """A receiver for a many-to-many relation of a candidate model (`kind`), from either side."""

    def receiver(sender, instance, action, reverse, pk_set, **kwargs):
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if not reverse:
            if not _never_a_candidate(instance):
                note_change(kind, instance.pk)
        elif pk_set:
            for pk in sorted(pk_set):
                note_change(kind, pk)

    return receiver


def on_catalogue_changed(sender, **kwargs) -> None:
    """A bulk change of the catalogue (an import) bypassed the save signals: every process rebuilds."""
    note_rebuild()


_RECEIVERS: list = []


def connect() -> None:
    """Connect the receivers (once; ProjectsConfig.ready calls it)."""
    if _RECEIVERS:
        return
    from assets.models import InformationSystem
    from projects.models import Demand, DemandDataResource, Project

    system_m2m = _m2m_receiver(KIND_SYSTEM)
    demand_m2m = _m2m_receiver(KIND_DEMAND)
    pairs = [
        (post_save, _system_saved, InformationSystem),
        (post_delete, _system_deleted, InformationSystem),
        (m2m_changed, system_m2m, InformationSystem.capabilities.through),
        (m2m_changed, system_m2m, InformationSystem.user_orgs.through),
        (post_save, _demand_saved, Demand),
        (post_delete, _demand_deleted, Demand),
        (m2m_changed, demand_m2m, Demand.capabilities.through),
        (post_save, _data_link_changed, DemandDataResource),
        (post_delete, _data_link_changed, DemandDataResource),
        (post_save, _project_changed, Project),
        (post_delete, _project_changed, Project),
    ]
    for signal, receiver, sender in pairs:
        signal.connect(receiver, sender=sender, dispatch_uid=f"redundancy-feed-{receiver.__name__}-{sender._meta.label}")
        _RECEIVERS.append(receiver)
