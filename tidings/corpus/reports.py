"""Reports: what one article says about a happening, ready to be merged into incidents.

A `Report` is one coded event of one article (doc.spans["events"][event_idx]) that asserts a
happening: modality "asserted" (MODALITIES), negated or not. Planned, demanded and hypothetical
events are not happenings and are left out. The report keeps the event, the article's outlet
and publication date, the syndicated-copy link, the figures its sentence gives ("killed 12
people" -> killed 12, read with tidings/data/incident_figures.toml; a figure goes to the event
of its sentence whose trigger is nearest) and the content words of its sentence. Actor and
target names the coder took from a place ("KHARKIV —" in a dateline, a town given as a target)
are dropped: a town that was a target, or that the coder gave as an actor ("Police in Dhaka"),
becomes the report's place; an event without a place takes the one town its part of the sentence
names. Actor names that say only what kind of actor it was ("gunmen", "police": `generic` in
tidings/data/incident_cues.toml) are keyed "role:" + name, which does not identify a happening;
an uncoded acronym ("BNP") takes the code of the article's entity it abbreviates. A sentence is
cut into parts at words that join two happenings ("a day after", "since"), and a report knows
its part (`segment`): only events of one part are one happening by virtue of their sentence.

    reports = reports_from_doc(doc, copy_of=canonical_or_None, story_id=story)
    report = make_report(ArticleMeta(id, outlet, published, text, places, entities), event, idx)

tidings/corpus/incidents.py merges reports into incidents.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from tidings.corpus.features import fold_name, load_stopwords, normalise_word
from tidings.records import Entity, Event, Place

log = logging.getLogger(__name__)

MODALITIES: frozenset[str] = frozenset({"asserted"})
"""Event modalities that report a happening; future, demanded and hypothetical events do not."""

FIGURES_FILE = "incident_figures.toml"
"""Data file (in tidings/data/) of the figures read from report sentences."""

CUES_FILE = "incident_cues.toml"
"""Data file (in tidings/data/) of generic actor names and of words that join two happenings
in one sentence."""

ROLE_PREFIX = "role:"
"""Prefix of the key of a generic actor name ("role:police"): see `identifying`."""


# --- records ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    """A number a report's sentence gives for the happening ("killing at least 8 people")."""

    what: str
    """Kind of figure, a table name of incident_figures.toml ("killed", "wounded", "arrested")."""
    value: int
    """The number."""
    qualifier: str | None = None
    """"at least", "about", ... when the text bounds or estimates the number."""
    start: int = 0
    """Start of the phrase in the article's `doc.text`."""
    end: int = 0
    """End of the phrase."""


@dataclass(frozen=True, slots=True)
class Report:
    """One article's report of a happening: one of its coded events, with where it was published."""

    article_id: str
    """The article's id."""
    event_idx: int
    """Position of the event in the article's doc.spans["events"]."""
    event: Event
    """The coded event (trigger and sentence offsets point into the article's text)."""
    outlet: str | None = None
    """The outlet that published the article."""
    published: dt.date | None = None
    """The article's publication date."""
    copy_of: str | None = None
    """The canonical article when this article is a syndicated copy of it."""
    story_id: str | None = None
    """The article's story when known (needed to merge undated reports)."""
    actors: tuple[str, ...] = ()
    """The event's actors, without names the coder took from a place."""
    actor_keys: tuple[str, ...] = ()
    """Actor identities compared across articles: the actor code, else "name:" + folded name."""
    targets: tuple[str, ...] = ()
    """The event's targets, without the place it happened at."""
    target_keys: tuple[str, ...] = ()
    """Target identities, as `actor_keys`."""
    place: str | None = None
    """Where it happened (the event's place, else a target that is a place)."""
    place_country: str | None = None
    """ISO 3166-1 alpha-2 code of the place's country, when the gazetteer gives one."""
    place_feature: str | None = None
    """Gazetteer feature of the place ("city", "region", ...), when known."""
    figures: tuple[Figure, ...] = ()
    """Figures its sentence gives."""
    words: tuple[str, ...] = ()
    """Normalised content words of its sentence (of its part, `segment`, when the sentence
    joins several happenings), sorted (for sentence similarity)."""
    segment: int = 0
    """Which part of its sentence the trigger is in, the sentence cut at words that join two
    happenings ("a day after"): events of one sentence are one happening only in one part."""

    @property
    def source(self) -> str:
        """The article this report stands for as a source: the canonical one for a copy."""
        return self.copy_of or self.article_id

    @property
    def identifying_actors(self) -> tuple[str, ...]:
        """Actor keys that say who acted (not a generic "role:police")."""
        return _identifying(self.actor_keys)

    @property
    def anchored(self) -> bool:
        """True when it names an actor, a target or a place (it can identify a happening)."""
        return bool(self.actor_keys or self.target_keys or self.place)

    @property
    def key(self) -> tuple[bool, dt.date, str, int]:
        """Order of reports: originals before copies, then earliest published, article, event."""
        return (self.copy_of is not None, self.published or dt.date.max, self.article_id,
                self.event_idx)


