"""The bundle reader's work grows linearly with the bundle, and a big
kb.toml can be read in pieces (load_chunks) with the same result.

An import of 50,000 entities once took 11 minutes: line numbers for
messages were found by rescanning the file for every table, aliases were
de-duplicated by rebuilding a set per alias, and so on. Each test here
times the same work at n and at 4n and asserts the ratio is under 8:
linear work gives about 4, quadratic about 16. The time is this process's
CPU time, the best of a few runs, so other work on the machine (pytest-xdist
runs tests side by side) does not count, and no test has a wall-clock
threshold that a slow machine could miss. Sizes are chosen so that the
quadratic versions take seconds and the linear ones a tenth of that.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kbtui.kb import anchor as anchor_mod
from kbtui.kb.anchor import AnchorError, anchor
from kbtui.kb.bundle import KB_TABLES, Bundle, BundleError, _Validator, load, load_chunks
from kbtui.kb.paths import sample_bundle_path
from kbtui.kb.toml_lines import Lines
from tests.conftest import MINI_KB, MINI_SOURCES, MINI_TEXT, write_bundle

LINEAR = 8.0  # linear work gives ~4 at 4n, quadratic ~16


def _cpu(run: Callable[[], object]) -> float:
    # no collection of the whole test process in the middle of one run
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        run()
        return time.process_time() - started
    finally:
        gc.enable()


def _growth(small: Callable[[], object], large: Callable[[], object]) -> float:
    """CPU time of `large` (4x the work of `small`) over that of `small`,
    each the best of up to three runs (a run slowed by something else is
    retried; one clearly quadratic run is enough to fail)."""
    base = min(_cpu(small) for _ in range(3))
    ratio = float("inf")
    for _ in range(3):
        ratio = min(ratio, _cpu(large) / max(base, 1e-3))
        if ratio < LINEAR or ratio > 2 * LINEAR:
            break
    return ratio


def _refused(root: Path) -> list[str]:
    with pytest.raises(BundleError) as err:
        load(root)
    return err.value.problems


# -- line numbers for messages ----------------------------------------------


def _people(root: Path, n: int) -> Path:
    """n entities and n/4 roles. Every entity has an alias and every role a
    quote written with a TOML escape, so neither is found verbatim on its
    line: the search for it must stop at the end of its table."""
    parts = []
    for i in range(n):
        parts.append(
            f'[[entity]]\nid = "person-{i}"\nkind = "person"\nname = "Person {i}"\n'
            f'aliases = ["Персона {i}", "\\u0050erson number {i}"]\n\n'
        )
    for i in range(0, n, 4):
        parts.append(
            f'[[role]]\nid = "role-{i}"\nholder = "person-{i}"\ntitle = "Member"\n'
            'cite = [{ source = "mini", quote = "The two men met in \\u004Doscow." }]\n\n'
        )
    return write_bundle(root, kb="".join(parts))


def test_line_numbers_of_tables_and_fields_cost_linear_time(tmp_path: Path):
    small, large = _people(tmp_path / "s", 1500), _people(tmp_path / "l", 6000)
    assert len(load(large).entities) == 6000
    assert _growth(lambda: load(small), lambda: load(large)) < LINEAR


def test_a_problem_late_in_a_big_file_names_its_line(tmp_path: Path):
    root = _people(tmp_path / "b", 3000)
    kb = (root / "kb.toml").read_text(encoding="utf-8")
    kb = kb.replace('holder = "person-2996"', 'holder = "nobody"')
    (root / "kb.toml").write_text(kb, encoding="utf-8")
    line = kb.splitlines().index('holder = "nobody"') + 1
    assert _refused(root) == [
        f"{root / 'kb.toml'}:{line}: role `role-2996`: `holder` = 'nobody'"
        " is not a known entity id (in this bundle or the KB)"
    ]


def _nul_names(root: Path, n: int) -> Path:
    parts = [f'[[entity]]\nid = "e-{i}"\nkind = "concept"\nname = "E{i}"\nsummary = "a\\u0000b"\n\n' for i in range(n)]
    return write_bundle(root, kb="".join(parts))


def test_every_nul_character_is_reported_in_linear_time(tmp_path: Path):
    small, large = _nul_names(tmp_path / "s", 1000), _nul_names(tmp_path / "l", 4000)
    assert _growth(lambda: _refused(small), lambda: _refused(large)) < LINEAR
    problems = _refused(large)
    assert len(problems) == 4000
    # each at its own line, not the first NUL of the file
    assert (
        problems[-1]
        == f"{large / 'kb.toml'}:{6 * 4000 - 1}: field `summary` contains a NUL character (U+0000); remove it"
    )


def _unknown_keys(root: Path, k: int) -> Path:
    return write_bundle(root, kb="".join(f"key{i} = {i}\n" for i in range(k)) + MINI_KB)


def test_thousands_of_unknown_top_level_keys_cost_linear_time(tmp_path: Path):
    small, large = _unknown_keys(tmp_path / "s", 2500), _unknown_keys(tmp_path / "l", 10000)
    problems = _refused(large)
    assert len(problems) == 10000
    assert (
        problems[-1] == f"{large / 'kb.toml'}:10000: unknown table `key9999` (expected {', '.join(sorted(KB_TABLES))})"
    )
    assert _growth(lambda: _refused(small), lambda: _refused(large)) < LINEAR


def test_a_long_chain_of_relays_is_checked_in_linear_time(tmp_path: Path):
    """Each source's chain of `relays` was followed to its end: n sources
    relaying the next took n * n / 2 steps."""

    def chain(n: int) -> Callable[[], None]:
        def check() -> None:
            sources = [{"id": f"s-{i}", "relays": f"s-{i + 1}" if i + 1 < n else None, "_line": 1} for i in range(n)]
            problems: list[str] = []
            _Validator(tmp_path, problems, Lines(tmp_path / "sources.toml", "")).source_links(sources)
            assert problems == []

        return check

    assert _growth(chain(8000), chain(32000)) < LINEAR
    root = write_bundle(
        tmp_path / "b", sources=MINI_SOURCES + MINI_SOURCES.replace('id = "mini"', 'id = "copy"') + 'relays = "mini"\n'
    )
    assert [s["relays"] for s in load(root).sources] == [None, "mini"]


# -- aliases -----------------------------------------------------------------


def _many_aliases(root: Path, k: int) -> Path:
    """One entity with k aliases, one per line; every third written with an
    escape (not found verbatim), every fifth a repeat of the one before."""
    names = []
    for i in range(k):
        if i % 5 == 4:
            names.append(names[-1])
        elif i % 3 == 0:
            names.append(f'"\\u004Eame {i}"')
        else:
            names.append(f'"Name {i}"')
    kb = '[[entity]]\nid = "many-names"\nkind = "person"\nname = "Many Names"\naliases = [\n'
    kb += "".join(f"  {name},\n" for name in names) + "]\n"
    return write_bundle(root, kb=kb)


def test_thousands_of_aliases_on_one_entity_cost_linear_time(tmp_path: Path):
    small, large = _many_aliases(tmp_path / "s", 4000), _many_aliases(tmp_path / "l", 16000)
    aliases = load(large).entities[0]["aliases"]
    assert len(aliases) == 16000 - 16000 // 5
    assert len({a["name"] for a in aliases}) == len(aliases)
    assert _growth(lambda: load(small), lambda: load(large)) < LINEAR


def _failed_alias_citations(root: Path, n: int) -> Path:
    parts = [
        f'[[entity]]\nid = "e-{i}"\nkind = "person"\nname = "E {i}"\n'
        f'aliases = [{{ name = "Alias {i}", cite = [{{ source = "mini", quote = "Nowhere {i}" }}] }}]\n\n'
        for i in range(n)
    ]
    return write_bundle(root, kb="".join(parts))


def test_failed_alias_citations_cost_linear_time(tmp_path: Path):
    small, large = _failed_alias_citations(tmp_path / "s", 1500), _failed_alias_citations(tmp_path / "l", 6000)
    problems = _refused(large)
    assert len(problems) == 6000
    assert problems[-1].startswith(f"{large / 'kb.toml'}:{6 * 6000 - 1}: entity `e-5999` alias 'Alias 5999':")
    assert _growth(lambda: _refused(small), lambda: _refused(large)) < LINEAR


# -- anchoring quotes ----------------------------------------------------------


def test_a_short_quote_found_400000_times_in_2_mb_is_refused_at_once():
    text = "ab " * 700_000

    def refused() -> None:
        with pytest.raises(AnchorError, match="more than 10,000 times"):
            anchor(text, "ab", prefix="zz")

    assert _cpu(refused) < 0.5  # it stops counting at 10,001: ~0.02 s


def _reports(n: int, curly: bool) -> str:
    """n reports that say the same thing, told apart by their numbers."""
    said = "the minister said “no”" if curly else 'the minister said "no"'
    return "".join(f"Report {i:05d}: {said}. " + "Filler. " * 40 for i in range(n))


@pytest.mark.parametrize("curly", [False, True], ids=["exact", "normalised"])
def test_a_quote_found_thousands_of_times_is_told_apart_by_its_prefix_in_linear_time(curly: bool):
    small, large = _reports(1250, curly), _reports(5000, curly)
    a = anchor(large, 'the minister said "no"', prefix="Report 04321:")
    assert a.method == ("normalised" if curly else "exact")
    assert large[a.start - 14 : a.start] == "Report 04321: "
    assert (
        _growth(
            lambda: anchor(small, 'the minister said "no"', prefix="Report 01234:"),
            lambda: anchor(large, 'the minister said "no"', prefix="Report 04321:"),
        )
        < LINEAR
    )


def test_a_long_prefix_is_not_refolded_for_every_hit(monkeypatch: pytest.MonkeyPatch):
    """Checking h hits against a prefix of length p must not fold h * p
    characters (4,000 hits and a 12,000-character prefix took 3 s)."""
    folded = 0
    real = anchor_mod.typographic_fold

    def counting(text: str):  # type: ignore[no-untyped-def]
        nonlocal folded
        folded += len(text)
        return real(text)

    monkeypatch.setattr(anchor_mod, "typographic_fold", counting)
    monkeypatch.setattr(anchor_mod, "fold", lambda text: counting(text)[0])
    anchor_mod._folded.cache_clear()
    h = 4000
    text = "ab " * h + "zz"
    a = anchor(text, "ab", prefix="ab " * (h - 1))
    assert a.start == 3 * (h - 1)
    with pytest.raises(AnchorError, match="not found"):
        anchor(text, "ab", prefix="ab " * (h - 1) + "x")
    assert folded < 10 * len(text)


def test_quotes_from_many_sources_in_turn_fold_each_source_once(monkeypatch: pytest.MonkeyPatch):
    """Folded texts are cached; four of them were, and quotes from 20 short
    sources in turn refolded a text per quote (4,000 quotes: 18 s)."""
    folds: list[int] = []
    real = anchor_mod.typographic_fold

    def counting(text: str):  # type: ignore[no-untyped-def]
        folds.append(len(text))
        return real(text)

    monkeypatch.setattr(anchor_mod, "typographic_fold", counting)
    anchor_mod._folded.cache_clear()
    texts = ["".join(f"Report {s}-{i}: the “minister” said it.\n" for i in range(200)) for s in range(20)]
    for r in range(400):
        a = anchor(texts[r % 20], f'Report {r % 20}-{r // 20}: the "minister" said it')
        assert a.method == "normalised"
    assert len([n for n in folds if n > 1000]) == 20


def _missing(n: int) -> tuple[str, str]:
    """A text of n words and a quote of n/500 of them that is not in it."""
    words = ["the", "minister", "said", "that", "the", "council", "met", "in", "moscow", "on", "monday"]
    text = " ".join(words[i % len(words)] for i in range(n))
    quote = " ".join(words[(i * 7) % len(words)] for i in range(n // 500)) + " unknown"
    return text, quote


def test_the_nearest_match_to_a_long_missing_quote_costs_linear_time():
    (small, q1), (large, q2) = _missing(50_000), _missing(200_000)
    with pytest.raises(AnchorError) as err:
        anchor(large, q2)
    assert err.value.nearest

    def miss(text: str, quote: str) -> None:
        anchor_mod._folded.cache_clear()
        try:
            anchor(text, quote)
        except AnchorError as exc:
            assert exc.nearest

    assert _growth(lambda: miss(small, q1), lambda: miss(large, q2)) < LINEAR


def _missing_quotes(root: Path, n: int) -> Path:
    """n roles whose quotes are not in a source of about 2,500 * n characters."""
    text = MINI_TEXT + "Nothing else happened that week. " * (75 * n)
    parts = [
        '[[entity]]\nid = "someone"\nkind = "person"\nname = "Someone"\n\n',
        *(
            f'[[role]]\nid = "r-{i}"\nholder = "someone"\ntitle = "Member"\n'
            f'cite = [{{ source = "mini", quote = "Something else happened on day {i}" }}]\n\n'
            for i in range(n)
        ),
    ]
    return write_bundle(root, kb="".join(parts), sources=MINI_SOURCES, text=text)


def test_nearest_matches_for_many_missing_quotes_in_a_long_text_are_bounded(tmp_path: Path):
    """Each missing quote is reported; hints are searched for while a budget
    lasts, so n missing quotes in a text of size ~n do not cost n squared."""
    small, large = _missing_quotes(tmp_path / "s", 40), _missing_quotes(tmp_path / "l", 160)
    problems = _refused(large)
    assert len(problems) == 160 and all("quote not found" in p for p in problems)
    assert "nearest match" in problems[0]
    assert _growth(lambda: _refused(small), lambda: _refused(large)) < LINEAR


# -- reading kb.toml in pieces -------------------------------------------------


def _merged(root: Path, size: int) -> tuple[Bundle, list[Bundle]]:
    chunks = list(load_chunks(root, size=size))
    whole = Bundle()
    for chunk in chunks:
        for name in vars(whole):
            getattr(whole, name).extend(getattr(chunk, name))
    return whole, chunks


def _chunk_problems(root: Path, size: int) -> tuple[list[str], int]:
    """The problems of load_chunks, and how many chunks came before them."""
    seen = 0
    with pytest.raises(BundleError) as err:
        for _ in load_chunks(root, size=size):
            seen += 1
    return err.value.problems, seen


def test_the_sample_read_three_tables_at_a_time_is_what_load_reads():
    root = sample_bundle_path()
    whole, chunks = _merged(root, 3)
    assert whole == load(root)
    tables = (root / "kb.toml").read_text(encoding="utf-8").count("\n[[")
    assert len(chunks) == -(-tables // 3) > 40
    assert chunks[0].sources and not any(c.sources for c in chunks[1:])
    for c in chunks:
        written = [e for e in c.entities if e["kind"] != "event"], c.roles, c.relations, c.events, c.properties
        assert sum(map(len, written)) + len(c.conflicts) + len(c.errata) <= 3


FORWARD = """\
# every reference here is to something written further on
[[conflict]]
claims = ["patrushev-secretary", "chen-head"]

