"""Per-article story features: who, where, about what, with which words, and when.

`find_story_features(doc)` reads a processed Doc (entities, places, and, when present,
negotiation issues and events) and returns one frozen `StoryFeatures` record; the story index
(tidings/corpus/stories.py) compares those records and never needs the Doc again. The record
round-trips through JSON (`features_to_json` / `features_from_json`) so the store can keep it
and an index can be rebuilt without re-processing articles.

What each part holds and why:

- actors: canonical actor names weighted by how specific their kind is (a named person or
  armed group ties two articles together far more than a country does) and, sub-linearly, by
  how often the article mentions them. A country and its government are one actor. Outlets
  (kind media) are left out: an outlet cited by two articles says nothing about their story.
  Actor names that are also place names in the same article are left to `places` (the entity
  resolver sometimes reads a town as a person).
- places: gazetteer place names below country level (a city, a crossing, a corridor);
  countries are already actors.
- issues: event types and negotiation issues ("type:protest", "issue:prisoner lists") from
  the events group (and issues/negotiation groups, if an extractor adds them).
- terms: a vocabulary vector over the title (counted TITLE_WEIGHT times) and the text:
  lower-cased, crudely stemmed (plural, -ing, -ed), capitalised words inside a sentence counted
  NAME_WEIGHT times (names the extractors missed), the words of
  tidings/data/story_stopwords.txt and a dateline's agency ("(World Desk Wire)") dropped, each
  word's count damped to 1 + log(count), the MAX_TERMS heaviest kept, hashed into a fixed space
  (the hashing trick: no vocabulary to keep, a word always lands in the same bucket) and
  L2-normalised. There is deliberately no corpus IDF: it would change as articles arrive and
  make grouping depend on arrival order; the stopword list plays its part.
- keywords: the article's heaviest words that it also writes in lower case, for story labels.
- published / precision: the publication date and how much of it is known.

Similarity is cosine per part; `similarity()` combines the parts with the weights the story
index passes in. Everything here is deterministic and symmetric.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import operator
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from tidings.doc import Doc
from tidings.records import Precision, to_dict

log = logging.getLogger(__name__)

FEATURES_VERSION = 1
"""Bump when the features change meaning, so stored features are recomputed."""

KIND_WEIGHTS: Mapping[str, float] = {
    "person": 3.0,
    "armed_group": 2.5,
    "party": 2.0,
    "organisation": 2.0,
    "igo": 1.5,
    "other": 1.0,
    "location": 1.0,
    "government": 1.0,
    "country": 1.0,
    "media": 0.0,
}
"""Weight of an actor in the actor vector by kind (unitless, relative). A person or an armed
group is named in few stories, a country in many; media are dropped (weight 0). Set by hand and
checked on tests/fixtures/stories (stories sharing a country must stay apart)."""

PLACE_WEIGHTS: Mapping[str, float] = {
    "country": 0.0,
    "region": 0.5,
}
"""Weight of a place by gazetteer feature (unitless); 1.0 for any feature not listed. Countries
count as actors already; a region is broad. Set by hand alongside KIND_WEIGHTS."""

TITLE_WEIGHT = 2.0
"""Multiplier (unitless) for a word's count in the headline: a headline names the story in few
words. Checked on tests/fixtures/stories."""

NAME_WEIGHT = 2.0
"""Multiplier (unitless) for a capitalised word inside a sentence (not its first word): a cheap
stand-in for names the entity and place extractors miss ("Ashulia", "Yagi", "Sabina"), which tie
reports of one story together. Checked on tests/fixtures/stories (typhoon and garment stories,
whose places the gazetteer mostly misses)."""

MIN_WORD_CHARS = 3
"""Shortest word, in characters, kept in the vocabulary vector (drops initials and "un")."""

TERM_BUCKETS = 1 << 20
"""Size of the hashed vocabulary space. At a few hundred distinct words per article, two words
of one article share a bucket with probability well under 1e-3."""

MAX_TERMS = 80
"""Most weighted words kept per article in the vector (bounds memory and storage: a stored
feature record is a few KB). Short news articles have fewer; long ones lose only rare words."""

MAX_KEYWORDS = 8
"""Surface-form keywords kept per article for story labels."""

STOPWORDS_FILE = "story_stopwords.txt"
"""Data file (in tidings/data/) of words that say nothing about a story."""

_DATELINE_AGENCY = re.compile(r"^[^\W\d_][^\W\d_ .,'-]*(?:[ .,'-]+[^\W\d_]+)*\s*(\([^)\n]{1,60}\))\s*[—–-]")
"""The agency in a dateline ("HANOI (World Desk Wire) —"): its words name the wire, not the
story, so they are not counted."""
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@dataclass(frozen=True, slots=True)
class StoryFeatures:
    """What the story index compares about one article. Weighted parts are sorted by key."""

    published: dt.date | None
    """Publication date (first day of the month or year when less is known); None if unknown."""
    precision: Precision = "unknown"
    """How much of `published` is known: day, month, year or unknown."""
    outlet: str | None = None
    """The publishing outlet, for story outlet counts."""
    actors: tuple[tuple[str, float], ...] = ()
    """(canonical actor name, weight) pairs, sorted by name."""
    persons: tuple[str, ...] = ()
    """The actors that are persons (sorted): story labels prefer groups, states and bodies."""
    places: tuple[tuple[str, float], ...] = ()
    """(canonical place name, weight) pairs for places below country level, sorted by name."""
    issues: tuple[tuple[str, float], ...] = ()
    """(issue or event-type label, weight) pairs, sorted; empty until those extractors run."""
    terms: tuple[tuple[int, float], ...] = ()
    """(hashed word bucket, weight) pairs of the L2-normalised vocabulary vector, sorted by bucket."""
    keywords: tuple[str, ...] = ()
    """The article's most weighted words that it also writes in lower case (not names), in
    their most frequent lower-case form, best first."""
    version: int = FEATURES_VERSION
    """FEATURES_VERSION the record was computed with."""

    def date_range(self) -> tuple[dt.date, dt.date] | None:
        """First and last day the publication date can be; None when it is unknown."""
        return date_range(self.published, self.precision)


def date_range(published: dt.date | None, precision: Precision) -> tuple[dt.date, dt.date] | None:
    """The days a publication date of this precision covers: one day, a month or a year."""
    if published is None or precision == "unknown":
        return None
    if precision == "day":
        return published, published
    if precision == "month":
        first = published.replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        return first, following - dt.timedelta(days=1)
    return published.replace(month=1, day=1), published.replace(month=12, day=31)


# --- building -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def load_stopwords() -> frozenset[str]:
    """The words of tidings/data/story_stopwords.txt (lower case, as listed)."""
    text = resources.files("tidings.data").joinpath(STOPWORDS_FILE).read_text(encoding="utf-8")
    words: set[str] = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        words.update(w.lower() for w in line.split())
    return frozenset(words)


WORD_CACHE_SIZE = 65536
"""Distinct words (and names) whose normalised (folded) form is memoised, per function: news
vocabulary repeats, and every article's words and every incident report's sentence are
normalised again. Changes speed only; a few MB at most."""


@lru_cache(maxsize=WORD_CACHE_SIZE)
def normalise_word(word: str) -> str:
    """Lower-case a word and strip a possessive and common inflections, so that "strikes",
    "striking" and "strike", or "blocked" and "block", meet in one form. A crude suffix
    stripper (no dictionary): the form is only hashed and compared, never shown."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith(("ies", "ied")):
        w = w[:-3] + "y"
    elif len(w) > 5 and w.endswith("ing"):
        w = _undouble(w[:-3])
    elif len(w) > 4 and w.endswith("eed"):
        w = w[:-1]
    elif len(w) > 4 and w.endswith("ed"):
        w = _undouble(w[:-2])
    elif len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes", "zes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return w


