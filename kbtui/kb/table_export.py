"""A table the user sees, written with its evidence: each row with the
citations behind it (quote, outlet, author, dates, source), as CSV or JSON.

A row is the cells the table exports plus the claim it stands for (or,
in a list of sources, the source it is). The citations of all rows are
read in a few chunked queries, never one per row, then written:

- CSV in long form: one line per (row, citation), the row's own cells
  repeated so each line stands alone in a spreadsheet or a pivot table; a
  row without citations is one line with the citation cells empty. A
  table of sources adds what is known of each source instead; a table with
  nothing cited (entities) adds nothing.
- JSON: a list of objects, the row's cells by column name, plus
  "citations" (a claim's, in the shape `kbtui show --json` gives them) or
  "source" (a row that is a source).

Files are named from data, so they go through paths.confined_path: inside
the chosen directory, never over an existing file.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any, NamedTuple

from kbtui.kb.db import rows_in
from kbtui.kb.errors import KBError
from kbtui.kb.models import Citation
from kbtui.kb.paths import NAME_MAX, confined_path, slug_name
from kbtui.kb.queries import citations_for
from kbtui.safetext import visible

Cell = str | int | None  # one exported value (None is written as "" in CSV, null in JSON)

FORMATS = ("csv", "json")

# What a claim row's lines add, in the order a reader wants them: the words
# and who said them first, the bookkeeping (span, anchor, ids) last.
CITATION_COLUMNS = (
    "quote",
    "outlet",
    "author",
    "published",
    "as_of",
    "as_of_note",
    "stance",
    "certainty",
    "mode",
    "speaker",
    "source_id",
    "source_title",
    "via",
    "via_date",
    "url",
    "quote_start",
    "quote_end",
    "anchor",
    "citation_id",
)
# What a row that is a source adds, in a table of sources only
SOURCE_COLUMNS = ("source_id", "title", "outlet", "author", "published", "via", "via_date", "url")

# A spreadsheet runs a cell that starts with one of these as a formula (CSV
# injection); a KB from a stranger may hold such a name or quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportRow:
    cells: Sequence[Cell]
    claim_id: str | None = None
    source_id: str | None = None  # the row is this source (a list of sources); ignored with claim_id


class Written(NamedTuple):
    paths: list[Path]
    rows: int
    citations: int  # lines of evidence written per file: a citation shared by two rows counts twice


@dataclass
class TableEvidence:
    citations: dict[str, list[Citation]]  # by claim id
    sources: dict[str, dict[str, Cell]]  # by source id: SOURCE_COLUMNS' facts (id as "id")


class ExportFailed(KBError):
    """A file could not be written (the directory went away, the disk is full)."""


# --- reading ----------------------------------------------------------------------


def read_evidence(conn: sqlite3.Connection, rows: Sequence[ExportRow]) -> TableEvidence:
    """The citations of every claim row and the sources they cite (and the
    sources that rows are), in a few chunked queries."""
    claim_ids = list(dict.fromkeys(r.claim_id for r in rows if r.claim_id))
    citations = citations_for(conn, claim_ids)
    wanted = {c["source"]["id"] for cites in citations.values() for c in cites}
    wanted.update(r.source_id for r in rows if r.source_id and not r.claim_id)
    sources: dict[str, dict[str, Cell]] = {}
    sql = "SELECT id, title, outlet, author, published, via, via_date, url FROM sources WHERE id IN ({marks})"
    for found in rows_in(conn, sql, sorted(wanted)):
        sources[found[0]] = dict(zip(("id", *SOURCE_COLUMNS[1:]), found, strict=True))
    return TableEvidence(citations, sources)


# --- the shape of a line ------------------------------------------------------------


def _names(header: Sequence[str], rows: Sequence[ExportRow]) -> list[str]:
    """The row columns: the header, and a name for any cell beyond it (a
    row longer than its header would otherwise shift the evidence columns)."""
    width = max([len(header), *(len(r.cells) for r in rows)])
    return [*header, *(f"column_{i + 1}" for i in range(len(header), width))]


def _cells(row: ExportRow, width: int) -> list[Cell]:
    return [*row.cells[:width], *[None] * (width - len(row.cells))]


def _claim_layout(names: Sequence[str]) -> list[tuple[str, str]]:
    """(key, column name) of the evidence columns; one a table already has
    (a "quote" or "outlet" column of its own) is called citation_<name>."""
    return [(key, f"citation_{key}" if key in names else key) for key in CITATION_COLUMNS]


def _source_facts(source_id: str, ev: TableEvidence) -> dict[str, Cell]:
    facts = ev.sources.get(source_id) or {}
    return {
        "source_id": source_id,
        "source_title": facts.get("title"),
        **{k: facts.get(k) for k in SOURCE_COLUMNS[1:]},
    }


def _citation_facts(c: Citation, ev: TableEvidence) -> dict[str, Cell]:
    speaker = c["speaker"]
    return {
        **_source_facts(c["source"]["id"], ev),
        # as the citation query gave them, in the same read as the quote
        "source_title": c["source"]["title"],
        "outlet": c["source"]["outlet"],
        "author": c["source"]["author"],
        "published": c["source"]["published"],
        "quote": c["quote"],
        "as_of": c["as_of"],
        "as_of_note": c["as_of_note"],
        "stance": c["stance"],
        "certainty": c["certainty"],
        "mode": c["mode"],
        "speaker": speaker["name"] if speaker else None,
        "quote_start": c["span"][0],
        "quote_end": c["span"][1],
        "anchor": c["anchor"],
        "citation_id": c["id"],
    }


def csv_lines(
    header: Sequence[str], rows: Sequence[ExportRow], ev: TableEvidence
) -> tuple[list[str], Iterator[list[Cell]]]:
    """The CSV's header and its lines (long form), values as stored."""
    names = _names(header, rows)
    width = len(names)
    if any(r.claim_id for r in rows):
        layout = _claim_layout(names)
    elif any(r.source_id for r in rows):  # a list of sources: each row is its own evidence
        layout = [(k, k) for k in SOURCE_COLUMNS if k not in names]
    else:  # nothing cited (a list of entities): no columns that would all be empty
        layout = []

    def lines() -> Iterator[list[Cell]]:
        for row in rows:
            own = _cells(row, width)
            if row.claim_id:
                facts = [_citation_facts(c, ev) for c in ev.citations.get(row.claim_id, [])] or [{}]
            elif row.source_id:
                facts = [_source_facts(row.source_id, ev)]
            else:
                facts = [{}]
            for f in facts:
                yield [*own, *(f.get(key) for key, _ in layout)]

    return [*names, *(name for _, name in layout)], lines()


