"""Find time expressions in an article and normalise them to TIMEX3 values.

The grammar: each `Rule` below is one regular expression built from the word lists in
`tidings/data/times.toml` (read by `tidings.extract.timelex`), plus a resolver in
`tidings.extract.timenorm` that turns a match into a TIMEX3 type, value, anchor and mod, in the
manner of HeidelTime. The same rules serve two uses: `find_times` runs every rule over the text
and keeps the longest non-overlapping matches; `normalise(expression, ...)` matches one
expression as a whole.

Detection checks context for matches that are times only in some uses (a bare "May" or
"2008", a bare "years", "the past", "later"; see `tidings.extract.timedetect`). spaCy's
DATE/TIME entities are used as evidence, not as spans: they confirm a bare month, and a number
spaCy calls CARDINAL or MONEY is not a year. spaCy's own DATE spans are not copied, because
they follow other extent rules ("over the coming days", "59-year-old") and carry no value.

Extents follow TimeML / TempEval-3 as annotated in MEANTIME: a determiner belongs to the
expression ("the coming days", "the past decade"), prepositions and approximators do not
("on Sunday" -> "Sunday"; "more than a week" -> "a week" with mod MORE_THAN).

Normalisation uses the publication date and the tense of the verb that governs the expression
(from `doc.parsed`; without a parse the tense is unknown and a default is taken), see
`timenorm`. "The following year", "two days later" and "that day" count from the last date
mentioned before them; a yearless "September 11" takes the year of a full date earlier in its
sentence. What the text names but does not date ("later", "at a later date", "a day when ...")
gets an underspecified value (XXXX-XX-XX) and anchor "unresolved", so it never dates an event.
All-numeric dates such as "08/06/2024" are read month first unless the first number is above 12
(option `numeric_date_order` in times.toml).
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tidings.doc import Doc, register_group
from tidings.extract.timedetect import context_ok, tense_at
from tidings.extract.timelex import (
    ANAPHORA_RE,
    CAL_UNIT_RE,
    CLOCK_WORDS,
    DAY_RE,
    DAY_WORDS,
    DECADE_WORDS,
    FISCAL_RE,
    FREQUENCIES,
    FULL_MONTHS,
    HOLIDAYS,
    INDEFINITE_UNIT_RE,
    LEX,
    MOD_RE,
    MONTH_RE,
    NUM,
    ORDINALS,
    POD_RE,
    PP_RE,
    QUANTIFIERS,
    REFERENCES,
    RELATIVE_RE,
    SEASONS,
    SEQUENCE_NOUN_RE,
    SEQUENCE_RE,
    SET_WORDS,
    SHIFT_RE,
    TIME_ZONES,
    UNIT_RE,
    VAGUE_RE,
    WEEKDAY_ANY,
    WEEKDAY_RE,
    YEAR_RE,
    L,
    R,
    alternation,
)
from tidings.extract.timenorm import (
    Context,
    Norm,
    Tense,
    r_ago,
    r_anaphora,
    r_bare_plural,
    r_century,
    r_clock,
    r_day_word,
    r_decade,
    r_duration,
    r_every,
    r_fiscal,
    r_fiscal_year,
    r_frequency,
    r_holiday,
    r_indefinite_point,
    r_iso,
    r_long,
    r_month_alone,
    r_month_day,
    r_month_year,
    r_negative,
    r_numeric,
    r_quarter,
    r_reference,
    r_season,
    r_sequence,
    r_set_word,
    r_shift_unit,
    r_the_unit,
    r_weekday,
    r_weekday_plural,
    r_year,
)
from tidings.pipeline import Stage
from tidings.records import TimeRef, TimeType

__all__ = ["RULES", "find_times", "make_times_stage", "normalise", "tense_at"]

log = logging.getLogger(__name__)

register_group("times", TimeRef)

Resolver = Callable[[re.Match[str], Context], Norm | None]


@dataclass(frozen=True, slots=True)
class Rule:
    """One pattern of the grammar."""

    name: str
    """Short name for debugging."""
    pattern: re.Pattern[str]
    """What it matches (case-insensitive, whole words)."""
    resolve: Resolver
    """Turns a match into a Norm, or None to reject it."""
    kind: str = ""
    """Tag for the context checks of `timedetect.context_ok` ("month_alone", "sequence", ...)."""
    negative: bool = False
    """A match of a negative rule blocks overlapping matches and yields nothing (ages)."""
    trigger: re.Pattern[str] | None = None
    """A cheap pattern that every match contains; the detector runs `pattern` only in windows
    around trigger hits (see `TRIGGER_BACK`). None: scan the whole text."""


# --- The grammar ----------------------------------------------------------------------------


TRIGGER_BACK = 90
"""Characters before a trigger hit where a match may start; longer than any rule's prefix
("no more than the following twenty-five" is 38)."""
TRIGGER_AHEAD = 70
"""Characters after a trigger hit a match may need to be found; longer than any suffix."""


def _trigger(source: str) -> re.Pattern[str]:
    return re.compile(source, re.IGNORECASE)


_T_UNIT = _trigger(rf"{L}{UNIT_RE}|aged?{R}")
_T_MONTH = _trigger(rf"{L}{MONTH_RE}")
_T_WEEKDAY = _trigger(rf"{L}{WEEKDAY_RE}")
_T_CAL_UNIT = _trigger(rf"{L}{CAL_UNIT_RE}")
TRIGGERS: dict[str, re.Pattern[str]] = {
    "age": _T_UNIT,
    "month_day": _T_MONTH,
    "day_month": _T_MONTH,
    "iso": _trigger(r"\d{4}[-/]\d"),
    "numeric": _trigger(r"\d[/.]\d"),
    "month_year": _T_MONTH,
    "month_alone": _T_MONTH,
    "year": _trigger(r"\d{4}"),
    "decade": _trigger(rf"\d0['’]?s|{alternation(DECADE_WORDS)}"),
    "century": _trigger(r"centur"),
    "weekday": _T_WEEKDAY,
    "day_word": _trigger(rf"{alternation(DAY_WORDS)}|{POD_RE}"),
    "shift_unit": _T_CAL_UNIT,
    "the_unit": _T_CAL_UNIT,
    "the_weekend": _trigger("weekend"),
    "ago": _T_UNIT,
    "quarter": _trigger(r"quarter|half|Q[1-4]"),
    "fiscal": _trigger(r"fiscal|FY"),
    "fiscal_year": _trigger(FISCAL_RE),
    "sequence": _trigger(SEQUENCE_RE),
    "anaphora": _trigger(r"that|same"),
    "indefinite_point": _trigger(RELATIVE_RE),
    "season": _trigger(alternation(SEASONS)),
    "holiday": _trigger(alternation(HOLIDAYS)),
    "duration": _T_UNIT,
    "bare_plural": _T_UNIT,
    "long": _trigger(r"-long"),
    "clock": _trigger(rf"\d\s*[ap]\.?\s?m|\d:\d\d|o['’]clock|{alternation(CLOCK_WORDS)}"),
    "every": _trigger(alternation(QUANTIFIERS)),
    "frequency": _trigger(rf"{alternation(FREQUENCIES)}|times"),
    "weekday_plural": _T_WEEKDAY,
}
"""Trigger of each rule that has one (see `Rule.trigger`)."""


def _rule(name: str, pattern: str, resolve: Resolver, kind: str = "", negative: bool = False) -> Rule:
    compiled = re.compile(L + pattern + R, re.IGNORECASE)
    return Rule(name, compiled, resolve, kind, negative, TRIGGERS.get(name))


_PP = rf"(?:(?P<pp>{PP_RE})[\s-]+)?"
_DAY_WORD_RE = alternation(DAY_WORDS)
_BUSINESS = r"(?:financial|fiscal|calendar|business|trading|school)"
_NOT_OF_NOUN = r"(?!\s+of\s+(?!the\s+year|this|last|next|fiscal|\d{4}))"

RULES: tuple[Rule, ...] = (
    # Negative: ages and measures that look like durations.
    _rule(
        "age",
        rf"(?:(?:{NUM}|{VAGUE_RE})[\s-]+{UNIT_RE}[\s-]+{alternation(LEX['ages']['after'])}s?|"
        rf"{alternation(LEX['ages']['before'])}\s+(?:{NUM}))",
        r_negative,
        negative=True,
    ),
    _rule(
        "content_measure",
        rf"(?:{NUM}|{VAGUE_RE})[\s-]+{UNIT_RE}\s+{alternation(LEX['content_measures']['after'])}\b",
        r_negative,
        negative=True,
    ),
    _rule(
        "month_day",
        rf"(?:(?P<wd>{WEEKDAY_ANY})\s*,?\s+)?(?P<month>{MONTH_RE})\s*(?P<day>{DAY_RE})"
        rf"(?:\s*,?\s*(?P<year>{YEAR_RE}))?",
        r_month_day,
    ),
    _rule(
        "day_month",
        rf"(?:(?P<wd>{WEEKDAY_ANY})\s*,?\s+)?(?:the\s+)?(?P<day>{DAY_RE})\s+(?:of\s+)?"
        rf"(?P<month>{MONTH_RE})(?:\s*,?\s*(?P<year>{YEAR_RE}))?",
        r_month_day,
    ),
    _rule(
        "iso",
        r"(?P<year>\d{4})([-/])(?P<month>\d{2})\2(?P<day>\d{2})(?:T(?P<h>\d{2}):(?P<mi>\d{2})(?::\d{2})?)?",
        r_iso,
    ),
    _rule(
        "numeric",
        r"(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4}|(?<=/)\d{2})(?![.,]?\d)",
        r_numeric,
    ),
    _rule("month_year", rf"{_PP}(?P<month>{MONTH_RE})\s*,?\s+(?:of\s+)?(?P<year>{YEAR_RE})", r_month_year),
    _rule("month_alone", rf"{_PP}(?P<month>{alternation(FULL_MONTHS)})", r_month_alone, kind="month_alone"),
    _rule(
        "year",
        rf"{_PP}(?:the\s+year\s+)?(?<![$£€#.,:/])(?P<year>{YEAR_RE})(?![.,]\d|%|\s*percent)",
        r_year,
        kind="year_alone",
    ),
    _rule(
        "decade",
        rf"(?:(?P<the>the)\s+)?(?:(?P<pp>early|mid|late)[\s-]+)?"
        rf"(?:(?P<dec>\d{{3}}0)['’]?s|(?<=\s)['’](?P<dec2>\d0)['’]?s|(?P<decw>{alternation(DECADE_WORDS)}))",
        r_decade,
        kind="decade",
    ),
    _rule(
        "century",
        rf"(?:the\s+)?(?:(?P<pp>early|mid|late)[\s-]+)?(?:(?P<ord>{alternation(ORDINALS)})|(?P<ordn>\d{{1,2}})(?:st|nd|rd|th))"
        rf"[\s-]+century",
        r_century,
    ),
    _rule(
        "weekday",
        rf"(?:(?P<pp>early|late|mid)\s+)?(?:(?P<shift>this\s+past|this|last|next|coming|past)\s+)?"
        rf"(?P<wd>{WEEKDAY_RE})(?:\s+(?P<pod>{POD_RE}))?",
        r_weekday,
    ),
    _rule(
        "day_word",
        rf"{_PP}(?:(?P<word>{_DAY_WORD_RE})(?:\s+(?P<pod>{POD_RE}))?|"
        rf"(?P<word2>this|last)\s+(?P<pod2>{POD_RE}))",
        r_day_word,
    ),
    _rule(
        "fiscal_year",
        rf"{_PP}(?:(?P<the>the)\s+)?(?:(?P<shift>{SHIFT_RE})\s+)?{FISCAL_RE}\s+year"
        rf"(?:\s+(?P<year>{YEAR_RE}))?",
        r_fiscal_year,
    ),
    _rule(
        "shift_unit",
        rf"{_PP}(?P<the>the\s+)?(?P<shift>{SHIFT_RE})\s+(?:{_BUSINESS}\s+)?(?P<unit>{CAL_UNIT_RE}){_NOT_OF_NOUN}",
        r_shift_unit,
    ),
    _rule(
        "the_unit",
        rf"(?P<pp>{PP_RE})\s+the\s+(?P<unit>week|weekend|month|quarter|year|decade|century)"
        rf"(?!\s+(?:of|before|after))",
        r_the_unit,
    ),
    _rule(
        "anaphora",
        rf"{_PP}{ANAPHORA_RE}\s+(?P<unit>day|week|weekend|month|year|{POD_RE})(?!-)",
        r_anaphora,
        kind="anaphora",
    ),
    _rule("the_weekend", r"(?P<pp>)(?:the)\s+(?P<unit>weekend)", r_the_unit),
    _rule(
        "ago",
        rf"(?:(?P<mod>{MOD_RE})\s+)?(?:(?P<num>{NUM})[\s-]+)?(?P<unit>{UNIT_RE})\s+"
        rf"(?P<dir>ago|from\s+now|hence|earlier|later)",
        r_ago,
    ),
    _rule(
        "quarter",
        rf"(?:(?:the\s+)?(?P<ord>{alternation(ORDINALS)})[\s-]+(?P<unit>quarter|half)"
        rf"(?:\s+of\s+(?:(?P<year>{YEAR_RE})|(?P<yshift>this|last|next)\s+year|"
        rf"(?P<theyear>the\s+(?:{_BUSINESS}\s+)?year)|"
        rf"fiscal\s+(?P<fyear>{YEAR_RE})))?{_NOT_OF_NOUN}|"
        rf"(?P<qq>Q(?P<q>[1-4]))(?:\s+(?P<year2>{YEAR_RE}))?)",
        r_quarter,
    ),
    _rule(
        "fiscal",
        rf"(?:(?:the\s+)?fiscal\s+(?:year\s+)?(?P<year>{YEAR_RE})|(?:the\s+)?(?P<year2>{YEAR_RE})\s+fiscal\s+year|"
        rf"FY\s?['’]?(?P<year3>\d{{4}}|\d{{2}}))",
        r_fiscal,
    ),
    _rule(
        "season",
        rf"{_PP}(?P<the>the\s+)?(?:(?P<shift>this\s+past|this|last|next|coming|past)\s+)?"
        rf"(?P<season>{alternation(SEASONS)})(?:\s*,?\s+(?:of\s+)?(?P<year>{YEAR_RE}))?(?!\s+of\s+(?!\d))",
        r_season,
        kind="season",
    ),
    _rule("holiday", rf"(?P<hol>{alternation(HOLIDAYS)})(?:\s*,?\s+(?P<year>{YEAR_RE}))?", r_holiday),
    _rule(
        "sequence",
        rf"(?:an?\s+{SEQUENCE_RE}\s+(?P<noun>{SEQUENCE_NOUN_RE})|{SEQUENCE_RE}(?!-))",
        r_sequence,
        kind="sequence",
    ),
    _rule("reference", alternation(REFERENCES) + "(?!-)", r_reference, kind="reference"),
    _rule(
        "indefinite_point",
        rf"(?:an?|one)\s+(?P<unit>{INDEFINITE_UNIT_RE})(?=\s+{RELATIVE_RE}{R})",
        r_indefinite_point,
    ),
    _rule(
        "duration",
        rf"(?:(?P<mod>{MOD_RE})\s+(?!the\s))?(?:the\s+(?:past|last|next|first|final|coming|previous|following|initial)\s+)?"
        rf"(?P<num>{NUM}|{VAGUE_RE})(?:\s+more)?[\s-]+(?P<unit>{UNIT_RE})(?P<half>\s+and\s+a\s+half)?",
        r_duration,
    ),
    _rule(
        "bare_plural",
        rf"(?:(?P<mod>{MOD_RE})\s+)?(?P<unit>{alternation(LEX['unit_options']['bare_plurals'])})",
        r_bare_plural,
        kind="bare_plural",
    ),
    _rule("long", rf"(?:(?P<num>{NUM})[\s-]+)?(?P<unit>{UNIT_RE})-long", r_long),
    _rule(
        "clock",
        rf"(?:(?P<h>\d{{1,2}})(?:[:.](?P<mi>\d{{2}}))?\s*(?P<ap>[ap]\.\s?m\.|[ap]m)|"
        rf"(?P<h2>[01]?\d|2[0-4]):(?P<mi2>[0-5]\d)(?![\d:])|"
        rf"(?:12\s+)?(?P<word>{alternation(CLOCK_WORDS)})|(?P<h3>\d{{1,2}})\s+o['’]clock)"
        rf"(?:\s+\(?(?P<tz>{alternation(TIME_ZONES)})\)?)?"
        rf"(?:\s*,?\s+(?:on\s+)?(?P<wd>{WEEKDAY_RE}|today|yesterday|tomorrow))?",
        r_clock,
    ),
    _rule("set_word", alternation(SET_WORDS), r_set_word, kind="set_word"),
    _rule(
        "every",
        rf"(?:{alternation(QUANTIFIERS)})\s+(?:(?P<wd>{WEEKDAY_RE})|(?P<month>{alternation(FULL_MONTHS)})|(?P<pod>{POD_RE})|"
        rf"(?:(?P<num>{NUM}|other)\s+)?(?P<unit>{UNIT_RE}))",
        r_every,
    ),
    _rule(
        "frequency",
        rf"(?:{alternation(FREQUENCIES)}|(?:{NUM})\s+times)\s+(?:a|an|per|each|every)\s+(?P<unit>{UNIT_RE})",
        r_frequency,
    ),
    _rule("weekday_plural", rf"(?P<wd>{WEEKDAY_RE})s", r_weekday_plural),
)
"""All rules, in priority order: when two matches have the same extent, the earlier rule wins."""

_LEADING_PREPOSITION = re.compile(rf"^{alternation(LEX['signals']['prepositions'])}\s+", re.IGNORECASE)


# --- Public API -----------------------------------------------------------------------------


def resolve(rule: Rule, match: re.Match[str], ctx: Context) -> Norm | None:
    """Apply `rule`'s resolver to `match`; never raises (bad calendar values give None)."""
    if rule.negative:
        return None
    try:
        return rule.resolve(match, ctx)
    except (ValueError, OverflowError, KeyError, TypeError, AttributeError) as exc:
        log.debug("rule %s could not resolve %r: %s", rule.name, match[0], exc)
        return None


