"""Configuration from the environment: clear refusals, a clean deploy check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 20 + "-Zx9_" + "q" * 40


def run_manage(args, **env):
    # The environment of a deployment: none of the test run's own (browser tests set DJANGO_ALLOW_ASYNC_UNSAFE).
    base = {k: v for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    base.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120)


def test_prod_refuses_to_start_without_secret_key():
    r = run_manage(["check"], DJANGO_SETTINGS_MODULE="config.settings.prod", DATABASE_URL="postgres://u:p@127.0.0.1:5432/x")
    assert r.returncode != 0
    assert "SECRET_KEY must be set in the environment for production" in r.stderr
    assert "Traceback" not in r.stderr


def test_prod_refuses_a_weak_secret_key():
    r = run_manage(["check"], DJANGO_SETTINGS_MODULE="config.settings.prod", SECRET_KEY="short", DATABASE_URL="postgres://u:p@127.0.0.1/x")
    assert r.returncode != 0
    assert "SECRET_KEY must be set" in r.stderr


def test_prod_refuses_to_start_without_database_url():
    r = run_manage(["check"], DJANGO_SETTINGS_MODULE="config.settings.prod", SECRET_KEY=STRONG_KEY)
    assert r.returncode != 0
    assert "DATABASE_URL must be set in production" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("url", ["not a url", "mysqlx://nowhere", "postgres://"])
def test_malformed_database_url_gets_a_clear_message(url):
    r = run_manage(["check"], DJANGO_SETTINGS_MODULE="config.settings.dev", DATABASE_URL=url)
    assert r.returncode != 0
    assert "DATABASE_URL is not a valid database URL" in r.stderr
    assert "Traceback" not in r.stderr


def test_check_deploy_is_clean_under_prod_settings():
    r = run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY=STRONG_KEY,
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/pdm",
        ALLOWED_HOSTS="pdm.example.gov.cn",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "System check identified no issues" in r.stdout


def test_broker_unset_means_jobs_run_inline():
    r = run_manage(
        ["shell", "-c", "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)"],
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        CELERY_BROKER_URL="",
    )
    assert r.stdout.strip().splitlines()[-1] == "True"
