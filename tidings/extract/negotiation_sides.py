"""The article-level state of the negotiation reader, its token helpers and the sides.

`SideReader` holds what the other readers share (the parse, the article's events, quotes,
entities, the issue finder) and finds who is who: the canonical side of an actor name (persons
for whom they speak, capitals for their government), descriptions of a party ("the union"),
the mediators, the parties, and the side behind a stance word (its subject, its event's actors,
the reporting verb's subject for "they", the quoted speaker's side for "we"). It also gives the
day a sentence is dated to. `tidings/extract/negotiation.py` describes the whole reading.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import Any

from tidings.doc import Doc
from tidings.extract.actors import load_actors, resolve_actor
from tidings.extract.event_lexicon import EventLexicon
from tidings.extract.issues import IssueFinder, IssueVocabulary, Names
from tidings.extract.negotiation_cues import NegotiationCues
from tidings.extract.negotiation_roles import mediator_cues, observer_names, observer_tokens, party_cues
from tidings.records import Event, Quote

log = logging.getLogger(__name__)

MIN_PARTY_SCORE = 2
"""Least score (2 per event an actor acts in, 1 per event aimed at it) for a side found without
a joint talks event; one demand makes a side, one mention as a target does not."""
MAX_PARTIES = 2
"""Most sides taken from scores when no joint talks event names them (bilateral talks are the
norm; a joint event names multilateral ones)."""

DAY_VALUE = re.compile(r"^\d{4}-\d{2}-\d{2}")
"""A date value that gives a day ("2024-08-25", "2024-08-25T10:00")."""
_FIRST_PERSON = frozenset({"we", "us", "our", "i", "my"})
_THIRD_PERSON = frozenset({"they", "it", "he", "she"})
_SUBJECTS = ("nsubj", "nsubjpass", "csubj")
MEDIATORS = "mediators"
"""The party name of the mediators acting together."""


class SideReader:
    """The shared state of one article's negotiation reading, and its sides (internal: the
    stance and outcome readers build on it; `find_negotiation` is the public entry)."""

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
        self.acronyms = acronym_names(self.entities)
        self.parties: list[str] = []
        self.mediators: list[str] = []
        self.weak_mediators: list[str] = []  # an envoy's body: a mediator unless it is a party
        self.observers: list[str] = []  # only discuss / welcome / review the talks

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
        their government, an acronym ("IPA") for the name it abbreviates."""
        name = self.acronyms.get(name, name)
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
        """The mediators events and phrases name (strong ones; the weak ones, an envoy's body,
        go to `weak_mediators` until the parties are known)."""
        known = {self._canon(str(e.canonical)) for e in self.entities}
        strong, weak = mediator_cues(self)
        self.weak_mediators = [m for m in weak if m in known]
        out: list[str] = []
        for e in self.events:
            names = list(e.mediators)
            if "mediate" in self._flags(e) and not e.negated:
                names += list(e.actors)
            for name in names:
                name = self._canon(name)
                if name in known and name not in out:
                    out.append(name)
        out += [m for m in strong if m in known and m not in out]
        self.weak_mediators = [m for m in self.weak_mediators if m not in out]
        return out

    def _parties(self) -> list[str]:
        """The negotiating sides: those a strong phrase names ("talks between X and Y"), else the
        actors of joint talks events, else the two that take most stances; events by which an
        actor only watches the talks ("is due to discuss the talks") count for none."""
        mediators = set(self.mediators)
        order = {n: i for i, n in enumerate(self._first_mentions())}
        by_cue = self._named_parties(mediators)
        if by_cue:
            return by_cue
        watching = observer_tokens(self)
        watched = self._watched_events(watching)
        joint: Counter[tuple[str, ...]] = Counter()
        first_seen: dict[tuple[str, ...], int] = {}
        for e in self.events:
            if e.type not in ("CONSULT", "AGREE", "REJECT") or e.modality == "hypothetical" or id(e) in watched:
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
            return sorted(best, key=lambda n: order.get(n, len(order)))
        scores: Counter[str] = Counter()
        first: dict[str, int] = {}
        for e in self.events:
            if e.type not in ("REQUEST", "REJECT", "AGREE", "CONCEDE", "ACCUSE", "CONSULT") or id(e) in watched:
                continue
            actors = list(e.actors)
            if not actors and e.type != "CONSULT":  # "the union demanded": the description's side
                root = self._trigger_root(e.start, e.end)
                subj = self._subject_of(root) if root is not None else None
                side = self._descriptor(subj) if subj is not None else None
                actors = [side] if side else []
            for weight, named in ((2, actors), (1, e.targets)):
                for n in {self._canon(a) for a in named}:
                    if n in mediators or self._kind(n) in ("person", "media", "location", None):
                        continue
                    scores[n] += weight
                    first.setdefault(n, e.start)
        ranked = sorted((n for n in scores if scores[n] >= MIN_PARTY_SCORE),
                        key=lambda n: (-scores[n], first[n]))
        return ranked[:MAX_PARTIES]

    def _named_parties(self, mediators: set[str]) -> list[str]:
        """The sides the article's strong party cues name most often (earliest on a tie), in the
        order of their first cue, or []."""
        named: Counter[tuple[str, ...]] = Counter()
        first_seen: dict[tuple[str, ...], tuple[int, list[str]]] = {}
        envoys = set(self.weak_mediators)
        for offset, sides, kind in party_cues(self):
            # "Hamas held talks with Egyptian officials" where an Egyptian envoy speaks for the
            # mediators: talks with a mediator are not the negotiation
            kept = [n for n in sides if n not in mediators and not (kind == "with" and n in envoys)]
            key = tuple(sorted(kept))
            if len(key) >= 2:
                named[key] += 1
                first_seen.setdefault(key, (offset, kept))
        if not named:
            return []
        best = max(named, key=lambda k: (named[k], -first_seen[k][0]))
        return first_seen[best][1]

    def _watched_events(self, watching: list[Any]) -> set[int]:
        """ids of the events under an observer verb ("due to discuss the talks at a meeting"),
        and the observers they name (`self.observers`) when those take no other part."""
        if not watching:
            return set()
        marks = {t.i for t in watching}
        out: set[int] = set()
        for e in self.events:
            root = self._trigger_root(e.start, e.end)
            if root is not None and (root.i in marks or any(a.i in marks for a in root.ancestors)):
                out.add(id(e))
        acting = {self._canon(a) for e in self.events if id(e) not in out for a in e.actors}
        self.observers = [n for n in observer_names(self, watching) if n not in acting]
        if self.observers:
            log.debug("article %s: observers of the talks %s", self.doc.id, self.observers)
        return out

    def _first_mentions(self) -> list[str]:
        out: list[str] = []
        for e in sorted(self.entities, key=lambda e: e.start):
            name = self._canon(str(e.canonical))
            if name not in out:
                out.append(name)
        return out

    # --- dates ---------------------------------------------------------------------------------

    def _sentence_day(self, sent: Any) -> str | None:
        for t in self.doc.spans.get("times", []):
            if sent.start_char <= t.start < sent.end_char and t.type == "DATE" and DAY_VALUE.match(t.value or ""):
                return str(t.value)[:10]
        return None

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

    # --- the side behind a stance word ------------------------------------------------------

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


_NAME_LINKS = frozenset({"of", "the", "and", "for", "de", "du", "des", "la", "le", "et", "del", "da"})
"""Lower-case words an acronym skips ("Democratic Republic of the Congo" -> DRC)."""


def acronym_names(entities: list[Any]) -> dict[str, str]:
    """Acronym canonical names ("IPA") -> the one longer canonical name in the article whose
    initials they are ("Ituri Patriotic Alliance"), when the entities stage kept them apart."""
    names = {str(e.canonical) for e in entities if e.kind != "person"}
    initials: dict[str, list[str]] = {}
    for name in names:
        words = [w for w in re.findall(r"[\w'-]+", name) if w.lower() not in _NAME_LINKS]
        if len(words) >= 2:
            initials.setdefault("".join(w[0] for w in words).upper(), []).append(name)
    out: dict[str, str] = {}
    for name in names:
        if 2 <= len(name) <= 6 and name.isalpha() and name.isupper() and len(initials.get(name, [])) == 1:
            out[name] = initials[name][0]
    return out
