"""The state of a negotiation: parties, mediators, venue, round, outcome, issues and stances.

`find_negotiation(doc)` reads what earlier stages put on the Doc (the parse, entities, times,
places, quotes and PLOVER events) and returns one `Negotiation` for an article about talks,
proposals, ceasefires or deals, else []:

1. Gate. The article must use at least MIN_TALK_CUES talk/proposal/ceasefire/deal words
   (`tidings/data/negotiation/cues.toml` [article]) and name two sides.
2. Sides. The parties are the actors that talk or agree (or fail to) together in a talks or
   deal event ("Israeli and Hamas delegations failed to reach an agreement"); failing that, the
   two actors most often demanding, rejecting, accepting or accusing in the article. Persons
   count for the actor they speak for; descriptions ("the union", "the rebels") for the party
   they describe ([[descriptors]]). Mediators are the events' mediators and the actors of
   mediation triggers ("talks mediated by", "hosted by").
3. Venue and round. The place and the day dates of the talks events that are not future or
   hypothetical (and of sentences reporting a signed deal); the round ends on the latest such
   day on or before publication and starts on the earliest within ROUND_WINDOW_DAYS of it.
4. Stances. Each REQUEST / REJECT / AGREE / CONCEDE event is a demand / rejection / acceptance /
   concession, proposals ("put forward", "offered") are proposals, and an accusation with a
   backtracking cue ("accused Kinshasa of backtracking on", "said Israel had backtracked") is
   accuse-backtracking plus the accuser's implied demand. Cue verbs the event coder does not code
   ("added new conditions", "compromises presented by mediators", "called for Iran to halt
   enrichment") and refused issue actions ("would not restore the pension") add stances; a
   reported condition is the reporter's accusation and implied rejection. Stances in conditions
   ("until the hospital agrees") and references back ("what we agreed to") are none. The side
   is the event's actor, else the subject's description, the reporting verb's subject for
   "they", or the quoted speaker's side for "we".
5. Issues. Below each stance word the nearest issue phrase (tidings/extract/issues.py) and its
   conjuncts are the issues; "they" in a demanded clause refers to the sentence's group issue
   ("demanded that they exit Gaza if released"); "the proposal", "new conditions" refer back to
   what was last proposed / demanded; a stance with no issue of its own shares those of the
   stance it is coordinated with ("Mediators put forward alternatives to X, but none were
   accepted"); a stance on a
   proposal, deal or compromise with nothing more specific is on the issue "deal". Mentions with
   the same or linked keys are one issue.
6. Outcome. AGREE events by the parties on a deal give "agreement reached", negated ones "no
   agreement"; sentence patterns ([outcomes]) add the rest ("talks continue", "suspended").
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tidings.doc import Doc, register_group
from tidings.extract.actors import load_actors, resolve_actor
from tidings.extract.event_lexicon import EventLexicon, load_lexicon
from tidings.extract.issues import (
    IssueFinder,
    IssueMention,
    IssueVocabulary,
    Names,
    assemble_issues,
    data_dir,
    deal_mention,
    load_vocabulary,
    read_toml,
)
from tidings.pipeline import Stage
from tidings.records import Event, Issue, Negotiation, Outcome, Quote, Stance

log = logging.getLogger(__name__)

register_group("negotiation", Negotiation)

CUES_FILE = "cues.toml"
"""The shipped negotiation cues, in `tidings/data/negotiation/`."""
MIN_TALK_CUES = 2
"""Talk/proposal/ceasefire/deal words an article needs before a negotiation record is built;
two keeps a passing "talks" in a battle report out while any real talks story (the sample has
over 20) passes; set by hand."""
ROUND_WINDOW_DAYS = 7
"""Days before the round's last day that still belong to the same round ("walked Hamas
through the proposal on Saturday", talks on Sunday); a week, as rounds of shuttle talks run."""
ANAPHORA_SENTENCES = 3
"""How many sentences back "the proposal" / "new conditions" may refer (the sample's "new
conditions" quote follows the sentence that names them); set by hand."""
MIN_PARTY_SCORE = 2
"""Least score (2 per event an actor acts in, 1 per event aimed at it) for a side found without
a joint talks event; one demand makes a side, one mention as a target does not."""
MAX_GENERIC_DEPTH = 9
"""Most dependency levels searched below a stance word for "the proposal" / "new conditions"
when no issue phrase is found (the sample's "will not accept discussions about retractions
from what we agreed to on July 2 or new conditions" puts it 8 deep); set by hand."""
MAX_PARTIES = 2
"""Most sides taken from scores when no joint talks event names them (bilateral talks are the
norm; a joint event names multilateral ones)."""
VENUE_FEATURES = ("city", "other", "area", "region", "country")
"""Place features that can host talks, best first (a corridor or a crossing is an issue, not a
venue)."""

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
_FUTURE_AUX = frozenset({"will", "would", "shall", "'ll", "wo", "could", "may", "might"})
_FUTURE_VERBS = frozenset({"expect", "plan", "schedule", "due", "set", "hope", "intend", "aim"})
_BEFORE_DEAL = re.compile(
    r"\b(to|will|would|could|may|might|should|shall|not|n't|never|without|no|fail\w*\s+to|"
    r"unable\s+to|expected\s+to)\s+$", re.IGNORECASE)
_THIRD_PLURAL = frozenset({"they", "them", "it"})
_FIRST_PERSON = frozenset({"we", "us", "our", "i", "my"})
_CONDITION_MARKS = frozenset({"if", "unless", "until", "once", "provided"})
_THIRD_PERSON = frozenset({"they", "it", "he", "she"})
_SUBJECTS = ("nsubj", "nsubjpass", "csubj")
MEDIATORS = "mediators"
"""The party name of the mediators acting together."""


