"""Curate mode in the source viewer, as a curator uses it: select a passage
(keys and mouse), make a claim and see it cited, turn a suggested name
into an entity with one key, undo, and the plain explorer never writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kbtui.kb import curate
from kbtui.tui.app import KbtuiApp, create_app
from kbtui.tui.history import Location
from kbtui.tui.screens.claim_form import ClaimForm
from kbtui.tui.screens.curate_source import CurateSourceScreen
from kbtui.tui.screens.source import SourceScreen
from kbtui.tui.widgets.curate_text import CurateText
from kbtui.tui.widgets.picker import Picker
from tests.helpers import screen_text, settle, type_text
from tests.kbdata import rows

pytestmark = pytest.mark.tui

TODAY = "2024-06-01"
ARTICLE = (
    "Moscow, Tuesday.\n\n"
    "Igor Sechin, chief executive of Rosneft, met Chen Wenqing in Moscow on Monday. "
    "The two discussed energy security.\n\n"
    "The Ministry of Fisheries was not represented.\n"
)


@pytest.fixture
def curating(tmp_path: Path, sample_db: Path) -> tuple[Path, Path]:
    """(bundle, KB): the sample KB and a bundle `notes` holding ARTICLE as `art`."""
    kb = tmp_path / "kb.db"
    shutil.copy(sample_db, kb)
    bundle = tmp_path / "notes"
    curate.new_bundle(bundle, kb)
    text = tmp_path / "art.txt"
    text.write_text(ARTICLE, encoding="utf-8")
    curate.add_source(bundle, kb, text, {"title": "Sechin meets Chen", "published": "2024-05-06"}, source_id="art")
    return bundle, kb


def kb_toml(bundle: Path) -> str:
    return (bundle / "kb.toml").read_text(encoding="utf-8")


async def open_article(pilot, app: KbtuiApp) -> CurateText:  # type: ignore[no-untyped-def]
    await settle(pilot)
    app.navigate(Location.source("art", title="Sechin meets Chen"))
    await settle(pilot)
    assert isinstance(app.screen, CurateSourceScreen)
    return app.screen.query_one(CurateText)


def notices(app: KbtuiApp) -> str:
    return "\n".join(n.message for n in app._notifications)


def selected(viewer: CurateText) -> str:
    assert viewer.selection is not None
    a, b = viewer.selection
    return viewer.text[a:b]


async def test_select_by_word_and_sentence_then_shrink(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    app = create_app(kb, today=TODAY, bundle=bundle)
    async with app.run_test(size=(100, 30)) as pilot:
        viewer = await open_article(pilot, app)
        await pilot.press("right", "right", "right")  # the caret starts at the first word on screen, then moves
        await pilot.press("v")
        assert selected(viewer) == "Igor"
        await pilot.press("right", "right")
        assert selected(viewer) == "Igor Sechin, chief"
        await pilot.press("left")
        assert selected(viewer) == "Igor Sechin"
        await pilot.press("shift+right")  # to the end of the sentence, its full stop included
        assert selected(viewer) == "Igor Sechin, chief executive of Rosneft, met Chen Wenqing in Moscow on Monday."
        await pilot.press("shift+right")
        assert selected(viewer).endswith("The two discussed energy security.")
        await pilot.press("shift+left")
        assert selected(viewer).endswith("on Monday.")
        await pilot.pause()
        assert "Selected 13 words" in screen_text(app)
        await pilot.press("escape")  # lets go of the selection, stays in the source
        assert viewer.selection is None and isinstance(app.screen, CurateSourceScreen)
        await pilot.press("escape")  # then goes back
        await settle(pilot)
        assert not isinstance(app.screen, SourceScreen)


async def test_a_long_text_is_read_into_words_by_a_worker(
    curating: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from kbtui.tui.widgets import curate_text

    monkeypatch.setattr(curate_text, "READ_HERE_CHARS", 10)  # the article counts as long
    bundle, kb = curating
    app = create_app(kb, today=TODAY, bundle=bundle)
    async with app.run_test(size=(100, 30)) as pilot:
        viewer = await open_article(pilot, app)
        assert viewer.read_ready  # from the worker: the widget cannot read it itself
        await pilot.press("right", "v", "shift+right")
        assert selected(viewer) == "Moscow, Tuesday."


async def test_select_with_the_mouse_by_whole_words(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    app = create_app(kb, today=TODAY, bundle=bundle)
    async with app.run_test(size=(100, 30)) as pilot:
        viewer = await open_article(pilot, app)
        line = viewer.line_of(ARTICLE.index("Igor")) - int(viewer.scroll_offset.y)
        start = viewer.region.x + viewer.styles.padding.left
        y = viewer.region.y + line
        await pilot.mouse_down(offset=(start + 2, y))  # inside "Igor"
        await pilot.hover(offset=(start + 15, y))  # inside "chief"
        await pilot.mouse_up(offset=(start + 15, y))
        await pilot.pause()
        assert selected(viewer) == "Igor Sechin, chief"


async def test_make_a_claim_from_a_passage_and_see_it_cited(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    app = create_app(kb, today=TODAY, bundle=bundle)
    async with app.run_test(size=(100, 30)) as pilot:
        viewer = await open_article(pilot, app)
        viewer.select_span(ARTICLE.index("Igor"), ARTICLE.index(", met"))
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ClaimForm)
        # the passage's names are filled in: a new person, a new organisation
        holder, organisation = form.query_one("#f-holder", Picker), form.query_one("#f-organisation", Picker)
        assert holder.pick is not None and (holder.pick.name, holder.pick.kind, holder.pick.id) == (
            "Igor Sechin",
            "person",
            None,
        )
        assert organisation.pick is not None and (organisation.pick.name, organisation.pick.kind) == (
            "Rosneft",
            "organisation",
        )
        assert form.focused is form.query_one("#f-title")  # the first field still empty
        await type_text(pilot, "chief executive")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CurateSourceScreen)
        (claim,) = rows(kb, "SELECT claim_id FROM roles WHERE holder_id = 'igor-sechin'")
        assert claim == ("igor-sechin-chief-executive-rosneft",)
        assert '[[role]]\nid           = "igor-sechin-chief-executive-rosneft"' in kb_toml(bundle)
        # the new claim is the current citation, its quote highlighted, its claim in words
        cites = app.screen.source["citations"] if app.screen.source else []
        assert cites[viewer.current]["quote"] == "Igor Sechin, chief executive of Rosneft"
        text = screen_text(app)
        assert "Igor Sechin: chief executive of Rosneft" in text
        assert "Saved role igor-sechin-chief-executive-rosneft (and 2 new entities)" in notices(app)


async def test_a_relation_with_a_known_name_picked_from_the_matches(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    app = create_app(kb, today=TODAY, bundle=bundle)
    async with app.run_test(size=(100, 30)) as pilot:
        viewer = await open_article(pilot, app)
        viewer.select_span(ARTICLE.index("The two"), ARTICLE.index("security.") + 9)
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ClaimForm)
        form.query_one("#f-kind").value = "relation"  # type: ignore[attr-defined]
        await settle(pilot)
        form.query_one("#f-subject", Picker).focus()
        await type_text(pilot, "chen wenq")
        await settle(pilot)
        assert "Chen Wenqing" in screen_text(app) and "+ new person" in screen_text(app)
        await pilot.press("enter")  # the best match
        subject = form.query_one("#f-subject", Picker).pick
        assert subject is not None and subject.id == "chen-wenqing"
        await type_text(pilot, "Igor Sechin")
        await settle(pilot)
        await pilot.press("down")  # no match in the KB: the one line makes a new person
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rows(kb, "SELECT subject_id, type, object_id FROM relations WHERE object_id = 'igor-sechin'") == [
            ("chen-wenqing", "met", "igor-sechin")
        ]


async def test_a_refused_claim_says_why_in_the_form_and_writes_nothing(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    before = kb_toml(bundle)
    app = create_app(kb, today=TODAY, bundle=bundle)
    async with app.run_test(size=(100, 30)) as pilot:
        viewer = await open_article(pilot, app)
        viewer.select_span(ARTICLE.index("Igor"), ARTICLE.index(", met"))
        await pilot.press("c")
        await settle(pilot)
        await type_text(pilot, "chief")
        app.screen.query_one("#f-start").value = "last spring"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ClaimForm)
        assert "Not saved:" in screen_text(app) and "start" in screen_text(app)
        assert kb_toml(bundle) == before
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CurateSourceScreen)
    assert kb_toml(bundle) == before
    assert rows(kb, "SELECT count(*) FROM entities WHERE id IN ('igor-sechin', 'rosneft')") == [(0,)]


async def test_a_suggestion_becomes_an_entity_with_one_key_and_undo_takes_it_back(
    curating: tuple[Path, Path],
) -> None:
    bundle, kb = curating
    before = kb_toml(bundle)
    app = create_app(kb, today=TODAY, bundle=bundle)
    async with app.run_test(size=(100, 30)) as pilot:
        viewer = await open_article(pilot, app)
        assert [s.name for s in viewer.suggested] == ["Igor Sechin", "Rosneft", "Ministry of Fisheries"]
        assert "3 new names (g)" in screen_text(app)
        await pilot.press("g", "g", "g")
        assert selected(viewer) == "Ministry of Fisheries"
        await pilot.press("a")
        await settle(pilot)
        assert rows(kb, "SELECT kind, name FROM entities WHERE id = 'ministry-of-fisheries'") == [
            ("organisation", "Ministry of Fisheries")
        ]
        # its first citation is the mention, now the current one, and the name is a known name
        cites = app.screen.source["citations"] if isinstance(app.screen, SourceScreen) and app.screen.source else []
        assert cites[viewer.current]["quote"] == "Ministry of Fisheries"
        assert [s.name for s in viewer.suggested] == ["Igor Sechin", "Rosneft"]
        assert any(m["entity_id"] == "ministry-of-fisheries" for m in viewer.mentions)
        await pilot.press("z")
        await settle(pilot)
        assert "Undone: organisation ministry-of-fisheries" in notices(app)
        assert rows(kb, "SELECT count(*) FROM entities WHERE id = 'ministry-of-fisheries'") == [(0,)]
        assert kb_toml(bundle) == before
        assert "3 new names (g)" in screen_text(app)
        await pilot.press("z")
        await settle(pilot)
        assert "Nothing to undo" in notices(app)
    actions = rows(kb, "SELECT action, target FROM log WHERE input_id = 'notes' ORDER BY id")
    assert actions[-2:] == [("add", "entity ministry-of-fisheries"), ("rm", "entity ministry-of-fisheries")]


async def test_entity_as_asks_kind_and_name(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    app = create_app(kb, today=TODAY, bundle=bundle)
    async with app.run_test(size=(100, 30)) as pilot:
        viewer = await open_article(pilot, app)
        await pilot.press("g", "g")
        assert selected(viewer) == "Rosneft"
        await pilot.press("A")
        await settle(pilot)
        app.screen.query_one("#entity-kind").value = "publication"  # type: ignore[attr-defined]
        app.screen.query_one("#entity-name").focus()
        await pilot.press("end")
        await type_text(pilot, " Oil")
        await pilot.press("enter")
        await settle(pilot)
        assert rows(kb, "SELECT id, kind, name FROM entities WHERE id = 'rosneft-oil'") == [
            ("rosneft-oil", "publication", "Rosneft Oil")
        ]
        # the source wrote "Rosneft": that is the name cited
        assert rows(kb, "SELECT alias FROM aliases WHERE entity_id = 'rosneft-oil'") == [("Rosneft",)]


async def test_claim_and_entity_keys_need_a_selection(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    app = create_app(kb, today=TODAY, bundle=bundle)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(pilot, app)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CurateSourceScreen)
        assert "Select a passage first" in notices(app)


async def test_the_plain_explorer_has_no_curating(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    before = kb_toml(bundle)
    app = create_app(kb, today=TODAY)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.navigate(Location.source("art"))
        await settle(pilot)
        assert type(app.screen) is SourceScreen
        await pilot.press("v", "right", "c", "a", "g", "ctrl+z")
        await settle(pilot)
        assert type(app.screen) is SourceScreen
    assert kb_toml(bundle) == before


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_snapshot_curate_source(curating: tuple[Path, Path], snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    bundle, kb = curating

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        viewer = await open_article(pilot, pilot.app)
        viewer.select_span(ARTICLE.index("Igor"), ARTICLE.index(", met"))
        await settle(pilot)

    app = create_app(kb, today=TODAY, bundle=bundle)
    app.sub_title = "kb.db"  # tmp paths differ from run to run
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
def test_snapshot_claim_form(curating: tuple[Path, Path], snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    bundle, kb = curating

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        viewer = await open_article(pilot, pilot.app)
        viewer.select_span(ARTICLE.index("Igor"), ARTICLE.index(", met"))
        await pilot.press("c")
        await settle(pilot)
        await type_text(pilot, "chief executive")
        await settle(pilot)

    app = create_app(kb, today=TODAY, bundle=bundle)
    app.sub_title = "kb.db"
    assert snap_compare(app, terminal_size=size, run_before=run_before)


# -- what a second pair of eyes found: races, duplicates, stale screens ---------------
def slow(monkeypatch: pytest.MonkeyPatch, name: str, seconds: float = 0.4) -> None:
    """Make curate_data.`name` slow, as a write re-marking a long text is."""
    import time

    from kbtui.tui import curate_data

    real = getattr(curate_data, name)

    def slowed(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(seconds)
        return real(*args, **kwargs)

    monkeypatch.setattr(curate_data, name, slowed)


async def test_leaving_while_a_writes_still_records_the_step(
    curating: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    slow(monkeypatch, "make_entity")
    bundle, kb = curating
    before = kb_toml(bundle)
    app = create_app(kb, today=TODAY, bundle=bundle)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(pilot, app)
        await pilot.press("g", "a", "a")  # the second `a` has no selection left: no second entity
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert not isinstance(app.screen, SourceScreen)
        assert rows(kb, "SELECT id FROM entities WHERE name = 'Igor Sechin'") == [("igor-sechin",)]
        assert app.curation is not None and [s.added for s in app.curation.steps] == [[("entity", "igor-sechin")]]
        await pilot.press("ctrl+z")  # undone from the explorer
        await settle(pilot)
    assert kb_toml(bundle) == before


async def test_esc_while_the_claim_saves_waits_for_it(
    curating: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    slow(monkeypatch, "make_claim")
    bundle, kb = curating
    app = create_app(kb, today=TODAY, bundle=bundle)
    async with app.run_test(size=(100, 30)) as pilot:
        viewer = await open_article(pilot, app)
        viewer.select_span(ARTICLE.index("Igor"), ARTICLE.index(", met"))
        await pilot.press("c")
        await settle(pilot)
        await type_text(pilot, "chief executive")
        await pilot.press("ctrl+s", "escape")
        assert isinstance(app.screen, ClaimForm)  # still saving: esc waits
        await settle(pilot)
        assert isinstance(app.screen, CurateSourceScreen)
        assert app.curation is not None and len(app.curation.steps) == 1
        assert "Igor Sechin: chief executive of Rosneft" in screen_text(app)


async def test_a_quick_second_undo_waits_for_the_first(
    curating: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle, kb = curating
    before = kb_toml(bundle)
    app = create_app(kb, today=TODAY, bundle=bundle)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_article(pilot, app)
        await pilot.press("g", "a")
        await settle(pilot)
        await pilot.press("g", "g", "a")
        await settle(pilot)
        assert app.curation is not None and len(app.curation.steps) == 2
        slow(monkeypatch, "take_back")
        await pilot.press("z", "z")
        await settle(pilot)
        assert "Still writing the last change" in notices(app)
        assert len(app.curation.steps) == 1  # one undone, the other still there to undo
        await pilot.press("z")
        await settle(pilot)
        assert app.curation.steps == [] and "no entity" not in notices(app)
    assert kb_toml(bundle) == before


async def test_a_on_a_known_name_says_so_and_a_typed_name_finds_the_kb_entity(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    app = create_app(kb, today=TODAY, bundle=bundle)
    async with app.run_test(size=(100, 30)) as pilot:
        viewer = await open_article(pilot, app)
        viewer.select_span(ARTICLE.index("Chen Wenqing"), ARTICLE.index(" in Moscow"))
        await pilot.press("a")
        await settle(pilot)
        assert "in the KB already" in notices(app)
        assert rows(kb, "SELECT count(*) FROM entities WHERE name = 'Chen Wenqing'") == [(1,)]
        # a role whose holder is typed, never picked: the KB's Chen Wenqing, not a new one
        viewer.select_span(ARTICLE.index("Igor"), ARTICLE.index(", met"))
        await pilot.press("c")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ClaimForm)
        holder = form.query_one("#f-holder", Picker)
        holder.focus()
        holder.value = "chen wenqing"
        form.query_one("#f-title").focus()
        await type_text(pilot, "visitor")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert rows(kb, "SELECT holder_id FROM roles WHERE title = 'visitor'") == [("chen-wenqing",)]


async def test_the_entity_page_left_behind_shows_the_new_claim(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    app = create_app(kb, today=TODAY, bundle=bundle)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.navigate(Location.entity("chen-wenqing", "Chen Wenqing"))
        await settle(pilot)
        before = rows(
            kb, "SELECT count(*) FROM relations WHERE subject_id = 'chen-wenqing' OR object_id = 'chen-wenqing'"
        )
        assert f"Relations  {before[0][0]}" in screen_text(app)
        viewer = await open_article(pilot, app)
        viewer.select_span(ARTICLE.index("Igor"), ARTICLE.index("Monday.") + 7)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("ctrl+s")  # a relation: Igor Sechin met Chen Wenqing
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert f"Relations  {before[0][0] + 1}" in screen_text(app)


async def test_after_a_backwards_drag_the_keys_extend_its_end(curating: tuple[Path, Path]) -> None:
    bundle, kb = curating
    app = create_app(kb, today=TODAY, bundle=bundle)
    async with app.run_test(size=(100, 30)) as pilot:
        viewer = await open_article(pilot, app)
        line = viewer.line_of(ARTICLE.index("Igor")) - int(viewer.scroll_offset.y)
        start = viewer.region.x + viewer.styles.padding.left
        y = viewer.region.y + line
        await pilot.mouse_down(offset=(start + 15, y))  # "chief"
        await pilot.hover(offset=(start + 2, y))  # back to "Igor"
        await pilot.mouse_up(offset=(start + 2, y))
        await pilot.pause()
        assert selected(viewer) == "Igor Sechin, chief"
        await pilot.press("right")
        assert selected(viewer) == "Igor Sechin, chief executive"
