"""Read queries over the typed span tables, shared by the CLI and the web layer."""

from __future__ import annotations

import json
from dataclasses import dataclass

from tidings.records import Negotiation, from_dict
from tidings.store.store import Store


@dataclass(frozen=True, slots=True)
class QuoteRow:
    """One stored quote with the article it came from."""

    article_id: str
    """Id of the article the quote is in."""
    published: str | None
    """Publication date of that article (ISO)."""
    outlet: str | None
    """Outlet of that article."""
    speaker: str | None
    """Canonical speaker name or anonymous description."""
    speaker_named: bool
    """False for anonymous sources."""
    affiliation: str | None
    """Canonical actor the speaker belongs to."""
    kind: str
    """direct, partial, indirect or refusal (declined to comment; the content is the topic)."""
    date: str | None
    """When it was said (ISO), see `date_source`."""
    date_source: str
    """sentence, publication or none."""
    medium: str | None
    """Outlet the speaker talked to, when the text says."""
    content: str
    """The quoted words, sliced from the article's cleaned text."""
    start: int
    """Offset of the content in the article's text."""
    end: int
    """End offset of the content in the article's text."""


@dataclass(frozen=True, slots=True)
class EntityRow:
    """An actor with how often and where it is mentioned."""

    canonical: str
    """Canonical actor name."""
    kind: str
    """Actor kind (person, country, ...)."""
    code: str | None
    """Actor code (ISO-3 for countries)."""
    mentions: int
    """Number of mentions across stored articles."""
    articles: int
    """Number of distinct articles mentioning it."""


def list_quotes(
    store: Store, speaker: str | None = None, affiliation: str | None = None,
    contains: str | None = None, limit: int = 100, kind: str | None = None,
) -> list[QuoteRow]:
    """Quotes, newest article first; `speaker`/`affiliation` match case-insensitively as substrings,
    `kind` exactly."""
    where, params = [], []
    if kind:
        where.append("q.kind = ?")
        params.append(kind)
    if speaker:
        where.append("q.speaker LIKE ?")
        params.append(f"%{speaker}%")
    if affiliation:
        where.append("q.affiliation LIKE ?")
        params.append(f"%{affiliation}%")
    if contains:
        where.append("instr(lower(substr(a.text, q.start + 1, q.\"end\" - q.start)), lower(?)) > 0")
        params.append(contains)
    sql = (
        "SELECT q.article_id, a.published, a.outlet, q.speaker, q.speaker_named, q.affiliation, q.kind, "
        "q.date, q.date_source, q.medium, substr(a.text, q.start + 1, q.\"end\" - q.start), q.start, q.\"end\" "
        "FROM spans_quotes q JOIN articles a ON a.id = q.article_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY a.published DESC, q.article_id, q.idx LIMIT ?"
    )
    rows = store.execute(sql, (*params, limit)).fetchall()
    return [QuoteRow(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7], r[8] or "none", r[9], r[10], r[11], r[12])
            for r in rows]


@dataclass(frozen=True, slots=True)
class AttitudeRow:
    """One stored attitude (belief, desire, intention, perception, emotion) with its article."""

    article_id: str
    """Id of the article the attitude is in."""
    published: str | None
    """Publication date of that article (ISO)."""
    holder: str | None
    """Canonical holder name or anonymous description; None when a pronoun found no antecedent."""
    holder_named: bool
    """True for a named person or organisation."""
    holder_text: str
    """The holder mention as written ("he", "Many buyers")."""
    affiliation: str | None
    """Canonical actor the holder belongs to."""
    type: str
    """belief, desire, intention, perception or emotion."""
    cue: str
    """The attitude verb as written."""
    negated: bool
    """True when the text says the attitude is not held."""
    date: str | None
    """When it was reported held (ISO)."""
    content: str
    """What is believed, wanted, decided ..., sliced from the article's text."""
    start: int
    """Offset of the content in the article's text."""
    end: int
    """End offset of the content."""


