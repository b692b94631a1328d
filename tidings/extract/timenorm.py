"""Pure TIMEX3 normalisation: calendar arithmetic and the rule resolvers.

The word lists (`tidings.extract.timelex`) give the tables read here. Each `r_*` resolver turns
one rule's match (the rules are in `tidings.extract.times`), with a `Context` (publication date,
its precision, tense, last mentioned date), into a `Norm`: TIMEX3 type, value, anchor and mod.
Everything here is pure: no parse, no Doc, no I/O.

Values follow TimeML 1.2.1 / TempEval-3: dates as ISO 8601 (2024-08-25, 2024-07, 2024-W34,
2024-Q1, 2024-SU, 199 for the 1990s, FY2024 for a fiscal year), durations as P16D / PT3H / PXM,
sets as XXXX-WXX-5 or P1W, vague references as PAST_REF / PRESENT_REF / FUTURE_REF, and points
the text names but does not date ("later", "a day when ...") as XXXX-XX-XX (anchor "unresolved").
Positions in a period go to the mod, not the value: "mid-2011" is 2011 with mod MID.

Relative expressions resolve against the publication date and, where the calendar leaves a
choice, the tense of the governing verb:

- weekday ("on Sunday"): past -> the latest such day on or before publication (the same weekday
  as the publication day is the publication day itself, as wire copy names today by weekday);
  future -> the first such day on or after publication; present or unknown -> the nearest one.
- month-day, month, quarter, season or holiday without a year: past -> the latest one that has
  begun by publication; future -> the first one that has not ended; otherwise the publication
  year, or the year before when that would put it more than half a year ahead.
- With no publication date, relative expressions get value "" and anchor "unresolved"; with a
  month-precision date, expressions that need the day (weekdays, "yesterday", "last week") are
  unresolved while "this month" and "last year" resolve. PAST_REF / PRESENT_REF / FUTURE_REF and
  durations need no date and keep their value.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from tidings.extract.timelex import (
    CLOCK_WORDS,
    DAY_WORDS,
    DAY_WORD_PARTS,
    DECADES_AS_YEARS,
    DECADE_WORDS,
    FROM_REFERENCE,
    HOLIDAYS,
    MODIFIERS,
    MONTHS,
    NUMBERS,
    NUMERIC_ORDER,
    ORDINALS,
    PARTS_OF_DAY,
    PERIOD_PARTS,
    REFERENCES,
    SEASONS,
    SET_WORDS,
    SHIFTS,
    TIME_UNITS,
    UNIT_CODES,
    UNIT_OF,
    VAGUE_RE,
    WEEKDAYS,
    YEARS_PER,
    word_key,
)
from tidings.records import TimeType

log = logging.getLogger(__name__)

Tense = Literal["past", "present", "future"]
Anchor = Literal["absolute", "publication", "unresolved"]

MIN_YEAR = 1000
"""Smallest four-digit number (a year) accepted in an explicit date; below it is not a year."""
MAX_YEAR = 2199
"""Largest four-digit number accepted as a year in an explicit date."""
FUTURE_HORIZON_DAYS = 183
"""Days ahead of publication beyond which a yearless date of unknown tense ("December 20" in a
March report) is taken to be last year's; news rarely names a date half a year ahead without
a future verb. Set by hand, not calibrated."""

TENSE_SLACK_DAYS = 7
"""Days by which a yearless date may lie on the "wrong" side of publication for its tense and
still keep the publication year. Tense is read from the governing verb, which is often not the
verb the date belongs to: in "the sides agreed to resume talks on June 2" (a June 3 report) the
infinitive reads as future, yet the date is yesterday, not next year; "talks were set for June 5"
(past) is two days ahead, not last year. A year's jump needs the date to be more than a week
off. Set by hand from such cases in the negotiation tests."""


# --- Records --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Norm:
    """What a rule makes of one expression."""

    type: TimeType
    """TIMEX3 type."""
    value: str
    """TIMEX3 value; "" when it needs a publication date that is not known."""
    anchor: Anchor
    """What the value rests on."""
    mod: str | None = None
    """TIMEX3 mod, if any."""


@dataclass(frozen=True, slots=True)
class Context:
    """What a resolver may use besides the expression itself."""

    published: dt.date | None
    """Publication date."""
    precision: str = "day"
    """How much of `published` is known: day, month, year, unknown."""
    tense: Tense | None = None
    """Tense of the verb governing the expression, if known."""
    reference: dt.date | None = None
    """The last date mentioned before the expression (for "the next day", "a year later")."""
    reference_granularity: str = "day"
    """How much of `reference` is meaningful: day, month or year ("in 1984" -> year)."""
    year_hint: int | None = None
    """Year of an explicit date earlier in the same sentence ("on September 17, 2001, after
    the September 11 attacks"): a yearless month or month-day takes it."""

    def knows(self, granularity: str) -> bool:
        """True when the publication date is known at least to `granularity` (day/month/year)."""
        if self.published is None:
            return False
        return _RANK.get(self.precision, 0) >= _RANK[granularity]

    def reference_for(self, granularity: str) -> dt.date | None:
        """The reference date if it is known at least to `granularity`, else None."""
        if self.reference is None or _RANK[self.reference_granularity] < _RANK[granularity]:
            return None
        return self.reference


_RANK = {"day": 3, "month": 2, "year": 1, "unknown": 0}


# --- Calendar helpers -----------------------------------------------------------------------


def fmt_day(d: dt.date) -> str:
    """ISO day value."""
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def fmt_week(d: dt.date) -> str:
    """ISO week value (2024-W34)."""
    iso = d.isocalendar()
    return f"{iso[0]:04d}-W{iso[1]:02d}"


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def _number(text: str | None) -> float | None:
    """Value of a number written in digits or words ("16", "two", "twenty-five", "1.5")."""
    if text is None:
        return None
    key = word_key(text)
    half = 0.0
    if key.endswith(" and a half"):
        key, half = key[: -len(" and a half")].strip(), 0.5
    if re.fullmatch(r"\d+(?:\.\d+)?", key):
        return float(key) + half
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", key):
        return float(key.replace(",", "")) + half
    if key in NUMBERS:
        return float(NUMBERS[key]) + half
    parts = re.split(r"[-\s]", key)
    if len(parts) == 2 and parts[0] in NUMBERS and parts[1] in NUMBERS:
        return float(NUMBERS[parts[0]] + NUMBERS[parts[1]]) + half
    return None


def _fmt_number(n: float) -> str:
    return str(int(n)) if n == int(n) else f"{n:g}"


def _duration(n: float | None, unit: str) -> str:
    """TIMEX3 duration value; `n` None means vague (PXY)."""
    code = UNIT_CODES[unit]
    prefix = "PT" if unit in TIME_UNITS else "P"
    if DECADES_AS_YEARS and unit in YEARS_PER:
        code = "Y"
        n = None if n is None else n * YEARS_PER[unit]
    if code[0].isdigit():  # fortnight = 2W
        mult, code = int(code[:-1]), code[-1]
        n = None if n is None else n * mult
    return f"{prefix}{'X' if n is None else _fmt_number(n)}{code}"


def _shift_value(base: dt.date, unit: str, n: int) -> str:
    """The calendar `unit` containing `base`, moved by `n` units, as a TIMEX3 value."""
    if unit in ("day", "night"):
        return fmt_day(base + dt.timedelta(days=n))
    if unit == "week":
        return fmt_week(base + dt.timedelta(weeks=n))
    if unit == "weekend":
        return fmt_week(base + dt.timedelta(weeks=n)) + "-WE"
    if unit == "month":
        y, m = _add_months(base.year, base.month, n)
        return f"{y:04d}-{m:02d}"
    if unit == "quarter":
        q = (base.year * 4 + (base.month - 1) // 3) + n
        return f"{q // 4:04d}-Q{q % 4 + 1}"
    if unit == "half":
        h = (base.year * 2 + (base.month - 1) // 6) + n
        return f"{h // 2:04d}-H{h % 2 + 1}"
    if unit == "year":
        return f"{base.year + n:04d}"
    if unit == "decade":
        return f"{base.year // 10 + n:03d}"
    if unit == "century":
        return f"{base.year // 100 + n:02d}"
    return fmt_day(base)


def _granularity(unit: str) -> str:
    if unit in ("day", "night", "week", "weekend", "hour", "minute", "second"):
        return "day"
    if unit in ("month", "quarter", "half"):
        return "month"
    return "year"


def _pick_year(
    pub: dt.date,
    tense: Tense | None,
    span: Callable[[int], tuple[dt.date, dt.date]],
) -> int:
    """Year of a yearless period (July, July 2, Q1, summer) given publication date and tense.

    `span(year)` gives the first and last day of the period in that year. A period of the
    publication year within `TENSE_SLACK_DAYS` of publication keeps that year whatever the tense.
    Past: the latest period that has begun by publication; future: the first that has not ended;
    otherwise the publication year, unless that puts the period more than `FUTURE_HORIZON_DAYS`
    ahead.
    """
    years = (pub.year - 1, pub.year, pub.year + 1)
    first, last = span(pub.year)
    slack = dt.timedelta(days=TENSE_SLACK_DAYS)
    if tense is not None and first - slack <= pub <= last + slack:
        return pub.year
    if tense == "past":
        begun = [y for y in years if span(y)[0] <= pub]
        return max(begun) if begun else pub.year

    if tense == "future":
        return min(y for y in years if span(y)[1] >= pub)
    if (span(pub.year)[0] - pub).days > FUTURE_HORIZON_DAYS:
        return pub.year - 1
    return pub.year


def _month_span(month: int) -> Callable[[int], tuple[dt.date, dt.date]]:
    def span(year: int) -> tuple[dt.date, dt.date]:
        ny, nm = _add_months(year, month, 1)
        return dt.date(year, month, 1), dt.date(ny, nm, 1) - dt.timedelta(days=1)

    return span


def _months_span(first: int, count: int) -> Callable[[int], tuple[dt.date, dt.date]]:
    def span(year: int) -> tuple[dt.date, dt.date]:
        ny, nm = _add_months(year, first, count)
        return dt.date(year, first, 1), dt.date(ny, nm, 1) - dt.timedelta(days=1)

    return span


def _weekday_date(pub: dt.date, weekday: int, tense: Tense | None, shift: str | None) -> dt.date:
    """The date of `weekday` (1 = Monday) near `pub`, by tense or an explicit shift word."""
    back = (pub.isoweekday() - weekday) % 7  # days back to the latest such day (0 = today)
    ahead = (weekday - pub.isoweekday()) % 7
    if shift in ("last", "past", "this past", "previous"):
        return pub - dt.timedelta(days=back or 7)
    if shift in ("next", "coming", "upcoming", "following"):
        return pub + dt.timedelta(days=ahead or 7)
    if tense == "past":
        return pub - dt.timedelta(days=back)
    if tense == "future":
        return pub + dt.timedelta(days=ahead)
    return pub - dt.timedelta(days=back) if back <= ahead else pub + dt.timedelta(days=ahead)


def _unresolved(type_: TimeType, mod: str | None = None) -> Norm:
    return Norm(type_, "", "unresolved", mod)


def _part_mod(pp: str | None) -> str | None:
    if not pp:
        return None
    return PERIOD_PARTS.get(word_key(pp).rstrip("-")) or None


def _year_ok(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


# --- Resolvers ------------------------------------------------------------------------------


def _month_of(text: str) -> int | None:
    return MONTHS.get(word_key(text).rstrip("."))


def _capitalised(text: str | None) -> bool:
    return bool(text) and text[0].isupper()  # type: ignore[index]


def r_month_day(m: re.Match[str], ctx: Context) -> Norm | None:
    if not _capitalised(m["month"]):
        return None
    month = _month_of(m["month"])
    day = int(re.match(r"\d+", m["day"]).group())  # type: ignore[union-attr]
    if month is None or not 1 <= day <= 31:
        return None
    if m["year"]:
        year = int(m["year"])
        if not _year_ok(year):
            return None
        try:
            return Norm("DATE", fmt_day(dt.date(year, month, day)), "absolute")
        except ValueError:
            return None
    if ctx.year_hint is not None:
        try:
            return Norm("DATE", fmt_day(dt.date(ctx.year_hint, month, day)), "absolute")
        except ValueError:
            return None
    if not ctx.knows("year") or ctx.published is None:
        return _unresolved("DATE")
    pub = ctx.published
    if ctx.knows("month"):

        def span(y: int) -> tuple[dt.date, dt.date]:
            d = dt.date(y, month, min(day, 28 if month == 2 else day))
            return d, d

        try:
            dt.date(2000, month, day)  # leap year: rejects only impossible days
        except ValueError:
            return None
        year = _pick_year(pub, ctx.tense, span)
    else:
        year = pub.year
    try:
        return Norm("DATE", fmt_day(dt.date(year, month, day)), "publication")
    except ValueError:
        return Norm("DATE", f"{year:04d}-{month:02d}-{day:02d}", "publication")


def r_iso(m: re.Match[str], ctx: Context) -> Norm | None:
    try:
        d = dt.date(int(m["year"]), int(m["month"]), int(m["day"]))
    except ValueError:
        return None
    if not _year_ok(d.year):
        return None
    if m["h"]:
        return Norm("TIME", f"{fmt_day(d)}T{m['h']}:{m['mi']}", "absolute")
    return Norm("DATE", fmt_day(d), "absolute")


def r_numeric(m: re.Match[str], ctx: Context) -> Norm | None:
    a, b = int(m["a"]), int(m["b"])
    year = int(m["year"])
    if len(m["year"]) == 2:
        year += 2000 if year < 50 else 1900
    if m["sep"] == "." or a > 12 or (b <= 12 and NUMERIC_ORDER == "DMY"):
        day, month = a, b
    else:
        month, day = a, b
    try:
        d = dt.date(year, month, day)
    except ValueError:
        return None
    return Norm("DATE", fmt_day(d), "absolute") if _year_ok(year) else None


def r_month_year(m: re.Match[str], ctx: Context) -> Norm | None:
    month = _month_of(m["month"])
    year = int(m["year"])
    if month is None or not _capitalised(m["month"]) or not _year_ok(year):
        return None
    return Norm("DATE", f"{year:04d}-{month:02d}", "absolute", _part_mod(m["pp"]))


def r_month_alone(m: re.Match[str], ctx: Context) -> Norm | None:
    month = _month_of(m["month"])
    if month is None or not _capitalised(m["month"]):
        return None
    mod = _part_mod(m["pp"])
    if ctx.year_hint is not None:
        return Norm("DATE", f"{ctx.year_hint:04d}-{month:02d}", "absolute", mod)
    if not ctx.knows("year") or ctx.published is None:
        return _unresolved("DATE", mod)
    year = ctx.published.year
    if ctx.knows("month"):
        year = _pick_year(ctx.published, ctx.tense, _month_span(month))
    return Norm("DATE", f"{year:04d}-{month:02d}", "publication", mod)


def r_year(m: re.Match[str], ctx: Context) -> Norm | None:
    year = int(m["year"])
    if not _year_ok(year):
        return None
    return Norm("DATE", f"{year:04d}", "absolute", _part_mod(m["pp"]))


def r_decade(m: re.Match[str], ctx: Context) -> Norm | None:
    mod = _part_mod(m["pp"])
    if m["dec"]:
        return Norm("DATE", m["dec"][:3], "absolute", mod)
    digit = int(m["dec2"][0]) if m["dec2"] else DECADE_WORDS.get(word_key(m["decw"] or ""))
    if digit is None:
        return None
    if ctx.published is None:
        return _unresolved("DATE", mod)
    century = ctx.published.year // 100
    if century * 10 + digit > ctx.published.year // 10:
        century -= 1  # the nineties have not happened yet in this century
    return Norm("DATE", f"{century:02d}{digit}", "publication", mod)


def r_century(m: re.Match[str], ctx: Context) -> Norm | None:
    n = ORDINALS.get(word_key(m["ord"])) if m["ord"] else None
    if n is None and m["ordn"]:
        n = int(m["ordn"])
    if not n or n > 30:
        return None
    return Norm("DATE", f"{n - 1:02d}", "absolute", _part_mod(m["pp"]))


def r_weekday(m: re.Match[str], ctx: Context) -> Norm | None:
    if not _capitalised(m["wd"]):
        return None
    weekday = WEEKDAYS[word_key(m["wd"])]
    pod = PARTS_OF_DAY.get(word_key(m["pod"])) if m["pod"] else None
    mod = _part_mod(m["pp"])
    type_: TimeType = "TIME" if pod else "DATE"
    if not ctx.knows("day") or ctx.published is None:
        return _unresolved(type_, mod)
    shift = word_key(m["shift"]) if m["shift"] else None
    d = _weekday_date(ctx.published, weekday, ctx.tense, shift)
    return Norm(type_, fmt_day(d) + (f"T{pod}" if pod else ""), "publication", mod)


def r_day_word(m: re.Match[str], ctx: Context) -> Norm | None:
    """"yesterday", "tomorrow morning", "tonight", "this morning", "last night"."""
    word = word_key(m["word"] or m["word2"])
    pod_word = m["pod"] or m["pod2"]
    if word in ("this", "last"):  # "this morning", "last night"
        offset = -1 if word == "last" else 0
        if word == "last" and word_key(pod_word) != "night":
            return None
    else:
        offset = DAY_WORDS[word]
    pod = PARTS_OF_DAY.get(word_key(pod_word)) if pod_word else DAY_WORD_PARTS.get(word)
    type_: TimeType = "TIME" if pod else "DATE"
    mod = _part_mod(m["pp"])
    if not ctx.knows("day") or ctx.published is None:
        return _unresolved(type_, mod)
    d = ctx.published + dt.timedelta(days=offset)
    return Norm(type_, fmt_day(d) + (f"T{pod}" if pod else ""), "publication", mod)


def r_shift_unit(m: re.Match[str], ctx: Context) -> Norm | None:
    """"last week", "next month", "this year", "the past year", "earlier this year",
    "the end of the month", "the following day"."""
    unit = word_key(m["unit"])
    shift = word_key(m["shift"]) if m["shift"] else "this"
    mod = _part_mod(m["pp"])
    the = bool(m["the"])
    if the and shift == "past" and not m["pp"]:
        # TimeML: "the past year" is the year-long period up to now, a duration.
        return Norm("DURATION", _duration(1, unit), "absolute") if unit in UNIT_CODES else None
    n = SHIFTS.get(shift, -1 if shift == "this past" else 0)
    from_ref = shift in FROM_REFERENCE or (the and shift == "next" and unit == "day")
    if unit == "day" and n == 0:
        return None  # "this day" / "the day": not a date
    reference = ctx.reference_for(_granularity(unit)) if from_ref else None
    base = reference or (ctx.published if ctx.knows(_granularity(unit)) else None)
    if base is None:
        return _unresolved("DATE", mod)
    if unit == "weekend":
        weekend_now = base.isoweekday() >= 6
        if shift == "this":
            n = 0 if weekend_now or ctx.tense != "past" else -1
        elif n > 0 and not weekend_now:
            n = 0
    return Norm("DATE", _shift_value(base, unit, n), "publication", mod)


def r_the_unit(m: re.Match[str], ctx: Context) -> Norm | None:
    """"the end of the year", "early in the week", "over the weekend": the current unit."""
    unit = word_key(m["unit"])
    mod = _part_mod(m["pp"])
    if not ctx.knows(_granularity(unit)) or ctx.published is None:
        return _unresolved("DATE", mod)
    n = 0
    if unit == "weekend" and ctx.published.isoweekday() < 6 and ctx.tense == "past":
        n = -1
    return Norm("DATE", _shift_value(ctx.published, unit, n), "publication", mod)


def r_ago(m: re.Match[str], ctx: Context) -> Norm | None:
    """"three years ago", "a week from now", "two days later", "years ago"."""
    unit = UNIT_OF[word_key(m["unit"])]
    direction = word_key(m["dir"])
    sign = -1 if direction in ("ago", "earlier", "before") else 1
    n = _number(m["num"]) if m["num"] else None
    mod = MODIFIERS.get(word_key(m["mod"])) if m["mod"] else None
    if n is None:
        if direction in ("earlier", "later"):
            return None
        return Norm("DATE", "PAST_REF" if sign < 0 else "FUTURE_REF", "publication", mod)
    if n != int(n):
        return None
    relative_to_ref = direction in ("earlier", "later")
    gran = _granularity(unit)
    reference = ctx.reference_for(gran) if relative_to_ref else None
    base = reference or (ctx.published if ctx.knows(gran) else None)
    if base is None:
        return _unresolved("DATE", mod)
    step = int(n) * sign
    if unit in ("hour", "minute", "second"):
        return Norm("DATE", fmt_day(base), "publication", mod)
    if unit == "fortnight":
        unit, step = "week", step * 2
    if unit == "millennium":
        return None
    if unit == "night":
        unit = "day"
    if unit == "decade":
        return Norm("DATE", f"{(base.year + 10 * step) // 10:03d}", "publication", mod)
    if unit == "century":
        return Norm("DATE", f"{(base.year + 100 * step) // 100:02d}", "publication", mod)
    if unit == "quarter":
        return Norm("DATE", _shift_value(base, "quarter", step), "publication", mod)
    return Norm("DATE", _shift_value(base, unit, step), "publication", mod)


def r_quarter(m: re.Match[str], ctx: Context) -> Norm | None:
    if m["q"]:
        if not m["qq"].startswith("Q"):
            return None
        which, unit, year_text = int(m["q"]), "quarter", m["year2"]
    else:
        which = ORDINALS.get(word_key(m["ord"]), 0)
        unit = word_key(m["unit"])
        year_text = m["year"] or m["fyear"]
    limit = 4 if unit == "quarter" else 2
    if not 1 <= which <= limit:
        return None
    letter = "Q" if unit == "quarter" else "H"
    if year_text:
        year = int(year_text)
        return Norm("DATE", f"{year:04d}-{letter}{which}", "absolute") if _year_ok(year) else None
    if not ctx.knows("year") or ctx.published is None:
        return _unresolved("DATE")
    year = ctx.published.year
    if m["yshift"]:
        year += SHIFTS.get(word_key(m["yshift"]), 0)
    elif ctx.knows("month") and not m["theyear"]:
        size = 3 if letter == "Q" else 6
        year = _pick_year(ctx.published, ctx.tense, _months_span((which - 1) * size + 1, size))
    return Norm("DATE", f"{year:04d}-{letter}{which}", "publication")


def r_fiscal(m: re.Match[str], ctx: Context) -> Norm | None:
    text = m["year"] or m["year2"] or m["year3"]
    year = int(text)
    if len(text) == 2:
        year += 2000
    return Norm("DATE", f"FY{year:04d}", "absolute") if _year_ok(year) else None


def r_season(m: re.Match[str], ctx: Context) -> Norm | None:
    code = SEASONS[word_key(m["season"])]
    shift = word_key(m["shift"]) if m["shift"] else None
    if word_key(m["season"]) == "fall" and not (shift or m["year"] or m["the"]):
        return None
    mod = _part_mod(m["pp"])
    if m["year"]:
        year = int(m["year"])
        return Norm("DATE", f"{year:04d}-{code}", "absolute", mod) if _year_ok(year) else None
    if not ctx.knows("year") or ctx.published is None:
        return _unresolved("DATE", mod)
    pub = ctx.published
    first = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}[code]
    season_span = _months_span(first, 3)
    if shift in ("last", "past", "this past", "previous"):
        year = max(y for y in (pub.year - 2, pub.year - 1, pub.year) if season_span(y)[1] < pub)
    elif shift in ("next", "coming", "upcoming"):
        year = min(y for y in (pub.year, pub.year + 1, pub.year + 2) if season_span(y)[0] > pub)
    elif ctx.knows("month"):
        year = _pick_year(pub, ctx.tense, season_span)
    else:
        year = pub.year
    return Norm("DATE", f"{year:04d}-{code}", "publication", mod)


def r_holiday(m: re.Match[str], ctx: Context) -> Norm | None:
    month_day = HOLIDAYS[word_key(m["hol"])]
    month, day = (int(x) for x in month_day.split("-"))
    if m["year"]:
        year = int(m["year"])
        return Norm("DATE", f"{year:04d}-{month_day}", "absolute") if _year_ok(year) else None
    if not ctx.knows("year") or ctx.published is None:
        return _unresolved("DATE")
    year = ctx.published.year
    if ctx.knows("month"):
        year = _pick_year(ctx.published, ctx.tense, lambda y: (dt.date(y, month, day),) * 2)
    return Norm("DATE", f"{year:04d}-{month_day}", "publication")


UNKNOWN_VALUES = {"week": "XXXX-WXX", "weekend": "XXXX-WXX-WE", "month": "XXXX-XX", "year": "XXXX"}
"""TIMEX3 value of a point the text does not date, by unit; any other unit: XXXX-XX-XX."""


def unknown_value(unit: str) -> str:
    """Underspecified TIMEX3 value of a `unit` the text names but does not date."""
    return UNKNOWN_VALUES.get(unit, "XXXX-XX-XX")


def r_fiscal_year(m: re.Match[str], ctx: Context) -> Norm | None:
    """"the financial year", "last fiscal year", "the start of the fiscal year" -> FY2024.

    Without a year in the text the label is the publication year, shifted: fiscal calendars
    differ by company and country (FY2007 may have begun in April or October 2006) and the text
    rarely says which, so the calendar year of publication is the usual best guess.
    """
    shift = word_key(m["shift"]) if m["shift"] else None
    mod = _part_mod(m["pp"])
    if m["year"]:  # "the financial year 2023"
        year = int(m["year"])
        return Norm("DATE", f"FY{year:04d}", "absolute", mod) if _year_ok(year) else None
    if not (m["the"] or shift or m["pp"]):
        return None  # "fiscal year results": a classifier, not a date
    if m["the"] and shift == "past" and not m["pp"]:
        return None  # "the past fiscal year": a year-long period (rule shift_unit)
    n = 0 if shift is None else SHIFTS.get(shift, -1 if shift == "this past" else 0)
    base = ctx.reference_for("year") if shift in FROM_REFERENCE else None
    base = base or (ctx.published if ctx.knows("year") else None)
    if base is None:
        return _unresolved("DATE", mod)
    return Norm("DATE", f"FY{base.year + n:04d}", "publication", mod)


def r_sequence(m: re.Match[str], ctx: Context) -> Norm | None:
    """"later", "earlier", "at a later date": a point in time the text does not give."""
    return Norm("DATE", unknown_value("day"), "unresolved")


def r_anaphora(m: re.Match[str], ctx: Context) -> Norm | None:
    """"that day", "the same week", "later that night": the unit holding the last date mentioned.

    With no date mentioned before it at the unit's granularity, the value is underspecified
    (XXXX-XX-XX) rather than today's: "that day" points back, never to the publication date.
    """
    word = word_key(m["unit"])
    pod = PARTS_OF_DAY.get(word)
    unit = "day" if pod else word
    type_: TimeType = "TIME" if pod else "DATE"
    suffix = f"T{pod}" if pod else ""
    mod = _part_mod(m["pp"])
    reference = ctx.reference_for(_granularity(unit))
    if reference is None:
        return Norm(type_, unknown_value(unit) + suffix, "unresolved", mod)
    return Norm(type_, _shift_value(reference, unit, 0) + suffix, "publication", mod)


def r_indefinite_point(m: re.Match[str], ctx: Context) -> Norm | None:
    """"a day when ...", "a year in which ...": one undated point, not a length of time."""
    return Norm("DATE", unknown_value(word_key(m["unit"])), "unresolved")


def r_reference(m: re.Match[str], ctx: Context) -> Norm | None:
    value = REFERENCES.get(word_key(m[0]))
    if value is None:
        return None
    return Norm("DATE", value, "publication" if ctx.published else "unresolved")


def r_duration(m: re.Match[str], ctx: Context) -> Norm | None:
    unit = UNIT_OF[word_key(m["unit"])]
    mod = MODIFIERS.get(word_key(m["mod"])) if m["mod"] else None
    n: float | None
    if m["num"] and re.fullmatch(VAGUE_RE, m["num"], re.I):
        n = None
    else:
        n = _number(m["num"])
        if n is None:
            return None
        if m["half"]:
            n += 0.5
    if unit == "quarter":
        return None  # "a quarter of", "three quarters": fractions far more often than periods
    if unit == "second" and not (m["num"] or "")[:1].isdigit():
        return None  # "a second term"
    plural = word_key(m["unit"]) != unit
    if n is not None and n == 1 and plural and not m["half"]:
        return None  # "one days" does not happen; "a years" is noise
    return Norm("DURATION", _duration(n, unit), "absolute", mod)


def r_bare_plural(m: re.Match[str], ctx: Context) -> Norm | None:
    unit = UNIT_OF[word_key(m["unit"])]
    mod = MODIFIERS.get(word_key(m["mod"])) if m["mod"] else None
    return Norm("DURATION", _duration(None, unit), "absolute", mod)


def r_long(m: re.Match[str], ctx: Context) -> Norm | None:
    """"decades-long", "year-long", "a 16-day-long" -> durations."""
    unit = UNIT_OF[word_key(m["unit"])]
    plural = word_key(m["unit"]) != unit
    n = None if plural and not m["num"] else (_number(m["num"]) if m["num"] else 1.0)
    if m["num"] and n is None:
        return None
    return Norm("DURATION", _duration(n, unit), "absolute")


def r_clock(m: re.Match[str], ctx: Context) -> Norm | None:
    if m["word"]:
        hhmm = CLOCK_WORDS[word_key(m["word"])]
    else:
        h = int(m["h"] or m["h2"] or m["h3"])
        mi = int(m["mi"] or m["mi2"] or 0)
        ap = (m["ap"] or "").lower().replace(".", "").replace(" ", "")
        if ap == "pm" and h < 12:
            h += 12
        elif ap == "am" and h == 12:
            h = 0
        if h > 24 or mi > 59 or (ap and int(m["h"] or 0) > 12):
            return None
        hhmm = f"{h:02d}:{mi:02d}"
    day: dt.date | None = None
    if m["wd"]:
        word = word_key(m["wd"])
        if not ctx.knows("day") or ctx.published is None:
            return _unresolved("TIME")
        if word in WEEKDAYS:
            day = _weekday_date(ctx.published, WEEKDAYS[word], ctx.tense, None)
        else:
            day = ctx.published + dt.timedelta(days=DAY_WORDS.get(word, 0))
    elif ctx.reference_for("day") is not None:
        day = ctx.reference
    elif ctx.knows("day"):
        day = ctx.published
    if day is None:
        return _unresolved("TIME")
    return Norm("TIME", f"{fmt_day(day)}T{hhmm}", "publication")


def r_set_word(m: re.Match[str], ctx: Context) -> Norm | None:
    value = SET_WORDS.get(word_key(m[0]))
    return Norm("SET", value, "absolute") if value else None


def r_every(m: re.Match[str], ctx: Context) -> Norm | None:
    if m["wd"]:
        if not _capitalised(m["wd"]):
            return None
        return Norm("SET", f"XXXX-WXX-{WEEKDAYS[word_key(m['wd'])]}", "absolute")
    if m["month"]:
        month = _month_of(m["month"])
        return Norm("SET", f"XXXX-{month:02d}", "absolute") if month and _capitalised(m["month"]) else None
    if m["pod"]:
        return Norm("SET", f"TXX{PARTS_OF_DAY[word_key(m['pod'])]}".replace("TXX", "T"), "absolute")
    unit = UNIT_OF[word_key(m["unit"])]
    if m["num"] and word_key(m["num"]) == "other":
        n: float | None = 2
    else:
        n = _number(m["num"]) if m["num"] else 1
    return Norm("SET", _duration(n, unit), "absolute") if n else None


def r_frequency(m: re.Match[str], ctx: Context) -> Norm | None:
    unit = UNIT_OF[word_key(m["unit"])]
    return Norm("SET", _duration(1, unit), "absolute")


def r_weekday_plural(m: re.Match[str], ctx: Context) -> Norm | None:
    if not _capitalised(m["wd"]):
        return None
    return Norm("SET", f"XXXX-WXX-{WEEKDAYS[word_key(m['wd'])]}", "absolute")


def r_negative(m: re.Match[str], ctx: Context) -> Norm | None:
    return None
