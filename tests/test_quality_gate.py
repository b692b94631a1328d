"""The quality gate: every extractor scores at or above its floor in eval-floors.toml.

Slow (runs the full pipeline with the spaCy model over MEANTIME and the samples); runs in CI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tidings.evaluate import check_floors, run_eval
from tidings.evaluate.report import default_floors_path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

pytestmark = [pytest.mark.slow, pytest.mark.shared, pytest.mark.model]


def test_floors_file_is_the_repo_one() -> None:
    assert default_floors_path() == ROOT / "eval-floors.toml"
    assert default_floors_path().is_file()


def test_quality_gate() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"../shared is absent ({SHARED}); the quality gate needs the gold data")
    report = run_eval(SHARED)
    assert "meantime" in report.datasets and "samples" in report.datasets, report.notes
    violations = check_floors(report, ROOT / "eval-floors.toml")
    assert not violations, "below floor:\n" + "\n".join(violations)
