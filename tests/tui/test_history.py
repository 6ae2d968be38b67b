"""The browser-like history on its own (no Textual)."""

from __future__ import annotations

from kbtui.tui.history import History, Location


def test_push_back_forward_and_drop_forward_entries():
    h = History()
    assert h.current.kind == "home" and not h.can_back
    assert h.push(Location.entity("a", "A"))
    assert h.push(Location.entity("b", "B"))
    assert not h.push(Location.entity("b", "B"))  # same place: no new entry
    assert [loc.title for loc in h.trail()] == ["Search", "A", "B"]
    assert h.back().entity_id == "a"
    assert h.back().kind == "home"
    assert h.back() is None
    assert h.forward().entity_id == "a"
    assert h.can_forward
    h.push(Location.source("s", 3))
    assert not h.can_forward
    assert [loc.kind for loc in h.entries] == ["home", "entity", "source"]


def test_go_and_state_survive_moves():
    h = History()
    a = Location.entity("a")
    h.push(a)
    a.state["focus"] = "roles"
    h.push(Location.entity("b"))
    assert h.go(1) is a and h.current.state == {"focus": "roles"}
    assert h.go(1) is None and h.go(99) is None


def test_history_is_bounded():
    h = History()
    for n in range(History.MAX + 50):
        h.push(Location.entity(str(n)))
    assert len(h.entries) == History.MAX
    assert h.current.entity_id == str(History.MAX + 49)


def test_drop_current_forgets_a_place_and_steps_back():
    h = History()
    a, b, c = Location.entity("a"), Location.entity("b"), Location.entity("c")
    for loc in (a, b, c):
        h.push(loc)
    h.back()  # at b, c ahead
    assert h.drop_current() is a
    assert h.current is a and h.entries[1:] == [a, c] and h.can_forward
    assert h.forward() is c

    first = History()
    assert first.drop_current() is None  # nothing before: nothing changes
    assert len(first.entries) == 1 and first.current.kind == "home"


def test_crumbs_and_visited_entities():
    h = History()
    for entity_id in ("a", "b", "a"):
        h.push(Location.entity(entity_id, entity_id.upper()))
    h.back()
    assert [tuple(c) for c in h.crumbs()] == [(0, "home", "Search"), (1, "entity", "A"), (2, "entity", "B")]
    assert h.ahead == 1
    assert [loc.entity_id for loc in h.visited_entities()] == ["a", "b"]
