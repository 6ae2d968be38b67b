"""Benchmark: `kbtui match` screening a list of names against a KB.

    python benchmarks/screening.py --sizes 10000 100000 1000000 [--rows 10000]

For each size, a list of --rows names is made from the generated KB
(/tmp/kbtui-bench-N.db, made by benchmarks/run.py or generate.py) as a
sanctions list would give them: a third verbatim, a third with one typo, a
third surname first; with the person's nationality as a country column.
Then `python -m kbtui --db KB match LIST` runs as a subprocess and its wall
time is printed, with rows per second and the share of rows whose intended
entity is the first candidate / among the three. Progress goes to stderr
on a terminal; --json prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.progress import Phases  # noqa: E402
from benchmarks.queries import typo  # noqa: E402


def make_list(db: Path, rows: int, seed: int = 5) -> tuple[Path, dict[int, str]]:
    """A CSV list of `rows` people of the KB, and row -> intended entity id."""
    rng = random.Random(seed)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    top = conn.execute("SELECT max(rowid) FROM entities").fetchone()[0]
    out = db.with_suffix(f".list-{rows}.csv")
    intended: dict[int, str] = {}
    with out.open("w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(["name", "country"])
        while len(intended) < rows:
            got = conn.execute("SELECT id, name, kind FROM entities WHERE rowid = ?", (rng.randint(1, top),)).fetchone()
            if got is None or got[2] != "person" or len(got[1]) < 6:
                continue
            eid, name = got[0], got[1]
            style = len(intended) % 3
            if style == 1:
                name = typo(name, rng)
            elif style == 2 and " " in name:
                parts = name.split()
                name = f"{parts[-1]}, {' '.join(parts[:-1])}"
            country = conn.execute(
                "SELECT e.name FROM properties p JOIN entities e ON e.id = p.value"
                " WHERE p.entity_id = ? AND p.property = 'nationality' LIMIT 1",
                (eid,),
            ).fetchone()
            w.writerow([name, country[0] if country else ""])
            intended[len(intended) + 1] = eid
    conn.close()
    return out, intended


def run(db: Path, listing: Path, intended: dict[int, str]) -> dict:
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kbtui", "--db", str(db), "match", str(listing), "--top", "3"],
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t
    first = top3 = 0
    seen: dict[int, list[str]] = {}
    for rec in csv.DictReader(io.StringIO(done.stdout)):
        seen.setdefault(int(rec["row"]), []).append(rec["id"])
    for row, eid in intended.items():
        ids = seen.get(row, [])
        first += bool(ids[:1] and ids[0] == eid)
        top3 += eid in ids[:3]
    n = len(intended)
    return {
        "rows": n,
        "wall_s": round(wall, 1),
        "rows_per_s": round(n / wall),
        "first": round(first / n, 3),
        "top3": round(top3 / n, 3),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    results = {}
    with Phases() as phases:
        for size in args.sizes:
            db = Path(f"/tmp/kbtui-bench-{size}.db")
            if not db.exists():
                print(f"{db} is missing: make it with benchmarks/run.py --entities {size}", file=sys.stderr)
                return 2
            with phases.phase(f"{size:,}: making the list", total=1) as advance:
                listing, intended = make_list(db, args.rows)
                advance(1)
            with phases.phase(f"{size:,}: kbtui match ({args.rows:,} rows)", total=1) as advance:
                results[size] = run(db, listing, intended)
                advance(1)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{'entities':>10} {'rows':>7} {'wall s':>7} {'rows/s':>7} {'first':>6} {'top 3':>6}")
        for size, r in results.items():
            print(f"{size:>10,} {r['rows']:>7,} {r['wall_s']:>7} {r['rows_per_s']:>7} {r['first']:>6} {r['top3']:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
