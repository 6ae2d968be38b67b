from __future__ import annotations

import pytest

from kbtui.kb.anchor import AnchorError, anchor

TEXT = "He said “hello”—twice.\nThen  he\u00a0left. He said “hello” again."


def test_exact_match_is_preferred():
    a = anchor(TEXT, "Then  he\u00a0left.")
    assert (a.method, TEXT[a.start : a.end]) == ("exact", "Then  he\u00a0left.")


def test_straight_quotes_and_single_spaces_find_the_verbatim_span():
    a = anchor(TEXT, 'Then he left. He said "hello" again')
    assert a.method == "normalised"
    assert TEXT[a.start : a.end] == "Then  he\u00a0left. He said “hello” again"


def test_dash_kinds_fold():
    a = anchor(TEXT, '"hello"-twice')
    assert TEXT[a.start : a.end] == "“hello”—twice"


def test_ambiguous_quote_is_refused_with_positions():
    with pytest.raises(AnchorError, match="occurs 2 times"):
        anchor(TEXT, 'He said "hello"')


def test_prefix_and_suffix_pick_one():
    a = anchor(TEXT, 'He said "hello"', suffix="again")
    assert a.start > 20
    b = anchor(TEXT, 'He said "hello"', suffix="—twice")
    assert b.start == 0
    c = anchor(TEXT, "He said", prefix="left.")
    assert c.start == a.start


def test_missing_quote_reports_nearest_match():
    with pytest.raises(AnchorError) as err:
        anchor(TEXT, "Then he departed.")
    assert "not found" in str(err.value)
    assert "Then" in err.value.nearest


def test_empty_quote_is_refused():
    with pytest.raises(AnchorError):
        anchor(TEXT, "   ")


def test_context_is_stored_verbatim():
    a = anchor(TEXT, "twice")
    assert a.prefix.endswith("”—") and a.suffix.startswith(".\nThen")