# --- cues ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerbCue:
    """A verb (+ object noun) that states a stance the event coder does not code."""

    verbs: frozenset[str]
    objects: frozenset[str]
    stance: str
    reporter: str | None
    reporter_implies: str | None


@dataclass(frozen=True, slots=True)
class Descriptor:
    """Words that stand for a party of some kind ("the rebels" -> the armed group)."""

    nouns: frozenset[str]
    kinds: frozenset[str]
    name_words: frozenset[str]


@dataclass(frozen=True, slots=True)
class NegotiationCues:
    """Everything `cues.toml` says, ready to use."""

    article: frozenset[str]
    talk_triggers: frozenset[str]
    deal_nouns: frozenset[str]
    by_type: dict[str, str]
    triggers: dict[str, str]
    backtracking: frozenset[str]
    backtracking_implies: str
    verb_cues: tuple[VerbCue, ...]
    anaphora_determiners: frozenset[str]
    anaphora_nouns: dict[str, str]
    deal: frozenset[str]
    mediator_nouns: frozenset[str]
    refusal_aux: frozenset[str]
    refusal_verbs: frozenset[str]
    descriptors: tuple[Descriptor, ...]
    outcomes: tuple[tuple[str, re.Pattern[str]], ...]


def _words(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.lower() for v in values)


def load_cues(extra_files: Sequence[Path | str] = ()) -> NegotiationCues:
    """The shipped cues plus `extra_files` (same TOML shape). Raises ValueError naming the file
    for bad TOML or a bad outcome pattern."""
    data = read_toml([data_dir() / CUES_FILE, *extra_files])
    art = data.get("article", {})
    outcomes: list[tuple[str, re.Pattern[str]]] = []
    for status, patterns in data.get("outcomes", {}).items():
        for pattern in patterns:
            try:
                outcomes.append((status, re.compile(pattern, re.IGNORECASE)))
            except re.error as exc:
                raise ValueError(f"{CUES_FILE} [outcomes] {status!r}: bad pattern {pattern!r} ({exc})") from exc
    stances = data.get("stances", {})
    back = data.get("backtracking", {})
    ana = data.get("anaphora", {})
    return NegotiationCues(
        article=_words(w for key in ("talks", "proposals", "ceasefires", "deals") for w in art.get(key, ())),
        talk_triggers=_words(data.get("talk_events", {}).get("triggers", ())),
        deal_nouns=_words(data.get("talk_events", {}).get("deal_nouns", ())),
        by_type=dict(stances.get("by_type", {})),
        triggers={k.lower(): v for k, v in stances.get("triggers", {}).items()},
        backtracking=_words(back.get("cues", ())),
        backtracking_implies=str(back.get("implies", "demand")),
        verb_cues=tuple(VerbCue(_words(c.get("verbs", ())), _words(c.get("objects", ())), c["stance"],
                                c.get("reporter"), c.get("reporter_implies"))
                        for c in data.get("verb_cues", [])),
        anaphora_determiners=_words(ana.get("determiners", ())),
        anaphora_nouns={k.lower(): v for k, v in ana.get("nouns", {}).items()},
        deal=_words(data.get("deal", {}).get("nouns", ())),
        mediator_nouns=_words(data.get("mediators", {}).get("nouns", ())),
        refusal_aux=_words(data.get("refusals", {}).get("aux", ())),
        refusal_verbs=_words(data.get("refusals", {}).get("verbs", ())),
        descriptors=tuple(Descriptor(_words(d.get("nouns", ())), _words(d.get("kinds", ())),
                                     _words(d.get("name_words", ())))
                          for d in data.get("descriptors", [])),
        outcomes=tuple(outcomes),
    )


# --- public API ---------------------------------------------------------------------------------


def find_negotiation(doc: Doc, cues: NegotiationCues | None = None,
                     vocab: IssueVocabulary | None = None,
                     lexicon: EventLexicon | None = None) -> list[Negotiation]:
    """The negotiation an article reports (a list of 0 or 1), see the module docstring.

    Needs `doc.parsed` (a parse of `doc.text`) and the "events" span group; uses "entities",
    "places", "times" and "quotes" where present. Returns [] when the Doc has no parse or the
    article is not about a negotiation.
    """
    parsed = doc.parsed
    if parsed is None or parsed.text != doc.text:
        if parsed is not None:
            log.warning("article %s: doc.parsed is not a parse of doc.text; no negotiation", doc.id)
        return []
    reader = _Reader(doc, cues or load_cues(), vocab or load_vocabulary(), lexicon or load_lexicon())
    found = reader.run()
    return [found] if found is not None else []


def make_negotiation_stage(extra_cues: Sequence[Path | str] = (),
                           extra_issues: Sequence[Path | str] = (),
                           event_lexicons: Sequence[Path | str] = ()) -> Stage:
    """Stage that writes `find_negotiation(doc)` to `doc.spans["negotiation"]`.

    `extra_cues` and `extra_issues` are user files shaped like the shipped
    tidings/data/negotiation/cues.toml and issues.toml; `event_lexicons` are the events stage's
    extra lexicon files (so that user triggers keep their flags here too).
    """
    cues = load_cues(extra_cues)
    vocab = load_vocabulary(extra_issues)
    lexicon = load_lexicon(event_lexicons)

    def run(doc: Doc) -> Doc:
        doc.spans["negotiation"] = find_negotiation(doc, cues, vocab, lexicon)
        return doc

    return Stage("negotiation", run, needs=("parsed", "events", "quotes", "entities", "times", "places"),
                 adds=("negotiation",))


