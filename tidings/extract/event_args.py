"""Who did it and to whom: actors and targets of event triggers, read off the dependency parse.

`ArgFinder` maps noun phrases to canonical actors through the entities (and, failing that, the
places and proper nouns) that overlap them, and finds a trigger's subject (climbing through
"failed to", "walking" in "with X walking", conjoined verbs), its passive agent ("by X"), its
objects and prepositional targets ("on Israel", "against X", "with X"), and the actors of
nominal triggers (possessors "Israel's campaign", modifiers "Hamas attack", "by X").
Words that stand for the sides or the mediators of a negotiation ("neither party",
"mediators") come back as placeholders that the event coder fills in per article. Datelines and
bylines ("CAIRO (Reuters) -") name no actor; people nouns ("officials", "police"; cues.toml
[actors]) act for the place that qualifies them ("Washington officials", "police in Kenya");
generic role nouns ("police", "troops") act even in lower case, and "police in Dhaka" are the
police of Bangladesh. "which" and a pronoun in a clause's subject ("its forces") stand for the
antecedent; an uncoded adjective ("a Catholic church") is never a target.
"""

from __future__ import annotations

import bisect
import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tidings.extract.actors import load_actors, load_context
from tidings.extract.event_lexicon import EventLexicon
from tidings.records import Entity, Place, Quote

log = logging.getLogger(__name__)

PARTIES = "<parties>"
"""Placeholder name for "the parties", "either side": the sides of the article's negotiation."""
MEDIATORS = "<mediators>"
"""Placeholder name for "mediators": the article's mediators."""

SUBJECT_DEPS = frozenset({"nsubj", "csubj", "expl"})
PASSIVE_SUBJECT_DEPS = frozenset({"nsubjpass", "csubjpass"})
OBJECT_DEPS = ("dobj", "dative", "iobj", "obj")
TARGET_PREPS = ("against", "on", "upon", "with", "at", "toward", "towards", "into", "to", "over",
                "from")
"""Prepositions whose object is an event's target, in order of preference ("attack on X")."""
NESTED_TARGET_PREPS = ("with", "against", "on", "toward", "towards", "of")
"""Prepositions followed inside an object phrase to its target ("resumption of ties with X")."""
NOUN_TARGET_PREPS = ("on", "against", "upon", "with", "toward", "towards", "at", "into", "to",
                     "between", "for")
CLIMB_DEPS = frozenset({"xcomp", "conj", "advcl", "pcomp", "acomp", "prep", "ccomp", "dep"})
"""Dependencies through which a verb without a subject takes its head's subject."""
OBJECT_CONTROL = frozenset({"urge", "ask", "call", "order", "force", "allow", "persuade",
                            "encourage", "invite", "tell", "press", "help", "remind", "warn"})
"""Verbs whose object, not subject, does what their to-infinitive says ("urged X to talk")."""
MODIFIER_DEPS = frozenset({"amod", "compound", "poss", "nmod", "npadvmod"})
MEMBER_PREPS = frozenset({"from", "of"})
"""Prepositions that give the actor of a group noun ("teams from Israel", "ambassadors of X")."""
GROUP_MEMBER_PREPS = MEMBER_PREPS | {"in"}
"""For a people noun, "in" also gives its actor ("police in Kenya", "lawmakers in Gondor")."""
_NOT_NAMES = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "QUANTITY", "PERCENT"})
MAX_CLIMB = 8
"""Most heads climbed looking for a subject; bounds work on long chains (parse depth)."""
SLUG_CHARS = 24
"""Longest name part of a derived actor code ("LVA-LATVIANCONSTITUTIONAL..."), in characters."""
MAX_DATELINE_TOKENS = 14
"""Most tokens before the dash of a dateline ("WASHINGTON, Aug. 26, 2024 (Reuters) -"); set by
hand to cover a city, a date and an outlet."""
_DASHES = frozenset({"-", "--", "\u2014", "\u2013"})
MAX_NP_DEPTH = 4
"""Most nested noun phrases followed inside one argument ("teams from X, Y and Z")."""


@dataclass(frozen=True, slots=True)
class ActorRef:
    """An actor found for an event argument."""

    name: str
    """Canonical name, or PARTIES / MEDIATORS for a placeholder."""
    code: str
    """Actor code (ISO-3, "PSE-HAMAS"), "" when unknown."""
    start: int
    """Start of the mention in doc.text."""
    end: int
    """End of the mention in doc.text."""


@functools.lru_cache(maxsize=256)
def _alpha3(alpha2: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_2=alpha2.upper())
    return country.alpha_3 if country else ""


