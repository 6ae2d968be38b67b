"""Import throughput at 10k, 100k and 1M records: FtM, bundle, CSV, and an
FtM delta applied to the KB the snapshot made.

    python benchmarks/imports.py                       # 10k and 100k, every format
    python benchmarks/imports.py --sizes 1000000 --formats ftm
    python benchmarks/imports.py --json                # one JSON object per run

Each import runs as its own process (`python -m kbtui import … --db NEW`),
so the figures are whole-process: wall time and peak RSS (the child's
ru_maxrss, as `/usr/bin/time -v` reports it). Inputs are generated once per
size into --workdir (deterministic, seed 7) and reused; the KBs are
deleted after each run unless --keep.

What is generated (about 60% people, 25% companies, 15% links):
  ftm     benchmarks/make_ftm.py: one JSON entity per line, as OpenSanctions
          exports them; each record becomes a source and every value a cited
          claim or alias
  bundle  benchmarks/make_bundle.py: people as [[entity]] tables with two
          aliases each, one source text, and one cited role per 10 people
  csv     people.csv, companies.csv, ownership.csv and a mapping.toml
  delta   1% MOD, 0.5% DEL, 0.5% ADD against the ftm snapshot, applied to a
          copy of the KB it made
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import make_bundle, make_ftm, pools

REPO = Path(__file__).resolve().parent.parent
FORMATS = ("ftm", "delta", "bundle", "csv")


def _label(n: int) -> str:
    return f"{n // 1_000_000}m" if n >= 1_000_000 else f"{n // 1000}k"


# -- inputs ------------------------------------------------------------------


def ftm_input(work: Path, n: int) -> Path:
    path = work / f"ftm-{_label(n)}.json"
    if not path.exists():
        make_ftm.write_snapshot(n, path)
    return path


def delta_input(work: Path, n: int) -> Path:
    path = work / f"ftm-{_label(n)}.delta.json"
    if not path.exists():
        make_ftm.write_delta(ftm_input(work, n), path)
    return path


def bundle_input(work: Path, n: int) -> Path:
    root = work / f"bundle-{_label(n)}"
    if not (root / "kb.toml").exists():
        make_bundle.write_bundle(n, root)
    return root


def csv_input(work: Path, n: int) -> Path:
    root = work / f"csv-{_label(n)}"
    mapping = root / "mapping.toml"
    if mapping.exists():
        return mapping
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    people, companies = int(n * 0.6), int(n * 0.25)
    with (root / "people.csv").open("w", encoding="utf-8") as f:
        f.write("id,name,aliases,birth_date,inn\n")
        for i in range(people):
            first, last = rng.choice(pools.RU_MALE), rng.choice(pools.RU_SURNAMES)
            f.write(
                f'p-{i},"{last} {first}",{first[0]}. {last},{rng.randint(1940, 1995)},{rng.randint(10**11, 10**12)}\n'
            )
    with (root / "companies.csv").open("w", encoding="utf-8") as f:
        f.write("id,name,ogrn\n")
        for i in range(companies):
            f.write(f"c-{i},{rng.choice(pools.INDUSTRIES)} {i},{rng.randint(10**12, 10**13)}\n")
    with (root / "ownership.csv").open("w", encoding="utf-8") as f:
        f.write("owner_id,company_id,percent\n")
        for _ in range(n - people - companies):
            f.write(f"c-{rng.randrange(companies)},c-{rng.randrange(companies)},{rng.randint(1, 100)}%\n")
    mapping.write_text(
        'as_of = "2024"\n\n'
        '[[table]]\nfile = "people.csv"\nkind = "entities"\nid = "id"\nname = "name"\nentity_kind = "person"\n'
        'aliases = "aliases"\n'
        'properties = { birth_date = "birth-date", inn = { property = "identifier", qualifier = "tax" } }\n\n'
        '[[table]]\nfile = "companies.csv"\nkind = "entities"\nid = "id"\nname = "name"\n'
        'entity_kind = "organisation"\nproperties = { ogrn = { property = "identifier", qualifier = "registry" } }\n\n'
        '[[table]]\nfile = "ownership.csv"\nkind = "relations"\ntype = "owns"\nsubject = "owner_id"\n'
        'object = "company_id"\nshare = "percent"\n',
        encoding="utf-8",
    )
    return mapping


# -- runs --------------------------------------------------------------------


def bench(fmt: str, n: int, work: Path, keep: bool) -> dict[str, object]:
    kb = work / f"kb-{fmt}-{_label(n)}.db"
    base = work / f"kb-ftm-{_label(n)}.db"
    for p in (kb,):
        p.unlink(missing_ok=True)
    if fmt == "delta":
        if not base.exists():
            bench("ftm", n, work, keep=True)
        shutil.copy(base, kb)
        args = [str(delta_input(work, n)), "--db", str(kb), "--input", f"ftm-{_label(n)}"]
    else:
        make = {"ftm": ftm_input, "bundle": bundle_input, "csv": csv_input}[fmt]
        args = [str(make(work, n)), "--db", str(kb)]
    # a fresh interpreter per run: ru_maxrss of children is the max over all
    # children so far, so each run is measured in its own child process
    code = (
        "import json, resource, subprocess, sys, time; t = time.perf_counter();"
        f" r = subprocess.run({[sys.executable, '-m', 'kbtui', 'import', *args, '--json']!r},"
        " capture_output=True, text=True);"
        " print(json.dumps({'rc': r.returncode, 'seconds': time.perf_counter() - t,"
        " 'rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,"
        " 'out': r.stdout, 'err': r.stderr[-2000:]}))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    if result["rc"] != 0:
        raise SystemExit(f"{fmt} {n}: import failed: {result['err']}")
    report = json.loads(result["out"])
    records = n if fmt != "delta" else sum(1 for _ in delta_input(work, n).open(encoding="utf-8"))
    row = {
        "format": fmt,
        "records": records,
        "seconds": round(result["seconds"], 1),
        "records_per_s": round(records / result["seconds"]),
        "peak_rss_mb": round(result["rss_mb"]),
        "kb_mb": round(kb.stat().st_size / 2**20),
        "written": report.get("written", {}),
        "removed": report.get("removed", {}),
        "problems": report.get("problems", 0),
    }
    if not keep and fmt != "ftm":
        kb.unlink(missing_ok=True)
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/kbtui-import-bench"))
    ap.add_argument("--keep", action="store_true", help="keep the KBs")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    if not args.json:
        print(f"{'format':<8}{'records':>10}{'seconds':>9}{'records/s':>11}{'peak RSS':>10}{'KB size':>9}")
    for n in args.sizes:
        for fmt in args.formats:
            row = bench(fmt, n, args.workdir, args.keep)
            if args.json:
                print(json.dumps(row))
            else:
                print(
                    f"{row['format']:<8}{row['records']:>10,}{row['seconds']:>9}{row['records_per_s']:>11,}"
                    f"{row['peak_rss_mb']:>7} MB{row['kb_mb']:>6} MB",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
