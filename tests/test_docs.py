"""The docs name real things: every file path and every repository-relative link in the README
and docs/*.md exists, so a moved module cannot leave a doc pointing at nothing (docs/design.md
tells where each change goes, and is only useful while its paths are right)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FOLDERS = ("sim", "analysis", "scenarios", "api", "conf", "tests", "benchmarks", "docs")
# A path in backticks or a link target, starting at one of the project's folders.
PATH = re.compile(r"[`(](?:\./)?((?:%s)/[\w./<>*-]*\w)[`)#]" % "|".join(FOLDERS))


GENERATED = ("tests/artifacts/",)
"""Folders the tests write into (not in a fresh clone until the tests have run)."""


def named_paths(text: str) -> list[str]:
    """Repository paths a doc names (placeholders such as ``<figure>``, globs and files the
    tests generate left out)."""
    return [p for p in PATH.findall(text) if not re.search(r"[<>*]", p) and not p.startswith(GENERATED)]


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_every_path_a_doc_names_exists(doc: Path) -> None:
    missing = [p for p in named_paths(doc.read_text()) if not (ROOT / p).exists()]
    assert not missing, f"{doc.relative_to(ROOT)} names paths that do not exist: {missing}"


def test_the_path_finder_sees_paths() -> None:
    text = "see `sim/handover.py`, [x](docs/kpis.md) and `analysis/report/<figure>.py`; `sim/nothing.py`"
    assert named_paths(text) == ["sim/handover.py", "docs/kpis.md", "sim/nothing.py"]


def test_design_answers_where_each_change_goes() -> None:
    text = (ROOT / "docs" / "design.md").read_text()
    for change in ("Add a KPI", "Add a policy", "Add a staff role", "Add a report figure", "Add a preset"):
        assert f"**{change}.**" in text, change
