"""The overview screens driven with Pilot on the sample KB: F2–F5 (and the
palette) open them, typing narrows, Enter opens the row, `s` and `#`
change the order and the count, escape steps out, history returns to the
same filter, row and focus; keys sent in one burst with a focus move reach
the widget meant; and a random walk over opens, typing, moves, back and
forward, where back then forward always returns to what was on screen."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from textual import events
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from kbtui.kb import overview
from kbtui.tui.app import KbtuiApp, create_app
from kbtui.tui.screens.explorer import ExplorerScreen
from kbtui.tui.screens.overview import OverviewScreen
from kbtui.tui.screens.source import SourceScreen
from kbtui.tui.widgets.evidence import EvidenceList
from kbtui.tui.widgets.search import SearchInput
from kbtui.tui.widgets.tables import ClaimTable
from tests.helpers import settle, type_text


@pytest.fixture(autouse=True)
def _counts_never_run_out_of_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A count that takes over COUNT_BUDGET while the user types becomes an
    estimate; on a CI machine running tests in parallel the sample's counts
    can take that long, and the status these tests read would change. What
    an estimate looks like is tested with COUNT_CAP (and in test_overview)."""
    monkeypatch.setattr(overview, "COUNT_BUDGET", 30.0)


pytestmark = pytest.mark.tui

SIZE = (100, 30)
TODAY = "2024-06-01"


def screen(app: KbtuiApp) -> OverviewScreen:
    assert isinstance(app.screen, OverviewScreen), type(app.screen).__name__
    return app.screen


def status(app: KbtuiApp) -> str:
    return str(screen(app).query_one("#overview-status", Static).render())


def shown_ids(app: KbtuiApp) -> list[str]:
    return [r.id for r in screen(app).found]


def focused_id(app: KbtuiApp) -> str | None:
    return getattr(app.focused, "id", None)


async def start(pilot: Pilot, key: str | None = None) -> None:
    await settle(pilot)
    if key is not None:
        await pilot.press(key)
        await settle(pilot)


async def narrow(pilot: Pilot, text: str) -> None:
    """Type `text` key by key into the focused filter."""
    await type_text(pilot, text)
    await settle(pilot)


async def paste(pilot: Pilot, text: str) -> None:
    """Put `text` in the overview's filter at once, as a paste would."""
    box = screen(pilot.app).filter
    box.value = text
    box.cursor_position = len(text)
    await settle(pilot)


def burst(app: KbtuiApp, *keys: tuple[str, str | None]) -> None:
    """Keys arriving together, as a fast typist or a paste sends them:
    posted at once, none waiting for the one before to be handled."""
    for key, character in keys:
        app.post_message(events.Key(key, character))


# --- opening ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "view", "said"),
    [
        ("f2", "sources", "5 sources"),
        ("f3", "claims", "190 claims"),
        ("f4", "events", "26 events"),
        ("f5", "entities", "86 entities"),
    ],
)
async def test_each_function_key_opens_its_overview_with_its_count(
    kb_path: Path, key: str, view: str, said: str
) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, key)
        ov = screen(app)
        assert ov.view == view
        assert app.history.current.kind == "overview" and app.history.current.view == view
        assert status(app).startswith(said + " · ")
        total = int(said.split()[0])
        assert len(ov.found) == min(total, overview.PAGE)
        # every row read is in the table, and one more that loads the rest
        assert ov.table.row_count == len(ov.found) + (1 if total > overview.PAGE else 0)
        assert focused_id(app) == "overview-filter"
        assert view.capitalize() in str(ov.query_one("#overview-tabs", Static).render())


