"""The evidence pane: "how do we know?" for the selected claim.

It shows the claim in words, when it is attested and by how many
independent sources, what it conflicts with (a link to the conflicts
view), and, loudly, if it is disputed and why; then each citation: the
quote, who said it where, and what it is evidence of (its as-of date,
stance, certainty, mode and speaker). Enter opens the citation in the
source viewer, `s` the speaker's pane. The screen hands claims down with
`show_claim` (and the conflicting claims' names with `show_claim_names`);
the pane never looks anything up itself.
"""

from __future__ import annotations

from rich.console import Group
from rich.padding import Padding
from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kbtui.kb.models import Citation, Evidence
from kbtui.tui.clip import PANE_TEXT_MAX, clipped, more_words, shown
from kbtui.tui.data import CitedQuote, ClaimName
from kbtui.tui.evidence_text import attestation, citation_facts, dissent
from kbtui.tui.look import Look, source_line
from kbtui.tui.messages import ClaimNamesWanted, EntitySelected, OpenCitation, OpenConflicts

QUOTE_MAX = 400


class EvidenceList(OptionList):
    BINDINGS = [
        Binding("enter", "select", "open source", id="evidence.open"),
        Binding("s", "speaker", "speaker", tooltip="open the pane of who says it (the speaker)", id="evidence.speaker"),
        Binding("j", "cursor_down", "down", show=False, id="evidence.down"),
        Binding("k", "cursor_up", "up", show=False, id="evidence.up"),
    ]

    def action_speaker(self) -> None:
        pane = self.parent
        if isinstance(pane, EvidencePane):
            pane.open_speaker(self.highlighted)

    async def _on_click(self, event: events.Click) -> None:
        # a click on a speaker's name opens the speaker, not the source
        index = event.style.meta.get("speaker")
        pane = self.parent
        if isinstance(index, int) and isinstance(pane, EvidencePane):
            event.prevent_default()
            event.stop()
            self.highlighted = index
            pane.open_speaker(index)


class EvidenceTitle(Static):
    """The claim, its attestation and its conflicts; a conflict is a link."""

    def action_conflicts(self) -> None:
        pane = self.parent
        claim = pane.claim if isinstance(pane, EvidencePane) else None
        self.post_message(OpenConflicts(claim["id"] if claim else None))


