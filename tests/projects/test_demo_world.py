"""The demo world: distinct demands ask for distinct things, about a third are copies, and the seed measures its flags."""

import io
from collections import Counter

import pytest

from core.seeding import SeedContext
from projects.demands import seed as seed_demands
from projects.demands import seed_world
from projects.redundancy import seed as seed_redundancy
from tests.projects.redundancy_helpers import fresh_index, in_english  # noqa: F401  (autouse fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, monkeypatch):
    from assets import seed as seed_assets

    monkeypatch.setattr(seed_demands, "PER_SCALE", 500)
    ctx = SeedContext(password="x" * 8, scale=1, stdout=io.StringIO(), quiet=True, users=users)
    seed_assets.run(ctx)  # the demo catalogue: the systems a bureau may ask for again
    seed_demands.run(ctx)
    return ctx


def layout(ctx):
    plan = seed_demands.Plan(ctx)
    return [(seed_demands._draw(i, plan)[2], seed_world.content(i, plan)) for i in range(seed_demands._progress())]


def test_distinct_demands_under_review_or_approved_never_ask_for_the_same_thing(world):
    items = layout(world)
    relevant = [c for state, c in items if state in seed_world.RELEVANT_STATES]
    families = Counter(c["family"] for c in relevant)
    copies = sum(1 for _s, c in items if c["copy"])
    # Every family of several candidates comes from copies, never from a distinct demand reusing an entry.
    assert all(not f.startswith("x:") for f in families)
    assert all(n == 1 + sum(1 for c in relevant if c["family"] == f and c["copy"]) for f, n in families.items()
               if f.startswith("c:"))
    assert copies >= len(items) // 6
    # About a third duplicate a system or another demand (a copy's source duplicates its copy too).
    everywhere = Counter(c["family"] for _s, c in items)
    duplicating = sum(1 for _s, c in items if c["family"].startswith("s:") or everywhere[c["family"]] > 1)
    assert 0.25 <= duplicating / len(items) <= 0.45
    # The same entry is never worded twice the same way for two bureaus (titles differ).
    titles = Counter((c["title"], c["family"]) for c in relevant)
    assert max(titles.values()) <= 2


def test_the_labels_are_found_again_for_the_demands_in_the_database(world):
    from projects.models import Demand

    labels = seed_world.labels(seed_demands.Plan(world), seed_demands._progress())
    rows = list(Demand.objects.values_list("org_id", "title"))
    assert sum(1 for row in rows if row in labels) == len(rows)


def test_the_redundancy_step_prints_its_flags_against_the_labels(world):
    summary = seed_redundancy.run(world)
    assert "against the demo world's labels: flag precision" in summary
    precision = float(summary.split("flag precision ")[1].split(",")[0])
    recall = float(summary.split("flag recall ")[1].split(" ")[0])
    share = int(summary.rsplit("(", 1)[1].rstrip("%)"))
    assert precision >= 0.85 and recall >= 0.85 and share <= 50
