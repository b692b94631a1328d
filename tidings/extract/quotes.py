"""Quotes: what was said, by whom, to which outlet, and when.

`find_quotes(doc)` reads `doc.text` and its spaCy parse (`doc.parsed`) and returns `Quote`
records of three kinds:

- direct: a full sentence in quote marks (straight `"` or curly `“ ”`; single `‘ ’` and `'`
  when not nested inside double marks). A paragraph whose quote does not close before the
  paragraph ends continues in the next paragraph that opens with a quote mark; each paragraph's
  piece is its own record with the same speaker.
- partial: a fragment in quote marks inside the writer's sentence ('described the talks as
  "constructive"').
- indirect: the clause a reporting verb reports ("Hamas said Israel had backtracked ...",
  "X told Reuters that ...", "according to X, ...").
- refusal: negated speech, a refusal to comment ("X declined to comment", "did not respond to
  a request for comment", "could not be reached for comment", "would not say whether ...");
  found by `tidings.extract.refusals` from `tidings/data/refusal_patterns.toml`. Its content
  is the topic where the text gives one, else the refusal clause; `cue` names the refusal
  ("decline", "comment", "reach").

For direct and partial quotes `start`/`end` cover the content inside the marks (a closing comma
or full stop inside the marks is part of it); for indirect speech they cover the reported
clause. The speaker is the subject of the reporting verb (also inverted: 'said the anonymous
official to Reuters'); for a partial quote it is the subject of the verb governing it. Speakers
are resolved by `tidings.extract.speakers` (named, anonymous, and later references). The medium
comes from 'told X' / 'to X' / 'in an interview with X'; the date from a full-date time
expression in the cue's sentence, else from the publication date.

Not quotes: names in quote marks ("Back to the Mac"), short fragments that nothing attributes
(features such as "voice control"), and evidential verbs with a subject that cannot speak
("..., suggesting that the infrastructure is in place").

Cue verbs live in `tidings/data/reporting_verbs.txt`, media cues in `tidings/data/media_cues.txt`.
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
from dataclasses import dataclass
from typing import Any

from tidings.doc import Doc, register_group
from tidings.pipeline import Stage
from tidings.records import Entity, Quote, TimeRef
from tidings.extract.speakers import (
    EntityIndex,
    Speaker,
    SpeakerResolver,
    read_sections,
    spacy_entities,
)
from tidings.extract.refusals import find_refusals, is_refused
from tidings.extract.subjects import can_speak, crosses_paragraph, find_subject

log = logging.getLogger(__name__)

OPEN_DOUBLE = frozenset("“„«")
"""Marks that only open a quote."""
CLOSE_DOUBLE = frozenset("”»")
"""Marks that only close a quote."""
STRAIGHT_DOUBLE = '"'
"""The straight mark: opens when no quote is open, else closes."""
OPEN_SINGLE = frozenset("‘")
SINGLE_MARKS = frozenset("‘’'")
"""Single marks: quotes only outside double-quoted text, and only where not an apostrophe."""

SCARE_QUOTE_MAX_TOKENS = 5
"""Tokens: a stretch in quote marks this short whose words are all capitalised (function words
aside) and that does not end a sentence is a name in quotes ("Apple" brand, the "Back to the
Mac" event), not a quote; a fragment this short that no reporting word attributes and no
nearby quote lends a speaker is a term in quotes ("voice control"). Calibrated on MEANTIME
Apple articles (product and event names, feature names)."""
FUNCTION_POS = frozenset({"DET", "ADP", "CCONJ", "PART", "SCONJ"})
"""Parts of speech a title-case name may leave in lower case ("Back to the Mac")."""
SUBJECT_LESS_DEPS = frozenset({"amod", "compound"})
"""A cue in these positions ("the announced iPhone") reports nothing."""
INDIRECT_DROP_EDGE = frozenset({"mark", "punct", "cc"})
"""Dependency labels trimmed from the edges of a reported clause ("that", commas)."""
FULL_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")
"""A TIMEX3 value that names a day (the only kind of time a quote's date takes)."""
TERMINAL = ".!?:;—–-"
"""Characters after which a quote opening a sentence is a direct quote, not a fragment."""
MARKED_KINDS = frozenset({"direct", "partial"})
"""Kinds of quotes written in quote marks (the others are reported speech and refusals)."""


# --- lexicons ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CueLexicon:
    """Reporting verbs and media cues, read from data files."""

    verbs: frozenset[str]
    """Lemmas of reporting verbs."""
    object_verbs: frozenset[str]
    """Verbs whose direct object (or to-infinitive) is itself what was said."""
    evidential_verbs: frozenset[str]
    """Verbs that also report what evidence shows: they quote only a subject that can speak."""
    outlets: frozenset[str]
    """Names of news outlets."""
    media_words: frozenset[str]
    """Last words that make an addressee an outlet ("TV", "Radio")."""
    frames: frozenset[str]
    """Nouns that introduce an outlet via with/to ("interview", "statement")."""


@functools.lru_cache(maxsize=1)
def cue_lexicon() -> CueLexicon:
    """The shipped reporting verbs and media cues."""
    verbs: set[str] = set()
    object_verbs: set[str] = set()
    evidential_verbs: set[str] = set()
    for line in read_sections("reporting_verbs.txt")[""]:
        lemma, *flags = line.lower().split()
        verbs.add(lemma)
        if "object" in flags:
            object_verbs.add(lemma)
        if "evidential" in flags:
            evidential_verbs.add(lemma)
    media = read_sections("media_cues.txt")
    return CueLexicon(
        frozenset(verbs),
        frozenset(object_verbs),
        frozenset(evidential_verbs),
        frozenset(media.get("outlets", [])),
        frozenset(media.get("words", [])),
        frozenset(w.lower() for w in media.get("frames", [])),
    )


# --- quote marks -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Marked:
    """A stretch of text in quote marks (one paragraph's piece of it)."""

    open: int
    close: int  # index of the closing mark, or the paragraph end for a piece that continues
    start: int
    end: int
    para: int
    group: int  # pieces of one multi-paragraph quote share a group id
    kind: str = "direct"


@dataclass(slots=True)
class _Found:
    """A quote being assembled: where it is, and the cue and subject that attribute it."""

    start: int
    end: int
    kind: str
    para: int
    group: int = -1
    open: int = -1
    cue: Any = None
    subject: Any = None
    according: bool = False
    speaker: Speaker | None = None
    cue_lemma: str | None = None  # the cue's name when it is not the cue token's lemma


def paragraphs(text: str) -> list[tuple[int, int]]:
    """`(start, end)` of each non-blank line of `text` (paragraphs are separated by newlines)."""
    out = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            out.append((pos, end))
        pos = end + 1
    return out


def find_quote_marks(text: str) -> list[_Marked]:
    """Every quoted stretch of `text`, with the content inside the marks.

    Double marks pair within a paragraph (straight marks toggle); a quote left open at the end
    of a paragraph continues when the next paragraph opens with a quote mark. Single marks count
    only outside double-quoted stretches, and only where they cannot be apostrophes.
    """
    out: list[_Marked] = []
    paras = paragraphs(text)
    group = 0
    carried: int | None = None  # group id of a quote continuing from the previous paragraph
    for p, (ps, pe) in enumerate(paras):
        open_at: int | None = None
        double_spans: list[tuple[int, int]] = []
        continuing = carried
        carried = None
        for i in range(ps, pe):
            ch = text[i]
            if ch in OPEN_DOUBLE or (ch == STRAIGHT_DOUBLE and open_at is None):
                if open_at is None and not (ch == STRAIGHT_DOUBLE and i > ps and text[i - 1].isdigit()):
                    open_at = i  # a straight mark right after a digit is an inch sign: 15" display
            elif ch in CLOSE_DOUBLE or ch == STRAIGHT_DOUBLE:
                if open_at is not None:
                    gid = continuing if (continuing is not None and not double_spans) else group
                    if gid == group:
                        group += 1
                    _add(out, text, open_at, i, p, gid)
                    double_spans.append((open_at, i))
                    open_at = None
        if open_at is not None:
            nxt = paras[p + 1] if p + 1 < len(paras) else None
            continues = nxt is not None and text[nxt[0] : nxt[1]].lstrip()[:1] in OPEN_DOUBLE | {STRAIGHT_DOUBLE}
            at_start = not text[ps:open_at].strip()
            if continues or at_start:
                gid = continuing if (continuing is not None and not double_spans) else group
                if gid == group:
                    group += 1
                _add(out, text, open_at, pe, p, gid)
                double_spans.append((open_at, pe))
                if continues:
                    carried = gid
        group = _single_marks(out, text, ps, pe, p, double_spans, group)
    return sorted(out, key=lambda m: m.start)


def _single_marks(out: list[_Marked], text: str, ps: int, pe: int, p: int,
                  doubles: list[tuple[int, int]], group: int) -> int:
    open_at: int | None = None
    for i in range(ps, pe):
        ch = text[i]
        if ch not in SINGLE_MARKS or any(a <= i <= b for a, b in doubles):
            continue
        before = text[i - 1] if i > ps else " "
        after = text[i + 1] if i + 1 < pe else " "
        if open_at is None:
            if (ch in OPEN_SINGLE or ch == "'") and (before.isspace() or before in "([—–") and after.isalnum():
                open_at = i
        elif ch in "’'" and not before.isspace() and not after.isalnum():
            _add(out, text, open_at, i, p, group)
            group += 1
            open_at = None
    return group


def _add(out: list[_Marked], text: str, open_at: int, close: int, para: int, group: int) -> None:
    start, end = open_at + 1, close
    # Doubled opening marks ('" “') and spaces are not content.
    while start < end and (text[start].isspace() or text[start] in OPEN_DOUBLE or text[start] == STRAIGHT_DOUBLE):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if any(ch.isalnum() for ch in text[start:end]):
        out.append(_Marked(open_at, close, start, end, para, group, _kind(text, open_at, start)))


def _kind(text: str, open_at: int, start: int) -> str:
    line_start = text.rfind("\n", 0, open_at) + 1
    before = text[line_start:open_at].rstrip()
    if not before or before[-1] in TERMINAL:
        return "direct"
    if before[-1] == "," and text[start].isupper():
        return "direct"
    return "partial"


# --- parse helpers -----------------------------------------------------------------------------


class _Tokens:
    """Character offset -> spaCy token lookups over one parse."""

    def __init__(self, parsed: Any) -> None:
        self.doc = parsed
        self.starts = [t.idx for t in parsed]

    def span(self, start: int, end: int) -> list[Any]:
        lo = bisect.bisect_left(self.starts, start)
        hi = bisect.bisect_left(self.starts, end)
        return [t for t in self.doc[lo:hi] if t.idx + len(t) <= end]

    def sentences(self, start: int, end: int) -> list[Any]:
        lo = bisect.bisect_right(self.starts, start) - 1
        hi = bisect.bisect_left(self.starts, end)
        seen: list[Any] = []
        for tok in self.doc[max(lo, 0) : max(hi, lo + 1)]:
            if not seen or seen[-1].start != tok.sent.start:
                seen.append(tok.sent)
        return seen


def _is_cue(tok: Any, lex: CueLexicon) -> bool:
    if tok.lower_ == "according":
        return any(c.lower_ == "to" for c in tok.children)
    return tok.pos_ in ("VERB", "AUX") and tok.lemma_.lower() in lex.verbs and tok.dep_ not in SUBJECT_LESS_DEPS


def _cue_name(tok: Any) -> str:
    return "according to" if tok.lower_ == "according" else tok.lemma_.lower()


def _negated(tok: Any) -> bool:
    return any(c.dep_ == "neg" for c in tok.children)


# --- entry point -------------------------------------------------------------------------------


def find_quotes(doc: Doc) -> list[Quote]:
    """All quotes in `doc.text` with their speakers, media and dates, sorted by position.

    Reads `doc.parsed` (parsing `doc.text` when missing), `doc.spans["entities"]` and
    `doc.spans["times"]` (computed here when those stages have not run).
    """
    text = doc.text
    if not text.strip():
        return []
    from tidings.extract.parse import parsed_of

    parsed = parsed_of(doc)
    lex = cue_lexicon()
    resolve_actor = actor_resolver()
    entities = EntityIndex(article_entities(doc, parsed, resolve_actor))
    times = article_times(doc)
    toks = _Tokens(parsed)
    marked = find_quote_marks(text)
    paras = paragraphs(text)

    quoted = [(m.start, m.end) for m in marked]
    found = [f for f in (_attribute(m, toks, lex, text, quoted) for m in marked) if f is not None]
    found.extend(_indirect(toks, lex, marked, text))
    found.extend(_refusals(toks, marked, text))

    resolver = SpeakerResolver(text, entities, resolve_actor)
    by_token: dict[int, Speaker | None] = {}
    for subj in sorted({f.subject.i: f.subject for f in found if f.subject is not None}.values(),
                       key=lambda t: t.idx):
        by_token[subj.i] = resolver.resolve(subj)
    for f in found:
        if f.subject is not None:
            f.speaker = by_token.get(f.subject.i)
    _inherit(found, paras, text, toks)

    quotes: dict[tuple[int, int, str], Quote] = {}
    for f in found:
        if f.kind in MARKED_KINDS and _is_name_in_quotes(toks, f, text):
            continue
        if f.kind == "partial" and f.cue is None and f.speaker is None and _is_term_in_quotes(toks, f):
            continue
        quote = _record(f, doc, lex, times, entities, toks)
        quotes.setdefault((quote.start, quote.end, quote.kind), quote)
    return sorted(quotes.values(), key=lambda q: (q.start, q.end))


def make_quotes_stage() -> Stage:
    """Stage that writes `find_quotes(doc)` to `doc.spans["quotes"]`."""

    def run(doc: Doc) -> Doc:
        doc.spans["quotes"] = find_quotes(doc)
        return doc

    return Stage("quotes", run, needs=("parsed", "entities", "times"), adds=("quotes",))


register_group("quotes", Quote)


# --- attribution -------------------------------------------------------------------------------


def _attribute(m: _Marked, toks: _Tokens, lex: CueLexicon, text: str,
               quoted: list[tuple[int, int]]) -> _Found | None:
    """Find the cue and subject for one quoted stretch."""
    found = _Found(m.start, m.end, m.kind, m.para, m.group, m.open)
    inside = toks.span(m.start, m.end)
    if not inside:
        return found
    first, last = inside[0].i, inside[-1].i

    def in_any_quote(tok: Any) -> bool:
        return any(a <= tok.idx < b for a, b in quoted)

    line_start = text.rfind("\n", 0, m.open) + 1
    line_end = text.find("\n", m.open)
    line_end = len(text) if line_end < 0 else line_end

    def ok(tok: Any) -> bool:
        # The attribution of a quote is written in its own paragraph.
        return (line_start <= tok.idx < line_end and _is_cue(tok, lex)
                and not in_any_quote(tok) and not _negated(tok))

    # 1. A reporting word governing the quote from outside it.
    roots = [t for t in inside if t.head.i < first or t.head.i > last]
    for root in roots:
        for anc in root.ancestors:
            if ok(anc):
                return _with_cue(found, anc)
    # 2. Cues in the attribution window, nearest first.
    window = _window(m, toks, text)
    candidates = [t for s in window for t in s if ok(t) and not (first <= t.i <= last)]
    candidates.sort(key=lambda t: min(abs(t.idx - m.open), abs(t.idx - m.close)))
    for cue in candidates:
        if find_subject(cue) is not None:
            return _with_cue(found, cue)
    return found


def _with_cue(found: _Found, cue: Any) -> _Found:
    found.cue = cue
    found.subject = find_subject(cue)
    found.according = cue.lower_ == "according"
    return found


def _window(m: _Marked, toks: _Tokens, text: str) -> list[Any]:
    """Sentences that may hold a quote's attribution: those it touches, the next one when the
    text after the closing mark goes on in lower case, and the one before a colon."""
    line_start = text.rfind("\n", 0, m.open) + 1
    line_end = text.find("\n", m.close)
    line_end = len(text) if line_end < 0 else line_end
    sents = toks.sentences(m.open, min(m.close + 1, len(text)))
    after = text[m.close + 1 : line_end].lstrip(" ,")
    if after[:1].islower() and sents and sents[-1].end_char < line_end:
        sents += toks.sentences(sents[-1].end_char, sents[-1].end_char + 1)
    before = text[line_start : m.open].rstrip()
    if before.endswith(":") and sents and sents[0].start_char > line_start:
        sents = toks.sentences(sents[0].start_char - 2, sents[0].start_char - 1) + sents
    return [s for s in sents if line_start <= s.start_char < line_end]


def _indirect(toks: _Tokens, lex: CueLexicon, marked: list[_Marked], text: str) -> list[_Found]:
    """Reported speech: the clause (or, for some verbs, the object) a reporting verb governs."""
    out: list[_Found] = []
    quoted = [(m.start, m.end) for m in marked]

    def in_quote(tok: Any) -> bool:
        return any(a <= tok.idx < b for a, b in quoted)

    paras = paragraphs(text)
    pstarts = [p[0] for p in paras]
    for tok in toks.doc:
        if not _is_cue(tok, lex) or in_quote(tok) or _negated(tok) or is_refused(tok):
            continue  # "did not say", "declined to say whether": refusals, not reported speech
        if tok.lower_ == "according" and _reported_by_other(tok, lex):
            continue  # "NPD said, according to those figures, ...": NPD is the speaker
        content = _reported(tok, lex)
        if content is None or in_quote(content):
            continue
        span = _clause_span(content, tok)
        if span is None:
            continue
        span = _with_whole_quotes(span, marked, text)
        subject = find_subject(tok)
        if subject is None:
            continue
        if tok.lemma_.lower() in lex.evidential_verbs and not can_speak(subject):
            continue  # "..., suggesting that the infrastructure is in place": evidence, not speech
        para = max(bisect.bisect_right(pstarts, span[0]) - 1, 0)
        found = _Found(span[0], span[1], "indirect", para)
        _with_cue(found, tok)
        out.append(found)
    return out


def _refusals(toks: _Tokens, marked: list[_Marked], text: str) -> list[_Found]:
    """Refusals to comment ("declined to comment"), as quotes of kind "refusal" whose speaker
    is resolved with the others (see `tidings.extract.refusals`)."""
    def in_quote(pos: int) -> bool:
        return any(m.open <= pos <= m.close for m in marked)

    pstarts = [p[0] for p in paragraphs(text)]
    out = []
    for r in find_refusals(toks.doc, in_quote):
        para = max(bisect.bisect_right(pstarts, r.start) - 1, 0)
        out.append(_Found(r.start, r.end, "refusal", para, cue=r.cue, subject=r.subject,
                          cue_lemma=r.lemma))
    return out


def _with_whole_quotes(span: tuple[int, int], marked: list[_Marked], text: str) -> tuple[int, int]:
    """Widen a reported clause that starts or ends inside a quoted stretch to take in its marks
    ('said "progress" was made' reports '"progress" was made', not 'progress" was made')."""
    start, end = span
    for m in marked:
        if m.start <= start < m.end:
            start = min(start, m.open)
        if m.start < end <= m.end and m.close < len(text) and not text[m.close].isspace():
            end = max(end, m.close + 1)
    return start, end


def _that_clause(cue: Any) -> Any:
    """A that-clause the parser hung below a cue's adjunct ("announced in a memo that he would
    ..." parsed as a relative clause of "memo"): "that" is its complementiser, not a pronoun."""
    def complement(tok: Any) -> bool:
        return (tok.dep_ in ("relcl", "acl", "advcl")
                and any(m.dep_ == "mark" and m.lower_ == "that" for m in tok.children)
                and any(s.dep_ in ("nsubj", "nsubjpass", "expl") for s in tok.children))

    for child in cue.children:
        if complement(child):
            return child
        if child.dep_ == "prep":
            for obj in child.children:
                if obj.dep_ == "pobj":
                    found = next((c for c in obj.children if complement(c)), None)
                    if found is not None:
                        return found
    return None


def _reported_by_other(tok: Any, lex: CueLexicon) -> bool:
    """True when `tok` lies inside the clause another reporting verb reports."""
    through_clause = False
    node = tok
    while node.head.i != node.i:
        through_clause = through_clause or node.dep_ in ("ccomp", "parataxis")
        node = node.head
        if through_clause and _is_cue(node, lex):
            return True
    return False


def _reported(cue: Any, lex: CueLexicon) -> Any:
    """The head token of what `cue` reports, or None."""
    if cue.lower_ == "according":
        head = cue.head
        return head if head.i != cue.i else None
    children = list(cue.children)
    for child in children:
        if child.dep_ == "ccomp":
            return child
    clause = _that_clause(cue)
    if clause is not None:
        return clause
    lemma = cue.lemma_.lower()
    if lemma in lex.object_verbs:
        for child in children:
            if child.dep_ in ("dobj", "xcomp"):
                return child
    if cue.dep_ == "parataxis" and cue.head.pos_ in ("VERB", "AUX"):
        return cue.head  # 'This switch, he said, would happen next year.'
    return None


def _clause_span(content: Any, cue: Any) -> tuple[int, int] | None:
    """Character span of the reported clause headed by `content`, without the cue's own words."""
    cue_tokens = {t.i for t in cue.subtree} if content.is_ancestor(cue) or cue.lower_ == "according" else set()
    tokens = [t for t in content.subtree if t.i not in cue_tokens]
    if content.is_ancestor(cue) or cue.lower_ == "according":
        # Keep the larger side of the clause around the attribution.
        before = [t for t in tokens if t.i < min(cue_tokens)]
        after = [t for t in tokens if t.i > max(cue_tokens)]
        tokens = before if len(before) >= len(after) else after
    # A reported clause stays inside the cue's paragraph (a headline run into the text is not
    # part of it).
    tokens = [t for t in tokens if _same_paragraph(t, cue) and not t.is_space]
    while tokens and (tokens[0].dep_ in INDIRECT_DROP_EDGE or tokens[0].is_punct):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_punct or tokens[-1].dep_ in ("cc",)):
        tokens = tokens[:-1]
    if not tokens:
        return None
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1])


