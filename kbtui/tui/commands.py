"""Command palette providers (ctrl+p): one for entities, fuzzy through our
own search (so typos and aliases work as in the search box), one for the
app's actions.

Textual builds providers itself, with only the screen, so they read what
they need through the ExplorerContext protocol and ask for an entity with
the same EntitySelected message a click sends: no import of the app."""

from __future__ import annotations

import asyncio
import sqlite3
from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from kbtui.kb.errors import KBError
from kbtui.kb.search import match_spans
from kbtui.tui import data as kbdata
from kbtui.tui.clip import shown
from kbtui.tui.context import ExplorerContext, explorer_context
from kbtui.tui.messages import EntitySelected


class EntityCommands(Provider):
    """Jump to any entity by name or alias."""

    @property
    def context(self) -> ExplorerContext:
        return explorer_context(self.app)

    def _open(self, entity_id: str, name: str) -> None:
        self.app.post_message(EntitySelected(entity_id, name))

    async def search(self, query: str) -> Hits:
        context = self.context
        if context.db_error or not query.strip():
            return
        try:
            hits = await asyncio.to_thread(kbdata.search, context.db_path, query, 15)
        except (KBError, sqlite3.Error, OSError):
            return
        look = context.look
        for h in hits:
            display = Text.assemble(
                look.badge(h.kind), " ", look.highlighted(h.name, [] if h.matched else match_spans(query, h.name))
            )
            if h.matched:
                display.append("  ≈ " + shown(h.matched), style="italic dim")
            yield Hit(
                min(h.score / 100, 1.0),
                display,
                partial(self._open, h.id, h.name),
                text=h.name,
                help=f"open {shown(h.kind, 40)} · {shown(h.id, 200)}",
            )

    async def discover(self) -> Hits:
        """Before typing: the places visited, most recent first."""
        for loc in self.context.history.visited_entities():
            assert loc.entity_id is not None
            yield DiscoveryHit(
                Text("↺ " + shown(loc.title)),
                partial(self._open, loc.entity_id, loc.title),
                text=loc.title,
                help="visited earlier",
            )


class ActionCommands(Provider):
    """The app's own actions, by name."""

    def _actions(self) -> list[tuple[str, str, str]]:
        return [
            ("Back", "go back (alt+left, backspace, [)", "back"),
            ("Forward", "go forward (alt+right, ])", "forward"),
            ("Search", "focus the search box (/)", "focus_search"),
            ("Start page", "clear the entity pane and go to the search results", "home"),
            ("Help", "all keys (F1, ?)", "help"),
            ("Conflicts", "conflicts, disputed or contradicted claims and errata (!)", "conflicts"),
            ("Sources overview", "every source: outlet, dates, reposts, notes (F2)", "overview('sources')"),
            ("Claims overview", "every claim, to filter by kind, status, outlet, date (F3)", "overview('claims')"),
            ("Events overview", "every event in date order, by type and country (F4)", "overview('events')"),
            ("Entities overview", "every entity by kind and name, by country (F5)", "overview('entities')"),
            ("Timeline", "every dated item of the KB in date order, by year (F7; t on an entity: its own)", "timeline"),
            ("Copy citation", "copy the selected citation as text (y)", "copy_citation"),
            (
                "Export table with its evidence",
                "the focused table's rows with their citations, as CSV or JSON; asks where (e)",
                "export",
            ),
        ]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score * 0.9,
                    matcher.highlight(name),
                    partial(self.app.run_action, f"app.{action}"),
                    text=name,
                    help=help_text,
                )

    async def discover(self) -> Hits:
        for name, help_text, action in self._actions():
            yield DiscoveryHit(name, partial(self.app.run_action, f"app.{action}"), text=name, help=help_text)