@lru_cache(maxsize=65536)
def _identifying(actor_keys: tuple[str, ...]) -> tuple[str, ...]:
    # Memoised: merging asks every report of a candidate incident for it, a million times per
    # thousand articles, and the same few key tuples recur.
    return tuple(k for k in actor_keys if not k.startswith(ROLE_PREFIX))


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """The parts of an article reports are made from, when the Doc is not at hand."""

    id: str
    """Article id."""
    outlet: str | None = None
    """Publishing outlet."""
    published: dt.date | None = None
    """Publication date."""
    text: str = ""
    """The cleaned text the events point into ("" when unavailable: no figures or words)."""
    places: tuple[Place, ...] = ()
    """The article's places (to know a place's country and which names are places)."""
    entities: tuple[Entity, ...] = ()
    """The article's entities (to tell actors from places and datelines)."""

    @property
    def spans(self) -> dict[str, list[Any]]:
        return {"places": list(self.places), "entities": list(self.entities)}


# --- figures ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _FigurePatterns:
    patterns: tuple[tuple[re.Pattern[str], dict[str, str]], ...]
    forms: tuple[re.Pattern[str], ...]
    """For each pattern, its verbs, nouns or tolls alone: a sentence without one cannot match
    the pattern, and finding a word is far cheaper than trying the pattern (whose number part
    tries every position of the sentence)."""
    numbers: dict[str, int]
    any_number: re.Pattern[str]
    """A digit or a number word: a sentence without one has no figure (a cheap pre-check; the
    patterns cost about a millisecond per sentence)."""


@lru_cache(maxsize=1)
def _figure_patterns() -> _FigurePatterns:
    text = resources.files("tidings.data").joinpath(FIGURES_FILE).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    numbers = {str(k).lower(): int(v) for k, v in data.get("numbers", {}).items()}
    quals = sorted(data.get("qualifiers", {}).get("words", []), key=len, reverse=True)
    between = int(data.get("words", {}).get("between", 3))
    words = sorted(numbers, key=len, reverse=True)
    word_num = "|".join(re.escape(w) for w in words)
    num = rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+|(?:{word_num})(?:-(?:{word_num}))?)"
    qual = rf"(?:(?P<qual>{'|'.join(re.escape(q) for q in quals)})\s+)?"
    unit = r"(?!\s*(?:%|percent|per\s+cent|km|kilomet|miles?\b|years?\b|months?\b|weeks?\b|" \
           r"days?\b|hours?\b|minutes?\b|[ap]\.?m\b|gmt\b|o'clock))"
    link = rf"(?:(?!(?:and|or|but|while|as|after|before)\b)[a-z'-]+\s+){{0,{between}}}?"
    out: list[tuple[re.Pattern[str], dict[str, str]]] = []
    forms_only: list[re.Pattern[str]] = []

    def alt(forms: Iterable[str]) -> str:
        return "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in sorted(forms, key=len, reverse=True))

    tables = data.get("figures", {})
    kinds = [("verbs_before", "verbs"), ("tolls", "tolls"), ("verbs_after", "verbs"), ("nouns", "nouns")]
    for kind, key in kinds:
        for name, table in tables.items():
            forms = [str(f).lower() for f in table.get(key, [])]
            if not forms:
                continue
            if kind == "verbs_before":
                source = rf"\b(?:{alt(forms)})\s+{qual}{num}\b{unit}"
            elif kind == "tolls":
                source = rf"\b(?:{alt(forms)})\s+(?:[a-z]+\s+){{0,3}}?(?:to|at|of)\s+{qual}{num}\b{unit}"
            elif kind == "verbs_after":
                source = rf"{qual}\b{num}\s+{link}(?:{alt(forms)})\b"
            else:
                source = rf"{qual}\b{num}\s+(?:people\s+|persons\s+)?(?:{alt(forms)})\b"
            out.append((re.compile(source, re.IGNORECASE), {"what": name}))
            forms_only.append(re.compile(alt(forms), re.IGNORECASE))
    return _FigurePatterns(tuple(out), tuple(forms_only), numbers,
                           re.compile(rf"\d|\b(?:{word_num})\b", re.IGNORECASE))