async def test_the_function_keys_work_from_anywhere(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # typing in the search box: F4 is no letter, it opens the events
        assert isinstance(app.focused, SearchInput)
        await narrow(pilot, "chen")
        await pilot.press("f4")
        await settle(pilot)
        assert screen(app).view == "events" and status(app).startswith("26 events")
        # typing in an overview's filter: F5 switches
        await narrow(pilot, "moscow")
        await pilot.press("f5")
        await settle(pilot)
        assert screen(app).view == "entities" and screen(app).filter.value == ""
        assert status(app).startswith("86 entities")
        # the source viewer
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        await pilot.press("f3")
        await settle(pilot)
        assert screen(app).view == "claims" and status(app).startswith("190 claims")
        # each was a place: back walks them in turn
        kinds = [(loc.kind, loc.view) for loc in app.history.trail()]
        assert kinds == [
            ("home", None),
            ("overview", "events"),
            ("overview", "entities"),
            ("overview", "sources"),
            ("source", None),
            ("overview", "claims"),
        ]


async def test_the_palette_opens_the_claims_overview(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "claims overview")
        palette = app.screen
        for _ in range(100):  # the palette searches asynchronously; poll its list
            await pilot.pause(0.02)
            options = palette.query_one("CommandList", OptionList)
            if options.option_count and "Claims overview" in str(options.get_option_at_index(0).prompt):
                break
        else:
            raise AssertionError("the palette never offered Claims overview")
        await pilot.press("enter")
        await settle(pilot)
        assert screen(app).view == "claims"
        assert status(app).startswith("190 claims")


# --- narrowing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "text", "said", "among"),
    [
        ("f2", "repost", "4 sources", "examiner-spy-chiefs-moscow"),
        ("f3", "disputed", "1 claim", "xi-jinping-premier-per-rt"),
        ("f4", "type:meeting country:china country:russia", "3 events", "chen-patrushev-meeting-2024"),
        ("f5", "kind:person country:russia", "2 entities", "nikolai-patrushev"),
    ],
)
async def test_typing_narrows_the_list_and_its_count(kb_path: Path, key: str, text: str, said: str, among: str) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, key)
        await narrow(pilot, text)
        assert screen(app).filter.value == text
        assert status(app).startswith(said + " · ")
        ids = shown_ids(app)
        assert len(ids) == int(said.split()[0]) == screen(app).table.row_count
        assert among in ids


async def test_what_the_filter_cannot_use_is_said_in_the_status_line(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, "f4")
        await paste(pilot, "outlet:rt")
        assert status(app).startswith("outlet: is not a filter here (try type:, country:, from:, to:)")
        assert len(shown_ids(app)) == 26  # the rest of what was typed still narrows: nothing
        await paste(pilot, "country:atlantis")
        assert status(app).startswith("country:atlantis: no country of that name or id in this KB")
        assert shown_ids(app) == []
        await paste(pilot, "from:2024-4")
        assert status(app).startswith("from:2024-4: a date is written 2023, 2023-05 or 2023-05-17")


# --- opening a row, and coming back -----------------------------------------------------------


async def test_enter_on_a_source_opens_the_viewer_and_back_returns_to_the_row(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, "f2")
        await pilot.press("down", "j")
        await settle(pilot)
        ov = screen(app)
        assert focused_id(app) == "overview-table" and ov.table.cursor_row == 1
        chosen = ov.found[1].id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        assert app.history.current.kind == "source" and app.history.current.source_id == chosen
        await pilot.press("left_square_bracket")
        await settle(pilot)
        ov = screen(app)
        assert ov.view == "sources" and ov.found[1].id == chosen
        assert ov.table.cursor_row == 1 and focused_id(app) == "overview-table"


async def test_enter_on_a_claim_opens_its_entity_and_back_restores_filter_row_and_focus(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, "f3")
        await narrow(pilot, "patrushev")
        await pilot.press("down", "j", "j", "j")
        await settle(pilot)
        ov = screen(app)
        assert ov.table.cursor_row == 3
        claim = ov.found[3]
        assert isinstance(claim, overview.ClaimRow) and claim.owner_id
        detail = str(ov.query_one("#overview-detail", Static).render())
        assert claim.summary in detail
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert app.screen.shown is not None and app.screen.shown.entity_id == claim.owner_id
        await pilot.press("left_square_bracket")
        await settle(pilot)
        ov = screen(app)
        assert ov.view == "claims"
        assert ov.filter.value == "patrushev"
        assert status(app).startswith("22 claims")
        assert ov.table.cursor_row == 3 and ov.found[3].id == claim.id
        assert focused_id(app) == "overview-table"
        # and forward again to the entity, back again to the row
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen) and app.screen.shown is not None
        assert app.screen.shown.entity_id == claim.owner_id
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert (screen(app).filter.value, screen(app).table.cursor_row, focused_id(app)) == (
            "patrushev",
            3,
            "overview-table",
        )


