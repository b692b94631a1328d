"""Coded, actionable errors. Each says what went wrong, where, and what to do."""

from __future__ import annotations

from dataclasses import dataclass

from tidings.records import SourceRef


class TidingsError(Exception):
    """Base class of tidings errors; `code` is stable and searchable (E001 ...)."""

    code = "E000"

    def __init__(self, message: str) -> None:
        super().__init__(f"[{self.code}] {message}")


class ConfigError(TidingsError):
    """A settings file or `--set` override is invalid."""

    code = "E001"


class PipelineError(TidingsError):
    """The pipeline cannot be built (a stage needs what no earlier stage adds) or a stage failed."""

    code = "E002"


class StoreError(TidingsError):
    """The store cannot be opened or written."""

    code = "E003"


class InputError(TidingsError):
    """One input (file, line, record) cannot be read; the run goes on with the rest."""

    code = "E010"


@dataclass(frozen=True, slots=True)
class ReadFailure:
    """An input that could not be turned into an article, reported in the run summary."""

    source: SourceRef
    """The file (and line or record) that failed."""
    reason: str
    """What was wrong and what to do about it."""

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"
