"""Context checks and tense for the time-expression detector (`tidings.extract.times`).

Some matches of the grammar are time expressions only in some uses: a bare "May" or "2008", a
bare "years", "the past", "later". `context_ok` decides from the words around a match and, when
there is one, the spaCy parse: spaCy's DATE entities confirm a bare month, and a number spaCy
calls CARDINAL or MONEY is not a year. `tense_at` gives the tense of the verb that governs an
expression, which the resolvers use to pick between the last and the next "Sunday".
"""

from __future__ import annotations

import re
from typing import Any

from tidings.extract.timelex import LEX, SEQUENCE, UNIT_RE, alternation, word_key
from tidings.extract.timenorm import Tense

__all__ = ["CUE_WINDOW", "MAX_CLIMB", "context_ok", "tense_at"]

CUE_WINDOW = 24
"""Characters before a match searched for a cue word ("in", "since"); longer than any cue."""
MAX_CLIMB = 8
"""Dependency steps climbed from a time expression to find its governing verb."""

_CTX = LEX["context"]
_AMBIGUOUS_MONTHS = set(LEX["month_names"]["ambiguous"])
_CUE_BEFORE = re.compile(
    rf"(?<![\w]){alternation(LEX['month_cues']['before'])}[\s-]+(?:the\s+)?$", re.IGNORECASE
)
_BLOCK_BEFORE = re.compile(rf"(?<![\w]){alternation(_CTX['bare_plural_blockers'])}\s+$", re.IGNORECASE)
_NOT_REF_BEFORE = re.compile(rf"(?<![\w]){alternation(_CTX['not_reference_before'])}\s+$", re.IGNORECASE)
_NAME_AFTER = re.compile(r"\s+[A-Z][a-z]")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“”(\n]\s*)$")
_NOT_DATE_ENTS = set(_CTX["not_date_entities"])
_NOT_YEARS = set(LEX["ner"]["not_years"])
_PLAIN_YEARS = tuple(_CTX["plain_year_range"])
_TENSE = LEX["tense"]
_FUTURE_GOVERNORS = set(_TENSE["future_governors"])
_FUTURE_AUX = set(_TENSE["future_auxiliaries"])
_OPEN_AUX = set(_TENSE["open_auxiliaries"])
_PRESENT_AUX = set(_TENSE["present_auxiliaries"])
_PAST_AUX = set(_TENSE["past_auxiliaries"])
_PERFECT_AUX = set(_TENSE["perfect_auxiliaries"])


# --- Tense ----------------------------------------------------------------------------------


def _verb_tense(verb: Any, depth: int = 0) -> Tense | None:
    """Tense of a spaCy verb token from its tag and auxiliaries."""
    auxes = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    words = {a.lower_ for a in auxes}
    if words & _OPEN_AUX:
        return None
    if words & _FUTURE_AUX or ("going" in words and "to" in words):
        return "future"
    if "to" in words:  # infinitive: "is set to begin on Wednesday", "to be held on May 2"
        governor = verb.head
        if governor is verb or depth > 2 or governor.pos_ not in ("VERB", "AUX", "ADJ"):
            return None
        if governor.lemma_ in _FUTURE_GOVERNORS:
            return "future"
        outer = _verb_tense(governor, depth + 1)
        return "future" if outer in ("present", "future") else None
    if words & _PAST_AUX or any(a.tag_ == "VBD" for a in auxes):
        return "past"
    if words & _PERFECT_AUX and verb.tag_ == "VBN":
        return "past"
    if words & _PRESENT_AUX or any(a.tag_ in ("VBZ", "VBP") for a in auxes):
        return "present"
    if verb.tag_ == "VBD":
        return "past"
    if verb.tag_ == "VBN":
        return "past"  # reduced relative: "the iPhone, released on Monday"
    if verb.tag_ in ("VBZ", "VBP"):
        return "present"
    if verb.tag_ == "VBG" and verb.head.i != verb.i and depth <= 2:
        return _verb_tense(verb.head, depth + 1)
    return None


def tense_at(parsed: Any, start: int, end: int) -> Tense | None:
    """Tense of the verb governing the text `[start:end]` of a spaCy Doc, or None."""
    if parsed is None:
        return None
    span = parsed.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    token = span.root
    for _ in range(MAX_CLIMB):
        if token.pos_ in ("VERB", "AUX") and token.dep_ not in ("aux", "auxpass"):
            return _verb_tense(token)
        if token.head.i == token.i:
            break
        token = token.head
    return None


# --- Context checks ---------------------------------------------------------------------------


def _ents_over(parsed: Any, start: int, end: int) -> list[str]:
    """Labels of spaCy entities overlapping `[start:end]`."""
    if parsed is None:
        return []
    return [e.label_ for e in parsed.ents if e.start_char < end and start < e.end_char]


def _has_cue(text: str, start: int) -> bool:
    return bool(_CUE_BEFORE.search(text[max(0, start - CUE_WINDOW) : start]))