def _same_paragraph(a: Any, b: Any) -> bool:
    return not crosses_paragraph(a, b)


def _inherit(found: list[_Found], paras: list[tuple[int, int]], text: str, toks: _Tokens) -> None:
    """Give quotes without an attribution the speaker of their context: the other pieces of a
    multi-paragraph quote, an attributed quote in the same paragraph, or, for a paragraph that
    is nothing but a quote, the speaker quoted just before it.

    A fragment in quote marks with no reporting word of its own (a scare quote: 'categories
    such as "porn" are banned') takes a speaker only from a quote attributed earlier in its own
    or the previous sentence; never from one that comes later."""
    direct = [f for f in found if f.kind in MARKED_KINDS]
    groups: dict[int, list[_Found]] = {}
    for f in direct:
        groups.setdefault(f.group, []).append(f)
    for pieces in groups.values():
        source = next((p for p in reversed(pieces) if p.speaker is not None), None)
        if source is not None:
            for p in pieces:
                if p.speaker is None:
                    _copy(p, source)
    ordered = sorted(found, key=lambda f: f.start)
    for f in ordered:
        if f.speaker is not None or f.kind not in MARKED_KINDS:
            continue
        same_para = [g for g in ordered if g.para == f.para and g.speaker is not None and g is not f]
        if f.kind == "partial":
            same_para = [g for g in same_para if g.start < f.start and _sentence_gap(toks, g, f) <= 1]
        if same_para:
            before = [g for g in same_para if g.start < f.start]
            _copy(f, before[-1] if before else same_para[0])
            continue
        ps, pe = paras[f.para] if f.para < len(paras) else (0, len(text))
        stand_alone = not text[ps : f.open].strip() if f.open >= 0 else False
        if stand_alone and f.kind == "direct":
            earlier = [g for g in ordered if g.para == f.para - 1 and g.speaker is not None]
            if earlier:
                _copy(f, earlier[-1])


