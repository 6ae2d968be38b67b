"""Screening a list: every row of a CSV of names against the KB.

The batch analysts run against sanctions lists: for each name, the best
candidates with a score and the reasons for it. A row may also give a
birth date and a country; the candidates' own recorded birth-date,
nationality and country properties then raise or lower the score, and the
reason says so ("born 1952-07-11: matches", "nationality China, not
Russia"). Nothing in the KB changes.

Rows are searched in parallel (one read-only connection per process), in
chunks, and written back in input order, so 10,000 rows against a million
entities take under a minute on two cores.
"""

from __future__ import annotations

import csv
import itertools
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from kbtui.kb import db, limits
from kbtui.kb.errors import KBError
from kbtui.kb.normalize import norm
from kbtui.kb.search import search

CHUNK = 200  # rows a worker takes at a time
# what lists name: an event or a concept matching a name is noise here
SCREENED_KINDS = ("person", "organisation")
NAME_HEADERS = ("name", "full name", "fullname", "full_name", "entity", "person", "caption")
BIRTH_HEADERS = ("birth date", "birth_date", "birthdate", "date of birth", "dob", "born", "birth-date")
COUNTRY_HEADERS = ("country", "nationality", "citizenship", "countries", "jurisdiction")
# score changes, out of 100, for what the row's extra columns say
SAME_DATE, SAME_YEAR, OTHER_DATE = 10.0, 4.0, -20.0
SAME_COUNTRY, OTHER_COUNTRY = 5.0, -10.0


_SURROGATE = re.compile("[\udc80-\udcff]")
_SEPARATORS = re.compile(r"[;,/|]")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


class ListError(KBError):
    exit_code = 2


@dataclass(frozen=True)
class Row:
    number: int  # data row, 1 = the first after the header
    name: str
    birth: str = ""
    country: str = ""


@dataclass
class Candidate:
    id: str
    kind: str
    name: str
    score: float
    matched: str | None
    reasons: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "score": round(self.score, 1),
            "matched": self.matched,
            "reason": "; ".join(self.reasons),
        }


@dataclass(frozen=True)
class Columns:
    name: str
    birth: str | None
    country: str | None


def _pick(headers: list[str], wanted: str | None, known: tuple[str, ...], what: str, path: Path) -> str | None:
    if wanted is not None:
        if wanted not in headers:
            raise ListError(
                f"{path}: no column {wanted!r} for the {what}",
                "the columns are: " + ", ".join(repr(h) for h in headers[:20]),
            )
        return wanted
    lowered = {h.strip().casefold(): h for h in headers}
    return next((lowered[k] for k in known if k in lowered), None)


def columns(path: Path, headers: list[str], name: str | None, birth: str | None, country: str | None) -> Columns:
    """Which columns hold the name, birth date and country: as given, or
    found by their headers ("name", "dob", "nationality", ...); the name
    column falls back to the first."""
    picked = _pick(headers, name, NAME_HEADERS, "name", path)
    if picked is None:
        if not headers:
            raise ListError(f"{path}: the file is empty", "give a CSV with a header row and a column of names")
        picked = headers[0]
    return Columns(
        picked,
        _pick(headers, birth, BIRTH_HEADERS, "birth date", path),
        _pick(headers, country, COUNTRY_HEADERS, "country", path),
    )


