"""Shared fixtures: the location of ../shared (tests skip with a reason when it is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = SHARED / "samples" / "cairo-talks-2024-08-26.txt"
SAMPLE_GOLD = SHARED / "samples" / "cairo-talks-2024-08-26.gold.json"


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared is absent ({SHARED}); gold-data tests need it")
    return SHARED


@pytest.fixture
def sample_path(shared: Path) -> Path:
    if not SAMPLE.is_file():
        pytest.skip(f"sample {SAMPLE} is absent")
    return SAMPLE


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    """The shared spaCy model, loaded once per test session; skips when it is not installed."""
    from tidings.errors import PipelineError
    from tidings.extract.parse import load_model

    try:
        return load_model()
    except PipelineError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"spaCy model not installed: {exc}")


@pytest.fixture(scope="session")
def pipeline(nlp):  # type: ignore[no-untyped-def]
    """The standard pipeline (clean + every annotation stage), built once per test session."""
    from tidings.pipeline import build_pipeline
    from tidings.settings import load_settings

    return build_pipeline(load_settings())
