"""Settings: shipped defaults + an optional user file + `key=value` overrides -> one frozen object.

No code reads global state: stages receive the section they need.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any, get_type_hints

from tidings.errors import ConfigError


@dataclass(frozen=True, slots=True)
class StoreSettings:
    """[store]: the SQLite file."""

    path: str = "tidings.db"
    journal_mode: str = "wal"
    batch_size: int = 200


@dataclass(frozen=True, slots=True)
class IngestSettings:
    """[ingest]: worker processes and back-pressure."""

    workers: int = 0
    max_pending_per_worker: int = 16


@dataclass(frozen=True, slots=True)
class ReadSettings:
    """[read]: input readers."""

    default_date: str = ""
    max_file_mb: int = 200


@dataclass(frozen=True, slots=True)
class CleanSettings:
    """[clean]: boilerplate removal."""

    extra_patterns: tuple[str, ...] = ()
    min_repeat_words: int = 6


@dataclass(frozen=True, slots=True)
class EntitiesSettings:
    """[entities]: actor resolution."""

    extra_actor_files: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlacesSettings:
    """[places]: the place gazetteer."""

    extra_gazetteers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventsSettings:
    """[events]: the PLOVER event coder."""

    extra_lexicons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """[model]: the spaCy pipeline."""

    name: str = "auto"


@dataclass(frozen=True, slots=True)
class Settings:
    """All settings, one frozen section per stage family."""

    store: StoreSettings = field(default_factory=StoreSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    read: ReadSettings = field(default_factory=ReadSettings)
    clean: CleanSettings = field(default_factory=CleanSettings)
    entities: EntitiesSettings = field(default_factory=EntitiesSettings)
    places: PlacesSettings = field(default_factory=PlacesSettings)
    events: EventsSettings = field(default_factory=EventsSettings)
    model: ModelSettings = field(default_factory=ModelSettings)

    def override(self, **changes: str) -> Settings:
        """A copy with `section.key=value` overrides applied (values parsed as TOML)."""
        return _apply(self, {k: _parse_value(v) for k, v in changes.items()}, "override")


def defaults_path() -> Path:
    """The shipped settings.toml."""
    return Path(str(resources.files("tidings") / "settings.toml"))


def load_settings(
    user_file: str | Path | None = None, overrides: list[str] | tuple[str, ...] = ()
) -> Settings:
    """Resolve shipped defaults, then `user_file`, then `overrides` (`section.key=value`)."""
    settings = _apply(Settings(), _flatten(_read_toml(defaults_path())), str(defaults_path()))
    if user_file is not None:
        settings = _apply(settings, _flatten(_read_toml(Path(user_file))), str(user_file))
    flat: dict[str, Any] = {}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--set {item!r}: expected section.key=value, e.g. ingest.workers=2")
        flat[key.strip()] = _parse_value(value.strip())
    return _apply(settings, flat, "--set")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"settings file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"settings file {path} is not valid TOML: {exc}") from None


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for section, values in data.items():
        if not isinstance(values, dict):
            raise ConfigError(f"top-level key {section!r} must be a [section] table")
        for key, value in values.items():
            flat[f"{section}.{key}"] = value
    return flat


def _parse_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text  # a bare word is a string


def _apply(settings: Settings, flat: dict[str, Any], origin: str) -> Settings:
    sections: dict[str, Any] = {}
    for dotted, value in flat.items():
        section_name, _, key = dotted.partition(".")
        if section_name not in {f.name for f in fields(Settings)}:
            raise ConfigError(f"{origin}: unknown section [{section_name}] in {dotted!r}")
        section = sections.get(section_name, getattr(settings, section_name))
        hints = get_type_hints(type(section))
        if key not in hints:
            known = ", ".join(sorted(hints))
            raise ConfigError(f"{origin}: unknown key {dotted!r}; [{section_name}] has: {known}")
        sections[section_name] = replace(section, **{key: _coerce(hints[key], value, dotted, origin)})
    return replace(settings, **sections)


def _coerce(hint: Any, value: Any, dotted: str, origin: str) -> Any:
    if hint is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if hint is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if hint is bool and isinstance(value, bool):
        return value
    if hint is str and isinstance(value, str):
        return value
    if getattr(hint, "__origin__", None) is tuple and isinstance(value, list):
        return tuple(str(v) for v in value)
    raise ConfigError(f"{origin}: {dotted} = {value!r} has the wrong type; expected {hint}")
