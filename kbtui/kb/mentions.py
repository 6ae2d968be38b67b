"""Mentions of known names in a few texts, at a cost that does not grow with
the KB.

`index.rebuild_mentions` builds one regex of every name form and runs it
over every text: right for a whole rebuild, but a curator adding one entity
or one article to a KB of 10,000 entities waited 35 s for it (and above
MENTIONS_MAX_FORMS forms it finds nothing at all). Here a text is read word
by word instead: every run of up to MAX_WORDS words is looked up in the
name index (`names.compact`), and each hit is checked against the text as
the regex would check it. The rules are rebuild_mentions' own: whole words,
case as written, the longest name at each place, a form two entities share
skipped unless all but one hold it only figuratively (a metonym or a
descriptor). When names change, the texts that may hold them are found
with the full-text index and read again.
"""

from __future__ import annotations

import bisect
import re
import sqlite3
from collections.abc import Iterable, Iterator

from kbtui.kb import vocab
from kbtui.kb.normalize import compact, norm

# the longest name form looked up, in words ("Ministry of Industry and
# Information Technology of the People's Republic of China" is 13); a
# longer one is found by rebuild_mentions only
MAX_WORDS = 20
_WORD = re.compile(r"\w+")
_MARKS = re.compile(r"(?<!\S)[^\w\s]+")
_LOOKUP_CHUNK = 500
HEAD = 3  # characters of a name's key that name_heads keeps
HEADS_FROM = 20  # texts read at once from which name_heads pays for itself
LONG_TEXT = 1_000_000  # characters: a longer text is left to the regex when it can be


def name_heads(conn: sqlite3.Connection) -> dict[str, int]:
    """How name forms' keys begin: their first HEAD characters (a shorter
    key whole) -> the length of the longest key that begins so. A run of
    words whose key begins otherwise, or is longer, is no name, nor is any
    longer run from the same start."""
    sql = f"SELECT substr(compact, 1, {HEAD}), max(length(compact)) FROM names GROUP BY 1"
    return {str(head): int(longest) for head, longest in conn.execute(sql)}


def _no_name(key: str, heads: dict[str, int]) -> bool:
    """Whether `key` and every key it begins can be no name's."""
    return len(key) >= HEAD and len(key) > heads.get(key[:HEAD], -1)


def refresh_sources(
    conn: sqlite3.Connection, source_ids: Iterable[str], prune: bool | None = None, long: list[str] | None = None
) -> int:
    """Redo the mentions of these text sources; returns how many they have.
    `prune`: drop runs that begin no name (default: when there are many
    texts). `long`: texts over LONG_TEXT characters are not read but
    added to it (their mentions cleared): a word list of a 10 MB text
    holds ~600 MB, where the one regex of a whole rebuild streams."""
    count = 0
    patterns: dict[str, re.Pattern[str]] = {}
    raw: dict[str, set[str]] = {}
    ids = list(dict.fromkeys(source_ids))
    # many texts: first learn how names begin, so a run of words that starts
    # no name is dropped after a word or two instead of grown to MAX_WORDS
    # (a text's cost falls tenfold; reading the names costs ~1 s at 1M)
    heads = name_heads(conn) if (len(ids) >= HEADS_FROM if prune is None else prune) else None
    for source_id in ids:
        row = conn.execute("SELECT text FROM sources WHERE id = ? AND format = 'text'", (source_id,)).fetchone()
        conn.execute("DELETE FROM mentions WHERE source_id = ?", (source_id,))
        if row is None:
            continue
        if long is not None and len(row[0]) > LONG_TEXT:
            long.append(source_id)
            continue
        rows = [(source_id, *m) for m in _find(conn, row[0], patterns, raw, heads)]
        conn.executemany("INSERT OR IGNORE INTO mentions VALUES (?, ?, ?, ?)", rows)
        count += len(rows)
    return count


def refresh_entities(conn: sqlite3.Connection, forms: Iterable[str]) -> int:
    """After entities' names changed (or they were added or removed): redo
    the mentions of every text holding one of the name `forms` that came or
    went (a name that stayed marks the same places as before). Returns the
    number of texts read."""
    sources: set[str] = set()
    for form in set(forms):
        sources.update(_texts_with(conn, form))
    refresh_sources(conn, sorted(sources))
    return len(sources)


