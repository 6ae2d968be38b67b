"""Typo candidates by pass-join, for whole names and for single words.

Li, Deng, Wang, Feng: "Pass-Join: a partition-based method for similarity
joins", VLDB 2011. Every indexed string of length l is cut into SEGMENTS
pieces, each stored under the key '<l>:<piece>:<text>' (name_grams for the
compact names, word_grams for the words of names). If a string is within
SEGMENTS - 1 edits of a query, one of its pieces occurs intact in the query,
shifted by at most that many letters, and the query's length bounds l. So a
query looks up a few dozen exact keys instead of comparing itself with
every name.

The index (kbtui.kb.index) cuts strings with `pieces`; search asks for the
keys with `segment_keys`. Both live here so they cannot disagree.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache

SEGMENTS = 3
MAX_EDITS = SEGMENTS - 1


@lru_cache(maxsize=1024)
def pieces(length: int, segments: int = SEGMENTS) -> tuple[tuple[int, int], ...]:
    """(start, length) of each of `segments` pieces of a string of `length`
    letters: the shorter pieces first. (Cached: a self-join cuts a hundred
    thousand names of a few dozen lengths.)"""
    q, r = divmod(length, segments)
    out, start = [], 0
    for i in range(segments):
        size = q + (1 if i >= segments - r else 0)
        out.append((start, size))
        start += size
    return tuple(out)


def keys_of(text: str, segments: int = SEGMENTS) -> list[str]:
    """The keys a string is stored under (none below `segments` letters)."""
    n = len(text)
    if n < segments:
        return []
    return [f"{n}:{i}:{text[a : a + size]}" for i, (a, size) in enumerate(pieces(n, segments))]


def segment_keys(qc: str, edits: int, length: int | None = None, segments: int = SEGMENTS) -> list[str]:
    """Keys that every string within `edits` of `qc` is stored under one of.

    For each possible length l and each piece i, the query substrings that
    can equal the piece. With the index's full budget (MAX_EDITS) they start
    within the multi-match-aware window of Pass-Join (Li et al. 2011,
    section 4.2); with a smaller budget, within the position-aware window:
    an intact piece shifted by s needs |s| edits before it and |l - |q| + s|
    after it.

    `length`: only the keys of strings of that length (a self-join in
    order of length looks only among the strings already seen).
    `segments`: the pieces the strings were cut into (an index of its own
    may cut them into edits + 1, fewer and longer, so more selective)."""
    keys: list[str] = []
    n = len(qc)
    targets = range(max(segments, n - edits), n + edits + 1)
    if length is not None:
        targets = range(length, length + 1) if length in targets else range(0)
    for target in targets:
        delta = n - target
        slack = (edits - abs(delta)) // 2
        for i, (start, size) in enumerate(pieces(target, segments)):
            if size == 0:
                continue
            if edits == segments - 1:
                lo = max(0, start - i, start + delta - (edits - i))
                hi = min(n - size, start + i, start + delta + (edits - i))
            else:
                lo = max(0, start + min(0, delta) - slack)
                hi = min(n - size, start + max(0, delta) + slack)
            for p in range(lo, hi + 1):
                keys.append(f"{target}:{i}:{qc[p : p + size]}")
    return list(dict.fromkeys(keys))


def keys_with_swaps(qc: str, edits: int) -> list[str]:
    """segment_keys, plus those of the query with each neighbouring pair
    swapped back. Pass-join guarantees strings within `edits` Levenshtein
    edits; a swap of two letters is two such edits and can break two pieces
    at once. The extra keys are few, and mostly absent from the index."""
    keys = segment_keys(qc, edits)
    for i in range(len(qc) - 1):
        if qc[i] != qc[i + 1]:
            keys += segment_keys(qc[:i] + qc[i + 1] + qc[i] + qc[i + 2 :], edits)
    return list(dict.fromkeys(keys))


def pool(conn: sqlite3.Connection, table: str, column: str, keys: list[str]) -> set[str]:
    """The distinct strings `table` stores under any of `keys`, read from
    the keys' B-tree as one string (no join, no row objects)."""
    if not keys:
        return set()
    try:
        blob = conn.execute(
            f"SELECT group_concat({column}, ' ') FROM {table} WHERE gram IN ({','.join('?' * len(keys))})", keys
        ).fetchone()[0]
    except sqlite3.OperationalError:
        return set()  # a KB indexed before this table held pieces: no typo candidates
    return set(blob.split(" ")) if blob else set()


def neighbours(
    conn: sqlite3.Connection, table: str, column: str, qc: str, edits: int, want: int, limit: int, extra: int = 0
) -> list[tuple[str, int]]:
    """(string, edits) of the stored strings within `edits` + `extra` edits
    of `qc` (optimal string alignment: a swap is one edit), closest first,
    at most `limit`. The keys cover `edits`; `extra` keeps the strings they
    bring that are a little further (two typos on neighbouring letters
    often make three edits).

    Short queries go in two steps: strings one edit away first (few keys),
    and two edits only if fewer than `want` were found, since otherwise no
    string two edits away could rank among the first `want` anyway."""
    from rapidfuzz import process  # here, not at the top: see kbtui.kb.search._rank
    from rapidfuzz.distance import OSA

    steps = [1, edits] if edits > 1 and len(qc) <= 12 else [edits]
    seen_keys: set[str] = set()
    found: set[str] = set()
    close: list[tuple[str, int, int]] = []
    for budget in steps:
        keys = [k for k in keys_with_swaps(qc, budget) if k not in seen_keys]
        seen_keys.update(keys)
        found |= pool(conn, table, column, keys)
        close = process.extract(qc, list(found), scorer=OSA.distance, score_cutoff=edits + extra, limit=None)
        if sum(1 for c in close if c[1] <= budget) >= want:
            break
    close.sort(key=lambda c: (c[1], c[0]))
    return [(c[0], int(c[1])) for c in close[:limit]]
