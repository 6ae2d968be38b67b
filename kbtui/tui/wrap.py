"""Wrapping a stored text into screen lines, as offsets into the text.

Pure Python (rich.cells for character widths, no Textual), so it can run in
a thread worker and be tested on its own. The source viewer keeps the
(start, end) offsets of every screen line, which is how it knows which line
holds a cited span.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from functools import lru_cache
from itertools import accumulate

from rich.cells import cell_len, get_character_cell_size

from kbtui.safetext import UNSAFE, visible

_SINGLE_CELL_RANGES = ((0x20, 0x7E), (0xA0, 0xAC), (0xAE, 0x2FF), (0x370, 0x482))
_SINGLE_CELL = frozenset(chr(c) for lo, hi in _SINGLE_CELL_RANGES for c in range(lo, hi + 1))
_single_cell = _SINGLE_CELL.issuperset  # at C speed: is every character one cell wide?
_NOT_SINGLE_CELL = re.compile("[^" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _SINGLE_CELL_RANGES) + "]")


# how many screen lines a wrap lays out between looks at `stop`
STOP_EVERY = 1024


def wrap_offsets(text: str, width: int, stop: Callable[[], bool] | None = None) -> list[int]:
    """Start offsets of the wrapped lines of one paragraph (greedy, on
    spaces; words wider than the line are cut).

    One Python step per screen line, not per character: the character that
    overflows a line is found by arithmetic where the line's text is all
    single-cell (the common case) or by summing its cell widths otherwise,
    and the break point with `str.rfind`. A 10 MB source of prose wraps in
    about a quarter of a second (10 MB of CJK, two seconds).

    `stop` is asked every STOP_EVERY lines; once it says yes, the lines so
    far are returned (a worker that was cancelled, by a quit say, must not
    keep the process alive for the rest)."""
    width = max(width, 8)
    n = len(text)
    fast = _single_cell(text)
    wide = -1  # where the next character that is not one cell wide is (once looked for)
    starts = [0]
    start = 0
    while True:
        if not fast and wide < start:
            found = _NOT_SINGLE_CELL.search(text, start)
            wide = found.start() if found else n
        # arithmetic up to the next character that is not one cell wide, so
        # one escape in a 10 MB paragraph slows only its own line
        i = start + width if fast or start + width < wide else _overflow(text, start, width)
        if i >= n or (stop is not None and not len(starts) % STOP_EVERY and stop()):
            return starts
        if text[i] == " ":
            start = i + 1
        else:
            space = text.rfind(" ", start, i)
            start = space + 1 if space >= 0 else max(i, start + 1)
        starts.append(start)


@lru_cache(maxsize=4096)
def _shown_cells(ch: str) -> int:
    """Cells a character takes as the viewer shows it: through visible()
    (␛ is one cell, <U+202E> eight) and with tabs as one space."""
    if ch == "\t":
        return 1
    if UNSAFE.match(ch) or ch == "\r":
        return cell_len(visible(ch))
    return get_character_cell_size(ch)


def _overflow(text: str, start: int, width: int) -> int:
    """Index of the first character from `start` that no longer fits in
    `width` cells (len(text) if the rest fits)."""
    cells, i, n = 0, start, len(text)
    while i < n:
        chunk = text[i : i + width + 1]
        sums = list(accumulate(map(_shown_cells, chunk), initial=cells))
        k = bisect.bisect_right(sums, width)  # sums[k] is the first total over the width
        if k < len(sums):
            return i + k - 1
        cells = sums[-1]
        i += len(chunk)
    return n


def wrap_text(text: str, width: int, stop: Callable[[], bool] | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of every screen line of a whole text (of the
    lines so far, once `stop` says so: see wrap_offsets)."""
    lines: list[tuple[int, int]] = []
    append = lines.append
    offset = 0
    for n, para in enumerate(text.split("\n")):
        if stop is not None and not n % STOP_EVERY and stop():
            break
        starts = wrap_offsets(para, width, stop)
        if len(starts) == 1:
            append((offset, offset + len(para)))
        else:
            ends = [*starts[1:], len(para)]
            for s, e in zip(starts, ends, strict=True):
                append((offset + s, offset + e))
        offset += len(para) + 1
    return lines
