import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the Chinese catalogue is checked by tests/core/test_translations.py)."""
    with translation.override("en"):
        yield