@pytest.mark.parametrize(
    ("key", "text", "opens"),
    [
        ("f4", "type:visit from:2024-04", "chen-russia-trip-2024"),
        ("f5", "kind:person wang", "wang-yi"),
    ],
)
async def test_enter_on_an_event_or_entity_opens_that_entity(kb_path: Path, key: str, text: str, opens: str) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, key)
        await paste(pilot, text)
        assert shown_ids(app) == [opens]
        await pilot.press("enter")  # from the filter: to the rows
        await settle(pilot)
        assert focused_id(app) == "overview-table"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert app.screen.shown is not None and app.screen.shown.entity_id == opens


async def test_the_order_and_typed_filter_come_back_with_an_overview(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, "f4")
        await paste(pilot, "moscow")
        await pilot.press("down", "s")
        await settle(pilot)
        assert "latest first" in status(app)
        latest = shown_ids(app)
        await pilot.press("j")
        await pilot.press("f2")
        await settle(pilot)
        assert screen(app).view == "sources" and focused_id(app) == "overview-filter"
        await pilot.press("alt+left")  # [ would be typed into the filter
        await settle(pilot)
        ov = screen(app)
        assert (ov.view, ov.filter.value, ov.order) == ("events", "moscow", "latest first")
        assert "latest first" in status(app) and shown_ids(app) == latest
        assert ov.table.cursor_row == 1 and focused_id(app) == "overview-table"


# --- keys ------------------------------------------------------------------------------------


async def test_s_reads_the_list_in_the_other_order(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, "f4")
        assert status(app).endswith(" · earliest first")
        earliest = shown_ids(app)
        assert earliest[0] == "sino-soviet-clashes-1969"
        await pilot.press("down", "s")
        await settle(pilot)
        assert status(app).endswith(" · latest first")
        assert shown_ids(app)[0] == "haines-senate-testimony-2024" and set(shown_ids(app)) == set(earliest)
        await pilot.press("s")
        await settle(pilot)
        assert status(app).endswith(" · earliest first") and shown_ids(app) == earliest

        await pilot.press("f2")
        await settle(pilot)
        assert status(app).endswith(" · newest first")
        assert shown_ids(app)[0] == "nr-chen-russia-trip"
        await pilot.press("down", "s")
        await settle(pilot)
        assert status(app).endswith(" · oldest first")
        dated = [r.published for r in screen(app).found if isinstance(r, overview.SourceRow) and r.published]
        assert dated == sorted(dated) and len(dated) == 2


async def test_s_typed_in_the_filter_is_a_letter(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, "f2")
        await narrow(pilot, "spy s")
        assert screen(app).filter.value == "spy s" and screen(app).order == ""
        assert status(app).endswith(" · newest first")


async def test_hash_counts_exactly_what_was_estimated(kb_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(overview, "COUNT_CAP", 50)  # so the sample is "large"
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, "f3")
        assert status(app).startswith("≈ ")
        assert "# counts exactly" in status(app)
        await paste(pilot, "kind:participation")  # 56 claims, above the cap: estimated
        assert status(app).startswith("≈ ")
        await pilot.press("down", "number_sign")
        await settle(pilot)
        assert status(app) == "56 claims · as stored"
        # typing on counts as before: exact under the cap
        await pilot.press("escape")
        await settle(pilot)
        assert focused_id(app) == "overview-filter"
        await pilot.press("end")  # the filter selects all it holds when focused: typing would replace it
        await narrow(pilot, " disputed")
        assert status(app) == "0 claims · as stored"


async def test_c_goes_to_the_evidence_and_escape_steps_out_one_level_at_a_time(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, "f3")
        await paste(pilot, "disputed")
        await pilot.press("down", "c")
        await settle(pilot)
        assert isinstance(app.focused, EvidenceList)
        assert screen(app).evidence.claim is not None
        assert screen(app).evidence.claim["id"] == "xi-jinping-premier-per-rt"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.focused, ClaimTable) and focused_id(app) == "overview-table"
        await pilot.press("escape")
        await settle(pilot)
        assert focused_id(app) == "overview-filter"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen) and app.history.current.kind == "home"


async def test_c_in_the_sources_overview_is_no_key(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, "f2")
        await pilot.press("down", "c")
        await settle(pilot)
        assert focused_id(app) == "overview-table"
        assert not screen(app).evidence.display


async def test_keys_sent_with_a_focus_move_reach_the_table(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, "f3")
        await narrow(pilot, "patrushev")
        assert status(app).startswith("22 claims")
        burst(app, ("down", None), ("j", "j"), ("j", "j"))
        await pilot.pause(0.5)
        await settle(pilot)
        assert screen(app).filter.value == "patrushev"
        assert focused_id(app) == "overview-table"
        assert screen(app).table.cursor_row == 2


