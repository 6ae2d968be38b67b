"""The source viewer in curate mode (`kbtui curate BUNDLE`): select a
passage, then say what it proves.

As the source viewer, plus: a selection (CurateText: v, → ←, shift+→ ←,
or a mouse drag), the names the KB does not know marked (g visits them),
`c` to make a claim citing the selection (ClaimForm), `a` to make the
selected name an entity at once (its kind guessed: Ministry or an acronym
makes an organisation, Province a place, else a person), `A` to choose
its kind and name first. Every change is written by the curation engine
in a worker, becomes an undo step (the app's `z`), and the source is read
again with the new citation shown as the current one.
"""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.binding import Binding

from kbtui.kb.errors import KBError
from kbtui.kb.session import Change
from kbtui.kb.suggest import MAX_SUGGESTIONS, Suggestion
from kbtui.kb.undo import Step
from kbtui.tui import curate_data
from kbtui.tui import data as kbdata
from kbtui.tui.clip import shown
from kbtui.tui.curate_data import Passage, Pick, Units
from kbtui.tui.curation import BUSY, Curation
from kbtui.tui.history import Location
from kbtui.tui.look import plural
from kbtui.tui.messages import CitationFocused, SelectionChanged
from kbtui.tui.screens.entity_form import EntityForm
from kbtui.tui.screens.source import SourceScreen
from kbtui.tui.widgets.curate_text import CurateText
from kbtui.tui.widgets.source_text import SourceText

NAME_WORDS = 12  # a selection longer than this is not one name


