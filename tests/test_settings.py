from __future__ import annotations

import re
import tomllib
from dataclasses import fields

import pytest

from tidings.errors import ConfigError
from tidings.settings import Settings, defaults_path, load_settings


def test_every_setting_is_shipped_and_documented() -> None:
    lines = defaults_path().read_text(encoding="utf-8").splitlines()
    shipped = tomllib.loads("\n".join(lines))
    for section in fields(Settings):
        section_fields = {f.name for f in fields(getattr(Settings(), section.name))}
        assert set(shipped[section.name]) == section_fields, section.name
    for i, line in enumerate(lines):
        if re.match(r"^\w+\s*=", line):
            assert lines[i - 1].startswith("#"), f"settings.toml line {i + 1} has no comment above it: {line}"


def test_defaults_file_matches_dataclass_defaults() -> None:
    assert load_settings() == Settings()


def test_user_file_then_overrides(tmp_path) -> None:
    user = tmp_path / "user.toml"
    user.write_text("[ingest]\nworkers = 3\n[clean]\nmin_repeat_words = 9\n")
    settings = load_settings(user, ["ingest.workers=5", "store.path=x.db"])
    assert settings.ingest.workers == 5
    assert settings.clean.min_repeat_words == 9
    assert settings.store.path == "x.db"
    with pytest.raises(Exception):
        settings.ingest.workers = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    "override, message",
    [("nope.key=1", "unknown section"), ("ingest.nope=1", "unknown key"),
     ("ingest.workers=many", "wrong type"), ("ingest.workers", "section.key=value")],
)
def test_bad_overrides_are_clear(override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(overrides=[override])


def test_missing_user_file(tmp_path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "none.toml")
