"""Importing 10,000 systems: the catalogue's import path against django-import-export's defaults.

Both read the same rows from an xlsx file and do what a clerk's upload does: a preview (dry run),
then the import. Ours goes through assets.importing (natural keys, cached lookups, bulk writes with
links and history); the reference is a plain ModelResource with default settings and widgets
(owner, capabilities and users by primary key, row by row, no bulk). Everything runs in one
transaction that is rolled back at the end, so the database is left as it was.

Figures land in bench/results/catalogue_import.json.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import rss_mb, setup_django, write  # noqa: E402

ROWS = 10_000


class Rollback(Exception):
    pass


def make_rows(orgs, capabilities):
    """Deterministic rows: (name, description, owner, capability codes, user orgs, status, cost, level, date)."""
    statuses = ["in_operation", "in_operation", "in_operation", "building", "retired"]
    rows = []
    for i in range(ROWS):
        owner = orgs[i % len(orgs)]
        caps = [capabilities[(i + k) % len(capabilities)] for k in range(1 + i % 3)]
        users = [orgs[(i * 7 + k) % len(orgs)] for k in range(i % 3)]
        users = [u for u in users if u.pk != owner.pk]
        rows.append((f"基准测试系统{i:05d}", f"第{i}号测试系统：用于导入性能测量的描述文字。", owner, caps, users,
                     statuses[i % len(statuses)], f"{(i % 900) * 1000 + 0.5:.2f}", 1 + i % 5, f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"))
    return rows


def our_file(rows) -> bytes:
    import tablib

    headers = ["编码", "系统名称", "系统描述", "所属单位", "能力", "使用单位", "状态", "年度运维费用（元）", "等保级别", "最近测评日期"]
    data = tablib.Dataset(headers=headers)
    for name, desc, owner, caps, users, status, cost, level, day in rows:
        data.append(["", name, desc, owner.name, "、".join(c.code for c in caps), "、".join(u.name for u in users), status, cost, level, day])
    return data.export("xlsx")


def default_file(rows) -> bytes:
    import tablib

    headers = ["id", "code", "name", "description", "owner_org", "capabilities", "user_orgs", "status", "build_mode", "url",
               "yearly_ops_cost", "security_level", "last_assessment"]
    data = tablib.Dataset(headers=headers)
    for i, (name, desc, owner, caps, users, status, cost, level, day) in enumerate(rows):
        # A plain resource cannot number systems: the file carries codes of its own.
        data.append(["", f"XT-{50000 + i}", name, desc, owner.pk, ",".join(str(c.pk) for c in caps), ",".join(str(u.pk) for u in users),
                     status, "self_built", "", cost, level, day])
    return data.export("xlsx")


def main() -> int:
    setup_django("catalogue_import_bench.sqlite3")
    from django.db import connection, transaction
    from import_export import resources
    from import_export.formats.base_formats import XLSX

    from assets.importing import import_table, run_import, table_bytes, table_from_bytes
    from assets.models import Capability, InformationSystem
    from organizations.choices import Role
    from organizations.models import Organization, User
    from organizations.services import ensure_bureaus

    class DefaultSystemResource(resources.ModelResource):
        """django-import-export as it comes: a ModelResource, default options and widgets."""

        class Meta:
            model = InformationSystem
            fields = ("id", "code", "name", "description", "owner_org", "capabilities", "user_orgs", "status", "build_mode", "url",
                      "yearly_ops_cost", "security_level", "last_assessment")

    ensure_bureaus()
    figures = {"rows": ROWS, "database": connection.vendor}
    try:
        with transaction.atomic():
            user = User.objects.create(username="bench_catalogue", role=Role.PROVINCIAL_REVIEWER,
                                       organization=Organization.objects.get(code="220000-zwj"))
            orgs = list(Organization.objects.order_by("code"))
            capabilities = list(Capability.objects.order_by("code"))
            rows = make_rows(orgs, capabilities)
            ours, theirs = our_file(rows), default_file(rows)
            before = InformationSystem.objects.count()

            start = time.perf_counter()
            preview = run_import("systems", user, ours, "bench.xlsx", commit=False)
            kept = table_bytes(preview.table)  # what the preview page keeps for the confirmation
            preview_s = time.perf_counter() - start
            assert preview.ok and preview.new == ROWS, (preview.file_errors, preview.problems[:3])
            start = time.perf_counter()
            done = import_table("systems", user, table_from_bytes(kept), "bench.xlsx", commit=True)
            commit_s = time.perf_counter() - start
            assert done.committed and InformationSystem.objects.count() == before + ROWS
            figures["catalogue_import"] = {"preview_s": round(preview_s, 2), "commit_s": round(commit_s, 2),
                                           "total_s": round(preview_s + commit_s, 2), "rss_mb_after": round(rss_mb(), 1)}

            resource = DefaultSystemResource()
            start = time.perf_counter()
            result = resource.import_data(XLSX().create_dataset(theirs), dry_run=True)
            preview_s = time.perf_counter() - start
            assert not result.has_errors() and not result.has_validation_errors()
            start = time.perf_counter()
            result = DefaultSystemResource().import_data(XLSX().create_dataset(theirs), dry_run=False)
            commit_s = time.perf_counter() - start
            assert not result.has_errors() and InformationSystem.objects.count() == before + 2 * ROWS
            figures["import_export_default"] = {"preview_s": round(preview_s, 2), "commit_s": round(commit_s, 2),
                                                "total_s": round(preview_s + commit_s, 2), "rss_mb_after": round(rss_mb(), 1)}
            raise Rollback
    except Rollback:
        pass
    ours_total = figures["catalogue_import"]["total_s"]
    figures["ratio_default_to_ours"] = round(figures["import_export_default"]["total_s"] / ours_total, 1) if ours_total else None
    figures["note"] = ("preview (dry run) + commit of the same 10,000 rows from xlsx; ours resolves organizations by name and capabilities "
                       "by code, writes in bulk with many-to-many links and one history row per system; the default resource "
                       "gets primary keys and writes row by row. Rolled back afterwards.")
    write("catalogue_import", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