def _sentence_gap(toks: _Tokens, source: _Found, target: _Found) -> int:
    """How many sentence starts lie between the source quote's cue (else its start) and the
    target quote's start."""
    pos = source.cue.idx if source.cue is not None else source.start
    lo, hi = sorted((pos, target.start))
    return sum(1 for s in toks.doc.sents if lo < s.start_char <= hi)


def _copy(target: _Found, source: _Found) -> None:
    target.speaker = source.speaker
    target.cue = source.cue
    target.subject = source.subject
    target.according = source.according


def _is_name_in_quotes(toks: _Tokens, f: _Found, text: str) -> bool:
    """A short title-case stretch in quote marks ("Apple" brand, "Back to the Mac" event) is a
    name, not something said; a short sentence ("Stop.") is still a quote."""
    if text[f.start : f.end].rstrip("\"'’”")[-1:] in ".!?":
        return False
    inside = [t for t in toks.span(f.start, f.end) if not t.is_punct]
    words = [t for t in inside if t.pos_ not in FUNCTION_POS]
    return (0 < len(inside) <= SCARE_QUOTE_MAX_TOKENS and bool(words)
            and all(t.text[:1].isupper() for t in words))


def _is_term_in_quotes(toks: _Tokens, f: _Found) -> bool:
    """A short fragment in quote marks that nobody is reported as saying ('features such as
    "voice control"', 'categories such as "porn"') is a term the writer marks, not a quote."""
    words = [t for t in toks.span(f.start, f.end) if not t.is_punct]
    return len(words) <= SCARE_QUOTE_MAX_TOKENS


