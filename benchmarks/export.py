"""Benchmark: `e`, a table exported with its evidence, at several sizes.

    python benchmarks/export.py --sizes 10000 100000 1000000

For each generated KB (/tmp/kbtui-bench-N.db), the biggest table the
explorer can show: the organisation with the most holders, every role
loaded (as the explorer does for a paged table) and written as CSV and JSON
with each role's citations (kbtui.tui.data.export_table). Times the load
and the export; prints rows, citations and file sizes. --json one object.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbtui.kb.table_export import ExportRow  # noqa: E402
from kbtui.tui import data as kbdata  # noqa: E402
from kbtui.tui.widgets.claim_rows import EXPORT_HEADERS, role_export  # noqa: E402


def biggest_organisation(db: Path) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT organisation_id FROM roles WHERE organisation_id IS NOT NULL"
            " GROUP BY organisation_id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
        return str(row[0])
    finally:
        conn.close()


def run(db: Path) -> dict[str, object]:
    org = biggest_organisation(db)
    started = time.perf_counter()
    entity = kbdata.entity(db, org)
    rows = [ExportRow(role_export(r), r["id"]) for r in kbdata.all_roles(db, entity)]
    loaded = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        written = kbdata.export_table(db, Path(tmp), org, EXPORT_HEADERS["roles"], rows, ("csv", "json"))
        sizes = {p.suffix: p.stat().st_size for p in written.paths}
    done = time.perf_counter()
    return {
        "organisation": org,
        "rows": written.rows,
        "citations": written.citations,
        "load_s": round(loaded - started, 2),
        "export_s": round(done - loaded, 2),
        "csv_mb": round(sizes.get(".csv", 0) / 1e6, 1),
        "json_mb": round(sizes.get(".json", 0) / 1e6, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out = {}
    for size in args.sizes:
        db = Path(f"/tmp/kbtui-bench-{size}.db")
        if not db.exists():
            print(f"{db}: missing (python benchmarks/run.py --sizes {size} makes it)", file=sys.stderr)
            continue
        out[str(size)] = r = run(db)
        if not args.json:
            print(
                f"{size:>9,}  {r['rows']:,} roles of {r['organisation']} with {r['citations']:,} citations:"
                f" loaded in {r['load_s']} s, written in {r['export_s']} s"
                f" (CSV {r['csv_mb']} MB, JSON {r['json_mb']} MB)",
                flush=True,
            )
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
