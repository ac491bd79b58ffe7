"""Home-page panels. Each app registers a function `(user) -> list[Panel]`; the home page shows them."""

from dataclasses import dataclass, field

_providers = []


@dataclass
class Panel:
    title: str
    value: str | int = ""
    url: str = ""
    tone: str = "primary"  # bootstrap colour: primary, danger, warning, success, secondary
    detail: str = ""
    rows: list = field(default_factory=list)


def register(provider):
    """Decorator: add a panel provider (called once per home-page view)."""
    _providers.append(provider)
    return provider


def panels_for(user) -> list[Panel]:
    panels = []
    for provider in _providers:
        panels.extend(provider(user))
    return panels
