"""Loading the boilerplate pattern files and the abbreviation list, compiled once per process.

The format of a pattern file is documented at the top of the shipped
`tidings/data/boilerplate.txt`: one `reason: regex` per line, `#` comments, blank lines ignored.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import get_args

from tidings.errors import ConfigError
from tidings.records import RemovalReason

log = logging.getLogger(__name__)

SHIPPED_PATTERN_FILES = ("boilerplate.txt",)
"""Pattern files under tidings/data/ that are always loaded, before the user's extra files."""

ABBREVIATIONS_FILE = "boilerplate_abbreviations.txt"
"""Abbreviations (under tidings/data/) whose full stop does not end a sentence."""

CLEANING_REASONS: frozenset[str] = frozenset(get_args(RemovalReason)) - {"date-header"}
"""Removal reasons that cleaning itself records; every other reason (the reader's
"date-header") marks a removal made before cleaning, which cleaning respects."""

PATTERN_REASONS: frozenset[str] = frozenset(
    {"link-line", "promo", "share", "newsletter", "cookie", "photo-credit", "banner"}
)
"""Reasons a line pattern may give (the others belong to built-in rules)."""

_PATTERN_LINE = re.compile(r"(?P<reason>[a-z][a-z-]*)\s*:\s*(?P<regex>.+)")


@dataclass(frozen=True, slots=True)
class LinePattern:
    """One compiled boilerplate pattern."""

    reason: RemovalReason
    """Why a matching line is removed."""
    regex: re.Pattern[str]
    """Compiled case-insensitive regex, tried with `match` on a stripped line."""
    rule: str
    """The regex as written in the file; recorded as `Removal.rule`."""
    where: str
    """File and line the pattern came from (`path:line`), for messages."""


@dataclass(frozen=True, slots=True)
class PatternSet:
    """The line patterns in use, in order, plus a quick test that rules most lines out."""

    patterns: tuple[LinePattern, ...]
    """All patterns: shipped first, then the user's files in order."""
    quick: re.Pattern[str] | None
    """One alternation of every pattern, tried first: a line it does not match matches none.
    None when the patterns cannot be combined (a backreference or a global inline flag)."""

    def first_match(self, line: str) -> LinePattern | None:
        """The first pattern matching at the start of `line`, or None."""
        if self.quick is not None and self.quick.match(line) is None:
            return None
        for pattern in self.patterns:
            if pattern.regex.match(line):
                return pattern
        return None


def combine(patterns: tuple[LinePattern, ...]) -> PatternSet:
    """A PatternSet of `patterns` with its quick test built when possible."""
    sources = [p.rule for p in patterns]
    if not sources or any(_BACKREFERENCE.search(s) for s in sources):
        return PatternSet(patterns, None)
    try:
        quick = re.compile("|".join(f"(?:{s})" for s in sources), re.IGNORECASE)
    except re.error:
        return PatternSet(patterns, None)
    return PatternSet(patterns, quick)


_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=|\\g<")


def data_path(name: str) -> Path:
    """Path of a file shipped in tidings/data/."""
    return Path(str(resources.files("tidings") / "data" / name))


def pattern_files(extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The shipped pattern files followed by `extra` (settings [clean] extra_patterns)."""
    return _shipped_files() + tuple(extra)


@functools.lru_cache(maxsize=1)
def _shipped_files() -> tuple[str, ...]:
    return tuple(str(data_path(name)) for name in SHIPPED_PATTERN_FILES)


def load_patterns(extra: tuple[str, ...] = ()) -> PatternSet:
    """All line patterns: shipped ones first, then those of each file in `extra`, in order.

    Raises ConfigError naming the file (and line) when a file is missing or a line is invalid.
    """
    return _load_files(pattern_files(tuple(extra)))


@functools.lru_cache(maxsize=32)
def _load_files(paths: tuple[str, ...]) -> PatternSet:
    patterns: list[LinePattern] = []
    for path in paths:
        patterns.extend(parse_patterns(_read(path), path))
    log.debug("loaded %d boilerplate patterns from %d files", len(patterns), len(paths))
    return combine(tuple(patterns))


def parse_patterns(content: str, origin: str) -> list[LinePattern]:
    """Parse the text of one pattern file; `origin` names it in error messages."""
    patterns: list[LinePattern] = []
    for number, line in enumerate(content.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        where = f"{origin}:{number}"
        match = _PATTERN_LINE.fullmatch(stripped)
        if match is None:
            raise ConfigError(
                f"{where}: expected `reason: regex` (e.g. `link-line: ^also read\\s*:`), "
                f"got {stripped!r}"
            )
        reason, source = match.group("reason"), match.group("regex").strip()
        if reason not in PATTERN_REASONS:
            raise ConfigError(
                f"{where}: unknown reason {reason!r}; use one of {', '.join(sorted(PATTERN_REASONS))}"
            )
        try:
            regex = re.compile(source, re.IGNORECASE)
        except re.error as exc:
            raise ConfigError(f"{where}: invalid regex {source!r}: {exc}; fix or remove the line") from None
        patterns.append(LinePattern(reason, regex, source, where))  # type: ignore[arg-type]
    return patterns


@functools.lru_cache(maxsize=1)
def load_abbreviations() -> frozenset[str]:
    """Casefolded abbreviations (without their full stop) that do not end a sentence."""
    words = set()
    for line in _read(str(data_path(ABBREVIATIONS_FILE))).splitlines():
        word = line.strip()
        if word and not word.startswith("#"):
            words.add(word.rstrip(".").casefold())
    return frozenset(words)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"pattern file {path} does not exist; fix the path in [clean] extra_patterns"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"pattern file {path} cannot be read: {exc}") from None
