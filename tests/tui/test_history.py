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
