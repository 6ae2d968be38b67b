"""A field of the claim form that names an entity: typed, then picked from
the KB's matches, or made new.

The picker is an Input; what it has picked shows beside it ("→ Chen
Wenqing · person", "new person"). Its matches are listed by the form (one
list under the fields, for whichever picker has the focus), so the
picker only says what was typed and keeps what was picked. A picker for
several entities (an event's participants) keeps a list: each pick is
added, and backspace in an empty box takes the last one off.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.widgets import Input, Static

from kbtui.tui.clip import shown
from kbtui.tui.curate_data import Pick


class Picker(Input):
    def __init__(self, kinds: tuple[str, ...], new_kind: str, *, id: str, multi: bool = False) -> None:
        super().__init__(id=id, compact=True, select_on_focus=False, placeholder="type a name")
        self.kinds = kinds  # the kinds it offers (none: any)
        self.new_kind = new_kind  # what a new name becomes
        self.multi = multi
        self.picked: list[Pick] = []
        self._setting = False

    @property
    def pick(self) -> Pick | None:
        return self.picked[-1] if self.picked else None

    def choose(self, pick: Pick) -> None:
        """Take `pick`: the box shows its name (a multi picker empties for the next)."""
        if self.multi:
            if all((p.id, p.name) != (pick.id, pick.name) for p in self.picked):
                self.picked.append(pick)
            self._set("")
        else:
            self.picked = [pick]
            self._set(pick.name)
        self._show()

    def _set(self, value: str) -> None:
        self._setting = True
        self.value = value
        self.cursor_position = len(value)
        self._setting = False

    def on_input_changed(self, event: Input.Changed) -> None:
        # typing over a single pick drops it: what is typed is yet to be picked
        if not self._setting and not self.multi and self.picked and self.value != self.picked[0].name:
            self.picked = []
            self._show()

    def on_key(self, event: events.Key) -> None:
        if self.multi and event.key == "backspace" and not self.value and self.picked:
            self.picked.pop()
            self._show()
            event.prevent_default()
            event.stop()

    @property
    def status(self) -> Static | None:
        found = self.screen.query(f"#{self.id}-status")
        return found.first(Static) if found else None

    def _show(self) -> None:
        status = self.status
        if status is not None:
            status.update(describe(self.picked, self.multi))


def describe(picked: list[Pick], multi: bool) -> Text:
    """What a picker holds, beside it."""
    if not picked:
        return Text("(none)" if multi else "", style=Style(dim=True))
    out = Text()
    for n, p in enumerate(picked):
        if n:
            out.append(", ")
        if multi:
            out.append(shown(p.name, 30))
        if p.id is None and p.typed:
            out.append(" (KB's, else new)" if multi else f"the KB's, else a new {p.kind}", style=Style(italic=True))
        elif p.id is None:
            out.append(f" new {p.kind}" if multi else f"new {p.kind}", style=Style(italic=True))
        elif not multi:
            out.append(f"→ {shown(p.id, 40)}", style=Style(dim=True))
    return out
