"""The event lexicon: trigger words -> PLOVER type, mode and CAMEO root, plus the cue words.

`load_lexicon()` reads `tidings/data/events/triggers.tsv` and `cues.toml` (plus user files of the
same formats) into an `EventLexicon`. The formats are described in the header of each file.
"""

from __future__ import annotations

import functools
import logging
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, get_args

from tidings.errors import ConfigError
from tidings.records import EventType

log = logging.getLogger(__name__)

EVENT_TYPES: tuple[str, ...] = get_args(EventType)
"""The 16 PLOVER types, in the ontology's order."""
FLAGS = frozenset({"accept", "symmetric", "negotiation", "light", "blame", "absorb", "mediate", "receive"})
"""Flags a trigger row may carry (see the header of triggers.tsv)."""
POS = ("verb", "noun")
"""Parts of speech a trigger row may have."""
CAMEO_ROOTS = frozenset(f"{i:02d}" for i in range(1, 21))
"""Valid CAMEO root codes."""
DEFAULT_CAMEO: dict[str, str] = {
    "AGREE": "03", "CONSULT": "04", "SUPPORT": "05", "COOPERATE": "06", "AID": "07",
    "CONCEDE": "08", "RETREAT": "08", "REQUEST": "10", "ACCUSE": "11", "REJECT": "12",
    "THREATEN": "13", "PROTEST": "14", "MOBILIZE": "15", "SANCTION": "16", "COERCE": "17",
    "ASSAULT": "19",
}
"""CAMEO root of each PLOVER type when a rule (not a lexicon row) sets the type."""
TRIGGER_FILE = "triggers.tsv"
CUES_FILE = "cues.toml"


@dataclass(frozen=True, slots=True)
class TriggerEntry:
    """One lexicon row: a (possibly multi-word) trigger and the event it names."""

    head: str
    """Lemma of the head word ("reach" in "reach agreement")."""
    deps: tuple[frozenset[str], ...]
    """Dependent slots: each must be filled by a dependent lemma from its set."""
    pos: str
    """"verb" or "noun"."""
    type: str
    """PLOVER type."""
    mode: str | None
    """PLOVER mode, if the row gives one."""
    cameo: str
    """CAMEO root code."""
    strength: float
    """How reliably the trigger names the event, 0-1."""
    flags: frozenset[str]
    """Row flags (see FLAGS)."""
    where: str
    """File and line of the row, for messages."""

    @property
    def label(self) -> str:
        """The trigger as written in the file."""
        return " ".join([self.head, *("|".join(sorted(d)) for d in self.deps)])


@dataclass(frozen=True, slots=True)
class EventLexicon:
    """Trigger rows by head lemma, and the cue word lists."""

    by_head: dict[str, tuple[TriggerEntry, ...]]
    """Rows by head lemma, multi-word rows first."""
    cues: dict[str, Any] = field(default_factory=dict)
    """The cue tables of cues.toml (merged with user files)."""
    _words: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict, compare=False, repr=False)
    _lists: dict[tuple[str, str], dict[str, frozenset[str]]] = field(
        default_factory=dict, compare=False, repr=False)

    def entries(self, lemma: str, pos: str) -> tuple[TriggerEntry, ...]:
        """Rows whose head is `lemma` with part of speech `pos`."""
        return tuple(e for e in self.by_head.get(lemma, ()) if e.pos == pos)

    def words(self, table: str, key: str) -> frozenset[str]:
        """A cue list as a set ("negation", "adverbs")."""
        cached = self._words.get((table, key))
        if cached is None:
            value = self.cues.get(table, {}).get(key, [])
            cached = self._words[(table, key)] = frozenset(str(v).lower() for v in value)
        return cached

    def table(self, table: str, key: str) -> dict[str, str]:
        """A cue mapping ("issues", "nominal")."""
        value = self.cues.get(table, {}).get(key, {})
        return {str(k): str(v) for k, v in value.items()}

    def word_lists(self, table: str, key: str) -> dict[str, frozenset[str]]:
        """A cue mapping of word lists ("senses", "not_with": verb -> object lemmas)."""
        cached = self._lists.get((table, key))
        if cached is None:
            value = self.cues.get(table, {}).get(key, {})
            cached = self._lists[(table, key)] = {
                str(k).lower(): frozenset(str(w).lower() for w in v) for k, v in value.items()}
        return cached

    def sense(self, entry: TriggerEntry, objects: Sequence[str]) -> TriggerEntry | None:
        """The verb row `entry` as it applies with these object lemmas (cues.toml [senses]):
        None for another sense of the verb ("released a statement", "returned" with no object),
        an ACCUSE row for a verbal attack ("attacked the decision"), else `entry` itself."""
        if entry.head in self.words("senses", "needs_object") and not objects:
            return None
        found = set(objects)
        if found & self.word_lists("senses", "not_with").get(entry.head, frozenset()):
            return None
        if found & self.word_lists("senses", "verbal_with").get(entry.head, frozenset()):
            return replace(entry, type="ACCUSE", mode="disapprove", cameo=DEFAULT_CAMEO["ACCUSE"])
        return entry

    def __iter__(self) -> Iterator[TriggerEntry]:
        for rows in self.by_head.values():
            yield from rows


