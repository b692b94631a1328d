"""Timelines: a story's incidents in the order they happened, with their sources and key quotes.

    timeline = build_timeline(story_incidents(incidents, article_ids), quotes_by_article,
                              since=..., until=..., texts=texts_by_article, story_id=story)
    render_timeline(timeline, console)      # `tidings timeline STORY`
    timeline_to_json(timeline)              # `tidings timeline STORY --json`

Order
-----
Entries are ordered by event date, not publication date: by the earliest day the incident's
date can mean ("2024-07" from July 1, "2024-W28" from its Monday), then coarser before finer on
the same first day ("in July ..." before "on July 1 ..."), then by first publication, then id.
Each entry shows its date with its precision. Incidents dated only by their reports' publication
dates come in the same order, marked "reported"; undated incidents come last, in the order they
were first published, marked "undated".

`since`/`until` keep entries whose date can fall inside [since, until] (a month-dated incident
is kept if any day of it is inside); undated incidents are kept when first published inside.

Key quotes
----------
Quotes come from `quotes_by_article` (article id -> the article's quotes: `quotes_of(doc)`, or the
store's QuoteRow, which has the same fields). A quote is a candidate for an incident when its
article reports the incident: inside a report's sentence (tier 0), within QUOTE_NEAR_CHARS of
one (tier 1), or elsewhere in the article if it is a direct or partial quote (tier 2); or when
another article of the story dates it, from its own sentence, to the incident's day (tier 3).
Each quote goes to the one entry where it ranks best (lower tier, then nearer the report), and
each entry keeps its KEY_QUOTES best: direct before partial before indirect, named speaker before
anonymous, then by that rank. Reported speech that contains a report's trigger is not a quote
of its own: it is the source's attribution ("according to the regional governor"). Copies of one
quote (a syndicated copy) are shown once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rich.console import Console
from rich.text import Text

from tidings.corpus.incidents import DateBasis, Incident, incident_to_json
from tidings.corpus.reports import PRECISION_ORDER, DatePrecision, Report, date_bounds
from tidings.records import to_dict

log = logging.getLogger(__name__)

KEY_QUOTES = 3
"""Most quotes shown per entry."""
QUOTE_NEAR_CHARS = 400
"""Characters between a quote and a report's sentence within which the quote counts as being
about that report (about a paragraph of news prose)."""
SENTENCE_CHARS = 240
"""Longest report sentence shown in the terminal before it is cut with an ellipsis (JSON keeps
the whole sentence)."""

_KIND_ORDER = {"direct": 0, "partial": 1, "indirect": 2}


class QuoteLike(Protocol):
    """What a timeline needs of a quote: `TimelineQuote`, or the store's QuoteRow (read-only,
    so frozen records match)."""

    @property
    def article_id(self) -> str: ...

    @property
    def outlet(self) -> str | None: ...

    @property
    def speaker(self) -> str | None: ...

    @property
    def speaker_named(self) -> bool: ...

    @property
    def kind(self) -> str: ...

    @property
    def date(self) -> str | None: ...

    @property
    def date_source(self) -> str: ...

    @property
    def content(self) -> str: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


@dataclass(frozen=True, slots=True)
class TimelineQuote:
    """A quote as a timeline shows it (the fields of the store's QuoteRow that it uses)."""

    article_id: str
    """The article it is in."""
    outlet: str | None
    """That article's outlet."""
    speaker: str | None
    """Canonical speaker, or the description of an anonymous one."""
    speaker_named: bool
    """False for anonymous sources."""
    kind: str
    """direct, partial or indirect."""
    date: str | None
    """When it was said (ISO), see `date_source`."""
    date_source: str
    """sentence, publication or none."""
    content: str
    """The quoted words."""
    start: int
    """Offset of the content in the article's text."""
    end: int
    """End offset of the content."""


@dataclass(frozen=True, slots=True)
class TimelineSource:
    """One article reporting an entry's incident."""

    article_id: str
    """The article."""
    outlet: str | None
    """Its outlet."""
    published: dt.date | None
    """Its publication date."""
    sentence_start: int
    """Start of its (first) report sentence in the article's text."""
    sentence_end: int
    """End of that sentence."""
    sentence: str | None
    """The sentence, when the article's text was given."""
    date: str | None
    """The date this article gives the incident, if any."""
    copy_of: str | None = None
    """The canonical article when this one is a syndicated copy."""
    according_to: str | None = None
    """Speaker the sentence is attributed to ("the regional governor"), from its quotes."""
    story_id: str | None = None
    """The story the article was in when it was reported (an incident can span stories)."""


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One incident on a timeline."""

    incident: Incident
    """The incident."""
    when: str | None
    """Its date value ("2024-06-14", "2024-07"), None when undated."""
    precision: DatePrecision | None
    """day, week, month or year; None when undated."""
    day: dt.date | None
    """The earliest day `when` can mean (the sort key)."""
    dated_by: DateBasis
    """text: written in the reports; publication: only their publication dates; none."""
    first_published: dt.date | None
    """Earliest publication date of its reports."""
    sources: tuple[TimelineSource, ...]
    """Articles reporting it, earliest published first."""
    quotes: tuple[TimelineQuote, ...]
    """Its key quotes, best first."""


@dataclass(frozen=True, slots=True)
class Timeline:
    """A story's incidents in the order they happened."""

    entries: tuple[TimelineEntry, ...]
    """Dated entries in date order, then undated ones in publication order."""
    story_id: str | None = None
    """The story, when the caller names it."""
    since: dt.date | None = None
    """The filter's first day, if any."""
    until: dt.date | None = None
    """The filter's last day, if any."""


# --- building -----------------------------------------------------------------------------


def quotes_of(doc: Any) -> list[TimelineQuote]:
    """The quotes of a processed Doc, as timelines take them."""
    return [TimelineQuote(doc.id, doc.outlet, q.speaker, q.speaker_named, q.kind, q.date,
                          q.date_source, doc.text[q.start:q.end], q.start, q.end)
            for q in doc.spans.get("quotes", [])]


def story_incidents(incidents: Iterable[Incident], article_ids: Iterable[str]) -> list[Incident]:
    """The incidents reported by at least one of a story's articles."""
    ids = set(article_ids)
    return [i for i in incidents if any(r.article_id in ids for r in i.reports)]


def _as_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _in_window(entry: TimelineEntry, since: dt.date | None, until: dt.date | None) -> bool:
    bounds = date_bounds(entry.when) if entry.dated_by != "none" else None
    if bounds is None:
        day = entry.first_published
        if day is None:
            return since is None and until is None
        return (since is None or day >= since) and (until is None or day <= until)
    lo, hi, _ = bounds
    return (since is None or hi >= since) and (until is None or lo <= until)


def _covers(q: QuoteLike, r: Report) -> bool:
    """True when reported speech `q` contains the trigger of `r` (the report is what q says)."""
    return q.article_id == r.article_id and q.start <= r.event.start and r.event.end <= q.end


def _sources(incident: Incident, texts: Mapping[str, str],
             quotes_by_article: Mapping[str, Sequence[QuoteLike]]) -> list[TimelineSource]:
    by_article: dict[str, list[Report]] = {}
    for r in incident.reports:
        by_article.setdefault(r.article_id, []).append(r)
    out = []
    for article_id, reports in by_article.items():
        reports.sort(key=lambda r: (r.event.date_source == "publication", r.event.sentence_start))
        first = reports[0]
        text = texts.get(article_id)
        sentence = text[first.event.sentence_start:first.event.sentence_end].strip() if text else None
        written = next((r.event.date for r in reports if r.event.date), None)
        according_to = next((q.speaker for q in quotes_by_article.get(article_id, ())
                             for r in reports if q.speaker and _covers(q, r)), None)
        out.append(TimelineSource(article_id, first.outlet, first.published,
                                  first.event.sentence_start, first.event.sentence_end, sentence,
                                  written, first.copy_of, according_to, first.story_id))
    out.sort(key=lambda s: (s.copy_of is not None, s.published or dt.date.max, s.article_id))
    return out


def build_timeline(incidents: Iterable[Incident],
                   quotes_by_article: Mapping[str, Sequence[QuoteLike]],
                   since: dt.date | str | None = None, until: dt.date | str | None = None, *,
                   texts: Mapping[str, str] | None = None, story_id: str | None = None,
                   key_quotes: int = KEY_QUOTES) -> Timeline:
    """The timeline of `incidents` (a story's: see `story_incidents`).

    `quotes_by_article` maps the story's article ids to their quotes; `texts` maps article ids to
    their cleaned text, for the report sentences (optional; give every article of the incidents'
    reports: an incident can also be reported by articles of other stories, and they are listed
    as its sources too); `since`/`until` are dates or ISO strings. See the module docstring for
    the order, the filter and how quotes are chosen.
    """
    since_d, until_d = _as_date(since), _as_date(until)
    texts = texts or {}
    drafts: list[TimelineEntry] = []
    for incident in incidents:
        bounds = date_bounds(incident.date)
        published = [r.published for r in incident.reports if r.published]
        entry = TimelineEntry(
            incident=incident,
            when=incident.date if bounds else None,
            precision=bounds[2] if bounds else None,
            day=bounds[0] if bounds else None,
            dated_by=incident.date_basis if bounds else "none",
            first_published=min(published) if published else None,
            sources=tuple(_sources(incident, texts, quotes_by_article)),
            quotes=(),
        )
        if _in_window(entry, since_d, until_d):
            drafts.append(entry)
    drafts.sort(key=_entry_order)
    quotes = _assign_quotes(drafts, quotes_by_article, key_quotes)
    entries = [TimelineEntry(e.incident, e.when, e.precision, e.day, e.dated_by,
                             e.first_published, e.sources, tuple(quotes.get(i, ())))
               for i, e in enumerate(drafts)]
    return Timeline(tuple(entries), story_id, since_d, until_d)


def _entry_order(entry: TimelineEntry) -> tuple[int, dt.date, int, dt.date, str]:
    if entry.day is None:
        return (1, entry.first_published or dt.date.max, 0, dt.date.max, entry.incident.id)
    coarse_first = -PRECISION_ORDER.get(entry.precision or "day", 0)
    return (0, entry.day, coarse_first, entry.first_published or dt.date.max, entry.incident.id)


def _assign_quotes(entries: Sequence[TimelineEntry],
                   quotes_by_article: Mapping[str, Sequence[QuoteLike]],
                   key_quotes: int) -> dict[int, list[TimelineQuote]]:
    """Entry index -> its key quotes (see the module docstring)."""
    all_reports = [r for e in entries for r in e.incident.reports]
    best: dict[tuple[str, int], tuple[tuple[Any, ...], int, QuoteLike]] = {}
    for i, entry in enumerate(entries):
        reports = entry.incident.reports
        by_article: dict[str, list[Report]] = {}
        for r in reports:
            by_article.setdefault(r.article_id, []).append(r)
        day = entry.when if entry.precision == "day" and entry.dated_by == "text" else None
        for article_id, quotes in quotes_by_article.items():
            mine = by_article.get(article_id, [])
            for q in quotes:
                if any(_covers(q, r) for r in all_reports if r.article_id == q.article_id):
                    continue  # what a report says: shown as its source's attribution
                rank = _quote_rank(q, mine, day)
                if rank is None:
                    continue
                key = (q.article_id, q.start)
                if key not in best or rank < best[key][0]:
                    best[key] = (rank, i, q)
    chosen: dict[int, list[tuple[tuple[Any, ...], QuoteLike]]] = {}
    for rank, i, q in best.values():
        chosen.setdefault(i, []).append((rank, q))
    out: dict[int, list[TimelineQuote]] = {}
    for i, ranked in chosen.items():
        # within an entry: direct before partial before indirect, named first, then by rank
        ranked.sort(key=lambda rq: (_KIND_ORDER.get(rq[1].kind, 3), not rq[1].speaker_named, rq[0]))
        seen: set[str] = set()
        picked: list[TimelineQuote] = []
        for _, q in ranked:
            norm = " ".join(q.content.lower().split())
            if norm in seen:
                continue
            seen.add(norm)
            picked.append(_as_timeline_quote(q))
            if len(picked) >= key_quotes:
                break
        out[i] = picked
    return out


def _quote_rank(q: QuoteLike, reports: Sequence[Report], day: str | None) -> tuple[Any, ...] | None:
    """Rank of quote `q` for an incident with `reports` in q's article (lower is better), or
    None when it is no candidate. A quote after a report's sentence is about that report; a
    direct quote elsewhere in the article goes to the article's lead incident (its earliest
    report), which a background mention lower down does not displace."""
    kind = _KIND_ORDER.get(q.kind, 3)
    named = 0 if q.speaker_named else 1
    if reports:
        lead = min(r.event.sentence_start for r in reports)
        inside = [r for r in reports if q.start < r.event.sentence_end and r.event.sentence_start < q.end]
        after = [q.start - r.event.sentence_end for r in reports if q.start >= r.event.sentence_end]
        if inside:
            return (0, 0, kind, named, q.article_id, q.start)
        if after and min(after) <= QUOTE_NEAR_CHARS:
            return (1, min(after), kind, named, q.article_id, q.start)
        if q.kind in ("direct", "partial"):
            return (2, lead, kind, named, q.article_id, q.start)
        return None
    if day is not None and q.date == day and q.date_source == "sentence":
        return (3, 0, kind, named, q.article_id, q.start)
    return None


def _as_timeline_quote(q: QuoteLike) -> TimelineQuote:
    if isinstance(q, TimelineQuote):
        return q
    return TimelineQuote(q.article_id, q.outlet, q.speaker, bool(q.speaker_named), q.kind,
                         q.date, q.date_source, q.content, q.start, q.end)


# --- JSON ---------------------------------------------------------------------------------


def entry_to_json(entry: TimelineEntry) -> dict[str, Any]:
    """A JSON-able dict of one entry (the incident's reports and events are left out; they are
    in `incident_to_json`)."""
    inc = entry.incident
    return {
        "incident": inc.id,
        "date": entry.when,
        "precision": entry.precision,
        "day": entry.day.isoformat() if entry.day else None,
        "dated_by": entry.dated_by,
        "first_published": entry.first_published.isoformat() if entry.first_published else None,
        "type": inc.type,
        "negated": inc.negated,
        "actors": list(inc.actors),
        "targets": list(inc.targets),
        "places": list(inc.places),
        "outlets": inc.outlets,
        "outlet_names": list(inc.outlet_names),
        "reports": len(inc.reports),
        "source_articles": inc.sources,
        "dates": [{"value": d.value, "reports": d.reports} for d in inc.dates],
        "figures": [to_dict(f) for f in inc.figures],
        "conflicts": inc.conflict_values(),
        "sources": [to_dict(s) for s in entry.sources],
        "quotes": [to_dict(q) for q in entry.quotes],
    }


def timeline_to_json(timeline: Timeline, *, with_incidents: bool = False) -> dict[str, Any]:
    """A JSON-able dict of a timeline; `with_incidents` adds each full incident (reports and
    their events) under "incidents"."""
    out: dict[str, Any] = {
        "story_id": timeline.story_id,
        "since": timeline.since.isoformat() if timeline.since else None,
        "until": timeline.until.isoformat() if timeline.until else None,
        "entries": [entry_to_json(e) for e in timeline.entries],
    }
    if with_incidents:
        out["incidents"] = [incident_to_json(e.incident) for e in timeline.entries]
    return out


# --- terminal -----------------------------------------------------------------------------


def _when_label(entry: TimelineEntry) -> str:
    if entry.when is None:
        return "undated"
    label = entry.when
    if entry.precision == "day" and entry.day is not None:
        label += entry.day.strftime(" %a")
    if entry.dated_by == "publication":
        label = f"reported {label}"
    return label


def _headline(inc: Incident) -> Text:
    text = Text()
    text.append(inc.type, style="bold")
    if inc.negated:
        text.append(" (did not happen)", style="bold red")
    text.append("  ")
    text.append(", ".join(inc.actors) or "?", style="cyan")
    if inc.targets:
        text.append(" → ")
        text.append(", ".join(inc.targets), style="cyan")
    if inc.places:
        text.append("  at ")
        text.append(", ".join(inc.places[:2]), style="green")
    text.append(f"   {inc.outlets} outlet{'s' if inc.outlets != 1 else ''}, "
                f"{inc.sources} article{'s' if inc.sources != 1 else ''}", style="dim")
    return text


def _conflict_line(inc: Incident) -> Text | None:
    if not inc.conflicts:
        return None
    parts = []
    for name in inc.conflicts:
        if name == "date":
            values = " · ".join(f"{d.value} ({d.reports})" for d in inc.dates)
        else:
            values = " · ".join(f"{(f.qualifier + ' ') if f.qualifier else ''}{f.value} ({f.reports})"
                                for f in inc.figures if f.what == name)
        parts.append(f"{name}: {values}")
    return Text("reports disagree — " + "; ".join(parts), style="yellow")


def _short(sentence: str) -> str:
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= SENTENCE_CHARS else sentence[:SENTENCE_CHARS - 1] + "…"


def render_timeline(timeline: Timeline, console: Console) -> None:
    """Print a timeline readably: one block per incident, date first, then its sources and
    key quotes. Article text is printed as plain text (never read as rich markup)."""
    head = Text("Timeline", style="bold")
    if timeline.story_id:
        head.append(f" · {timeline.story_id}")
    dated = [e for e in timeline.entries if e.when is not None]
    head.append(f" · {len(timeline.entries)} incidents")
    if len(dated) < len(timeline.entries):
        head.append(f" ({len(timeline.entries) - len(dated)} undated)")
    if timeline.since or timeline.until:
        head.append(f" · {timeline.since or '…'} – {timeline.until or '…'}")
    console.print(head)
    if not timeline.entries:
        console.print(Text("no incidents", style="dim"))
        return
    for entry in timeline.entries:
        console.print()
        line = Text(f"{_when_label(entry):<16} ", style="bold magenta" if entry.when else "dim")
        line.append_text(_headline(entry.incident))
        console.print(line)
        conflict = _conflict_line(entry.incident)
        if conflict is not None:
            console.print(Text("    ").append_text(conflict))
        for s in entry.sources:
            src = Text("    • ")
            src.append(s.outlet or s.article_id, style="bold")
            if s.published:
                src.append(f" {s.published.isoformat()}", style="dim")
            if s.copy_of:
                src.append(" (syndicated copy)", style="dim")
            if s.sentence:
                src.append(": ")
                src.append(_short(s.sentence))
            if s.according_to:
                src.append(f" — according to {s.according_to}", style="dim")
            console.print(src)
        for q in entry.quotes:
            quote = Text("    “", style="italic")
            quote.append(_short(q.content.strip().strip("\"“”")), style="italic")
            quote.append("”", style="italic")
            quote.append(f" — {q.speaker or 'unnamed speaker'}", style="bold")
            if q.outlet:
                quote.append(f" ({q.outlet})", style="dim")
            console.print(quote)


def render_incident(incident: Incident, texts: Mapping[str, str], console: Console) -> None:
    """Print one incident: its headline, agreed date, disagreements, then every report with its
    outlet, publication date and sentence (`texts`: article id -> cleaned text); events coded
    twice in one sentence show as one line."""
    line = Text(f"{incident.id}  ", style="dim")
    line.append(f"{incident.date or 'undated'}", style="bold magenta")
    if incident.date and incident.date_basis == "publication":
        line.append(" (publication date)", style="dim")
    console.print(line)
    console.print(_headline(incident))
    conflict = _conflict_line(incident)
    if conflict is not None:
        console.print(conflict)
    shown: set[tuple[str, int]] = set()
    for r in incident.reports:
        if (r.article_id, r.event.sentence_start) in shown:
            continue
        shown.add((r.article_id, r.event.sentence_start))
        src = Text("  • ")
        src.append(r.outlet or r.article_id, style="bold")
        if r.published:
            src.append(f" {r.published.isoformat()}", style="dim")
        src.append(f" {r.article_id[:12]}", style="dim")
        if r.copy_of:
            src.append(" (syndicated copy)", style="dim")
        text = texts.get(r.article_id)
        if text:
            src.append(": ")
            src.append(_short(text[r.event.sentence_start:r.event.sentence_end]))
        console.print(src)
