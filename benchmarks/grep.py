"""Benchmark: `kbtui grep` (search in the sources' text) at several sizes.

    python benchmarks/grep.py --sizes 10000 100000 1000000

For each generated KB (/tmp/kbtui-bench-N.db, made by benchmarks/run.py),
whole-process wall time of `python -m kbtui --db KB grep … --json`, median
of --runs, for a common word, a rare word, a phrase and a prefix, with how
many sources matched (a common word matches most texts: past 10,000 sources
they are listed latest first instead of ranked). --json prints one object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = {
    "common word": ["security"],
    "rare word": ["Pratt"],
    "phrase": ['"federal service"'],
    "prefix": ["cooperat*"],
}


def time_grep(db: Path, words: list[str], runs: int) -> tuple[float, int]:
    cmd = [sys.executable, "-m", "kbtui", "--db", str(db), "grep", *words, "--json"]
    subprocess.run(cmd, cwd=ROOT, capture_output=True)  # warm the page cache
    times = []
    out = b""
    for _ in range(runs):
        t = time.perf_counter()
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True).stdout
        times.append((time.perf_counter() - t) * 1000)
    sources = json.loads(out or b'{"sources": 0}')["sources"]
    return statistics.median(times), sources


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    results: dict[int, dict[str, dict[str, float]]] = {}
    for size in args.sizes:
        db = Path(f"/tmp/kbtui-bench-{size}.db")
        if not db.exists():
            print(f"{db} is missing: make it with benchmarks/run.py --entities {size}", file=sys.stderr)
            return 2
        results[size] = {}
        for name, words in QUERIES.items():
            if sys.stderr.isatty():
                print(f"{size:,}: {name}…", file=sys.stderr)
            ms, sources = time_grep(db, words, args.runs)
            results[size][name] = {"ms": round(ms, 1), "sources": sources}
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{'query':>12} " + " ".join(f"{s:>22,}" for s in results))
        for name in QUERIES:
            cells = [f"{results[s][name]['ms']:>8} ms {results[s][name]['sources']:>8,} src" for s in results]
            print(f"{name:>12} " + " ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
