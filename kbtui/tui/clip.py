"""How much of one stored value the explorer draws at once.

Any text field of a KB file can be megabytes long (a crafted file, or an
import gone wrong). Drawn whole, a 10 MB summary kept the explorer busy
for seconds (Rich wraps every line of it) and lost the keys typed
meanwhile. So a pane draws the start of a long value and says how much
more there is; the full text opens on request in a viewer that lays it out
in a worker and draws only the lines on screen (widgets.wrapped_text).

The work is bounded too: safetext's one_line and visible scan the whole
string they are given (0.6 s for 8 MB of escapes), so these cut first.
Pure (safetext only), like tui.wrap.
"""

from __future__ import annotations

from typing import NamedTuple

from kbtui.safetext import one_line, visible

# A summary, note or disputed reason in a pane. The sample's longest
# summary is under 400 characters; 2,000 is a screenful at 100 columns, a
# tenth of a millisecond to draw, and leaves the tables below in reach.
PANE_TEXT_MAX = 2_000
# Anything shown on one line (a name, a title, a label, a date) with no
# tighter limit of its own: a name is rarely over 100 characters, and a line
# is cut at the window's width anyway.
LINE_MAX = 300
# How much of a value one_line looks at for `max_len` characters: it folds
# runs of white space into one, so a little more than max_len is needed.
_LOOK_FACTOR = 4
SHOW_ALL_KEY = "v"  # the explorer's key for the whole of a value cut short


def shown(text: str | None, max_len: int = LINE_MAX) -> str:
    """safetext.one_line, looking at no more of `text` than it can show:
    one line, controls made visible, at most `max_len` characters, "…"
    when it was cut."""
    if not text:
        return ""
    look = max_len * _LOOK_FACTOR + 16
    if len(text) <= look:
        return one_line(text, max_len)
    line = one_line(text[:look], max_len)
    return line if line.endswith("…") else line[: max_len - 1] + "…"


class Clipped(NamedTuple):
    """The start of a value, made safe to draw, and how many characters
    of the value it leaves out."""

    text: str
    more: int


def clipped(text: str | None, limit: int = PANE_TEXT_MAX) -> Clipped:
    """safetext.visible (lines kept) on at most `limit` characters of `text`."""
    if not text:
        return Clipped("", 0)
    if len(text) <= limit:
        return Clipped(visible(text), 0)
    return Clipped(visible(text[:limit]), len(text) - limit)


def more_words(more: int) -> str:
    """What a cut value says at its end."""
    return f"… {more:,} more characters — press {SHOW_ALL_KEY} to show all"
