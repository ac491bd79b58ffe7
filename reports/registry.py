"""Report kinds and the builders that make them: one registry, keyed by kind.

A builder is registered in an AppConfig.ready() with the formats it writes and the serializer that
checks its parameters; a higher layer adds kinds the same way (the budgets reports register
`budget_execution` and `savings` when they arrive). Asking for a kind nobody registered is a 400.

A builder is `build(ctx: BuildContext) -> bytes`. It reads through the selectors as `ctx.user`, so
the file holds only what the requester may see, calls `ctx.progress(done, total)` as it goes, and
writes `ctx.format`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from rest_framework import serializers


@dataclass
class BuildContext:
    user: object
    format: str
    params: dict  # validated by the builder's serializer
    generated_at: datetime
    language: str
    progress: Callable[[int, int], None] = field(default=lambda done, total: None)


@dataclass(frozen=True)
class Builder:
    kind: str
    formats: tuple[str, ...]
    build: Callable[[BuildContext], bytes]
    params: type[serializers.Serializer]
    # `(user, validated params) -> None`, raising Http404 for an object the user may not see.
    check_access: Callable | None = None
    filename: Callable[[BuildContext], str] | None = None


_builders: dict[str, Builder] = {}


def register(builder: Builder) -> None:
    """Register (or replace: ready() may run more than once in tests) the builder of a kind."""
    _builders[builder.kind] = builder


def builder_for(kind: str) -> Builder | None:
    return _builders.get(kind)


def registered_kinds() -> list[str]:
    return list(_builders)