@functools.lru_cache(maxsize=1024)
def _code_of(name: str) -> str:
    actor = load_actors().resolve(name)
    return (actor.code or "") if actor else ""


@functools.lru_cache(maxsize=1)
def role_words() -> frozenset[str]:
    """Title and role words ("president", "minister", "senior"): never a name by themselves."""
    persons = load_context().get("persons", {})
    return frozenset(
        w.lower() for key in ("honorifics", "affiliated_roles", "independent_roles", "role_modifiers")
        for phrase in persons.get(key, []) for w in phrase.split())


def entity_ref(entity: Entity) -> ActorRef:
    """The actor an entity mention stands for: a person with a known affiliation acts for it."""
    if entity.kind == "person" and entity.affiliation:
        return ActorRef(entity.affiliation, _code_of(entity.affiliation), entity.start, entity.end)
    return ActorRef(entity.canonical, entity.code or "", entity.start, entity.end)


def unique(refs: Iterable[ActorRef]) -> list[ActorRef]:
    """Refs with one per name, in first-seen order."""
    seen: set[str] = set()
    out: list[ActorRef] = []
    for ref in refs:
        if ref.name not in seen:
            seen.add(ref.name)
            out.append(ref)
    return out


def dateline_tokens(parsed: Any, entities: Sequence[Entity] = ()) -> frozenset[int]:
    """Token indices of the datelines and bylines that open sentences of a parse.

    A dateline is the verbless stretch before a dash within the first MAX_DATELINE_TOKENS tokens
    of a sentence, when it starts with a word in capitals ("CAIRO -", "KYIV, May 3 -") or holds a
    news outlet ("Gaza City (Reuters) -"). A byline is a verbless sentence that starts with "By".
    """
    media = [(e.start, e.end) for e in entities if e.kind == "media"]
    out: set[int] = set()
    for sent in parsed.sents:
        toks = list(sent)
        if toks and toks[0].lower_ == "by" and not any(t.pos_ in ("VERB", "AUX") for t in toks):
            out.update(t.i for t in toks)  # "By Maria Lopez, Reuters."
            continue
        head = toks[:MAX_DATELINE_TOKENS]
        dash = next((k for k, t in enumerate(head) if t.text in _DASHES), None)
        if not dash:
            continue
        part = head[:dash]
        if any(t.pos_ in ("VERB", "AUX") and t.text[:1].islower() for t in part):
            continue
        first = next((t for t in part if t.is_alpha), None)
        capitals = first is not None and first.text.isupper() and len(first.text) > 1
        outlet = any(s <= t.idx < e for t in part for s, e in media)
        if capitals or outlet:
            out.update(t.i for t in head[:dash + 1])
    return frozenset(out)


