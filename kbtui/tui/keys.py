"""Keys typed while the focus moves reach the widget they were meant for.

Textual hands each key to the widget focused when the key *arrives*, and
that widget handles it later, from its own queue. So keys typed in one
burst with a key that moves the focus ("↓ j j" in an overview's filter, or
"/ patrushev" in the source viewer) went to the widget being left: the
filter took "jj", the viewer ran its own keys on the letters. A key that
finds the focus elsewhere when its turn comes is sent on to the widget
focused now (once: a key sent on is never sent again).
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events
from textual.app import App
from textual.widget import Widget
from textual.widgets import Input

_SENT_ON = "_kbtui_sent_on"


def send_on(event: events.Key, target: Widget) -> None:
    again = events.Key(event.key, event.character)
    setattr(again, _SENT_ON, True)
    event.stop()
    event.prevent_default()
    target._forward_event(again)  # as the app forwards a key to the focused widget


def stray(event: events.Key, receiver: Widget) -> Widget | None:
    """The widget `event` belongs to if not `receiver` (the focus moved
    on before `receiver` got to the key), else None."""
    if getattr(event, _SENT_ON, False):
        return None
    focused = receiver.app.focused
    return focused if focused is not None and focused is not receiver else None


def stray_letter(event: events.Key, app: App[Any]) -> Input | None:
    """A printable key that bubbled up to the app unused while an input
    has the focus: an input takes every printable key it is given, so this
    one was given to the widget the focus left."""
    if getattr(event, _SENT_ON, False) or not event.is_printable:
        return None
    focused = app.focused
    return focused if isinstance(focused, Input) else None


class SteadyInput(Input):
    """An Input that passes on keys that arrive after the focus left it.

    A key that moves the focus out (FOCUS_KEYS: key -> the screen's action)
    is acted on here, before the next key is read: as a binding it would
    bubble up and run later, after the keys behind it were typed here."""

    FOCUS_KEYS: ClassVar[dict[str, str]] = {}

    async def _on_key(self, event: events.Key) -> None:
        # Textual calls Input._on_key after this one unless prevent_default()
        target = stray(event, self)
        if target is not None:
            send_on(event, target)
            return
        action = self.FOCUS_KEYS.get(event.key)
        if action is not None:
            event.stop()
            event.prevent_default()
            await self.run_action(f"screen.{action}")