# --- the reader -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Draft:
    """A stance before its issues are merged into `Issue` records."""

    sent: Any
    party: str
    stance: str
    trigger: tuple[int, int]
    root: Any
    mentions: list[IssueMention] = field(default_factory=list)
    target: str | None = None
    according_to: str | None = None
    date: str | None = None
    date_source: str = "none"
    modality: str = "asserted"
    source: str = "event"
    anaphor: Any = None
    deal_token: Any = None


class _Reader:
    """Builds the negotiation record of one article."""

    def __init__(self, doc: Doc, cues: NegotiationCues, vocab: IssueVocabulary, lexicon: EventLexicon) -> None:
        self.doc = doc
        self.parsed = doc.parsed
        self._resolving: set[str] = set()  # persons whose affiliation is being looked up
        self.cues = cues
        self.vocab = vocab
        self.lexicon = lexicon
        self.events: list[Event] = sorted(doc.spans.get("events", []), key=lambda e: e.start)
        self.quotes: list[Quote] = list(doc.spans.get("quotes", []))
        self.entities = list(doc.spans.get("entities", []))
        self.names = Names(doc.spans.get("places", []), self.entities)
        self.finder = IssueFinder(vocab, self.names, frames=cues.deal | frozenset(cues.anaphora_nouns))
        self.sents = list(self.parsed.sents)
        self.sent_starts = [s.start_char for s in self.sents]
        self.kinds = {e.canonical: e.kind for e in self.entities}
        self.codes = {e.canonical: e.code for e in self.entities if e.code}
        self.parties: list[str] = []
        self.mediators: list[str] = []

    # --- driver -------------------------------------------------------------------------------

    def run(self) -> Negotiation | None:
        if self._cue_count() < MIN_TALK_CUES:
            return None
        self.mediators = self._mediators()
        self.parties = self._parties()
        if len(self.parties) < 2:
            log.debug("article %s: talks words but fewer than two sides; no negotiation", self.doc.id)
            return None
        self.mediators = [m for m in self.mediators if m not in self.parties]
        sessions = self._sessions()
        round_start, round_end = self._round(sessions)
        venue = self._venue(sessions, round_end)
        drafts = self._stances()
        found = self._outcomes()
        issues = self._issues(drafts, [m for _, mentions in found for m in mentions])
        outcomes = [self._with_issue(o, mentions, issues) for o, mentions in found]
        first = min((s for s, _ in sessions), key=lambda s: s.start_char, default=None)
        if first is None:
            first = self.sents[0]
        codes = tuple(self._code(p) for p in self.parties)
        return Negotiation(
            start=first.start_char, end=first.end_char, parties=tuple(self.parties),
            party_codes=codes, mediators=tuple(self.mediators),
            venue=venue.name if venue is not None else None,
            venue_start=venue.start if venue is not None else None,
            venue_end=venue.end if venue is not None else None,
            round_start=round_start, round_end=round_end,
            outcomes=tuple(outcomes), issues=tuple(issues),
        )

    def _cue_count(self) -> int:
        words = self.cues.article
        return sum(1 for t in self.parsed if t.lemma_.lower() in words or t.lower_ in words)

    # --- tokens and names ---------------------------------------------------------------------

    def _sent_of(self, offset: int) -> Any:
        import bisect

        i = max(bisect.bisect_right(self.sent_starts, offset) - 1, 0)
        return self.sents[i]

    def _trigger_tokens(self, start: int, end: int) -> list[Any]:
        span = self.parsed.char_span(start, end, alignment_mode="expand")
        return list(span) if span is not None else []

    def _trigger_root(self, start: int, end: int) -> Any | None:
        span = self.parsed.char_span(start, end, alignment_mode="expand")
        return span.root if span is not None and len(span) else None

    def _lemmas(self, start: int, end: int) -> str:
        return " ".join(t.lemma_.lower() for t in self._trigger_tokens(start, end))

    def _flags(self, event: Event) -> frozenset[str]:
        root = self._trigger_root(event.start, event.end)
        if root is None:
            return frozenset()
        flags: set[str] = set()
        for pos in ("verb", "noun"):
            for form in {root.lemma_.lower(), root.lower_}:
                for entry in self.lexicon.entries(form, pos):
                    flags |= set(entry.flags)
        return frozenset(flags)

    def _canon(self, name: str) -> str:
        """A canonical side for an actor name: persons count for whom they speak, capitals for
        their government."""
        kind = self.kinds.get(name)
        if kind == "person":
            return self._affiliation(name) or name
        code = self.codes.get(name)
        if kind == "government" and code and len(code) == 3:  # "Israeli Prime Minister's Office"
            country = load_actors().country(code)
            if country is not None:
                return country.canonical
        if kind in (None, "location"):
            found = resolve_actor(name)
            if found is not None and found.kind in ("country", "government"):
                return found.canonical
        return name

    def _affiliation(self, person: str) -> str | None:
        # A name can be a person in one mention and an organisation in another; looking up the
        # sides of its sentence would then come back here: such a name has no affiliation.
        if person in self._resolving:
            return None
        self._resolving.add(person)
        try:
            return self._find_affiliation(person)
        finally:
            self._resolving.discard(person)

    def _find_affiliation(self, person: str) -> str | None:
        for e in self.entities:
            if e.canonical == person and e.affiliation:
                return str(e.affiliation)
        for q in self.quotes:
            if q.speaker == person and q.affiliation:
                return str(q.affiliation)
        if not self.parties:
            return None
        # the one side named or described in a sentence that names the person
        for e in self.entities:
            if e.canonical != person:
                continue
            sent = self._sent_of(e.start)
            sides = {self._name_side(t) for t in sent} - {None}
            if len(sides) == 1:
                return sides.pop()
        return None

    def _name_side(self, tok: Any) -> str | None:
        ent = self.names.entity(tok)
        if ent is not None and ent.kind != "person":
            name = self._canon(str(ent.canonical))
            return name if name in self.parties else None
        if tok.pos_ in ("NOUN", "PROPN") and tok.dep_ in _SUBJECTS:
            return self._descriptor(tok)
        return None

    def _code(self, name: str) -> str:
        if name in self.codes:
            return str(self.codes[name])
        for e in self.events:
            for actor, code in zip(e.actors, e.actor_codes):
                if self._canon(actor) == name and code:
                    return code
        found = resolve_actor(name)
        return found.code if found is not None and found.code else ""

    def _descriptor(self, tok: Any) -> str | None:
        """The party a description stands for ("the union", "the rebel group"), if exactly one."""
        words = {tok.lemma_.lower(), tok.lower_}
        words |= {c.lower_ for c in tok.children if c.dep_ in ("compound", "amod")}
        pool = self.parties
        if len(pool) < 2:
            pool = sorted({self._canon(str(e.canonical)) for e in self.entities
                           if e.kind not in ("person", "media", "location")})
        by_name = [p for p in pool if {w.lower() for w in re.findall(r"[\w'-]+", p)} & {tok.lower_, tok.lemma_.lower()}]
        if len(by_name) == 1:
            return by_name[0]
        for desc in self.cues.descriptors:
            if not (words & desc.nouns):
                continue
            hits = [p for p in pool if self._kind(p) in desc.kinds
                    or {w.lower() for w in re.findall(r"[\w'-]+", p)} & desc.name_words]
            if len(hits) == 1:
                return hits[0]
        return None

    def _kind(self, name: str) -> str | None:
        kind = self.kinds.get(name)
        if kind is None:
            found = resolve_actor(name)
            kind = found.kind if found is not None else None
        return kind

    # --- sides ---------------------------------------------------------------------------------

    def _mediators(self) -> list[str]:
        known = {self._canon(str(e.canonical)) for e in self.entities}
        out: list[str] = []
        for e in self.events:
            names = list(e.mediators)
            if "mediate" in self._flags(e) and not e.negated:
                names += list(e.actors)
            for name in names:
                name = self._canon(name)
                if name in known and name not in out:
                    out.append(name)
        return out

    def _parties(self) -> list[str]:
        mediators = set(self.mediators)
        joint: Counter[tuple[str, ...]] = Counter()
        first_seen: dict[tuple[str, ...], int] = {}
        for e in self.events:
            if e.type not in ("CONSULT", "AGREE", "REJECT") or e.modality == "hypothetical":
                continue
            flags = self._flags(e)
            lemmas = self._lemmas(e.start, e.end)
            talks = flags & {"negotiation", "symmetric"} or any(w in self.cues.deal_nouns for w in lemmas.split())
            if not talks:
                continue
            names = tuple(dict.fromkeys(n for n in (self._canon(a) for a in e.actors)
                                        if n not in mediators and self._kind(n) not in ("person", "media")))
            if len(names) >= 2:
                key = tuple(sorted(names))
                joint[key] += 1
                first_seen.setdefault(key, e.start)
                first_seen[key] = min(first_seen[key], e.start)
        if joint:
            best = max(joint, key=lambda k: (joint[k], -first_seen[k]))
            order = {n: i for i, n in enumerate(self._first_mentions())}
            return sorted(best, key=lambda n: order.get(n, len(order)))
        scores: Counter[str] = Counter()
        first: dict[str, int] = {}
        for e in self.events:
            if e.type not in ("REQUEST", "REJECT", "AGREE", "CONCEDE", "ACCUSE", "CONSULT"):
                continue
            actors = list(e.actors)
            if not actors and e.type != "CONSULT":  # "the union demanded": the description's side
                root = self._trigger_root(e.start, e.end)
                subj = self._subject_of(root) if root is not None else None
                side = self._descriptor(subj) if subj is not None else None
                actors = [side] if side else []
            for weight, names in ((2, actors), (1, e.targets)):
                for n in {self._canon(a) for a in names}:
                    if n in mediators or self._kind(n) in ("person", "media", "location", None):
                        continue
                    scores[n] += weight
                    first.setdefault(n, e.start)
        ranked = sorted((n for n in scores if scores[n] >= MIN_PARTY_SCORE),
                        key=lambda n: (-scores[n], first[n]))
        return ranked[:MAX_PARTIES]

    def _first_mentions(self) -> list[str]:
        out: list[str] = []
        for e in sorted(self.entities, key=lambda e: e.start):
            name = self._canon(str(e.canonical))
            if name not in out:
                out.append(name)
        return out

    # --- sessions, round, venue ----------------------------------------------------------------

    def _is_future(self, tok: Any) -> bool:
        """True when the clause governing `tok` is future or conditional ("talks would resume",
        "are expected to meet")."""
        cur = tok
        for _ in range(8):
            for c in cur.children:
                if c.dep_ in ("aux", "auxpass") and c.lower_ in _FUTURE_AUX:
                    return True
                if c.dep_ == "mark" and c.lower_ in ("if", "unless"):
                    return True
            if cur.lemma_.lower() in _FUTURE_VERBS and cur.i != tok.i:
                return True
            if cur.head.i == cur.i or cur.dep_ == "ccomp":
                break  # a reported clause has its own tense ("said they had met")
            cur = cur.head
        return False

    def _sessions(self) -> list[tuple[Any, Event | None]]:
        """Sentences that report a session of the talks (with its event, when coded)."""
        out: list[tuple[Any, Event | None]] = []
        parties = set(self.parties)
        for e in self.events:
            if e.type not in ("CONSULT", "AGREE") or e.modality in ("hypothetical", "demanded"):
                continue
            flags = self._flags(e)
            lemmas = self._lemmas(e.start, e.end)
            names = {self._canon(a) for a in (*e.actors, *e.targets)}
            if e.type == "CONSULT":
                ok = bool(flags & {"negotiation", "mediate"}) or lemmas in self.cues.talk_triggers
                ok = ok and (bool(names & parties) or not names or bool(e.mediators))
            else:
                ok = len(names & parties) >= 2 or (any(w in self.cues.deal_nouns for w in lemmas.split())
                                                   and bool(names & parties))
            root = self._trigger_root(e.start, e.end)
            if ok and root is not None and not self._is_future(root):
                out.append((self._sent_of(e.start), e))
        for status, sent, _ in self._pattern_outcomes():
            if status == "agreement reached":
                out.append((sent, None))
        return out

    def _future_time(self, sent: Any, value: str) -> bool:
        for t in self.doc.spans.get("times", []):
            if sent.start_char <= t.start < sent.end_char and t.value == value:
                span = self.parsed.char_span(t.start, t.end, alignment_mode="expand")
                if span is not None and len(span) and self._is_future(span.root):
                    return True
        return False

    def _sentence_day(self, sent: Any) -> str | None:
        for t in self.doc.spans.get("times", []):
            if sent.start_char <= t.start < sent.end_char and t.type == "DATE" and _DAY.match(t.value or ""):
                return str(t.value)[:10]
        return None

    def _round(self, sessions: list[tuple[Any, Event | None]]) -> tuple[str | None, str | None]:
        days: list[str] = []
        for sent, e in sessions:
            if e is not None:
                if e.date and _DAY.match(e.date) and e.date_source in ("clause", "sentence", "governing"):
                    if e.date_source == "sentence" and self._future_time(sent, e.date):
                        continue  # "said talks would resume on Thursday": that day is not this round
                    days.append(e.date[:10])
            else:
                day = self._sentence_day(sent)
                if day:
                    days.append(day)
        published = self.doc.published.isoformat() if self.doc.published and self.doc.published_precision == "day" else None
        if published:
            days = [d for d in days if d <= published]
        if not days:
            return None, None
        end = max(days)
        end_date = dt.date.fromisoformat(end)
        window = [d for d in days if (end_date - dt.date.fromisoformat(d)).days <= ROUND_WINDOW_DAYS]
        return min(window), end

    def _venue(self, sessions: list[tuple[Any, Event | None]], round_end: str | None) -> Any | None:
        places = self.doc.spans.get("places", [])
        votes: Counter[str] = Counter()
        first: dict[str, Any] = {}
        for sent, e in sessions:
            in_round = e is None or (e.date is not None and round_end is not None and e.date[:10] == round_end)
            weight = 2 if in_round else 1
            name = e.place if e is not None else None
            candidates = [p for p in places if sent.start_char <= p.start < sent.end_char
                          and p.feature in VENUE_FEATURES and (name is None or p.name == name)]
            if name is None:
                candidates = [p for p in candidates if self._locative(p)]
            for p in candidates[:1]:
                votes[p.name] += weight
                first.setdefault(p.name, p)
        if not votes:
            return None
        rank = {f: i for i, f in enumerate(VENUE_FEATURES)}
        best = max(votes, key=lambda n: (votes[n], -rank.get(first[n].feature, 9), -first[n].start))
        return first[best]

    def _locative(self, place: Any) -> bool:
        span = self.parsed.char_span(place.start, place.end, alignment_mode="expand")
        if span is None:
            return False
        tok = span.root
        return tok.dep_ == "pobj" and tok.head.lower_ in ("in", "at")

    # --- stances -------------------------------------------------------------------------------

    def _stance_of(self, e: Event) -> str | None:
        lemmas = self._lemmas(e.start, e.end)
        root = self._trigger_root(e.start, e.end)
        if e.negated:
            return None  # "failed to reach an agreement" is an outcome; "did not reject" no stance
        if e.modality == "demanded" and e.type != "REQUEST" and (root is None or root.dep_ != "conj"):
            return None  # what a demand asks for; a coordinated verb ("insisted ... and rejected") is its own
        if root is not None and _in_condition(root):
            return None  # "until the hospital agrees to ...": a condition, not a stance taken
        if root is not None and _free_relative(root):
            return None  # "retractions from what we agreed to": a reference back, not a stance
        if e.type == "AGREE" and any(w in self.cues.deal_nouns for w in lemmas.split()):
            return None  # "reached an agreement" is an outcome, not a side's stance
        if e.type == "ACCUSE":
            if self._backtrack_token(e) is not None:
                return "accuse-backtracking"
            return "reject" if self.cues.triggers.get(lemmas) == "reject" else None  # "took issue with"
        stance = self.cues.triggers.get(lemmas)
        if stance is None and root is not None:
            stance = self.cues.triggers.get(root.lemma_.lower())
        if stance is not None and e.type in ("AGREE", "REQUEST", "REJECT", "CONCEDE", "ACCUSE"):
            return stance
        return self.cues.by_type.get(e.type)

    def _backtrack_token(self, e: Event) -> Any | None:
        root = self._trigger_root(e.start, e.end)
        if root is None:
            return None
        for tok in [root, *root.subtree]:
            forms = {tok.lemma_.lower(), tok.lower_}
            prts = [c for c in tok.children if c.dep_ in ("prt", "prep")]
            forms |= {f"{tok.lemma_.lower()} {p.lower_}" for p in prts}
            forms |= {f"{tok.lemma_.lower()} {p.lower_} {g.lower_}" for p in prts for g in p.children if g.dep_ == "prep"}
            if forms & self.cues.backtracking:
                return tok
        return None

    def _sides_of_event(self, e: Event, root: Any) -> list[str]:
        names = [self._canon(a) for a in e.actors]
        names = [n for n in dict.fromkeys(names) if n]
        if names:
            return self._collapse(names)
        return self._sides_of_token(root, e.start)

    def _collapse(self, names: list[str]) -> list[str]:
        if len(self.mediators) >= 2 and set(names) == set(self.mediators):
            return [MEDIATORS]
        return names

    def _subject_of(self, tok: Any) -> Any | None:
        cur = tok
        for _ in range(6):
            subj = next((c for c in cur.children if c.dep_ in ("nsubj", "csubj")), None)
            if subj is not None:
                return subj
            agent = next((c for c in cur.children if c.dep_ == "agent"), None)
            if agent is not None:
                return next((p for p in agent.children if p.dep_ == "pobj"), None)
            if cur.dep_ in ("conj", "xcomp", "advcl", "pcomp", "prep", "acomp") and cur.head.i != cur.i:
                cur = cur.head
            elif cur.dep_ in ("dobj", "pobj", "attr") and cur.pos_ == "NOUN":
                cur = cur.head  # "reiterating its demand": the light verb's subject
            else:
                return None
        return None

    def _sides_of_token(self, tok: Any, offset: int, depth: int = 0) -> list[str]:
        subj = self._subject_of(tok)
        if subj is not None:
            if subj.lower_ in self.cues.mediator_nouns or subj.lemma_.lower() in self.cues.mediator_nouns:
                return [MEDIATORS] if len(self.mediators) >= 2 else list(self.mediators)
            names = [self._canon(str(ent.canonical)) for t in subj.subtree
                     if (ent := self.names.entity(t)) is not None]
            if names:
                return self._collapse(list(dict.fromkeys(names)))
            side = self._descriptor(subj)
            if side is not None:
                return [side]
            if subj.lower_ in _THIRD_PERSON and depth < 3:
                reporter = self._reporting_head(tok)  # "the operators said they had offered"
                if reporter is not None:
                    return self._sides_of_token(reporter, reporter.idx, depth + 1)
            if subj.lower_ not in _FIRST_PERSON:
                return []
        quote = next((q for q in self.quotes if q.start <= offset < q.end), None)
        if quote is not None:
            return self._quote_side(quote)
        return []

    def _quote_side(self, quote: Quote) -> list[str]:
        if quote.affiliation:
            return [self._canon(quote.affiliation)]
        if quote.speaker_start is not None and quote.speaker_end is not None:
            span = self.parsed.char_span(quote.speaker_start, quote.speaker_end, alignment_mode="expand")
            if span is not None and len(span):
                side = self._descriptor(span.root)
                if side is not None:
                    return [side]
        if quote.speaker and quote.speaker_named:
            name = self._canon(quote.speaker)
            if name in self.parties or name in self.mediators:
                return [name]
        return []

    @staticmethod
    def _reporting_head(tok: Any) -> Any | None:
        cur = tok
        for _ in range(6):
            if cur.dep_ == "ccomp":
                return cur.head
            if cur.head.i == cur.i or cur.dep_ not in ("xcomp", "conj", "aux", "dobj", "pobj", "prep", "acomp"):
                return None
            cur = cur.head
        return None

    def _role(self, party: str) -> str:
        if party in self.parties:
            return "party"
        if party == MEDIATORS or party in self.mediators:
            return "mediator"
        return "other"

    def _reporter(self, tok: Any) -> str | None:
        """The side that reports the clause of `tok` ("Hamas said Israel had ...")."""
        cur = tok
        for _ in range(8):
            if cur.dep_ == "ccomp" or (cur.dep_ == "pcomp" and cur.head.head.lemma_.lower() == "accuse"):
                head = cur.head if cur.dep_ == "ccomp" else cur.head.head
                sides = self._sides_of_token(head, head.idx)
                return sides[0] if sides else None
            if cur.head.i == cur.i:
                return None
            cur = cur.head
        return None

    def _stances(self) -> list[_Draft]:
        drafts: list[_Draft] = []
        covered: set[int] = set()
        for e in self.events:
            stance = self._stance_of(e)
            root = self._trigger_root(e.start, e.end)
            if stance is None or root is None:
                continue
            covered |= {t.i for t in self._trigger_tokens(e.start, e.end)}
            sides = self._sides_of_event(e, root)
            target = next((self._canon(t) for t in e.targets), None)
            search = root
            if stance == "accuse-backtracking":
                search = self._backtrack_token(e) or root
            for side in sides:
                draft = _Draft(self._sent_of(e.start), side, stance, (e.start, e.end), search,
                               target=target if target != side else None, date=e.date,
                               date_source=e.date_source, modality=e.modality)
                drafts.append(draft)
                if stance == "accuse-backtracking" and self.cues.backtracking_implies:
                    drafts.append(replace(draft, stance=self.cues.backtracking_implies, source="implied"))
        drafts += self._cue_stances(covered)
        drafts.sort(key=lambda d: (d.sent.start_char, d.trigger[0]))
        self._attach_issues(drafts)
        return drafts

    def _cue_stances(self, covered: set[int]) -> list[_Draft]:
        out: list[_Draft] = []
        for tok in self.parsed:
            if tok.i in covered or tok.pos_ not in ("VERB", "AUX"):
                continue
            if self._refusal(tok) and tok.head.i not in covered:
                sides = self._sides_of_token(tok, tok.idx)
                sent = self._sent_of(tok.idx)
                date, source = self._date_near(sent, tok)
                out += [_Draft(sent, side, "reject", (tok.idx, tok.idx + len(tok.text)), tok,
                               date=date, date_source=source, source="cue") for side in sides]
                continue
            lemma = tok.lemma_.lower()
            forms = {lemma} | {f"{lemma} {c.lower_}" for c in tok.children if c.dep_ in ("prt", "dobj", "prep")}
            forms |= {f"{lemma} {c.lower_} {g.lower_}" for c in tok.children if c.dep_ in ("dobj", "prt")
                      for g in c.children if g.dep_ == "prep"}
            clause = next((c for c in tok.children if c.dep_ in ("advcl", "xcomp", "ccomp")
                           and any(m.dep_ == "mark" and m.lower_ == "for" for m in c.children)), None)
            if clause is not None:  # "called for Iran to halt enrichment"
                forms.add(f"{lemma} for")
            for cue in self.cues.verb_cues:
                if not (forms & cue.verbs):
                    continue
                obj = next((c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")), None)
                if tok.dep_ in ("acl", "relcl") and obj is None:
                    obj = tok.head  # "compromises presented by mediators"
                if cue.objects and (obj is None or obj.lemma_.lower() not in cue.objects):
                    continue
                sides = self._sides_of_token(tok, tok.idx)
                if not sides:
                    continue
                sent = self._sent_of(tok.idx)
                date, source = self._date_near(sent, tok)
                reporter = self._reporter(tok) if cue.reporter else None
                if reporter is not None and reporter in sides:
                    reporter = None
                trig = (tok.idx, tok.idx + len(tok.text))
                search = clause if clause is not None else (obj if obj is not None and cue.objects else tok)
                for side in sides:
                    out.append(_Draft(sent, side, cue.stance, trig, search, according_to=reporter,
                                      date=date, date_source=source, source="cue"))
                if reporter is not None:
                    out.append(_Draft(sent, reporter, str(cue.reporter), trig, search, target=sides[0],
                                      date=date, date_source=source, source="cue"))
                    if cue.reporter_implies:
                        out.append(_Draft(sent, reporter, cue.reporter_implies, trig, search,
                                          target=sides[0], date=date, date_source=source, source="implied"))
                break
        return out

    def _refusal(self, tok: Any) -> bool:
        """"would not restore the pension", "refused to release": a refused issue action."""
        if self.finder.type_of(tok) is None:
            return False
        if tok.dep_ == "xcomp" and tok.head.lemma_.lower() in self.cues.refusal_verbs:
            return True
        kids = list(tok.children)
        return any(c.dep_ == "neg" for c in kids) and any(
            c.dep_ == "aux" and c.lower_ in self.cues.refusal_aux for c in kids)

    def _date_near(self, sent: Any, tok: Any) -> tuple[str | None, str]:
        day = self._sentence_day(sent)
        if day:
            return day, "sentence"
        before = [e for e in self.events if e.sentence_start == sent.start_char and e.date]
        if before:
            return before[0].date, before[0].date_source
        if self.doc.published is not None:
            return self.doc.published.isoformat(), "publication"
        return None, "none"

    # --- issues of stances -----------------------------------------------------------------------

    def _attach_issues(self, drafts: list[_Draft]) -> None:
        sent_mentions: dict[int, list[IssueMention]] = {}
        for d in drafts:
            owner = d.party if d.party != MEDIATORS else None
            subj = self._subject_of(d.root)
            skip = {t.i for t in subj.subtree} if subj is not None and d.root.pos_ in ("VERB", "AUX") else set()
            pronoun = self._pronoun_clause(d.root)
            earlier = [m for m in sent_mentions.get(d.sent.start_char, []) if m.object_kind == "group"]
            if pronoun and earlier:
                d.mentions = [earlier[-1]]
            else:
                d.mentions = self.finder.mentions_under(d.root, owner=owner, skip=skip)
            if not d.mentions:
                d.anaphor, d.deal_token = self._generic(d.root, skip)
            sent_mentions.setdefault(d.sent.start_char, []).extend(d.mentions)
        for i, d in enumerate(drafts):
            if d.mentions or d.anaphor is None:
                continue
            kind = self.cues.anaphora_nouns.get(d.anaphor.lemma_.lower())
            for prev in reversed(drafts[:i]):
                if self._sent_index(prev.sent) < self._sent_index(d.sent) - ANAPHORA_SENTENCES:
                    break
                if prev.stance == kind and prev.mentions and prev.source != "implied":
                    d.mentions = list(prev.mentions)
                    break
        for d in drafts:  # a stance without its own issue shares that of a coordinated one
            if d.mentions:
                continue
            same = [m for o in drafts if o.sent.start_char == d.sent.start_char and o is not d
                    and o.source != "implied" and _coordinated(o.root, d.root) for m in o.mentions]
            if same and d.deal_token is None:
                d.mentions = list({m.key: m for m in same}.values())

    def _sent_index(self, sent: Any) -> int:
        return self.sent_starts.index(sent.start_char)

    def _pronoun_clause(self, root: Any) -> bool:
        """True for "demanded that they exit ...": the demanded clause's subject is a pronoun."""
        for c in root.children:
            if c.dep_ in ("ccomp", "xcomp", "acl"):
                if any(s.dep_ in ("nsubj", "nsubjpass") and s.lower_ in _THIRD_PLURAL for s in c.children):
                    return True
        return False

    def _generic(self, root: Any, skip: set[int]) -> tuple[Any | None, Any | None]:
        """The first anaphoric generic noun ("the proposal", "new conditions") and the first deal
        noun ("several compromises") below `root`."""
        anaphor = deal = None
        level = [root]
        for _ in range(MAX_GENERIC_DEPTH):
            nxt = []
            for tok in level:
                if tok.i in skip:
                    continue
                lemma = tok.lemma_.lower()
                if tok.pos_ == "NOUN":
                    dets = {c.lower_ for c in tok.children if c.dep_ in ("det", "amod", "poss")}
                    if anaphor is None and lemma in self.cues.anaphora_nouns and dets & self.cues.anaphora_determiners:
                        anaphor = tok
                    if deal is None and lemma in self.cues.deal:
                        deal = tok
                nxt += [c for c in tok.children if c.dep_ not in ("nsubj", "punct", "cc", "advcl", "relcl")
                        and not (tok.i == root.i and c.dep_ == "conj")]
            level = nxt
        return anaphor, deal

    # --- issues -----------------------------------------------------------------------------------

    def _issues(self, drafts: list[_Draft], outcome_mentions: list[IssueMention]) -> list[Issue]:
        items: list[tuple[IssueMention, Stance | None]] = []
        for d in drafts:
            mentions = d.mentions
            if not mentions and d.deal_token is not None:
                mentions = [deal_mention(d.deal_token)]
            items += [(m, self._stance_record(d, m)) for m in mentions]
        items += [(m, None) for m in outcome_mentions]
        return assemble_issues(items, self.vocab)

    def _stance_record(self, d: _Draft, m: IssueMention) -> Stance:
        return Stance(
            start=d.sent.start_char, end=d.sent.end_char, party=d.party, role=self._role(d.party),  # type: ignore[arg-type]
            stance=d.stance, trigger_start=d.trigger[0], trigger_end=d.trigger[1],  # type: ignore[arg-type]
            what_start=m.start, what_end=m.end, target=d.target, according_to=d.according_to,
            date=d.date, date_source=d.date_source,  # type: ignore[arg-type]
            modality=d.modality, source=d.source,  # type: ignore[arg-type]
        )

    # --- outcomes -----------------------------------------------------------------------------------

    def _pattern_outcomes(self) -> list[tuple[str, Any, re.Match[str]]]:
        out = []
        for sent in self.sents:
            text = sent.text
            for status, pattern in self.cues.outcomes:
                for match in pattern.finditer(text):
                    if status == "agreement reached" and _BEFORE_DEAL.search(text[max(match.start() - 30, 0):match.start()]):
                        continue
                    out.append((status, sent, match))
                    break
        return out

    def _outcomes(self) -> list[tuple[Outcome, list[IssueMention]]]:
        """Outcomes in text order, each with the issue mentions of its agreement event."""
        found: list[tuple[Outcome, list[IssueMention]]] = []
        seen: set[tuple[str, int]] = set()
        parties = set(self.parties)
        for e in self.events:
            if e.type != "AGREE" or e.modality in ("hypothetical", "demanded", "future"):
                continue
            names = {self._canon(a) for a in e.actors}
            lemmas = self._lemmas(e.start, e.end)
            deal = any(w in self.cues.deal_nouns for w in lemmas.split())
            stance = self.cues.triggers.get(lemmas)
            if stance == "propose" or not (len(names & parties) >= 2 or (deal and (names & parties or not names))):
                continue
            status = "no agreement" if e.negated else "agreement reached"
            root = self._trigger_root(e.start, e.end)
            mentions = []
            if root is not None:  # "on a ceasefire", not "in the Gaza ceasefire talks"
                skip = {t.i for c in root.subtree if c.dep_ == "prep" and c.lower_ in ("in", "at", "after", "during")
                        for t in c.subtree}
                mentions = self.finder.mentions_under(root, skip=skip)
            sent = self._sent_of(e.start)
            if (status, sent.start_char) in seen:
                continue
            seen.add((status, sent.start_char))
            found.append((Outcome(sent.start_char, sent.end_char, status, e.date), mentions))  # type: ignore[arg-type]
        for status, sent, _ in self._pattern_outcomes():
            if (status, sent.start_char) in seen:
                continue
            if status in ("agreement reached", "no agreement") and any(o.start == sent.start_char for o, _ in found):
                continue  # the sentence's event already says how it ended
            seen.add((status, sent.start_char))
            date, _ = self._date_near(sent, sent.root)
            found.append((Outcome(sent.start_char, sent.end_char, status, date), []))  # type: ignore[arg-type]
        return sorted(found, key=lambda o: o[0].start)

    @staticmethod
    def _with_issue(outcome: Outcome, mentions: list[IssueMention], issues: list[Issue]) -> Outcome:
        if not mentions:
            return outcome
        key = mentions[0].key
        key = next((i.key for i in issues if i.key == key or key in i.related), key)
        return replace(outcome, issue=key)


def _in_condition(tok: Any) -> bool:
    """True when `tok` is in a clause introduced by "if", "unless", "until" or "once"."""
    cur = tok
    for _ in range(6):
        if any(c.dep_ == "mark" and c.lower_ in _CONDITION_MARKS for c in cur.children):
            return True
        if cur.dep_ not in ("xcomp", "conj", "aux", "prep", "pcomp", "dobj", "pobj") or cur.head.i == cur.i:
            return False
        cur = cur.head
    return False


def _free_relative(tok: Any) -> bool:
    """True when `tok` heads a free relative clause ("what we agreed to")."""
    near = [c for c in tok.children] + [g for c in tok.children for g in c.children]
    return any(t.tag_ == "WP" and t.lower_ in ("what", "whatever") and t.i < tok.i for t in near)


def _coordinated(a: Any, b: Any) -> bool:
    """True when two stance words are coordinated clauses ("put forward X, but none were
    accepted"); a stance in a relative clause ("what we agreed to") shares nothing."""
    if a.i == b.i:
        return True
    return b.i in {c.i for c in a.conjuncts}