class ArgFinder:
    """Finds the actors and targets of triggers in one parsed article."""

    def __init__(self, text: str, parsed: Any, entities: list[Entity], places: list[Place],
                 quotes: list[Quote], lexicon: EventLexicon, times: Sequence[Any] | None = None) -> None:
        self.text = text
        self.parsed = parsed
        self.lex = lexicon
        self.entities = sorted(entities, key=lambda e: e.start)
        self._ent_starts = [e.start for e in self.entities]
        self.places = sorted(places, key=lambda p: p.start)
        self.quotes = quotes
        self.time_spans = None if times is None else [(t.start, t.end) for t in times]
        """Spans of the time finder's expressions; None when the Doc has no "times" group."""
        self.party_nouns = lexicon.words("parties", "nouns")
        self.mediator_nouns = lexicon.words("parties", "mediator_nouns")
        self.first_person = lexicon.words("pronouns", "first_person")
        self.third_person = lexicon.words("pronouns", "third_person")
        self.reporting = lexicon.words("modality", "reporting_verbs")
        self.role_words = role_words()
        self.group_nouns = lexicon.words("actors", "group_nouns") | self.role_words
        self.political = lexicon.words("parties", "political_modifiers")
        self.role_actors = lexicon.words("actors", "role_actors")
        self.relative = lexicon.words("pronouns", "relative")
        self.dateline = dateline_tokens(parsed, self.entities)
        """Token indices of datelines and bylines ("CAIRO (Reuters) -"): never an actor."""

    # --- mentions ---------------------------------------------------------------------------

    def entity_at(self, tok: Any) -> Entity | None:
        """The entity overlapping token `tok`, if any."""
        start, end = tok.idx, tok.idx + len(tok.text)
        i = bisect.bisect_right(self._ent_starts, start) - 1
        for j in (i, i + 1):
            if 0 <= j < len(self.entities):
                e = self.entities[j]
                if e.start < end and start < e.end:
                    return e
        return None

    def place_at(self, tok: Any) -> Place | None:
        """The place overlapping token `tok`, if any."""
        start, end = tok.idx, tok.idx + len(tok.text)
        for p in self.places:
            if p.start < end and start < p.end:
                return p
            if p.start >= end:
                break
        return None

    @staticmethod
    def place_ref(place: Place) -> ActorRef:
        """A place standing as an actor or target, coded by its country's ISO-3 code."""
        code = _alpha3(place.country) if place.country else ""
        return ActorRef(place.name, code, place.start, place.end)

    def quote_at(self, offset: int) -> Quote | None:
        """The quote whose content contains `offset`."""
        for q in self.quotes:
            if q.start <= offset < q.end:
                return q
        return None

    def np_actors(self, tok: Any, depth: int = 0, *, places: bool = True) -> list[ActorRef]:
        """Actors named by the noun phrase headed by `tok` (with its conjuncts).

        Looks at the head itself, then its modifiers ("Israeli and Hamas delegations",
        "Israel's campaign"), then "from"/"of" members ("teams from Israel, the United States and
        Egypt"); conjuncts add theirs. Falls back to places (countries coded by ISO-3) and to
        bare proper nouns (no code) when no entity is there.
        """
        if depth > MAX_NP_DEPTH:
            return []
        if tok.i in self.dateline:  # "DHAKA - Police in Dhaka detained": the dateline took the subject
            return [r for c in tok.children if c.dep_ == "appos" and c.i not in self.dateline
                    for r in self.np_actors(c, depth + 1, places=places)]
        out = self._head_actor(tok, places=places)
        group = self.is_group(tok)
        covered = min((r.start for r in out), default=tok.idx)
        mods = [self._modifier_actors(c, places=group)
                or ([self._word_ref(c)] if group and c.pos_ != "NOUN" and self._initial_name(c) else [])
                for c in tok.children if c.dep_ in MODIFIER_DEPS and c.i < tok.i and c.idx < covered]
        # "Armenian and Azerbaijani negotiators": modifiers before the head's own mention;
        # a people noun's place modifier is where they act for ("Washington officials")
        out = [r for found in mods for r in found] + out
        member_preps = GROUP_MEMBER_PREPS if group else MEMBER_PREPS
        if not out:
            for child in tok.children:
                if child.dep_ == "prep" and child.lower_ in member_preps:
                    for pobj in child.children:
                        if pobj.dep_ != "pobj":
                            continue
                        town = self.place_at(pobj) if group and child.lower_ == "in" else None
                        if town is not None and town.feature != "country" and self.is_role_actor(tok):
                            # "Police in Dhaka": the police act (for the town's country); the
                            # town is where, not who
                            ref = self._word_ref(tok)
                            out.append(ActorRef(ref.name, _alpha3(town.country) if town.country else "",
                                                ref.start, ref.end))
                            continue
                        out += self.np_actors(pobj, depth + 1, places=places)
        if not out:
            for child in tok.children:  # "compromises presented by mediators"
                if child.dep_ == "acl" and child.tag_ == "VBN":
                    out += self.agent(child)
        for child in tok.children:
            # an apposition, or a list the parser took for one ("Mordor, the Shire, Fornost and
            # Bree": "Shire" hangs on "Mordor" as appos, the rest on "Shire" as conjuncts)
            if child.dep_ == "appos" and (not out or any(c.dep_ == "conj" for c in child.children)):
                out += self.np_actors(child, depth + 1, places=places)
        conjuncts: list[ActorRef] = []
        for child in tok.children:
            if child.dep_ == "conj":
                conjuncts += self.np_actors(child, depth + 1, places=places)
        determined = any(c.dep_ == "det" for c in tok.children)
        if not out and conjuncts and self._initial_name(tok) and not determined:
            out = [self._word_ref(tok)]
        elif not out and group and (self._name_like(tok) or (
                self.is_role_actor(tok) and not any(c.dep_ == "poss" for c in tok.children))):
            # ("withdrew its troops": someone's own troops are what moves, not a party)
            # "Police arrested 40 people", "troops fired on ...": no place names them; the word
            # stands as an uncoded actor, as any capitalised name the gazetteer does not know
            out = [self._word_ref(tok)]
        return unique(out + conjuncts)

    @staticmethod
    def _word_ref(tok: Any) -> ActorRef:
        """An uncoded actor named by one word."""
        return ActorRef(tok.text, "", tok.idx, tok.idx + len(tok.text))

    def is_group(self, tok: Any) -> bool:
        """True for a noun that names people acting for a place or body ("officials",
        "police", "lawmakers", "activists"; cues.toml [actors] group_nouns)."""
        return tok.pos_ in ("NOUN", "PROPN") and (
            tok.lemma_.lower() in self.group_nouns or tok.lower_ in self.group_nouns)

    def is_role_actor(self, tok: Any) -> bool:
        """True for a generic role noun that acts even in lower case and with no place
        ("police fired tear gas", "soldiers killed"; cues.toml [actors] role_actors)."""
        return tok.pos_ in ("NOUN", "PROPN") and tok.lower_ in self.role_actors

    def _initial_name(self, tok: Any) -> bool:
        """A capitalised word at the start of a sentence that may be a name the tagger took for
        a common word; callers ask it only where a name is expected (heading a list of names,
        "Fornost and Gondor welcomed ...", or modifying a people noun, "Arnor cleric"): it is
        uninflected (its lemma is itself) and not a people noun, role or function word."""
        return (tok.i == tok.sent.start and tok.i not in self.dateline and tok.is_alpha
                and tok.text[:1].isupper() and tok.pos_ in ("NOUN", "PROPN", "ADJ")
                and tok.lemma_.lower() == tok.lower_ and not tok.is_stop
                and tok.lower_ not in self.role_words and not self.is_group(tok))

    def _head_actor(self, tok: Any, *, places: bool) -> list[ActorRef]:
        entity = self.entity_at(tok)
        if entity is not None and entity.kind != "location":
            ref = entity_ref(entity)
            if not ref.code:
                ref = self._with_country(ref, tok)
            return [ref]
        lower = tok.lower_
        if lower in self.party_nouns or tok.lemma_.lower() in self.party_nouns:
            if any(c.dep_ in MODIFIER_DEPS and self._modifier_actors(c) for c in tok.children):
                return []  # "the Turkish and Greek sides": the modifiers name them
            if any((c.dep_ == "prep" and c.lower_ in GROUP_MEMBER_PREPS) or c.lower_ in self.political
                   for c in tok.children):
                return []  # "opposition parties in Nepal": political parties, not a negotiation's sides
            return [ActorRef(PARTIES, "", tok.idx, tok.idx + len(tok.text))]
        if lower in self.mediator_nouns or tok.lemma_.lower() in self.mediator_nouns:
            return self._mediator_members(tok) or [ActorRef(MEDIATORS, "", tok.idx, tok.idx + len(tok.text))]
        if tok.pos_ == "PRON":
            return self.pronoun(tok)
        place = self.place_at(tok)
        if place is not None:
            return [self.place_ref(place)] if places else []
        if self._name_like(tok) and not self.is_group(tok):
            left = tok
            while left.i > 0 and left.nbor(-1).dep_ == "compound" and left.nbor(-1).head.i == tok.i \
                    and self._name_like(left.nbor(-1)):
                left = left.nbor(-1)
            start, end = left.idx, tok.idx + len(tok.text)
            return [ActorRef(self.text[start:end], "", start, end)]
        return []

    def _name_like(self, tok: Any) -> bool:
        """A capitalised name the entity finder missed ("Arnor", "Fornost"): capitalised, with a
        capitalised lemma (common nouns are lemmatised to lower case) or tagged PROPN, and not a
        title or role word ("President", "Minister")."""
        if not tok.text[:1].isupper() or tok.lower_ in self.role_words or tok.is_stop:
            return False
        if tok.ent_type_ in _NOT_NAMES and (tok.like_num or self.time_spans is None or any(
                s <= tok.idx < e for s, e in self.time_spans)):
            return False  # a time word, unless the time finder disagrees with NER ("Kyiv overnight")
        return tok.pos_ == "PROPN" or (tok.pos_ in ("NOUN", "ADJ") and tok.lemma_[:1].isupper())

    def _with_country(self, ref: ActorRef, head: Any) -> ActorRef:
        """A code for an actor the gazetteer does not know, from a country named inside its
        phrase ("the Latvian Constitutional Court" -> "LVA-LATVIANCONSTITUTIONALCOURT")."""
        gazetteer = load_actors()
        words = [t for t in head.subtree if t.i <= head.i and t.idx >= ref.start - 40]
        words += [t for t in head.doc[max(head.i - 6, 0):head.i] if ref.start <= t.idx < ref.end]
        for t in words:
            actor = gazetteer.resolve(t.text, codes=False) if t.text[:1].isupper() else None
            if actor is not None and actor.kind in ("country", "government") and actor.code:
                slug = "".join(ch for ch in ref.name.upper() if ch.isalnum())[:SLUG_CHARS]
                return ActorRef(ref.name, f"{actor.code}-{slug}", ref.start, ref.end)
        return ref

    def _modifier_actors(self, mod: Any, *, places: bool = False) -> list[ActorRef]:
        if mod.i in self.dateline:
            return []
        out = self._head_actor(mod, places=places)
        for child in mod.children:
            if child.dep_ == "conj":
                out += self._modifier_actors(child, places=places)
        return out

    def _mediator_members(self, tok: Any) -> list[ActorRef]:
        # "Egyptian mediators", "mediators from Qatar": the members, who are also mediators
        out: list[ActorRef] = []
        for child in tok.children:
            if child.dep_ in MODIFIER_DEPS and child.i < tok.i:
                out += self._modifier_actors(child)
            elif child.dep_ == "prep" and child.lower_ in MEMBER_PREPS:
                out += [r for p in child.children if p.dep_ == "pobj" for r in self.np_actors(p, 1)]
        return out

    def pronoun(self, tok: Any) -> list[ActorRef]:
        """The actor a pronoun stands for: in a quote "we" is the speaker's side; "it", "they"
        the governing clause's subject or the latest subject actor."""
        lower = tok.lower_
        if lower in self.first_person:
            quote = self.quote_at(tok.idx)
            if quote is not None:
                name = quote.affiliation or (quote.speaker if quote.speaker_named else None)
                if name:
                    return [ActorRef(name, _code_of(name), tok.idx, tok.idx + len(tok.text))]
            return []
        if lower in self.relative and tok.dep_ in ("nsubj", "nsubjpass") and tok.head.dep_ == "relcl":
            antecedent = tok.head.head  # "the RSF, which has besieged the city"
            return self.np_actors(antecedent) if antecedent.i != tok.i else []
        if lower not in self.third_person:
            return []
        # "Hamas said it would ...": the subject of the reporting verb whose clause it is in
        clause = tok.head
        for _ in range(MAX_CLIMB):
            if clause.dep_ in ("xcomp", "conj", "aux") and clause.head.i != clause.i:
                clause = clause.head
                continue
            if clause.dep_ == "ccomp" and clause.head.lemma_.lower() in self.reporting:
                subj = [c for c in clause.head.children if c.dep_ in SUBJECT_DEPS and c.pos_ != "PRON"]
                for candidate in subj:  # a dateline may be parsed as a second subject
                    found = self.np_actors(candidate)
                    if found:
                        return found
                return []
            break
        return self._subject_antecedent(tok)

    def _subject_antecedent(self, tok: Any) -> list[ActorRef]:
        """"The army said troops killed 12 militants, and its forces seized weapons": a pronoun
        inside a clause's subject stands for the subject of the clause that governs it (never
        for an object: "attacked Hamas and its allies" stays unresolved)."""
        singular = tok.lower_ in ("it", "its")
        cur = tok
        while cur.dep_ not in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS:
            if cur.head.i == cur.i or cur.dep_ not in ("poss", "compound", "amod", "det", "conj"):
                return []
            cur = cur.head
        clause = cur.head
        for _ in range(MAX_CLIMB):
            if clause.head.i == clause.i or clause.dep_ not in ("conj", "ccomp", "advcl", "xcomp"):
                return []
            clause = clause.head
            subj = [c for c in clause.children if c.dep_ in SUBJECT_DEPS and c.pos_ != "PRON"
                    and tok.i not in {t.i for t in c.subtree}
                    and not (singular and c.tag_ in ("NNS", "NNPS"))]  # "its" is no "troops"
            for candidate in subj:
                found = self.np_actors(candidate)
                if found:
                    return found
        return []

    # --- verbs ------------------------------------------------------------------------------

    def verb_subject(self, verb: Any) -> tuple[list[ActorRef], list[ActorRef]]:
        """`(actors, passive_targets)` of a verb: its subject, or for a passive its agent as
        actor and its subject as target; a verb without a subject takes its governor's."""
        tok = verb
        for _ in range(MAX_CLIMB):
            subj = [c for c in tok.children if c.dep_ in SUBJECT_DEPS]
            passive = [c for c in tok.children if c.dep_ in PASSIVE_SUBJECT_DEPS]
            if subj:
                for candidate in subj:  # a parse may give two subjects ("Old foes Gondor and ...")
                    found = self.np_actors(candidate)
                    if found:
                        return found, []
                return [], []
            if passive:
                agent = self.agent(tok)
                if not agent and any(c.dep_ == "prep" and c.lower_ == "to" for c in tok.children):
                    return self.np_actors(passive[0]), []  # "Israel is opposed to ..." (stative)
                return agent, self.np_actors(passive[0])
            agent = self.agent(tok)
            if agent:
                return agent, []
            if tok.dep_ == "acl" and tok.head.pos_ in ("NOUN", "PROPN", "PRON"):
                if tok.tag_ == "VBN":
                    return [], self.np_actors(tok.head)
                if tok.tag_ == "VBG":
                    return self.np_actors(tok.head), []
                return [], []
            if tok.dep_ not in CLIMB_DEPS or tok.head.i == tok.i:
                return [], []
            head = tok.head
            if tok.dep_ == "xcomp" and head.lemma_.lower() in OBJECT_CONTROL:
                objects = [c for c in head.children if c.dep_ in OBJECT_DEPS]
                if objects:
                    return self.np_actors(objects[0]), []
            if head.pos_ in ("NOUN", "PROPN") and tok.dep_ in ("acl", "prep"):
                return [], []
            tok = head
        return [], []

    def _nested_target(self, noun: Any, depth: int) -> list[ActorRef]:
        if depth > 2:
            return []
        for child in noun.children:
            if child.dep_ == "prep" and child.lower_ in NESTED_TARGET_PREPS:
                for pobj in child.children:
                    if pobj.dep_ != "pobj":
                        continue
                    found = self.np_actors(pobj) if child.lower_ != "of" else []
                    if found:
                        return found
                    found = self._nested_target(pobj, depth + 1)
                    if found:
                        return found
        return []

    def givers(self, verb: Any) -> list[ActorRef]:
        """Who a receiving verb's subject got something from: "from X" on the verb or its
        object ("received $1bn in aid from the EU")."""
        holders = [verb]
        for obj in (c for c in verb.children if c.dep_ in OBJECT_DEPS):  # "$1bn in aid from X"
            holders += [t for t in obj.subtree if t.dep_ not in ("relcl", "acl", "ccomp")]
        for holder in holders:
            for child in holder.children:
                if child.dep_ == "prep" and child.lower_ == "from":
                    for pobj in child.children:
                        if pobj.dep_ == "pobj":
                            found = self.np_actors(pobj)
                            if found:
                                return found
        return []

    def agent(self, verb: Any) -> list[ActorRef]:
        """Actors of a passive verb's "by X" phrase."""
        out: list[ActorRef] = []
        for child in verb.children:
            if child.dep_ == "agent" or (child.dep_ == "prep" and child.lower_ == "by"):
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        out += self.np_actors(pobj)
        return unique(out)

    def not_adjective(self, refs: list[ActorRef]) -> list[ActorRef]:
        """`refs` without uncoded adjectives: "attacked a Catholic church" has no target
        "Catholic" ("Israeli positions" keep Israel: a nationality is coded)."""
        out = []
        for r in refs:
            span = self.parsed.char_span(r.start, r.end, alignment_mode="expand")
            if not r.code and span is not None and all(t.pos_ == "ADJ" or t.dep_ == "amod" for t in span):
                continue
            out.append(r)
        return out

    def verb_targets(self, verb: Any, extra: Iterable[Any] = ()) -> list[ActorRef]:
        """Targets of a verb (uncoded adjectives left out, `not_adjective`)."""
        return self.not_adjective(self._verb_targets(verb, extra))

    def _verb_targets(self, verb: Any, extra: Iterable[Any] = ()) -> list[ActorRef]:
        """Targets of a verb: its object (or what names one: "a U.S. proposal"), else the
        object of a target preposition; `extra` are more tokens whose children count
        (the particle or object of a multi-word trigger)."""
        holders = [verb, *extra]
        holders += [c for c in verb.children if c.dep_ == "prt" and c not in holders]  # "up to 16 X"
        objects = [c for h in holders for c in h.children if c.dep_ in OBJECT_DEPS]
        for obj in objects:
            found = self.np_actors(obj)
            if found:
                return found
        for obj in objects:  # "welcomed the resumption of ties with Osgiliath"
            found = self._nested_target(obj, 0)
            if found:
                return found
        for prep in TARGET_PREPS:
            for holder in holders:
                for child in holder.children:
                    if child.dep_ in ("prep", "dative") and child.lower_ == prep:
                        for pobj in child.children:
                            if pobj.dep_ == "pobj":
                                found = self.np_actors(pobj)
                                if found:
                                    return found
        for child in verb.children:
            if child.dep_ == "ccomp":
                subj = [c for c in child.children if c.dep_ in SUBJECT_DEPS]
                if subj:
                    found = self.np_actors(subj[0])
                    if found:
                        return found
        for child in verb.children:  # a purpose: "mobilized reservists for a war against Iraq"
            if child.dep_ == "prep" and child.lower_ == "for":
                for pobj in child.children:
                    found = self._nested_target(pobj, 0) if pobj.dep_ == "pobj" else []
                    if found:
                        return found
        return []

    def complement_actors(self, tok: Any, exclude: Iterable[str] = ()) -> list[ActorRef]:
        """Who a demand is addressed to, read from its complement clause ("demanded that Hamas
        renounce ...", "its demand that any agreement stipulate a full Israeli withdrawal"): the
        clause's subject if it names an actor, else the first actor entity in the clause."""
        skip = set(exclude)
        for child in tok.children:
            if child.dep_ not in ("ccomp", "acl", "xcomp", "relcl"):
                continue
            subj = [c for c in child.children if c.dep_ in SUBJECT_DEPS]
            if subj:
                found = [r for r in self.np_actors(subj[0], places=False) if r.name not in skip]
                if found:
                    return found
            for t in child.subtree:
                entity = self.entity_at(t)
                if entity is not None and entity.kind not in ("location", "media"):
                    ref = entity_ref(entity)
                    if ref.name not in skip:
                        return [ref]
        return []

    # --- nouns ------------------------------------------------------------------------------

    def noun_actors(self, noun: Any) -> list[ActorRef]:
        """Actors of a nominal trigger named inside its own phrase: possessor, actor
        modifiers ("Hamas attack", "Israeli strikes"), "by X", "from X"."""
        out: list[ActorRef] = []
        for child in noun.children:
            if child.dep_ in MODIFIER_DEPS and child.i < noun.i:
                out += self._modifier_actors(child)
        for child in noun.children:
            if child.dep_ in ("prep", "agent") and child.lower_ == "by":
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        out += self.np_actors(pobj)
        return unique(out)

    def noun_targets(self, noun: Any) -> tuple[list[ActorRef], list[ActorRef]]:
        """`(targets, between)` of a nominal trigger: "attack on X", "talks with X"; actors of
        "between X and Y" come back separately (they are both sides)."""
        between: list[ActorRef] = []
        for prep in NOUN_TARGET_PREPS:
            for child in noun.children:
                if child.dep_ == "prep" and child.lower_ == prep:
                    for pobj in child.children:
                        if pobj.dep_ != "pobj":
                            continue
                        found = self.not_adjective(self.np_actors(pobj))
                        if prep == "between":
                            between += found
                        elif found:
                            return found, between
        return [], between

    def governing_verb(self, noun: Any) -> Any | None:
        """The verb whose participants a nominal trigger shares: a light verb it is the object
        of ("joined the talks"), or the verb of the preposition it hangs on ("in the talks")."""
        tok = noun
        if tok.dep_ in ("dobj", "nsubjpass", "attr", "oprd", "obj"):
            light = self.lex.words("light_verbs", "lemmas")
            head = tok.head
            return head if head.pos_ in ("VERB", "AUX") and head.lemma_.lower() in light else None
        if tok.dep_ == "pobj" and tok.head.dep_ == "prep":
            head = tok.head.head
            if head.pos_ in ("VERB", "AUX") and tok.head.lower_ in ("in", "at", "during", "for", "to", "into"):
                return head
        if tok.dep_ == "conj":
            return self.governing_verb(tok.head)
        return None


