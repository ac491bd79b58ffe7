"""Browser tests: one seeded live server and one headless Chromium for the whole session.

The server runs in a thread of the test process against the test database, loaded once with
the conftest's reference data, the demo users (password `tests.conftest.DEMO_PASSWORD`) and
`seed_demo`'s data, so that every page has rows to lay out. The data is committed (no test
transaction: the server thread must see it) and flushed at the end of the session; browser
tests therefore run after every other test (see `pytest_collection_modifyitems`), and a
browser test that changes data puts it back or works on records of its own.

Without Chromium every browser test is skipped with one message saying how to install it.
"""

from __future__ import annotations

import os

import pytest

from .browser import CHROMIUM_MISSING, chromium_path

HERE = os.path.dirname(__file__)


def _is_browser_test(item) -> bool:
    return str(item.path).startswith(HERE + os.sep)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark the tests in this folder `browser` and skip them without Chromium.

    First, before pytest-xdist's own hook reads the `xdist_group` marks: under `make test` (two
    workers, `--dist loadgroup`) one worker takes every browser test; the seeded server lives in
    that worker's own test database.
    """
    ours = [item for item in items if _is_browser_test(item)]
    if not ours:
        return
    missing = chromium_path() is None
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing = True
    for item in ours:
        item.add_marker(pytest.mark.browser)
        item.add_marker(pytest.mark.xdist_group("browser"))
        if missing:
            item.add_marker(pytest.mark.skip(reason=CHROMIUM_MISSING))


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")
def run_browser_tests_last(config, items):
    """Browser tests run after every other test: they commit the seeded demo data to the test
    database for the session, which the other tests (inside transactions or flushing) must not see."""
    ours = [item for item in items if _is_browser_test(item)]
    others = [item for item in items if not _is_browser_test(item)]
    items[:] = others + ours


@pytest.fixture(scope="session")
def live_server(django_db_setup, django_db_blocker):
    """pytest-django's live server, over the test database seeded once for the session.

    Overrides pytest-django's `live_server` (same interface: `.url`), which would flush the
    database after every test and leave each test to seed it again (about 20 s here).
    """
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command
    from pytest_django.live_server_helper import LiveServer

    from tests.conftest import DEMO_PASSWORD, _ensure_reference_data

    with django_db_blocker.unblock():
        _ensure_reference_data()
        call_command("seed_demo", "--password", DEMO_PASSWORD, verbosity=0)
    server = LiveServer("localhost", start=False)
    # Django's live server also serves MEDIA_URL, which is deliberately None here (uploads are
    # private, served only by views that check access): keep the static files, drop the media.
    server.thread.static_handler = lambda media_handler: StaticFilesHandler(media_handler.application)
    server.start()
    yield server
    server.stop()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def transactional_db(django_db_blocker):
    """Database access without a test transaction and without a flush afterwards.

    pytest-django gives every test that uses `live_server` this fixture; here it only opens
    the database to the server thread and to the test, which sees what the server committed.
    """
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls that tests make
    # between two page actions are synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        yield p
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def chromium(_playwright):
    """Debian's headless Chromium, launched once."""
    path = chromium_path()
    if path is None:
        pytest.skip(CHROMIUM_MISSING)
    browser = _playwright.chromium.launch(executable_path=path, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def new_page(chromium, live_server):
    """`new_page(width=1366, height=900)`: a page in a fresh context (own cookies) on the server."""
    contexts = []

    def make(width: int = 1366, height: int = 900):
        context = chromium.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A page at 1366×900 in a fresh context."""
    return new_page()
