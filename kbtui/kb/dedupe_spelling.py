"""Names one or two edits apart, for duplicate candidates: a pass-join
self-join (Li et al., VLDB 2011; kbtui.kb.passjoin) over the compact
names of one kind.

Comparing every name with every other is quadratic; instead every name
is cut into one piece more than the edits it may differ by, and a name
within that many edits of another keeps one of its pieces intact, at a
position the edits bound. So each name looks up a few dozen exact keys
among the pieces of the names as long or a little shorter. The bound is
in Levenshtein edits, where a swap of two letters counts two: a single
swap is covered (see _probes), a swap and another edit may break every
piece, and such a pair is missed.
"""

from __future__ import annotations

from collections import defaultdict

from kbtui.kb import passjoin
from kbtui.kb.dedupe_blocks import FUZZY_CAP, Form, Found, Names, one_form_each, pair_compared
from kbtui.kb.dedupe_names import LONG_NAME, LONG_NAME_CAP, ONE_EDIT, compact, edit_budget

# Names of one length sharing one piece, beyond which the piece pairs none
# of them. No piece of the 100,000-entity benchmark's names reaches it (at
# most 220); at a million, pooled names share pieces such as "rovichs" by
# the thousand, and comparing them all took minutes. A pair of names whose
# only intact piece is that common is missed.
KEY_CAP = 1000


def near_spellings(names: Names, found: Found) -> None:
    """Names one or two edits apart (edit_budget of the shorter), by a
    pass-join self-join: the names of each length are cut into pieces
    (one more than their edit budget: kbtui.kb.passjoin with `segments`;
    two halves within one edit, longer and so more selective than the
    search index's thirds), then each name looks up its substrings among
    the pieces of the names as long or up to two letters shorter. Only the
    pieces of the last three lengths are held. A name whose pairs cannot
    reach the threshold on their names alone (short names: a typo in
    "Wang Wei" is another person more often than not) looks only if its
    entity has a birth date or identifier; pairs sharing an organisation
    come from the evidence blocks."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    by_compact: dict[str, list[Form]] = defaultdict(list)
    for f in names.forms:
        by_compact[compact(f.norm)].append(f)
    by_length: dict[int, list[str]] = defaultdict(list)
    for c in sorted(by_compact):
        by_length[len(c)].append(c)
    index: dict[int, dict[str, list[str]]] = {}  # length -> key -> names
    for n in sorted(by_length):
        index.pop(n - passjoin.MAX_EDITS - 1, None)
        edits = edit_budget(n)
        if not edits:
            continue
        keyed = index[n] = defaultdict(list)
        for s in by_length[n]:
            for key in passjoin.keys_of(s, edits + 1):
                keyed[key].append(s)
        for key in [k for k, held in keyed.items() if len(held) > KEY_CAP]:
            del keyed[key]  # too common a piece to block on: see KEY_CAP
        for s in by_length[n]:
            if not found.worth_pairing(_edit_weight(n), 0, by_compact[s]):
                continue
            seen: set[str] = set()
            for length in range(n - passjoin.MAX_EDITS, n + 1):
                budget = edit_budget(length)
                shorter = index.get(length)
                if budget and n - length <= budget and shorter:
                    for key in _probes(s, budget, length):
                        seen.update(shorter.get(key, ()))
            seen = {t for t in seen if len(t) < n or t < s}  # each pair once
            for other, d, _ in process.extract(s, list(seen), scorer=OSA.distance, score_cutoff=edits, limit=None):
                if d <= edit_budget(len(other)):
                    _pair_spellings(names, found, by_compact[other], by_compact[s], other, s)


def _edit_weight(length: int) -> float:
    """The most a name relation by one edit can weigh, the shorter name
    having `length` letters."""
    return ONE_EDIT + LONG_NAME * min(LONG_NAME_CAP, max(0, length - 10))


def _probes(s: str, edits: int, length: int) -> list[str]:
    """The keys a name of `length` within `edits` of `s` is stored under
    one of. With one edit and two pieces, a swap of the two letters either
    side of the cut breaks both: the keys of `s` with them swapped back
    cover it."""
    keys = passjoin.segment_keys(s, edits, length, edits + 1)
    if edits == 1 and length == len(s):
        cut = passjoin.pieces(length, 2)[1][0]
        keys += passjoin.keys_of(s[: cut - 1] + s[cut] + s[cut - 1] + s[cut + 1 :], 2)
    return keys


def _pair_spellings(names: Names, found: Found, left: list[Form], right: list[Form], a: str, b: str) -> None:
    ea, eb = one_form_each(left), one_form_each(right)
    if len(ea) * len(eb) > FUZZY_CAP:
        return  # "wangwei" x 16 and "wangfei" x 10: no evidence for any of the 160 pairs
    pair_compared(names, found, list(ea.values()), list(eb.values()), names.others(a, b))
