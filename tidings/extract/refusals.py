"""Refusals to comment: "X declined to comment", "did not respond to a request for comment".

`find_refusals(parsed)` reads a spaCy parse and returns one `Refusal` per refusal to speak,
with the token the refusal hangs on (its cue), the subject token (the one who refuses, found
like a speaker) and the content span. `tidings.extract.quotes` turns them into `Quote` records
of kind "refusal" and resolves their speakers with the other quotes.

Four shapes, each from `tidings/data/refusal_patterns.toml`:

- a negated verb of speaking: "did not comment", "would not elaborate", "would not say whether
  ..." (say-like verbs only with an open question or nothing after them), "did not respond to a
  request for comment" (answer-like verbs only when a request is what goes unanswered);
- a verb of declining with speech as its complement: "declined to comment", "refused to
  discuss the terms", "declined to give details", "declined comment" ("declined to be named"
  is anonymity, not a refusal);
- not being reachable for comment: "could not be reached for comment", "was not available
  for comment", "was unavailable for comment";
- "no comment" as an object: "had no comment", "offered no comment".

The content is the topic where the text gives one ("on the situation" -> "the situation", the
open question of "would not say whether ...", the object of "declined to discuss the terms"),
else the refusal clause without its subject ("declined to comment").
"""

from __future__ import annotations

import functools
import logging
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from tidings.extract.subjects import can_speak, crosses_paragraph, find_subject

log = logging.getLogger(__name__)

PATTERNS_FILE = "refusal_patterns.toml"
"""The refusal lexicon in tidings/data/."""
CLAUSE_DROP_DEPS = frozenset(
    {"nsubj", "nsubjpass", "csubj", "advcl", "conj", "cc", "punct", "parataxis", "relcl", "mark",
     "intj", "discourse"}
)
"""Children of a refusal's head that are not part of the refusal clause ("Papermaster", ",
but he said ...")."""
OPEN_TAGS = frozenset({"WDT", "WP", "WP$", "WRB"})
"""Tags of the wh-words that open a question ("would not say how many ...")."""
OPEN_MARKS = frozenset({"whether", "if"})
"""Complementisers of an open question ("would not say whether ...")."""
TIME_ENTS = frozenset({"DATE", "TIME"})
"""spaCy entity labels of a time: "could not be reached for comment on Tuesday" has no topic."""


@dataclass(frozen=True, slots=True)
class RefusalLexicon:
    """The words of `tidings/data/refusal_patterns.toml`, as sets of lemmas."""

    negated: frozenset[str]
    open_verbs: frozenset[str]
    request_verbs: frozenset[str]
    request_nouns: frozenset[str]
    declining: frozenset[str]
    speech: frozenset[str]
    objects: frozenset[str]
    not_refusal: frozenset[str]
    unavailable_negated: frozenset[str]
    unavailable_plain: frozenset[str]
    purposes: frozenset[str]
    no_comment_verbs: frozenset[str]
    topic_preps: frozenset[str]


@functools.lru_cache(maxsize=1)
def refusal_lexicon() -> RefusalLexicon:
    """The shipped refusal patterns (`tidings/data/refusal_patterns.toml`)."""
    path = resources.files("tidings") / "data" / PATTERNS_FILE
    data = tomllib.loads(path.read_text(encoding="utf-8"))

    def words(section: str, key: str) -> frozenset[str]:
        return frozenset(w.lower() for w in data.get(section, {}).get(key, []))

    return RefusalLexicon(
        negated=words("negated", "verbs"),
        open_verbs=words("negated", "open_verbs"),
        request_verbs=words("negated", "request_verbs"),
        request_nouns=words("negated", "request_nouns"),
        declining=words("declining", "verbs"),
        speech=words("declining", "speech"),
        objects=words("declining", "objects"),
        not_refusal=words("declining", "not_refusal"),
        unavailable_negated=words("unavailable", "negated"),
        unavailable_plain=words("unavailable", "plain"),
        purposes=words("unavailable", "purposes"),
        no_comment_verbs=words("no_comment", "verbs"),
        topic_preps=words("topic", "prepositions"),
    )


