"""Real journeys through the explorer on the sample KB, asserting on what
is shown (widget state and the rendered screen)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import Input

from kbtui.tui.app import KbtuiApp, create_app
from kbtui.tui.screens.error import ErrorScreen
from kbtui.tui.screens.explorer import ExplorerScreen
from kbtui.tui.screens.help import HelpScreen
from kbtui.tui.screens.source import SourceScreen
from kbtui.tui.widgets.evidence import EvidenceList
from kbtui.tui.widgets.search import ResultsList, SearchInput
from kbtui.tui.widgets.source_text import SourceText
from kbtui.tui.widgets.tables import ClaimTable
from tests.helpers import BIG_HOLDERS, screen_text, settle, type_text

pytestmark = pytest.mark.tui

SIZE = (100, 30)


def explorer(app: KbtuiApp) -> ExplorerScreen:
    assert app.explorer is not None
    return app.explorer


def result_ids(app: KbtuiApp) -> list[str]:
    results = app.screen.query_one(ResultsList)
    return [results.get_option_at_index(i).id or "" for i in range(results.option_count)]


def table_rows(app: KbtuiApp, name: str) -> list[str]:
    table = explorer(app).pane.table(name)
    return [" | ".join(str(getattr(c, "plain", c)) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def open_by_search(pilot, query: str) -> None:
    """Focus the box, enter `query` (as a paste would) and open the best hit."""
    box = pilot.app.screen.query_one(SearchInput)
    box.focus()
    box.value = query
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.slow
async def test_patrushev_journey_to_the_quote_and_back(kb_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, SearchInput), "the search box has focus at start"

        await type_text(pilot, "patrushv")
        await settle(pilot)
        assert result_ids(app)[0] == "nikolai-patrushev"
        shown = screen_text(app)
        assert "Nikolai Patrushev" in shown and "≈ Patrushev" in shown  # alias that matched
        assert "PER" in shown  # kind badge

        await pilot.press("enter")
        await settle(pilot)
        roles = table_rows(app, "roles")
        # never a bare "current": the date the sources last say so
        assert any(
            "Secretary" in r and "Security Council of Russia" in r and re.search(r"(as of|last attested) 2024-05-03", r)
            for r in roles
        )
        assert not any("current" in r for r in roles)
        assert isinstance(app.focused, ClaimTable) and app.focused.id == "roles"
        assert "Nikolai Patrushev" in screen_text(app).splitlines()[0]  # breadcrumb

        # the evidence pane already shows the highlighted role's citations
        evidence = explorer(app).evidence
        assert evidence.claim is not None and "patrushev" in evidence.claim["id"]
        quote = evidence.citations[0]["quote"]
        assert quote[:20] in screen_text(app)

        await pilot.press("c")  # to the citations
        assert isinstance(app.focused, EvidenceList)
        await pilot.press("enter")  # open the first one
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        viewer = app.screen.query_one(SourceText)
        current = viewer.citations[viewer.current]
        assert current["quote"] == quote
        assert viewer.text[current["start"] : current["end"]] == quote
        # the quote is highlighted (reverse) and scrolled into view
        first = viewer.line_of(current["start"])
        top = viewer.scroll_offset.y
        assert top <= first < top + viewer.scrollable_content_region.height
        strip = viewer.render_line(first - top)
        assert any(seg.style and seg.style.reverse for seg in strip)
        assert "Citation" in screen_text(app)

        await pilot.press("escape")  # back to the entity, exactly where we were
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert isinstance(app.focused, EvidenceList)
        assert explorer(app).pane.data["id"] == "nikolai-patrushev"

        await pilot.press("backspace")  # back again: the search results
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert explorer(app).pane.data is None
        assert isinstance(app.focused, ResultsList)
        assert result_ids(app)[0] == "nikolai-patrushev"
        assert "≈ Patrushev" in screen_text(app)
        assert app.screen.query_one(SearchInput).value == "patrushv"


@pytest.mark.slow
async def test_chen_follow_commission_then_palette_to_wang_yi(kb_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "chen wenqing")
        assert explorer(app).pane.data["id"] == "chen-wenqing"

        table = explorer(app).pane.table("roles")
        assert app.focused is table
        row = next(
            i
            for i, info in enumerate(table.infos)
            if info.link and info.link[0] == "central-political-and-legal-affairs-commission"
        )
        await pilot.press(*["down"] * row, "enter")
        await settle(pilot)
        data = explorer(app).pane.data
        assert data["id"] == "central-political-and-legal-affairs-commission"
        holders = table_rows(app, "roles")
        assert "Chen Wenqing" in holders[0] and "Head" in holders[0]
        assert "People in roles here" in screen_text(app)

        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "wang yi")
        palette = app.screen
        for _ in range(100):  # the palette searches asynchronously; poll its list
            await pilot.pause(0.02)
            options = palette.query_one("CommandList")
            if options.option_count and "Wang Yi" in str(options.get_option_at_index(0).prompt):
                break
        await pilot.press("enter")
        await settle(pilot)
        assert explorer(app).pane.data["id"] == "wang-yi"
        crumbs = screen_text(app).splitlines()[0]
        assert "Chen Wenqing" in crumbs and "Central Political" in crumbs and "Wang Yi" in crumbs


@pytest.mark.slow
async def test_back_and_forward(kb_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "chen wenqing")
        await open_by_search(pilot, "wang yi")
        assert explorer(app).pane.data["id"] == "wang-yi"
        table = explorer(app).pane.table("roles")
        table.focus()
        await settle(pilot)

        await pilot.press("alt+left")
        await settle(pilot)
        assert explorer(app).pane.data["id"] == "chen-wenqing"
        await pilot.press("[")
        await settle(pilot)
        assert explorer(app).pane.data is None
        await pilot.press("[")  # nothing before the start: stays, says so
        await settle(pilot)
        assert explorer(app).pane.data is None

        await pilot.press("]")
        await settle(pilot)
        assert explorer(app).pane.data["id"] == "chen-wenqing"
        await pilot.press("alt+right")
        await settle(pilot)
        assert explorer(app).pane.data["id"] == "wang-yi"
        assert isinstance(app.focused, ClaimTable) and app.focused.id == "roles"

        # going somewhere new drops the forward entries
        await pilot.press("[")
        await settle(pilot)
        assert app.history.can_forward
        await open_by_search(pilot, "patrushev")
        assert not app.history.can_forward
        assert [loc.title for loc in app.history.trail()] == [
            "wang yi",
            "Chen Wenqing",
            "Nikolai Patrushev",
        ]  # the search as last left


async def test_click_on_a_name_opens_it(kb_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "patrushev")
        table = explorer(app).pane.table("roles")
        # click the organisation cell of the first row (the header is row 0 on screen)
        x = sum(col.get_render_width(table) for col in table.ordered_columns[:2]) + 2
        await pilot.click(table, offset=(x, 1))
        await settle(pilot)
        assert explorer(app).pane.data["id"] == "russian-security-council"


@pytest.mark.slow
async def test_viewer_next_previous_citation_and_links(kb_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "patrushev")
        await pilot.press("c", "enter")
        await settle(pilot)
        viewer = app.screen.query_one(SourceText)
        assert len(viewer.citations) > 2
        start = viewer.current
        await pilot.press("n")
        assert viewer.current == (start + 1) % len(viewer.citations)
        line = viewer.line_of(viewer.citations[viewer.current]["start"])
        assert viewer.scroll_offset.y <= line < viewer.scroll_offset.y + viewer.size.height
        assert f"Citation {viewer.current + 1} of {len(viewer.citations)}" in screen_text(app)
        await pilot.press("N", "N")
        assert viewer.current == (start - 1) % len(viewer.citations)

        # Tab to a marked name, Enter opens its pane; back returns to the viewer as it was
        await pilot.press("tab")
        mention = viewer.mentions[viewer.link]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert explorer(app).pane.data["id"] == mention["entity_id"]
        await pilot.press("backspace")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        viewer = app.screen.query_one(SourceText)
        assert viewer.current == (start - 1) % len(viewer.citations)


async def test_y_copies_the_selected_citation(kb_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "patrushev")
        cite = explorer(app).evidence.current_citation
        await pilot.press("y")
        assert cite["quote"] in app.clipboard or " ".join(cite["quote"].split()) in app.clipboard
        assert cite["source"]["outlet"] in app.clipboard
        assert cite["source"]["title"] in app.clipboard
        assert app.clipboard.startswith("“")

        await pilot.press("c", "enter")  # in the viewer too
        await settle(pilot)
        await pilot.press("n", "y")
        viewer = app.screen.query_one(SourceText)
        assert " ".join(viewer.citations[viewer.current]["quote"].split()) in app.clipboard


async def test_e_exports_the_focused_table(kb_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "chen wenqing")
        await pilot.press("e", "enter")  # the dialog offers the working directory and CSV
        await settle(pilot)
        written = tmp_path / "chen-wenqing-roles.csv"
        assert written.exists()
        rows = list(csv.DictReader(written.open(encoding="utf-8")))
        assert {r["organisation"] for r in rows} >= {"Central Political and Legal Affairs Commission"}
        assert all(r["quote"] for r in rows)
        assert any(str(written) in n.message for n in app._notifications)
        await pilot.press("e", "enter")  # never overwrites
        await settle(pilot)
        assert (tmp_path / "chen-wenqing-roles-2.csv").exists()


async def test_help_is_built_from_the_bindings(kb_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.text.plain
        assert "kbtui keys" in screen_text(app)
        for expected in (
            "back",
            "next cited",
            "export the table's rows with their citations",
            "copy the selected citation",
            "command palette",
            "alt+←",
        ):
            assert expected in text
        await pilot.press("escape")
        assert isinstance(app.screen, ExplorerScreen)
        app.screen.query_one(ResultsList).focus()
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)


async def test_slash_focuses_search_from_anywhere(kb_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "patrushev")
        assert isinstance(app.focused, ClaimTable)
        await pilot.press("slash")
        assert isinstance(app.focused, SearchInput)
        await pilot.press("c", "h")  # plain keys type in the box
        assert app.focused.value.endswith("ch")


@pytest.mark.parametrize("content", [None, b"", b"not a database at all, just text\n"])
async def test_unusable_database_shows_an_error_not_a_traceback(tmp_path: Path, content: bytes | None):
    path = tmp_path / "broken.db"
    if content is not None:
        path.write_bytes(content)
    app = create_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ErrorScreen)
        text = screen_text(app)
        assert "cannot open this knowledge base" in text and "hint:" in text
        assert "broken.db" in app.screen.message and app.screen.message[-12:] in text.replace("│", "")
        assert "Traceback" not in text
        await pilot.press("q")
    assert app.return_code == 2


@pytest.mark.slow
async def test_roles_page_and_load_more(big_kb_path: Path):
    app = create_app(big_kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "grand board")
        table = explorer(app).pane.table("roles")
        assert table.total == BIG_HOLDERS
        assert table.loaded == 200  # the first page only
        assert table.infos[-1].more and "1,034 more" in str(table.get_row_at(table.row_count - 1)[1])
        first = str(table.get_row_at(0)[0])
        assert "2024-01-01" in first and "former" not in first  # current first, with its date
        assert "(showing 200)" in screen_text(app)

        table.focus()
        table.move_cursor(row=table.row_count - 1)  # reaching the end loads the next page
        await settle(pilot)
        assert table.loaded == 400
        await pilot.press("end")
        await settle(pilot)
        assert table.loaded == 600
        while table.loaded < BIG_HOLDERS:
            table.move_cursor(row=table.row_count - 1)
            await settle(pilot)
        assert not table.infos[-1].more and table.row_count == BIG_HOLDERS
        ids = [info.claim["id"] for info in table.infos]
        assert len(set(ids)) == BIG_HOLDERS


async def test_export_of_a_paged_table_has_every_row(
    big_kb_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    app = create_app(big_kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "grand board")
        await pilot.press("e", "enter")
        await settle(pilot)
        # one citation per role: one line each, under the header
        rows = list(csv.reader((tmp_path / "grand-board-roles.csv").open(encoding="utf-8")))
        assert len(rows) == BIG_HOLDERS + 1


async def test_typing_never_waits_for_stale_searches(kb_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, "xyzzy")
        await settle(pilot)
        assert result_ids(app) == [] and "No match" in screen_text(app)
        box = app.screen.query_one(Input)
        box.value = ""
        await type_text(pilot, "wang")
        await pilot.press("enter")  # before the results land: opens the best hit when they do
        await settle(pilot)
        assert explorer(app).pane.data["id"] == "wang-yi"


async def test_small_and_large_terminals_and_resizing(kb_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "chen wenqing")
        screen = explorer(app)
        text = screen_text(app)
        assert "Chen Wenqing" in text and "Roles held" in text and "Evidence" in text
        # narrow: while reading, the search column gives way to the entity
        assert screen.has_class("-narrow") and not screen.panel.display
        await pilot.press("slash")
        await settle(pilot)
        assert screen.panel.region.width > 0 and isinstance(app.focused, SearchInput)

        await pilot.resize_terminal(160, 48)
        await settle(pilot)
        assert screen.has_class("-wide") and not screen.has_class("-narrow")
        evidence, entity = screen.evidence.region, screen.pane.region
        assert evidence.x >= entity.right - 1  # evidence beside the entity
        assert "Chen Wenqing" in screen_text(app)

        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert screen.has_class("-narrow") and "Chen Wenqing" in screen_text(app)


async def test_no_color_is_still_readable(kb_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = create_app(kb_path, today="2024-06-01")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.no_color
        await open_by_search(pilot, "patrushev")
        text = screen_text(app)
        assert "● as of 2024-05-03" in text and "PER" in text  # status and kind are words, not colours
        await pilot.press("c", "enter")
        await settle(pilot)
        viewer = app.screen.query_one(SourceText)
        line = viewer.line_of(viewer.citations[viewer.current]["start"]) - int(viewer.scroll_offset.y)
        assert any(seg.style and seg.style.reverse for seg in viewer.render_line(line))


async def test_disputed_claim_is_shown_as_disputed_with_reason(kb_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "xi jinping")
        table = explorer(app).pane.table("roles")
        row = next(i for i, info in enumerate(table.infos) if info.claim and info.claim.get("disputed"))
        assert "disputed" in str(table.get_row_at(row)[0])
        table.move_cursor(row=row)
        await settle(pilot)
        reason = table.infos[row].claim["disputed"]
        assert "disputed" in screen_text(app)
        assert explorer(app).evidence.claim["disputed"] == reason


@pytest.mark.slow
async def test_breadcrumb_click_and_slash_from_the_viewer(kb_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "patrushev")
        await pilot.press("c", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        await pilot.click("#crumbs", offset=(3, 0))  # "⌕ Search"
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen) and explorer(app).pane.data is None
        await pilot.press("]")  # forward to Patrushev
        await settle(pilot)
        await pilot.press("]")  # and on to the viewer
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        await pilot.press("slash")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen) and isinstance(app.focused, SearchInput)


async def test_a_citation_whose_span_moved_is_flagged(sample_copy_path: Path):
    import sqlite3

    with sqlite3.connect(sample_copy_path) as conn:
        cid = conn.execute(
            "SELECT c.id FROM citations c JOIN roles r ON r.claim_id = c.claim_id"
            " WHERE r.holder_id = 'nikolai-patrushev' ORDER BY c.id LIMIT 1"
        ).fetchone()[0]
        conn.execute('UPDATE citations SET start = start + 3, "end" = "end" + 3 WHERE id = ?', (cid,))
    app = create_app(sample_copy_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "patrushev")
        await pilot.press("c", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        assert any("no longer" in n.message for n in app._notifications)
        assert "no longer matches the quote" in screen_text(app)
        assert "Traceback" not in screen_text(app)


async def test_database_gone_mid_session_gives_a_notice(sample_copy_path: Path):
    app = create_app(sample_copy_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sample_copy_path.unlink()
        await open_by_search(pilot, "patrushev")
        assert any("no such file" in n.message for n in app._notifications)
        assert isinstance(app.screen, ExplorerScreen)
        assert app.history.current.kind == "home" and not app.history.can_forward
        assert "Nikolai Patrushev" not in screen_text(app).splitlines()[0]


async def test_theme_change_re_renders(kb_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "patrushev")
        before = app.look
        app.theme = "nord"
        await settle(pilot)
        assert app.look != before
        assert explorer(app).pane.look is app.look
        assert "Nikolai Patrushev" in screen_text(app)


async def test_open_with_hostile_text_shows_it_inert(tmp_path: Path):
    """Names holding Rich markup or escape sequences are shown as text."""
    from kbtui.kb.importer import import_bundle

    root = tmp_path / "b"
    (root / "sources").mkdir(parents=True)
    (root / "sources" / "t.txt").write_text("The [bold red]Evil[/] Corp met \x1b]0;pwned\x07 Bob.\n", encoding="utf-8")
    (root / "sources.toml").write_text(
        '[[source]]\nid = "t"\nfile = "sources/t.txt"\ntitle = "[b]T[/b]"\npublished = "2024"\n', encoding="utf-8"
    )
    (root / "kb.toml").write_text(
        '[[entity]]\nid = "evil"\nkind = "organisation"\nname = "[bold red]Evil[/] Corp"\n'
        'summary = "[link=http://x]click[/link]"\n'
        '[[entity]]\nid = "bob"\nkind = "person"\nname = "Bob"\n'
        '[[relation]]\nid = "r"\ntype = "met"\nsubject = "evil"\nobject = "bob"\n'
        'cite = [{ source = "t", quote = "The [bold red]Evil[/] Corp met" }]\n',
        encoding="utf-8",
    )
    db = tmp_path / "h.db"
    import_bundle(root, db)
    app = create_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "evil")
        text = screen_text(app)
        assert "[bold red]Evil[/] Corp" in text and "[link=http://x]click[/link]" in text
        await pilot.press("c", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "[bold red]Evil[/]" in text and "␛" in text and "\x1b" not in text


async def test_a_session_never_writes_to_the_database(sample_copy_path: Path):
    import hashlib

    def digest() -> str:
        return hashlib.sha256(sample_copy_path.read_bytes()).hexdigest()

    before, stat = digest(), sample_copy_path.stat()
    app = create_app(sample_copy_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "patrushev")
        await pilot.press("c", "enter")
        await settle(pilot)
        await pilot.press("n", "m", "enter")
        await settle(pilot)
    assert digest() == before and sample_copy_path.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(p.name for p in sample_copy_path.parent.iterdir()) == ["copy.db"]  # no journal, no WAL


async def test_sources_table_opens_the_source_at_the_entity(kb_path: Path):
    app = create_app(kb_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_by_search(pilot, "wang yi")
        sources = explorer(app).pane.table("sources")
        sources.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        viewer = app.screen.query_one(SourceText)
        assert viewer.mentions[viewer.link]["entity_id"] == "wang-yi"
        assert "cited passage" in screen_text(app)