def _number(token: str, numbers: Mapping[str, int]) -> int | None:
    t = token.lower().replace(",", "")
    if t.isdigit():
        return int(t)
    if t in numbers:
        return numbers[t]
    if "-" in t:  # "twenty-five"
        head, _, tail = t.partition("-")
        if head in numbers and tail in numbers:
            return numbers[head] + numbers[tail]
    return None


def find_figures(text: str, start: int = 0, end: int | None = None) -> list[Figure]:
    """Figures written in `text[start:end]` (a report's sentence), with offsets into `text`.

    One figure per number: the first pattern kind that reads it wins (a verb before the number,
    a toll, a verb after it, a noun after it). Four-digit numbers without a comma from 1900 to
    2100 are years, not figures.
    """
    end = len(text) if end is None else end
    span = text[start:end]
    fp = _figure_patterns()
    if not fp.any_number.search(span):
        return []
    found: dict[tuple[int, int], Figure] = {}
    for (pattern, info), forms in zip(fp.patterns, fp.forms):
        if not forms.search(span):
            continue
        for m in pattern.finditer(span):
            num_span = m.span("num")
            if num_span in found:
                continue
            token = m.group("num")
            value = _number(token, fp.numbers)
            if value is None or (token.isdigit() and len(token) == 4 and 1900 <= value <= 2100):
                continue
            qual = m.group("qual")
            found[num_span] = Figure(info["what"], value, qual.lower() if qual else None,
                                     start + m.start(), start + m.end())
    return sorted(found.values(), key=lambda f: (f.start, f.what))


# --- dates --------------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T[\d:.]+)?$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


DatePrecision = Literal["day", "week", "month", "year"]
"""How much of a date value is known."""

PRECISION_ORDER: Mapping[str, int] = {"day": 0, "week": 1, "month": 2, "year": 3}
"""Finer precisions first."""


def date_bounds(value: str | None) -> tuple[dt.date, dt.date, DatePrecision] | None:
    """The first and last day a date value can mean, and its precision: "2024-07" is July 1-31
    ("month"), "2024-W28" the seven days of ISO week 28 ("week"); a time ("2024-07-02T10:00")
    is its day. None for values that are not calendar dates (empty, "PAST_REF", durations)."""
    if not value:
        return None
    m = _DATE.match(value)
    try:
        if m:
            year, month, day = m.group(1), m.group(2), m.group(3)
            if day:
                d = dt.date(int(year), int(month), int(day))
                return d, d, "day"
            if month:
                first = dt.date(int(year), int(month), 1)
                nxt = (first + dt.timedelta(days=32)).replace(day=1)
                return first, nxt - dt.timedelta(days=1), "month"
            return dt.date(int(year), 1, 1), dt.date(int(year), 12, 31), "year"
        w = _WEEK.match(value)
        if w:
            monday = dt.date.fromisocalendar(int(w.group(1)), int(w.group(2)), 1)
            return monday, monday + dt.timedelta(days=6), "week"
    except ValueError:
        return None
    return None


def date_contains(a: str, b: str) -> bool:
    """True when date value `a` covers all the days of `b` ("2024-07" covers "2024-07-02")."""
    ba, bb = date_bounds(a), date_bounds(b)
    return ba is not None and bb is not None and ba[0] <= bb[0] and bb[1] <= ba[1]


# --- reports ------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def sentence_words(text: str) -> tuple[str, ...]:
    """Normalised content words of a sentence, sorted (stopwords and short words dropped)."""
    stop = load_stopwords()
    words = set()
    for m in _WORD.finditer(text):
        w = normalise_word(m.group())
        if len(w) >= 3 and w not in stop and m.group().lower() not in stop:
            words.add(w)
    return tuple(sorted(words))


@dataclass(frozen=True, slots=True)
class _Cues:
    generic: frozenset[str]
    separators: re.Pattern[str] | None


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    text = resources.files("tidings.data").joinpath(CUES_FILE).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    generic = frozenset(fold_name(str(w)) for w in data.get("actors", {}).get("generic", []))
    seps = sorted((str(w).lower() for w in data.get("sentences", {}).get("separators", [])),
                  key=len, reverse=True)
    pattern = None
    if seps:
        alt = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in seps)
        pattern = re.compile(rf"\b(?:{alt})\b", re.IGNORECASE)
    return _Cues(generic, pattern)