@dataclass(frozen=True, slots=True)
class Refusal:
    """One refusal to speak found in a parse."""

    start: int
    """Start of the content (topic or refusal clause) in the text."""
    end: int
    """End of the content."""
    cue: Any
    """The spaCy token the refusal hangs on ("declined", "comment" of "did not comment")."""
    subject: Any
    """The spaCy token heading the phrase of who refuses."""
    lemma: str
    """The word that names the refusal: "decline", "comment", "respond", "reach", "available"."""


def find_refusals(parsed: Any, in_quote: Callable[[int], bool] | None = None,
                  lexicon: RefusalLexicon | None = None) -> list[Refusal]:
    """Refusals to speak in spaCy Doc `parsed`, in text order.

    `in_quote(offset)` says whether a character offset lies inside quote marks: a refusal
    written inside a quote ("'I won't comment,' he said") is part of that quote, not one here.
    """
    lex = lexicon or refusal_lexicon()
    out: list[Refusal] = []
    seen: set[int] = set()
    for tok in parsed:
        if in_quote is not None and in_quote(tok.idx):
            continue
        hit = _match(tok, lex)
        if hit is None:
            continue
        head, speech = hit
        if head.i in seen or tok.dep_ in ("amod", "compound"):
            continue
        subject = _refuser(head)
        if subject is None or not can_speak(subject):
            continue
        span = _topic(speech, head, lex) or _clause(head)
        if span is None:
            continue
        seen.add(head.i)
        # "had no comment" is named by its verb; the others by the word that matched.
        named_by = head if tok.pos_ == "NOUN" else tok
        out.append(Refusal(span[0], span[1], head, subject, named_by.lemma_.lower()))
    return out


# --- matching -----------------------------------------------------------------------------------


def _match(tok: Any, lex: RefusalLexicon) -> tuple[Any, Any] | None:
    """`(head, speech)` when `tok` starts a refusal: `head` carries the subject, `speech` is
    the word whose topic the refusal is about; None otherwise."""
    lemma = tok.lemma_.lower()
    if tok.pos_ in ("VERB", "AUX"):
        if lemma in lex.declining and not _negated(tok):
            return _declined(tok, lex)
        if _negated(tok):
            if lemma in lex.negated:
                return tok, tok
            if lemma in lex.open_verbs and _open_or_bare(tok):
                return tok, tok
            if lemma in lex.request_verbs and _answers_request(tok, lex):
                return tok, tok
    if lemma in lex.unavailable_negated | lex.unavailable_plain and _for_purpose(tok, lex):
        head = tok if _has_subject(tok) or tok.head.i == tok.i else tok.head
        negated = _negated(tok) or (head is not tok and _negated(head))
        if (lemma in lex.unavailable_plain) != negated:
            return head, tok
    if (tok.pos_ == "NOUN" and lemma in lex.objects and tok.dep_ == "dobj"
            and any(c.dep_ == "det" and c.lower_ == "no" for c in tok.children)
            and tok.head.lemma_.lower() in lex.no_comment_verbs):
        return tok.head, tok
    return None


def _declined(tok: Any, lex: RefusalLexicon) -> tuple[Any, Any] | None:
    for child in tok.children:
        if child.dep_ == "xcomp" and child.pos_ in ("VERB", "AUX"):
            lemma = child.lemma_.lower()
            if lemma in lex.not_refusal:
                return None  # "declined to be named"
            if lemma in lex.speech or any(o.dep_ == "dobj" and o.lemma_.lower() in lex.objects
                                          for o in child.children):
                return tok, child
        if child.dep_ == "dobj" and child.lemma_.lower() in lex.objects:
            return tok, child  # "declined comment"
    return None


def is_refused(tok: Any, lexicon: RefusalLexicon | None = None) -> bool:
    """True when `tok` is what a verb of declining declines ("say" in "declined to say
    whether ..."): it reports nothing said."""
    lex = lexicon or refusal_lexicon()
    return tok.dep_ == "xcomp" and tok.head.lemma_.lower() in lex.declining