def normalise_full(
    expression: str,
    published: dt.date | None,
    precision: str = "day",
    tense: Tense | None = None,
    reference: dt.date | None = None,
) -> tuple[Norm, str] | None:
    """Like `normalise`, with the mod and the name of the rule that matched."""
    text = expression.strip()
    if not text or len(text) > 200:
        return None
    if published is None:
        precision = "unknown"
    ctx = Context(published, precision, tense, reference)
    candidates = [text]
    stripped = _LEADING_PREPOSITION.sub("", text)
    if stripped != text and stripped:
        candidates.append(stripped)  # "on Sunday", "in July": TimeML leaves the preposition out
    for candidate in candidates:
        for rule in RULES:
            m = rule.pattern.fullmatch(candidate)
            if m is None:
                continue
            if rule.negative:
                return None
            norm = resolve(rule, m, ctx)
            if norm is not None:
                return norm, rule.name
    return None


def normalise(
    expression: str,
    published: dt.date | None,
    precision: str,
    tense: Tense | None,
) -> tuple[TimeType, str, str] | None:
    """TIMEX3 `(type, value, anchor)` of one time expression, or None if it is not one.

    `published` and `precision` give the publication date (precision "day", "month", "year"
    or "unknown"); `tense` is that of the verb governing the expression, if known. Pure: the
    same arguments give the same answer. Never raises.
    """
    result = normalise_full(expression, published, precision, tense)
    if result is None:
        return None
    norm = result[0]
    return norm.type, norm.value, norm.anchor


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    rule: Rule
    order: int
    match: re.Match[str]