def context_ok(kind: str, m: re.Match[str], text: str, parsed: Any) -> bool:
    """True when match `m` of a rule of `kind` is a time expression in its context.

    `kind` is the rule's tag ("month_alone", "year_alone", "sequence" ...); rules without one
    always pass. `parsed` is the spaCy Doc of `text`, or None (then only text cues are used).
    """
    start, end = m.start(), m.end()
    before = text[max(0, start - CUE_WINDOW) : start]
    if kind == "month_alone":
        labels = _ents_over(parsed, start, end)
        if any(label in _NOT_DATE_ENTS for label in labels) and "DATE" not in labels:
            return False
        if m["pp"] or word_key(m["month"]) not in _AMBIGUOUS_MONTHS:
            return True
        if "DATE" in labels:
            return True
        if _NAME_AFTER.match(text, end):
            return False  # "April Ryan", "June Carter"
        return _has_cue(text, start)
    if kind == "year_alone":
        if parsed is not None:
            span = parsed.char_span(m.start("year"), m.end("year"), alignment_mode="expand")
            if span is not None and len(span):
                token = span.root
                if token.ent_type_ in _NOT_YEARS:
                    return False
                if token.dep_ == "nummod" and token.head.tag_ == "NNS":
                    return False  # "2008 employees"
        if m["pp"] or _has_cue(text, m.start("year")):
            return True
        return _PLAIN_YEARS[0] <= int(m["year"]) <= _PLAIN_YEARS[1]
    if kind == "bare_plural":
        if m["mod"]:
            return True
        if _BLOCK_BEFORE.search(before):
            return False
        if m["unit"][0].isupper() and not _SENTENCE_START.search(before):
            return False
        if parsed is not None:
            span = parsed.char_span(start, end, alignment_mode="expand")
            if span is not None and any(t.dep_ in ("det", "poss") for t in span.root.children):
                return False
        return True
    if kind == "season":
        if m["shift"] or m["year"] or m["pp"]:
            return True
        if word_key(m["season"]) == "fall":  # "the fall of Rome", "a fall in prices"
            return bool(m["the"]) and _has_cue(text, start)
        return bool(m["the"]) or _has_cue(text, start)
    if kind == "decade":
        return bool(m["dec"] or m["the"])
    if kind == "reference":
        key = word_key(m[0])
        if key == "soon" and _NOT_REF_BEFORE.search(before):
            return False
        if key.startswith("the ") and key.split()[-1] in ("past", "future", "present"):
            return not _noun_follows(text, end, parsed)
        return True
    if kind == "sequence":
        return bool(m["noun"]) or _sequence_adverb_ok(start, end, text, parsed)
    if kind == "anaphora":
        return _determiner_ok(text, start, parsed)
    if kind == "set_word" and m[0][0].isupper() and not _SENTENCE_START.search(before):
        return False  # "the Daily Telegraph"
    return True


_SEQ_NOT_AFTER = re.compile(rf"(?<![\w]){alternation(SEQUENCE['not_after'])}\s+$", re.IGNORECASE)
_SEQ_NOT_BEFORE = re.compile(rf"\s+{alternation(SEQUENCE['not_before'])}(?![\w])", re.IGNORECASE)
_UNIT_BEFORE = re.compile(rf"(?<![\w]){UNIT_RE}\s+$", re.IGNORECASE)
_PUNCT_AFTER = re.compile(r"\s*(?:[.,;:!?)\"”]|$)")


def _sequence_adverb_ok(start: int, end: int, text: str, parsed: Any) -> bool:
    """True when "later" / "earlier" at `[start:end]` is a free adverb ("later revealing").

    Not in "no later than", "later on Monday", "sooner or later", "years later" (a vague
    count: the unit is the time expression), nor as an adjective ("later models").
    """
    before = text[max(0, start - CUE_WINDOW) : start]
    if _SEQ_NOT_AFTER.search(before) or _UNIT_BEFORE.search(before):
        return False
    if _SEQ_NOT_BEFORE.match(text, end):
        return False
    if parsed is None:
        return bool(_PUNCT_AFTER.match(text, end))  # without tags only "... said later."
    span = parsed.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) != 1 or span[0].tag_ not in ("RB", "RBR"):
        return False
    token = span[0]
    # "Later models": spaCy may tag it RB yet attach it to the noun that follows.
    before_noun = token.head.pos_ in ("NOUN", "PROPN") and token.head.i > token.i
    return token.dep_ != "amod" and not before_noun


def _determiner_ok(text: str, start: int, parsed: Any) -> bool:
    """True unless the parse reads the "that" at `start` as a conjunction ("said that day ...")."""
    if parsed is None or not text[start:].lower().startswith("that"):
        return True
    span = parsed.char_span(start, start + 4, alignment_mode="expand")
    return span is None or not len(span) or span[0].dep_ != "mark"


def _noun_follows(text: str, end: int, parsed: Any) -> bool:
    """True when the word after `end` is a noun or adjective ("the present system")."""
    nxt = re.match(r"\s+([A-Za-z][\w-]*)", text[end:])
    if nxt is None:
        return False
    if parsed is not None:
        span = parsed.char_span(end + nxt.start(1), end + nxt.end(1), alignment_mode="expand")
        if span is not None and len(span):
            return span[0].pos_ in ("NOUN", "PROPN", "ADJ")
    return False
