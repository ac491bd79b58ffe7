"""The sections of the project approval sheet (立项审批表), and where later parts plug in.

The sheet's body is a list of numbered sections, each `(project, user) -> Section | None`: the
provider reads through selectors as `user` and returns None when it has nothing to say (the
numbering then closes up). reports registers the sections whose data lives below it: what is built
(`what`), why (`why`), the budget by part (`budget_by_part`), the redundancy check and its
resolution (`redundancy`).

Extension points, in the order they take on the sheet (register with `register_section` in the
owning app's ready(), or in reports.apps once the code is merged):

- `budget_by_source` (order 35): the budgets app's lines of the project by source (provincial
  fiscal, municipal fiscal, central transfer, special bonds, self-raised) and year;
- `reviewer_opinion` (order 60): the provincial reviewer's opinion on the project's demands;
- `expert_opinions` (order 70): the expert panel's members and opinions, when the demands went to one.

A section's template is rendered inside templates/reports/pdf/approval.html with the section's
`context`; it writes its own table or paragraphs, without a heading (the sheet numbers it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# The keys the sheet knows, with their place on it; a provider registered under another key is
# placed by its own order.
SECTION_ORDER = {
    "what": 10,
    "why": 20,
    "budget_by_part": 30,
    "budget_by_source": 35,
    "redundancy": 50,
    "reviewer_opinion": 60,
    "expert_opinions": 70,
}


@dataclass
class Section:
    title: str
    template: str
    context: dict = field(default_factory=dict)


_providers: dict[str, tuple[int, Callable]] = {}


def register_section(key: str, provider: Callable, *, order: int | None = None) -> None:
    """Add (or replace) the provider of a section of the approval sheet."""
    _providers[key] = (order if order is not None else SECTION_ORDER.get(key, 100), provider)


def sections_for(project, user) -> list[tuple[str, Section]]:
    """The sheet's sections with something to say, in order: (key, section)."""
    out = []
    for key, (_order, provider) in sorted(_providers.items(), key=lambda kv: (kv[1][0], kv[0])):
        section = provider(project, user)
        if section is not None:
            out.append((key, section))
    return out


def registered_sections() -> list[str]:
    return [key for key, _v in sorted(_providers.items(), key=lambda kv: (kv[1][0], kv[0]))]
