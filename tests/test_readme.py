"""The README's SQL examples are run, exactly as written, on the sample with
one curated article added (so the log and the review queries have rows)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kbtui.kb import curate, sqlsafe, versions
from kbtui.kb.paths import PACKAGE_DIR

README = (PACKAGE_DIR.parent / "README.md").read_text(encoding="utf-8")
QUERIES = re.findall(r"```sql\n(.*?)```", README, flags=re.S)
PAGE = PACKAGE_DIR.parent / "docs" / "examples" / "spy-chiefs-meet.html"


@pytest.fixture(scope="module")
def curated_sample(tmp_path_factory: pytest.TempPathFactory, sample_db: Path) -> Path:
    """The sample, the README's example page added to a bundle with two
    claims, then a corrected text: one claim's words moved, one's gone."""
    root = tmp_path_factory.mktemp("readme")
    kb = root / "kb.db"
    shutil.copy(sample_db, kb)
    bundle = root / "examiner"
    curate.new_bundle(bundle, kb)
    curate.add_source(bundle, kb, PAGE, {}, "examiner-original")
    lead = "Chen Wenqing leads China's Central Political and Legal Affairs Commission"
    former = "China's Ministry of State Security, which Chen previously headed"
    fields = {"holder": "chen-wenqing", "title": "Head"}
    for org, quote in (
        ("central-political-and-legal-affairs-commission", lead),
        ("ministry-of-state-security", former),
    ):
        cite = {"source": "examiner-original", "quote": quote}
        curate.add_claim(bundle, kb, "role", {**fields, "organisation": org}, [cite])
    text = (bundle / "sources" / "examiner-original.txt").read_text(encoding="utf-8")
    corrected = root / "corrected.txt"
    corrected.write_text(text.replace("Chen Wenqing leads", "Chen Wenqing now leads").replace(former, "x"))
    versions.add_version(kb, "examiner-original", corrected, {})
    return kb


def test_readme_has_at_least_three_queries():
    assert len(QUERIES) >= 3


@pytest.mark.parametrize("query", QUERIES)
def test_readme_query_runs_and_returns_rows(curated_sample: Path, query: str):
    result = sqlsafe.run(curated_sample, query)
    assert result.rows, f"README query returned nothing:\n{query}"
