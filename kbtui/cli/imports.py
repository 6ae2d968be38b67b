"""`kbtui import`: which importer a path needs, and the report in words.

A folder is a bundle; a .json/.jsonl/.ijson/.ndjson file is FollowTheMoney
(entities or a delta file); a .toml file is a CSV mapping. Every importer
returns the same report (kbtui.kb.sink.Report.as_dict()), so one function
prints them all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kbtui.cli.progress import Advance
from kbtui.kb.errors import ImportFailed

FTM_SUFFIXES = (".json", ".jsonl", ".ijson", ".ndjson")


def detect(path: Path) -> str:
    """'bundle', 'ftm' or 'csv' for `path`, or a one-line refusal."""
    if path.is_dir():
        return "bundle"
    name = path.name.lower()
    if name.endswith(FTM_SUFFIXES):
        return "ftm"
    if name.endswith(".toml"):
        return "csv"
    if name.endswith((".csv", ".tsv")):
        raise ImportFailed(
            f"{path}: a CSV file needs a mapping file that says which column is what",
            "write one (see README, Importing) and run `kbtui import MAPPING.toml`",
        )
    if not path.exists():
        raise ImportFailed(f"{path}: no such file or folder", "check the path")
    raise ImportFailed(
        f"{path}: not a bundle folder, an FtM file (.json, .jsonl, .ijson, .ndjson) or a CSV mapping (.toml)",
        "pass --format bundle|ftm|csv if the name misleads",
    )


def run(
    path: Path,
    target: Path,
    fmt: str,
    input_id: str | None,
    on_error: str,
    prune: bool,
    dry_run: bool,
    advance: Advance,
) -> dict[str, Any]:
    """Import `path` into `target`; the report as a dict."""
    fmt = detect(path) if fmt == "auto" else fmt
    if fmt == "bundle":
        from kbtui.kb.importer import bundle_report

        if on_error == "skip":
            raise ImportFailed(
                "--on-error skip does not apply to bundles: a bundle is reviewed text, imported whole or not at all",
                "fix the problems listed, then import again",
            )
        report = bundle_report(path, target, advance, input_id, prune, dry_run).as_dict()
    elif fmt == "ftm":
        from kbtui.kb.ftm import import_ftm

        report = import_ftm(path, target, input_id, on_error, prune, dry_run, advance)
    else:
        from kbtui.kb.csvin import import_csv

        report = import_csv(path, target, input_id, on_error, prune, dry_run, advance)
    # the importer's own counts stay top-level keys, as `import --json` always had them
    return {"db": str(target), "format": fmt, "dry_run": dry_run, **report.get("summary", {}), **report}


def describe(report: dict[str, Any], path: str, target: str) -> list[str]:
    """The report as lines for a person (stderr)."""
    verb = "would import" if report.get("dry_run") else "imported"
    lines = [f"{verb} {path} into {target} as input `{report['input']}` ({report['format']})"]
    summary = report.get("summary") or {}
    flat = {k: v for k, v in summary.items() if isinstance(v, int)}
    written = flat or report.get("written", {})
    if written:
        lines.append("  wrote      " + _counts(written))
    for key, value in summary.items():
        if isinstance(value, dict) and value:
            lines.append(f"  {key:<10} " + _counts(value, SHOWN))
    if report.get("removed"):
        lines.append(("  would remove " if report.get("dry_run") else "  removed    ") + _counts(report["removed"]))
    stale = {k: v for k, v in (report.get("stale") or {}).items() if v}
    if stale:
        lines.append(f"  not in this import: {_counts(stale)} of input `{report['input']}` (--prune removes them)")
    for other, n in sorted((report.get("taken_over") or {}).items()):
        lines.append(f"  took over  {n:,} sources and claims from input `{other}`")
    if report.get("problems"):
        lines.append(f"  skipped    {report['problems']:,} bad record{'s' * (report['problems'] != 1)}:")
        lines.extend(f"    {p}" for p in report.get("problem_lines", []))
        more = report["problems"] - len(report.get("problem_lines", []))
        if more > 0:
            lines.append(f"    … and {more:,} more")
    return lines


# a table of counts longer than this (FtM's per-property tallies on real
# data run to hundreds) shows its largest entries; --json has them all
SHOWN = 12


def _counts(counts: dict[str, Any], most: int | None = None) -> str:
    items = [(k, v) for k, v in counts.items() if v]
    if most is not None and len(items) > most:
        ranked = sorted(items, key=lambda kv: -kv[1])
        items, rest = ranked[:most], ranked[most:]
        more = f", and {sum(v for _, v in rest):,} more in {len(rest)} others (--json lists them)"
    else:
        more = ""
    return (", ".join(f"{v:,} {k}" for k, v in items) or "nothing") + more
