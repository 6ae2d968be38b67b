"""`c` in curate mode: say what the selected passage proves.

The form asks for the claim's kind (role, relation, event, property) and
shows that kind's fields; the fields naming entities are pickers (type,
↓ ↑ through the KB's matches listed under the form, Enter picks; the
last line makes a new entity). The names the passage holds are filled in
already: a role's holder is its first person, its organisation its first
organisation, a relation's two sides its first two names. Below, the
evidence: stance, certainty, mode, speaker, as of. Ctrl+S saves, through
the curation engine in a worker; a refusal is said here, in one line,
and the form stays for the fix. Escape cancels and writes nothing.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from kbtui.kb import search as kbsearch
from kbtui.kb import vocab
from kbtui.kb.errors import KBError
from kbtui.kb.session import Change
from kbtui.kb.undo import Step
from kbtui.tui import curate_data
from kbtui.tui import data as kbdata
from kbtui.tui.clip import shown
from kbtui.tui.curate_data import Passage, Pick
from kbtui.tui.curation import BUSY, Curation
from kbtui.tui.widgets.picker import Picker

KINDS = ("role", "relation", "event", "property")
# (field id, label, which kinds show it)
TEXT_FIELDS = {
    "title": ("title", ("role",)),
    "name": ("name", ("event",)),
    "value": ("value", ("property",)),
}
# picker id: (label, kinds shown for, kinds it offers, what a new name becomes, several?)
PICKERS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], str, bool]] = {
    "holder": ("holder", ("role",), ("person", "organisation"), "person", False),
    "organisation": ("organisation", ("role",), ("organisation", "country"), "organisation", False),
    "subject": ("subject", ("relation",), (), "person", False),
    "object": ("object", ("relation",), (), "person", False),
    "participants": ("participants", ("event",), ("person", "organisation", "country"), "person", True),
    "place": ("place", ("event",), ("place", "country"), "place", False),
    "entity": ("entity", ("property",), (), "person", False),
    "speaker": ("speaker", KINDS, ("person", "organisation"), "person", False),
}
# the fields in the order they are asked (only the kind's are shown)
FIELD_ORDER = (
    *("holder", "title", "organisation", "subject", "object"),
    *("name", "participants", "place", "entity", "value"),
)
# what each kind of claim cannot be saved without
NEEDED = {
    "role": ("holder", "title"),
    "relation": ("subject", "object"),
    "event": ("name",),
    "property": ("entity", "property", "value"),
}
MEETING = re.compile(r"\b(met|meet|meets|meeting|talks)\b", re.IGNORECASE)


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


class ClaimForm(ModalScreen[tuple[Step, Change] | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "save", priority=True, id="claim.save"),
        Binding("escape", "cancel", "cancel", id="claim.cancel"),
        Binding("down", "choice(1)", show=False, id="claim.choice_next"),
        Binding("up", "choice(-1)", show=False, id="claim.choice_previous"),
    ]

    DEFAULT_CSS = """
    ClaimForm { align: center middle; }
    #claim-box {
        width: 96; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    #claim-quote { height: auto; max-height: 3; }
    .row { height: 1; margin-top: 0; }
    .row Label { width: 13; color: $text-muted; }
    .row Input, .row Select { width: 1fr; }
    .row .status { width: 24; padding-left: 1; }
    #row-participants Input { width: 22; }
    #row-participants .status { width: 1fr; }
    #row-dates Input, #row-evidence Select { width: 1fr; }
    #row-dates Label.inner, #row-evidence Label.inner { width: auto; padding: 0 1; }
    #evidence-head { color: $text-muted; margin-top: 1; }
    #claim-choices { height: auto; max-height: 7; border: none; padding: 0; background: $surface; }
    #claim-error { color: $error; height: auto; }
    #claim-foot { color: $text-muted; }
    """

    def __init__(self, db_path: Path, curation: Curation, passage: Passage, names: list[Pick]) -> None:
        super().__init__()
        self.db_path = db_path
        self.curation = curation
        self.passage = passage
        self.names = names  # the entities the passage names, known or new, in text order
        self.busy = False
        self.hits: list[kbsearch.Hit] = []
        self.choosing: Picker | None = None

    # --- building -----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="claim-box"):
            quote = Text("Claim from ", style=Style(bold=True))
            quote.append(f"“{shown(self.passage.quote, 220)}”")
            quote.append(f" — {shown(self.passage.source_id, 60)}", style=Style(dim=True))
            yield Static(quote, id="claim-quote")
            kind_select = Select(_choices(KINDS), value=self._kind(), allow_blank=False, compact=True)
            yield self._row("kind", "kind", kind_select)
            yield self._row(
                "type",
                "type",
                Select(_choices(vocab.RELATION_TYPES), value="met", allow_blank=False, compact=True, id="f-rtype"),
                shown_for=("relation",),
            )
            yield self._row(
                "etype",
                "type",
                Select(_choices(vocab.EVENT_TYPES), value="meeting", allow_blank=False, compact=True, id="f-etype"),
                shown_for=("event",),
            )
            yield self._row(
                "property",
                "property",
                Select(_choices(vocab.PROPERTIES), compact=True, prompt="choose", id="f-property"),
                shown_for=("property",),
            )
            for key in FIELD_ORDER:
                if key in PICKERS:
                    label, kinds, offers, new_kind, multi = PICKERS[key]
                    picker = Picker(offers, new_kind, id=f"f-{key}", multi=multi)
                    yield self._row(key, label, picker, kinds, status=True)
                else:
                    label, kinds = TEXT_FIELDS[key]
                    yield self._row(key, label, Input(id=f"f-{key}", compact=True), kinds)
            with Horizontal(classes="row k-role k-relation k-event", id="row-dates"):
                yield Label("from")
                yield Input(id="f-start", compact=True, placeholder="YYYY-MM-DD")
                yield Label("to", classes="inner")
                yield Input(id="f-end", compact=True, placeholder="YYYY-MM-DD")
                yield Label("status", classes="inner role-only")
                statuses = _choices(vocab.ROLE_STATUSES)
                yield Select(statuses, compact=True, prompt="–", id="f-status", classes="role-only")
            yield Static("Evidence: what the passage is, as evidence of the claim", id="evidence-head")
            with Horizontal(classes="row k-role k-relation k-event k-property", id="row-evidence"):
                yield Label("stance")
                yield Select(_choices(vocab.STANCES), compact=True, prompt="supports", id="f-stance")
                yield Label("certainty", classes="inner")
                yield Select(_choices(vocab.CERTAINTIES), compact=True, prompt="stated", id="f-certainty")
                yield Label("mode", classes="inner")
                yield Select(_choices(vocab.MODES), compact=True, prompt="asserts", id="f-mode")
            label, kinds, offers, new_kind, _ = PICKERS["speaker"]
            yield self._row("speaker", label, Picker(offers, new_kind, id="f-speaker"), kinds, status=True)
            yield self._row("as_of", "as of", Input(id="f-as_of", compact=True, placeholder="the source's date"))
            yield OptionList(id="claim-choices")
            yield Static("", id="claim-error", markup=False)
            yield Static(
                "ctrl+s saves · tab next field · ↓ ↑ Enter pick a name · esc cancels", id="claim-foot", markup=False
            )

    def _row(
        self, key: str, label: str, widget: Widget, shown_for: tuple[str, ...] = KINDS, status: bool = False
    ) -> Horizontal:
        if widget.id is None:
            widget.id = f"f-{key}"
        parts: list[Widget] = [Label(label), widget]
        if status:
            parts.append(Static("", id=f"f-{key}-status", classes="status"))
        kinds = " ".join(f"k-{k}" for k in shown_for)
        return Horizontal(*parts, classes=f"row {kinds}", id=f"row-{key}")

    def _kind(self) -> str:
        return "relation" if MEETING.search(self.passage.quote) and len(self.names) >= 2 else "role"

    def on_mount(self) -> None:
        self.query_one("#claim-choices").display = False
        self.query_one("#claim-error").display = False
        self._prefill()
        self._show_kind()
        self._focus_first_empty()

    def _focus_first_empty(self) -> None:
        """The first field the kind needs that is still empty (a role's
        title, when the passage named its holder), else the kind."""
        for key in NEEDED[self.kind]:
            widget = self.query_one(f"#f-{key}")
            if isinstance(widget, Picker) and widget.picked:
                continue
            if isinstance(widget, Input) and not widget.value.strip():
                widget.focus()
                return
            if isinstance(widget, Select) and not isinstance(widget.value, str):
                widget.focus()
                return
        self.query_one("#f-kind").focus()

    def _prefill(self) -> None:
        people = [n for n in self.names if n.kind == "person"]
        groups = [n for n in self.names if n.kind in ("organisation", "country")]
        places = [n for n in self.names if n.kind in ("place", "country")]
        holder = people[:1] or self.names[:1]
        # a role's organisation: the passage's first organisation, else the
        # first other name it holds ("chief executive of Rosneft")
        others = [n for n in self.names if n not in holder and n.kind not in ("person", "place")]
        others = others or [n for n in self.names if n not in holder and n.id is None]
        fill = {
            "holder": holder,
            "organisation": groups[:1] or others[:1],
            # a relation's two sides: its first two people (who met whom), else its first two names
            "subject": (people if len(people) >= 2 else self.names)[:1],
            "object": (people if len(people) >= 2 else self.names)[1:2],
            # who took part: the people it names (its organisations when it names none)
            "participants": people or groups,
            "place": places[:1],
            "entity": self.names[:1],
        }
        for key, picks in fill.items():
            picker = self.query_one(f"#f-{key}", Picker)
            for p in picks:
                if p.id is None and picker.kinds and p.kind not in picker.kinds:
                    p = Pick(p.name, picker.new_kind)  # a new name in the organisation field is an organisation
                picker.choose(p)

    @property
    def kind(self) -> str:
        return str(self.query_one("#f-kind", Select).value)

    @on(Select.Changed, "#f-kind")
    def _kind_changed(self) -> None:
        self._show_kind()
        self.call_after_refresh(self._focus_first_empty)  # once the kind's fields are shown

    def _show_kind(self) -> None:
        kind = self.kind
        for row in self.query(".row"):
            row.display = row.has_class(f"k-{kind}")
        for widget in self.query(".role-only"):
            widget.display = kind == "role"

    # --- picking ----------------------------------------------------------------------

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if isinstance(event.input, Picker):
            self.choosing = event.input
            self._search(event.input, event.value)

    @work(thread=True, exclusive=True, group="claim-pick")
    def _search(self, picker: Picker, typed: str) -> None:
        try:
            hits = curate_data.pick(self.db_path, typed, picker.kinds)
        except Exception:  # a slow or broken read: the picker can still make a new entity
            hits = []
        self.app.call_from_thread(self._offer, picker, typed, hits)

    def _offer(self, picker: Picker, typed: str, hits: list[kbsearch.Hit]) -> None:
        if picker is not self.choosing or picker.value != typed:
            return
        choices = self.query_one("#claim-choices", OptionList)
        choices.clear_options()
        self.hits = hits
        if not typed.strip() or (picker.pick is not None and picker.pick.name == typed and not picker.multi):
            choices.display = False
            return
        for n, h in enumerate(hits):
            line = Text(shown(h.name, 50), style=Style(bold=True))
            line.append(f"  {h.kind} · {shown(h.id, 40)}", style=Style(dim=True))
            choices.add_option(Option(line, id=str(n)))
        kind = curate_data.guess_kind(typed) if picker.new_kind == "person" else picker.new_kind
        new = Text(f"+ new {kind} “{shown(typed.strip(), 50)}”", style=Style(italic=True))
        choices.add_option(Option(new, id="new"))
        choices.highlighted = 0
        choices.display = True

    def action_choice(self, step: int) -> None:
        choices = self.query_one("#claim-choices", OptionList)
        if not choices.display or not isinstance(self.focused, Picker):
            # not choosing: ↓ ↑ move between fields
            (self.focus_next if step > 0 else self.focus_previous)()
            return
        count = choices.option_count
        current = choices.highlighted if choices.highlighted is not None else -1
        choices.highlighted = (current + step) % count

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        choices = self.query_one("#claim-choices", OptionList)
        if isinstance(event.input, Picker) and choices.display and choices.highlighted is not None:
            self._take(event.input, choices.highlighted)
        self.focus_next()

    @on(OptionList.OptionSelected, "#claim-choices")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        if self.choosing is not None:
            self._take(self.choosing, event.option_index)
            self.choosing.focus()

    def _take(self, picker: Picker, index: int) -> None:
        typed = picker.value.strip()
        if index < len(self.hits):
            h = self.hits[index]
            picker.choose(Pick(h.name, h.kind, h.id))
        elif typed:
            kind = curate_data.guess_kind(typed) if picker.new_kind == "person" else picker.new_kind
            picker.choose(Pick(typed, kind))
        self.query_one("#claim-choices").display = False

    def on_descendant_focus(self) -> None:
        if not isinstance(self.focused, Picker) or self.focused is not self.choosing:
            self.query_one("#claim-choices").display = False

    # --- saving -------------------------------------------------------------------------

    def _value(self, key: str) -> str:
        widget = self.query_one(f"#f-{key}")
        if isinstance(widget, Select):
            return widget.value if isinstance(widget.value, str) else ""  # nothing chosen: no value
        assert isinstance(widget, Input)
        return widget.value.strip()

    def draft(self) -> tuple[str, dict[str, Any], dict[str, Pick], dict[str, str]]:
        """(table, fields, picks, evidence) as the form holds them; a
        picker with a name typed but not picked takes the KB's entity of
        exactly that name if there is one, else the name makes a new one."""
        kind = self.kind
        fields: dict[str, Any] = {}
        picks: dict[str, Pick] = {}
        for key, (_, kinds, _, _, multi) in PICKERS.items():
            if kind not in kinds:
                continue
            picker = self.query_one(f"#f-{key}", Picker)
            self._settle(picker)
            if multi:
                for n, p in enumerate(picker.picked):
                    picks[f"{key}.{n}"] = p
            elif picker.pick is not None:
                picks[key] = picker.pick
        for key, (_, kinds) in TEXT_FIELDS.items():
            if kind in kinds:
                fields[key] = self._value(key)
        fields["start"], fields["end"] = self._value("start"), self._value("end")
        if kind == "role":
            fields["status"] = self._value("status")
        elif kind == "relation":
            fields["type"] = self._value("rtype")
        elif kind == "event":
            fields["type"] = self._value("etype")
        elif kind == "property":
            fields["property"] = self._value("property")
            fields.pop("start")
            fields.pop("end")
        evidence = {k: self._value(k) for k in ("stance", "certainty", "mode", "as_of")}
        speaker = picks.pop("speaker", None)
        if speaker is not None:
            if speaker.id is None:  # a speaker not in the KB is cited in words
                evidence["speaker"] = speaker.name
            else:
                evidence["speaker"] = speaker.id
        return kind, fields, picks, evidence

    def _settle(self, picker: Picker) -> None:
        """A name typed and never picked: the save looks it up (curate_data._exact)."""
        typed = picker.value.strip()
        if not typed or (picker.pick is not None and picker.pick.name == typed):
            return
        kind = curate_data.guess_kind(typed) if picker.new_kind == "person" else picker.new_kind
        picker.choose(Pick(typed, kind, typed=True))

    def _missing(self, kind: str, fields: dict[str, Any], picks: dict[str, Pick]) -> str | None:
        for key in NEEDED[kind]:
            if not fields.get(key) and key not in picks and not any(k.startswith(f"{key}.") for k in picks):
                return f"A {kind} needs {'an' if key[0] in 'aeiou' else 'a'} {key}."
        return None

    def action_save(self) -> None:
        if self.busy:
            return
        kind, fields, picks, evidence = self.draft()
        missing = self._missing(kind, fields, picks)
        if missing is not None:
            self._refused(missing)
            return
        if not self.curation.begin():
            self._refused(BUSY)
            return
        self.busy = True
        self.query_one("#claim-foot", Static).update("Saving…")
        # the app's worker, not the form's: the form closing when it is done must not cancel it
        self.app.run_worker(partial(self._save, kind, fields, picks, evidence), thread=True, group="claim-save")

    def _save(self, kind: str, fields: dict[str, Any], picks: dict[str, Pick], evidence: dict[str, str]) -> None:
        curation = self.curation
        try:
            done = curate_data.make_claim(self.db_path, curation.bundle, kind, fields, self.passage, evidence, picks)
        except KBError as exc:
            # the curation engine's hints speak of command-line options: the message is what matters here
            hint = "" if "options" in exc.hint else f" ({exc.hint})"
            self.app.call_from_thread(self._refused, exc.message + hint)
            return
        except Exception as exc:  # a full disk, a locked file: one line, never a traceback
            self.app.call_from_thread(self._refused, kbdata.read_failure(exc))
            return
        finally:
            curation.end()
        curation.made(done[0])  # recorded here: undoable whatever happens to this form
        self.app.call_from_thread(self.dismiss, done)

    def _refused(self, message: str) -> None:
        self.busy = False
        error = self.query_one("#claim-error", Static)
        error.update("Not saved: " + message)
        error.display = True
        self.query_one("#claim-foot", Static).update("ctrl+s saves · tab next field · esc cancels")

    def action_cancel(self) -> None:
        if self.busy:  # the save is under way: it will close the form itself
            self.notify("Saving: a moment.", timeout=2)
            return
        choices = self.query_one("#claim-choices")
        if choices.display:
            choices.display = False
            return
        self.dismiss(None)