def _negated(tok: Any) -> bool:
    return any(c.dep_ == "neg" for c in tok.children)


def _has_subject(tok: Any) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children)


def _open_or_bare(tok: Any) -> bool:
    """True when a say-like verb has an open question after it, or no complement at all."""
    for child in tok.children:
        if child.dep_ in ("ccomp", "dobj", "xcomp"):
            return _is_open(child)
    return True


def _is_open(clause: Any) -> bool:
    if any(c.dep_ == "mark" and c.lower_ in OPEN_MARKS for c in clause.children):
        return True
    first = min(clause.subtree, key=lambda t: t.i)
    return first.tag_ in OPEN_TAGS


def _answers_request(tok: Any, lex: RefusalLexicon) -> bool:
    return any(t.lemma_.lower() in lex.request_nouns for t in tok.subtree if t.i != tok.i
               and t.pos_ == "NOUN")


def _for_purpose(tok: Any, lex: RefusalLexicon) -> bool:
    """True for "... for comment" hung on `tok` (or on the copula beside an adjective)."""
    holders = [tok] + ([tok.head] if tok.dep_ == "acomp" else [])
    return any(prep.dep_ == "prep" and prep.lower_ == "for"
               and any(o.dep_ == "pobj" and o.lemma_.lower() in lex.purposes for o in prep.children)
               for holder in holders for prep in holder.children)


# --- who and what -------------------------------------------------------------------------------


def _refuser(head: Any) -> Any:
    """Who refuses: the subject of `head` (also the passive subject of "could not be reached"),
    else the subject a participle inherits ("..., declining to comment")."""
    for child in head.children:
        if child.dep_ in ("nsubj", "nsubjpass") and not crosses_paragraph(child, head):
            if child.tag_ in ("WP", "WDT") and head.dep_ == "relcl":
                return head.head  # "Papermaster, who declined to comment"
            return child
    return find_subject(head)


def _topic(speech: Any, head: Any, lex: RefusalLexicon) -> tuple[int, int] | None:
    """The span of what the refusal is about, when the text says."""
    carriers = [speech, head] + [t for t in head.subtree
                                 if t.pos_ == "NOUN" and t.lemma_.lower() in lex.objects | lex.purposes
                                 | lex.request_nouns]
    for carrier in carriers:
        for child in carrier.children:
            if child.dep_ == "prep" and child.lower_ in lex.topic_preps:
                obj = next((o for o in child.children if o.dep_ in ("pobj", "pcomp")), None)
                if obj is not None and obj.ent_type_ not in TIME_ENTS:
                    return _span(obj.subtree, head)
    for child in speech.children:
        if child.dep_ in ("ccomp", "xcomp") and _is_open(child):
            return _span(child.subtree, head, keep_mark=True)
        if (child.dep_ == "dobj" and speech.lemma_.lower() in lex.speech | lex.negated
                and child.lemma_.lower() not in lex.objects):
            return _span(child.subtree, head)  # "declined to discuss the terms"
    return None


def _clause(head: Any) -> tuple[int, int] | None:
    """The refusal clause without its subject: "declined to comment", "could not be reached for
    comment"."""
    tokens = [head]
    for child in head.children:
        if child.dep_ in CLAUSE_DROP_DEPS:
            continue
        tokens.extend(child.subtree)
    return _span(tokens, head)


def _span(tokens: Iterable[Any], anchor: Any, keep_mark: bool = False) -> tuple[int, int] | None:
    kept = sorted((t for t in tokens if not t.is_space and not crosses_paragraph(t, anchor)),
                  key=lambda t: t.i)
    edge = ("cc",) if keep_mark else ("mark", "cc")  # an open question keeps its "whether"
    while kept and (kept[0].is_punct or kept[0].dep_ in edge):
        kept = kept[1:]
    while kept and (kept[-1].is_punct or kept[-1].dep_ == "cc"):
        kept = kept[:-1]
    if not kept:
        return None
    return kept[0].idx, kept[-1].idx + len(kept[-1])
