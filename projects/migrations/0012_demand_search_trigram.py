"""Trigram indexes for the demand list's `?search=` on PostgreSQL.

The search is a case-insensitive substring match (`icontains`), which Django writes on
PostgreSQL as `UPPER(col::text) LIKE UPPER('%term%')`: a B-tree cannot serve it, a GIN
index with `gin_trgm_ops` on exactly that expression can (pg_trgm splits CJK text into
trigrams under a UTF-8 locale such as C.UTF-8, so Chinese terms of three characters or more
use it). Other databases (the embedded SQLite default) get nothing: they scan, which is fine
at their size. pg_trgm is a trusted extension since PostgreSQL 13: the database owner may
create it.
"""

from django.db import migrations

COLUMNS = ("code", "title", "description")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS demand_{column}_trgm ON projects_demand "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS demand_{column}_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0011_cluster_decisions"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
