"""A small import into a KB that already has data keeps the derived
indexes right row by row (kbtui.kb.index's forget/refresh pairs) instead of
rebuilding them: the result must be what a full rebuild gives."""

from __future__ import annotations

import shutil
from pathlib import Path

from kbtui.kb import check, db, migrate, search
from kbtui.kb.ftm import import_ftm
from kbtui.kb.importer import bundle_report, import_bundle
from tests.conftest import MINI_KB, write_bundle
from tests.kbdata import kb_data

FTM = Path(__file__).parent / "fixtures" / "ftm"


def _same_as_rebuilt(tmp_path: Path, kb: Path) -> None:
    findings = check.derived(db.connect_readonly(kb))
    assert findings == []
    rebuilt = tmp_path / "rebuilt.db"
    shutil.copy(kb, rebuilt)
    migrate.reindex(rebuilt)

    def rows(path: Path) -> list[str]:  # reindex writes derived tables' SQL without comments
        return [line for line in kb_data(path) if not line.startswith("CREATE ")]

    assert rows(kb) == rows(rebuilt)


def test_an_ftm_delta_updates_the_indexes_in_place(tmp_path: Path) -> None:
    kb = tmp_path / "kb.db"
    import_ftm(FTM / "sanctions.ftm.json", kb)
    report = import_ftm(FTM / "sanctions.delta.json", kb)
    assert report["removed"]  # the DELs took something out
    _same_as_rebuilt(tmp_path, kb)
    conn = db.connect_readonly(kb)
    assert search.search(conn, "Pavel Zaitsev")[0].id == "ru-zaitsev"  # ADDed
    assert all(h.id != "ru-kuznetsov" for h in search.search(conn, "Kuznetsov"))  # DELeted


def test_a_bundle_prune_and_a_renamed_entity_update_the_indexes_in_place(tmp_path: Path) -> None:
    kb = tmp_path / "kb.db"
    import_bundle(write_bundle(tmp_path / "v1" / "mini"), kb)
    renamed = MINI_KB.replace('name = "Chen Wenqing"', 'name = "Chen Wen-qing"').replace(
        'aliases = [{ name = "Patrushev", kind = "surname" }]', 'aliases = [{ name = "N. P. Patrushev" }]'
    )
    bundle_report(write_bundle(tmp_path / "v2" / "mini", kb=renamed), kb, prune=True)
    _same_as_rebuilt(tmp_path, kb)
    conn = db.connect_readonly(kb)
    assert search.search(conn, "N. P. Patrushev")[0].id == "nikolai-patrushev"
    assert search.search(conn, "Chen Wen-qing")[0].id == "chen-wenqing"
