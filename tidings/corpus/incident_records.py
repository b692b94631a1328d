"""Incident records and how one is built from its reports: the agreed date, sources, outlets,
figures and conflicts (tidings.corpus.incidents decides which reports are one incident).

    incident = build_incident(incident_id, reports)
    incident_to_json(incident); incident_from_json(data); incident_range(incident)

A source is an article; a syndicated copy counts with its canonical article (it adds no outlet
and no date or figure vote of its own). Each source votes once for each date and figure it
gives; the agreed date is the one most sources give (see `_choose_date`), and details the sources
disagree on are kept side by side in `dates`/`figures` and named in `conflicts`.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tidings.corpus.features import fold_name
from tidings.corpus.reports import PRECISION_ORDER, Report, date_bounds, date_contains
from tidings.records import EventType, from_dict, to_dict

MAX_DATE_GAP_DAYS = 1
"""Days between the dates of two reports of one incident (between the nearest days each date can
mean). Gates every merge. One day absorbs an outlet that dates the happening by its local day or
by "yesterday" in a late edition; two would merge attacks on consecutive days, which the dev set
(tests/fixtures/incidents: al-Shabaab attacks on Monday and Tuesday) shows to be distinct."""

PUBLICATION_LAG_DAYS = 1
"""Days before publication a happening may lie when the coder dated it by the publication date
(no date in the text): news reports what happened that day or the day before. Widens only such
guessed dates; set by hand."""

DateBasis = Literal["text", "publication", "none"]
"""Where an incident's date comes from: dates written in its reports, their publication dates
(no report dates it), or nothing."""


# --- records ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DateCount:
    """One date the reports of an incident give, and how many sources give it."""

    value: str
    """ISO date or TIMEX3 value ("2024-06-14", "2022-02")."""
    reports: int
    """Sources (distinct articles, copies counted with their canonical) giving this date."""


@dataclass(frozen=True, slots=True)
class FigureCount:
    """One value of a figure the reports of an incident give."""

    what: str
    """Kind of figure ("killed")."""
    value: int
    """The number."""
    qualifier: str | None
    """The qualifier most sources write with it ("at least"), if any."""
    reports: int
    """Sources giving this value."""
    outlets: tuple[str, ...]
    """Outlets giving it, sorted."""


@dataclass(frozen=True, slots=True)
class Incident:
    """One real-world happening and every report of it."""

    id: str
    """"i-" + 16 hex digits of a hash of its earliest report (see the module docstring)."""
    type: EventType
    """PLOVER type."""
    negated: bool
    """True for a happening the reports say did not take place."""
    actors: tuple[str, ...]
    """Actors named by its reports, most often named first."""
    targets: tuple[str, ...]
    """Targets, most often named first."""
    date: str | None
    """The agreed date: the one most sources give (on a tie, the one most other dates lie near,
    then the finest, then the earliest; see `_choose_date`); None if none."""
    date_basis: DateBasis
    """Whether `date` is written in the reports or only their publication dates."""
    dates: tuple[DateCount, ...]
    """Every distinct date of that basis with its number of sources, most given first."""
    places: tuple[str, ...]
    """Places its reports name, most often named first."""
    reports: tuple[Report, ...]
    """Every report, in report order (`Report.key`)."""
    sources: int
    """Distinct source articles (a syndicated copy counts with its canonical)."""
    outlets: int
    """Distinct outlets of those sources (copies add none)."""
    outlet_names: tuple[str, ...]
    """Those outlets, sorted."""
    figures: tuple[FigureCount, ...]
    """Every distinct figure value, by kind then most sources."""
    conflicts: tuple[str, ...]
    """Details the sources disagree on ("date", "killed"): all values are in `dates`/`figures`."""

    def conflict_values(self) -> dict[str, list[Any]]:
        """{"date": ["2024-06-14", "2024-06-13"], "killed": [9, 8, 7]}: the values side by side."""
        out: dict[str, list[Any]] = {}
        for name in self.conflicts:
            if name == "date":
                out[name] = [d.value for d in self.dates]
            else:
                out[name] = [f.value for f in self.figures if f.what == name]
        return out


@dataclass(frozen=True, slots=True)
class IncidentRename:
    """An incident id that stopped existing, and the id that holds its reports now."""

    old: str
    """The id no longer used."""
    new: str
    """The id now used (follow further renames with `IncidentIndex.resolve`)."""
    reason: Literal["rekeyed", "merged"]
    """rekeyed: an earlier report arrived; merged: a report joined two incidents."""


# Merging compares every report of a candidate incident with each new one: these two parse and
# fold the same few values over and over, so they are memoised (values are short strings).
memo_date_bounds = functools.lru_cache(maxsize=16384)(date_bounds)
memo_fold_name = functools.lru_cache(maxsize=65536)(fold_name)


def gap_days(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> int:
    """Days between two date ranges (0 when they overlap)."""
    if a[1] < b[0]:
        return (b[0] - a[1]).days
    if b[1] < a[0]:
        return (a[0] - b[1]).days
    return 0


def incident_range(incident: Incident) -> tuple[dt.date, dt.date] | None:
    """The days an incident's agreed date can mean (a publication-based day widened by
    PUBLICATION_LAG_DAYS), or None when it is undated: what the index compares reports with."""
    return _date_range(incident.date, incident.date_basis)


def agreed_range(reports: Iterable[Report]) -> tuple[dt.date, dt.date] | None:
    """`incident_range(build_incident(..., reports))` without building the rest of the record:
    the index asks for it after every report that joins an incident."""
    basis, counts = _date_votes(_representatives(reports))
    return _date_range(_choose_date(counts), basis)


def _date_range(date: str | None, basis: DateBasis) -> tuple[dt.date, dt.date] | None:
    bounds = memo_date_bounds(date)
    if bounds is None:
        return None
    lo, hi, precision = bounds
    if basis == "publication" and precision == "day":
        lo -= dt.timedelta(days=PUBLICATION_LAG_DAYS)
    return lo, hi


# --- building an incident -----------------------------------------------------------------


def _representatives(reports: Iterable[Report]) -> dict[str, list[Report]]:
    """Source article -> the reports that speak for it: the canonical article's own reports,
    else those of its first copy (a copy adds nothing its canonical says already)."""
    by_source: dict[str, list[Report]] = {}
    for r in reports:
        by_source.setdefault(r.source, []).append(r)
    out: dict[str, list[Report]] = {}
    for source, rs in by_source.items():
        own = [r for r in rs if r.article_id == source]
        if not own:
            first = min(r.article_id for r in rs)
            own = [r for r in rs if r.article_id == first]
        out[source] = sorted(own, key=lambda r: r.key)
    return out


def _ranked(counts: Counter[str]) -> tuple[str, ...]:
    return tuple(n for n, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _choose_date(counts: Counter[str]) -> str | None:
    """The agreed date: the value most sources give; on a tie the one most sources' dates lie
    within MAX_DATE_GAP_DAYS of (the centre of a spread "Thursday / Friday / Saturday"), then
    the finest precision, then the earliest."""
    if not counts:
        return None
    bounds = {v: memo_date_bounds(v) for v in counts}

    def near(v: str) -> int:
        b = bounds[v]
        if b is None:
            return 0
        total = 0
        for other, n in counts.items():
            ob = bounds[other]
            if ob is not None and gap_days((b[0], b[1]), (ob[0], ob[1])) <= MAX_DATE_GAP_DAYS:
                total += n
        return total

    def rank(v: str) -> tuple[int, int, int, dt.date, str]:
        b = bounds[v]
        return (-counts[v], -near(v), PRECISION_ORDER.get(b[2], 9) if b else 9,
                b[0] if b else dt.date.max, v)

    return min(counts, key=rank)


DATE_SOURCE_ORDER: Mapping[str, int] = {"clause": 0, "sentence": 1, "governing": 2}
"""How directly a report's date is written about its event, most direct first: a source whose
reports date the incident in several ways votes only with its most direct dates."""


def _date_votes(reps: Mapping[str, list[Report]]) -> tuple[DateBasis, Counter[str]]:
    """Where the date comes from and each date's votes (one per source that gives it)."""
    text_dates: Counter[str] = Counter()
    pub_dates: Counter[str] = Counter()
    for rs in reps.values():
        written = [(r.event.date, DATE_SOURCE_ORDER[r.event.date_source]) for r in rs
                   if r.event.date and r.event.date_source in DATE_SOURCE_ORDER
                   and memo_date_bounds(r.event.date)]
        best = min((rank for _, rank in written), default=None)
        text = {date for date, rank in written if rank == best}
        # a source that gives a day and its month ("in July ... on July 2") votes for the day
        text = {d for d in text if not any(o != d and date_contains(d, o) for o in text)}
        text_dates.update(text)
        pub_dates.update({r.event.date for r in rs
                          if r.event.date is not None and r.event.date_source == "publication"})
    if text_dates:
        return "text", text_dates
    if pub_dates:
        return "publication", pub_dates
    return "none", Counter()