def data_dir() -> Path:
    """The folder of the shipped event lexicon files."""
    return Path(str(resources.files("tidings") / "data" / "events"))


def parse_trigger_rows(path: Path) -> list[TriggerEntry]:
    """Read a triggers file; raises ConfigError naming the file and line of a bad row."""
    rows: list[TriggerEntry] = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            where = f"{path}:{number}"
            cells = [c.strip() for c in line.rstrip("\n").split("\t")]
            if len(cells) < 6:
                raise ConfigError(f"{where}: expected 6 or 7 tab-separated columns "
                                  f"(trigger pos type mode cameo strength [flags]), got {len(cells)}")
            trigger, pos, type_, mode, cameo, strength = cells[:6]
            flags = frozenset(f.strip() for f in (cells[6] if len(cells) > 6 else "").split(",") if f.strip())
            words = trigger.lower().split()
            if not words:
                raise ConfigError(f"{where}: empty trigger")
            if pos not in POS:
                raise ConfigError(f"{where}: pos {pos!r} must be one of {', '.join(POS)}")
            if type_ not in EVENT_TYPES:
                raise ConfigError(f"{where}: type {type_!r} is not a PLOVER type; "
                                  f"use one of {' '.join(EVENT_TYPES)}")
            if cameo not in CAMEO_ROOTS:
                raise ConfigError(f"{where}: CAMEO root {cameo!r} must be two digits 01-20")
            try:
                weight = float(strength)
            except ValueError:
                raise ConfigError(f"{where}: strength {strength!r} is not a number") from None
            if not 0.0 <= weight <= 1.0:
                raise ConfigError(f"{where}: strength {weight} must be between 0 and 1")
            unknown = flags - FLAGS
            if unknown:
                raise ConfigError(f"{where}: unknown flag(s) {sorted(unknown)}; "
                                  f"known: {', '.join(sorted(FLAGS))}")
            deps = tuple(frozenset(w.split("|")) for w in words[1:])
            rows.append(TriggerEntry(words[0], deps, pos, type_, mode or None, cameo, weight,
                                     flags, where))
    return rows


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        elif isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = [*out[key], *(v for v in value if v not in out[key])]
        else:
            out[key] = value
    return out


@functools.lru_cache(maxsize=8)
def _load(extra: tuple[str, ...]) -> EventLexicon:
    trigger_files = [data_dir() / TRIGGER_FILE]
    cue_files = [data_dir() / CUES_FILE]
    for name in extra:
        path = Path(name)
        if not path.is_file():
            raise ConfigError(f"event lexicon file {path} does not exist")
        (cue_files if path.suffix == ".toml" else trigger_files).append(path)
    rows: dict[tuple[str, tuple[frozenset[str], ...], str], TriggerEntry] = {}
    for path in trigger_files:
        for entry in parse_trigger_rows(path):
            rows[(entry.head, entry.deps, entry.pos)] = entry  # later files win
    by_head: dict[str, list[TriggerEntry]] = {}
    for entry in rows.values():
        by_head.setdefault(entry.head, []).append(entry)
    cues: dict[str, Any] = {}
    for path in cue_files:
        try:
            with open(path, "rb") as fh:
                cues = _merge(cues, tomllib.load(fh))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    log.debug("event lexicon: %d trigger rows", len(rows))
    return EventLexicon(
        {head: tuple(sorted(v, key=lambda e: -len(e.deps))) for head, v in by_head.items()}, cues
    )


def load_lexicon(extra_files: Sequence[Path | str] = ()) -> EventLexicon:
    """The shipped event lexicon plus `extra_files` (cached per file list).

    A `.toml` extra file adds cue words (same tables as cues.toml); any other file is a
    triggers file in the format of triggers.tsv, whose rows replace shipped rows with the same
    trigger and pos. Raises ConfigError naming the file and line of a malformed row.
    """
    return _load(tuple(str(Path(p)) for p in extra_files))
