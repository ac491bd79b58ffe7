"""The backup routine of docs/deploy.md, run for real: pg_dump a database, restore it into a fresh
one, and find the data (a demand, its capabilities, its audit row) there.

PostgreSQL only (CI runs it; SQLite has no pg_dump): skipped with that reason on SQLite.
"""

import shutil
import subprocess
import uuid

import psycopg
import pytest
from django.db import connection

from projects.demands.services import demand_transition
from tests.projects.factories import DemandFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="backups are a PostgreSQL routine (CI runs PostgreSQL)"),
]


def _conninfo(dbname: str) -> dict:
    s = connection.settings_dict
    info = {"dbname": dbname, "user": s["USER"] or "postgres", "host": s["HOST"] or "127.0.0.1", "port": str(s["PORT"] or 5432)}
    if s.get("PASSWORD"):
        info["password"] = s["PASSWORD"]
    return info


def _env(info: dict) -> dict:
    import os

    env = {**os.environ, "PGHOST": info["host"], "PGPORT": info["port"], "PGUSER": info["user"]}
    if "password" in info:
        env["PGPASSWORD"] = info["password"]
    return env


def test_a_dump_restores_into_a_fresh_database_with_the_data(users, tmp_path):
    assert shutil.which("pg_dump") and shutil.which("pg_restore"), "PostgreSQL client tools are part of the backup routine"
    demand = DemandFactory(title="备份恢复演练：智慧校园统一身份认证平台")
    demand = demand_transition(demand=demand, name="submit", actor=users["sub_changchun"], comment="备份前提交")
    source = _conninfo(connection.settings_dict["NAME"])
    dump = tmp_path / "pdm.dump"
    # The documented routine: custom format, no owner (restorable under another role).
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), source["dbname"]],
                   env=_env(source), check=True, capture_output=True)
    assert dump.stat().st_size > 10_000

    target = f"pdm_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{target}"')
    try:
        subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", target, str(dump)],
                       env=_env(source), check=True, capture_output=True)
        with psycopg.connect(**_conninfo(target)) as restored:
            row = restored.execute("SELECT code, status, budget_total FROM projects_demand WHERE id = %s",
                                   [demand.pk]).fetchone()
            assert row == (demand.code, "municipal_review", demand.budget_total)
            caps = restored.execute("SELECT count(*) FROM projects_demand_capabilities WHERE demand_id = %s",
                                    [demand.pk]).fetchone()[0]
            assert caps == 2
            logged = restored.execute("SELECT count(*) FROM core_auditlog WHERE object_id = %s AND transition = 'submit'",
                                      [demand.pk]).fetchone()[0]
            assert logged == 1
            applied = restored.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
            assert applied > 20
    finally:
        with psycopg.connect(**_conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
