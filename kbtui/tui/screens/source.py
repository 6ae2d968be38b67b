"""The source viewer: the whole stored text, the cited span highlighted and
scrolled into view, the other cited spans marked (n / N), names of known
entities marked as links (Tab, Enter, or a click), the source's own errors
struck through (x / X). The info line says what the current citation is
evidence of (as of, stance, certainty, mode, speaker: `s` opens the
speaker) and explains an erratum: what the source says, and what is right.
Escape, Backspace or `[` go back exactly where the user was; that is the
app's history.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from kbtui.kb.models import Citation, Erratum, MarkedCitation
from kbtui.tui import data as kbdata
from kbtui.tui.clip import SHOW_ALL_KEY, shown
from kbtui.tui.evidence_text import citation_facts
from kbtui.tui.history import Location
from kbtui.tui.look import Look, plural, source_line
from kbtui.tui.messages import CitationFocused, EntitySelected, ErratumFocused, TitleLearned
from kbtui.tui.screens.base import ContentScreen
from kbtui.tui.widgets.breadcrumb import Breadcrumb
from kbtui.tui.widgets.footer import KeyBar
from kbtui.tui.widgets.source_text import SourceText

NOTE_HEAD = 160  # characters of a source's note in the viewer's head


class SourceScreen(ContentScreen):
    BINDINGS = [
        Binding("escape", "app.back", "back", id="source.back"),
        Binding("y", "copy_citation", "copy", tooltip="copy the current citation as text", id="source.copy"),
        Binding(
            "s", "speaker", "speaker", tooltip="open the pane of who says the current citation", id="source.speaker"
        ),
        # the app's search: it closes the viewer (history keeps it) and focuses the box
        Binding("slash", "app.focus_search", "search", show=False, id="source.search"),
        Binding(
            SHOW_ALL_KEY, "show_all", "whole note", show=False, tooltip="the source's note in full", id="source.note"
        ),
    ]
    NO_CITATION = "No citation selected: press n to go to one."
    show_all_key = SHOW_ALL_KEY  # (curate mode's v selects: there it is V)

    def __init__(self, db_path: Path, location: Location) -> None:
        super().__init__(db_path)
        self.location = location
        self.source: kbdata.ViewedSource | None = None

    def compose(self) -> ComposeResult:
        yield Breadcrumb(id="crumbs")
        yield Static("", id="source-head")
        yield Static("", id="cite-info")
        yield self.make_viewer()
        yield KeyBar()

    def make_viewer(self) -> SourceText:
        """The text widget (curate mode's has a selection)."""
        return SourceText(id="source-text")

    @property
    def viewer(self) -> SourceText:
        return self.query_one(SourceText)

    def on_mount(self) -> None:
        self.show_breadcrumb(*self._crumbs)
        self.viewer.look = self.context.look
        self.viewer.focus()
        self.load(self.location)

    def apply_look(self, look: Look) -> None:
        self.viewer.look = look
        self.viewer._invalidate()
        self._show_info()

    def show_location(self, location: Location) -> None:
        """History moved to another place in a source (attributes down)."""
        if location is self.location:
            return
        self.location = location
        if self._holds(location) and self.source is not None:
            self._populate(location, self.source)
        else:
            self.load(location)

    def _holds(self, location: Location) -> bool:
        """The loaded text is the one `location` needs: the same source, and
        the same version (an orphaned citation is in an older one)."""
        src = self.source
        if src is None or src["id"] != location.source_id:
            return False
        if location.citation_id is None:
            return "shown_version" not in src
        return any(c["id"] == location.citation_id for c in src["citations"])

    @work(thread=True, exclusive=True, group="source")
    def load(self, location: Location) -> None:
        assert location.source_id is not None
        src = self.guarded(kbdata.source_view, self.db_path, location.source_id, location.citation_id)
        if src is not None:
            self.app.call_from_thread(self._populate, location, src)

    def _populate(self, location: Location, src: kbdata.ViewedSource) -> None:
        if location is not self.location:
            return
        self.source = src
        self.post_message(TitleLearned(location, src["title"]))
        cites = src["citations"]
        current = next((n for n, c in enumerate(cites) if c["id"] == location.citation_id), -1)
        state = location.state
        viewer = self.viewer
        viewer.load(src["text"], cites, src["mentions"], state.get("current", current), src["errata"], location.span)
        erratum = next((n for n, x in enumerate(src["errata"]) if x["id"] == location.erratum_id), -1)
        self._show_head(src)
        if state:
            viewer.link = state.get("link", -1)
            viewer.erratum = state.get("erratum", -1)
            viewer.when_ready(viewer.scroll_to, y=state.get("scroll_y", 0), animate=False)
        elif erratum >= 0:
            viewer.erratum = erratum
            viewer.when_ready(viewer.scroll_to_offset, src["errata"][erratum]["span"][0])
        elif location.span is not None:
            viewer.when_ready(viewer.scroll_to_offset, location.span[0])
        elif current >= 0:
            viewer.when_ready(viewer.scroll_to_current)
            if not cites[current]["matches"]:
                self._mismatch(cites[current])
        elif location.focus_entity:
            viewer.when_ready(viewer.focus_mention_of, location.focus_entity)
        self._show_info()
        self.populated(src)

    def populated(self, src: kbdata.ViewedSource) -> None:
        """The source is shown (curate mode looks for new names in it)."""

    def _mismatch(self, cite: MarkedCitation) -> None:
        self.notify(
            f"Citation {cite['id']}: the stored text at {cite['start']}–{cite['end']} no longer "
            "matches its quote, so the marked span may be wrong. Run `kbtui check`.",
            title="Citation out of date",
            severity="warning",
            timeout=10,
            markup=False,
        )

    def _show_head(self, src: kbdata.ViewedSource) -> None:
        head = Text(shown(src["title"]), style=Style(bold=True))
        if src.get("confidential"):  # a reminder before anything is copied out of it
            head.append(" · confidential", style=self.viewer.look.fg("warning"))
        head.append("\n" + source_line(src), style=self.viewer.look.fg("accent"))
        if not src["published"]:
            # an undated original: what bounds its date (its citations say why they are undated)
            bounds = [f"after {src['not_before']}" if src["not_before"] else "", src["not_after"] or ""]
            bounds[1] = f"by {bounds[1]}" if bounds[1] else ""
            said = ", ".join(shown(b, 60) for b in bounds if b)
            head.append(" · undated" + (f" ({said})" if said else ""), style=self.viewer.look.fg("warning"))
        if src.get("via"):
            via = shown(src["via"]) + (f", {shown(src['via_date'])}" if src.get("via_date") else "")
            head.append(f" · reposted via {via}", style=Style(dim=True))
        if src.get("url"):
            head.append(" · " + shown(src["url"]), style=Style(dim=True))
        # where it comes from: the report it relays, and the curator's note
        # on its provenance (why unattributed, how it is dated)
        relayed = src.get("origin") or src.get("relays")
        if relayed:
            head.append("\nrelays " + shown(relayed, NOTE_HEAD), style=Style(dim=True))
        note = " ".join((src.get("note") or "").split())
        if note:
            head.append("\nnote: " + shown(note, NOTE_HEAD), style=Style(dim=True, italic=True))
            if len(note) > NOTE_HEAD:
                head.append(f" ({self.show_all_key}: the whole note)", style=Style(dim=True))
        if "shown_version" in src:
            head.append(
                f"\nversion {src['shown_version']} of {src['version']}, an earlier text: the citations shown here"
                " were not found in the current one (kbtui check lists them)",
                style=self.viewer.look.fg("warning"),
            )
        elif src.get("version", 1) > 1:
            head.append(f" · version {src['version']}", style=Style(dim=True))
        self.query_one("#source-head", Static).update(head)

    def cut_short(self) -> list[tuple[str, str]]:
        note = (self.source.get("note") if self.source is not None else None) or ""
        if len(" ".join(note.split())) > NOTE_HEAD:
            return [("Note on the source", note)]
        return []

    def _show_info(self) -> None:
        if self.source is None:
            return
        viewer = self.viewer
        look = viewer.look
        cites = self.source["citations"]
        errata = self.source["errata"]
        names = len({m["entity_id"] for m in self.source["mentions"]})
        info = Text()
        explained: list[int] = []
        if 0 <= viewer.current < len(cites):
            c = cites[viewer.current]
            if not c.get("matches", True):
                info.append(
                    "⚠ The stored text at this span no longer matches the quote (run `kbtui check`).\n",
                    style=look.fg("error", bold=True),
                )
            info.append(f"Citation {viewer.current + 1} of {len(cites)}: ", style=Style(bold=True))
            info.append(shown(c.get("claim") or "", 600))
            detail = self.current_detail()
            if detail is not None:
                info.append("\n")
                info.append_text(citation_facts(detail, look, {"@click": "screen.speaker"}))
            explained = viewer.erratum_at(c["start"], c["end"])
        else:
            info.append(f"{len(cites)} cited passage{'s' if len(cites) != 1 else ''}", style=Style(bold=True))
            info.append(" (n / N to visit)", style=Style(dim=True))
        if 0 <= viewer.erratum < len(errata) and viewer.erratum not in explained:
            explained = [viewer.erratum, *explained]
        for n in explained[:2]:
            info.append("\n")
            info.append_text(self._erratum_text(errata[n], n, len(errata)))
        info.append(f"\n{names} known name{'s' if names != 1 else ''} marked (Tab, Enter)", style=Style(dim=True))
        if errata:
            info.append(f" · {plural(len(errata), 'erratum', 'errata')} struck through (x)", style=Style(dim=True))
        tail = self.info_tail()
        if tail is not None:
            info.append("\n")
            info.append_text(tail)
        self.query_one("#cite-info", Static).update(info)

    def info_tail(self) -> Text | None:
        """A last line for the info (curate mode's selection)."""
        return None

    def _erratum_text(self, x: Erratum, index: int, total: int) -> Text:
        """'Erratum 1 of 2: “Chinese premier” — the source says …; correct: …'."""
        look = self.viewer.look
        text = Text(f"Erratum {index + 1} of {total}: ", style=look.fg("error", bold=True))
        text.append(f"“{shown(x['quote'], 60)}”", style=Style(strike=True))
        text.append(" — the source says ", style=Style(dim=True))
        # short: the viewer is for reading the text; the conflicts view has it all
        text.append(shown(x["says"], 100))
        text.append("; correct: ", style=look.fg("success", bold=True))
        text.append(shown(x["correct"], 160))
        return text

    def current_detail(self) -> Citation | None:
        """The current citation's evidence record (as of, stance, speaker...)."""
        if self.source is None:
            return None
        cites = self.source["citations"]
        index = self.viewer.current
        if not 0 <= index < len(cites):
            return None
        return self.source["details"].get(cites[index]["id"])

    def action_speaker(self) -> None:
        detail = self.current_detail()
        speaker = detail["speaker"] if detail else None
        if speaker and speaker["id"]:
            self.post_message(EntitySelected(speaker["id"], speaker["name"]))
        elif detail is None:
            self.notify(self.NO_CITATION, severity="warning", timeout=3)
        else:
            who = f"“{shown(speaker['name'], 60)}”, not an entity in the KB" if speaker else "the source's writer"
            self.notify(f"This citation's speaker is {who}.", timeout=4, markup=False)

    @on(ErratumFocused)
    def _erratum(self, event: ErratumFocused) -> None:
        event.stop()
        self._show_info()

    @on(CitationFocused)
    def _cited(self, event: CitationFocused) -> None:
        event.stop()
        self._show_info()
        cites = self.source["citations"] if self.source else []
        if 0 <= event.index < len(cites) and not cites[event.index]["matches"]:
            self._mismatch(cites[event.index])

    def capture(self) -> dict[str, Any]:
        viewer = self.viewer
        return {"current": viewer.current, "link": viewer.link, "erratum": viewer.erratum, "scroll_y": viewer.scroll_y}

    def current_citation(self) -> kbdata.CitedQuote | None:
        if self.source is None:
            return None
        cites = self.source["citations"]
        index = self.viewer.current
        if not 0 <= index < len(cites):
            return None
        return kbdata.CitedQuote(cites[index]["quote"], kbdata.citation_source(self.source))