# --- issues -----------------------------------------------------------------------------------

ISSUE_TYPES = frozenset({"AGREE", "REJECT", "REQUEST", "ACCUSE", "CONCEDE", "CONSULT"})
"""Event types that can be about a negotiation issue."""
ISSUE_PREPS = ("on", "over", "about", "to", "for", "of", "regarding")
"""Prepositions that introduce what an event or a generic noun is about ("talks on X")."""
ISSUE_TAIL_PREPS = frozenset({"of", "in", "on", "from", "for", "to"})
"""Prepositions kept inside an issue phrase ("withdrawal from Gaza")."""
MAX_ISSUE_WORDS = 10
"""Longest issue phrase in words; longer phrases are cut (a normalised key, not a quote)."""
MAX_ISSUE_DEPTH = 4
"""Most generic nouns / clauses descended through looking for the issue."""
_NOT_ISSUES = frozenset({"PERSON", "ORG", "NORP"})
_NO_ISSUE_ENTS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "QUANTITY", "PERCENT"})
_PLACEHOLDER_WORDS = frozenset({"none", "nothing", "all", "some", "it", "them", "this", "that", "any"})
TOPIC_PREPS = ("on", "over", "about", "regarding")
"""Prepositions that give the topic of talks ("talks on prisoner releases")."""


