"""The README's SQL examples are run, exactly as written, on the sample."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kbtui.kb import sqlsafe
from kbtui.kb.paths import PACKAGE_DIR

README = (PACKAGE_DIR.parent / "README.md").read_text(encoding="utf-8")
QUERIES = re.findall(r"```sql\n(.*?)```", README, flags=re.S)


def test_readme_has_at_least_three_queries():
    assert len(QUERIES) >= 3


@pytest.mark.parametrize("query", QUERIES)
def test_readme_query_runs_and_returns_rows(sample_db: Path, query: str):
    result = sqlsafe.run(sample_db, query)
    assert result.rows, f"README query returned nothing:\n{query}"