class EvidencePane(Vertical):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.claim: Evidence | None = None
        self.summary = ""
        self.look = Look()
        self.today = ""  # set by the screen: the app's date, that evidence ages against
        self.claim_names: dict[str, ClaimName] = {}  # conflicting claims in words, as the screen hands them down
        self.conflicts_hint = True  # say that ! lists conflicts (not where they are listed)
        self._fit = 0  # the list's max-height, last set

    def compose(self) -> ComposeResult:
        yield EvidenceTitle("", id="evidence-title")
        yield EvidenceList(id="evidence-list")

    # The list's height is auto (no empty rows under a short list), so the
    # pane's max-height alone would clip a long one instead of letting it
    # scroll to the highlighted citation: the list is given the room the
    # title leaves under the pane's max-height (which grows with focus).
    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_list)

    def on_descendant_focus(self) -> None:
        self.call_after_refresh(self._fit_list)

    def on_descendant_blur(self) -> None:
        self.call_after_refresh(self._fit_list)

    def refit(self) -> None:
        """The pane's height changed (zoomed): fit the list to it again and
        keep the selected citation in view."""
        self.call_after_refresh(self._fit_list)

    def _fit_list(self) -> None:
        limit, parent = self.styles.max_height, self.parent
        if limit is None or limit.is_auto or not isinstance(parent, Widget) or not self.is_mounted:
            return
        options = self.query_one(EvidenceList)
        if self.has_class("-zoomed"):
            # full height: the list takes what the title leaves (CSS 1fr)
            self._fit = 0
            options.styles.max_height = None
            self.call_after_refresh(self._show_selected)
            return
        room = int(limit.resolve(parent.size, self.app.size))
        title = self.query_one("#evidence-title", Static).outer_size.height
        fit = max(3, room - title - self.styles.gutter.height)
        if fit != self._fit:
            self._fit = fit
            self.query_one(EvidenceList).styles.max_height = fit
            self.call_after_refresh(self._show_selected)

    def _show_selected(self) -> None:
        """The selected citation whole in view (quote, outlet line, facts),
        not just its first line, after the list's height changed."""
        found = self.query(EvidenceList)
        if not found:  # the pane left the screen before this ran (its screen closed)
            return
        options = found.first()
        if options.highlighted is not None:
            options.scroll_to_highlight()

    @property
    def citations(self) -> list[Citation]:
        return list(self.claim["citations"] or []) if self.claim else []

    @property
    def current_citation(self) -> Citation | None:
        cites = self.citations
        index = self.query_one(EvidenceList).highlighted
        if not cites:
            return None
        return cites[index] if index is not None and 0 <= index < len(cites) else cites[0]

    @property
    def cited_quote(self) -> CitedQuote | None:
        """The selected citation as `y` copies it."""
        cite = self.current_citation
        return CitedQuote(cite["quote"], cite["source"]) if cite is not None else None

    def show_claim(self, claim: Evidence | None, summary: str = "", hint: str | None = None) -> None:
        self.claim = claim
        self.summary = summary
        title = self.query_one("#evidence-title", Static)
        options = self.query_one(EvidenceList)
        options.clear_options()
        if claim is None:
            self.border_title = "Evidence"
            text = Text("Select a role, relation or event to see how we know it.", style=Style(dim=True))
            if summary:
                text = Text.assemble(
                    (shown(summary), Style(bold=True)),
                    "\n",
                    (hint or "Not a claim: press Enter to read the source.", Style(dim=True)),
                )
            title.update(text)
            return
        cites = self.citations
        self.border_title = f"Evidence · {len(cites)} citation{'s' if len(cites) != 1 else ''}"
        title.update(self._title(claim, summary))
        options.add_options(Option(self._prompt(n, c), id=str(c["id"])) for n, c in enumerate(cites))
        if cites:
            options.highlighted = 0
        self.call_after_refresh(self._fit_list)
        missing = [c for c in claim.get("conflicts") or [] if c not in self.claim_names]
        if missing:
            self.post_message(ClaimNamesWanted(missing))

    def follow(self, claim: Evidence | None, summary: str = "", hint: str | None = None) -> None:
        """show_claim for a selection that moved: a claim shown already (announced
        again, as a table's queued highlight after going back) keeps the
        citation the user is on."""
        if claim is not None and claim is self.claim and summary == self.summary:
            return
        self.show_claim(claim, summary, hint)

    def show_claim_names(self, names: dict[str, ClaimName]) -> None:
        """The conflicting claims in words (attributes down, after a load)."""
        self.claim_names.update(names)
        if self.claim is not None:
            self.query_one("#evidence-title", Static).update(self._title(self.claim, self.summary))
            self.call_after_refresh(self._fit_list)

    def _title(self, claim: Evidence, summary: str) -> Text:
        look = self.look
        text = Text(shown(summary), style=Style(bold=True))
        text.append("\n")
        text.append_text(attestation(claim, look, self.today))
        against = dissent(claim, look)
        if against is not None:
            text.append("\n")
            text.append_text(against)
        conflicts = claim.get("conflicts") or []
        if conflicts:
            link = look.fg("error", bold=True) + Style.from_meta({"@click": "conflicts"})
            for other in conflicts:
                name = self.claim_names.get(other)
                text.append("\n⚔ conflicts with: ", style=link)
                text.append(shown(name.summary if name else other, 120), style=link + Style(underline=True))
                if name is not None and name.disputed:
                    text.append(" — marked disputed", style=look.fg("warning"))
            if self.conflicts_hint:
                text.append("  (! lists conflicts)", style=Style(dim=True))
        if claim.get("disputed"):
            text.append("\n")
            text.append_text(look.disputed(claim["disputed"]))
        if claim.get("note"):
            note = clipped(claim["note"])
            text.append("\nnote: " + note.text.strip(), style=Style(dim=True, italic=True))
            if note.more:
                text.append("\n" + more_words(note.more), style=look.fg("accent", bold=True))
        if not self.citations:
            text.append("\nNo citation recorded for this claim.", style=look.fg("warning"))
        return text

    def cut_short(self) -> list[tuple[str, str]]:
        """(title, whole value) of each value the pane drew cut short."""
        claim = self.claim
        if claim is None:
            return []
        what = shown(self.summary, 80) or "this claim"
        values = [(f"Note on {what}", claim.get("note")), (f"Why {what} is disputed", claim.get("disputed"))]
        return [(title, value) for title, value in values if value and len(value) > PANE_TEXT_MAX]

    def _prompt(self, index: int, cite: Citation) -> Group:
        """The quote; who said it where; and what it is evidence of, indented under it."""
        src = cite["source"]
        quote = Text("“", style=Style(dim=True))
        quote.append(shown(cite["quote"], QUOTE_MAX), style=Style(italic=True))
        quote.append("”", style=Style(dim=True))
        meta = Text("— ")
        meta.append(source_line(src), style=self.look.fg("accent"))
        meta.append(" · " + shown(src["title"], 60), style=Style(dim=True))
        if cite.get("anchor") not in (None, "exact", "normalised"):
            meta.append(f"  ({shown(cite['anchor'], 40)})", style=self.look.fg("warning", bold=True))
        # the speaker's name is a link: EvidenceList's click handler reads the meta
        facts = citation_facts(cite, self.look, {"speaker": index}, note_max=200)
        return Group(quote, Padding(Group(meta, facts), (0, 0, 0, 2)))

    def open_speaker(self, index: int | None) -> None:
        cites = self.citations
        cite = cites[index] if index is not None and 0 <= index < len(cites) else None
        speaker = cite.get("speaker") if cite else None
        if speaker and speaker["id"]:
            self.post_message(EntitySelected(speaker["id"], speaker["name"]))
        elif cite is not None:
            who = f"“{shown(speaker['name'], 60)}”, not an entity in the KB" if speaker else "the source's writer"
            self.notify(f"This citation's speaker is {who}.", timeout=4, markup=False)

    def restore(self, index: int | None) -> None:
        options = self.query_one(EvidenceList)
        if index is not None and 0 <= index < options.option_count:
            options.highlighted = index

    @property
    def highlighted_index(self) -> int | None:
        return self.query_one(EvidenceList).highlighted

    @on(OptionList.OptionSelected, "#evidence-list")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        cites = self.citations
        if 0 <= event.option_index < len(cites):
            cite = cites[event.option_index]
            self.post_message(OpenCitation(cite["id"], cite["source"]["id"]))