def actor_key(name: str, code: str | None) -> str:
    """How an actor is compared across articles: its code, else "role:" + its folded name for a
    generic name ("police", `generic` in tidings/data/incident_cues.toml), else "name:" + it."""
    if code:
        return code
    folded = fold_name(name)
    folded_bare = folded[4:] if folded.startswith("the ") else folded
    if folded_bare in _cues().generic:
        return ROLE_PREFIX + folded_bare
    return "name:" + folded


def segment_of(text: str, sentence_start: int, position: int) -> int:
    """The part of the sentence starting at `sentence_start` that `position` lies in: the number
    of happening-joining words ("a day after", "since") between the two."""
    pattern = _cues().separators
    if pattern is None or position <= sentence_start:
        return 0
    return sum(1 for _ in pattern.finditer(text, sentence_start, position))


def _segment_bounds(text: str, start: int, end: int, position: int) -> tuple[int, int]:
    """Start and end of the part of text[start:end] (a sentence) that `position` lies in."""
    pattern = _cues().separators
    lo, hi = start, end
    if pattern is None:
        return lo, hi
    for m in pattern.finditer(text, start, end):
        if m.end() <= position:
            lo = m.end()
        elif m.start() >= position:
            hi = m.start()
            break
    return lo, hi


ACRONYM = re.compile(r"^[A-Z]{2,6}$")
"""An uncoded actor name that may abbreviate an entity of the article ("BNP")."""


