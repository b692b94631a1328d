"""Load the MEANTIME corpus (NewsReader CAT XML) as gold documents with character spans.

MEANTIME gives tokens, not text. We rebuild a readable article from the tokens (so that spaCy
parses it the way it parses news) and keep each token's character offsets, so every gold
markable becomes a `(start, end)` span into `GoldDoc.text`.

Text layout: the title (sentence 0) and the date line (sentence 1) are each followed by a blank
line; the body sentences follow, separated by single spaces (MEANTIME has no paragraph
information). Tokens of a sentence are joined by single spaces except where English writing
has none (before `, . ; : ! ? ) 's n't`, after `( $`, inside quote pairs, around `/`).
PTB quote tokens (`` and '') are written as straight double quotes.

Speech events and their speakers: a speech event is an EVENT_MENTION whose EVENT (reached by
REFERS_TO) has class SPEECH_COGNITIVE. Its speaker is the ENTITY_MENTION linked from the event
mention by a HAS_PARTICIPANT relation with `sem_role="Arg0"` (PropBank: the sayer / the
cognizer). In the Apple portion 37 of 64 speech events have such an Arg0; SLINKs link a speech
event to its *content* event, not to a person, so they are not used for speakers.
"""

from __future__ import annotations

import datetime as dt
import logging
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

SPEECH_CLASS = "SPEECH_COGNITIVE"
"""MEANTIME EVENT class that marks speech and cognition events."""
ANNOTATED_SENTENCES = 6
"""How many leading sentences MEANTIME annotates (title, date line, 4 body sentences): the
guidelines restrict annotation to the start of each article, and across the Apple portion no
markable lies past sentence index 5. Scorers count predictions only inside this region."""
SPEAKER_ROLE = "Arg0"
"""HAS_PARTICIPANT sem_role that links a speech event mention to its speaker mention."""