[[erratum]]
id = "left-early"
source = "mini"
quote = "Chen left."
says = "left"
correct = "stayed"
about = "chen-head"
shown_by = "patrushev-secretary"

[[property]]
entity = "chen-wenqing"
property = "nationality"
value = "china"
cite = [{ source = "mini", quote = "Chen Wenqing leads" }]

[[role]]
id = "patrushev-secretary"
holder = "nikolai-patrushev"
organisation = "council"
title = "Secretary"
cite = [{ source = "mini", quote = "Nikolai Patrushev is secretary", speaker = "chen-wenqing" }]

[[role]]
id = "chen-head"
holder = "chen-wenqing"
title = "Head"
cite = [
  { source = "mini", quote = "Chen Wenqing leads China", speaker = "council" },
  { source = "mini", quote = "The two men met", speaker = "Moscow readout" },
]

[[entity]]  # a comment after a header
id = "nikolai-patrushev"
kind = "person"
name = "Nikolai Patrushev"
summary = '''
[[entity]]
a header inside a multi-line string is text
'''

[[entity.aliases]]
name = "Patrushev"
cite = [{ source = "mini", quote = "Patrushev is", speaker = "council" }]

[[entity]]
id = "chen-wenqing"
kind = "person"
name = "Chen Wenqing"
summary = QQQ
[[role]]
QQQ

