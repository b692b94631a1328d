"""Subjects: which token of the parse is the speaker (or holder) of a reporting or attitude word.

`find_subject(cue)` finds the subject token of a reporting word in the parse: the nsubj, the
subject of the verb a participle hangs from ("..., saying"), the speaker of an inverted
attribution ('said the anonymous official'), the object of "according to", the person a "who"
clause describes, the first subject of a headline of coordinated clauses; none for impersonal
frames ("it is interesting to note"). `can_speak(token)` says whether a subject can be a speaker.
`crosses_paragraph(a, b)` says whether a paragraph break separates two tokens.

Which earlier speaker a subject token *means* is `tidings.extract.speakers.SpeakerResolver`'s job;
this module only finds the token.
"""

from __future__ import annotations

import logging
from typing import Any

from tidings.extract.speakers import (
    GROUP_PRONOUNS,
    PERSON_PRONOUNS,
    SPACY_ACTORS,
    SPACY_PERSON,
    THING_PRONOUNS,
    appositions,
    by_author,
    role_lexicon,
)

log = logging.getLogger(__name__)

MAX_CLIMB = 4
"""Dependency levels: how far a participle cue ("..., saying") climbs to find its subject
("a senior U.S. official, described ..., saying ..." -> official)."""
CLIMB_DEPS = frozenset({"advcl", "xcomp", "conj", "pcomp", "acl", "prep", "pobj", "dobj", "relcl"})
"""Dependencies through which a subject-less cue inherits the subject of the verb above it."""


def find_subject(cue: Any) -> Any:
    """The token heading the speaker phrase of reporting word `cue`, or None.

    A subject the parser found across a paragraph break (an unpunctuated headline run into the
    first sentence) is replaced by the noun written just before the cue."""
    if cue.lower_ != "according" and crosses_paragraph(cue.head, cue):
        # The parser joined this sentence to the paragraph before: trust the local words.
        local = _local_subject(cue)
        if local is not None:
            return local
    subject = _parsed_subject(cue)
    if subject is not None and crosses_paragraph(subject, cue):
        return _local_subject(cue)
    if subject is not None and subject.pos_ in ("VERB", "AUX"):
        # A clause parsed as the subject. In a headline of coordinated clauses ("Apple releases
        # iPhone SDK, announces update") its own subject is the speaker; otherwise the parser
        # missed a sentence boundary ("... in the U.S. Jobs also noted"): trust the local words.
        if _after_comma(cue):
            return next((c for c in subject.children
                         if c.dep_ == "nsubj" and not crosses_paragraph(c, cue)), None)
        return _local_subject(cue)
    if subject is None and any(c.dep_ == "nsubj" and crosses_paragraph(c, cue) for c in cue.children):
        return _local_subject(cue)
    return subject


def can_speak(tok: Any) -> bool:
    """True when subject token `tok` can be a speaker: a name (PERSON, ORG, GPE, NORP or a
    proper noun), a personal pronoun, or a noun from the speaker lexicon (people, groups,
    organisations, documents). "The figures", "a TV movie" cannot."""
    if tok.pos_ == "PROPN" or tok.ent_type_ in SPACY_PERSON | SPACY_ACTORS:
        return True
    if tok.pos_ == "PRON":
        return tok.lower_ in PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS | {"i", "we", "you"}
    lex = role_lexicon()
    if tok.lemma_.lower() in lex.all | lex.document:
        return True
    # "Apple's worldwide vice-president of marketing, Greg Joswiak, indicated": a named person
    # in apposition speaks whatever the head noun is.
    return any(appos.ent_type_ in SPACY_PERSON for _, appos in appositions(tok))


def crosses_paragraph(a: Any, b: Any) -> bool:
    """True when a paragraph break lies between spaCy tokens `a` and `b`."""
    lo, hi = sorted((a.i, b.i))
    return any("\n" in t.text_with_ws for t in a.doc[lo:hi])


def _after_comma(cue: Any) -> bool:
    """True when a comma stands right before `cue` (adverbs aside): "..., announces"."""
    i = cue.i - 1
    while i >= 0 and cue.doc[i].pos_ == "ADV":
        i -= 1
    return i >= 0 and cue.doc[i].text == ","


