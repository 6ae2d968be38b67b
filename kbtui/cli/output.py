"""Output formats for scripts: JSON (the contract), newline-delimited JSON,
CSV and TSV. Rich tables for people live in kbtui.cli.render.

JSON is exact and terminal-safe: it round-trips every string, and escapes
whatever a terminal could act on.
"""

from __future__ import annotations

import base64
import csv
import json
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

import click

from kbtui.safetext import UNSAFE, visible

RowFormat = Literal["json", "nl", "csv", "tsv", "table"]
BATCH = 1000  # lines per write: never the whole output in memory, nor one write per row


def to_json(data: Any, indent: int | None = None) -> str:
    """JSON with the data exact, and safe to land on a terminal: json.dumps
    escapes C0 controls; the rest that a terminal could act on (DEL, C1,
    bidi and invisible format characters) become \\u escapes too, which
    decode to the very same strings."""
    try:
        text = json.dumps(data, ensure_ascii=False, indent=indent, default=_blob, allow_nan=False)
    except ValueError:  # an Infinity or NaN (a REAL overflow in `kbtui sql`): not JSON
        text = json.dumps(_finite(data), ensure_ascii=False, indent=indent, default=_blob, allow_nan=False)
    return UNSAFE.sub(lambda m: json.dumps(m.group(0))[1:-1], text)


def _finite(value: Any) -> Any:
    """Non-finite numbers as the strings "Infinity", "-Infinity" and "NaN"
    (JSON has no such numbers; a string keeps what the value was)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _blob(value: object) -> object:
    """A BLOB from `kbtui sql` as JSON, the way sqlite-utils writes one."""
    if isinstance(value, bytes):
        return {"$base64": True, "encoded": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_terminal() -> bool:
    return sys.stdout.isatty()


def blob_text(value: bytes) -> str:
    """A BLOB in a text format (CSV, TSV, a table): base64, marked as such."""
    return "base64:" + base64.b64encode(value).decode("ascii")


def _cell(value: object, shown: Callable[[str], str] | None) -> object:
    if isinstance(value, bytes):
        return blob_text(value)
    if shown is not None and isinstance(value, str):
        return shown(value)
    return value


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
        # piped: byte-exact. To a terminal: escapes made visible, as in a table
        shown = visible if to_terminal() else None
        writer.writerow([shown(c) for c in columns] if shown else columns)
        for r in rows:
            writer.writerow([_cell(v, shown) for v in r])
    else:
        from kbtui.cli import render

        render.rows_table(columns, rows)