[[ entity ]]
id = "council"
kind = "organisation"
name = "Security Council"

[[entity]]
id = "china"
kind = "country"
name = "China"
""".replace("QQQ", '"' * 3)


def test_references_to_tables_further_on_are_resolved_across_chunks(tmp_path: Path):
    root = write_bundle(tmp_path / "b", kb=FORWARD)
    whole = load(root)
    assert [e["id"] for e in whole.entities] == ["nikolai-patrushev", "chen-wenqing", "council", "china"]
    speakers = [(c.speaker_id, c.speaker) for r in whole.roles for c in r["cites"]]
    assert speakers == [("chen-wenqing", ""), ("council", ""), (None, "Moscow readout")]
    assert whole.alias_claims[0]["cites"][0].speaker_id == "council"
    assert "[[entity]]" in whole.entities[0]["summary"]
    for size in (1, 2, 3):
        assert _merged(root, size)[0] == whole


def _numbered(n: int) -> str:
    return "".join(f'[[entity]]\nid = "e-{i}"\nkind = "person"\nname = "E {i}"\n\n' for i in range(n))


GHOST, NOWHERE = 'holder = "ghost"', 'organisation = "nowhere"'


def test_a_reference_missing_from_the_whole_file_is_reported_at_its_line(tmp_path: Path):
    early = (
        '[[role]]\nid = "early"\nholder = "ghost"\ntitle = "T"\ncite = [{ source = "mini", quote = "Chen left." }]\n\n'
    )
    late = '[[role]]\nid = "late"\nholder = "e-1"\norganisation = "nowhere"\ntitle = "T"\n'
    late += 'cite = [{ source = "mini", quote = "The two men met" }]\n'
    kb = early + _numbered(10) + late
    root = write_bundle(tmp_path / "b", kb=kb)
    lines = kb.splitlines()
    kb_path = root / "kb.toml"
    ghost = f"{kb_path}:{lines.index(GHOST) + 1}"
    nowhere = f"{kb_path}:{lines.index(NOWHERE) + 1}"
    expected = [
        f"{nowhere}: role `late`: `organisation` = 'nowhere' is not a known entity id (in this bundle or the KB)",
        f"{ghost}: role `early`: `holder` = 'ghost' is not a known entity id (in this bundle or the KB)",
    ]
    problems, seen = _chunk_problems(root, 3)
    assert problems == expected
    assert sorted(_refused(root)) == sorted(expected)  # load() reports the same, in file order
    assert seen == 3  # the chunks before the problem were yielded, the one with it was not


def test_a_problem_stops_the_chunks_but_not_the_checking(tmp_path: Path):
    kb = _numbered(4) + '[[entity]]\nid = "bad"\nkind = "planet"\nname = "Bad"\n\n' + _numbered(8).replace("e-", "f-")
    kb += '[[entity]]\nid = "e-2"\nkind = "person"\nname = "Again"\n'
    root = write_bundle(tmp_path / "b", kb=kb)
    problems, seen = _chunk_problems(root, 2)
    assert seen == 2
    assert len(problems) == 2 and "`kind` = 'planet'" in problems[0]
    line = kb.splitlines().index('name = "Again"') - 2  # its [[entity]] header
    assert problems[1] == f"{root / 'kb.toml'}:{line}: entity `e-2`: duplicate entity id `e-2`"
    assert problems == _refused(root)


def test_a_syntax_error_in_a_late_piece_names_its_line_in_the_file(tmp_path: Path):
    kb = _numbered(20).replace('name = "E 17"', 'name = "E 17')
    root = write_bundle(tmp_path / "b", kb=kb)
    problems, seen = _chunk_problems(root, 3)
    line = kb.splitlines().index('name = "E 17') + 1
    assert len(problems) == 1 and problems[0].startswith(f"{root / 'kb.toml'}:{line}: bad TOML: ")
    assert f"(at line {line}, column" in problems[0]
    assert problems == _refused(root)
    assert seen == 5


def test_a_unicode_error_in_a_late_piece_names_its_byte(tmp_path: Path):
    kb = _numbered(20).encode() + b'[[entity]]\nid = "x"\nkind = "person"\nname = "\xff"\n'
    root = write_bundle(tmp_path / "b", kb="")
    (root / "kb.toml").write_bytes(kb)
    expected = [f"{root / 'kb.toml'}: not valid UTF-8 at byte {kb.index(bytes([0xFF]))}"]
    assert _chunk_problems(root, 3)[0] == _refused(root) == expected


def test_the_preamble_and_dotted_tables_are_read_with_their_piece(tmp_path: Path):
    kb = 'title = "a preamble key is not a table"\n\n' + MINI_KB + "\n[extra]\nnote = 1\n"
    root = write_bundle(tmp_path / "b", kb=kb)
    problems = _refused(root)
    assert [p.split(": ", 1)[0] for p in problems] == [
        f"{root / 'kb.toml'}:1",
        f"{root / 'kb.toml'}:{kb.count(chr(10)) - 1}",
    ]
    for size in (1, 2, 5):
        assert _chunk_problems(root, size)[0] == problems
