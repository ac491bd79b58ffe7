"""Tests: the database comes from DATABASE_URL (PostgreSQL in CI, SQLite otherwise)."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in prod
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "zh-hans"

# No index snapshots unless a test asks for one (tests/projects/test_redundancy_snapshot.py).
REDUNDANCY_SNAPSHOT_PATH = ""

# Tests run jobs inline whatever the broker; the Celery worker test turns this off for itself.
CELERY_TASK_ALWAYS_EAGER = True

# SQLite: a file, not the shared-cache in-memory database, so that threads racing in
# concurrency tests wait for the write lock (busy timeout) instead of failing at once.
# One test database per test process (both engines), so that parallel runs never share or
# drop each other's database.
import os  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}  # noqa: F405
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_pdm_{os.getpid()}"}  # noqa: F405
