"""The loop the analysis benchmarks share: for each --sizes, the generated
KB (/tmp/kbtui-bench-N.db, made by run.ensure_kb when missing), opened
read-only, measured by the script's `measure(conn, rng)`, one line (or
several) printed per size."""

from __future__ import annotations

import argparse
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

from benchmarks.run import ensure_kb
from kbtui.kb import db

Measure = Callable[[sqlite3.Connection, random.Random], str | list[str]]


def each_size(description: str, measure: Measure) -> int:
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    for n in args.sizes:
        path = Path(f"/tmp/kbtui-bench-{n}.db")
        ensure_kb(path, n, args.seed, regenerate=False)
        conn = db.connect_readonly(path)
        try:
            found = measure(conn, rng)
            for line in [found] if isinstance(found, str) else found:
                print(f"{n:>9,} entities  {line}")
        finally:
            conn.close()
    return 0