async def test_letters_sent_with_slash_in_the_source_viewer_reach_the_search_box(kb_path: Path) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, "f2")
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SourceScreen)
        burst(app, ("slash", "/"), *((ch, ch) for ch in "patrushev"))
        await pilot.pause(0.5)
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert isinstance(app.focused, SearchInput)
        assert app.focused.value == "patrushev"


# --- a random walk: back then forward returns to what was on screen ----------------------------

# The steps a walk takes, in an order Hypothesis chooses: the first walk
# tried is this order (a journey through every kind of place), the others
# shuffle it. Each step means something wherever the walk stands: typing
# and moving only in an overview, opening only on a row.
STEPS: list[tuple[str, Any]] = [
    ("type", "patrushev"),
    ("move", 2),
    ("open", None),
    ("back", None),
    ("overview", "f2"),
    ("move", 1),
    ("open", None),
    ("back", None),
    ("forward", None),
    ("overview", "f5"),
    ("type", "moscow"),
]


def observed(app: KbtuiApp) -> tuple[Any, ...]:
    """What a user sees of where they are."""
    here = app.screen
    if isinstance(here, OverviewScreen):
        return ("overview", here.view, here.filter.value, here.table.cursor_row, focused_id(app))
    if isinstance(here, ExplorerScreen):
        return ("explorer", here.shown.entity_id if here.shown is not None else None)
    return (type(here).__name__, app.history.current.source_id)


async def step(pilot: Pilot, kind: str, arg: Any) -> None:
    app = pilot.app
    ov = app.screen if isinstance(app.screen, OverviewScreen) else None
    if kind == "overview":
        await pilot.press(arg)
    elif kind == "type" and ov is not None:
        while focused_id(app) != "overview-filter":
            await pilot.press("escape")  # evidence -> rows -> filter
        box = ov.filter
        box.value = arg  # as a paste: typed key by key the walk took twice as long
        box.cursor_position = len(arg)
    elif kind == "move" and ov is not None and ov.table.row_count:
        if focused_id(app) == "overview-filter":
            await pilot.press("down")
        await pilot.press(*["j"] * arg)
    elif kind == "open" and ov is not None and ov.found:
        if focused_id(app) == "overview-filter":
            await pilot.press("down")
        if ov.table.cursor_row < len(ov.found):  # a row, not "more: Enter loads"
            await pilot.press("enter")
    elif kind == "back" and app.history.can_back:
        await pilot.press("alt+left")
    elif kind == "forward" and app.history.can_forward:
        await pilot.press("alt+right")
    await settle(pilot)


async def walk(kb_path: Path, steps: list[tuple[str, Any]]) -> None:
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for n, (kind, arg) in enumerate(steps):
            await step(pilot, kind, arg)
            before = observed(app)
            if not app.history.can_back:
                continue
            await pilot.press("alt+left")
            await settle(pilot)
            await pilot.press("alt+right")
            await settle(pilot)
            assert observed(app) == before, (n, kind, arg, steps[: n + 1])


# about 8 s a walk (keys through Pilot are slow): the journey as listed and
# one shuffle of it, the same two each run
# (no shrinking: a failure names the steps walked, and shrinking a walk took minutes)
@settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.sampled_from(["f3", "f2", "f4", "f5"]), st.permutations(STEPS))
def test_back_then_forward_returns_to_what_was_on_screen(kb_path: Path, first: str, steps: list[Any]) -> None:
    asyncio.run(walk(kb_path, [("overview", first), *steps]))


async def test_escape_back_to_the_filter_does_not_select_it(kb_path: Path) -> None:
    """Back in the filter from the rows, the next letter adds to the filter
    and backspace deletes one letter: nothing is selected to be replaced."""
    app = create_app(kb_path, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, "f3")
        await narrow(pilot, "patrushe")
        await pilot.press("down")
        await settle(pilot)
        assert focused_id(app) == "overview-table"
        await pilot.press("escape")
        await settle(pilot)
        assert focused_id(app) == "overview-filter"
        await pilot.press("v")
        await settle(pilot)
        assert screen(app).filter.value == "patrushev"
        await pilot.press("backspace")
        await settle(pilot)
        assert screen(app).filter.value == "patrushe"