def build_incident(incident_id: str, reports: Iterable[Report]) -> Incident:
    """The Incident record of a set of reports (all of one type and negation)."""
    ordered = sorted(reports, key=lambda r: r.key)
    if not ordered:
        raise ValueError(f"incident {incident_id} has no reports")
    reps = _representatives(ordered)
    actors: Counter[str] = Counter()
    targets: Counter[str] = Counter()
    places: Counter[str] = Counter()
    figure_sources: dict[tuple[str, int], set[str]] = {}
    figure_quals: dict[tuple[str, int], Counter[str]] = {}
    figure_outlets: dict[tuple[str, int], set[str]] = {}
    outlets: set[str] = set()
    for source, rs in reps.items():
        actors.update({a for r in rs for a in r.actors})
        targets.update({t for r in rs for t in r.targets})
        places.update({r.place for r in rs if r.place})
        outlet = next((r.outlet for r in rs if r.outlet), None)
        if outlet:
            outlets.add(outlet)
        seen: set[tuple[int, str, int]] = set()
        for r in rs:
            for f in r.figures:
                if (r.event.sentence_start, f.what, f.value) in seen:
                    continue
                seen.add((r.event.sentence_start, f.what, f.value))
                k = (f.what, f.value)
                figure_sources.setdefault(k, set()).add(source)
                figure_quals.setdefault(k, Counter())[f.qualifier or ""] += 1
                if outlet:
                    figure_outlets.setdefault(k, set()).add(outlet)
    basis, counts = _date_votes(reps)
    dates = tuple(DateCount(v, n) for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    figures = tuple(sorted(
        (FigureCount(what, value, (figure_quals[(what, value)].most_common(1)[0][0] or None),
                     len(srcs), tuple(sorted(figure_outlets.get((what, value), ()))))
         for (what, value), srcs in figure_sources.items()),
        key=lambda f: (f.what, -f.reports, f.value)))
    conflicts: list[str] = []
    values = [d.value for d in dates] if basis == "text" else []
    if any(not date_contains(a, b) and not date_contains(b, a) for a in values for b in values):
        conflicts.append("date")
    for what in sorted({f.what for f in figures}):
        if len({f.value for f in figures if f.what == what}) > 1:
            conflicts.append(what)
    first = ordered[0]
    return Incident(
        id=incident_id, type=first.event.type, negated=first.event.negated,
        actors=_ranked(actors), targets=_ranked(targets),
        date=_choose_date(counts), date_basis=basis, dates=dates,
        places=_ranked(places), reports=tuple(ordered), sources=len(reps),
        outlets=len(outlets), outlet_names=tuple(sorted(outlets)), figures=figures,
        conflicts=tuple(conflicts),
    )


def incident_order(incident: Incident) -> tuple[dt.date, str]:
    """Sort key of incidents: by the first day of their date (undated last), then id."""
    b = memo_date_bounds(incident.date)
    return (b[0] if b else dt.date.max, incident.id)


# --- JSON ---------------------------------------------------------------------------------


def incident_to_json(incident: Incident) -> dict[str, Any]:
    """A JSON-able dict of the incident (with its reports and their events)."""
    return to_dict(incident)


def incident_from_json(data: dict[str, Any]) -> Incident:
    """Rebuild an Incident from `incident_to_json` output."""
    return from_dict(Incident, data)


def report_from_json(data: dict[str, Any]) -> Report:
    """Rebuild a Report from `to_dict` output (what `incident_reports.report` holds)."""
    return from_dict(Report, data)


REPORT_CACHE_SIZE = 8192
"""Stored reports (JSON texts) whose decoded Report is kept (count). An index reloads the
incidents of old windows again and again for late-dated reports (each reload after they were
evicted), and decoding is most of a reload's cost; about 2 KB each. Changes speed only."""


@functools.lru_cache(maxsize=REPORT_CACHE_SIZE)
def report_from_text(text: str) -> Report:
    """`report_from_json(json.loads(text))`, memoised on the text (a Report is immutable)."""
    return report_from_json(json.loads(text))


