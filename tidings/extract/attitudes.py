"""Attitudes: what someone believes, wants, decides, perceives or feels, and who holds it.

`find_attitudes(doc)` reads `doc.text`, its parse, its entities and its quotes and returns one
`Attitude` per attitude verb ("has chosen to step down", "Many buyers experienced issues", "We
love the Beatles") whose subject can hold an attitude:

- the cue is a verb listed in `tidings/data/attitude_verbs.toml` with its type (belief, desire,
  intention, perception, emotion); a verb that is also a reporting verb (believe, think, fear)
  is left to the quotes stage where that stage made an indirect quote of its clause;
- the content is the verb's clause ("believes that ..."), its to-infinitive ("decided to
  leave"), its object ("love the Beatles") or, without those, the object of a preposition from
  the data file ("worries about the recall"); a verb with no content is not recorded;
- the holder is the syntactic subject, found as a speaker's is (`tidings.extract.subjects`):
  the nsubj, the subject an infinitive or participle inherits ("wants to decide", "..., hoping
  to"), the agent of a passive ("is feared by investors"; a passive without one has no holder),
  the noun a participle describes ("buyers hoping to ..."). It is resolved to an actor by
  `tidings.extract.speakers.SpeakerResolver`, the speakers of the article's quotes first
  replayed in text order so that "he", "the official" or "the company" find the same
  antecedents as quotes do. Inside quote marks "I"/"we" is the quote's speaker, while the
  holder span stays on the pronoun, and "he"/"she" is never the speaker himself (left
  unresolved, `holder` None, rather than wrong);
- holders are people, groups of people and organisations: a name (PERSON, ORG, GPE, NORP or an
  actor entity), a personal pronoun with an antecedent, or a noun from the speaker lexicon or
  the data file's holder nouns. Products, things, "it is expected", "nobody knows" and "no
  official wants" hold nothing;
- an attitude noun with a possessor is an attitude of the possessor ("his decision to step
  down", "their experience", "Israel's fear of a wider war"); its content is the noun's
  complement, else the noun itself.

Cue verbs are matched on the parser's lemma, then on the word with a regular ending removed
(the small model lemmatises "hopes" as "hop").

`negated` says the attitude is denied ("did not decide", "never wanted"); `quoted` that it is
stated inside a quote; the date comes from a full date in the sentence, else the publication
date (as for quotes).
"""

from __future__ import annotations

import functools
import logging
import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

from tidings.doc import Doc, register_group
from tidings.extract.quotes import (
    actor_resolver,
    article_entities,
    article_times,
    cue_lexicon,
    find_quotes,
    sentence_date,
)
from tidings.extract.speakers import (
    ACTOR_KINDS,
    GROUP_PRONOUNS,
    PERSON_PRONOUNS,
    SPACY_ACTORS,
    SPACY_PERSON,
    THING_PRONOUNS,
    EntityIndex,
    Speaker,
    SpeakerResolver,
    phrase_span,
    role_lexicon,
)
from tidings.extract.subjects import crosses_paragraph, find_subject
from tidings.pipeline import Stage
from tidings.records import Attitude, AttitudeType, Quote

log = logging.getLogger(__name__)

ATTITUDE_VERBS_FILE = "attitude_verbs.toml"
"""The attitude lexicon in tidings/data/."""
FIRST_PERSON = frozenset({"i", "we", "me", "us", "my", "our"})
"""Pronouns that, inside a quote, mean its speaker."""
FIRST_SINGULAR = frozenset({"i", "me", "my"})
"""First-person pronouns for one person ("we" is a group, whoever says it)."""
HOLDER_ENTITY_KINDS = ACTOR_KINDS | {"person", "media"}
"""Entity kinds that can hold an attitude (a "location" or "other" entity cannot)."""
NO_HOLDER_DEPS = frozenset({"amod", "compound", "nmod", "npadvmod"})
COPULAR_DEPS = frozenset({"acomp", "oprd", "attr"})
"""Children that make an attitude verb a linking verb ("feels great", "felt betrayed")."""
"""A cue in these positions ("the expected launch") describes a noun; nobody holds it."""
CONTENT_DEPS = ("ccomp", "xcomp", "dobj")
"""Dependencies of a cue's content, in the order they are tried."""
CONTENT_DROP_EDGE = frozenset({"mark", "aux", "punct", "cc"})
"""Leading words cut from a content span ("that", the "to" of an infinitive)."""
INFLECTIONS = (("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"),
               ("ing", ""), ("ing", "e"), ("d", ""))
"""Regular verb endings and what replaces them, tried when the parser's lemma is no attitude
verb ("hopes" lemmatised as "hop")."""
MARKED_KINDS = frozenset({"direct", "partial"})
"""Quote kinds written in quote marks: attitudes inside them are `quoted`."""


