"""Curate mode: judging candidate duplicates one pair at a time.

The pair's two entities side by side (names, aliases, roles, properties,
countries, how much is known of each) under the score and why it was
proposed. `s` says they are the same (the left one stays, the right one
merges into it; `x` swaps the sides first), `n` not the same, `u` unsure,
`→`/space skips, `←` goes back. Each judgement is written to the bundle's
resolutions.toml and the KB at once (kbtui.kb.judge), in a worker; the
screen moves on when it is stored.
"""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Static

from kbtui.kb.errors import KBError
from kbtui.kb.pair_view import Side
from kbtui.kb.undo import Step
from kbtui.tui import data as kbdata
from kbtui.tui.clip import shown
from kbtui.tui.curation import BUSY, Curation
from kbtui.tui.messages import KbChanged
from kbtui.tui.widgets.footer import KeyBar


class DuplicatesScreen(Screen[None]):
    BINDINGS = [
        Binding("s", "judge('same')", "same", tooltip="one entity: the right one merges into the left", id="dup.same"),
        Binding("n", "judge('not-same')", "not same", tooltip="two entities: never proposed again", id="dup.not"),
        Binding("u", "judge('unsure')", "unsure", tooltip="keep the doubt on record", id="dup.unsure"),
        Binding("right,space", "step(1)", "skip", id="dup.skip"),
        Binding("left", "step(-1)", "previous", show=False, id="dup.previous"),
        Binding("x", "swap", "swap sides", tooltip="the right one stays instead", id="dup.swap"),
        Binding("z", "app.undo", "undo", show=False, tooltip="take back the last judgement", id="dup.undo"),
        Binding("escape", "app.pop_screen", "done", id="dup.done"),
    ]

    def __init__(self, db_path: Path, curation: Curation) -> None:
        super().__init__()
        self.db_path = db_path
        self.curation = curation
        self.pairs: list[kbdata.PairView] = []
        self.at = 0
        self.swapped = False
        self.judged = 0

    def compose(self) -> ComposeResult:
        yield Static("Looking for duplicates…", id="dup-head")
        with Horizontal(id="dup-sides"):
            yield Static("", id="dup-left", classes="dup-side")
            yield Static("", id="dup-right", classes="dup-side")
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    def on_kb_changed(self, event: KbChanged) -> None:
        """An undo took a judgement back: its pair is a candidate again."""
        if event.undone is not None and any(table == "judgement" for table, _ in event.undone.added):
            self.judged = max(0, self.judged - 1)
        self.load()

    @work(thread=True, exclusive=True, group="duplicates")
    def load(self) -> None:
        try:
            pairs = kbdata.duplicate_pairs(self.db_path)
        except (KBError, Exception) as exc:  # one line, never a traceback
            self.app.call_from_thread(self._said, f"Could not look for duplicates: {kbdata.read_failure(exc)}")
            return
        self.app.call_from_thread(self._loaded, pairs)

    def _said(self, message: str) -> None:
        self.query_one("#dup-head", Static).update(Text(message, style=Style(bold=True)))

    def _loaded(self, pairs: list[kbdata.PairView]) -> None:
        self.pairs = pairs
        self.at = 0
        self._show()

    # --- drawing -----------------------------------------------------------------

    @property
    def current(self) -> kbdata.PairView | None:
        return self.pairs[self.at] if 0 <= self.at < len(self.pairs) else None

    def _sides(self) -> tuple[Side, Side] | None:
        view = self.current
        if view is None:
            return None
        return (view.right, view.left) if self.swapped else (view.left, view.right)

    def _show(self) -> None:
        view = self.current
        head = self.query_one("#dup-head", Static)
        if view is None:
            done = f"{self.judged} judged. " if self.judged else ""
            head.update(Text(f"No more candidate pairs. {done}Esc returns to the explorer.", style=Style(bold=True)))
            for name in ("#dup-left", "#dup-right"):
                self.query_one(name, Static).update("")
            return
        p = view.pair
        line = Text(f"Pair {self.at + 1} of {len(self.pairs)}", style=Style(bold=True))
        line.append(f"  {p.kind} · score {p.score:.2f}", style=Style(dim=True))
        for reason in p.reasons:
            line.append("\n• " + shown(reason, 200))
        line.append(
            "\ns: same (right merges into left) · n: not same · u: unsure · x: swap · →: skip", style=Style(dim=True)
        )
        head.update(line)
        sides = self._sides()
        assert sides is not None
        self.query_one("#dup-left", Static).update(_side(sides[0], "stays"))
        self.query_one("#dup-right", Static).update(_side(sides[1], "merges into the left"))

    # --- actions -------------------------------------------------------------------

    def action_step(self, by: int) -> None:
        if self.pairs:
            self.at = max(0, min(len(self.pairs), self.at + by))
            self.swapped = False
            self._show()

    def action_swap(self) -> None:
        if self.current is not None:
            self.swapped = not self.swapped
            self._show()

    def action_judge(self, verdict: str) -> None:
        sides = self._sides()
        if sides is None:
            return
        if not self.curation.begin():
            self.notify(BUSY, timeout=3)
            return
        keep, other = sides[0].id, sides[1].id
        self.write(keep, other, verdict)

    @work(thread=True, group="judge")
    def write(self, keep: str, other: str, verdict: str) -> None:
        try:
            said, merged = kbdata.judge_pair(self.db_path, self.curation.bundle, keep, other, verdict, keep)
        except KBError as exc:
            self.app.call_from_thread(self._refused, exc.message)
            return
        except Exception as exc:  # a crafted file, a full disk: one line
            self.app.call_from_thread(self._refused, kbdata.read_failure(exc))
            return
        finally:
            self.curation.end()
        # recorded here, so it can be undone even if the screen is gone by now
        self.curation.made(Step(f"judgement {said}", [("judgement", " ".join(sorted((keep, other))))]))
        self.app.call_from_thread(self._written, said, merged)

    def _refused(self, message: str) -> None:
        self.notify(message, title="Not judged", severity="error", timeout=8, markup=False)

    def _written(self, said: str, merged: str | None) -> None:
        self.judged += 1
        note = f"Merged `{merged}` into the one kept." if merged else "Judgement stored."
        self.notify(f"{said}. {note}", timeout=4, markup=False)
        if merged is not None:  # pairs with the merged id now name the one it went to: drop them
            self.pairs = [v for i, v in enumerate(self.pairs) if i <= self.at or merged not in (v.pair.a, v.pair.b)]
        self.at += 1
        self.swapped = False
        self._show()


def _side(s: Side, role: str) -> Text:
    out = Text()
    out.append(shown(s.name, 120), style=Style(bold=True))
    out.append(f"\n{s.kind} · {shown(s.id, 120)} · {role}", style=Style(dim=True))
    if s.aliases:
        out.append("\nalso: " + "; ".join(shown(a, 60) for a in s.aliases))
    if s.countries:
        out.append("\nin: " + ", ".join(shown(c, 40) for c in s.countries))
    for r in s.roles:
        out.append("\nrole: " + shown(r, 120))
    for p in s.properties:
        out.append("\n" + shown(p, 120))
    out.append(f"\n{s.relations} relations · {s.events} events", style=Style(dim=True))
    if s.inputs:
        out.append(" · from " + ", ".join(shown(i, 40) for i in s.inputs), style=Style(dim=True))
    if s.summary:
        out.append("\n\n" + shown(s.summary, 400))
    return out
