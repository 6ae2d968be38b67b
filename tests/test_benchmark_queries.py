"""The committed benchmark query sets load and hold every kind, each query
made from its target's own name (so recall measured on them means what the
README says)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import queries as bq

FIXTURES = sorted((Path(__file__).parent.parent / "benchmarks" / "fixtures").glob("queries-*.json"))


def test_there_is_a_committed_query_set():
    assert FIXTURES, "benchmarks/fixtures/queries-*.json: run benchmarks/run.py --save-queries"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_a_query_set_holds_every_kind(path: Path):
    qs = bq.load(path)
    kinds = {q.kind for q in qs}
    assert kinds == set(bq.KINDS) | set(bq.MORE_KINDS)
    for q in qs:
        assert q.text.strip() and q.entity_id and q.name
        if q.kind in ("fragment", "fragment_tie"):
            assert q.text in q.name and not q.name.startswith(q.text) and len(q.text.split()) >= 2
        if q.kind == "initials":
            assert q.text.endswith(q.name.split()[-1]) and q.text[1] == "."
    assert json.loads(path.read_text(encoding="utf-8"))[0].keys() == {"text", "kind", "entity_id", "name"}