def _undouble(stem: str) -> str:
    # "cutting" -> "cutt" -> "cut"; "killing" keeps its "ll" (as in "kill").
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
        return stem[:-1]
    return stem


def term_bucket(word: str) -> int:
    """Stable bucket of a normalised word in [0, TERM_BUCKETS) (not Python's salted hash)."""
    digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % TERM_BUCKETS


def count_words(text: str, stopwords: frozenset[str]) -> tuple[dict[str, float], dict[str, Counter[str]]]:
    """Weighted counts of normalised content words in `text` (a capitalised word inside a
    sentence counts NAME_WEIGHT times), and the surface forms (as written) seen for each."""
    counts: dict[str, float] = defaultdict(float)
    surfaces: dict[str, Counter[str]] = {}
    for match in _WORD.finditer(text):
        surface = match.group()
        word = normalise_word(surface)
        if len(word) < MIN_WORD_CHARS or word in stopwords or surface.lower() in stopwords:
            continue
        is_name = surface[0].isupper() and not _starts_sentence(text, match.start())
        counts[word] += NAME_WEIGHT if is_name else 1.0
        surfaces.setdefault(word, Counter())[surface] += 1
    return counts, surfaces


def _starts_sentence(text: str, start: int) -> bool:
    # The word opens a sentence when only quotes, brackets or spaces separate it from the start
    # of the text, a paragraph break or a sentence-final mark.
    i = start - 1
    while i >= 0 and text[i] in " \t\"'“‘([":
        i -= 1
    return i < 0 or text[i] in ".!?\n—–-:"


