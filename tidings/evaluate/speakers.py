"""Speaker attribution scores over MEANTIME speech and cognition events.

Gold: speech/cognition event mentions (`GoldDoc.speech`, MEANTIME's SPEECH_COGNITIVE class) and
the entity mentions annotated as their speaker or cognizer (HAS_PARTICIPANT Arg0, see
`tidings.evaluate.meantime`). Predicted: *attributions*, which are quotes (`records.Quote`,
`doc.spans["quotes"]`, refusals included) and attitudes (`records.Attitude`,
`doc.spans["attitudes"]`), each with its content span and its speaker or holder (name and
mention span), mapped to gold coordinates (`attributions`, `doc_attributions`). Both are scored
because the gold class holds both: "said" and "declined to comment" are quotes, "decided",
"love" and "experienced" are attitudes.

A predicted attribution (called a quote below) *touches* a sentence when its content span or its speaker mention span
overlaps that sentence (MEANTIME sentence boundaries). A predicted quote *names* a gold speaker
mention when

- its speaker mention span (`speaker_start`/`speaker_end`) overlaps the gold speaker mention, or
- its `speaker` string names the gold speaker: compared, case-folded and with DBpedia resource
  prefixes dropped and underscores read as spaces, it equals the gold mention's own text, or it
  equals the ENTITY's descriptor or DBpedia name or the words of one are all words of the other (descriptors such as "Mr Justice Anthony Mann" must accept "Anthony
  Mann"; the price is that "Apple" also accepts "Apple Corps").

Scores:

- `speaker_accuracy` = gold speech events with a speaker for which some predicted quote or
  attitude touching the sentence of the event's cue names one of its speakers / gold speech
  events with a speaker.
- `precision` = predicted quotes and attitudes that name a speaker of a gold speech event in a sentence they
  touch / predicted quotes that are *judgeable*: quotes starting in the annotated region,
  except those whose sentences hold only speech events without an annotated speaker (the gold
  cannot say whether their speaker is right). A quote in a sentence with no gold speech event
  at all is judgeable and counts as wrong. `quote_precision` and `attitude_precision` are the
  same ratio over the quotes alone and over the attitudes alone.
- `speech_speaker_accuracy` = `speaker_accuracy` restricted to *communication* events: gold
  speech events with a speaker whose cue contains a word that is a form of a verb in
  `tidings/data/communication_verbs.txt` (a fixed list taken from VerbNet's "Verbs of
  Communication" and FrameNet's Statement frame, independent of the extractor's cue lexicon).
  MEANTIME's SPEECH_COGNITIVE class also holds cognition ("decided", "believes", "love"); this
  score shows how well the speakers of things *said* are found, so only quotes count as
  finding them (attitudes do not). Cue words are matched by form, without part of speech, so a
  noun spelled like a listed verb ("claims", "reports") counts.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal, Protocol

from tidings.evaluate.meantime import GoldDoc, GoldMention, GoldSpeech
from tidings.evaluate.spans import overlap

DBPEDIA_PREFIXES = ("http://dbpedia.org/resource/", "https://dbpedia.org/resource/", "dbpedia:")
"""Prefixes stripped from DBpedia references before comparing names."""

_WORD = re.compile(r"\w+")
COMMUNICATION_VERBS_FILE = "communication_verbs.txt"
"""The fixed list of communication verbs behind `speech_speaker_accuracy` (in tidings/data/)."""


class QuoteLike(Protocol):
    """A predicted quote in gold coordinates (e.g. `records.Quote`)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def speaker(self) -> str | None: ...

    @property
    def speaker_start(self) -> int | None: ...

    @property
    def speaker_end(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Attributed:
    """A predicted quote or attitude as the speaker scores see it."""

    start: int
    """Start of the content (what was said, or what the attitude is about)."""
    end: int
    """End of the content."""
    speaker: str | None
    """The quote's speaker or the attitude's holder (canonical name or description)."""
    speaker_start: int | None
    """Start of the speaker or holder mention."""
    speaker_end: int | None
    """End of that mention."""
    source: Literal["quote", "attitude"] = "quote"
    """Which extractor predicted it."""


def attributions(quotes: Iterable[Any], attitudes: Iterable[Any] = ()) -> list[Attributed]:
    """Quotes (`records.Quote`) and attitudes (`records.Attitude`) as `Attributed` records, in
    the coordinates they come in."""
    out = [Attributed(q.start, q.end, q.speaker, q.speaker_start, q.speaker_end, "quote")
           for q in quotes]
    out += [Attributed(a.start, a.end, a.holder, a.holder_start, a.holder_end, "attitude")
            for a in attitudes]
    return out


def doc_attributions(doc: Any) -> list[Attributed]:
    """The quotes and attitudes of a processed Doc in raw (gold) coordinates."""
    from tidings.evaluate.align import to_raw

    found = attributions(doc.spans.get("quotes", []), doc.spans.get("attitudes", []))
    return to_raw(doc, found)


@dataclass(frozen=True, slots=True)
class SpeakerCounts:
    """Counts behind the speaker scores; add them over documents."""

    gold: int = 0
    """Gold speech events that have a speaker."""
    gold_correct: int = 0
    """Of those, events whose speaker a predicted quote names."""
    pred: int = 0
    """Judgeable predicted quotes."""
    pred_correct: int = 0
    """Of those, quotes that name a gold speaker of an event in their sentence(s)."""
    speech_gold: int = 0
    """Gold speech events with a speaker whose cue is a communication verb."""
    speech_gold_correct: int = 0
    """Of those, events whose speaker a predicted quote names."""
    attitude_pred: int = 0
    """Judgeable predictions that are attitudes (the rest of `pred` are quotes)."""
    attitude_pred_correct: int = 0
    """Of those, attitudes whose holder is a gold speaker of an event in their sentence(s)."""

    def __add__(self, other: SpeakerCounts) -> SpeakerCounts:
        return SpeakerCounts(
            self.gold + other.gold,
            self.gold_correct + other.gold_correct,
            self.pred + other.pred,
            self.pred_correct + other.pred_correct,
            self.speech_gold + other.speech_gold,
            self.speech_gold_correct + other.speech_gold_correct,
            self.attitude_pred + other.attitude_pred,
            self.attitude_pred_correct + other.attitude_pred_correct,
        )

    @property
    def accuracy(self) -> float:
        """gold_correct / gold; 0.0 without gold."""
        return self.gold_correct / self.gold if self.gold else 0.0

    @property
    def precision(self) -> float:
        """pred_correct / pred; 0.0 without predictions."""
        return self.pred_correct / self.pred if self.pred else 0.0

    @property
    def quote_precision(self) -> float:
        """Precision over the quotes alone; 0.0 without quotes."""
        n = self.pred - self.attitude_pred
        return (self.pred_correct - self.attitude_pred_correct) / n if n else 0.0

    @property
    def attitude_precision(self) -> float:
        """Precision over the attitudes alone; 0.0 without attitudes."""
        return self.attitude_pred_correct / self.attitude_pred if self.attitude_pred else 0.0

    @property
    def speech_accuracy(self) -> float:
        """speech_gold_correct / speech_gold (communication-verb events only); 0.0 without."""
        return self.speech_gold_correct / self.speech_gold if self.speech_gold else 0.0

    def describe(self) -> str:
        """Short human-readable counts, for report details."""
        quotes = self.pred - self.attitude_pred
        quotes_ok = self.pred_correct - self.attitude_pred_correct
        return (f"events {self.gold_correct}/{self.gold} with speaker found; "
                f"predictions {self.pred_correct}/{self.pred} right (quotes {quotes_ok}/{quotes}, "
                f"attitudes {self.attitude_pred_correct}/{self.attitude_pred})")

    def describe_speech(self) -> str:
        """Counts behind `speech_accuracy`, for report details."""
        return (f"communication-verb events {self.speech_gold_correct}/{self.speech_gold} with "
                f"speaker found (of {self.gold} events with a speaker)")


def verb_forms(lemma: str) -> set[str]:
    """The lemma and its regular English inflections: -s/-es/-ies, -d/-ed/-ied, -ing (a final
    silent e dropped, -ie as -ying). Irregular and doubled-consonant forms are not produced."""
    forms = {lemma}
    consonant_y = lemma.endswith("y") and lemma[-2:-1] not in tuple("aeiou")
    if consonant_y:
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    elif lemma.endswith(("s", "sh", "ch", "x", "z", "o")):
        forms |= {lemma + "es", lemma + "ed"}
    else:
        forms |= {lemma + "s", lemma + ("d" if lemma.endswith("e") else "ed")}
    if lemma.endswith("ie"):
        forms.add(lemma[:-2] + "ying")
    elif lemma.endswith("e") and not lemma.endswith(("ee", "ye", "oe")):
        forms.add(lemma[:-1] + "ing")
    else:
        forms.add(lemma + "ing")
    return forms


def read_communication_verbs(lines: Iterable[str]) -> frozenset[str]:
    """Word forms of the verbs in a communication-verbs file (format: see the file's header)."""
    forms: set[str] = set()
    for raw in lines:
        line = raw.strip().lower()
        if not line or line.startswith("#") or line.startswith("["):
            continue
        lemma, *extra = line.split()
        forms |= verb_forms(lemma) | set(extra)
    return frozenset(forms)


@functools.lru_cache(maxsize=1)
def communication_forms() -> frozenset[str]:
    """Word forms of the shipped communication verbs (`tidings/data/communication_verbs.txt`)."""
    path = resources.files("tidings") / "data" / COMMUNICATION_VERBS_FILE
    return read_communication_verbs(path.read_text(encoding="utf-8").splitlines())


def is_communication_cue(cue: str, forms: frozenset[str] | None = None) -> bool:
    """True when a word of the cue text is a form of a communication verb."""
    known = communication_forms() if forms is None else forms
    return any(word in known for word in _WORD.findall(cue.lower()))


def normalise_name(name: str | None) -> str:
    """A name as compared: DBpedia prefix dropped, underscores as spaces, case-folded, trimmed."""
    value = (name or "").strip()
    for prefix in DBPEDIA_PREFIXES:
        if value.lower().startswith(prefix):
            value = value[len(prefix):]
    return " ".join(value.replace("_", " ").split()).casefold()


def names_speaker(gold: GoldDoc, quote: QuoteLike, mention: GoldMention) -> bool:
    """True when the quote's speaker is this gold speaker mention (by span or by name)."""
    s, e = quote.speaker_start, quote.speaker_end
    if s is not None and e is not None and overlap((s, e), (mention.start, mention.end)) > 0:
        return True
    name = normalise_name(quote.speaker)
    if not name:
        return False
    if name == normalise_name(gold.text[mention.start:mention.end]):
        return True
    entity_names = (normalise_name(mention.attrs.get("entity")), normalise_name(mention.attrs.get("dbpedia")))
    return any(same_name(name, g) for g in entity_names if g)


def same_name(a: str, b: str) -> bool:
    """True when two normalised names are equal or the words of one are all words of the other.

    MEANTIME entity names are annotators' descriptors ("Mr Justice Anthony Mann", "APPLE"),
    not canonical names, so "Anthony Mann" or "Apple Inc." must still count.
    """
    if a == b:
        return True
    wa, wb = set(_WORD.findall(a)), set(_WORD.findall(b))
    return bool(wa and wb) and (wa <= wb or wb <= wa)


def sentence_index(gold: GoldDoc, offset: int) -> int:
    """Index of the MEANTIME sentence holding `offset` (the previous one inside a gap)."""
    starts = [s for s, _ in gold.sentences]
    return max(bisect.bisect_right(starts, offset) - 1, 0)


def sentences_touched(gold: GoldDoc, quote: QuoteLike) -> set[int]:
    """Sentences that the quote's content or speaker mention overlap."""
    spans = [(quote.start, quote.end)]
    if quote.speaker_start is not None and quote.speaker_end is not None:
        spans.append((quote.speaker_start, quote.speaker_end))
    out: set[int] = set()
    for s, e in spans:
        first = sentence_index(gold, s)
        last = sentence_index(gold, max(e - 1, s))
        out.update(range(first, last + 1))
    return out


def score_speakers_doc(gold: GoldDoc, pred: Sequence[QuoteLike],
                       communication: frozenset[str] | None = None) -> SpeakerCounts:
    """Score one article's predicted quotes and attitudes (already in gold coordinates; plain
    quotes, or `Attributed` records whose `source` says which is which).

    `communication` is the set of communication-verb word forms for `speech_accuracy`
    (default: the shipped list)."""
    by_sentence: dict[int, list[GoldSpeech]] = {}
    for event in gold.speech:
        by_sentence.setdefault(sentence_index(gold, event.cue_start), []).append(event)
    touched = [sentences_touched(gold, q) for q in pred]

    forms = communication_forms() if communication is None else communication
    gold_n = gold_ok = speech_n = speech_ok = 0
    for event in gold.speech:
        if not event.speakers:
            continue
        gold_n += 1
        sentence = sentence_index(gold, event.cue_start)
        naming = [q for q, t in zip(pred, touched)
                  if sentence in t and any(names_speaker(gold, q, m) for m in event.speakers)]
        gold_ok += bool(naming)
        if is_communication_cue(gold.text[event.cue_start:event.cue_end], forms):
            speech_n += 1
            speech_ok += any(_source(q) == "quote" for q in naming)

    lo, hi = gold.annotated
    pred_n = pred_ok = att_n = att_ok = 0
    for quote, sentences in zip(pred, touched):
        if not lo <= quote.start < hi:
            continue
        events = [ev for i in sentences for ev in by_sentence.get(i, [])]
        if events and not any(ev.speakers for ev in events):
            continue  # only speaker-less gold events here: cannot judge
        right = any(names_speaker(gold, quote, m) for ev in events for m in ev.speakers)
        pred_n += 1
        pred_ok += right
        if _source(quote) == "attitude":
            att_n += 1
            att_ok += right
    return SpeakerCounts(gold_n, gold_ok, pred_n, pred_ok, speech_n, speech_ok, att_n, att_ok)


def _source(pred: QuoteLike) -> str:
    return str(getattr(pred, "source", "quote"))


def score_speakers(items: Sequence[tuple[GoldDoc, Sequence[QuoteLike]]]) -> SpeakerCounts:
    """Summed speaker counts over `(gold, predicted quotes and attitudes)` pairs."""
    total = SpeakerCounts()
    for gold, pred in items:
        total = total + score_speakers_doc(gold, pred)
    return total
