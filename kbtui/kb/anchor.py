"""Find a quote's exact span in a source text (W3C TextQuoteSelector style).

Exact matching comes first. Failing that, both texts are folded for
typography (curly vs straight quotes, dash kinds, whitespace runs) and the
span found there is mapped back to the original offsets. A prefix and/or
suffix narrows several hits to one. Missing and ambiguous quotes are errors
that carry the nearest match, so the person fixing the bundle sees why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from kbtui.kb.limits import current, env_name
from kbtui.kb.normalize import fold, typographic_fold

CONTEXT_CHARS = 32


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    method: str  # 'exact' | 'normalised'
    prefix: str
    suffix: str


class AnchorError(ValueError):
    """The quote is missing or ambiguous; `nearest` shows the closest text."""

    def __init__(self, message: str, nearest: str = "") -> None:
        super().__init__(message)
        self.nearest = nearest


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


def _fits(folded_text: str, start: int, end: int, prefix: str, suffix: str) -> bool:
    # a window around the hit, not the text before it (that would copy up
    # to the whole text for every hit)
    before = folded_text[max(0, start - len(prefix) - 64) : start].rstrip()
    after = folded_text[end : end + len(suffix) + 64].lstrip()
    return (not prefix or before.endswith(prefix.strip())) and (not suffix or after.startswith(suffix.strip()))


def anchor(text: str, quote: str, prefix: str = "", suffix: str = "") -> Anchor:
    """Locate `quote` in `text`; raise AnchorError if missing or ambiguous."""
    if not quote.strip():
        raise AnchorError("the quote is empty")
    fq, fp, fs = fold(quote).strip(), fold(prefix), fold(suffix)
    limit = current().quote_matches

    found = _find_all(text, quote, limit)
    _too_many(found, limit)
    exact = [(s, s + len(quote)) for s in found]
    method = "exact"
    spans = [span for span in exact if _affixes_match(text, span, fp, fs)]
    if not spans:
        method = "normalised"
        spans = []
        folded_text, where = _folded(text)
        folded_hits = _find_all(folded_text, fq, limit)
        _too_many(folded_hits, limit)
        for fstart in folded_hits:
            fend = fstart + len(fq)
            if _fits(folded_text, fstart, fend, fp, fs):
                spans.append((where[fstart], where[fend - 1] + 1))
    if not spans:
        raise AnchorError("quote not found in the source", nearest_match(text, quote))
    if len(spans) > 1:
        shown = ", ".join(f"{s}-{e}" for s, e in spans[:5])
        raise AnchorError(f"quote occurs {len(spans)} times (at {shown}); add a prefix or suffix to pick one")
    start, end = spans[0]
    return Anchor(start, end, method, text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS])


def _affixes_match(text: str, span: tuple[int, int], fp: str, fs: str) -> bool:
    if not fp and not fs:
        return True
    before = fold(text[max(0, span[0] - len(fp) - 64) : span[0]]).rstrip()
    after = fold(text[span[1] : span[1] + len(fs) + 64]).lstrip()
    return (not fp or before.endswith(fp.strip())) and (not fs or after.startswith(fs.strip()))


@lru_cache(maxsize=4)
def _folded(text: str) -> tuple[str, Sequence[int]]:
    """typographic_fold, once per source text: a bundle anchors many quotes
    in the same (possibly 10 MB) text."""
    return typographic_fold(text)


def nearest_match(text: str, quote: str) -> str:
    """The stretch of `text` most like `quote`, for error messages."""
    from rapidfuzz import fuzz

    folded, where = _folded(text)
    fq = fold(quote).strip()
    if not fq or not folded:
        return ""
    hit = fuzz.partial_ratio_alignment(fq, folded)
    if hit is None or hit.score < 50:
        return ""
    start, end = where[hit.dest_start], where[max(hit.dest_end - 1, hit.dest_start)] + 1
    return text[start:end].strip(" \n\t.,;:")
