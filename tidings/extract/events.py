"""PLOVER event coding: who did what to whom, when and where, with negation and modality.

`find_events(doc)` reads the shared parse (`doc.parsed`) and the entities, times, places (and,
when present, quotes) already on the Doc, and returns one `Event` per trigger:

1. Triggers. Each sentence's tokens are looked up by lemma in the event lexicon
   (`tidings/data/events/triggers.tsv`): multi-word rows first ("put forward", "take issue
   with", "reach agreement"), then single verbs and nouns. A "light" noun ("agreement",
   "demand") counts only as the object of a light verb ("reached an agreement", "reiterated its
   demand"); a noun that modifies another noun ("ceasefire talks") is a topic, not an event.
   A verb's object can give it another sense (cues.toml [senses]): "released a statement" and
   "residents returned to the north" are no RETREAT, "attacked the decision" is an ACCUSE.
2. Arguments (`event_args.ArgFinder`): the subject (passive agent, governing verb's subject,
   conjuncts, possessors and actor modifiers of nouns) are the actors; the object or the object
   of "on / against / with / to ..." the targets. "The parties", "neither party" stand for the
   sides of the article's first negotiation; "mediators" for the mediators it names
   ("mediated by X, Y and Z"), who also attach to its talks. A dateline or byline ("CAIRO
   (Reuters) -") is never an actor; people nouns act for the place that qualifies them
   ("police in Kenya", "Washington officials").
3. Negation (`event_modality.apply_negation`): "not/never", "failed to", "no/none/neither",
   "without" make an event `negated`; refusing to accept or to cooperate ("will not accept",
   "not willing to meet") is a REJECT, as PLOVER codes it.
4. Modality (`event_modality.apply_modality`): what someone asks for is "demanded", a condition
   or would/could/might "hypothetical", will/plans to "future"; an announced intent to cooperate
   is AGREE and to harm THREATEN. A reported wrongdoing is the reporter's ACCUSE and a reported
   "must" the speaker's REQUEST (`recode_blame`, `recode_obligation`). A trigger governed by
   a promise, threat or refusal ("refused to meet") is folded into it (`_Coder._fold`, here).
5. Date: a time expression in the trigger's clause ("clause"), else in its sentence outside
   other events' noun phrases ("sentence"), else the nearest earlier sentence's time
   ("governing"), else the publication date ("publication"), else none. An ongoing event
   ("campaign since then") has no single date. A participle clause ("..., killing nine") takes
   its main event's date; "N days after X" dates X from the event or the event from X
   (`_relative_dates`). Place: a place in the clause, else a place after "in/at/near" in the
   sentence, else a town reached through prepositional phrases ("at a church in the town of
   Dori"); never an actor's or target's own mention. What an accusation says the accused did
   ("accused X of firing on ...") is coded with modality "alleged"; violence by protesters is
   PROTEST (riot).
6. Confidence: the trigger row's strength times a share for the arguments found
   (CONFIDENCE_* constants).
7. References: a definite noun that names again an event already coded ("described the talks
   as constructive") is no new event; what it adds (its mediators) goes to the first one.

Steps 3 and 4 (negation, modality, reported blame and obligation, with `MAX_ANCESTORS` and the
clause-chain helpers `verb_chain` / `clause_top`) moved to `tidings/extract/event_modality.py`;
its docstring has the full rules. Triggers, arguments, folding, dates, places, confidence and
references stay here.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tidings.doc import Doc, register_group
from tidings.extract.event_args import MEDIATORS, PARTIES, ActorRef, ArgFinder, find_issue, unique
from tidings.extract.event_lexicon import DEFAULT_CAMEO, EventLexicon, TriggerEntry, load_lexicon
from tidings.extract.event_modality import (apply_modality, apply_negation, clause_top,
                                            recode_blame, recode_obligation)
from tidings.pipeline import Stage
from tidings.records import Event

log = logging.getLogger(__name__)

register_group("events", Event)

CONFIDENCE_TRIGGER_ONLY = 0.55
"""Share (0-1) of a trigger's strength kept when neither actor nor target is found; hand-set so
that an event with no participants ranks below any with one."""
CONFIDENCE_ACTOR = 0.3
"""Share added when an actor is found."""
CONFIDENCE_TARGET = 0.15
"""Share added when a target is found (actor + target = the full strength)."""
CONFIDENCE_FALLBACK_NAME = 0.9
"""Factor for events whose actor is only a bare proper noun the actor gazetteer does not know."""
MAX_DEP_DEPTH = 3
"""How deep under a multi-word trigger's head its other words may hang (children to
great-grandchildren: "take issue with", "went on strike", "declared a state of siege");
calibrated on the shipped rows."""
PLACE_TARGET_TYPES = frozenset({"ASSAULT", "COERCE", "PROTEST", "THREATEN"})
"""Types whose target, when the text names none, is where the event happened (the people and
property there), as CAMEO-style coders do ("imposed a curfew in Cizre")."""
PLACE_TARGET_MODES = frozenset({"visit"})
"""Modes whose target, when the text names none, is the place visited ("arrived in Amman")."""
STANCE_TYPES = frozenset({"REQUEST", "REJECT", "AGREE", "CONCEDE"})
"""Types that state a position on an issue ("called for a ceasefire") in any article; other
types get an issue only in articles about a negotiation."""

_DATE_VALUE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?(?:T[\d:]+)?$|^\d{4}-W\d{2}$")
_CLAUSE_BREAK_DEPS = frozenset({"ccomp", "advcl", "relcl", "conj", "parataxis", "csubj"})
_OBJECT_DEPS = frozenset({"dobj", "obj", "nsubjpass"})
"""What a verb acts on: its object, or the subject of its passive."""
MAX_PLACE_HOPS = 8
"""Most words climbed from a town to the verb its prepositional phrases hang on ("at a church
in the town of Dori": Dori, of, town, in, church, at); set by hand for two nested phrases."""
_LOCATIVE_PREPS = frozenset({"in", "at", "near", "inside", "outside", "across", "throughout"})


@dataclass(slots=True)
class _Trigger:
    tok: Any
    entry: TriggerEntry
    parts: list[Any]
    noun: bool
    light: Any | None = None


@dataclass(slots=True)
class _Draft:
    trig: _Trigger
    sent: Any
    type: str
    mode: str | None
    cameo: str
    actors: list[ActorRef]
    targets: list[ActorRef]
    mediators: list[ActorRef] = field(default_factory=list)
    negated: bool = False
    modality: str = "asserted"
    date: str | None = None
    date_source: str = "none"
    place: str | None = None
    issue: str | None = None
    refusal: bool = False


def verb_lemma(tok: Any, known: Collection[str]) -> str:
    """The token's lemma, repaired where the lemmatizer cut a verb's final "e" ("staged" ->
    "stag") and the repaired form is in `known` (trigger heads or light verbs)."""
    lemma = tok.lemma_.lower()
    if lemma not in known and lemma + "e" in known and tok.lower_[len(lemma):] in ("ed", "ing", "es"):
        return lemma + "e"
    return lemma


def find_events(doc: Doc, lexicon: EventLexicon | None = None) -> list[Event]:
    """PLOVER events reported in `doc.text`, in text order (see the module docstring).

    Needs `doc.parsed`; uses `doc.spans` "entities", "times", "places" and "quotes" where
    present. Returns [] when the Doc has no parse.
    """
    parsed = doc.parsed
    if parsed is None or parsed.text != doc.text:
        if parsed is not None:
            log.warning("article %s: doc.parsed is not a parse of doc.text; no events", doc.id)
        return []
    lex = lexicon or load_lexicon()
    finder = ArgFinder(doc.text, parsed, list(doc.spans.get("entities", [])),
                       list(doc.spans.get("places", [])), list(doc.spans.get("quotes", [])), lex,
                       doc.spans.get("times"))
    coder = _Coder(doc, lex, finder)
    return coder.run()


def make_events_stage(extra_lexicons: Sequence[Path | str] = ()) -> Stage:
    """Stage that writes `find_events(doc)` to `doc.spans["events"]`; `extra_lexicons` are user
    trigger (.tsv) or cue (.toml) files added to the shipped lexicon."""
    lexicon = load_lexicon(extra_lexicons)

    def run(doc: Doc) -> Doc:
        doc.spans["events"] = find_events(doc, lexicon)
        return doc

    return Stage("events", run, needs=("parsed", "entities", "times", "places"), adds=("events",))


class _Coder:
    """Codes the events of one article."""

    def __init__(self, doc: Doc, lex: EventLexicon, finder: ArgFinder) -> None:
        self.doc = doc
        self.text = doc.text
        self.lex = lex
        self.finder = finder
        self.light_verbs = lex.words("light_verbs", "lemmas")
        times = [t for t in doc.spans.get("times", []) if t.type in ("DATE", "TIME")
                 and _DATE_VALUE.match(t.value or "")]
        self.times = sorted(times, key=lambda t: t.start)

    # --- driver -----------------------------------------------------------------------------

    def run(self) -> list[Event]:
        drafts: list[_Draft] = []
        governing: str | None = None  # the latest sentence's own time
        sentence_mediators: dict[int, list[ActorRef]] = {}
        for sent in self.doc.parsed.sents:
            triggers = self._triggers(sent)
            trigger_toks = {t.tok.i: t for t in triggers}
            sent_drafts = [self._code(t, sent, trigger_toks) for t in triggers]
            sent_drafts = [d for d in self._fold(sent_drafts, trigger_toks) if d is not None]
            for d in sent_drafts:
                self._date(d, trigger_toks, governing)
                self._place(d, trigger_toks)
            self._relative_dates(sent_drafts)
            drafts += sent_drafts
            sentence_mediators[sent.start] = self._mediators_in(sent)
            governing = self._sentence_time(sent, trigger_toks, None) or governing
        drafts = self._drop_references(drafts)
        doc_mediators = unique(m for ms in sentence_mediators.values() for m in ms)
        parties = self._parties(drafts)
        return [self._finish(d, parties, doc_mediators, sentence_mediators) for d in drafts]

    def _drop_references(self, drafts: list[_Draft]) -> list[_Draft]:
        """Drafts without the definite event nouns that refer back to an event coded earlier
        ("described the talks as constructive", "the meeting in Cairo was ...", "in the ongoing
        talks"): a noun trigger of a [references] type with a definite determiner, no light verb
        of its own, and an earlier event of the same type whose actors include its own and whose
        date agrees. What the reference adds (mediators: "the talks, hosted by Turkey"; a place)
        goes to the event it refers to."""
        definite = self.lex.words("references", "determiners")
        types = {t.upper() for t in self.lex.words("references", "types")}
        kept: list[_Draft] = []
        for d in drafts:
            tok = d.trig.tok
            names = {a.name for a in d.actors}
            referent = None
            if (d.type in types and d.trig.noun and d.trig.light is None and d.modality == "asserted"
                    and not d.negated
                    and any(c.dep_ == "det" and c.lower_ in definite for c in tok.children)):
                referent = next((k for k in reversed(kept) if k.type == d.type
                                 and names <= {a.name for a in k.actors}
                                 and (d.date_source != "clause" or d.date == k.date)), None)
            if referent is None:
                kept.append(d)
                continue
            log.debug("article %s: %r refers back to an earlier %s", self.doc.id, tok.text, d.type)
            referent.mediators = unique([*referent.mediators, *d.mediators])
            referent.place = referent.place or d.place
        return kept

    # --- triggers ---------------------------------------------------------------------------

    def _triggers(self, sent: Any) -> list[_Trigger]:
        found: dict[int, _Trigger] = {}
        consumed: set[int] = set()
        for tok in sent:  # multi-word rows first, so their words are not triggers themselves
            for entry, is_noun in self._candidates(tok, multi=True):
                parts = self._match_deps(tok, entry)
                if parts is not None and not (consumed & {p.i for p in parts}) and tok.i not in consumed:
                    found[tok.i] = _Trigger(tok, entry, [tok, *parts], is_noun)
                    consumed.update(p.i for p in [tok, *parts])
                    break
        for tok in sent:
            if tok.i in consumed:
                continue
            for entry, is_noun in self._candidates(tok, multi=False):
                trig = self._single(tok, entry, is_noun)
                if trig is not None:
                    found[tok.i] = trig
                    break
        for i, trig in list(found.items()):
            if trig.light is not None and trig.light.i in found:
                # "will not accept the proposal": the verb is the event; the noun is one only
                # with actors of its own ("accepted a U.S. proposal"), and shares nothing else
                if self.finder.noun_actors(trig.tok):
                    trig.light = None
                else:
                    del found[i]
        return [found[i] for i in sorted(found)]

    def _candidates(self, tok: Any, *, multi: bool) -> list[tuple[TriggerEntry, bool]]:
        lemma, lower = tok.lemma_.lower(), tok.lower_
        out: list[tuple[TriggerEntry, bool]] = []
        verbish = tok.pos_ == "VERB" or tok.tag_.startswith("VB")
        nounish = tok.pos_ == "NOUN"
        noun_rows = [e for e in self.lex.entries(lower, "noun") if lower != lemma or nounish]
        if nounish:
            noun_rows += [e for e in self.lex.entries(lemma, "noun") if e not in noun_rows]
        verb_rows = list(self.lex.entries(verb_lemma(tok, self.lex.by_head), "verb")) if verbish else []
        if verbish and noun_rows and tok.i > 0 and tok.nbor(-1).pos_ in ("DET", "ADJ", "NOUN", "PROPN"):
            verb_rows = []  # "the Gaza ceasefire talks" tagged as a verb is the noun
        for rows, is_noun in ((noun_rows, True), (verb_rows, False)):
            for entry in rows:
                if bool(entry.deps) == multi:
                    out.append((entry, is_noun))
        return out

    def _match_deps(self, head: Any, entry: TriggerEntry) -> list[Any] | None:
        pool: list[Any] = []
        frontier = [head]
        for _ in range(MAX_DEP_DEPTH):
            frontier = [c for t in frontier for c in t.children if c.dep_ not in _CLAUSE_BREAK_DEPS]
            pool += frontier
        parts: list[Any] = []
        for slot in entry.deps:
            hit = next((t for t in pool if t not in parts and
                        (t.lemma_.lower() in slot or t.lower_ in slot)), None)
            if hit is None:
                return None
            parts.append(hit)
        return parts

    def _single(self, tok: Any, entry: TriggerEntry, is_noun: bool) -> _Trigger | None:
        if self.finder.entity_at(tok) is not None or (is_noun and self.finder.place_at(tok)):
            return None  # part of a name ("Ceasefire Committee", "Strike Force")
        if is_noun and tok.dep_ in ("compound", "amod", "poss"):
            return None  # a topic ("ceasefire talks"), not an event
        if not is_noun and tok.dep_ == "amod":
            return None  # a description ("detained citizens", "besieged city"), not a report
        if not is_noun:
            objects = [c.lemma_.lower() for c in tok.children if c.dep_ in _OBJECT_DEPS]
            if tok.dep_ in ("relcl", "acl") and tok.head.pos_ in ("NOUN", "PROPN"):
                objects.append(tok.head.lemma_.lower())  # "the prisoners Israel would free"
            sensed = self.lex.sense(entry, objects)
            if sensed is None:
                return None  # "released a statement", "residents returned to the north"
            entry = sensed
        light = self._light_verb(tok) if is_noun else None
        if "light" in entry.flags and light is None:
            return None
        return _Trigger(tok, entry, [tok], is_noun, light)

    def _light_verb(self, noun: Any) -> Any | None:
        tok = noun
        while tok.dep_ == "conj" and tok.head.i != tok.i:
            tok = tok.head
        head = tok.head
        light = self.light_verbs
        if tok.dep_ in ("dobj", "nsubjpass", "obj", "attr") and verb_lemma(head, light) in light:
            return head
        if tok.dep_ == "pobj" and head.dep_ in ("prep", "agent") and head.lower_ in ("for", "to", "into", "on"):
            verb = head.head
            if verb_lemma(verb, self.light_verbs) in self.light_verbs:
                return verb
        return None

    # --- one event --------------------------------------------------------------------------

    def _code(self, trig: _Trigger, sent: Any, trigger_toks: dict[int, _Trigger]) -> _Draft:
        f = self.finder
        tok, entry = trig.tok, trig.entry
        extra = [p for p in trig.parts if p.i != tok.i]
        if not trig.noun:
            actors, targets = f.verb_subject(tok)
            if "receive" in entry.flags:  # "Ukraine received aid from the EU": the EU gives
                actors, targets = f.givers(tok), actors
            else:
                targets = targets or f.verb_targets(tok, extra)
        else:
            actors = f.noun_actors(tok)
            targets, between = f.noun_targets(tok)
            verb = trig.light or f.governing_verb(tok)
            if verb is not None and not actors:
                actors, passive_targets = f.verb_subject(verb)
                if trig.light is not None and not targets:
                    targets = [t for t in (passive_targets or f.verb_targets(verb))
                               if not (t.start <= tok.idx < t.end)]
            if not actors and tok.pos_ == "VERB":  # a noun the tagger took for a verb
                actors, _ = f.verb_subject(tok)
            if not between and tok.dep_ == "nsubj" and "symmetric" in entry.flags:
                _, between = f.noun_targets(tok.head)  # "a gunfight broke out between X and Y"
            if between:
                if actors:
                    targets = targets or between
                else:
                    actors = between
        if not targets and entry.type == "REQUEST":
            targets = f.complement_actors(tok, exclude=[a.name for a in actors])
        draft = _Draft(trig, sent, entry.type, entry.mode, entry.cameo, actors, targets)
        if entry.flags & {"negotiation", "mediate"} or entry.type == "CONSULT":
            draft.mediators = self._attached_mediators(tok)
        if "blame" in entry.flags:
            recode_blame(draft, self.lex, f)
        elif not trig.noun:
            recode_obligation(draft, self.lex, f)
        if draft.type == "ASSAULT" and self._by_protesters(actors, tok):
            # "protesters stormed the parliament": violent protest (CAMEO 145), PLOVER PROTEST riot
            draft.type, draft.mode, draft.cameo = "PROTEST", "riot", DEFAULT_CAMEO["PROTEST"]
        if draft.type == "PROTEST" and not trig.noun and any(c.dep_ == "ccomp" for c in tok.children):
            draft.type, draft.mode, draft.cameo = "ACCUSE", "disapprove", DEFAULT_CAMEO["ACCUSE"]
        apply_negation(draft, self.lex)
        apply_modality(draft, self.lex, trigger_toks)
        return draft

    def _by_protesters(self, actors: list[ActorRef], tok: Any) -> bool:
        """True when every actor, or with none the trigger's subject, is a crowd of protesters
        (cues.toml [actors] protesters)."""
        crowd = self.lex.words("actors", "protesters")
        if not actors:
            return any(c.dep_ == "nsubj" and c.lemma_.lower() in crowd for c in tok.children)
        for a in actors:
            span = self.doc.parsed.char_span(a.start, a.end, alignment_mode="expand")
            if span is None or span.root.lemma_.lower() not in crowd:
                return False
        return True

    def _fold(self, drafts: list[_Draft], trigger_toks: dict[int, _Trigger]) -> list[_Draft | None]:
        """Drop an event whose trigger is the to-infinitive of a promise, threat or refusal
        trigger ("refused to meet", "threatened to break off relations"); the outer event takes
        its targets and issue."""
        by_tok = {d.trig.tok.i: d for d in drafts}
        parts = {p.i: d for d in drafts for p in d.trig.parts}
        out: list[_Draft | None] = []
        for d in drafts:
            tok = d.trig.tok
            if "mediate" in d.trig.entry.flags and tok.dep_ in ("acl", "relcl") and (
                    tok.head.i in by_tok or tok.tag_ == "VBN"):
                out.append(None)  # "talks mediated by X": X are the talks' mediators
                continue
            if (tok.dep_ == "pcomp" and tok.tag_ == "VBG" and tok.head.dep_ == "prep"
                    and tok.head.head.i in parts
                    and not any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children)):
                if self._accusation_of(tok, by_tok) is None:
                    out.append(None)  # "took issue with releasing detainees": a topic, not an event
                    continue
            accuser = self._accusation_of(tok, by_tok)
            if accuser is not None and d is not accuser:
                # "accused Azerbaijan of firing on its positions": what the accused did, as the
                # accuser says
                d.actors = accuser.targets or d.actors
                d.modality = "alleged"
                own = self.lex.words("pronouns", "third_person")
                if not d.targets and any(t.dep_ == "poss" and t.lower_ in own for t in tok.subtree):
                    d.targets = accuser.actors  # "accused X of firing on its positions"
            outer = None
            base = d.trig.light if d.trig.light is not None else (None if d.trig.noun else tok)
            if base is not None and base.dep_ == "xcomp":  # "promised to continue military aid"
                outer = by_tok.get(base.head.i)
            if outer is not None and outer is not d and not outer.trig.noun and (
                    "absorb" in outer.trig.entry.flags or outer.type in ("AGREE", "THREATEN")):
                if not outer.targets:
                    outer.targets = d.targets
                out.append(None)
            else:
                out.append(d)
        return out

    @staticmethod
    def _accusation_of(tok: Any, by_tok: dict[int, _Draft]) -> _Draft | None:
        """The ACCUSE verb event whose "of/for" gerund `tok` is ("accused X of firing",
        "blamed X for shelling"; the phrase may hang on the verb or on its object)."""
        if tok.dep_ != "pcomp" or tok.tag_ != "VBG" or tok.head.lower_ not in ("of", "for"):
            return None
        holder = tok.head.head
        for cand in (holder, holder.head if holder.dep_ in ("dobj", "obj") else None):
            d = by_tok.get(cand.i) if cand is not None else None
            if d is not None and d.type == "ACCUSE" and not d.trig.noun:
                return d
        return None

    # --- when and where ---------------------------------------------------------------------

    def _times_in(self, toks: Sequence[Any]) -> list[Any]:
        spans = [(t.idx, t.idx + len(t.text)) for t in toks]
        return [tm for tm in self.times if any(s < tm.end and tm.start < e for s, e in spans)]

    def _claimed(self, sent: Any, mine: Any, trigger_toks: dict[int, _Trigger]) -> set[int]:
        """Token indices whose times belong to another event: the phrases of noun triggers
        that are not above `mine` ("the attack on October 7"), and relative clauses."""
        ancestors = {a.i for a in mine.ancestors} if mine is not None else set()
        mine_trig = trigger_toks.get(mine.i) if mine is not None else None
        mine_is_noun = mine_trig is not None and mine_trig.noun
        claimed: set[int] = set()
        for i, trig in trigger_toks.items():
            if mine is not None and i == mine.i:
                continue
            if trig.noun and trig.tok.pos_ == "NOUN" and (i not in ancestors or mine_is_noun):
                claimed.update(t.i for t in trig.tok.subtree)
            elif not trig.noun and mine is not None and i not in ancestors:
                claimed.update(t.i for t in trig.tok.subtree)  # "what we agreed to on July 2"
        for tok in sent:
            if tok.dep_ in ("relcl", "acl") and (mine is None or mine.i not in {t.i for t in tok.subtree}):
                claimed.update(t.i for t in tok.subtree)
        return claimed

    def _clause_tokens(self, d: _Draft, trigger_toks: dict[int, _Trigger]) -> list[Any]:
        """The tokens of the trigger's clause, without the phrases of other events in it."""
        tok = d.trig.tok
        skip: set[int] = set()
        if d.trig.noun:
            own = list(tok.subtree)
        else:
            top = clause_top(d.trig)
            for child in top.children:
                if child.dep_ in _CLAUSE_BREAK_DEPS and tok.i not in {t.i for t in child.subtree}:
                    skip.update(t.i for t in child.subtree)
            own = list(top.subtree)
        ancestors = {a.i for a in tok.ancestors}
        parts = {p.i for p in d.trig.parts}
        for i, other in trigger_toks.items():
            if i not in parts and i not in ancestors:
                skip.update(t.i for t in other.tok.subtree)
        return [t for t in own if t.i not in skip]

    @staticmethod
    def _ongoing(toks: Sequence[Any], sent: Any) -> bool:
        """True for an event said to go on "since" a time, in its clause or the whole sentence."""
        root_kids = [c for c in sent.root.children]
        return any(t.lower_ == "since" and t.dep_ in ("prep", "mark") for t in [*toks, *root_kids])

    def _sentence_time(self, sent: Any, trigger_toks: dict[int, _Trigger], mine: Any) -> str | None:
        claimed = self._claimed(sent, mine, trigger_toks)
        free = [t for t in sent if t.i not in claimed]
        times = self._times_in(free)
        if not times:
            return None
        best = min(times, key=lambda tm: self._depth_at(sent, tm.start))
        return str(best.value)

    def _depth_at(self, sent: Any, offset: int) -> int:
        tok = next((t for t in sent if t.idx <= offset < t.idx + len(t.text) + 1), sent.root)
        depth = 0
        while tok.head.i != tok.i and depth < 50:
            tok = tok.head
            depth += 1
        return depth

    def _date(self, d: _Draft, trigger_toks: dict[int, _Trigger], governing: str | None) -> None:
        clause = self._clause_tokens(d, trigger_toks)
        times = self._times_in(clause)
        if times:
            nearest = min(times, key=lambda tm: abs(tm.start - d.trig.tok.idx))
            d.date, d.date_source = str(nearest.value), "clause"
            return
        if self._ongoing(clause, d.sent):
            d.date, d.date_source = None, "none"
            return
        value = self._sentence_time(d.sent, trigger_toks, d.trig.tok)
        if value is not None:
            d.date, d.date_source = value, "sentence"
        elif governing is not None and not (d.modality == "asserted" and self._after_publication(governing)):
            d.date, d.date_source = governing, "governing"
        elif self.doc.published is not None:
            d.date, d.date_source = self.doc.published.isoformat(), "publication"
            if self.doc.published_precision == "month":
                d.date = self.doc.published.isoformat()[:7]
            elif self.doc.published_precision == "year":
                d.date = self.doc.published.isoformat()[:4]

    def _relative_dates(self, drafts: list[_Draft]) -> None:
        """Dates one event of a sentence gives another: a participle clause ("attacked a
        church, killing nine people, an official said on Monday") takes its main event's date;
        "N days after X" puts X N days before the event it dates ("the meeting came two days
        after Armenia accused ...", "a day after an attack ... killed 11"), or the event N days
        after X's own date when only X has one. Changes the drafts."""
        by_tok = {d.trig.tok.i: d for d in drafts}
        reporting = self.lex.words("modality", "reporting_verbs")
        for d in drafts:
            tok = d.trig.tok
            head = by_tok.get(tok.head.i)
            if (not d.trig.noun and tok.tag_ == "VBG" and tok.dep_ in ("advcl", "xcomp")
                    and d.date_source != "clause" and head is not None and head is not d
                    and head.date_source != "none"):
                d.date, d.date_source = head.date, head.date_source
        for tok in drafts[0].sent if drafts else ():
            if tok.lower_ not in ("after", "before") or tok.dep_ not in ("mark", "prep"):
                continue
            days = _offset_days(tok)
            if days is None:
                continue
            inner = tok.head if tok.dep_ == "mark" else next(
                (c for c in tok.children if c.dep_ in ("pobj", "pcomp")), None)
            anchor_tok = tok.head.head if tok.dep_ == "mark" else tok.head
            if anchor_tok.lemma_.lower() in _UNIT_DAYS and anchor_tok.dep_ == "npadvmod":
                anchor_tok = anchor_tok.head  # "a day after X" hanging on "day"
            if inner is None:
                continue
            inside = {t.i for t in inner.subtree}
            earlier = [d for d in drafts if d.trig.tok.i in inside]
            if (inner.pos_ == "NOUN" and anchor_tok.i in by_tok and anchor_tok.head.i != anchor_tok.i
                    and not any(c.dep_ in ("nsubj", "nsubjpass") for c in anchor_tok.children)):
                # "..., a day after an attack on a church killed 11 people" parsed with the
                # offset on "killed": that verb is the attack's own; the event dated is above it
                earlier.append(by_tok[anchor_tok.i])
                anchor_tok = anchor_tok.head
            if anchor_tok.lemma_.lower() in reporting and anchor_tok.i not in by_tok:
                # "X killed 20 militants on Monday, the army said, a day after ...": the report's
                # content is the event dated
                anchor_tok = next((c for c in anchor_tok.children if c.dep_ == "ccomp"), anchor_tok)
            anchor = by_tok.get(anchor_tok.i) or next(
                (by_tok[c.i] for c in anchor_tok.children if c.dep_ in ("nsubj", "nsubjpass") and c.i in by_tok),
                None)
            if anchor is None or anchor in earlier:
                continue
            sign = -1 if tok.lower_ == "after" else 1
            dated = [x.date for x in earlier if x.date_source == "clause"]
            dated += [str(t.value) for t in self._times_in(list(inner.subtree))]  # "after X cut pay on March 4"
            anchor_day = _day(anchor.date)
            other_day = _day(dated[0]) if dated else None
            own = anchor_day is not None and anchor.date_source == "clause"
            if not own and other_day is not None:
                anchor.date = (other_day - dt.timedelta(days=sign * days)).isoformat()
                anchor.date_source = "sentence"
            elif anchor_day is not None and anchor.date_source != "publication":
                for x in earlier:
                    if x.date_source != "clause":
                        x.date = (anchor_day + dt.timedelta(days=sign * days)).isoformat()
                        x.date_source = "sentence"

    def _after_publication(self, value: str) -> bool:
        """True when a date value begins after publication ("the delegations would return in
        October" in a September report): an event reported as having happened cannot inherit
        it from an earlier sentence."""
        if self.doc.published is None:
            return False
        if "-W" in value:
            year, week = value[:4], value[6:8]
            first = dt.date.fromisocalendar(int(year), int(week), 1)
        else:
            parts = [int(p) for p in value[:10].split("-")]
            first = dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
        return first > self.doc.published

    def _place(self, d: _Draft, trigger_toks: dict[int, _Trigger]) -> None:
        taken = [(a.start, a.end) for a in [*d.actors, *d.targets]]

        def free(p: Any) -> bool:
            return not any(s < p.end and p.start < e for s, e in taken)

        def locative(p: Any) -> bool:
            tok = self._place_head(d.sent, p)
            return tok is not None and tok.dep_ == "pobj" and tok.head.lower_ in _LOCATIVE_PREPS

        clause = self._clause_tokens(d, trigger_toks)
        span = [(t.idx, t.idx + len(t.text)) for t in clause]
        in_clause = [p for p in self.finder.places if free(p)
                     and any(s <= p.start < e for s, e in span)]
        in_clause.sort(key=lambda p: (not locative(p), abs(p.start - d.trig.tok.idx)))
        if in_clause and locative(in_clause[0]):
            d.place = in_clause[0].name
            return
        anchors = {a.i for a in d.trig.tok.ancestors} | {d.sent.root.i}

        def adjunct(p: Any) -> bool:  # "... in Cairo" hanging on a verb of the sentence
            tok = self._place_head(d.sent, p)
            if tok is None or tok.dep_ != "pobj":
                return False
            holder = tok.head.head
            return holder.i in anchors or holder.pos_ in ("VERB", "AUX")

        sent_places = [p for p in self.finder.places if free(p) and
                       d.sent.start_char <= p.start < d.sent.end_char and locative(p) and adjunct(p)]
        if sent_places:
            d.place = min(sent_places, key=lambda p: abs(p.start - d.trig.tok.idx)).name
            return
        mine = anchors | {t.i for t in d.trig.parts} | ({d.trig.light.i} if d.trig.light is not None else set())
        nested = [p for p in self.finder.places if free(p) and p.feature != "country"
                  and d.sent.start_char <= p.start < d.sent.end_char and self._nested_locative(d.sent, p, mine)]
        if nested:  # "attacked worshippers at a church in the town of Dori"
            d.place = min(nested, key=lambda p: abs(p.start - d.trig.tok.idx)).name

    def _nested_locative(self, sent: Any, place: Any, anchors: set[int]) -> bool:
        """True for a town reached from a verb of the sentence through prepositional phrases
        only, one of them locative ("at a church in the town of Dori")."""
        tok = self._place_head(sent, place)
        locative = False
        for _ in range(MAX_PLACE_HOPS):
            if tok is None or tok.dep_ not in ("pobj", "prep", "appos", "compound"):
                return False
            if tok.dep_ == "prep" and tok.lower_ in _LOCATIVE_PREPS:
                locative = True
            tok = tok.head
            if tok.pos_ in ("VERB", "AUX"):
                return locative and tok.i in anchors
        return False

    @staticmethod
    def _place_head(sent: Any, place: Any) -> Any | None:
        """The syntactic head of a place mention, climbing compounds only inside the mention
        ("the Philadelphi Corridor" -> Corridor; "the Gaza ceasefire" -> Gaza, not ceasefire)."""
        tok = next((t for t in sent if t.idx <= place.start < t.idx + len(t.text)), None)
        while tok is not None and tok.dep_ == "compound" and tok.head.idx < place.end:
            tok = tok.head
        return tok

    # --- parties, mediators, finishing --------------------------------------------------------

    def _attached_mediators(self, tok: Any) -> list[ActorRef]:
        verbs = self.lex.words("parties", "mediate_verbs")
        out: list[ActorRef] = []
        for child in tok.children:
            if child.dep_ in ("acl", "relcl") and child.lemma_.lower() in verbs:
                out += self.finder.agent(child)
        if tok.dep_ in ("dobj",) and tok.head.lemma_.lower() in verbs:
            out += self.finder.verb_subject(tok.head)[0]
        return out

    def _mediators_in(self, sent: Any) -> list[ActorRef]:
        verbs = self.lex.words("parties", "mediate_verbs")
        nouns = self.lex.words("parties", "mediator_nouns")
        out: list[ActorRef] = []
        for tok in sent:
            lemma = tok.lemma_.lower()
            if lemma in verbs and tok.pos_ == "VERB" and lemma != "host":
                agent = self.finder.agent(tok)
                if agent:
                    out += agent
                elif tok.tag_ != "VBN":
                    subj = [c for c in tok.children if c.dep_ == "nsubj"]
                    if subj:
                        out += self.finder.np_actors(subj[0])
            elif (tok.lower_ in nouns or lemma in nouns) and tok.pos_ == "NOUN":
                out += [r for r in self.finder.np_actors(tok) if r.name not in (MEDIATORS, PARTIES)]
        return [r for r in unique(out) if r.name not in (MEDIATORS, PARTIES)]

    @staticmethod
    def _parties(drafts: list[_Draft]) -> list[ActorRef]:
        def concrete(refs: list[ActorRef]) -> list[ActorRef]:
            return [r for r in refs if r.name not in (PARTIES, MEDIATORS)]

        for wanted in ("negotiation", "symmetric"):
            for d in drafts:
                if wanted in d.trig.entry.flags and d.type in ("CONSULT", "AGREE", "REJECT"):
                    if len(concrete(d.actors)) >= 2:
                        return concrete(d.actors)
        return []

    def _finish(self, d: _Draft, parties: list[ActorRef], doc_mediators: list[ActorRef],
                sentence_mediators: dict[int, list[ActorRef]]) -> Event:
        def fill(refs: list[ActorRef]) -> list[ActorRef]:
            out: list[ActorRef] = []
            for r in refs:
                if r.name == PARTIES:
                    out += parties
                elif r.name == MEDIATORS:
                    out += doc_mediators
                else:
                    out.append(r)
            return unique(out)

        negotiation = "negotiation" in d.trig.entry.flags
        actors = fill(d.actors)
        if not actors and negotiation:
            actors = list(parties)
        mediators = fill(d.mediators)
        if negotiation and not mediators:
            mediators = list(sentence_mediators.get(d.sent.start) or doc_mediators)
        names = {a.name for a in actors}
        if negotiation:
            mediators = [m for m in mediators if m.name not in names]
            actors = [a for a in actors if a.name not in {m.name for m in mediators}] or actors
            names = {a.name for a in actors}
        targets = [t for t in fill(d.targets) if t.name not in names]
        if not targets and d.place and (d.type in PLACE_TARGET_TYPES or d.mode in PLACE_TARGET_MODES):
            place = next((p for p in self.finder.places if p.name == d.place), None)
            if place is not None and place.name not in names:  # "imposed a curfew in Cizre"
                targets = [self.finder.place_ref(place)]
        if not d.issue and (parties or negotiation or d.type in STANCE_TYPES):
            d.issue = find_issue(d.trig.tok, d.type, d.sent, self.lex)
        entry = d.trig.entry
        share = CONFIDENCE_TRIGGER_ONLY + CONFIDENCE_ACTOR * bool(actors) + CONFIDENCE_TARGET * bool(targets)
        confidence = entry.strength * share
        if actors and all(not a.code for a in actors):
            confidence *= CONFIDENCE_FALLBACK_NAME
        start = min(p.idx for p in d.trig.parts)
        end = max(p.idx + len(p.text) for p in d.trig.parts)
        return Event(
            start=start, end=end, sentence_start=d.sent.start_char, sentence_end=d.sent.end_char,
            type=d.type,  # type: ignore[arg-type]
            mode=d.mode, cameo=d.cameo,
            actors=tuple(a.name for a in actors), actor_codes=tuple(a.code for a in actors),
            targets=tuple(t.name for t in targets), target_codes=tuple(t.code for t in targets),
            mediators=tuple(m.name for m in mediators), negated=d.negated,
            modality=d.modality,  # type: ignore[arg-type]
            date=d.date, date_source=d.date_source,  # type: ignore[arg-type]
            place=d.place, issue=d.issue, confidence=round(confidence, 3),
        )