def name_forms(conn: sqlite3.Connection, entity_ids: Iterable[str]) -> set[tuple[str, str]]:
    """(entity id, name form) of these entities in the name index: read
    before and after names change, their difference is what came or went."""
    ids = list(dict.fromkeys(entity_ids))
    out: set[tuple[str, str]] = set()
    for i in range(0, len(ids), _LOOKUP_CHUNK):
        part = ids[i : i + _LOOKUP_CHUNK]
        out.update(
            conn.execute(f"SELECT entity_id, name FROM names WHERE entity_id IN ({', '.join('?' * len(part))})", part)
        )
    return out


def _texts_with(conn: sqlite3.Connection, name: str) -> list[str]:
    """Text sources whose full-text index has the name's words in a row."""
    words = _WORD.findall(name)
    if not words or len(name) < 2:
        return []
    phrase = '"' + " ".join(w.replace('"', "") for w in words) + '"'
    try:
        return [
            r[0]
            for r in conn.execute(
                "SELECT s.id FROM sources_fts f JOIN sources s ON s.rowid = f.rowid"
                " WHERE sources_fts MATCH ? AND s.format = 'text'",
                (phrase,),
            )
        ]
    except sqlite3.OperationalError:  # a phrase FTS5 cannot parse: no candidates from it
        return []