# --- lexicon --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttitudeLexicon:
    """Attitude verbs with their types, content prepositions and holder words."""

    types: dict[str, AttitudeType]
    """Verb lemma -> attitude type."""
    noun_types: dict[str, AttitudeType]
    """Noun lemma -> attitude type ("decision", "experience")."""
    content_preps: frozenset[str]
    """Prepositions whose object is the content of a verb without clause or object."""
    holder_nouns: frozenset[str]
    """Nouns (lemmas) for people who can hold attitudes, besides the speaker lexicon."""
    not_holders: frozenset[str]
    """Subjects that deny anyone holds the attitude ("nobody")."""


@functools.lru_cache(maxsize=1)
def attitude_lexicon() -> AttitudeLexicon:
    """The shipped attitude lexicon (`tidings/data/attitude_verbs.toml`)."""
    path = resources.files("tidings") / "data" / ATTITUDE_VERBS_FILE
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    types = {verb.lower(): kind for kind, verbs in data.get("types", {}).items() for verb in verbs}
    nouns = {noun.lower(): kind for kind, words in data.get("nouns", {}).items() for noun in words}
    return AttitudeLexicon(
        types,
        nouns,
        frozenset(w.lower() for w in data.get("content", {}).get("prepositions", [])),
        frozenset(w.lower() for w in data.get("holders", {}).get("nouns", [])),
        frozenset(w.lower() for w in data.get("not_holders", {}).get("words", [])),
    )


def attitude_lemma(tok: Any, lex: AttitudeLexicon | None = None) -> str | None:
    """The attitude verb `tok` is a form of, or None. The parser's lemma first; then the word
    with a regular ending taken off, since the small model lemmatises some forms wrongly
    ("hopes" -> "hop")."""
    types = (lex or attitude_lexicon()).types
    lemma = tok.lemma_.lower()
    if lemma in types:
        return lemma
    word = tok.lower_
    for ending, repl in INFLECTIONS:
        if word.endswith(ending) and len(word) > len(ending) + 1:
            base = word[: len(word) - len(ending)] + repl
            if base in types:
                return base
    return None


# --- entry point ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Candidate:
    cue: Any
    holder: Any  # the spaCy token heading the holder mention
    content: tuple[int, int]
    quote: Quote | None  # the quote whose marks hold the cue, if any


def find_attitudes(doc: Doc) -> list[Attitude]:
    """All attitudes in `doc.text` with their holders, sorted by position.

    Reads `doc.parsed` (parsing when missing) and the "entities", "times" and "quotes" groups
    (computed here when those stages have not run).
    """
    text = doc.text
    if not text.strip():
        return []
    from tidings.extract.parse import parsed_of

    parsed = parsed_of(doc)
    lex = attitude_lexicon()
    resolve_actor = actor_resolver()
    entities = EntityIndex(article_entities(doc, parsed, resolve_actor))
    quotes = list(doc.spans["quotes"]) if "quotes" in doc.spans else find_quotes(doc)
    marked = sorted((q for q in quotes if q.kind in MARKED_KINDS), key=lambda q: q.start)
    reporting = cue_lexicon().verbs

    candidates: list[_Candidate] = []
    for tok in parsed:
        if tok.pos_ == "NOUN":
            nominal = _nominal(tok, lex, entities, marked)
            if nominal is not None:
                candidates.append(nominal)
            continue
        lemma = attitude_lemma(tok, lex)
        if lemma is None or tok.pos_ != "VERB" or tok.dep_ in NO_HOLDER_DEPS:
            continue
        if any(c.dep_ in COPULAR_DEPS for c in tok.children):
            continue  # "It feels great to ...", "they feel betrayed": a state, not an attitude
        content = _content(tok, lex)
        if content is None:
            continue
        quote = _quote_at(marked, tok.idx)
        if lemma in reporting and quote is None and _quoted_as_speech(quotes, lemma, content):
            continue  # "Israel believes Hamas is stalling": the quotes stage reports it
        holder = _holder(tok)
        if holder is None or not _can_hold(holder, entities, lex, quote):
            continue
        candidates.append(_Candidate(tok, holder, content, quote))

    holders = _resolve(candidates, quotes, parsed, text, entities, resolve_actor)
    times = article_times(doc)
    out: list[Attitude] = []
    for cand in candidates:
        speaker = holders.get(cand.holder.i)
        if cand.holder.lower_ in FIRST_PERSON:
            speaker = _quote_speaker(cand.quote)
        elif (speaker is not None and cand.quote is not None and cand.holder.pos_ == "PRON"
              and speaker.name == cand.quote.speaker):
            speaker = None  # "he" inside X's quote is someone other than X
        if speaker is None and cand.holder.lower_ in THING_PRONOUNS:
            continue  # an "it" with no organisation before it is a thing
        if speaker is None and cand.holder.pos_ != "PRON":
            continue
        out.append(_record(cand, speaker, doc, times, lex))
    return sorted(out, key=lambda a: (a.start, a.end, a.cue_start))


