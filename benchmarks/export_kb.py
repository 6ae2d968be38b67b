"""`kbtui export` of a whole KB at 10k, 100k and 1M entities: each format
as a user runs it, one process each, its wall time and peak RSS as
/usr/bin/time -v reports them, and what it wrote.

    python benchmarks/export_kb.py --sizes 10000 100000 1000000 [--formats csv ftm gexf dot annotations] [--json]

The KBs are benchmarks/generate.py's (made, or reused from
/tmp/kbtui-bench-N.db as run.py does). Target (the Data out issue): peak
RSS at most 300 MB at 1M, whatever the format: the exports stream.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import ensure_kb  # noqa: E402

FORMATS = ("csv", "ftm", "gexf", "dot", "annotations")


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir())
    return path.stat().st_size


def timed_export(db: Path, fmt: str, work: Path) -> dict[str, object]:
    out = work / f"kb-{fmt}"
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "kbtui", "--db", str(db), "export", "--format", fmt]
    cmd += ["--out", str(out), "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        raise SystemExit(f"{fmt}: {done.stderr.strip()[-500:]}")
    wall = re.search(r"Elapsed \(wall clock\) time .*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    assert wall and rss, done.stderr
    hours, minutes, seconds = int(wall.group(1) or 0), int(wall.group(2)), float(wall.group(3))
    result = json.loads(done.stdout)
    figures = {
        "seconds": round(hours * 3600 + minutes * 60 + seconds, 2),
        "peak_rss_mb": round(int(rss.group(1)) / 1024),
        "mb_written": round(_size(out) / 1e6, 1),
        "counts": result["counts"],
    }
    shutil.rmtree(out) if out.is_dir() else out.unlink()
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    results: dict[int, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="kbtui-export-") as tmp:
        for n in args.sizes:
            db = Path(f"/tmp/kbtui-bench-{n}.db")
            ensure_kb(db, n, args.seed, regenerate=False)
            results[n] = {}
            for fmt in args.formats:
                results[n][fmt] = timed_export(db, fmt, Path(tmp))
                if not args.json:
                    f = results[n][fmt]
                    print(f"{n:>9,} entities  {fmt:12} {f}")  # type: ignore[index]
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