def list_attitudes(
    store: Store, holder: str | None = None, affiliation: str | None = None, type_: str | None = None,
    lemma: str | None = None, negated: bool | None = None, contains: str | None = None, limit: int = 100,
) -> list[AttitudeRow]:
    """Attitudes, newest article first; `holder`/`affiliation` match case-insensitively as
    substrings, `type_`/`lemma` exactly, `negated` True/False filters (None: both)."""
    where: list[str] = []
    params: list[str | int] = []
    for column, value in (("t.holder", holder), ("t.affiliation", affiliation)):
        if value:
            where.append(f"{column} LIKE ?")
            params.append(f"%{value}%")
    for column, value in (("t.type", type_), ("t.lemma", lemma)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if negated is not None:
        where.append("t.negated = ?")
        params.append(int(negated))
    if contains:
        where.append("instr(lower(substr(a.text, t.start + 1, t.\"end\" - t.start)), lower(?)) > 0")
        params.append(contains)
    sql = (
        "SELECT t.article_id, a.published, t.holder, t.holder_named, "
        "substr(a.text, t.holder_start + 1, t.holder_end - t.holder_start), t.affiliation, t.type, "
        "substr(a.text, t.cue_start + 1, t.cue_end - t.cue_start), t.negated, t.date, "
        "substr(a.text, t.start + 1, t.\"end\" - t.start), t.start, t.\"end\" "
        "FROM spans_attitudes t JOIN articles a ON a.id = t.article_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY a.published DESC, t.article_id, t.idx LIMIT ?"
    )
    rows = store.execute(sql, (*params, limit)).fetchall()
    return [AttitudeRow(r[0], r[1], r[2], bool(r[3]), r[4], r[5], r[6], r[7], bool(r[8]), r[9], r[10], r[11], r[12])
            for r in rows]


def list_entities(store: Store, kind: str | None = None, limit: int = 100) -> list[EntityRow]:
    """Actors by number of mentions, most mentioned first."""
    sql = (
        "SELECT canonical, kind, code, count(*), count(DISTINCT article_id) FROM spans_entities"
        + (" WHERE kind = ?" if kind else "")
        + " GROUP BY canonical, kind, code ORDER BY count(*) DESC, canonical LIMIT ?"
    )
    params = (kind, limit) if kind else (limit,)
    return [EntityRow(*r) for r in store.execute(sql, params).fetchall()]


@dataclass(frozen=True, slots=True)
class EventRow:
    """One stored event with the article it came from."""

    article_id: str
    """Id of the article the event is in."""
    outlet: str | None
    """Outlet of that article."""
    published: str | None
    """Publication date of that article (ISO)."""
    date: str | None
    """When the event happened (ISO or TIMEX value), see `date_source`."""
    date_source: str
    """clause, sentence, governing, publication or none."""
    type: str
    """PLOVER event type."""
    negated: bool
    """True when the text says the event did not happen."""
    modality: str
    """asserted, hypothetical, future or demanded."""
    actors: list[str]
    """Canonical actor names."""
    targets: list[str]
    """Canonical target names."""
    place: str | None
    """Place of the event, when the sentence names one."""
    sentence: str
    """The sentence the event was coded from."""


def list_events(
    store: Store, type: str | None = None, actor: str | None = None, target: str | None = None,
    since: str | None = None, until: str | None = None, limit: int = 100,
) -> list[EventRow]:
    """Events in event-date order (undated last); `since`/`until` compare ISO event dates."""
    where, params = [], []
    if type:
        where.append("e.type = ?")
        params.append(type.upper())
    if actor:
        where.append("EXISTS (SELECT 1 FROM json_each(e.actors) WHERE value LIKE ?)")
        params.append(f"%{actor}%")
    if target:
        where.append("EXISTS (SELECT 1 FROM json_each(e.targets) WHERE value LIKE ?)")
        params.append(f"%{target}%")
    if since:
        where.append("e.date >= ?")
        params.append(since)
    if until:
        where.append("substr(e.date, 1, length(?)) <= ?")
        params.extend([until, until])
    sql = (
        "SELECT e.article_id, a.outlet, a.published, e.date, e.date_source, e.type, e.negated, e.modality, "
        "e.actors, e.targets, e.place, substr(a.text, e.sentence_start + 1, e.sentence_end - e.sentence_start) "
        "FROM spans_events e JOIN articles a ON a.id = e.article_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY e.date IS NULL, e.date, e.article_id, e.idx LIMIT ?"
    )
    rows = store.execute(sql, (*params, limit)).fetchall()
    return [EventRow(r[0], r[1], r[2], r[3], r[4] or "none", r[5], bool(r[6]), r[7],
                     json.loads(r[8] or "[]"), json.loads(r[9] or "[]"), r[10], (r[11] or "").strip()) for r in rows]


@dataclass(frozen=True, slots=True)
class StoryRow:
    """A story as listed: label, dates and counts."""

    id: str
    """Stable story id."""
    label: str
    """Main actors, keywords and place."""
    first_date: str | None
    """Earliest publication date of its articles (ISO)."""
    last_date: str | None
    """Latest publication date of its articles (ISO)."""
    articles: int
    """Articles in the story, copies included."""
    outlets: int
    """Distinct outlets."""
    copies: int
    """Syndicated copies among its articles."""


def list_stories(store: Store, since: str | None = None, limit: int = 100) -> list[StoryRow]:
    """Stories, newest activity first."""
    where = " WHERE last_date >= ?" if since else ""
    params: tuple[object, ...] = (since, limit) if since else (limit,)
    rows = store.execute(
        "SELECT id, label, first_date, last_date, articles, outlets, copies FROM stories"
        + where + " ORDER BY last_date IS NULL, last_date DESC, articles DESC, id LIMIT ?", params).fetchall()
    return [StoryRow(*r) for r in rows]


def list_negotiations(store: Store, party: str | None = None, limit: int = 20) -> list[tuple[str, str | None, Negotiation]]:
    """`(article id, publication date, Negotiation)` for stored negotiation records, newest
    article first; `party` keeps those naming a party or mediator containing it."""
    rows = store.execute(
        "SELECT s.article_id, a.published, s.data FROM spans s JOIN articles a ON a.id = s.article_id "
        "WHERE s.grp = 'negotiation' ORDER BY a.published DESC, s.article_id, s.idx").fetchall()
    out = []
    for article_id, published, data in rows:
        record = from_dict(Negotiation, json.loads(data))
        names = [*record.parties, *record.mediators]
        if party and not any(party.casefold() in n.casefold() for n in names):
            continue
        out.append((article_id, published, record))
        if len(out) >= limit:
            break
    return out
