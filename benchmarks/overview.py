"""Benchmark: the overview screens' reads at several sizes.

    python benchmarks/overview.py --sizes 10000 100000 1000000

For each generated KB (/tmp/kbtui-bench-N.db, made by benchmarks/run.py and
brought to the current schema with `kbtui migrate`), what opening an
overview or typing a filter costs before the table can be drawn: the first
page with the evidence of its claims (kbtui.tui.data.overview_page, which
the screen's worker runs), and the count the status line shows after it
(exact within 0.25 s up to 100,000 rows, else an estimate). Median of
--runs, each on a fresh read connection, page cache warm. --json prints
one object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbtui.tui import data as kbdata  # noqa: E402

CASES = [
    ("sources", ""),
    ("sources", "repost"),
    ("sources", "outlet:reuters"),
    ("claims", ""),
    ("claims", "kind:met"),
    ("claims", "patrushev"),
    ("claims", "status:current from:2023"),
    ("claims", "outlet:tass"),
    ("events", ""),
    ("events", "type:meeting country:china country:russia"),
    ("entities", ""),
    ("entities", "kind:person country:russia"),
    ("entities", "kind:organisation federal"),
]


def timed(fn: object, *args: object, runs: int) -> tuple[float, object]:
    times, out = [], None
    fn(*args)  # type: ignore[operator]  # warm the page cache
    for _ in range(runs):
        t = time.perf_counter()
        out = fn(*args)  # type: ignore[operator]
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    results: dict[str, list[dict[str, object]]] = {}
    for size in args.sizes:
        db = Path(f"/tmp/kbtui-bench-{size}.db")
        if not db.exists():
            print(f"{db}: missing (python benchmarks/run.py --sizes {size} makes it)", file=sys.stderr)
            continue
        rows: list[dict[str, object]] = []
        for view, text in CASES:
            page_ms, page = timed(kbdata.overview_page, db, view, text, runs=args.runs)
            count_ms, count = timed(kbdata.overview_count, db, view, text, runs=args.runs)
            n = count.n if count is not None else None  # type: ignore[attr-defined]
            exact = count.exact if count is not None else False  # type: ignore[attr-defined]
            shown = "unknown" if n is None else f"{'' if exact else '≈'}{n:,}"
            rows.append(
                {
                    "view": view,
                    "filter": text,
                    "page_ms": round(page_ms, 1),
                    "rows": len(page.rows),  # type: ignore[attr-defined]
                    "count_ms": round(count_ms, 1),
                    "count": shown,
                }
            )
            if not args.json:
                print(
                    f"{size:>9,}  {view:9} {text!r:45} page {page_ms:7.1f} ms  count {count_ms:7.1f} ms  {shown}",
                    flush=True,
                )
        results[str(size)] = rows
    if args.json:
        print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
