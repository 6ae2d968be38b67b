"""Word-level search: a query's words against the words of names.

People type parts of names, in any order, with a typo in one word:
"Legal Affairs Commission", "Tsvetkov, Oleg", "O. Tsvetkov", "Federal
Securty", "Wuerth". Whole-name matching (kbtui.kb.search) misses these,
so every word of the query is matched against the words of names, by
names_words (an FTS5 index of every name's words), names_vocab (its
vocabulary) and word_grams (pass-join keys of that vocabulary, for typos):

* a word matches a name word exactly, as its prefix, within 1-2 edits
  (WORD_BUDGET), or after German folding (ue/oe/ae for u/o/a);
* a one-letter word is an initial: it matches a name word starting with
  it ("N. Patrushev"), and is checked here, not looked up (a one-letter
  prefix names half the vocabulary);
* little words ("of", "the") count when present but are not required.

Candidates come in stages, cheapest first, each only if the one before
found too few: every word as typed (the last also as a prefix, since the
user may still be typing), every word with its typo neighbours and as a
prefix, then every word but one. `match` then says how well a name's
words cover the query, for ranking and for the reason shown with a hit.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass

from kbtui.kb import passjoin

# words a query may hold that names rarely carry meaning in
STOP_WORDS = frozenset(
    {"of", "the", "and", "for", "in", "on", "at", "to", "an", "de", "del", "la", "le", "du", "des"}
    | {"der", "den", "von", "van", "da", "di", "el"}
)
MAX_JOINED = 4  # queries of up to this many words also try neighbouring words as one
MATCH_LIMIT = 600  # names taken from one full-text query
TYPO_WORDS = 30  # vocabulary words kept per query word from the typo stage
FOLDS = (("ue", "u"), ("oe", "o"), ("ae", "a"))


def word_budget(length: int) -> int:
    """Edits tolerated in one query word of this many letters."""
    if length < 4:
        return 0
    return 1 if length < 7 else 2


def folded(word: str) -> str:
    """German transliteration folded to the plain vowel, as kbtui's own
    normalisation writes ü, ö, ä ("wuerth" -> "wurth")."""
    for a, b in FOLDS:
        word = word.replace(a, b)
    return word


@dataclass(frozen=True)
class QueryWord:
    text: str
    initial: bool  # one letter: "N." in "N. Patrushev"
    stop: bool  # a little word, not required
    last: bool  # the word being typed: a prefix is as good as a match
    at: int = 0  # its place in the query (words next to each other may be one)


def parse(qn: str) -> list[QueryWord]:
    """The words of a normalised query in order, each once, except that
    initials repeat ("A. A. Efimov": two A-names)."""
    seen: set[str] = set()
    words = []
    for w in qn.split():
        if w not in seen or (len(w) == 1 and w.isalpha()):
            words.append(w)
            seen.add(w)
    content = [w for w in words if len(w) > 1 and w not in STOP_WORDS]
    out = []
    for i, w in enumerate(words):
        # all little words ("the of and"): then they are what was asked for
        stop = w in STOP_WORDS and bool(content)
        out.append(QueryWord(w, len(w) == 1 and w.isalpha(), stop, i == len(words) - 1, i))
    return out


def required(qwords: list[QueryWord]) -> list[QueryWord]:
    """The words a name must match to hold every word of the query."""
    return [w for w in qwords if not w.stop]


def joined(qwords: list[QueryWord], i: int) -> list[QueryWord]:
    """`qwords` with words i and i + 1 made one ("wen", "qing": "wenqing")."""
    a, b = qwords[i], qwords[i + 1]
    return [*qwords[:i], QueryWord(a.text + b.text, False, False, b.last, a.at), *qwords[i + 2 :]]


def _term(word: str, prefix: bool = False) -> str:
    return f'"{word}"' + ("*" if prefix else "")


class Candidates:
    """Name row ids for the words of one query, gathered in stages."""

    def __init__(self, conn: sqlite3.Connection, qwords: list[QueryWord]) -> None:
        self.conn = conn
        self.lookup = [w for w in required(qwords) if not w.initial]
        self.initials = [w.text for w in qwords if w.initial]
        self.typos: dict[str, list[tuple[str, int]]] = {}

    def typo_words(self, word: str) -> list[tuple[str, int]]:
        """(vocabulary word, edits) within the word's budget, closest first."""
        if word not in self.typos:
            budget = word_budget(len(word))
            self.typos[word] = (
                passjoin.neighbours(self.conn, "word_grams", "word", word, budget, want=TYPO_WORDS, limit=TYPO_WORDS)
                if budget
                else []
            )
        return self.typos[word]

    def terms(self, w: QueryWord, relaxed: bool, prefix: bool = True) -> list[str]:
        out = [_term(w.text)]
        if folded(w.text) != w.text:
            out.append(_term(folded(w.text)))
        # a prefix of 2-3 letters ("bin"*, "al"*) spans thousands of words:
        # only for the word still being typed, and never of 2 letters (names
        # that start as typed come from the whole-name prefix stage)
        if prefix and ((w.last and len(w.text) >= 3) or (relaxed and len(w.text) >= 4)):
            out.append(_term(w.text, prefix=True))
        if relaxed:
            out += [_term(t) for t, d in self.typo_words(w.text) if d]
        return list(dict.fromkeys(out))

    def _names_holding(self, w: QueryWord) -> int:
        """How many names hold the word as typed or one of its typo
        neighbours (names_vocab's document counts)."""
        total = 0
        for term in dict.fromkeys([w.text, folded(w.text), *(t for t, _ in self.typo_words(w.text))]):
            row = self.conn.execute("SELECT doc FROM names_vocab WHERE term = ?", (term,)).fetchone()
            total += row[0] if row else 0
        return total

    def _all_of(self, words: list[QueryWord], relaxed: bool, prefix: bool = True) -> list[int]:
        expr = " AND ".join("(" + " OR ".join(self.terms(w, relaxed, prefix)) + ")" for w in words)
        if not self.initials:
            rows = self.conn.execute(
                f"SELECT rowid FROM names_words WHERE names_words MATCH ? LIMIT {MATCH_LIMIT}", (expr,)
            )
            return [r[0] for r in rows]
        # Initials filter the names the words found, row by row: as a
        # full-text prefix ("v"*) one letter would span a twentieth of the
        # vocabulary, and without them the first MATCH_LIMIT Potapovs need
        # not include the one whose name starts with V.
        # a repeated initial ("A. A. Efimov") needs as many words with it
        patterns = [f"*{f' {letter}*' * count}" for letter, count in Counter(self.initials).items()]
        rows = self.conn.execute(
            "SELECT f.rowid FROM names_words f JOIN names n ON n.id = f.rowid WHERE names_words MATCH ?"
            + " AND (' ' || n.norm) GLOB ?" * len(patterns)
            + f" LIMIT {MATCH_LIMIT}",
            (expr, *patterns),
        )
        return [r[0] for r in rows]

    def gather(self, want: int, some_words: bool = True) -> tuple[list[int], bool]:
        """Name row ids, and whether they hold every word (else all but
        one; not looked for unless `some_words`). Empty when the query has
        no word to look up."""
        if not self.lookup:
            return [], True
        try:
            # the words as typed first: when they give a page, the last
            # word's prefix ("oleg"* is also every Olegovich) is not read
            ids = self._all_of(self.lookup, relaxed=False, prefix=False)
            if len(ids) < want:
                # too few: names whose last word starts as typed (names that
                # start as typed come from the whole-name prefix stage)
                ids = list(dict.fromkeys(ids + self._all_of(self.lookup, relaxed=False)))
            if len(ids) < want:
                ids = list(dict.fromkeys(ids + self._all_of(self.lookup, relaxed=True)))
            if not ids and 2 <= len(self.lookup) <= MAX_JOINED:
                # no name holds them all: maybe two words were typed for one
                # ("wen ching", "wen qing chen" for Chen Wenqing); each
                # neighbouring pair as one word
                for i in range(len(self.lookup) - 1):
                    if self.lookup[i].at + 1 == self.lookup[i + 1].at:  # typed side by side
                        ids = list(dict.fromkeys(ids + self._all_of(joined(self.lookup, i), relaxed=True)))
            if ids or len(self.lookup) < 2 or not some_words:
                return ids, True
            # No name holds every word: those holding all but one ("meeting
            # in Moscow": no name says "meeting"). The words left out first
            # are those fewest names hold in any spelling tried, most likely
            # mistyped; two tries at most, each a full-text query, merged
            # ("Kalashnikov Works": Kalashnikov Concern and Kalinin Works).
            some: list[int] = []
            for skip in sorted(self.lookup, key=self._names_holding)[:2]:
                some += self._all_of([w for w in self.lookup if w is not skip], relaxed=True)
            return list(dict.fromkeys(some)), False
        except sqlite3.OperationalError:
            return [], True  # a KB indexed before names_words existed: whole-name search only


