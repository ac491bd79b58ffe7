"""How `seed_demo` is put together: each app contributes a step that is idempotent on its own."""

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tqdm import tqdm


@dataclass
class SeedContext:
    password: str
    scale: int
    stdout: object
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    users: dict = field(default_factory=dict)
    quiet: bool = False

    def say(self, message: str) -> None:
        if not self.quiet:
            self.stdout.write(message)

    def progress(self, iterable: Iterable, total: int, desc: str):
        """A progress bar on long runs (shown only when there is enough to wait for)."""
        disable = self.quiet or total < 2000
        return tqdm(iterable, total=total, desc=desc, disable=disable, file=self.stdout, mininterval=1.0)


# Steps in order: (name, dotted path of a function taking a SeedContext). Apps add theirs.
STEPS: list[tuple[str, str]] = [
    ("organizations", "organizations.seed.run"),
    ("catalogue", "assets.seed.run"),
    ("demands", "projects.demands.seed.run"),
    ("review", "projects.demands.review_seed.run"),
    ("redundancy", "projects.redundancy.seed.run"),
    ("projects", "projects.delivery.seed.run"),
    ("money", "budgets.seed.run"),
    ("clusters", "projects.redundancy.cluster_seed.run"),
]


def resolve(path: str) -> Callable:
    """The step function at `path`; a step that names no function is a mistake, never skipped."""
    from importlib import import_module

    module_name, _, attr = path.rpartition(".")
    return getattr(import_module(module_name), attr)