# Token forms rewritten in the text (PTB quote tokens to plain quotes).
_TOKEN_FORMS = {"``": '"', "''": '"'}
# No space before these tokens.
_ATTACH_LEFT = {",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "”", "...", "’"}
# No space after these tokens.
_ATTACH_RIGHT = {"(", "[", "{", "$", "£", "€", "#", "“"}
# Clitics written without a space before them ('s, n't, 're ...).
_CLITICS = {"'s", "'S", "n't", "N'T", "'re", "'ve", "'ll", "'d", "'m", "’s", "’re", "’ve", "’ll", "’d", "’m"}
# Tokens glued on both sides.
_GLUE = {"/"}
# After a right single quote these tokens are a clitic ("Apple ’ s" -> "Apple’s").
_APOS_TAILS = {"s", "re", "ve", "ll", "d", "m", "t"}


@dataclass(frozen=True, slots=True)
class GoldMention:
    """One gold markable as a character span into `GoldDoc.text`."""

    start: int
    """Start of the first token of the markable in `GoldDoc.text`."""
    end: int
    """End of the last token of the markable (discontinuous markables span their gap too)."""
    label: str
    """TIMEX3 type for timexes (DATE, TIME, DURATION, SET); entity type for entity mentions
    (PER, ORG, LOC, PRO, FIN, MIX; "" when the mention refers to no ENTITY)."""
    attrs: dict[str, str] = field(default_factory=dict, hash=False)
    """The markable's XML attributes (value, functionInDocument, syntactic_type, m_id ...);
    for entity mentions also `entity` (the ENTITY's TAG_DESCRIPTOR) and `dbpedia` (its
    external_ref) when present."""


@dataclass(frozen=True, slots=True)
class GoldSpeech:
    """A speech or cognition event mention and the mention(s) annotated as its speaker."""

    cue_start: int
    """Start of the event mention (the reporting word, e.g. "said") in `GoldDoc.text`."""
    cue_end: int
    """End of the event mention."""
    speakers: tuple[GoldMention, ...]
    """Entity mentions linked as Arg0 (the speaker); empty when none is annotated."""


@dataclass(frozen=True, slots=True)
class GoldDoc:
    """One MEANTIME article with its gold annotation as spans into `text`."""

    doc_id: str
    """MEANTIME document name (file stem, e.g. "58383_Cisco_sues_Apple")."""
    text: str
    """The article rebuilt from its tokens (title, blank line, date line, blank line, body)."""
    published: dt.date
    """The article date: the value of the CREATION_TIME timex."""
    timexes: tuple[GoldMention, ...]
    """All TIMEX3 markables with tokens, including the CREATION_TIME one (see `attrs`)."""
    entities: tuple[GoldMention, ...]
    """All ENTITY_MENTION markables, labelled with the type of the ENTITY they refer to."""
    speech: tuple[GoldSpeech, ...]
    """All speech/cognition event mentions, with their speakers where annotated."""
    sentences: tuple[tuple[int, int], ...] = ()
    """Character span of each MEANTIME sentence in `text`, in order."""
    url: str = ""
    """The Wikinews url from the root element."""
    annotated_end: int = -1
    """End of the annotated region in `text`: MEANTIME annotates only the title, the date line
    and the first body sentences (see `ANNOTATED_SENTENCES`); scorers ignore predictions past
    this offset. -1 means the whole text."""

    @property
    def annotated(self) -> tuple[int, int]:
        """`(start, end)` of the annotated region of `text`."""
        return 0, len(self.text) if self.annotated_end < 0 else self.annotated_end


def detokenize(tokens: Sequence[tuple[str, int]]) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    """Join `(token, sentence)` pairs into readable text.

    Returns the text, each token's `(start, end)` in it, and each sentence's `(start, end)`
    (sentences numbered from 0 in order of appearance).
    """
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    sentences: list[tuple[int, int]] = []
    pos = 0
    prev_sentence: int | None = None
    sentences_start = 0
    prev_form = ""
    glue_next = True  # no space before the very first token
    double_open = False
    single_open = False
    for i, (token, sentence) in enumerate(tokens):
        form = _TOKEN_FORMS.get(token, token)
        nxt = tokens[i + 1][0] if i + 1 < len(tokens) else ""
        if sentence != prev_sentence:
            if prev_sentence is not None:
                sentences.append((sentences_start, pos))
                sep = "\n\n" if len(sentences) <= 2 else " "
                parts.append(sep)
                pos += len(sep)
                glue_next = True
            sentences_start = pos
            prev_sentence = sentence
            prev_form = ""
        # Decide whether this token attaches to the one before it, and the one after to it.
        attach_left = False
        attach_right = False
        if token in ("``", "“"):
            double_open, attach_right = True, True
        elif token in ("''", "”"):
            double_open, attach_left = False, True
        elif token == '"':
            last_in_sentence = i + 1 == len(tokens) or tokens[i + 1][1] != sentence
            first_in_sentence = prev_form == ""
            if last_in_sentence and not first_in_sentence:
                double_open, attach_left = False, True
            elif first_in_sentence:
                double_open, attach_right = True, True
            elif double_open:
                double_open, attach_left = False, True
            else:
                double_open, attach_right = True, True
        elif token == "`":
            single_open, attach_right = True, True
        elif token.startswith("'") and prev_form == "O":
            attach_left = True  # "O 'Reilly" -> "O'Reilly"
        elif token.startswith("'") and token[1:].isalpha() and token not in _CLITICS:
            single_open = True  # a quote glued to its first word: "'switch"
        elif token == "'" and nxt in _APOS_TAILS and prev_form[-1:].isalpha():
            attach_left = attach_right = True  # split contraction: "we ' re" -> "we're"
        elif token == "'":
            if single_open:
                single_open, attach_left = False, True
            elif prev_form[-1:] in ("s", "S"):
                attach_left = True  # plural possessive: "Jobs' health"
            else:
                single_open, attach_right = True, True
        elif token == "’":
            attach_left = True
            attach_right = nxt in _APOS_TAILS
        elif token in _CLITICS:
            attach_left = True
        elif token in _GLUE:
            attach_left = attach_right = True
        else:
            attach_left = token in _ATTACH_LEFT
            attach_right = token in _ATTACH_RIGHT
        if not (glue_next or attach_left):
            parts.append(" ")
            pos += 1
        parts.append(form)
        offsets.append((pos, pos + len(form)))
        pos += len(form)
        glue_next = attach_right
        prev_form = form
    if prev_sentence is not None:
        sentences.append((sentences_start, pos))
    return "".join(parts), offsets, sentences


def token_form(token: str) -> str:
    """How a MEANTIME token is written in `GoldDoc.text` (PTB quotes become plain quotes)."""
    return _TOKEN_FORMS.get(token, token)


def load_meantime_doc(path: Path) -> GoldDoc:
    """Read one CAT XML file into a GoldDoc."""
    root = ET.parse(path).getroot()
    token_els = root.findall("token")
    tokens = [(t.text or "", int(t.get("sentence", "0"))) for t in token_els]
    text, offsets, sentences = detokenize(tokens)
    span_of = {t.get("t_id", ""): offsets[i] for i, t in enumerate(token_els)}

    markables_el = root.find("Markables")
    markables = {m.get("m_id", ""): m for m in (markables_el if markables_el is not None else [])}
    relations = root.find("Relations")
    refers: dict[str, str] = {}
    participants: dict[str, list[tuple[str, str]]] = {}
    if relations is not None:
        for rel in relations.findall("REFERS_TO"):
            target = rel.find("target")
            if target is None:
                continue
            for src in rel.findall("source"):
                refers[src.get("m_id", "")] = target.get("m_id", "")
        for rel in relations.findall("HAS_PARTICIPANT"):
            source, goal = rel.find("source"), rel.find("target")
            if source is not None and goal is not None:
                participants.setdefault(source.get("m_id", ""), []).append(
                    (rel.get("sem_role", ""), goal.get("m_id", ""))
                )

    def span(el: ET.Element) -> tuple[int, int] | None:
        anchors = [span_of[a.get("t_id", "")] for a in el.findall("token_anchor")
                   if a.get("t_id", "") in span_of]
        if not anchors:
            return None
        return min(a[0] for a in anchors), max(a[1] for a in anchors)

    def entity_mention(m_id: str) -> GoldMention | None:
        el = markables.get(m_id)
        if el is None or el.tag != "ENTITY_MENTION":
            return None
        sp = span(el)
        if sp is None:
            return None
        attrs = dict(el.attrib)
        entity = markables.get(refers.get(m_id, ""))
        label = ""
        if entity is not None and entity.tag == "ENTITY":
            label = entity.get("ent_type", "")
            attrs["entity"] = entity.get("TAG_DESCRIPTOR", "")
            if entity.get("external_ref"):
                attrs["dbpedia"] = entity.get("external_ref", "")
        return GoldMention(sp[0], sp[1], label, attrs)

    timexes: list[GoldMention] = []
    entities: list[GoldMention] = []
    speech: list[GoldSpeech] = []
    published: dt.date | None = None
    for m_id, el in markables.items():
        if el.tag == "TIMEX3":
            if el.get("functionInDocument") == "CREATION_TIME" and published is None:
                published = _parse_date(el.get("value", ""))
            sp = span(el)
            if sp is not None:
                timexes.append(GoldMention(sp[0], sp[1], el.get("type", ""), dict(el.attrib)))
        elif el.tag == "ENTITY_MENTION":
            mention = entity_mention(m_id)
            if mention is not None:
                entities.append(mention)
        elif el.tag == "EVENT_MENTION":
            event = markables.get(refers.get(m_id, ""))
            if event is None or event.get("class") != SPEECH_CLASS:
                continue
            sp = span(el)
            if sp is None:
                continue
            speakers = [entity_mention(t) for role, t in participants.get(m_id, []) if role == SPEAKER_ROLE]
            speech.append(GoldSpeech(sp[0], sp[1], tuple(s for s in speakers if s is not None)))
    if published is None:
        raise ValueError(f"{path}: no CREATION_TIME timex with a date value")
    order = lambda m: (m.start, m.end)  # noqa: E731
    return GoldDoc(
        doc_id=root.get("doc_name") or path.stem,
        text=text,
        published=published,
        timexes=tuple(sorted(timexes, key=order)),
        entities=tuple(sorted(entities, key=order)),
        speech=tuple(sorted(speech, key=lambda s: (s.cue_start, s.cue_end))),
        sentences=tuple(sentences),
        url=root.get("url", ""),
        annotated_end=sentences[min(ANNOTATED_SENTENCES, len(sentences)) - 1][1],
    )


def load_meantime(root: Path) -> list[GoldDoc]:
    """Load every MEANTIME document under `root`, sorted by document id.

    `root` may be the corpus directory (`.../meantime-en`), which selects
    `intra-doc_annotation/*/*.xml`, or any directory holding CAT XML files.
    """
    root = Path(root)
    intra = root / "intra-doc_annotation"
    files = sorted(intra.glob("*/*.xml")) if intra.is_dir() else sorted(root.rglob("*.xml"))
    docs = [load_meantime_doc(f) for f in files]
    log.debug("loaded %d MEANTIME documents from %s", len(docs), root)
    return sorted(docs, key=lambda d: d.doc_id)


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
