"""How evidence reads (kbtui.tui.evidence_text), without an app: a role's
standing from its dated evidence, a claim's attestation line and one
citation's facts in words."""

from __future__ import annotations

from typing import Any

import pytest

from kbtui.kb.models import Citation, Role
from kbtui.tui.evidence_text import ago, attestation, citation_facts, dissent, standing
from kbtui.tui.look import Look


def cite(**kw: Any) -> Citation:
    base: Citation = {
        "id": 1,
        "source": {"id": "s", "title": "T", "outlet": "O", "author": None, "published": "2024-05-03"},
        "quote": "q",
        "span": [0, 1],
        "anchor": "exact",
        "as_of": "2024-05-03",
        "as_of_note": "",
        "stance": "supports",
        "certainty": "stated",
        "mode": "asserts",
        "speaker": None,
    }
    return {**base, **kw}  # type: ignore[typeddict-item]


def role(status: str, first: str | None, last: str | None, **kw: Any) -> Role:
    base: Role = {
        "id": "r",
        "citations": [cite(as_of=last)],
        "disputed": None,
        "note": None,
        "attested": {"first": first, "last": last},
        "independent_sources": 1,
        "conflicts": [],
        "contested": False,
        "title": "Secretary",
        "holder": {"id": "h", "name": "H"},
        "organisation": None,
        "start": None,
        "end": None,
        "status": status,
    }
    return {**base, **kw}  # type: ignore[typeddict-item]


@pytest.mark.parametrize(
    ("r", "today", "words"),
    [
        (role("current", "2024-05-03", "2024-05-03"), "2024-06-01", "● as of 2024-05-03"),
        (role("current", "2021", "2024-05-03"), "2026-01-01", "◌ last attested 2024-05-03"),
        (role("current", None, None), "2024-06-01", "● undated"),
        (role("former", "2024-05-03", "2024-05-03"), "2024-06-01", "○ former by 2024-05-03"),
        (role("former", None, None), "2024-06-01", "○ former, undated"),
        (role("current", "2020", "2020", end="2022"), "2024-06-01", "○ ended 2022"),
        (role("unknown", "2021-03-09", "2024-05-03"), "2024-06-01", "? attested 2021-03-09…2024-05-03"),
        (role("unknown", None, None), "2024-06-01", "? undated"),
        (role("current", None, None, citations=[cite(mode="demands")]), "2024-06-01", "✗ not attested"),
        (role("current", "2024", "2024", disputed="wrong"), "2024-06-01", "● as of 2024 ⚠ disputed"),
        (role("current", "2024", "2024", conflicts=["x"], contested=True), "2024-06-01", "● as of 2024 ⚠ conflict"),
        # a conflict settled against the other side (marked disputed) is no trouble for this one
        (role("current", "2024", "2024", conflicts=["x"]), "2024-06-01", "● as of 2024"),
    ],
)
def test_a_role_is_never_a_bare_current(r: Role, today: str, words: str) -> None:
    assert standing(r, Look(), today).plain == words


def test_attestation_says_how_long_ago_and_how_many_sources() -> None:
    r = role("current", "2021-03-09", "2024-05-03", independent_sources=2)
    assert attestation(r, Look(), "2024-05-13").plain == (
        "attested 2021-03-09 … 2024-05-03 (10 days ago) · 2 independent sources"
    )
    assert (ago(1), ago(90), ago(1000)) == ("1 day", "3 months", "2.7 years")


def test_citation_facts_leave_the_usual_unsaid() -> None:
    look = Look()
    assert citation_facts(cite(), look).plain == "as of 2024-05-03 · supports"
    facts = citation_facts(
        cite(
            as_of=None,
            as_of_note="no date",
            stance="contradicts",
            certainty="likely",
            mode="predicts",
            speaker={"id": "wang-yi", "name": "Wang Yi"},
        ),
        look,
        {"speaker": 0},
    )
    assert facts.plain == (
        "undated: no date · ✗ contradicts · likely (hedged) · prediction — not evidence it is so · said by Wang Yi"
    )
    # the entity speaker carries the meta a click reads
    assert any(span.style.meta.get("speaker") == 0 for span in facts.spans if hasattr(span.style, "meta"))


def test_dissent_counts_contradicting_and_qualifying_citations() -> None:
    r = role("current", "2024", "2024", citations=[cite(), cite(stance="contradicts"), cite(stance="qualifies")])
    found = dissent(r, Look())
    assert found is not None and found.plain == "✗ 1 of 3 citations contradicts it · ± 1 qualifies it"
    assert dissent(role("current", "2024", "2024"), Look()) is None


def test_untrusted_text_in_facts_is_shown_not_obeyed() -> None:
    facts = citation_facts(cite(speaker={"id": None, "name": "[red]x\x1b[2J"}), Look())
    assert "[red]x␛[2J" in facts.plain