# --- record ------------------------------------------------------------------------------------


def _record(f: _Found, doc: Doc, lex: CueLexicon, times: list[TimeRef], entities: EntityIndex,
            toks: _Tokens) -> Quote:
    speaker = f.speaker
    cue = f.cue
    medium = _medium(cue, f.subject, lex, entities, doc.text) if cue is not None else None
    date, source = _date(f, cue, doc, times, toks)
    return Quote(
        start=f.start,
        end=f.end,
        kind=f.kind,  # type: ignore[arg-type]
        speaker=speaker.name if speaker else None,
        speaker_named=bool(speaker and speaker.named),
        speaker_start=speaker.start if speaker else None,
        speaker_end=speaker.end if speaker else None,
        affiliation=speaker.affiliation if speaker else None,
        cue=f.cue_lemma or (_cue_name(cue) if cue is not None else None),
        medium=medium,
        date=date,
        date_source=source,  # type: ignore[arg-type]
    )


def _medium(cue: Any, subject: Any, lex: CueLexicon, entities: EntityIndex, text: str) -> str | None:
    """The outlet the speaker talked to: 'told X', 'to X', 'in an interview with X'."""
    holders = [cue] + ([subject] if subject is not None else [])
    for holder in holders:
        for child in holder.children:
            if holder is cue and child.dep_ in ("dobj", "dative", "iobj"):
                name = _outlet(child, lex, entities, text)
                if name:
                    return name
            if child.dep_ == "prep" and child.lower_ in ("to", "on", "with"):
                for obj in child.children:
                    if obj.dep_ == "pobj":
                        name = _outlet(obj, lex, entities, text)
                        if name:
                            return name
            if child.dep_ == "prep" and child.lower_ in ("in", "during", "at"):
                for frame in child.children:
                    if frame.dep_ == "pobj" and frame.lemma_.lower() in lex.frames:
                        for prep in frame.children:
                            if prep.dep_ == "prep" and prep.lower_ in ("with", "to", "on"):
                                for obj in prep.children:
                                    if obj.dep_ == "pobj":
                                        name = _outlet(obj, lex, entities, text)
                                        if name:
                                            return name
    return None


