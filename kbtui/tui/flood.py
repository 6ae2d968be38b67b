"""A paste the terminal types out as keys: dropped after the first few.

Textual turns a bracketed paste into one Paste event, unless the pasted
text holds an escape character: then its parser gives up on the paste and
sends every character as a key (tmux, for its part, types such a paste out
key by key). A 1 MB paste became a million keys, each about 0.05 ms of
the input thread and 0.1 ms of the app's: the explorer, and a quit queued
behind them, waited minutes. No hand types FLOOD_KEYS characters without a
pause of FLOOD_GAP_S, so past that the burst's printable keys are dropped
in the input thread, before they reach the app (the search box keeps
SEARCH_MAX characters anyway). Other keys (ctrl+q, Escape, arrows, Enter)
always pass. Keys a test's Pilot presses do not come this way.
"""

from __future__ import annotations

import time

from textual import events
from textual.driver import Driver
from textual.message import Message

FLOOD_KEYS = 300  # printable keys a burst may hold before the rest are dropped
FLOOD_GAP_S = 0.05  # a pause this long ends a burst (a fast typist leaves ~0.1 s)


class FloodGate:
    """Counts the printable keys of the current burst."""

    def __init__(self) -> None:
        self.last = float("-inf")  # when the last printable key came
        self.burst = 0

    def admits(self, message: Message, now: float | None = None) -> bool:
        if not (isinstance(message, events.Key) and message.is_printable):
            return True
        now = time.monotonic() if now is None else now
        if now - self.last > FLOOD_GAP_S:
            self.burst = 0
        self.last = now
        self.burst += 1
        return self.burst <= FLOOD_KEYS


def flood_guarded(base: type[Driver]) -> type[Driver]:
    """`base` (the platform's terminal driver), with a FloodGate on the
    events its input thread parses."""

    class FloodGuarded(base):  # type: ignore[valid-type,misc]  # a base chosen at run time, by platform
        gate = FloodGate()

        def process_message(self, message: Message) -> None:
            if self.gate.admits(message):
                super().process_message(message)

    FloodGuarded.__name__ = f"FloodGuarded{base.__name__}"
    return FloodGuarded