_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_UNIT_DAYS = {"day": 1, "week": 7}


def _offset_days(mark: Any) -> int | None:
    """Days of a "two days after" / "a week before" offset on `mark`, or None."""
    unit = next((c for c in mark.children if c.dep_ == "npadvmod"), None)
    if unit is None and mark.head.dep_ == "npadvmod":
        unit = mark.head
    if unit is None and mark.i > 0 and mark.nbor(-1).dep_ == "npadvmod":
        unit = mark.nbor(-1)
    if unit is None or unit.lemma_.lower() not in _UNIT_DAYS:
        return None
    count = next((c for c in unit.children if c.dep_ in ("nummod", "det")), None)
    if count is None:
        return None
    n = _NUMBER_WORDS.get(count.lower_) or (int(count.text) if count.text.isdigit() else None)
    return n * _UNIT_DAYS[unit.lemma_.lower()] if n else None


def _day(value: str | None) -> dt.date | None:
    """A day-precision date value as a date, else None."""
    if value is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    return dt.date.fromisoformat(value)


def primary_event(events: Sequence[Event], parsed: Any) -> Event | None:
    """The event a one-event-per-sentence coding would report: the one whose trigger is
    highest in the dependency tree (then the most confident, then the first)."""
    if not events:
        return None

    def depth(e: Event) -> int:
        span = parsed.char_span(e.start, e.end, alignment_mode="expand")
        tok = span.root if span is not None else None
        n = 0
        if tok is not None and tok.pos_ == "NOUN" and tok.dep_ in ("dobj", "nsubjpass", "attr"):
            n = -1  # "announced a suspension": the noun is carried by its verb
        while tok is not None and tok.head.i != tok.i and n < 50:
            tok = tok.head
            n += 1
        return n

    marks = load_lexicon().words("modality", "conditional_marks")

    def in_condition(e: Event) -> bool:  # "if it is attacked": a condition, not the news
        span = parsed.char_span(e.start, e.end, alignment_mode="expand")
        tok = span.root if span is not None else None
        chain = [tok, *tok.ancestors] if tok is not None else []
        return any(t.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in marks for m in t.children)
                   for t in chain)

    return min(events, key=lambda e: (in_condition(e), depth(e), -e.confidence, e.start))