def make_attitudes_stage() -> Stage:
    """Stage that writes `find_attitudes(doc)` to `doc.spans["attitudes"]`."""

    def run(doc: Doc) -> Doc:
        doc.spans["attitudes"] = find_attitudes(doc)
        return doc

    return Stage("attitudes", run, needs=("parsed", "entities", "times", "quotes"),
                 adds=("attitudes",))


register_group("attitudes", Attitude)


# --- content ------------------------------------------------------------------------------------


def _content(cue: Any, lex: AttitudeLexicon) -> tuple[int, int] | None:
    """Span of what the attitude is about: clause, infinitive, object, else a prepositional
    object from the lexicon; None when the verb has none ("as expected", "I know")."""
    children = list(cue.children)
    if any(c.dep_ == "auxpass" for c in children):
        # "Higher prices are feared by farmers": the passive subject is what is feared.
        subject = next((c for c in children if c.dep_ == "nsubjpass"), None)
        return _span(subject, cue) if subject is not None else None
    for dep in CONTENT_DEPS:
        for child in children:
            if child.dep_ == dep:
                span = _span(child, cue)
                if span is not None:
                    return span
    for child in children:
        if child.dep_ == "prep" and child.lower_ in lex.content_preps:
            obj = next((o for o in child.children if o.dep_ in ("pobj", "pcomp")), None)
            if obj is not None:
                return _span(obj, cue)
    return None


def _span(head: Any, cue: Any) -> tuple[int, int] | None:
    """The span of the content headed by `head`, without a clause coordinated to it that has
    its own auxiliary or subject (the parser hangs "or was forced out" on "decided to leave")."""
    cut: set[int] = set()
    for child in head.children:
        if child.dep_ == "conj" and any(c.dep_ in ("aux", "auxpass", "nsubj", "nsubjpass")
                                        for c in child.children):
            cut.update(t.i for t in child.subtree)
            cut.update(c.i for c in head.children if c.dep_ == "cc" and c.i < child.i)
    kept = sorted((t for t in head.subtree if not t.is_space and not crosses_paragraph(t, cue)
                   and t.i != cue.i and t.i not in cut), key=lambda t: t.i)
    while kept and (kept[0].dep_ in CONTENT_DROP_EDGE or kept[0].is_punct):
        kept = kept[1:]
    while kept and (kept[-1].is_punct or kept[-1].dep_ == "cc"):
        kept = kept[:-1]
    if not kept:
        return None
    return kept[0].idx, kept[-1].idx + len(kept[-1])


def _quoted_as_speech(quotes: list[Quote], lemma: str, content: tuple[int, int]) -> bool:
    """True when an indirect quote with this cue already reports this content."""
    return any(q.kind == "indirect" and q.cue == lemma and q.start < content[1] and content[0] < q.end
               for q in quotes)


def _quote_at(marked: list[Quote], pos: int) -> Quote | None:
    """The quote in quote marks whose content holds offset `pos`."""
    return next((q for q in marked if q.start <= pos < q.end), None)


def _nominal(tok: Any, lex: AttitudeLexicon, entities: EntityIndex,
             marked: list[Quote]) -> _Candidate | None:
    """An attitude noun with a possessor that can hold it ("his decision to step down",
    "their experience"); None otherwise."""
    if tok.lemma_.lower() not in lex.noun_types:
        return None
    holder = next((c for c in tok.children if c.dep_ == "poss"), None)
    if holder is None:
        return None
    quote = _quote_at(marked, tok.idx)
    if not _can_hold(holder, entities, lex, quote):
        return None
    content = None
    for child in tok.children:
        if child.dep_ in ("acl", "ccomp") or (child.dep_ == "prep" and child.lower_ in lex.content_preps):
            head = child if child.dep_ != "prep" else next(
                (o for o in child.children if o.dep_ in ("pobj", "pcomp")), None)
            content = _span(head, tok) if head is not None else None
            if content is not None:
                break
    return _Candidate(tok, holder, content or (tok.idx, tok.idx + len(tok)), quote)


# --- holders ------------------------------------------------------------------------------------


def _holder(cue: Any) -> Any:
    """The token heading the holder mention of attitude verb `cue`, or None."""
    if any(c.dep_ in ("auxpass", "nsubjpass") for c in cue.children):
        # "is feared by investors"; "is expected to" without an agent holds nothing.
        for child in cue.children:
            if child.dep_ == "agent":
                return next((o for o in child.children if o.dep_ == "pobj"), None)
        return None
    if cue.dep_ == "acl":
        if cue.tag_ == "VBN":
            return None  # "a plan intended to cut costs": a passive participle
        if cue.tag_ == "VBG" and not any(c.dep_ == "nsubj" for c in cue.children):
            return cue.head  # "buyers hoping to get one"
    return find_subject(cue)