# --- Detection ------------------------------------------------------------------------------


def _windows(rule: Rule, text: str, hits: dict[Any, list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """Merged text windows where `rule` can match: around its trigger hits, or the whole text."""
    if rule.trigger is None:
        return [(0, len(text))]
    if rule.trigger not in hits:
        merged: list[tuple[int, int]] = []
        for t in rule.trigger.finditer(text):
            lo, hi = max(0, t.start() - TRIGGER_BACK), min(len(text), t.end() + TRIGGER_AHEAD)
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
        hits[rule.trigger] = merged
    return hits[rule.trigger]


def _candidates(text: str, ctx: Context) -> list[_Candidate]:
    """Every match of every rule that its resolver accepts (negative rules included)."""
    found: list[_Candidate] = []
    hits: dict[Any, list[tuple[int, int]]] = {}
    for order, rule in enumerate(RULES):
        starts: set[int] = set()
        for lo, hi in _windows(rule, text, hits):
            for m in rule.pattern.finditer(text, lo, hi):
                if m.start() in starts:
                    continue
                starts.add(m.start())
                if hi < len(text):
                    # A window end truncates the text for look-aheads: match again in full.
                    full = rule.pattern.match(text, m.start())
                    if full is None:
                        continue
                    m = full
                if m.end() <= m.start():
                    continue
                if not rule.negative and resolve(rule, m, ctx) is None:
                    continue
                found.append(_Candidate(m.start(), m.end(), rule, order, m))
    return found


def _select(cands: list[_Candidate]) -> list[_Candidate]:
    """Longest matches first; among equal lengths the earlier rule; no overlaps."""
    chosen: list[_Candidate] = []
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), c.order, c.start)):
        if all(c.end <= k.start or k.end <= c.start for k in chosen):
            chosen.append(c)
    return sorted((c for c in chosen if not c.rule.negative), key=lambda c: c.start)


