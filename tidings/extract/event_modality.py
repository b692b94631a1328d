"""Negation and modality of event triggers: what is asked for, promised or denied is not what happened.

Moved here from `tidings/extract/events.py` (which calls these from `_Coder._code`, in this
order: `recode_blame` or `recode_obligation`, then `apply_negation`, then `apply_modality`);
`verb_chain` and `clause_top` are shared with the date and place rules that stayed there.

1. Reported blame and obligation: a wrongdoing reported by another actor ("Hamas said Israel
   had backtracked") is that actor's ACCUSE of the subject; "Russia said Sudan must return the
   helicopter" is the speaker's REQUEST of Sudan.
2. Negation: a "not/never" on the trigger or the verbs that govern it, "failed to", "no/none/
   neither" on an argument, "without". A negated event keeps its type with `negated=True`
   ("failed to reach an agreement" is a negated AGREE), except that refusing to accept is a
   REJECT, as PLOVER codes it: a negated `accept` trigger ("will not accept", "none were
   accepted", "neither party was willing to agree to ...") and a cooperative event negated with
   a volition cue ("will not withdraw", "not willing to meet") are REJECT, not negated.
3. Modality: what someone asks for is "demanded": inside a REQUEST's complement, the clause of
   a demand verb or noun with its own subject ("proposed that Hamas release", "its demand that
   Israel withdraw", "the condition is that Russia withdraw") or a bare-form clause ("including
   that Israel withdraw"); a condition ("if", "unless", "provided that", "conditional on") or
   would/could/might "hypothetical"; will/plans to/about to or a proposal's complement
   "future". As in PLOVER (CAMEO 03 and 13), an announced intent to cooperate ("will visit",
   "pledged to send aid") is coded AGREE and an intent or condition to harm ("vowed to attack",
   "will boycott") THREATEN, both keeping modality "future"/"hypothetical"; an announced
   decision ("announced it would expel ...") keeps its type.

Cue words are in tidings/data/events/cues.toml ([negation], [modality], [demands], [types]).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tidings.extract.event_args import ArgFinder
from tidings.extract.event_lexicon import DEFAULT_CAMEO, EventLexicon

if TYPE_CHECKING:  # the coder's working records; read here, never built, so no import at run time
    from tidings.extract.events import _Draft, _Trigger

MAX_ANCESTORS = 12
"""Most heads climbed from a trigger looking for modality cues; bounds work per trigger."""

_CHAIN_DEPS = frozenset({"xcomp", "acomp", "aux", "auxpass"})
_NOT_COMPLEMENT_DEPS = frozenset({"conj", "cc", "advcl", "nsubj", "csubj", "npadvmod", "advmod",
                                  "punct", "appos"})
"""Links that do not put an event inside what its head asks for ("demanded a truce and attacked")."""
_OWN_CLAUSE_DEPS = frozenset({"relcl", "parataxis"})
"""Links below which a clause asserts on its own ("wants Belgrade to recognise its independence,
which Serbia has refused to do")."""


def verb_chain(tok: Any) -> list[Any]:
    """The trigger and the verbs/adjectives above it in the same clause ("was willing to
    agree", "failed to reach", "will not accept")."""
    chain = [tok]
    cur = tok
    for _ in range(MAX_ANCESTORS):
        if cur.dep_ in _CHAIN_DEPS and cur.head.i != cur.i:
            cur = cur.head
            chain.append(cur)
        else:
            break
    return chain


def clause_top(trig: _Trigger) -> Any:
    """The highest word of the trigger's clause chain (its light verb's, for a noun trigger)."""
    base = trig.light if trig.light is not None else trig.tok
    return verb_chain(base)[-1]


def _other_reporters(d: _Draft, lex: EventLexicon, finder: ArgFinder) -> list[Any]:
    """The subjects of the reporting verb whose complement holds the event ("Hamas" in "Hamas
    said Israel had backtracked"), other than the event's own actors; [] when not reported."""
    top = clause_top(d.trig)
    if top.dep_ != "ccomp" or top.head.lemma_.lower() not in lex.words("modality", "reporting_verbs"):
        return []
    reporters, _ = finder.verb_subject(top.head)
    names = {a.name for a in d.actors}
    return [r for r in reporters if r.name not in names]


def recode_blame(d: _Draft, lex: EventLexicon, finder: ArgFinder) -> None:
    """"Hamas said Israel had backtracked": a wrongdoing (a "blame" trigger) reported by another
    actor is that actor's ACCUSE of the subject. Changes `d`."""
    reporters = _other_reporters(d, lex, finder)
    if reporters:
        d.type, d.mode, d.cameo = "ACCUSE", "disapprove", DEFAULT_CAMEO["ACCUSE"]
        d.actors, d.targets = reporters, d.actors


def recode_obligation(d: _Draft, lex: EventLexicon, finder: ArgFinder) -> None:
    """"Russia said Sudan must return the helicopter": the speaker demands it of the subject
    (PLOVER REQUEST); the demanded action stays in the issue."""
    musts = lex.words("modality", "obligation_aux")
    if not any(c.dep_ == "aux" and c.lower_ in musts for t in verb_chain(d.trig.tok) for c in t.children):
        return
    speakers = _other_reporters(d, lex, finder)
    if speakers:
        d.type, d.mode, d.cameo = "REQUEST", None, DEFAULT_CAMEO["REQUEST"]
        d.actors, d.targets = speakers, d.actors or d.targets


def apply_negation(d: _Draft, lex: EventLexicon) -> None:
    """Set `d.negated`, or recode a refusal as REJECT (see the module docstring). Changes `d`."""
    adverbs = lex.words("negation", "adverbs")
    dets = lex.words("negation", "determiners")
    failure = lex.words("negation", "failure_verbs")
    volition = lex.words("negation", "volition_adjectives")
    negative_adjs = lex.words("negation", "negative_adjectives")
    future_aux = lex.words("modality", "future_aux")
    hypo_aux = lex.words("modality", "hypothetical_aux")
    base = d.trig.light if d.trig.light is not None else d.trig.tok
    chain = verb_chain(base)
    if d.trig.light is not None:
        chain = [d.trig.tok, *chain]
    negated = volitional = False
    for tok in chain:
        lemma = tok.lemma_.lower()
        if lemma in failure and tok.i != d.trig.tok.i:
            negated = True
        if lemma in negative_adjs:
            negated = volitional = True
        if lemma in volition:
            volitional = True
        for child in tok.children:
            low = child.lower_
            if child.dep_ == "neg" or (child.dep_ == "advmod" and low in adverbs):
                negated = True
            if child.dep_ in ("aux",) and (low in future_aux or low in hypo_aux or
                                           child.lemma_.lower() in future_aux):
                volitional = True
            if child.dep_ in ("nsubj", "nsubjpass", "dobj") and _negative_np(child, dets):
                negated = True
    if d.trig.noun and any(c.dep_ == "det" and c.lower_ in dets for c in d.trig.tok.children):
        negated = True
    head = chain[-1].head
    if chain[-1].dep_ in ("pcomp", "pobj") and head.lower_ in lex.words("negation", "prepositions"):
        negated = True
    if not negated:
        return
    cooperative = lex.words("types", "cooperative")
    if "accept" in d.trig.entry.flags or (volitional and (d.type in {c.upper() for c in cooperative}
                                                           or d.type == "AGREE")):
        d.type, d.mode, d.cameo = "REJECT", None, DEFAULT_CAMEO["REJECT"]
        d.negated, d.refusal = False, True
    else:
        d.negated = True


def _negative_np(tok: Any, dets: frozenset[str]) -> bool:
    if tok.lower_ in dets:
        return True
    return any(c.dep_ in ("det", "preconj") and c.lower_ in dets for c in tok.children)


def apply_modality(d: _Draft, lex: EventLexicon, trigger_toks: dict[int, _Trigger]) -> None:
    """Set `d.modality` and recode announced intents as AGREE / THREATEN (see the module
    docstring); `trigger_toks` are the sentence's triggers by token index. Changes `d`."""
    tok = d.trig.tok
    marks = lex.words("modality", "conditional_marks")
    pending = lex.words("modality", "pending_marks")
    hypo_aux = lex.words("modality", "hypothetical_aux")
    future_aux = lex.words("modality", "future_aux")
    future_verbs = lex.words("modality", "future_verbs")
    intent_verbs = lex.words("modality", "intent_verbs")
    intent_adjs = lex.words("modality", "intent_adjectives")
    future_nouns = lex.words("modality", "future_nouns")
    reporting = lex.words("modality", "reporting_verbs")
    if _demanded(d, lex, trigger_toks):
        d.modality = "demanded"
        return
    base = d.trig.light if d.trig.light is not None else tok
    chain = verb_chain(base)
    if d.trig.light is not None:
        chain = [tok, *chain]
    top = chain[-1]
    # "will attack if X": the event has a condition; "if it is attacked": it is one
    conditional = any(
        c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in marks for m in c.children)
        for t in chain for c in t.children)
    in_condition = any(c.dep_ == "mark" and c.lower_ in marks for t in chain for c in t.children)
    condition_heads = lex.words("demands", "condition_heads")
    conditional = conditional or any(c.dep_ == "advcl" and c.lower_ in condition_heads
                                     for t in chain for c in t.children)
    cur = top
    for _ in range(MAX_ANCESTORS):  # an enclosing "if" clause, "conditional on", "provided"
        if cur.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in marks for m in cur.children):
            in_condition = True
        if (cur.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in pending for m in cur.children)
                and _unrealised(cur.head, lex)):
            in_condition = True
        if cur.head.i == cur.i:
            break
        if cur.head.lower_ in condition_heads and cur.dep_ in ("prep", "advcl", "pcomp", "ccomp"):
            in_condition = True
        cur = cur.head
    auxes = [c for t in chain for c in t.children if c.dep_ in ("aux", "auxpass")]
    reported = top.dep_ == "ccomp" and top.head.lemma_.lower() in reporting
    future = intent = False
    hypothetical = conditional or in_condition
    for aux in auxes:
        low, lemma = aux.lower_, aux.lemma_.lower()
        if low in future_aux or lemma in future_aux:
            future = intent = True
        elif low in hypo_aux:
            if low == "would" and reported:
                future = intent = True
            else:
                hypothetical = True
    if top.dep_ in ("advcl", "acl") and any(c.tag_ == "TO" for c in top.children):
        future = True  # a purpose: "met to discuss", "a spirit ... to reach an agreement"
    for t in chain[1:]:
        lemma = t.lemma_.lower()
        if lemma in intent_verbs or lemma in intent_adjs:
            future = intent = True
        elif lemma in future_verbs:
            future = True
    cur = top
    for _ in range(3):  # "a proposal to begin talks"
        if cur.dep_ in ("acl", "xcomp", "relcl", "prep", "pobj", "pcomp", "dobj") and cur.head.i != cur.i:
            cur = cur.head
            if cur.pos_ == "NOUN" and cur.lemma_.lower() in future_nouns and cur.i != tok.i:
                future = True
                break
        else:
            break
    if hypothetical:
        d.modality = "hypothetical"
    elif future and not d.refusal:  # "will not accept" is a refusal now, not a future one
        d.modality = "future"
    cooperative = {c.upper() for c in lex.words("types", "cooperative")}
    hostile = {c.upper() for c in lex.words("types", "hostile")}
    if d.negated or d.trig.noun:
        return
    # "announced it would prohibit all aid" reports a decision taken, not a threat
    decided = reported and top.head.lemma_.lower() in lex.words("modality", "decision_verbs")
    if intent and d.type in cooperative:
        d.type, d.mode, d.cameo = "AGREE", None, DEFAULT_CAMEO["AGREE"]
    elif d.type in hostile and ((intent and not decided) or conditional):
        d.type, d.mode, d.cameo = "THREATEN", None, DEFAULT_CAMEO["THREATEN"]