def _initials(name: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", name) if w[0].isupper())


def _acronym_codes(entities: Sequence[Entity], events: Sequence[Event]) -> dict[str, str]:
    """Acronym -> code of the article's coded names it abbreviates (the initials of the name's
    capitalised words, "Bangladesh Nationalist Party" -> "BNP"): entities with a code, and the
    actors and targets the coder gave a code; ambiguous acronyms left out."""
    named = [(e.canonical, e.code) for e in entities if e.code]
    for e in events:
        named += zip(e.actors, e.actor_codes)
        named += zip(e.targets, e.target_codes)
    found: dict[str, set[str]] = {}
    for name, code in named:
        if code and len(name.split()) >= 2:
            found.setdefault(_initials(name), set()).add(code)
    return {k: next(iter(v)) for k, v in found.items() if len(v) == 1 and len(k) >= 2}


ACTOR_KINDS: frozenset[str] = frozenset(
    {"country", "government", "igo", "armed_group", "party", "organisation", "media"})
"""Entity kinds that make a name an actor even where it is also a place name ("Kosovo"), when
the entity resolver also gave it a code (a name it merely guessed the kind of does not count)."""


def _not_actors(article: Any, places: Sequence[Place]) -> set[str]:
    """Folded names the coder may give as actors or targets that are really places: places
    below country level and names in capitals at the start (a dateline, "KHARKIV, Ukraine —"),
    unless a coded entity of an actor kind has that name."""
    text = getattr(article, "text", "") or ""
    entities = (getattr(article, "spans", {}) or {}).get("entities", [])
    actor_names = {fold_name(e.canonical) for e in entities if e.kind in ACTOR_KINDS and e.code}
    out = set()
    for p in places:
        names = {fold_name(p.name)}
        if text and p.end <= len(text):
            names.add(fold_name(text[p.start:p.end]))
        if p.feature != "country":
            out |= names - actor_names
    out |= {n for n in _capital_words(text) if n not in actor_names}
    return out


def _capital_words(text: str) -> set[str]:
    head = text[:DATELINE_CHARS]
    return {fold_name(m.group()) for m in re.finditer(r"\b[A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+)*\b", head)
            if len(m.group()) > 3}


DATELINE_CHARS = 80
"""Characters at the start of an article searched for a dateline in capitals."""


def _nearest(events: Sequence[Event], event: Event, figure: Figure) -> bool:
    """True when `event`'s trigger is the one of `events` (its sentence's) nearest `figure`."""
    def distance(e: Event) -> int:
        if e.start < figure.end and figure.start < e.end:
            return 0
        return min(abs(e.start - figure.end), abs(figure.start - e.end))

    peers = [e for e in events if e.sentence_start == event.sentence_start] or [event]
    best = min(distance(e) for e in peers)
    return distance(event) == best


def make_report(article: Any, event: Event, event_idx: int, *, copy_of: str | None = None,
                story_id: str | None = None, modalities: frozenset[str] = MODALITIES,
                sentence_events: Sequence[Event] = ()) -> Report | None:
    """The report of `event` (doc.spans["events"][event_idx] of `article`), or None when its
    modality is not one of `modalities` (it reports no happening).

    `article` is a Doc or an `ArticleMeta`: its places give the place's country and, with its
    entities, tell place names and datelines from actors. `sentence_events` are the article's
    other events (any or all): a figure of the sentence goes to the event whose trigger is
    nearest it, so "attacked Baidoa, killing four, a day after it attacked Beledweyne" does not
    give Beledweyne's attack four dead.
    """
    if event.modality not in modalities:
        return None
    text = getattr(article, "text", "") or ""
    spans = getattr(article, "spans", {}) or {}
    places: list[Place] = list(spans.get("places", []))
    not_actors = _not_actors(article, places)

    acronyms = _acronym_codes(spans.get("entities", []), [*sentence_events, event])

    def keep(names: tuple[str, ...], codes: tuple[str, ...]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for i, name in enumerate(names):
            code = codes[i] if i < len(codes) else ""
            if not code and ACRONYM.match(name):
                code = acronyms.get(name, "")
            key = actor_key(name, code)
            if fold_name(name) not in not_actors and key not in {k for _, k in out}:
                out.append((name, key))
        return out

    # where: the coder's place, else a target that is a place ("attacked Dori"), else a town it
    # gave as an actor and the sentence names ("Police in Dhaka detained ..."), else the town the
    # trigger's part of the sentence names
    in_sentence = [p for p in places
                   if event.sentence_start <= p.start and p.end <= event.sentence_end]
    place_name = event.place or next(
        (t for t in event.targets if fold_name(t) in not_actors), None) or next(
        (a for a in event.actors if fold_name(a) in not_actors
         and any(fold_name(p.name) == fold_name(a) for p in in_sentence)), None)
    if place_name is None and text:
        mentions = [e for e in spans.get("entities", []) if e.kind in ACTOR_KINDS and e.code]
        place_name = _sentence_place(text, event, places, mentions)
    place = next((p for p in places if place_name and fold_name(p.name) == fold_name(place_name)), None)
    actors = keep(event.actors, event.actor_codes)
    targets = keep(event.targets, event.target_codes)
    sentence = text[event.sentence_start:event.sentence_end] if text else ""
    figures = find_figures(text, event.sentence_start, event.sentence_end) if text else []
    if sentence_events:
        figures = [f for f in figures if _nearest([*sentence_events, event], event, f)]
    return Report(
        article_id=article.id,
        event_idx=event_idx,
        event=event,
        outlet=getattr(article, "outlet", None),
        published=getattr(article, "published", None),
        copy_of=copy_of if copy_of != article.id else None,
        story_id=story_id,
        actors=tuple(n for n, _ in actors),
        actor_keys=tuple(k for _, k in actors),
        targets=tuple(n for n, _ in targets),
        target_keys=tuple(k for _, k in targets),
        place=place.name if place else place_name,
        place_country=place.country if place else None,
        place_feature=place.feature if place else None,
        figures=tuple(figures),
        words=sentence_words(text[slice(*_segment_bounds(
            text, event.sentence_start, event.sentence_end, event.start))] if text else ""),
        segment=segment_of(text, event.sentence_start, event.start) if text else 0,
    )


def _sentence_place(text: str, event: Event, places: Sequence[Place],
                    actor_mentions: Sequence[Entity]) -> str | None:
    """The one place below country level named in the part of the event's sentence its trigger
    is in (the coder gives no place for "police opened fire on the crowd" after "marched on
    parliament in Nairobi"), or None when that part names none or several. A place name inside
    a mention of a coded actor ("Moscow launched its invasion": Russia) is not a place here."""
    lo, hi = _segment_bounds(text, event.sentence_start, event.sentence_end, event.start)
    names = {p.name for p in places if lo <= p.start and p.end <= hi and p.feature != "country"
             and not any(a.start <= p.start and p.end <= a.end for a in actor_mentions)}
    return names.pop() if len(names) == 1 else None


def reports_from_doc(doc: Any, *, copy_of: str | None = None, story_id: str | None = None,
                     modalities: frozenset[str] = MODALITIES) -> list[Report]:
    """Reports of every happening-reporting event of a processed Doc (in event order)."""
    out = []
    events = doc.spans.get("events", [])
    for i, event in enumerate(events):
        r = make_report(doc, event, i, copy_of=copy_of, story_id=story_id, modalities=modalities,
                        sentence_events=events)
        if r is not None:
            out.append(r)
    return out
