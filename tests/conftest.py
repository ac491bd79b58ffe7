"""Shared fixtures: the Jilin tree, the demo users, API clients.

The organization tree and users are created once per test database; a test that flushes
the database (transactional tests) gets them back from the `tree` fixture.
"""

import pytest

DEMO_PASSWORD = "test-pass-2026"


def _ensure_reference_data():
    from assets.models import Capability
    from assets.reference import load_capabilities
    from organizations.models import Region
    from organizations.reference import load_regions
    from organizations.seed import ensure_demo_users

    if not Region.objects.exists():
        load_regions(Region)
    if not Capability.objects.exists():
        load_capabilities(Capability)
    return ensure_demo_users(DEMO_PASSWORD)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _ensure_reference_data()


@pytest.fixture
def users(db):
    """The contract's demo users by username (admin, prov_reviewer, sub_changchun …)."""
    return _ensure_reference_data()


@pytest.fixture
def orgs(db):
    """Organizations by code, e.g. orgs["220100-jyj"] (Changchun education bureau)."""
    from organizations.models import Organization

    _ensure_reference_data()  # back after a transactional test emptied the database

    return {o.code: o for o in Organization.objects.select_related("region")}


@pytest.fixture
def api():
    """An API client; `api.as_user(user)` authenticates with that user's token."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()

    def as_user(user):
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    client.as_user = as_user
    return client


@pytest.fixture
def login(client):
    """`login(user)` returns the Django test client logged in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
