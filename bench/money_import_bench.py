"""Importing 10,000 disbursements through preview and commit, against django-import-export's defaults.

Ours goes through budgets' import (assets.importing with budgets.resources: natural keys — project
code, fiscal year, source and category for the line —, the line invariant checked per row, the
projects and lines locked on commit, bulk writes with one audit row each, the first payment firing
`begin_disbursing` through the doorway). The reference is a plain ModelResource with default
settings and widgets on the same rows (the line by its primary key, row by row, no bulk, no
checks; the state column left out, since the protected state field refuses a plain setattr).
Everything runs in one transaction rolled back at the end. Target: ours ≤ 15 s on PostgreSQL.

`MONEY_BASELINE_ROWS` limits the reference run (default: all rows) when it is too slow to wait
for; its time is then scaled to the full file and the result says so.
Figures land in bench/results/money_import.json.
"""

import os
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import rss_mb, setup_django, write  # noqa: E402

ROWS = 10_000
PROJECTS = 100


class Rollback(Exception):
    pass


def main() -> int:
    setup_django("money_import_bench.sqlite3")
    import tablib
    from django.db import connection, transaction
    from import_export import resources
    from import_export.formats.base_formats import XLSX

    from assets.importing import import_table, run_import, table_bytes, table_from_bytes
    from budgets.models import BudgetLine, Disbursement
    from budgets.resources import RESOURCES
    from organizations.models import Organization, User
    from organizations.services import ensure_bureaus
    from projects.models import Project

    class DefaultDisbursementResource(resources.ModelResource):
        """django-import-export as it comes: a ModelResource, default options and widgets."""

        class Meta:
            model = Disbursement
            fields = ("id", "budget_line", "amount", "voucher_no", "payee", "date", "purpose")

    ensure_bureaus()
    baseline_rows = int(os.environ.get("MONEY_BASELINE_ROWS", ROWS))
    figures = {"rows": ROWS, "database": connection.vendor}
    try:
        with transaction.atomic():
            finance = User.objects.get_or_create(username="finance", defaults={"role": "finance_officer"})[0]
            builder = Organization.objects.get(code="220000-zwj")
            projects = Project.objects.bulk_create([
                Project(code=f"XM-2099-{i:04d}", name=f"基准项目{i}", construction_org=builder, approved_budget=Decimal("100000000.00"),
                        year=2026, funding_status="allocated") for i in range(PROJECTS)])
            lines = BudgetLine.objects.bulk_create([
                BudgetLine(project=p, fiscal_year=2026, source="provincial_fiscal", category="software", amount=Decimal("100000000.00"))
                for p in projects])
            states = ["已支付", "已批准", "已申请", "已支付"]
            ours = tablib.Dataset(headers=["凭证号", "项目编号", "预算年度", "资金来源", "支出类别", "金额（元）", "收款单位", "日期", "用途", "状态"])
            theirs = tablib.Dataset(headers=["id", "budget_line", "amount", "voucher_no", "payee", "date", "purpose"])
            start_day = date(2026, 1, 2)
            for i in range(ROWS):
                p, line = projects[i % PROJECTS], lines[i % PROJECTS]
                amount = f"{1000 + (i % 500) * 10:.2f}"
                day = (start_day + timedelta(days=i % 300)).isoformat()
                ours.append([f"BENCH-{i:06d}", p.code, 2026, "省级财政", "软件", amount, "吉林祥云信息技术有限公司", day, "进度款", states[i % 4]])
                if i < baseline_rows:
                    theirs.append(["", line.pk, amount, f"BASE-{i:06d}", "吉林祥云信息技术有限公司", day, "进度款"])
            ours_file, theirs_file = ours.export("xlsx"), theirs.export("xlsx")

            start = time.perf_counter()
            preview = run_import("disbursements", finance, ours_file, "bench.xlsx", commit=False, resource_class=RESOURCES["disbursements"])
            kept = table_bytes(preview.table)
            preview_s = time.perf_counter() - start
            assert preview.ok and preview.new == ROWS, (preview.file_errors, preview.problems[:3])
            start = time.perf_counter()
            done = import_table("disbursements", finance, table_from_bytes(kept), "bench.xlsx", commit=True,
                                resource_class=RESOURCES["disbursements"])
            commit_s = time.perf_counter() - start
            assert done.committed and Disbursement.objects.filter(voucher_no__startswith="BENCH-").count() == ROWS
            figures["money_import"] = {"preview_s": round(preview_s, 2), "commit_s": round(commit_s, 2),
                                       "total_s": round(preview_s + commit_s, 2), "target_s": 15, "rss_mb_after": round(rss_mb(), 1)}

            start = time.perf_counter()
            result = DefaultDisbursementResource().import_data(XLSX().create_dataset(theirs_file), dry_run=True)
            preview_s = time.perf_counter() - start
            assert not result.has_errors() and not result.has_validation_errors()
            start = time.perf_counter()
            result = DefaultDisbursementResource().import_data(XLSX().create_dataset(theirs_file), dry_run=False)
            commit_s = time.perf_counter() - start
            assert not result.has_errors()
            scale = ROWS / baseline_rows
            figures["import_export_default"] = {"rows_run": baseline_rows, "preview_s": round(preview_s * scale, 2),
                                                "commit_s": round(commit_s * scale, 2), "total_s": round((preview_s + commit_s) * scale, 2),
                                                "scaled_to_rows": ROWS if scale != 1 else None, "rss_mb_after": round(rss_mb(), 1)}
            raise Rollback
    except Rollback:
        pass
    ours_total = figures["money_import"]["total_s"]
    figures["ratio_default_to_ours"] = round(figures["import_export_default"]["total_s"] / ours_total, 1) if ours_total else None
    figures["note"] = ("preview (dry run) + commit of 10,000 disbursement rows from xlsx. Ours: natural keys, per-row invariant, locks, "
                       "bulk writes, audit rows, begin_disbursing for the paid projects; the default resource gets the line's primary key "
                       "and writes row by row without any check. Rolled back afterwards.")
    write("money_import", figures)
    print(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