def find_issue(tok: Any, type_: str, sent: Any, lex: EventLexicon) -> str | None:
    """The negotiation issue an event is about, as a normalised noun phrase, or None.

    Looks at what the trigger takes as object or topic ("demanded the release of ...",
    "talks on ...", "reiterated its demand that any agreement must stipulate a permanent
    ceasefire"), looking through generic nouns ("alternatives to X", "a commitment to withdraw
    troops") and turning gerunds into nouns ("releasing detainees" -> "release of detainees").
    Falls back to the complement of the sentence's first generic proposal noun.
    """
    if type_ not in ISSUE_TYPES:
        return None
    generic = lex.words("issues", "generic")
    preps = TOPIC_PREPS if type_ == "CONSULT" else ISSUE_PREPS
    candidates = _issue_candidates(tok, preps)
    for cand in candidates:
        phrase = _issue_phrase(cand, generic, lex, 0)
        if phrase:
            return phrase
    if not any(c.lower_ in _PLACEHOLDER_WORDS for c in candidates):
        return None
    for t in sent:
        if t.i != tok.i and t.pos_ == "NOUN" and t.lemma_.lower() in generic:
            for cand in _issue_candidates(t):
                phrase = _issue_phrase(cand, generic, lex, 1)
                if phrase:
                    return phrase
    return None