def read_list(
    path: Path, name: str | None = None, birth: str | None = None, country: str | None = None
) -> tuple[Columns, Iterator[Row]]:
    """The columns used and the rows of a CSV list (UTF-8, a header row).
    Fields are limited as names are (kbtui.kb.limits); a bad file stops at
    its first problem with FILE:row."""
    lim = limits.current()
    csv.field_size_limit(lim.value_chars)
    try:
        # undecodable bytes become surrogates, found row by row below: a
        # strict decoder would fail a whole read-ahead buffer, rows too early
        handle = path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
    except OSError as exc:
        raise ListError(f"{path}: cannot read it ({exc.strerror or exc})", "give the path of a CSV file") from None
    # strict: an unclosed quote is an error, not a field swallowing the rows after it
    reader = csv.reader(handle, strict=True)
    try:
        headers = next(reader, [])
        _check(headers, path, "header row")
    except (UnicodeDecodeError, csv.Error) as exc:
        handle.close()
        raise ListError(f"{path}: header row: {_why(exc)}", "save the list as UTF-8 CSV") from None
    except ListError:
        handle.close()
        raise
    cols = columns(path, headers, name, birth, country)
    at = {h: i for i, h in enumerate(headers)}

    def rows() -> Iterator[Row]:
        number = 0
        try:
            for number, record in enumerate(reader, start=1):
                _check(record, path, f"row {number}")
                values = {h: (record[i] if i < len(record) else "") for h, i in at.items()}
                text = values[cols.name].strip()
                if len(text) > lim.name_chars:
                    raise ListError(
                        f"{path}:row {number}: the name is {len(text):,} characters,"
                        f" over the limit of {lim.name_chars:,}",
                        "KBTUI_LIMIT_NAME_CHARS raises it",
                    )
                yield Row(
                    number,
                    text,
                    values[cols.birth].strip() if cols.birth else "",
                    values[cols.country].strip() if cols.country else "",
                )
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ListError(f"{path}:row {number + 1}: {_why(exc)}", "save the list as UTF-8 CSV") from None
        finally:
            handle.close()

    return cols, rows()


def _check(record: list[str], path: Path, where: str) -> None:
    """Refuse a record holding bytes that are not UTF-8 or a NUL."""
    for value in record:
        if _SURROGATE.search(value):
            raise ListError(f"{path}:{where}: not UTF-8 text", "save the list as UTF-8 CSV")
        if "\x00" in value:
            raise ListError(f"{path}:{where}: a NUL character", "a CSV of names holds none: is this the right file?")


