"""Benchmark: merging duplicates, and what the merges cost later writes.

    python benchmarks/merge.py --sizes 10000 100000 1000000 [--merges 1000]

For each generated KB (/tmp/kbtui-bench-N.db), on a copy: --merges pairs of
people are judged the same and merged (kbtui.kb.merge.merge, as `kbtui
dedupe judge` does), timed; then the two steps every later write runs
(following redirects, merging again what an import wrote again), median of
5. Prints figures; --json one object.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbtui.kb import merge  # noqa: E402


def run(db: Path, merges: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        copy = Path(tmp) / "kb.db"
        shutil.copy(db, copy)
        conn = sqlite3.connect(copy)
        conn.execute("PRAGMA foreign_keys = ON")
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM entities WHERE kind = 'person'"
                " AND id NOT IN (SELECT entity_id FROM participations) LIMIT ?",
                (merges * 2,),
            )
        ]
        pairs = [tuple(sorted(p)) for p in zip(ids[0::2], ids[1::2], strict=False)]
        started = time.perf_counter()
        conn.execute("BEGIN")
        for a, b in pairs:
            conn.execute("INSERT INTO judgements (a, b, verdict, keep) VALUES (?, ?, 'same', ?)", (a, b, a))
            merge.merge(conn, a, b)
        conn.execute("COMMIT")
        merged = time.perf_counter() - started
        later = []
        for _ in range(5):
            t = time.perf_counter()
            conn.execute("BEGIN")
            merge.follow_redirects(conn)
            merge.apply_judgements(conn)
            conn.execute("ROLLBACK")
            later.append((time.perf_counter() - t) * 1000)
        conn.close()
    return {
        "merges": len(pairs),
        "merge_total_s": round(merged, 2),
        "merge_each_ms": round(merged / max(len(pairs), 1) * 1000, 2),
        "per_write_ms": round(statistics.median(later), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--merges", type=int, default=1000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out = {}
    for size in args.sizes:
        db = Path(f"/tmp/kbtui-bench-{size}.db")
        if not db.exists():
            print(f"{db}: missing (python benchmarks/run.py --sizes {size} makes it)", file=sys.stderr)
            continue
        out[str(size)] = r = run(db, args.merges)
        if not args.json:
            print(
                f"{size:>9,}  {r['merges']} merges in {r['merge_total_s']} s ({r['merge_each_ms']} ms each);"
                f" every later write: +{r['per_write_ms']} ms",
                flush=True,
            )
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