def _issue_candidates(tok: Any, preps: Sequence[str] = ISSUE_PREPS) -> list[Any]:
    out: list[Any] = []
    kids = list(tok.children)
    out += [c for c in kids if c.dep_ in ("dobj", "obj", "nsubjpass")]
    for prep in preps:
        for c in kids:
            if c.dep_ == "prep" and c.lower_ == prep:
                out += [p for p in c.children if p.dep_ in ("pobj", "pcomp")]
    out += [c for c in kids if c.dep_ in ("xcomp", "ccomp", "acl")]
    return out


def _issue_phrase(tok: Any, generic: frozenset[str], lex: EventLexicon, depth: int) -> str | None:
    if depth > MAX_ISSUE_DEPTH:
        return None
    if tok.pos_ in ("VERB", "AUX"):
        nominal = lex.table("issues", "nominal").get(tok.lemma_.lower())
        objects = [c for c in tok.children if c.dep_ in ("dobj", "obj")]
        if nominal:
            parts = [nominal]
            if objects:
                parts += ["of", _noun_phrase(objects[0], lex)]
            for c in tok.children:
                if c.dep_ == "prep" and c.lower_ in ("from", "to", "in"):
                    pobj = [p for p in c.children if p.dep_ == "pobj"]
                    if pobj:
                        parts += [c.lower_, _noun_phrase(pobj[0], lex, tail=False)]
                        break
            return _clip(" ".join(p for p in parts if p))
        for obj in objects:
            phrase = _issue_phrase(obj, generic, lex, depth + 1)
            if phrase:
                return phrase
        return None
    if tok.pos_ not in ("NOUN", "PROPN") or tok.ent_type_ in _NO_ISSUE_ENTS:
        return None
    if tok.pos_ == "PROPN" and tok.ent_type_ in _NOT_ISSUES:
        return None
    if tok.lemma_.lower() in generic or tok.lower_ in ("none", "nothing", "all", "some"):
        for cand in _issue_candidates(tok):
            if cand.dep_ == "nsubjpass":
                continue
            phrase = _issue_phrase(cand, generic, lex, depth + 1)
            if phrase:
                return phrase
        return None
    return _clip(_noun_phrase(tok, lex))