def _why(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return f"not CSV ({exc})"


def screen_rows(
    conn: sqlite3.Connection, rows: list[Row], top: int, kinds: tuple[str, ...] | None = SCREENED_KINDS
) -> list[tuple[Row, list[Candidate]]]:
    """The best `top` candidates of each row (of `kinds`; None: any), best
    first."""
    out: list[tuple[Row, list[Candidate]]] = []
    for row in rows:
        if not row.name:
            out.append((row, []))
            continue
        # more than asked: other kinds are dropped, and a birth date or
        # country may reorder them
        hits = search(conn, row.name, limit=max(top * 3, 10))
        found = [
            Candidate(h.id, h.kind, h.name, h.score, h.matched, [h.reason])
            for h in hits
            if kinds is None or h.kind in kinds
        ]
        if row.birth or row.country:
            _weigh(conn, row, found)
            found.sort(key=lambda c: -c.score)
        out.append((row, found[:top]))
    return out


def _weigh(conn: sqlite3.Connection, row: Row, found: list[Candidate]) -> None:
    """Adjust scores by the candidates' recorded birth dates and countries."""
    if not found:
        return
    ids = [c.id for c in found]
    facts: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for entity_id, prop, value, label in conn.execute(
        "SELECT p.entity_id, p.property, p.value, coalesce(e.name, p.value) FROM properties p"
        " LEFT JOIN entities e ON e.id = p.value"
        f" WHERE p.entity_id IN ({','.join('?' * len(ids))})"
        " AND p.property IN ('birth-date', 'nationality', 'country')",
        ids,
    ):
        facts.setdefault(entity_id, {}).setdefault(prop, []).append((value, label))
    # a cell may name several countries ("Russia; China"), each as the KB
    # names it or by one of its aliases ("USA", "Russian Federation")
    wanted = {norm(part) for part in _SEPARATORS.split(row.country)} - {""}
    aliases = _aliases(
        conn, {v for places in facts.values() for p in ("nationality", "country") for v, _ in places.get(p, [])}
    )
    birth = row.birth if _DATE.fullmatch(row.birth) else ""
    for c in found:
        base = c.score
        f = facts.get(c.id, {})
        births = [v for v, _ in f.get("birth-date", [])]
        if row.birth and not birth:
            c.reasons.append(f"birth date {row.birth!r} not read (YYYY, YYYY-MM or YYYY-MM-DD)")
        elif birth and births:
            _weigh_birth(c, birth, births)
        places = f.get("nationality", []) + f.get("country", [])
        if wanted and places:
            names = {norm(v) for v, _ in places} | {norm(label) for _, label in places}
            names |= {a for v, _ in places for a in aliases.get(v, ())}
            shown = places[0][1]
            if wanted & names:
                c.score += SAME_COUNTRY
                c.reasons.append(f"country {shown}: matches")
            else:
                c.score += OTHER_COUNTRY
                c.reasons.append(f"country {shown}, not {row.country}")
        # only a name matched exactly reads 100: agreeing facts never make a
        # misspelt one certain, nor lower an exact one
        c.score = max(0.0, min(100.0 if base >= 100.0 else 99.0, c.score))


def _aliases(conn: sqlite3.Connection, entity_ids: set[str]) -> dict[str, set[str]]:
    """entity id -> the normalised aliases of those that are entities."""
    out: dict[str, set[str]] = {}
    # not a metonym or descriptor: "Moscow" stands for Russia, it is not its name
    sql = "SELECT entity_id, alias FROM aliases WHERE entity_id IN ({marks}) AND kind NOT IN ('descriptor', 'metonym')"
    for entity_id, alias in db.rows_in(conn, sql, sorted(entity_ids)):
        out.setdefault(entity_id, set()).add(norm(alias))
    return out


def _weigh_birth(c: Candidate, birth: str, births: list[str]) -> None:
    """A birth date against the recorded ones, at the precision both have:
    the same date, or one that a partial date (a year, a month) covers,
    raises the score; the same year of two different full dates does not."""
    if birth in births:
        c.score += SAME_DATE
        c.reasons.append(f"born {birth}: matches")
        return
    fits = [
        b
        for b in births
        if (len(b) < len(birth) and birth.startswith(b)) or (len(birth) < len(b) and b.startswith(birth))
    ]
    if fits:
        c.score += SAME_YEAR
        c.reasons.append(f"born {birth}: fits {fits[0]}")
        return
    c.score += OTHER_DATE
    c.reasons.append(f"born {births[0]}, not {birth}")


# -- in parallel ---------------------------------------------------------------

_worker_conn: sqlite3.Connection | None = None


def _start_worker(path: str) -> None:
    global _worker_conn
    _worker_conn = db.connect_readonly(path)


def _work(job: tuple[list[Row], int, tuple[str, ...] | None]) -> list[tuple[Row, list[Candidate]]]:
    assert _worker_conn is not None
    return screen_rows(_worker_conn, *job)


def _chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def screen(
    path: Path | str,
    rows: Iterator[Row],
    top: int = 3,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    kinds: tuple[str, ...] | None = SCREENED_KINDS,
) -> Iterator[tuple[Row, list[Candidate]]]:
    """Every row's candidates, in input order, searched by `workers`
    processes (default: one per CPU; 1 searches here). `progress` is told
    how many rows each chunk held as it is done."""
    workers = workers or os.cpu_count() or 1
    # a short list is searched here: starting processes would cost more
    head = list(itertools.islice(rows, 2 * CHUNK))
    rows = itertools.chain(head, rows)
    if workers <= 1 or len(head) < 2 * CHUNK:
        conn = db.connect_readonly(path)
        try:
            for chunk in _chunks(rows, CHUNK):
                yield from screen_rows(conn, chunk, top, kinds)
                if progress:
                    progress(len(chunk))
        finally:
            conn.close()
        return
    db.connect_readonly(path).close()  # an unusable KB fails here, once, not in every worker
    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(str(path),)) as pool:
        # map() keeps input order; it submits every chunk at once, so rows
        # are read ahead (a few MB for 10,000), never the results
        for done in pool.map(_work, ((chunk, top, kinds) for chunk in _chunks(rows, CHUNK))):
            yield from done
            if progress:
                progress(len(done))