@dataclass(frozen=True)
class WordMatch:
    matched: int  # required query words that matched
    required: int  # required query words
    quality: float  # 0..1, mean over the query's words
    coverage: float  # 0..1, share of the name's words that were matched
    typos: int  # edits spent on typos
    initials: int  # query initials that matched
    weakest: float = 0.0  # the lowest match quality among the required words

    @property
    def complete(self) -> bool:
        return self.required > 0 and self.matched == self.required

    @property
    def as_typed(self) -> bool:
        """Every word matched, none by a typo, a bare initial or a scrap
        of a word ("Haynws" is not the "H." of Nicole H. Hines)."""
        return self.complete and not self.typos and self.weakest >= 0.85


class Matcher:
    """How well names' words match one query's words; memoised per word
    pair, since a page of candidates repeats the same surnames."""

    def __init__(self, qwords: list[QueryWord]) -> None:
        self.qwords = qwords
        self._memo: dict[tuple[str, str], tuple[float, int]] = {}
        self._names: dict[str, WordMatch] = {}

    def pair(self, w: QueryWord, nw: str) -> tuple[float, int]:
        """(quality 0..1, edits) of query word `w` against name word `nw`."""
        key = (w.text, nw)
        got = self._memo.get(key)
        if got is None:
            got = self._memo[key] = _pair(w, nw)
        return got

    def match(self, name_norm: str) -> WordMatch:
        """How well `name_norm`'s words match the query (memoised: a page
        of candidates holds many names spelt alike)."""
        got = self._names.get(name_norm)
        if got is None:
            got = self._names[name_norm] = self._match(name_norm)
        return got

    def _match(self, name_norm: str) -> WordMatch:
        """Each query word takes the name word it matches best, and no
        name word serves two query words (else "T. Tkachenko" would find
        the alias "Tkachenko" alone). Whole words go first; initials then
        take what is left, best when they stand before the words the rest
        of the query matched ("O. Tsvetkov" is Oleg Tsvetkov, and hardly
        Tsvetkov Oil)."""
        nwords = name_norm.split()
        used = [False] * len(nwords)
        got: dict[int, tuple[float, int]] = {}  # query word index -> (quality, edits)
        took: dict[int, int] = {}  # query word index -> the name word it took
        first = len(nwords)  # the earliest name word a whole query word took
        # whole required words choose first, then the little words ("to",
        # "of": one must not take a name word a required word needs), then
        # initials from what is left
        for group in ("word", "stop", "initial"):
            for i, w in enumerate(self.qwords):
                if ("initial" if w.initial else "stop" if w.stop else "word") != group:
                    continue
                best, edits, at = 0.0, 0, -1
                for j, nw in enumerate(nwords):
                    if used[j]:
                        continue
                    q, d = self.pair(w, nw)
                    if w.initial and q and nw != w.text:
                        # "M." for Mary: best as a first name, fair before
                        # the surname; "M." for a name's own "M." is exact
                        q = 0.9 if j == 0 else 0.85 if j < first else 0.7
                    if q > best:
                        best, edits, at = q, d, j
                if at >= 0:
                    used[at] = True
                    took[i] = at
                    if not w.initial and not w.stop:
                        first = min(first, at)
                got[i] = (best, edits)
        self._join(nwords, used, got, took)
        total = matched = typos = initials = 0
        quality = weight = 0.0
        weakest = 1.0
        for i, w in enumerate(self.qwords):
            best, edits = got[i]
            share = 0.3 if w.stop else 1.0
            quality += best * share
            weight += share
            if not w.stop:
                total += 1
                matched += best > 0
                typos += edits
                initials += w.initial and best > 0
                weakest = min(weakest, best)
        content = [j for j, nw in enumerate(nwords) if nw not in STOP_WORDS] or list(range(len(nwords)))
        coverage = sum(used[j] for j in content) / max(1, len(content))
        return WordMatch(matched, total, quality / (weight or 1.0), coverage, typos, initials, weakest)

    def _join(
        self, nwords: list[str], used: list[bool], got: dict[int, tuple[float, int]], took: dict[int, int]
    ) -> None:
        """Two neighbouring query words that match a name word better as
        one ("wen qing" for Wenqing, "wen ching" within two edits) take it
        together, each with the joined match's quality."""
        if not 2 <= len(self.qwords) <= MAX_JOINED + 1:
            return
        i = -1
        while i + 2 < len(self.qwords):
            i += 1
            a, b = self.qwords[i], self.qwords[i + 1]
            if a.initial or b.initial or a.stop or b.stop:
                continue
            now = (got[i][0] + got[i + 1][0]) / 2
            if now >= 0.85:
                continue
            word = QueryWord(a.text + b.text, False, False, b.last)
            free = [j for j, _ in enumerate(nwords) if not used[j] or j in (took.get(i), took.get(i + 1))]
            best = max(((self.pair(word, nwords[j]), j) for j in free), default=((0.0, 0), -1))
            (q, d), j = best
            # two edits in a joined word of 8 letters or more, else one
            # ("wen ching" is Wenqing; "mrk sims" is not Maksim)
            if q >= 0.75 and q > now and d <= (2 if len(word.text) >= 8 else 1):
                for k in (i, i + 1):
                    if k in took:
                        used[took.pop(k)] = False
                    got[k] = (q, d if k == i else 0)  # the typos counted once
                used[j] = True
                took[i] = j
                i += 1  # word i + 1 is spent: it joins nothing else


def _pair(w: QueryWord, nw: str) -> tuple[float, int]:
    t = w.text
    if t == nw:
        return 1.0, 0
    if w.initial:
        return (0.85, 0) if nw.startswith(t) else (0.0, 0)
    if len(nw) == 1:
        # an initial in the name ("Joe G. Mueller") and the word it may stand for
        return (0.6, 0) if t.startswith(nw) else (0.0, 0)
    if folded(t) == nw:
        return 0.97, 0
    if nw.startswith(t):
        return (0.9 if len(t) >= 3 or w.last else 0.6), 0
    budget = word_budget(len(t))
    if budget:
        from rapidfuzz.distance import OSA  # here, not at the top: see kbtui.kb.search._rank

        d = OSA.distance(t, nw, score_cutoff=budget)
        if d <= budget:
            return 1.0 - 0.12 * d, d
        d = OSA.distance(folded(t), nw, score_cutoff=budget)
        if d <= budget:
            return 0.95 - 0.12 * d, d
    if len(t) >= 3 and t in nw:
        return 0.6, 0
    return 0.0, 0