def _local_subject(cue: Any) -> Any:
    """The head of the noun phrase ending just before `cue` ("Apple Computer today announced")."""
    i = cue.i - 1
    doc = cue.doc
    while i >= 0 and (doc[i].pos_ in ("ADV", "AUX", "PART") or doc[i].ent_type_ in ("DATE", "TIME")):
        if "\n" in doc[i].text_with_ws:
            return None
        i -= 1
    if i >= 0 and doc[i].pos_ in ("NOUN", "PROPN", "PRON") and "\n" not in doc[i].text_with_ws:
        return doc[i]
    return None


def _parsed_subject(cue: Any) -> Any:
    if cue.lower_ == "according":
        for to in cue.children:
            if to.lower_ == "to":
                for obj in to.children:
                    if obj.dep_ == "pobj":
                        return _author(obj) or obj
        return None
    if _impersonal(cue):
        return None  # "it is interesting to note that ...", "it is fair to say": nobody speaks
    tok = cue
    for _ in range(MAX_CLIMB):
        for child in tok.children:
            if child.dep_ == "nsubj" and not crosses_paragraph(child, cue):
                if child.tag_ in ("WP", "WDT") and tok.dep_ == "relcl":
                    if child.lower_ == "who":
                        return _person_antecedent(tok.head)
                    return tok.head  # "Hamdan, who told ..."
                return child
            if child.dep_ == "nsubjpass" and tok.lemma_ == "quote":
                return child  # "X was quoted as saying"
            if child.dep_ == "agent":
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        return obj  # "was praised by Jobs as ..."
        if tok is cue:
            inverted = _inverted_subject(cue)
            if inverted is not None:
                return inverted
        if any(c.dep_ == "nsubjpass" for c in tok.children):
            return None  # "is said to be", "it was reported that": nobody named
        if tok.dep_ in CLIMB_DEPS and tok.head.i != tok.i:
            tok = tok.head
            continue
        return None
    return None


def _impersonal(cue: Any) -> bool:
    """True for a cue in an impersonal frame: an infinitive after an adjective ("it is
    interesting to note", "it is fair to say", "safe to say"), which the parser hangs on the
    adjective or on the copula beside it."""
    if cue.dep_ != "xcomp":
        return False
    head = cue.head
    return head.pos_ == "ADJ" or (head.lemma_ == "be" and any(c.dep_ == "acomp" for c in head.children))


def _person_antecedent(tok: Any) -> Any:
    """The person a "who" clause describes. The parser hangs the clause on the nearest noun
    ("Charles O'Reilly, a management expert at Stanford University, who stated ..."); "who"
    means a person, so climb from a non-person noun through its prepositional phrase and
    apposition to the person noun or name above it."""
    node = tok
    for _ in range(MAX_CLIMB + 2):
        person = node.ent_type_ in SPACY_PERSON or node.lemma_.lower() in role_lexicon().person
        if person:
            if node.dep_ == "appos" and node.head.pos_ == "PROPN":
                return node.head  # "O'Reilly, a management expert, who": the name
            return node
        if node.dep_ not in ("pobj", "prep", "appos", "compound") or node.head.i == node.i:
            break
        node = node.head
    return tok


def _author(obj: Any) -> Any:
    """Who is behind a document: "figures released by NPD Group", "a report by the UN"."""
    if obj.pos_ == "PROPN" or obj.lemma_.lower() in role_lexicon().all:
        return None
    return by_author(obj)


def _inverted_subject(cue: Any) -> Any:
    # '"...," said the official' is sometimes parsed with the speaker as an object. A cue
    # coordinated with an earlier verb ("Velora recalls scooters, announces new checks") has
    # its object after it, not its speaker.
    if cue.i == 0 or cue.dep_ == "conj":
        return None
    prev = cue.doc[cue.i - 1]
    if not (prev.is_punct or prev.is_quote):
        return None
    for child in cue.rights:
        if child.dep_ in ("dobj", "attr", "npadvmod", "dative") and child.pos_ in ("NOUN", "PROPN"):
            return child
    return None
