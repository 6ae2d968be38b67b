"""How big imported data may be: one place, read by every importer.

Data from elsewhere (a bundle someone sent, and later FtM and CSV files)
can be large by accident or by design. Each limit is far above anything a
real KB needs (the sample's largest source is 4 KB; a 1,000,000-entity KB
imports fine) and far below what would exhaust memory or time: past one,
the import stops with one line naming the file, the field and the limit,
and nothing is written.

Every limit can be raised (or lowered) with an environment variable,
`KBTUI_LIMIT_<NAME>` (e.g. KBTUI_LIMIT_SOURCE_BYTES=536870912).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from kbtui.kb.errors import KBError

MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    # a bundle's sources.toml or kb.toml: read whole, parsed in memory (~10x)
    toml_bytes: int = 256 * MiB
    # one stored source text: read whole, folded for anchoring (~3x)
    source_bytes: int = 64 * MiB
    # one text field (a summary, a note, a quote): shown in panes and tables
    value_chars: int = 1 * MiB
    # one name, alias, title or id-like field: indexed for search
    name_chars: int = 1_000
    # nesting of arrays and tables in TOML (and JSON): parsers recurse
    nesting: int = 32
    # places one quote may match before it is called ambiguous: each is
    # checked against prefix and suffix, so a 2-letter quote in a 10 MB
    # text would otherwise make a million checks
    quote_matches: int = 10_000


class LimitExceeded(KBError):
    exit_code = 1


def current() -> Limits:
    """The limits, with KBTUI_LIMIT_<NAME> overrides applied."""
    values: dict[str, int] = {}
    for f in fields(Limits):
        key = f"KBTUI_LIMIT_{f.name.upper()}"
        raw = os.environ.get(key)
        if raw is None:
            continue
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value <= 0:
            raise LimitExceeded(f"{key}={raw[:40]!r} is not a positive whole number", f"e.g. {key}={f.default}")
        values[f.name] = value
    return Limits(**values)


def env_name(limit: str) -> str:
    return f"KBTUI_LIMIT_{limit.upper()}"


def depth(value: object, limit: int) -> int:
    """The nesting depth of parsed TOML/JSON, counted without recursion (a
    value nested 100,000 deep must not overflow Python's stack here)."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: list[object] = list(item.values())
        elif isinstance(item, list):
            children = list(item)
        else:
            continue
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest
