"""Every seed step names a function that exists: a moved module must break the seed loudly."""

import pytest

from core.seeding import STEPS, resolve


@pytest.mark.parametrize("name,path", STEPS)
def test_every_step_resolves_to_a_function(name, path):
    assert callable(resolve(path))


def test_a_step_that_names_nothing_fails_loudly():
    with pytest.raises(ModuleNotFoundError):
        resolve("projects.seed_that_moved.run")
