"""Who an article names as parties, mediators and observers of the talks, from its phrases.

Events code who talks to whom; these cues read what the event coder leaves out or gets wrong
(`tidings/data/negotiation/cues.toml` [parties] and [mediators]):

- Strong party cues name the sides outright: "talks between the government of the Democratic
  Republic of Congo and the Ituri Patriotic Alliance", "Russia-Ukraine talks", "Congolese
  government and Ituri Patriotic Alliance negotiators", "delegations from Sudan's army and the
  Rapid Support Forces", "the army's talks with the RSF", "Sudan's army ... after two days of
  talks with the RSF". `party_cues` gives each cue's sides.
- Mediator cues: mediator nouns with a named modifier ("Kenyan mediators", "mediators from Kenya
  and the African Union"), mediation verbs ("Kenya, which is mediating", "mediated by Qatar",
  "Qatar brokered the deal"), hosting verbs with a talks or deal object ("The talks, hosted by
  Turkey", "who chairs the talks") are strong; a person titled envoy or mediator ("Kenyan envoy
  Margaret Wairimu said") makes the body they speak for a mediator only if it is not a party
  (weak: a side's own envoy negotiates for it). `mediator_cues` gives both.
- Observers only discuss, welcome, monitor or review the talks ("The African Union's Peace and
  Security Council is due to discuss the talks at a meeting in Addis Ababa"); `observer_tokens`
  gives those verbs, and the sides reader skips the events under them when it looks for parties.

Every function takes the article's `SideReader` (for its parse, names and canonical sides).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # pragma: no cover - typing only (negotiation_sides imports this module)
    from tidings.extract.negotiation_sides import SideReader

log = logging.getLogger(__name__)

MAX_CLAUSE_CLIMB = 8
"""Most dependency steps from a talks noun up to the clause whose subject is the first side of
"talks with Y" ("Sudan's army accepted a truce, reversing its position after two days of talks
with the RSF" is 6); set by hand."""
MAX_NAME_DEPTH = 3
"""Most dependency steps below a conjunct searched for the actor it names ("the government of
the Democratic Republic of Congo" puts the country 2 below "government"); deeper names belong
to other phrases ("the rebels based in Rwanda"); set by hand."""

NOT_SIDES = frozenset({"person", "media", "location"})
"""Actor kinds that are never a side of the talks themselves (persons count for whom they speak)."""
_MODIFIERS = ("amod", "compound", "nmod", "poss")
_NAME_PATH = frozenset({"compound", "amod", "nmod", "poss", "appos", "pobj", "flat"})
_SKIP = frozenset({"conj", "cc", "relcl", "acl", "punct", "advcl"})
_PRONOUNS = frozenset({"it", "they", "he", "she", "which", "who", "that"})


# --- phrases and their sides --------------------------------------------------------------------


def conjuncts(tok: Any) -> list[Any]:
    """The coordinated phrases `tok` belongs to, in text order ("X, Y and Z": their heads)."""
    top = tok
    while top.dep_ == "conj" and top.head.i != top.i:
        top = top.head
    out = [top]
    i = 0
    while i < len(out):
        out += [c for c in out[i].children if c.dep_ == "conj"]
        i += 1
    return sorted(out, key=lambda t: t.i)


def _near_tokens(tok: Any) -> Iterator[Any]:
    """`tok` and the tokens of its own name phrase, shallowest first (no conjuncts, clauses)."""
    level = [tok]
    for _ in range(MAX_NAME_DEPTH + 1):
        nxt: list[Any] = []
        for t in level:
            yield t
            for c in t.children:
                if c.dep_ in _NAME_PATH or (c.dep_ == "prep" and c.lower_ == "of"):
                    nxt.append(c)
        level = nxt


def phrase_side(reader: SideReader, tok: Any) -> str | None:
    """The side a phrase headed by `tok` names: the nearest actor in it ("the government of the
    Democratic Republic of Congo" -> the country; a person -> whom they speak for), else the
    party a description stands for ("the rebels"), else None."""
    for t in _near_tokens(tok):
        ent = reader.names.entity(t)
        if ent is not None:
            name: str | None = reader._canon(str(ent.canonical))
        else:
            actor = reader.names.actor(t)
            name = reader._canon(actor) if actor else None
        if name and reader._kind(name) not in NOT_SIDES:
            return name
    if tok.pos_ in ("NOUN", "PROPN") and tok.lower_ not in _PRONOUNS:
        return reader._descriptor(tok)
    return None


def group_sides(reader: SideReader, tok: Any) -> list[str]:
    """The distinct sides of the coordinated phrases `tok` belongs to, in text order."""
    out: list[str] = []
    for member in conjuncts(tok):
        side = phrase_side(reader, member)
        if side is not None and side not in out:
            out.append(side)
    return out


def deep_sides(reader: SideReader, tok: Any) -> list[str]:
    """Like `group_sides`, and also the conjuncts the parser hangs inside a conjunct's name
    ("between the government of Mozambique and the Front": "Front" is coordinated with
    "Mozambique"); for phrases that must name several sides ("between", "delegations from")."""
    out = group_sides(reader, tok)
    for member in conjuncts(tok):
        for t in _near_tokens(member):
            if t.i == member.i:
                continue
            for c in t.children:
                if c.dep_ == "conj":
                    out += [s for s in group_sides(reader, c) if s not in out]
    return out


def _modifier_sides(reader: SideReader, tok: Any) -> list[str]:
    out: list[str] = []
    for c in tok.children:
        if c.dep_ in _MODIFIERS:
            for side in group_sides(reader, c):
                if side not in out:
                    out.append(side)
    return out


def _prep_sides(reader: SideReader, tok: Any, preps: frozenset[str], deep: bool = False) -> list[str]:
    out: list[str] = []
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in preps:
            for p in c.children:
                if p.dep_ == "pobj":
                    found = deep_sides(reader, p) if deep else group_sides(reader, p)
                    out += [s for s in found if s not in out]
    return out


def _words(tok: Any) -> set[str]:
    return {tok.lower_, tok.lemma_.lower()}


def _verb_forms(tok: Any) -> set[str]:
    """The token's words and the verb they may inflect ("mediating", which the parser can
    take for a noun, -> "mediate")."""
    words = _words(tok)
    low = tok.lower_
    for suffix in ("ing", "ed", "es", "s"):
        if low.endswith(suffix) and len(low) > len(suffix) + 2:
            stem = low[: -len(suffix)]
            words |= {stem, stem + "e"}
    return words


def _is_talks(reader: SideReader, tok: Any, extra: frozenset[str] = frozenset()) -> bool:
    return bool(_words(tok) & (reader.cues.party_talk_nouns | extra))


def _is_mediator_phrase(reader: SideReader, tok: Any) -> bool:
    """"the mediators", "UN envoy Jane Doe", or a person titled envoy: not a side of the talks."""
    cues = reader.cues
    if _words(tok) & (cues.mediator_nouns | cues.mediator_titles):
        return True
    if any(_words(c) & cues.mediator_titles for c in tok.children if c.dep_ in ("compound", "appos")):
        return True
    ent = reader.names.entity(tok)
    return bool(ent is not None and ent.kind == "person" and ent.role and _titled(reader, str(ent.role)))


def _titled(reader: SideReader, role: str) -> bool:
    role = role.lower()
    return role in reader.cues.mediator_titles or any(w in reader.cues.mediator_titles for w in role.split())


# --- parties ------------------------------------------------------------------------------------


class PartyCue(NamedTuple):
    """A phrase that names the negotiating sides."""

    offset: int
    """Start of its talks or side word in `doc.text`."""
    sides: tuple[str, ...]
    """The sides it names, in text order (two or more)."""
    kind: str
    """"between", "modifiers" ("Russia-Ukraine talks"), "with" ("X's talks with Y") or "side"
    ("X and Y negotiators")."""


def party_cues(reader: SideReader) -> list[PartyCue]:
    """Each strong party cue of the article, in text order; only cues naming two or more sides."""
    cues = reader.cues
    out: list[PartyCue] = []
    for tok in reader.parsed:
        if tok.pos_ not in ("NOUN", "PROPN"):
            continue
        words = _words(tok)
        if words & cues.party_talk_nouns:
            sides, kind = _talk_sides(reader, tok)
        elif words & cues.party_side_nouns:
            sides, kind = _side_noun_sides(reader, tok), "side"
        else:
            continue
        if len(sides) >= 2:
            log.debug("party cue %r at %d (%s): %s", tok.text, tok.idx, kind, sides)
            out.append(PartyCue(tok.idx, tuple(sides), kind))
    return out


def _talk_sides(reader: SideReader, talks: Any) -> tuple[list[str], str]:
    """"talks between X and Y", "X-Y talks", "X's talks with Y", "X held talks with Y"."""
    between = _prep_sides(reader, talks, frozenset({"between"}), deep=True)
    if len(between) >= 2:
        return between, "between"
    mods = _modifier_sides(reader, talks)
    if len(mods) >= 2 and not any(c.dep_ == "poss" for c in talks.children):
        return mods, "modifiers"  # "Russia-Ukraine talks"; "Israel's talks" has one
    others = _prep_sides(reader, talks, frozenset({"with"}))
    if not others:
        return [], "with"
    first = next((phrase_side(reader, c) for c in talks.children if c.dep_ == "poss"), None)
    if first is None:
        subj = _clause_subject(talks)
        if subj is not None and not _is_mediator_phrase(reader, subj):
            first = phrase_side(reader, subj)
    if first is None or first in others:
        return [], "with"
    return [first, *others], "with"


def _clause_subject(tok: Any) -> Any | None:
    """The subject of the nearest clause above `tok` that has one (not `tok` itself)."""
    cur = tok
    for _ in range(MAX_CLAUSE_CLIMB):
        if cur.head.i == cur.i:
            return None
        cur = cur.head
        if cur.pos_ in ("VERB", "AUX"):
            subj = next((c for c in cur.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is not None:
                return subj if tok not in subj.subtree else None
            if cur.dep_ not in ("advcl", "xcomp", "conj", "pcomp", "acomp"):
                return None
    return None


def _side_noun_sides(reader: SideReader, noun: Any) -> list[str]:
    """"Israeli and Hamas delegations", "delegations from X and Y", "X and Y negotiators"."""
    sides = _modifier_sides(reader, noun)
    if len(sides) >= 2:
        return sides
    sides = _prep_sides(reader, noun, reader.cues.party_side_preps, deep=True)
    if len(sides) >= 2:
        return sides
    group = conjuncts(noun)
    if len(group) < 2:
        return []
    # "Congolese government and Ituri Patriotic Alliance negotiators": the parser coordinates
    # "government" with "negotiators"; each conjunct names one side
    return group_sides(reader, noun)


# --- observers ----------------------------------------------------------------------------------


def observer_tokens(reader: SideReader) -> list[Any]:
    """Verbs by which an actor only watches the talks ("is due to discuss the talks", "welcomed
    the negotiations", "monitors the process"): an observer verb with a talks object."""
    cues = reader.cues
    out: list[Any] = []
    for tok in reader.parsed:
        if tok.pos_ != "VERB" or tok.lemma_.lower() not in cues.observer_verbs:
            continue
        objs = [c for c in tok.children if c.dep_ in ("dobj", "nsubjpass")]
        objs += [p for c in tok.children if c.dep_ == "prep" for p in c.children if p.dep_ == "pobj"]
        if any(_is_talks(reader, o, cues.observed) for o in objs):
            out.append(tok)
    return out


def observer_names(reader: SideReader, tokens: list[Any]) -> list[str]:
    """The actors that are subjects of the observer verbs `tokens`, in text order."""
    out: list[str] = []
    for tok in tokens:
        subj = next((c for c in tok.children if c.dep_ == "nsubjpass"), None) or reader._subject_of(tok)
        if subj is None:
            continue
        for t in subj.subtree:
            ent = reader.names.entity(t)
            if ent is not None:
                name = reader._canon(str(ent.canonical))
                if name not in out and reader._kind(name) not in NOT_SIDES:
                    out.append(name)
    return out


# --- mediators ----------------------------------------------------------------------------------


def mediator_cues(reader: SideReader) -> tuple[list[str], list[str]]:
    """(strong, weak) mediators the article's phrases name, each in text order: strong ones
    mediate whoever the parties are; weak ones (the body an envoy speaks for) only if they are
    not a party."""
    cues = reader.cues
    strong: list[str] = []
    weak: list[str] = []
    for tok in reader.parsed:
        words = _words(tok)
        if tok.pos_ in ("NOUN", "PROPN") and words & cues.mediator_nouns:
            strong += _modifier_sides(reader, tok) + _prep_sides(reader, tok, frozenset({"from", "of"}))
        elif tok.pos_ in ("NOUN", "PROPN") and words & cues.mediator_titles:
            weak += _modifier_sides(reader, tok) + _prep_sides(reader, tok, frozenset({"of"}))
        elif tok.pos_ in ("VERB", "NOUN") and _verb_forms(tok) & (cues.mediator_verbs | cues.mediator_object_verbs):
            strong += _mediating(reader, tok)
    for e in reader.entities:
        if e.kind == "person" and e.role and e.affiliation and _titled(reader, str(e.role)):
            weak.append(reader._canon(str(e.affiliation)))
    keep = [m for m in dict.fromkeys(strong) if reader._kind(m) not in NOT_SIDES]
    return keep, [m for m in dict.fromkeys(weak) if m not in keep and reader._kind(m) not in NOT_SIDES]


def _mediating(reader: SideReader, verb: Any) -> list[str]:
    """Who mediates by `verb` ("Kenya, which is mediating"; "mediated by Qatar"; "Turkey hosted
    the talks"), or [] when the verb is negated, only offered, or (a hosting verb) not about
    talks or a deal."""
    cues = reader.cues
    forms = _verb_forms(verb)
    if verb.pos_ == "NOUN" and not (verb.lower_.endswith("ing") and verb.dep_ in ("attr", "acomp")):
        return []  # only "Kenya, which is mediating" (mis-tagged); "the host" is no verb
    clause = verb.head if verb.pos_ == "NOUN" else verb
    if any(c.dep_ == "neg" for c in [*verb.children, *clause.children]):
        return []
    if clause.dep_ == "xcomp" and clause.head.lemma_.lower() in cues.mediator_not_yet:
        return []
    if forms & cues.mediator_object_verbs and not (forms & cues.mediator_verbs):
        about = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")]
        if verb.dep_ == "acl":
            about.append(verb.head)  # "the talks, hosted by Turkey"
        if not any(_is_talks(reader, o, cues.deal_nouns | cues.party_side_nouns) for o in about):
            return []
    for c in verb.children:
        if c.dep_ == "agent":
            return [s for p in c.children if p.dep_ == "pobj" for s in group_sides(reader, p)]
    if verb.dep_ == "amod":  # "US-brokered talks", "Qatari-mediated negotiations"
        return [s for c in verb.children if c.dep_ in ("npadvmod", "compound", "nmod")
                for s in group_sides(reader, c)]
    if clause.dep_ == "relcl":
        return group_sides(reader, clause.head)  # "Kenya, which is mediating"
    subj = next((c for c in clause.children if c.dep_ == "nsubj"), None)
    if subj is None:
        return []
    if subj.lower_ in _PRONOUNS:
        reporter = reader._reporting_head(verb)  # "The United States said it had mediated"
        subj = next((c for c in reporter.children if c.dep_ == "nsubj"), None) if reporter is not None else None
        if subj is None:
            return []
    return group_sides(reader, subj)