def _outlet(tok: Any, lex: CueLexicon, entities: EntityIndex, text: str) -> str | None:
    ent = entities.covering(tok.idx, tok.idx + len(tok))
    if ent is not None and ent.kind == "media":
        return ent.canonical
    if ent is not None and ent.kind == "person":
        return None
    # The name is the head with its compounds ("Al - Aqsa TV"), without a determiner.
    left = min((t for t in tok.subtree if t.i <= tok.i and t.dep_ != "det" and t.pos_ != "DET"
                and all(u.i in {x.i for x in tok.subtree} for u in tok.doc[t.i : tok.i])),
               key=lambda t: t.i, default=tok)
    phrase = text[left.idx : tok.idx + len(tok)]
    candidates = [phrase, tok.text]
    if ent is not None:
        candidates.insert(0, text[ent.start : ent.end])
    for cand in candidates:
        bare = cand[4:] if cand.startswith("the ") else cand
        if cand in lex.outlets or bare in lex.outlets:
            return ent.canonical if ent is not None and ent.kind != "other" else bare
    words = phrase.split()
    if len(words) > 1 and words[-1] in lex.media_words and any(w[:1].isupper() for w in words[:-1]):
        return ent.canonical if ent is not None and ent.kind == "media" else phrase
    return None


def _date(f: _Found, cue: Any, doc: Doc, times: list[TimeRef], toks: _Tokens) -> tuple[str | None, str]:
    """ISO date of the speech: a full date in the cue's sentence, else the publication date."""
    if cue is not None:
        return sentence_date(doc, times, [cue.sent], cue.idx, (f.start, f.end))
    return sentence_date(doc, times, toks.sentences(f.start, f.end), f.start, (f.start, f.end))


