"""Panels on detail pages, contributed by the app that owns their content.

A lower app's page (a catalogue system, a data resource) names a slot; a higher app registers
a provider for that slot in its AppConfig.ready(), so the page shows, for example, the demands
that reuse a system without the catalogue importing the demands app.

A provider is `(obj, user) -> Panel | None`; it reads through its own selectors, so the panel
holds only what `user` may see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Panel:
    key: str  # stable name, e.g. "reuse_demands" (tests and templates refer to it)
    template: str
    context: dict = field(default_factory=dict)


_providers: dict[str, list[Callable]] = defaultdict(list)


def register(slot: str, provider: Callable) -> None:
    """Add `provider` to `slot` once (ready() may run more than once in tests)."""
    if provider not in _providers[slot]:
        _providers[slot].append(provider)


def panels_for(slot: str, obj, user) -> list[Panel]:
    panels = []
    for provider in _providers[slot]:
        panel = provider(obj, user)
        if panel is not None:
            panels.append(panel)
    return panels


def panel_context(panels: list[Panel], key: str) -> dict:
    """The context of the panel named `key` (empty when no app contributed it)."""
    return next((p.context for p in panels if p.key == key), {})
