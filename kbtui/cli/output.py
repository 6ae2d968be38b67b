"""Output formats for scripts: JSON (the contract), newline-delimited JSON,
CSV and TSV. Rich tables for people live in kbtui.cli.render.

JSON is exact and terminal-safe: it round-trips every string, and escapes
whatever a terminal could act on.
"""

from __future__ import annotations

import base64
import csv
import json
import sys
from collections.abc import Iterator, Sequence
from typing import Any, Literal

import click

from kbtui.safetext import UNSAFE

RowFormat = Literal["json", "nl", "csv", "tsv", "table"]
BATCH = 1000  # lines per write: never the whole output in memory, nor one write per row


def to_json(data: Any, indent: int | None = None) -> str:
    """JSON with the data exact, and safe to land on a terminal: json.dumps
    escapes C0 controls; the rest that a terminal could act on (DEL, C1,
    bidi and invisible format characters) become \\u escapes too, which
    decode to the very same strings."""
    text = json.dumps(data, ensure_ascii=False, indent=indent, default=_blob)
    return UNSAFE.sub(lambda m: json.dumps(m.group(0))[1:-1], text)


def _blob(value: object) -> object:
    """A BLOB from `kbtui sql` as JSON, the way sqlite-utils writes one."""
    if isinstance(value, bytes):
        return {"$base64": True, "encoded": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def emit_json(data: Any) -> None:
    click.echo(to_json(data, indent=2))


def unique_keys(columns: Sequence[str]) -> list[str]:
    """JSON keys for result columns: `SELECT 1 AS a, 2 AS a` must not lose
    a column to a dict, so a repeated name gets a suffix (a, a_2)."""
    seen: set[str] = set()
    out = []
    for c in columns:
        name, n = c, 1
        while name in seen:
            n += 1
            name = f"{c}_{n}"
        seen.add(name)
        out.append(name)
    return out


def _json_lines(columns: Sequence[str], rows: Sequence[Sequence[object]], array: bool) -> Iterator[str]:
    keys = unique_keys(columns)
    objects = (to_json(dict(zip(keys, r, strict=True))) for r in rows)
    if not array:
        yield from objects
        return
    if not rows:
        yield "[]"
        return
    # one object per line, as sqlite-utils prints rows
    last = len(rows) - 1
    for i, obj in enumerate(objects):
        yield f"{'[' if i == 0 else ' '}{obj}{']' if i == last else ','}"


def emit_rows(columns: Sequence[str], rows: Sequence[Sequence[object]], fmt: RowFormat) -> None:
    """Query results in `fmt`; a table goes through Rich (lazily imported)."""
    if fmt in {"json", "nl"}:
        batch: list[str] = []
        for line in _json_lines(columns, rows, array=fmt == "json"):
            batch.append(line)
            if len(batch) >= BATCH:
                click.echo("\n".join(batch))
                batch.clear()
        if batch:
            click.echo("\n".join(batch))
    elif fmt in {"csv", "tsv"}:
        writer = csv.writer(sys.stdout, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        from kbtui.cli import render

        render.rows_table(columns, rows)
