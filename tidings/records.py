"""Typed, immutable records for what tidings reads and extracts.

Every record that points into an article's text carries `start`/`end` character offsets into
`doc.text` (or, for `Removal`, into `doc.raw`); the covered text is derived from the Doc,
never stored twice. Records convert to and from plain JSON-able dicts without loss.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from dataclasses import dataclass
from collections.abc import Callable
from typing import Any, Literal, TypeVar, get_args, get_origin, get_type_hints

Precision = Literal["day", "month", "year", "unknown"]
"""How much of a publication date is known."""

RemovalReason = Literal[
    "date-header",
    "link-line",
    "promo",
    "share",
    "newsletter",
    "cookie",
    "photo-credit",
    "banner",
    "repeated-text",
    "markup",
    "whitespace",
]
"""Why a piece of the raw input is not part of the cleaned text."""


@dataclass(frozen=True, slots=True)
class Removal:
    """A piece of the raw input that cleaning dropped, and why."""

    start: int
    """Offset of the first removed character in `doc.raw`."""
    end: int
    """Offset one past the last removed character in `doc.raw`."""
    reason: RemovalReason
    """Which rule removed it (one of `RemovalReason`)."""
    rule: str = ""
    """The name of the pattern or heuristic that matched, for debugging and tuning."""


@dataclass(frozen=True, slots=True)
class Segment:
    """One piece of the offset map: `text[text_start:text_end]` came from `raw[raw_start:raw_end]`.

    When both lengths are equal the piece is a verbatim copy and offsets map one to one;
    otherwise the text piece replaces the raw piece (e.g. a run of whitespace folded to one
    space) and any offset inside it maps to the raw piece's bounds.
    """

    text_start: int
    """Start of the piece in `doc.text`."""
    text_end: int
    """End of the piece in `doc.text`."""
    raw_start: int
    """Start of the source of the piece in `doc.raw`."""
    raw_end: int
    """End of the source of the piece in `doc.raw`."""


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where an article came from, for error messages and provenance."""

    path: str
    """File path as given by the user (`-` for standard input)."""
    line: int | None = None
    """1-based line number for line-oriented formats (JSON Lines), else None."""
    record: int | None = None
    """0-based record index inside a container format (WARC, feed, JSON array), else None."""

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        elif self.record is not None:
            where += f"#{self.record}"
        return where


# --- JSON conversion -------------------------------------------------------------------------

R = TypeVar("R")


_SCALARS = (str, int, float, bool, type(None))


def to_dict(record: Any) -> dict[str, Any]:
    """Turn a record dataclass into a JSON-able dict (dates as ISO strings, tuples as lists)."""
    return {name: _to_json(getattr(record, name)) for name in _field_names(type(record))}  # type: ignore[arg-type]  # classes are hashable