def _unrealised(verb: Any, lex: EventLexicon) -> bool:
    """True when a clause's verb is negated, modal or future ("would not leave", "will stay")."""
    modal = lex.words("modality", "hypothetical_aux") | lex.words("modality", "future_aux")
    return any(c.dep_ == "neg" or (c.dep_ in ("aux", "auxpass") and c.lower_ in modal) for c in verb.children)


def _demanded(d: _Draft, lex: EventLexicon, trigger_toks: dict[int, _Trigger]) -> bool:
    """True for an event that is what someone asks for, not something that happened: inside
    the complement of a REQUEST trigger ("called for a halt to the fighting"), of a demand
    verb with a subject of its own ("proposed that Hamas release the hostages"), of a demand
    noun ("its demand that Israel withdraw", "the condition is that Russia withdraw"), or a
    bare-form clause with its own subject ("including that Israel withdraw")."""
    verbs = lex.words("demands", "verbs")
    nouns = lex.words("demands", "nouns")
    not_mandative = lex.words("demands", "not_mandative")
    cur = d.trig.tok
    for _ in range(MAX_ANCESTORS):
        head = cur.head
        if head.i == cur.i:
            return False
        dep, lemma = cur.dep_, head.lemma_.lower()
        if dep in _OWN_CLAUSE_DEPS:
            return False
        if dep in _NOT_COMPLEMENT_DEPS:
            cur = head
            continue
        other = trigger_toks.get(head.i)
        if other is not None and other.entry.type == "REQUEST" and other is not d.trig:
            return True
        own_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in cur.children)
        phrasal = any(c.dep_ == "prt" for c in head.children)  # "called off", "pushed back"
        controls = dep == "xcomp" and any(c.dep_ in ("dobj", "obj") for c in head.children)
        if head.pos_ in ("VERB", "AUX") and lemma in verbs and not phrasal and (
                dep == "ccomp" or controls):
            return True
        if head.pos_ == "NOUN" and lemma in nouns and dep in ("acl", "ccomp") and (
                own_subject or any(c.dep_ == "mark" for c in cur.children)):
            return True
        if dep in ("ccomp", "attr") and lemma == "be" and any(
                c.dep_ == "nsubj" and c.lemma_.lower() in nouns for c in head.children):
            return True  # "the condition for talks is that Russia withdraw"
        if (dep in ("ccomp", "pcomp") and cur.tag_ == "VB" and own_subject
                and lemma not in not_mandative
                and not any(c.dep_ in ("aux", "auxpass") for c in cur.children)):
            return True  # a mandative subjunctive: "including that Israel withdraw"
        cur = head
    return False