_CALENDAR_VALUE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?![\d-]|-W|-Q|-H)")


def _reference_of(norm: Norm) -> tuple[dt.date, str] | None:
    """The date and granularity a calendar value gives ("1984" -> 1984-01-01, "year")."""
    if norm.type not in ("DATE", "TIME"):
        return None
    m = _CALENDAR_VALUE.match(norm.value)
    if m is None:
        return None
    try:
        day = dt.date(int(m[1]), int(m[2] or 1), int(m[3] or 1))
    except ValueError:
        return None
    return day, "day" if m[3] else "month" if m[2] else "year"


def find_times(doc: Doc) -> list[TimeRef]:
    """Time expressions in `doc.text` with TIMEX3 type, value, anchor and mod, in text order.

    Uses `doc.published` / `doc.published_precision` to resolve relative expressions and
    `doc.parsed` (may be None) for tense and NER evidence.
    """
    text = doc.text
    if not text:
        return []
    published = doc.published if doc.published_precision != "unknown" else None
    precision = doc.published_precision if published else "unknown"
    base = Context(published, precision)
    parsed = doc.parsed
    accepted = [c for c in _candidates(text, base) if context_ok(c.rule.kind, c.match, text, parsed)]
    out: list[TimeRef] = []
    reference: tuple[dt.date, str] | None = None
    sentence_starts = _sentence_starts(text, parsed)
    hint: tuple[int, int] | None = None  # (sentence index, year) of the last explicit year
    for c in _select(accepted):
        tense = tense_at(parsed, c.start, c.end)
        sentence = bisect.bisect_right(sentence_starts, c.start)
        year_hint = hint[1] if hint and hint[0] == sentence else None
        ref_day, ref_granularity = reference or (None, "day")
        ctx = Context(published, precision, tense, ref_day, ref_granularity, year_hint)
        norm = resolve(c.rule, c.match, ctx)
        if norm is None:
            continue
        if norm.anchor == "absolute" and norm.type == "DATE" and _FULL_DATE.fullmatch(norm.value):
            hint = (sentence, int(norm.value[:4]))  # a year alone is too loose a hint
        start = c.start
        if "mod" in c.match.re.groupindex and c.match["mod"]:
            start = c.match.end("mod")  # MEANTIME leaves "more than" out of "a week"
        start, end = _trim(text, start, c.end)
        out.append(TimeRef(start, end, norm.type, norm.value, norm.anchor, norm.mod))
        reference = _reference_of(norm) or reference
    return out


_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+(?=[\"“A-Z0-9])|\n\s*\n")


def _sentence_starts(text: str, parsed: Any) -> list[int]:
    """Start offsets of the sentences of `text` (from the parse when there is one)."""
    if parsed is not None:
        return [s.start_char for s in parsed.sents]
    return [0] + [m.end() for m in _SENTENCE_END.finditer(text)]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def make_times_stage() -> Stage:
    """Stage "times": writes `find_times(doc)` to `doc.spans["times"]`."""

    def run(doc: Doc) -> Doc:
        doc.spans["times"] = find_times(doc)
        return doc

    return Stage("times", run, needs=("parsed",), adds=("times",))