@functools.lru_cache(maxsize=None)
def _field_names(cls: Any) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _to_json(value: Any) -> Any:
    # Ordered by frequency: this runs for every field of every record written to the store.
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    if hasattr(type(value), "__dataclass_fields__"):
        return to_dict(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    return value


def from_dict(cls: type[R], data: dict[str, Any]) -> R:
    """Rebuild a record of type `cls` from `to_dict` output; unknown keys are an error, missing
    ones take their defaults."""
    return record_decoder(cls)(data)  # type: ignore[arg-type,no-any-return]  # classes are hashable


@functools.lru_cache(maxsize=None)
def record_decoder(cls: type) -> Callable[[dict[str, Any]], Any]:
    """The function behind `from_dict(cls, ...)`, built once per record class: the type hints are
    read here, not for every value (decoding stored Docs and reports is on hot paths)."""
    hints = get_type_hints(cls)
    names = frozenset(f.name for f in dataclasses.fields(cls))
    converters = {name: _converter(hints[name]) for name in names}

    def decode(data: dict[str, Any]) -> Any:
        if not names.issuperset(data):
            unknown = set(data) - names
            raise ValueError(f"{cls.__name__}: unknown field(s) {sorted(unknown)}")
        return cls(**{name: converters[name](value) for name, value in data.items()})

    return decode


def _identity(value: Any) -> Any:
    return value


def _converter(hint: Any) -> Callable[[Any], Any]:
    """How a JSON value of a field with type `hint` becomes the field's value (None stays None)."""
    origin = get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        return _converter(options[0]) if len(options) == 1 else _identity
    if origin is tuple or origin is list:
        args = get_args(hint)
        inner = _converter(args[0] if args else Any)
        kind = tuple if origin is tuple else list
        if inner is _identity:
            return lambda v: None if v is None else kind(v)
        return lambda v: None if v is None else kind([inner(x) for x in v])
    if hint is dt.date:
        return lambda v: None if v is None else dt.date.fromisoformat(v)
    if hint is dt.datetime:
        return lambda v: None if v is None else dt.datetime.fromisoformat(v)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        nested = record_decoder(hint)
        return lambda v: None if v is None else nested(v)
    return _identity


# --- Extracted facts (span groups) -----------------------------------------------------------
# Records never have a field named `text`: the covered text is derived from the Doc.

ActorKind = Literal[
    "person",
    "country",
    "government",
    "organisation",
    "igo",
    "armed_group",
    "party",
    "media",
    "location",
    "product",
    "other",
]
"""What kind of actor a mention refers to ("location" and "product" are not actors: the entities
stage reports them only when asked to, see `tidings.extract.entities.find_entities`)."""


@dataclass(frozen=True, slots=True)
class Entity:
    """A mention of an actor (person, country, organisation, group, outlet) in `doc.text`."""

    start: int
    """Start of the mention in `doc.text`."""
    end: int
    """End of the mention in `doc.text`."""
    canonical: str
    """The actor's canonical name ("United States" for "U.S.", "Osama Hamdan" for "Hamdan")."""
    kind: ActorKind
    """What kind of actor it is."""
    code: str | None = None
    """ISO-3 code for countries and governments; a stable tidings id otherwise; None if unknown."""
    role: str | None = None
    """For persons: the role the text gives ("official", "senior official", "president")."""
    affiliation: str | None = None
    """Canonical name of the actor a person speaks or acts for ("Hamas"), when the text says."""
    ner_label: str | None = None
    """The spaCy NER label that proposed the mention (PERSON, ORG, GPE, NORP, ...), if any."""
    resolved_by: Literal["gazetteer", "ner", "alias", "surname", "context"] = "ner"
    """How the canonical name was found."""


TimeType = Literal["DATE", "TIME", "DURATION", "SET"]
"""TIMEX3 types."""


@dataclass(frozen=True, slots=True)
class TimeRef:
    """A time expression in `doc.text`, normalised to a TIMEX3 value."""

    start: int
    """Start of the expression in `doc.text`."""
    end: int
    """End of the expression in `doc.text`."""
    type: TimeType
    """TIMEX3 type: DATE, TIME, DURATION or SET."""
    value: str
    """TIMEX3 value ("2024-08-25", "2024-07", "P16D", "PXM", "FUTURE_REF", "XXXX-WXX-5");
    empty when the expression needs a publication date that is unknown."""
    anchor: Literal["absolute", "publication", "unresolved"] = "absolute"
    """What the value rests on: the expression alone, the publication date, or nothing known."""
    mod: str | None = None
    """TIMEX3 mod (EARLY, MID, LATE, APPROX, ...) when the text gives one."""


@dataclass(frozen=True, slots=True)
class Place:
    """A place mention resolved to a gazetteer entry with coordinates."""

    start: int
    """Start of the mention in `doc.text`."""
    end: int
    """End of the mention in `doc.text`."""
    name: str
    """Canonical place name from the gazetteer."""
    country: str | None
    """ISO 3166-1 alpha-2 code of the country the place is in ("PS", "EG")."""
    lat: float
    """Latitude in decimal degrees (WGS84)."""
    lon: float
    """Longitude in decimal degrees (WGS84)."""
    feature: Literal[
        "country", "region", "city", "corridor", "crossing", "camp", "border", "area", "other"
    ] = "other"
    """Feature type."""
    gazetteer_id: str = ""
    """Stable id in its gazetteer ("geonames:360630", "tidings:philadelphi-corridor")."""
    chosen_by: Literal["unique", "country-context", "population", "curated"] = "unique"
    """How an ambiguous name was resolved."""


@dataclass(frozen=True, slots=True)
class Quote:
    """Something a speaker said, direct or reported, with the speaker as precisely as known."""

    start: int
    """Start of the quoted content in `doc.text` (inside the quote marks for direct quotes)."""
    end: int
    """End of the quoted content in `doc.text`."""
    kind: Literal["direct", "partial", "indirect", "refusal"]
    """A full direct quote, a fragment in quote marks, reported (indirect) speech, or a refusal
    to speak ("declined to comment", "did not respond to a request for comment": negated
    speech; `start`/`end` cover the topic where the text gives one, else the refusal clause)."""
    speaker: str | None
    """Canonical name of a named speaker, or the description of an anonymous one
    ("a senior U.S. official"); None when no speaker is found."""
    speaker_named: bool = False
    """True when the speaker is a named person or organisation, False for anonymous sources."""
    speaker_start: int | None = None
    """Start in `doc.text` of the mention that introduced the speaker, where the text names one."""
    speaker_end: int | None = None
    """End in `doc.text` of that speaker mention."""
    affiliation: str | None = None
    """Canonical actor the speaker belongs to ("United States", "Hamas")."""
    cue: str | None = None
    """Lemma of the reporting verb ("say", "tell", "describe")."""
    medium: str | None = None
    """Outlet the speaker talked to ("Reuters", "Al-Aqsa TV"), when the text says."""
    date: str | None = None
    """When it was said (ISO date), from the sentence, else the publication date."""
    date_source: Literal["sentence", "publication", "none"] = "none"
    """Where `date` came from."""


AttitudeType = Literal["belief", "desire", "intention", "perception", "emotion"]
"""The kind of mental state an attitude word reports: belief (think, expect, know), desire
(want, hope), intention or decision (decide, plan, choose), perception or experience
(experience, notice), emotion (love, fear, hate)."""


@dataclass(frozen=True, slots=True)
class Attitude:
    """What someone believes, wants, decides, perceives or feels, as the text reports it (not
    speech: that is a `Quote`)."""

    start: int
    """Start of the content in `doc.text`: the complement clause or object ("to step down from
    his post as CEO", "the Beatles")."""
    end: int
    """End of the content in `doc.text`."""
    type: AttitudeType
    """belief, desire, intention, perception or emotion (from tidings/data/attitude_verbs.toml)."""
    lemma: str
    """Lemma of the attitude verb ("decide", "want", "love")."""
    cue_start: int
    """Start of the attitude verb in `doc.text` (its text is derived, never stored)."""
    cue_end: int
    """End of the attitude verb in `doc.text`."""
    holder: str | None
    """Canonical name of a named holder, the description of an anonymous one ("many buyers"),
    the quote's speaker for "I"/"we" inside a quote; None when a pronoun finds no antecedent."""
    holder_start: int
    """Start in `doc.text` of the holder mention as written (a pronoun stays the pronoun)."""
    holder_end: int
    """End of the holder mention."""
    holder_named: bool = False
    """True when the holder is a named person or organisation."""
    holder_kind: Literal["person", "group", "organisation", "unknown"] = "unknown"
    """Person, group of people, organisation (country, company, armed group ...), or unknown."""
    affiliation: str | None = None
    """Canonical actor the holder belongs to ("Apple" for Steve Jobs), when known."""
    negated: bool = False
    """True when the text says the attitude is not held ("did not decide", "never wanted")."""
    quoted: bool = False
    """True when the attitude is stated inside quote marks (the speaker's own words)."""
    date: str | None = None
    """When the attitude was reported held (ISO date), from the sentence, else publication."""
    date_source: Literal["sentence", "publication", "none"] = "none"
    """Where `date` came from."""


EventType = Literal[
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
]
"""The 16 event types of the PLOVER ontology (as used by POLECAT)."""

Modality = Literal["asserted", "hypothetical", "future", "demanded", "alleged"]
"""Whether an event is reported as having happened, as conditional, as planned, as demanded, or
as alleged by an accusation."""


@dataclass(frozen=True, slots=True)
class Event:
    """Who did what to whom, when and where: one PLOVER-coded event reported in `doc.text`."""

    start: int
    """Start of the trigger (the verb or noun phrase that names the event) in `doc.text`."""
    end: int
    """End of the trigger in `doc.text`."""
    sentence_start: int
    """Start of the sentence that reports the event."""
    sentence_end: int
    """End of that sentence."""
    type: EventType
    """PLOVER event type."""
    mode: str | None = None
    """PLOVER mode ("visit", "aerial", "release", ...) where the text gives it, else None."""
    cameo: str = ""
    """CAMEO root code "01".."20", for users of GDELT-style data."""
    actors: tuple[str, ...] = ()
    """Canonical names of who acts (several for "Israeli and Hamas delegations")."""
    actor_codes: tuple[str, ...] = ()
    """Actor codes aligned with `actors` (ISO-3, "PSE-HAMAS", "IGO-UN"); "" where unknown."""
    targets: tuple[str, ...] = ()
    """Canonical names of who the event is directed at."""
    target_codes: tuple[str, ...] = ()
    """Target codes aligned with `targets`; "" where unknown."""
    mediators: tuple[str, ...] = ()
    """Canonical names of mediators ("mediated by the United States, Egypt and Qatar")."""
    negated: bool = False
    """True when the text says the event did not happen ("failed to reach an agreement")."""
    modality: Modality = "asserted"
    """asserted, hypothetical ("if ..."), future ("will ..."), demanded ("demanded that ...") or
    alleged (what an accusation says was done: "accused X of firing on ...")."""
    date: str | None = None
    """When it happened: an ISO date / TIMEX3 value ("2023-10-07", "2024-07"), else None."""
    date_source: Literal["sentence", "clause", "governing", "publication", "none"] = "none"
    """Where `date` came from: the trigger's clause, its sentence, an earlier sentence's time,
    the publication date, or nowhere."""
    place: str | None = None
    """Canonical name of the place where it happened, from the places of the sentence."""
    issue: str | None = None
    """The negotiation issue the event is about, as a normalised noun phrase, if any."""
    confidence: float = 0.0
    """How sure the coder is, 0-1 (see tidings/extract/events.py for the score)."""


# --- Negotiation state (tidings/extract/negotiation.py) -------------------------------------

StanceLabel = Literal["demand", "propose", "accept", "reject", "concede", "accuse-backtracking"]
"""A side's position on an issue: demands it, proposes it, accepts it, rejects it, concedes
it, or accuses another side of going back on it."""

OutcomeStatus = Literal[
    "agreement reached", "no agreement", "talks continue", "talks suspended", "talks collapsed"
]
"""Where the talks stand, as the text states it."""


@dataclass(frozen=True, slots=True)
class Stance:
    """One side's stance on one issue, with the sentence that states it."""

    start: int
    """Start of the evidence (the sentence that states the stance) in `doc.text`."""
    end: int
    """End of the evidence in `doc.text`."""
    party: str
    """Canonical actor who takes the stance; "mediators" for the mediators acting together."""
    role: Literal["party", "mediator", "other"]
    """Whether `party` is a side of the negotiation, a mediator, or someone else."""
    stance: StanceLabel
    """demand, propose, accept, reject, concede or accuse-backtracking."""
    trigger_start: int
    """Start of the words that state the stance ("demanded", "put forward") in `doc.text`."""
    trigger_end: int
    """End of those words."""
    what_start: int | None = None
    """Start of the phrase naming the issue in this sentence, when there is one."""
    what_end: int | None = None
    """End of that phrase."""
    target: str | None = None
    """Who the stance is addressed to or the accusation aimed at, when the text says."""
    according_to: str | None = None
    """The side that reports this stance when it is not the stance-taker's own word ("Hamas said
    Israel had added new conditions": Israel's demand according to Hamas)."""
    date: str | None = None
    """When the stance was taken (ISO date / TIMEX3 value), else None."""
    date_source: Literal["clause", "sentence", "governing", "publication", "none"] = "none"
    """Where `date` came from (as for events)."""
    modality: Literal["asserted", "hypothetical", "future", "demanded"] = "asserted"
    """As the event's: a stated stance, a conditional one, an announced one."""
    source: Literal["event", "cue", "implied"] = "event"
    """How it was found: from a coded event, from a cue phrase, or implied by another stance
    (accusing a side of backtracking on a commitment implies demanding what was committed)."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One issue under negotiation: a normalised key, a readable label and the sides' stances."""

    start: int
    """Start of the issue's first mention in `doc.text`."""
    end: int
    """End of that mention."""
    key: str
    """Normalised key "<type>:<object>" ("presence:philadelphi-corridor"; see
    tidings/data/negotiation/issues.toml); "deal" for the deal as a whole."""
    label: str
    """A readable label: the first mention's phrase without articles and side clauses."""
    type: str
    """The issue type (the key's first part)."""
    related: tuple[str, ...] = ()
    """Other keys that name the same issue (variants merged here, linked types, bare type)."""
    stances: tuple[Stance, ...] = ()
    """The stances taken on it, in text order."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where the talks stand, with the sentence that says so."""

    start: int
    """Start of the evidence sentence in `doc.text`."""
    end: int
    """End of the evidence sentence."""
    status: OutcomeStatus
    """agreement reached, no agreement, talks continue, talks suspended or talks collapsed."""
    date: str | None = None
    """When (ISO date / TIMEX3 value), from the sentence or its event; None if unknown."""
    issue: str | None = None
    """Key of the issue the outcome is about ("failed to agree on a ceasefire"), if any."""


@dataclass(frozen=True, slots=True)
class Negotiation:
    """The state of one negotiation as an article reports it."""

    start: int
    """Start of the first sentence that reports the talks, in `doc.text`."""
    end: int
    """End of that sentence."""
    parties: tuple[str, ...]
    """Canonical names of the negotiating sides."""
    party_codes: tuple[str, ...] = ()
    """Actor codes aligned with `parties` ("ISR", "PSE-HAMAS"); "" where unknown."""
    mediators: tuple[str, ...] = ()
    """Canonical names of the mediators or hosts."""
    venue: str | None = None
    """Gazetteer name of where the talks were held."""
    venue_start: int | None = None
    """Start of the venue's mention in `doc.text`."""
    venue_end: int | None = None
    """End of the venue's mention."""
    round_start: str | None = None
    """First day (ISO date) of the talks round the article reports, from its talks events."""
    round_end: str | None = None
    """Last day (ISO date) of that round; None when no talks event has a day date."""
    outcomes: tuple[Outcome, ...] = ()
    """Where the talks stand, in text order (several: "no agreement", "talks continue")."""
    issues: tuple[Issue, ...] = ()
    """The issues under negotiation with the sides' stances, in order of first mention."""

    @property
    def outcome(self) -> str:
        """The distinct outcome statuses joined by "; " ("no agreement; talks continue")."""
        seen: list[str] = []
        for o in self.outcomes:
            if o.status not in seen:
                seen.append(o.status)
        return "; ".join(seen)
