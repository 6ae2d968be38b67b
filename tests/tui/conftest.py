"""Fixtures for the TUI tests: the sample KB and a private copy of it under
the names these tests use, and a KB with one very large organisation. The async test runner is
in tests/conftest.py; settle, screen_text and type_text in tests/helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbtui.kb.importer import import_bundle
from tests.helpers import BIG_HOLDERS


@pytest.fixture(scope="session")
def kb_path(sample_db: Path) -> Path:
    """The sample KB (tests/conftest.py builds it once per session)."""
    return sample_db


@pytest.fixture
def sample_copy_path(sample_copy: Path) -> Path:
    """A private copy of the sample that a test may change or delete
    (tests/conftest.py's sample_copy, under the name these tests use)."""
    return sample_copy


@pytest.fixture(scope="session")
def big_kb_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A KB whose one organisation has BIG_HOLDERS role holders, to prove
    the roles table pages instead of loading everything."""
    root = tmp_path_factory.mktemp("big-bundle")
    (root / "sources").mkdir()
    # Many small rosters rather than one long one: anchoring a quote costs
    # time proportional to its source's length.
    per = 25
    sources = []
    for s in range(0, BIG_HOLDERS, per):
        lines = [f"Member {n:04d} sits on the Grand Board." for n in range(s, min(s + per, BIG_HOLDERS))]
        (root / "sources" / f"r{s}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        sources.append(
            f'[[source]]\nid = "roster-{s}"\nfile = "sources/r{s}.txt"\n'
            f'title = "Board roster {s}"\noutlet = "Roster Weekly"\npublished = "2024-01-01"\n'
        )
    (root / "sources.toml").write_text("\n".join(sources), encoding="utf-8")
    kb = ['[[entity]]\nid = "grand-board"\nkind = "organisation"\nname = "Grand Board"\n']
    for n in range(BIG_HOLDERS):
        kb.append(f'[[entity]]\nid = "member-{n:04d}"\nkind = "person"\nname = "Member {n:04d}"\n')
        status = "current" if n % 3 else "former"
        src = f"roster-{n - n % per}"
        kb.append(
            f'[[role]]\nid = "member-{n:04d}-board"\nholder = "member-{n:04d}"\n'
            f'organisation = "grand-board"\ntitle = "Member"\nstatus = "{status}"\n'
            f'cite = [{{ source = "{src}", quote = "Member {n:04d} sits on the Grand Board." }}]\n'
        )
    (root / "kb.toml").write_text("\n".join(kb), encoding="utf-8")
    path = tmp_path_factory.mktemp("big") / "big.db"
    import_bundle(root, path)
    return path


# --- a small KB with every kind of evidence the explorer shows ---------------------

EVIDENCE_TEXTS = {
    "wire": (
        "Moscow, Friday.\n"
        "Nikolai Patrushev is secretary of Russia's security council. "
        "In 2019 he was already its secretary.\n"
        "Chinese premier Xi Jinping sent greetings.\n"
        "Chen Wenqing, Xi's security chief, likely met Patrushev, according to Wang Yi.\n"
        "Wang Yi demanded that Chen be made head of the commission.\n"
        "Chen formerly headed the ministry of state security.\n"
    ),
    "gazette": (
        "Patrushev is no longer secretary of the security council, the Kremlin said.\n"
        "Xi Jinping, the Chinese leader, spoke in Beijing.\n"
    ),
}

EVIDENCE_SOURCES = """\
[[source]]
id = "wire"
file = "sources/wire.txt"
title = "Spy chiefs meet"
outlet = "Example Wire"
author = "A. Writer"
published = "2024-05-03"
date_basis = "byline"

[[source]]
id = "gazette"
file = "sources/gazette.txt"
title = "Kremlin reshuffle"
outlet = "Example Gazette"
as_of_note = "the gazette prints no date"
"""

EVIDENCE_KB = """\
[[entity]]
id = "nikolai-patrushev"
kind = "person"
name = "Nikolai Patrushev"
aliases = ["Patrushev"]

[[entity]]
id = "chen-wenqing"
kind = "person"
name = "Chen Wenqing"
aliases = [
  "Chen",
  { name = "Xi's security chief", kind = "descriptor", as_of = "2024-05-03", \
cite = [ { source = "wire", quote = "Chen Wenqing, Xi's security chief" } ] },
]

[[entity]]
id = "xi-jinping"
kind = "person"
name = "Xi Jinping"

[[entity]]
id = "wang-yi"
kind = "person"
name = "Wang Yi"

[[entity]]
id = "russia"
kind = "country"
name = "Russia"
aliases = [{ name = "Moscow", kind = "metonym" }]

[[entity]]
id = "china"
kind = "country"
name = "China"

[[entity]]
id = "security-council"
kind = "organisation"
name = "Security Council of Russia"

[[entity]]
id = "commission"
kind = "organisation"
name = "Political and Legal Affairs Commission"

[[entity]]
id = "mss"
kind = "organisation"
name = "Ministry of State Security"

[[entity]]
id = "chinese-government"
kind = "organisation"
name = "Chinese government"

[[role]]
id = "patrushev-secretary"
holder = "nikolai-patrushev"
organisation = "security-council"
title = "Secretary"
status = "current"
cite = [
  { source = "wire", quote = "Nikolai Patrushev is secretary of Russia's security council" },
  { source = "wire", quote = "In 2019 he was already its secretary", as_of = "2019", as_of_note = "'in 2019'" },
  { source = "gazette", quote = "Patrushev is no longer secretary of the security council", \
stance = "contradicts", certainty = "reported", speaker = "Kremlin press office" },
]

[[role]]
id = "chen-head-commission"
holder = "chen-wenqing"
organisation = "commission"
title = "Head"
status = "current"
cite = [
  { source = "wire", quote = "Wang Yi demanded that Chen be made head of the commission", mode = "demands", \
certainty = "reported", speaker = "wang-yi" },
]

[[role]]
id = "chen-former-mss"
holder = "chen-wenqing"
organisation = "mss"
title = "Minister"
status = "former"
cite = [{ source = "wire", quote = "Chen formerly headed the ministry of state security" }]

[[role]]
id = "xi-premier"
holder = "xi-jinping"
organisation = "chinese-government"
title = "Premier"
status = "current"
disputed = "Xi is not China's premier; the wire's title is an error."
cite = [{ source = "wire", quote = "Chinese premier Xi Jinping" }]

[[relation]]
id = "chen-met-patrushev"
type = "met"
subject = "chen-wenqing"
object = "nikolai-patrushev"
cite = [
  { source = "wire", quote = "likely met Patrushev, according to Wang Yi", certainty = "likely", \
speaker = "wang-yi" },
]

[[relation]]
id = "xi-leads-china"
type = "leads"
subject = "xi-jinping"
object = "china"
cite = [{ source = "gazette", quote = "Xi Jinping, the Chinese leader" }]

[[property]]
entity = "nikolai-patrushev"
property = "nationality"
value = "russia"
cite = [{ source = "wire", quote = "Nikolai Patrushev is secretary of Russia's security council", \
certainty = "inferred" }]

[[property]]
entity = "xi-jinping"
property = "name"
value = "习近平"
qualifier = "zh"
cite = [{ source = "gazette", quote = "Xi Jinping", as_of = "2024-06", as_of_note = "a test date" }]

[[conflict]]
claims = ["xi-leads-china", "xi-premier"]
note = "The wire calls Xi premier; the gazette calls him China's leader."

[[erratum]]
id = "wire-xi-premier"
source = "wire"
quote = "Chinese premier"
says = "Xi Jinping is China's premier"
correct = "Xi Jinping is China's leader; the premier is another office"
about = "xi-premier"
shown_by = "xi-leads-china"
"""


def write_evidence_bundle(root: Path) -> Path:
    (root / "sources").mkdir(parents=True, exist_ok=True)
    for name, text in EVIDENCE_TEXTS.items():
        (root / "sources" / f"{name}.txt").write_text(text, encoding="utf-8")
    (root / "sources.toml").write_text(EVIDENCE_SOURCES, encoding="utf-8")
    (root / "kb.toml").write_text(EVIDENCE_KB, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def evidence_kb_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A KB whose citations contradict, hedge, relay a named speaker and
    demand; with a property, a descriptor, a metonym, a conflict and an
    erratum: everything the explorer shows of the evidence model."""
    path = tmp_path_factory.mktemp("evidence") / "evidence.db"
    import_bundle(write_evidence_bundle(tmp_path_factory.mktemp("evidence-bundle")), path)
    return path