def find_actor_weights(doc: Doc, place_names: Iterable[str] = ()) -> dict[str, float]:
    """Actor name -> weight for the entities of `doc` (see the module docstring)."""
    places = {fold_name(p) for p in place_names}
    counts: Counter[str] = Counter()
    kind_weight: dict[str, float] = {}
    for entity in doc.spans.get("entities", []):
        weight = KIND_WEIGHTS.get(entity.kind, 1.0)
        name = entity.canonical.strip()
        if weight <= 0 or not name:
            continue
        if entity.kind not in ("country", "government") and fold_name(name) in places:
            continue  # a place read as an actor ("Durban" as a person): the place counts
        counts[name] += 1
        kind_weight[name] = max(kind_weight.get(name, 0.0), weight)
    return {name: kind_weight[name] * (1.0 + math.log(n)) for name, n in counts.items()}


@lru_cache(maxsize=WORD_CACHE_SIZE)
def fold_name(name: str) -> str:
    """A name lower-cased and without accents ("Cẩm Phả" -> "cam pha"), for comparing names."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower().strip()


def find_place_weights(doc: Doc) -> dict[str, float]:
    """Place name -> weight for the places of `doc` below country level."""
    counts: Counter[str] = Counter()
    feature_weight: dict[str, float] = {}
    for place in doc.spans.get("places", []):
        weight = PLACE_WEIGHTS.get(place.feature, 1.0)
        if weight <= 0:
            continue
        counts[place.name] += 1
        feature_weight[place.name] = max(feature_weight.get(place.name, 0.0), weight)
    return {name: feature_weight[name] * (1.0 + math.log(n)) for name, n in counts.items()}


ISSUE_FIELDS: Mapping[str, tuple[str, ...]] = {
    "events": ("type", "issue"),
    "issues": ("issue", "canonical", "name"),
    "negotiation": ("issue", "canonical", "name"),
}
"""Span groups that say what an article is about -> the record attributes that hold a label
(event type "PROTEST", negotiation issue "prisoner release"). Groups not extracted are skipped."""


def find_issue_weights(doc: Doc) -> dict[str, float]:
    """"attribute:label" -> weight (1 + log count) over the groups of ISSUE_FIELDS."""
    counts: Counter[str] = Counter()
    for group, attrs in ISSUE_FIELDS.items():
        for record in doc.spans.get(group, []):
            for attr in attrs:
                value = getattr(record, attr, None)
                if isinstance(value, str) and value.strip():
                    counts[f"{attr}:{value.strip().lower()}"] += 1
    return {label: 1.0 + math.log(n) for label, n in counts.items()}


def find_story_features(doc: Doc) -> StoryFeatures:
    """The story features of a processed Doc (entities and places extracted).

    Works on a Doc rebuilt from JSON as well as a freshly processed one: it reads only
    `text`, `title`, `published`, `published_precision`, `outlet` and the span groups.
    """
    stopwords = load_stopwords()
    place_weights = find_place_weights(doc)
    place_names = {p.name for p in doc.spans.get("places", [])}
    place_names |= {doc.span_text(p) for p in doc.spans.get("places", [])}
    actor_weights = find_actor_weights(doc, place_names)
    text = doc.text
    dateline = _DATELINE_AGENCY.match(text)
    if dateline:
        start, end = dateline.span(1)
        text = text[:start] + " " * (end - start) + text[end:]
    counts, surfaces = count_words(text, stopwords)
    if doc.title and not doc.text.startswith(doc.title.strip()):
        title_counts, title_surfaces = count_words(doc.title, stopwords)
        for word, n in title_counts.items():
            counts[word] += TITLE_WEIGHT * n
            surfaces.setdefault(word, Counter()).update(title_surfaces[word])
    weighted = {w: 1.0 + math.log(n) for w, n in counts.items()}
    top = sorted(weighted.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS]
    buckets: dict[int, float] = {}
    for word, weight in top:
        bucket = term_bucket(word)
        buckets[bucket] = buckets.get(bucket, 0.0) + weight
    norm = math.sqrt(sum(v * v for v in buckets.values())) or 1.0
    name_words = {normalise_word(w) for name in (*actor_weights, *place_names)
                  for w in _WORD.findall(name)}
    keywords = tuple(k for k in (_keyword(surfaces[w]) for w, _ in top if w not in name_words)
                     if k)[:MAX_KEYWORDS]
    return StoryFeatures(
        published=doc.published,
        precision=doc.published_precision if doc.published else "unknown",
        outlet=doc.outlet,
        actors=_sorted_pairs(actor_weights),
        persons=tuple(sorted({e.canonical.strip() for e in doc.spans.get("entities", [])
                              if e.kind == "person"} & set(actor_weights))),
        places=_sorted_pairs(place_weights),
        issues=_sorted_pairs(find_issue_weights(doc)),
        terms=tuple(sorted((b, round(v / norm, 6)) for b, v in buckets.items())),
        keywords=keywords,
    )


def _keyword(forms: Counter[str]) -> str | None:
    # A keyword is a word the text also writes in lower case: "talks", "strike"; not a name
    # ("Cairo") nor a demonym ("Egyptian"), which the actors and places already show.
    lower = [(n, f) for f, n in forms.items() if f.islower()]
    return max(lower)[1] if lower else None


def _sorted_pairs(weights: Mapping[Any, float]) -> tuple[tuple[Any, float], ...]:
    return tuple(sorted((k, round(v, 6)) for k, v in weights.items()))


# --- comparing ----------------------------------------------------------------------------


def cosine(a: Iterable[tuple[Any, float]], b: Iterable[tuple[Any, float]]) -> float:
    """Cosine similarity of two sparse weighted vectors given as (key, weight) pairs."""
    da, db = dict(a), dict(b)
    if not da or not db:
        return 0.0
    if len(db) < len(da):
        da, db = db, da
    dot = sum(w * db[k] for k, w in da.items() if k in db)
    if dot == 0.0:
        return 0.0
    na = math.sqrt(sum(w * w for w in da.values()))
    nb = math.sqrt(sum(w * w for w in db.values()))
    return min(dot / (na * nb), 1.0)


PARTS = ("actors", "places", "issues", "terms")
"""The weighted parts of StoryFeatures that `similarity` compares."""


class Vectors:
    """The parts of one article's features as dicts with their norms, ready to compare many
    times (the story index keeps one per indexed article)."""

    __slots__ = ("parts", "norms", "ordered")

    def __init__(self, features: StoryFeatures) -> None:
        self.parts: dict[str, dict[Any, float]] = {}
        self.norms: dict[str, float] = {}
        self.ordered = True
        """Every part's keys are in sorted order (as StoryFeatures keeps them): a dot product
        can then visit the shared keys in sorted order and add the same terms in the same
        order as a walk over either vector."""
        for part in PARTS:
            pairs = getattr(features, part)
            if pairs:
                vector = dict(pairs)
                norm = math.sqrt(sum(w * w for w in vector.values()))
                if norm > 0:
                    self.parts[part] = vector
                    self.norms[part] = norm
                    if self.ordered:
                        keys = list(vector)
                        try:
                            self.ordered = keys == sorted(keys)
                        except TypeError:
                            self.ordered = False


def similarity_of(a: Vectors, b: Vectors, weights: Mapping[str, float]) -> float:
    """`similarity` of two prepared articles."""
    total = 0.0
    weight_sum = 0.0
    ordered = a.ordered and b.ordered
    for part in PARTS:
        weight = weights.get(part, 0.0)
        va, vb = a.parts.get(part), b.parts.get(part)
        if weight <= 0 or (va is None and vb is None):
            continue
        weight_sum += weight
        if va is None or vb is None:
            continue
        if len(vb) < len(va):
            va, vb = vb, va
        if ordered:
            # the shared keys (a C-level set intersection) in the order a walk over `va` meets
            # them, so the sum adds the same products in the same order, bit for bit
            shared = va.keys() & vb.keys()
            if not shared:
                continue
            keys = sorted(shared)
            dot = sum(map(operator.mul, map(va.__getitem__, keys), map(vb.__getitem__, keys)))
        else:
            dot = sum(w * vb[k] for k, w in va.items() if k in vb)
        if dot:
            total += weight * min(dot / (a.norms[part] * b.norms[part]), 1.0)
    return total / weight_sum if weight_sum else 0.0


def similarity(a: StoryFeatures, b: StoryFeatures, weights: Mapping[str, float]) -> float:
    """Weighted mean of the per-part cosines of two articles, in [0, 1]; symmetric.

    A part that both articles lack (no places in either, no issues extracted yet) is left out
    and the other weights are renormalised: absence on both sides is no evidence either way.
    A part only one article has counts as 0.
    """
    return similarity_of(Vectors(a), Vectors(b), weights)


# --- JSON ---------------------------------------------------------------------------------


def features_to_json(features: StoryFeatures) -> dict[str, Any]:
    """A JSON-able dict of the record (for the store's story_features table)."""
    return to_dict(features)


def features_from_json(data: dict[str, Any]) -> StoryFeatures:
    """Rebuild a record from `features_to_json` output. Written out field by field: the story
    archive reloads thousands of these per ingest, and the generic `from_dict` walk over every
    (bucket, weight) pair cost about 0.8 ms each."""
    published = data.get("published")
    return StoryFeatures(
        published=dt.date.fromisoformat(published) if published else None,
        precision=data.get("precision", "unknown"),
        outlet=data.get("outlet"),
        actors=tuple((str(k), float(v)) for k, v in data.get("actors", ())),
        persons=tuple(data.get("persons", ())),
        places=tuple((str(k), float(v)) for k, v in data.get("places", ())),
        issues=tuple((str(k), float(v)) for k, v in data.get("issues", ())),
        terms=tuple((int(k), float(v)) for k, v in data.get("terms", ())),
        keywords=tuple(data.get("keywords", ())),
        version=int(data.get("version", FEATURES_VERSION)),
    )