def _can_hold(tok: Any, entities: EntityIndex, lex: AttitudeLexicon, quote: Quote | None) -> bool:
    """True when subject token `tok` can hold an attitude: a person, group or organisation."""
    lower = tok.lower_
    if lower in lex.not_holders or any(c.dep_ == "det" and c.lower_ == "no" for c in tok.children):
        return False  # "nobody expects", "no official wants": negated existence
    if tok.pos_ == "PRON":
        if lower in FIRST_PERSON:
            return quote is not None and quote.speaker is not None
        return lower in PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS and tok.dep_ != "expl"
    ent = entities.covering(tok.idx, tok.idx + len(tok))
    if ent is not None:
        return ent.kind in HOLDER_ENTITY_KINDS
    if tok.ent_type_:
        return tok.ent_type_ in SPACY_PERSON | SPACY_ACTORS
    if tok.pos_ == "PROPN":
        return False  # an unknown name: as likely a product as a person
    lemma = tok.lemma_.lower()
    roles = role_lexicon()
    return lemma in roles.all or lemma in lex.holder_nouns


def _resolve(candidates: list[_Candidate], quotes: list[Quote], parsed: Any, text: str,
             entities: EntityIndex, resolve_actor: Any) -> dict[int, Speaker | None]:
    """Holders by token index, resolved in text order after replaying the quotes' speakers."""
    resolver = SpeakerResolver(text, entities, resolve_actor)
    anchors: dict[int, tuple[Any, bool]] = {}
    for q in quotes:
        if q.speaker_start is None or q.speaker_end is None:
            continue
        span = parsed.char_span(q.speaker_start, q.speaker_end, alignment_mode="expand")
        if span is not None and len(span):
            anchors.setdefault(span.root.i, (span.root, False))
    for cand in candidates:
        if cand.holder.lower_ not in FIRST_PERSON:
            anchors[cand.holder.i] = (cand.holder, True)
    out: dict[int, Speaker | None] = {}
    for i in sorted(anchors):
        tok, wanted = anchors[i]
        speaker = resolver.resolve(tok)
        if wanted:
            out[i] = speaker
    return out


def _quote_speaker(quote: Quote | None) -> Speaker | None:
    if quote is None or quote.speaker is None:
        return None
    return Speaker(quote.speaker, quote.speaker_named, quote.speaker_start, quote.speaker_end,
                   quote.affiliation, "person" if quote.speaker_named else "unknown")


# --- record -------------------------------------------------------------------------------------


def _record(cand: _Candidate, speaker: Speaker | None, doc: Doc, times: list[Any],
            lex: AttitudeLexicon) -> Attitude:
    cue = cand.cue
    nominal = cue.pos_ == "NOUN"
    lemma = cue.lemma_.lower() if nominal else attitude_lemma(cue, lex) or cue.lemma_.lower()
    holder = cand.holder
    if holder.pos_ == "PRON":
        h_start, h_end = holder.idx, holder.idx + len(holder)
    else:
        h_start, h_end = phrase_span(holder)
        case = [c for c in holder.children if c.dep_ == "case" and c.idx + len(c) == h_end]
        if case:  # "Israel's fear": the holder is "Israel", without the "'s"
            written = doc.text[h_start:h_end]
            h_end = len(doc.text[:case[0].idx].rstrip())
            if speaker is not None and speaker.name == written:
                speaker = replace(speaker, name=doc.text[h_start:h_end])
    date, source = sentence_date(doc, times, [cue.sent], cue.idx, cand.content)
    kind = speaker.kind if speaker is not None else "unknown"
    if speaker is not None and holder.lower_ in THING_PRONOUNS:
        kind = "organisation"
    elif holder.lower_ in FIRST_PERSON:
        kind = "person" if holder.lower_ in FIRST_SINGULAR else "group"
    return Attitude(
        start=cand.content[0],
        end=cand.content[1],
        type=lex.noun_types[lemma] if nominal else lex.types[lemma],
        lemma=lemma,
        cue_start=cue.idx,
        cue_end=cue.idx + len(cue),
        holder=speaker.name if speaker is not None else None,
        holder_start=h_start,
        holder_end=h_end,
        holder_named=bool(speaker and speaker.named),
        holder_kind=kind,
        affiliation=speaker.affiliation if speaker is not None else None,
        negated=any(c.dep_ == "neg" for c in cue.children),
        quoted=cand.quote is not None,
        date=date,
        date_source=source,  # type: ignore[arg-type]
    )