def json_rows(header: Sequence[str], rows: Sequence[ExportRow], ev: TableEvidence) -> list[dict[str, Any]]:
    """Each row as an object: its cells by column name, then "citations"
    (replacing a count of them the table may have) or "source"."""
    names = _names(header, rows)
    out: list[dict[str, Any]] = []
    for row in rows:
        obj: dict[str, Any] = dict(zip(names, _cells(row, len(names)), strict=True))
        if row.claim_id:
            obj["citations"] = [_json_citation(c, ev) for c in ev.citations.get(row.claim_id, [])]
        elif row.source_id:
            obj["source"] = ev.sources.get(row.source_id) or {"id": row.source_id}
        out.append(obj)
    return out


def _json_citation(c: Citation, ev: TableEvidence) -> dict[str, Any]:
    more = ev.sources.get(c["source"]["id"]) or {}
    source = {**c["source"], **{k: more.get(k) for k in ("via", "via_date", "url")}}
    return {**c, "source": source}


def csv_cell(value: Cell) -> str | int:
    """A value as a CSV cell: "" for None, and a text a spreadsheet would
    run as a formula prefixed with ' (the JSON keeps it as stored)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# --- writing ----------------------------------------------------------------------


def directory_problem(directory: Path) -> str | None:
    """Why `directory` cannot take the files, in one message that says
    what, where and what to do; None when it can."""
    where = visible(str(directory), 200)
    try:
        if not directory.exists():
            return f"There is no directory {where}. Create it first, or type one that exists."
        if not directory.is_dir():
            return f"{where} is a file, not a directory. Type the directory to write in."
    except OSError as exc:  # a name too long, a broken mount
        return f"{where} cannot be used ({visible(exc.strerror or str(exc), 80)}). Type another directory."
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"You cannot write in {where}. Type a directory you can write in (your home, say)."
    return None


def free_paths(directory: Path, stem: str, suffixes: Sequence[str]) -> list[Path]:
    """A new file for each suffix, all with one stem (x.csv and x.json,
    or x-2.csv and x-2.json), each through confined_path."""
    name = slug_name(slug_name(stem)[: NAME_MAX - 8])  # room for "-9999"
    for n in range(1, 10_000):
        candidate = name if n == 1 else f"{name}-{n}"
        paths = [confined_path(directory, candidate, s) for s in suffixes]
        if all(p.name == candidate + s for p, s in zip(paths, suffixes, strict=True)):
            return paths
    raise ExportFailed(
        f"{visible(str(directory), 200)} holds {name}-2 … {name}-9999 already", "choose another directory"
    )


def write(
    directory: Path,
    stem: str,
    header: Sequence[str],
    rows: Sequence[ExportRow],
    ev: TableEvidence,
    formats: Sequence[str] = ("csv",),
) -> Written:
    """Write the table in each of `formats` (FORMATS) to new files in `directory`."""
    writers = {"csv": _write_csv, "json": _write_json}
    unknown = [f for f in formats if f not in writers]
    if unknown or not formats:
        raise ValueError(f"formats must be some of {FORMATS}, not {list(formats)}")
    paths = free_paths(directory, stem, [f".{f}" for f in formats])
    for fmt, path in zip(formats, paths, strict=True):
        _new_file(path, partial(writers[fmt], header=header, rows=rows, ev=ev))
    cited = sum(len(ev.citations.get(r.claim_id, [])) for r in rows if r.claim_id)
    return Written(paths, len(rows), cited)


def _write_csv(fh: IO[str], header: Sequence[str], rows: Sequence[ExportRow], ev: TableEvidence) -> None:
    head, lines = csv_lines(header, rows, ev)
    out = csv.writer(fh)
    out.writerow([csv_cell(v) for v in head])
    out.writerows([csv_cell(v) for v in line] for line in lines)


def _write_json(fh: IO[str], header: Sequence[str], rows: Sequence[ExportRow], ev: TableEvidence) -> None:
    json.dump(json_rows(header, rows, ev), fh, ensure_ascii=False, indent=2)
    fh.write("\n")


def _new_file(path: Path, fill: Callable[[IO[str]], None]) -> None:
    """Create `path` (never over a file that appeared meanwhile) and fill
    it; a file left half-written by a failure is removed."""
    try:
        with path.open("x", newline="", encoding="utf-8") as fh:
            try:
                fill(fh)
            except BaseException:
                fh.close()
                path.unlink(missing_ok=True)
                raise
    except OSError as exc:
        reason = visible(exc.strerror or str(exc), 120)
        raise ExportFailed(
            f"Could not write {visible(str(path), 200)}: {reason}", "try another directory in the export dialog"
        ) from exc
