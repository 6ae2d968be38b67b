"""Find a quote's exact span in a source text (W3C TextQuoteSelector style).

Exact matching comes first. Failing that, both texts are folded for
typography (curly vs straight quotes, dash kinds, whitespace runs) and the
span found there is mapped back to the original offsets. A prefix and/or
suffix narrows several hits to one. Missing and ambiguous quotes are errors
that carry the nearest match, so the person fixing the bundle sees why.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from kbtui.kb.limits import current, env_name
from kbtui.kb.normalize import fold, typographic_fold

CONTEXT_CHARS = 32
# characters of a missing quote aligned to find the nearest match
HINT_CHARS = 64
# characters of folded source texts kept for the next quotes (the folded
# copy is memory beyond the text's own)
FOLD_CACHE_CHARS = 32 << 20


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    method: str  # 'exact' | 'normalised'
    prefix: str
    suffix: str


class AnchorError(ValueError):
    """The quote is missing or ambiguous; `nearest` shows the closest text.

    Given the `text` and `quote`, the nearest match is searched for when
    `nearest` is first read, not before: a search is a pass over the text
    (`cost` characters), and a caller reporting thousands of missing quotes
    may not want one per quote."""

    def __init__(self, message: str, nearest: str = "", *, text: str = "", quote: str = "") -> None:
        super().__init__(message)
        self._nearest = nearest
        self._text, self._quote = text, quote

    @property
    def cost(self) -> int:
        return len(self._text)

    @property
    def nearest(self) -> str:
        if self._text:
            self._nearest = nearest_match(self._text, self._quote)
            self._text = self._quote = ""
        return self._nearest


def _find_all(haystack: str, needle: str, limit: int) -> list[int]:
    """Where `needle` occurs, at most `limit` + 1 places (enough to know
    there are too many): each hit is checked further, so an unbounded list
    would make a short quote in a long text quadratic."""
    hits: list[int] = []
    i = haystack.find(needle)
    while i != -1 and len(hits) <= limit:
        hits.append(i)
        i = haystack.find(needle, i + 1)
    return hits


def _too_many(hits: list[int], limit: int) -> None:
    if len(hits) > limit:
        raise AnchorError(
            f"quote occurs more than {limit:,} times; quote a longer, distinctive passage"
            f" (the limit is {env_name('quote_matches')})"
        )


def _fits(folded: str, start: int, end: int, prefix: str, suffix: str) -> bool:
    """Whether `prefix` ends just before folded[start:end] and `suffix`
    starts just after it (both folded and stripped; a space may separate
    them, and folded text has single spaces). Compared in place: a window
    copied and folded for every hit made h hits of a p-character prefix
    cost h * p Python steps (4,000 hits of a 12,000-character one: 3 s)."""
    if prefix:
        if start > 0 and folded[start - 1] == " ":
            start -= 1
        if not folded.endswith(prefix, 0, start):
            return False
    if suffix:
        if end < len(folded) and folded[end] == " ":
            end += 1
        if not folded.startswith(suffix, end):
            return False
    return True


def anchor(text: str, quote: str, prefix: str = "", suffix: str = "", limit: int | None = None) -> Anchor:
    """Locate `quote` in `text`; raise AnchorError if missing or ambiguous.

    Linear in the text and the hits: at most `limit` hits (by default the
    `quote_matches` limit) are looked at, each in time of the prefix and
    suffix compared in place."""
    if not quote.strip():
        raise AnchorError("the quote is empty")
    fq, fp, fs = fold(quote).strip(), fold(prefix).strip(), fold(suffix).strip()
    if limit is None:
        limit = current().quote_matches

    found = _find_all(text, quote, limit)
    _too_many(found, limit)
    method = "exact"
    spans = [(s, s + len(quote)) for s in found]
    if spans and (fp or fs):
        # an exact hit's affixes are compared in the folded text, where its
        # offsets are the first folded characters at or after the original ones
        folded_text, where = _folded(text)
        spans = [(s, e) for s, e in spans if _fits(folded_text, bisect_left(where, s), bisect_left(where, e), fp, fs)]
    if not spans:
        method = "normalised"
        folded_text, where = _folded(text)
        folded_hits = _find_all(folded_text, fq, limit)
        _too_many(folded_hits, limit)
        for fstart in folded_hits:
            fend = fstart + len(fq)
            if _fits(folded_text, fstart, fend, fp, fs):
                spans.append((where[fstart], where[fend - 1] + 1))
    if not spans:
        raise AnchorError("quote not found in the source", text=text, quote=quote)
    if len(spans) > 1:
        shown = ", ".join(f"{s}-{e}" for s, e in spans[:5])
        raise AnchorError(f"quote occurs {len(spans)} times (at {shown}); add a prefix or suffix to pick one")
    start, end = spans[0]
    return Anchor(start, end, method, text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS])


class _FoldCache:
    """typographic_fold, once per source text: a bundle anchors many quotes
    in the same (possibly 10 MB) texts, in any order. The texts folded last
    are kept up to FOLD_CACHE_CHARS characters in all (the last one always):
    a cache of four texts made quotes from 20 short sources in turn refold
    a text per quote (4,000 quotes: 18 s instead of 0.6 s)."""

    def __init__(self) -> None:
        self.folded: OrderedDict[str, tuple[str, Sequence[int]]] = OrderedDict()
        self.chars = 0

    def __call__(self, text: str) -> tuple[str, Sequence[int]]:
        hit = self.folded.get(text)
        if hit is not None:
            self.folded.move_to_end(text)
            return hit
        hit = typographic_fold(text)
        self.folded[text] = hit
        self.chars += len(text)
        while self.chars > FOLD_CACHE_CHARS and len(self.folded) > 1:
            old, _ = self.folded.popitem(last=False)
            self.chars -= len(old)
        return hit

    def cache_clear(self) -> None:
        self.folded.clear()
        self.chars = 0


_folded = _FoldCache()


def nearest_match(text: str, quote: str) -> str:
    """The stretch of `text` most like `quote`, for error messages.

    Only the quote's first HINT_CHARS characters are aligned (rapidfuzz
    does that in one bit-parallel pass over the text; a whole quote of m
    characters took time n * m, 10 s for 3,000 in 2.5 MB); the stretch
    shown is as long as the quote."""
    from rapidfuzz import fuzz

    folded, where = _folded(text)
    fq = fold(quote).strip()
    if not fq or not folded:
        return ""
    hit = fuzz.partial_ratio_alignment(fq[:HINT_CHARS], folded)
    if hit is None or hit.score < 50:
        return ""
    dest_end = hit.dest_end if len(fq) <= HINT_CHARS else min(len(folded), hit.dest_start + len(fq))
    start, end = where[hit.dest_start], where[max(dest_end - 1, hit.dest_start)] + 1
    return text[start:end].strip(" \n\t.,;:")


def pinned(text: str, start: int, end: int) -> dict[str, str]:
    """The quote of text[start:end] with just enough of the words around it
    (prefix, suffix) for `anchor` to find that place and no other: none
    when the quote occurs once, more context until only this place fits."""
    quote = text[start:end]
    for width in (0, 16, 32, 64, 128, 256):
        cite = {"quote": quote}
        if width:
            cite["prefix"] = text[max(0, start - width) : start]
            cite["suffix"] = text[end : end + width]
        try:
            got = anchor(text, quote, cite.get("prefix", ""), cite.get("suffix", ""))
        except AnchorError:
            continue
        if (got.start, got.end) == (start, end):
            return {k: v for k, v in cite.items() if v.strip()}
    raise AnchorError("this passage cannot be told apart from another one like it")
