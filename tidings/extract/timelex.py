"""The word lists of the time-expression extractor, read from `tidings/data/times.toml`.

Turns the lists into lookup tables (`MONTHS`, `UNIT_OF`, `REFERENCES` ...) and regular-expression
fragments (`NUM`, `MONTH_RE`, `UNIT_RE` ...) from which `tidings.extract.times` builds its rule
grammar and `tidings.extract.timenorm` reads values. Read once at import; no other I/O.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "times.toml"
"""The word lists the grammar is built from."""


def _load(path: Path = DATA_FILE) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


LEX = _load()
"""The parsed contents of `times.toml` (read once at import)."""


def alternation(words: Iterable[str]) -> str:
    """A non-capturing alternation of `words`, longest first; spaces match any whitespace."""
    parts = sorted({w.lower() for w in words}, key=len, reverse=True)
    escaped = [re.escape(p).replace(r"\ ", r"\s+").replace("'", "['’]") for p in parts]
    return "(?:" + "|".join(escaped) + ")"


def word_key(text: str) -> str:
    """Lookup key of a matched word: lower case, single spaces, straight apostrophes."""
    return " ".join(text.lower().replace("’", "'").split())


MONTHS: dict[str, int] = LEX["months"]
FULL_MONTHS = {k: v for k, v in MONTHS.items() if len(k) > 4 or k in ("may", "june", "july")}
WEEKDAYS: dict[str, int] = LEX["weekdays"]
WEEKDAY_ABBR: dict[str, int] = LEX["weekday_abbreviations"]
NUMBERS: dict[str, float] = LEX["numbers"]
VAGUE = LEX["vague_numbers"]["words"]
UNIT_CODES: dict[str, str] = LEX["units"]
TIME_UNITS = set(LEX["unit_options"]["time_units"])
_PLURALS: dict[str, str] = LEX["unit_options"]["plurals"]
UNIT_OF: dict[str, str] = {}
"""Every singular and plural unit word -> its singular."""
for _u in UNIT_CODES:
    UNIT_OF[_u] = _u
    UNIT_OF[_PLURALS.get(_u, _u + "s")] = _u
SHIFTS: dict[str, int] = LEX["shifts"]
FROM_REFERENCE = set(LEX["shift_options"]["from_reference"])
DAY_WORDS: dict[str, int] = {word_key(k): v for k, v in LEX["day_words"].items()}
DAY_WORD_PARTS: dict[str, str] = LEX["day_word_parts"]
PARTS_OF_DAY: dict[str, str] = LEX["parts_of_day"]
CLOCK_WORDS: dict[str, str] = LEX["clock_words"]
SEASONS: dict[str, str] = LEX["seasons"]
HOLIDAYS: dict[str, str] = {word_key(k): v for k, v in LEX["holidays"].items()}
ORDINALS: dict[str, int] = LEX["ordinals"]
DECADE_WORDS: dict[str, int] = LEX["decade_words"]
REFERENCES: dict[str, str] = {
    word_key(phrase): value for value, phrases in LEX["references"].items() for phrase in phrases
}
MODIFIERS: dict[str, str] = {word_key(k): v for k, v in LEX["modifiers"].items()}
PERIOD_PARTS: dict[str, str] = {word_key(k): v for k, v in LEX["period_parts"].items()}
SET_WORDS: dict[str, str] = {word_key(k): v for k, v in LEX["set_words"].items()}
FREQUENCIES = LEX["set_options"]["frequencies"]
QUANTIFIERS = LEX["set_options"]["quantifiers"]
TIME_ZONES = LEX["time_zones"]["words"]
FISCAL_WORDS: list[str] = LEX["fiscal"]["words"]
SEQUENCE = LEX["sequence"]
ANAPHORA_DETERMINERS: list[str] = LEX["anaphora"]["determiners"]
INDEFINITE_POINTS = LEX["indefinite_points"]
NUMERIC_ORDER: str = LEX["options"]["numeric_date_order"]
DECADES_AS_YEARS: bool = LEX["options"]["decades_as_years"]
YEARS_PER = {"decade": 10, "century": 100, "millennium": 1000}

# Regex fragments.
L = r"(?<![\w])"
R = r"(?![\w])"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_ONES = "one|two|three|four|five|six|seven|eight|nine"
NUM = (
    rf"(?:\d+(?:[.,]\d+)?|(?:{_TENS})[-\s](?:{_ONES})|{alternation(NUMBERS)})"
    rf"(?:\s+and\s+a\s+half)?"
)
VAGUE_RE = alternation(VAGUE)
MONTH_RE = (
    rf"(?:{alternation(FULL_MONTHS)}|{alternation(k for k in MONTHS if k not in FULL_MONTHS)}\.?)"
)
WEEKDAY_RE = alternation(WEEKDAYS)
WEEKDAY_ANY = rf"(?:{WEEKDAY_RE}|{alternation(WEEKDAY_ABBR)}\.?)"
UNIT_RE = alternation(UNIT_OF)
PP_RE = alternation(PERIOD_PARTS)
MOD_RE = alternation(MODIFIERS)
SHIFT_RE = rf"(?:this\s+past|{alternation(SHIFTS)})"
DAY_RE = r"(?:[0-3]?\d)(?:st|nd|rd|th)?(?![\d])"
YEAR_RE = r"(?:\d{4})(?![\d])"
POD_RE = alternation(PARTS_OF_DAY)
CAL_UNIT_RE = r"(?:day|week|weekend|month|quarter|half|year|decade|century)"
FISCAL_RE = alternation(FISCAL_WORDS)
SEQUENCE_RE = alternation(SEQUENCE["adverbs"])
SEQUENCE_NOUN_RE = alternation(SEQUENCE["nouns"])
ANAPHORA_RE = alternation(ANAPHORA_DETERMINERS)
INDEFINITE_UNIT_RE = alternation(INDEFINITE_POINTS["units"])
RELATIVE_RE = alternation(INDEFINITE_POINTS["relatives"])