def _find(
    conn: sqlite3.Connection,
    text: str,
    patterns: dict[str, re.Pattern[str]],
    raw: dict[str, set[str]],
    heads: dict[str, int] | None = None,
) -> list[tuple[str, int, int]]:
    """(entity id, start, end) of each mention in `text`, left to right."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    # a run starts at a word, or at the marks just before one that begin a
    # token ("’Ndrangheta", ".NET")
    starts = [(start, i) for i, (start, _) in enumerate(words)]
    first_word = {start: i for i, (start, _) in enumerate(words)}
    for marks in _MARKS.finditer(text):
        if marks.end() in first_word:
            starts.append((marks.start(), first_word[marks.end()]))
    spans: dict[str, list[int]] = {}  # compact key -> starts of the runs of words that have it
    keys = _RunKeys(text)
    for start, i in starts:
        if heads is not None:
            # (a word has no white space: its run of one is one piece's key)
            first = keys.key(text[start : words[i][1]])
            if _no_name(first, heads):
                continue
        for key in keys.runs(start, [end for _, end in words[i : i + MAX_WORDS]], heads):
            if key:
                spans.setdefault(key, []).append(start)
    found: dict[int, tuple[int, int, str]] = {}  # start -> (form length, end, owner)
    for key, forms in _forms(conn, list(spans), raw).items():
        for name, owners in forms.items():
            owner = _owner(conn, name, owners)
            if owner is None:
                continue
            pattern = patterns.get(name)
            if pattern is None:
                pattern = patterns[name] = re.compile(r"(?<!\w)" + flexible(name) + r"(?!\w)")
            for start in spans[key]:
                m = pattern.match(text, start)
                if m and (start not in found or len(name) > found[start][0]):
                    found[start] = (len(name), m.end(), owner)
    out: list[tuple[str, int, int]] = []
    last = 0
    for start in sorted(found):
        if start < last:
            continue
        _, end, owner = found[start]
        out.append((owner, start, end))
        last = end
    return out


class _RunKeys:
    """compact(norm(text[start:end])) for the runs of up to MAX_WORDS words
    from each start, built a piece at a time.

    norm works character by character and white space only separates, so
    the key of a run is the keys of its white-space-separated pieces run
    together (index._normaliser relies on the same, and a test checks
    it). Each piece is normalised once (pieces repeat: "the", "said"), and
    a run's key is the one before it plus the piece the next word ends
    in, so a long text costs a dictionary lookup per run, not a norm of
    up to 20 words (a 560 KB article took 9 s to re-mark, 3.5 million norms)."""

    _PIECE = re.compile(r"\S+")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pieces = [(m.start(), m.end()) for m in self._PIECE.finditer(text)]
        self.piece_starts = [a for a, _ in self.pieces]
        self.memo: dict[str, str] = {}

    def key(self, piece: str) -> str:
        got = self.memo.get(piece)
        if got is None:
            got = self.memo[piece] = compact(norm(piece))
        return got

    def runs(self, start: int, ends: list[int], heads: dict[str, int] | None = None) -> Iterator[str]:
        """The key of text[start:end] for each end, in order (ends ascending);
        with `heads` (name_heads), none once the keys can begin no name."""
        text, pieces = self.text, self.pieces
        at = max(0, bisect.bisect_right(self.piece_starts, start) - 1)
        done = ""  # keys of the pieces wholly before the current one
        for end in ends:
            # move on to the piece `end` falls in, adding the ones passed whole
            while at + 1 < len(pieces) and pieces[at + 1][0] < end:
                done += self.key(text[max(start, pieces[at][0]) : pieces[at][1]])
                at += 1
            key = done + self.key(text[max(start, pieces[at][0]) : end])
            # every later key begins with this one (norm is character by
            # character): once it begins no name, none of them is one
            if heads is not None and _no_name(key, heads):
                return
            yield key


def _forms(conn: sqlite3.Connection, keys: list[str], raw: dict[str, set[str]]) -> dict[str, dict[str, set[str]]]:
    """compact key -> each name form (2 characters or more) with that key ->
    the entities that have it. The name index finds the entities; their
    forms are read as written (the index keeps one per spelling that
    normalises alike, and "the Times" is not "The Times" to a reader)."""
    out: dict[str, dict[str, set[str]]] = {}
    for i in range(0, len(keys), _LOOKUP_CHUNK):
        part = keys[i : i + _LOOKUP_CHUNK]
        for key, entity_id in conn.execute(
            f"SELECT DISTINCT compact, entity_id FROM names WHERE compact IN ({', '.join('?' * len(part))})", part
        ).fetchall():
            for form in _raw_forms(conn, entity_id, raw):
                if compact(norm(form)) == key:
                    out.setdefault(key, {}).setdefault(form, set()).add(entity_id)
    return out


def _raw_forms(conn: sqlite3.Connection, entity_id: str, raw: dict[str, set[str]]) -> set[str]:
    """An entity's names as written (index.name_rows' forms), memoised."""
    forms = raw.get(entity_id)
    if forms is None:
        forms = {
            r[0]
            for r in conn.execute(
                "SELECT name FROM entities WHERE id = ?1 UNION SELECT alias FROM aliases WHERE entity_id = ?1"
                f" UNION SELECT value FROM properties WHERE entity_id = ?1 AND property IN {vocab.NAME_PROPERTIES_SQL}",
                (entity_id,),
            )
            if isinstance(r[0], str) and len(r[0]) >= 2
        }
        raw[entity_id] = forms
    return forms


def _owner(conn: sqlite3.Connection, name: str, owners: set[str]) -> str | None:
    """The one entity a form means, or None when it is shared, unless all
    but one hold it only figuratively (rebuild_mentions' rule)."""
    if len(owners) > 1:
        # by the owners' own rows (primary key entity_id, alias): a lookup by
        # alias alone would scan every alias of the KB
        ids = sorted(owners)
        figurative = {
            r[0]
            for r in conn.execute(
                f"SELECT entity_id FROM aliases WHERE entity_id IN ({', '.join('?' * len(ids))}) AND alias = ?"
                " AND kind IN ('descriptor', 'metonym')",
                (*ids, name),
            )
        }
        literal = owners - figurative
        owners = literal if len(literal) == 1 else owners
    return next(iter(owners)) if len(owners) == 1 else None


def flexible(name: str) -> str:
    """A regex for a name that tolerates the source's spacing and quotes."""
    parts = []
    for ch in name:
        if ch.isspace():
            parts.append(r"\s+")
        elif ch in "'’":
            parts.append("['’]")
        else:
            parts.append(re.escape(ch))
    return "".join(parts)