def sentence_date(doc: Doc, times: list[TimeRef], sents: list[Any], anchor: int,
                  content: tuple[int, int]) -> tuple[str | None, str]:
    """`(ISO date, date_source)` of something said or held: the full date in `sents` nearest to
    offset `anchor` and outside `content` (a date inside what is said is what it talks about,
    not when it was said), else the publication date, else `(None, "none")`."""
    best: tuple[int, str] | None = None
    for sent in sents:
        for t in times:
            if t.start < sent.start_char or t.end > sent.end_char:
                continue
            if content[0] <= t.start < content[1]:
                continue
            match = FULL_DATE.match(t.value or "")
            if not match:
                continue
            dist = abs(t.start - anchor)
            if best is None or dist < best[0]:
                best = (dist, match.group(1))
    if best is not None:
        return best[1], "sentence"
    if doc.published is not None and doc.published_precision != "unknown":
        iso = doc.published.isoformat()
        cut = {"day": 10, "month": 7, "year": 4}.get(doc.published_precision, 10)
        return iso[:cut], "publication"
    return None, "none"


# --- optional collaborators --------------------------------------------------------------------


def actor_resolver() -> Any:
    """`tidings.extract.actors.resolve_actor` (surface form -> actor), or None without it."""
    try:
        from tidings.extract.actors import resolve_actor
    except ImportError:
        log.debug("tidings.extract.actors not available; affiliations from entity text only")
        return None
    return resolve_actor


def article_entities(doc: Doc, parsed: Any, resolve_actor: Any) -> list[Entity]:
    """The Doc's entities: its "entities" group, else found now (spaCy NER as a last resort)."""
    if "entities" in doc.spans:
        return list(doc.spans["entities"])
    try:
        from tidings.extract.entities import find_entities
    except ImportError:
        log.debug("tidings.extract.entities not available; using spaCy NER for speakers")
        return spacy_entities(parsed, resolve_actor)
    return list(find_entities(doc))


def article_times(doc: Doc) -> list[TimeRef]:
    """The Doc's time expressions: its "times" group, else found now (none without times)."""
    if "times" in doc.spans:
        return list(doc.spans["times"])
    try:
        from tidings.extract.times import find_times
    except ImportError:
        log.debug("tidings.extract.times not available; dates from publication only")
        return []
    return list(find_times(doc))