class CurateSourceScreen(SourceScreen):
    BINDINGS = [
        Binding("escape", "let_go", "back", id="curate.back"),
        Binding("c", "make_claim", "claim", tooltip="make a claim citing the selected passage", id="curate.claim"),
        Binding("a", "add_entity", "entity", tooltip="make the selected name an entity", id="curate.entity"),
        Binding("A", "add_entity(True)", "entity as…", show=False, tooltip="choose its kind first", id="curate.as"),
        Binding("z", "app.undo", "undo", show=False, tooltip="take back the last change", id="curate.undo"),
        Binding("y", "copy_citation", "copy", show=False, id="curate.copy"),
        Binding("s", "speaker", "speaker", show=False, id="curate.speaker"),
        Binding("V", "show_all", "whole note", show=False, tooltip="the source's note in full", id="curate.note"),
    ]

    show_all_key = "V"  # v selects here

    def __init__(self, db_path: Path, location: Location) -> None:
        super().__init__(db_path, location)
        self.focus_citation: int | None = None  # a citation just made: shown current once the source is read again
        self.suggest_ready = False

    @property
    def curation(self) -> Curation:
        curation = self.context.curation
        assert curation is not None  # the app shows this screen in curate mode only
        return curation

    def make_viewer(self) -> SourceText:
        return CurateText(id="source-text")

    @property
    def curate_text(self) -> CurateText:
        return self.query_one(CurateText)

    # --- reading ---------------------------------------------------------------------

    def populated(self, src: kbdata.ViewedSource) -> None:
        if self.focus_citation is not None:
            index = next((n for n, c in enumerate(src["citations"]) if c["id"] == self.focus_citation), -1)
            self.focus_citation = None
            if index >= 0:
                viewer = self.curate_text
                viewer.current = index
                viewer.when_ready(viewer.scroll_to_current)
                viewer.post_message(CitationFocused(index))
        self.suggest_ready = False
        self.read_text(src["id"], src["text"])

    @work(thread=True, exclusive=True, group="suggest")
    def read_text(self, source_id: str, text: str) -> None:
        """Its words and sentences, and the names the KB does not know."""
        found = self.guarded(curate_data.read_text, self.db_path, source_id, text)
        if found is not None:
            self.app.call_from_thread(self._text_read, source_id, text, *found)

    def _text_read(self, source_id: str, text: str, read: Units, found: list[Suggestion]) -> None:
        if self.source is None or self.source["id"] != source_id:
            return
        self.suggest_ready = True
        self.curate_text.read(text, read, found)
        self._show_info()

    def kb_changed(self) -> None:
        """A change or its undo: read the source again, where the reader is."""
        self.reload()

    def reload(self, focus_citation: int | None = None) -> None:
        self.focus_citation = focus_citation
        viewer = self.curate_text
        state = {"current": viewer.current if focus_citation is None else -1, "scroll_y": viewer.scroll_y}
        location = self.location
        location.state = {**location.state, **state}
        self.load(location)

    # --- the info line -----------------------------------------------------------------

    @on(SelectionChanged)
    def _selection_changed(self, event: SelectionChanged) -> None:
        event.stop()
        self._show_info()

    def info_tail(self) -> Text:
        viewer = self.curate_text
        line = Text()
        if viewer.selection is not None:
            a, b = viewer.selection
            words = len(viewer.text[a:b].split())
            line.append(f"Selected {plural(words, 'word')}: ", style=Style(bold=True))
            line.append(f"“{shown(viewer.text[a:b], 160)}”", style=self.viewer.look.fg("success"))
            line.append("  c claim · a entity · ←→ word · shift+←→ sentence · v let go", style=Style(dim=True))
            return line
        count = len(viewer.suggested)
        line.append(f"Curating {shown(self.curation.bundle.name, 40)}: ", style=Style(bold=True))
        line.append("v select · ←→ word · shift+←→ sentence · drag", style=Style(dim=True))
        if self.suggest_ready:
            names = plural(count, "new name")
            if count >= MAX_SUGGESTIONS:  # a long text: the first ones only
                names = f"the first {count:,} new names"
            line.append(f" · {names}" + (" (g)" if count else ""), style=self.viewer.look.fg("warning"))
        if self.curation.steps:
            line.append(" · z undo", style=Style(dim=True))
        return line

    # --- actions -----------------------------------------------------------------------

    async def action_let_go(self) -> None:
        """Escape lets go of a selection first, then goes back."""
        if self.curate_text.selection is not None:
            self.curate_text.clear_selection()
        else:
            await self.app.run_action("app.back")

    def passage(self) -> Passage | None:
        viewer = self.curate_text
        if viewer.selection is None or self.source is None or "shown_version" in self.source:
            if self.source is not None and "shown_version" in self.source:
                self.notify("This is an earlier text of the source: claims cite the current one.", severity="warning")
            else:
                self.notify("Select a passage first: v, then → or shift+→ (or drag with the mouse).", timeout=5)
            return None
        a, b = viewer.selection
        return Passage(self.source["id"], viewer.text, a, b)

    def names_in(self, passage: Passage) -> list[Pick]:
        """The entities the passage names, known (mentions) or not (suggestions), in text order."""
        viewer = self.curate_text
        found: list[tuple[int, Pick]] = []
        seen: set[str] = set()
        for m in viewer.mentions:
            if passage.start <= m["start"] and m["end"] <= passage.end and m["entity_id"] not in seen:
                seen.add(m["entity_id"])
                found.append((m["start"], Pick(m["name"], m["kind"], m["entity_id"])))
        for s in viewer.suggested:
            if passage.start <= s.start and s.end <= passage.end and s.name not in seen:
                seen.add(s.name)
                found.append((s.start, Pick(s.name, curate_data.guess_kind(s.name))))
        return [p for _, p in sorted(found, key=lambda f: f[0])]

    def action_make_claim(self) -> None:
        from kbtui.tui.screens.claim_form import ClaimForm

        passage = self.passage()
        if passage is None:
            return
        if self.curation.busy:
            self.notify(BUSY, timeout=3)
            return
        form = ClaimForm(self.db_path, self.curation, passage, self.names_in(passage))
        self.app.push_screen(form, self._made)

    def action_add_entity(self, ask: bool = False) -> None:
        passage = self.passage()
        if passage is None:
            return
        passage = passage.trimmed()  # "Vladivostok." names Vladivostok
        name = " ".join(passage.quote.split())
        if not name or len(name.split()) > NAME_WORDS or "\n" in passage.quote:
            self.notify(
                f"Select just the name (up to {NAME_WORDS} words on one line), then press a.", severity="warning"
            )
            return
        known = next(
            (m for m in self.curate_text.mentions if (m["start"], m["end"]) == (passage.start, passage.end)), None
        )
        if known is not None and not ask:
            self.notify(
                f"“{shown(name, 60)}” is {shown(known['name'], 60)} ({shown(known['entity_id'], 60)}) in the KB"
                " already: A makes another entity of that name.",
                severity="warning",
                timeout=8,
                markup=False,
            )
            return
        kind = curate_data.guess_kind(name)
        if ask:
            self.app.push_screen(EntityForm(name, kind), lambda got: self._entity_chosen(passage, got))
        else:
            self._write_entity(passage, kind, name, distinct=False)

    def _entity_chosen(self, passage: Passage, got: tuple[str, str] | None) -> None:
        if got is not None:
            self._write_entity(passage, *got, distinct=True)  # asked for by name and kind: made even if one exists

    def _write_entity(self, passage: Passage, kind: str, name: str, distinct: bool) -> None:
        if not self.curation.begin():
            self.notify(BUSY, timeout=3)
            return
        self.curate_text.clear_selection()  # a second `a` has nothing to make a second entity of
        self.write_entity(passage, kind, name, distinct)

    @work(thread=True, group="curate")
    def write_entity(self, passage: Passage, kind: str, name: str, distinct: bool) -> None:
        curation = self.curation
        try:
            step, change = curate_data.make_entity(self.db_path, curation.bundle, kind, name, passage, distinct)
        except KBError as exc:
            self.app.call_from_thread(self._refused, exc.message, exc.hint)
            return
        except Exception as exc:  # one line, never a traceback
            self.app.call_from_thread(self._refused, kbdata.read_failure(exc), "")
            return
        finally:
            curation.end()
        curation.made(step)  # recorded here: undoable even if the screen is gone by now
        self.app.call_from_thread(self._made, (step, change))

    def _refused(self, message: str, hint: str) -> None:
        self.app.notify(message + (f" ({hint})" if hint else ""), title="Not saved", severity="error", timeout=10)

    def _made(self, done: tuple[Step, Change] | None) -> None:
        if done is None:
            return
        step, change = done
        made = f"{change.table} {change.id}"
        extra = len(step.added) - 1
        if extra:
            made += f" (and {plural(extra, 'new entity', 'new entities')})"
        self.app.notify(f"Saved {made}, cited here. z undoes it.", title="Saved", timeout=6, markup=False)
        if not self.is_attached:
            return  # the screen was left meanwhile: the step is recorded, nothing to redraw
        here = self.source["id"] if self.source is not None else None
        cite = next((c for c in change.citations if c["source_id"] == here), None)
        self.curate_text.clear_selection()
        self.seen_changes = self.curation.changed
        self.reload(cite["id"] if cite else None)