def _noun_phrase(head: Any, lex: EventLexicon, *, tail: bool = True, level: int = 0) -> str:
    drop = lex.words("issues", "drop")
    left = [t for c in head.children if c.i < head.i and c.dep_ in
            ("det", "amod", "compound", "poss", "nummod", "nmod", "predet", "quantmod")
            for t in c.subtree]
    words = []
    for t in sorted(left, key=lambda t: t.i):
        if t.lower_ in drop or t.dep_ in ("case", "punct") or t.lower_ in ("'s", "'"):
            continue
        words.append(_cased(t))
    words.append(_cased(head))
    if tail and level < 2:
        for c in head.children:
            if c.dep_ == "prep" and c.lower_ in ISSUE_TAIL_PREPS and c.i > head.i:
                pobj = [p for p in c.children if p.dep_ == "pobj"]
                if pobj:
                    words += [c.lower_, _noun_phrase(pobj[0], lex, level=level + 1)]
                    break
    return " ".join(w for w in words if w)


def _cased(tok: Any) -> str:
    if tok.pos_ == "PROPN" or tok.ent_type_ in ("NORP", "GPE", "LOC", "FAC") or (
            tok.text[:1].isupper() and tok.i > tok.sent.start and tok.pos_ != "NOUN"):
        return tok.text
    return tok.text.lower()


def _clip(phrase: str) -> str | None:
    words = phrase.split()
    if not words:
        return None
    return " ".join(words[:MAX_ISSUE_WORDS])
