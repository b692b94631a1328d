"""What a proposed name is when it is not an actor: a product, an event, a currency or a place.

spaCy's small model tags many non-actors ORG or PERSON: product lines ("iPod", "Mac OS X
Lion"), trade shows ("Worldwide Developers Conference"), currency codes ("$99 (USD)"), and
foreign towns ("fighting in Bunia"). The entities stage asks the functions here about each NER
name the actor gazetteer does not know, and keeps those they recognise out of the actor list.

The word lists live in `tidings/data/actors/products.toml` (products, events) and
`tidings/data/actors/context.toml` (`[places]`: place words and locative prepositions).
Every function takes a spaCy `Span` of `doc.parsed` (the name, trimmed) and its NER label.
"""

from __future__ import annotations

import functools
import logging
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tidings.extract.actors import data_dir
from tidings.extract.gazetteer import PlaceGazetteer

log = logging.getLogger(__name__)

PRODUCTS_FILE = "products.toml"
"""The product and event word lists, in `tidings/data/actors/`."""

PLACE_FEATURES = frozenset({"city", "region", "country"})
"""Place gazetteer features that make a name a place when its context is locational: populated
places and administrative regions (not corridors or crossings, which never carry ORG tags)."""

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
"""spaCy labels of places: a gazetteer town coordinated with one is a place too."""

NAME_LABELS_FOR_LEAD = frozenset({"ORG", "PRODUCT", "NORP", "PERSON"})
"""NER labels on which a lead word ("the new X") marks a product. On PERSON tags only right
after "the/its/a new" ("the new Soundbar Max"), never before a noun ("the new Obama team")."""

THING_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "our", "this"})
"""Determiners that, before a lead word and a PERSON-tagged name, show a thing, not a person."""

UNSURE_LABELS = frozenset({"PERSON", "NORP"})
"""NER labels so unlikely on a company that a product noun after the name decides ("the
Safari browser" tagged PERSON); on ORG tags a product noun says nothing ("Toyota cars")."""

_PLURAL = re.compile(r"(?<=[a-z])(?:es|s)$")
_ACRONYM = r"[A-Z][A-Za-z&]*[A-Z][A-Za-z&]*"
_ACRONYM_STOPWORDS = frozenset({"of", "the", "and", "for", "in", "on", "at", "to", "de", "la", "du",
                                "des", "el", "al", "&"})


@dataclass(frozen=True, slots=True)
class NameLexicon:
    """The word lists of products.toml, folded for lookup."""

    names: frozenset[tuple[str, ...]]
    """Product names as folded word tuples (("mac", "os"), ("ipod",))."""
    max_name_words: int
    """Words in the longest product name."""
    word_patterns: tuple[re.Pattern[str], ...]
    """Patterns of a word that alone marks a product ("iName")."""
    model_patterns: tuple[re.Pattern[str], ...]
    """Patterns of a model word that marks a product after a capitalised word ("A380")."""
    not_products: frozenset[str]
    """Folded names that match a pattern but are companies ("irobot")."""
    version_nouns: frozenset[str]
    """Words after a name that make it a product whatever the label ("version")."""
    product_nouns: frozenset[str]
    """Words after or apposed to a PERSON/NORP-tagged name that make it a product."""
    lead_words: frozenset[str]
    """Words before an ORG/PRODUCT-tagged name that make it a product ("new")."""
    product_verbs: frozenset[str]
    """Lemmas of verbs whose object is a product ("unveil")."""
    hyphen_suffixes: frozenset[str]
    """Words after name + hyphen that make it a product ("based" in "Intel-based")."""
    organisation_words: frozenset[str]
    """Words that keep a name an organisation ("inc", "party")."""
    event_heads: frozenset[str]
    """Last words of event names ("conference", "expo")."""


def _fold_words(text: str) -> tuple[str, ...]:
    return tuple(w.lower() for w in re.findall(r"\w+", text))


@functools.lru_cache(maxsize=4)
def load_name_lexicon(path: str | None = None) -> NameLexicon:
    """The lexicon from `path` (default: the shipped products.toml), cached per path."""
    where = Path(path) if path else data_dir() / PRODUCTS_FILE
    with open(where, "rb") as fh:
        data = tomllib.load(fh)
    products, events = data.get("products", {}), data.get("events", {})
    names = frozenset(key for key in (_fold_words(n) for n in products.get("names", [])) if key)

    def words(key: str, table: dict[str, Any] = products) -> frozenset[str]:
        return frozenset(w.lower() for w in table.get(key, []))

    return NameLexicon(
        names=names,
        max_name_words=max((len(k) for k in names), default=1),
        word_patterns=tuple(re.compile(p) for p in products.get("word_patterns", [])),
        model_patterns=tuple(re.compile(p) for p in products.get("model_patterns", [])),
        not_products=words("not_products"),
        version_nouns=words("version_nouns"),
        product_nouns=words("product_nouns"),
        lead_words=words("lead_words"),
        product_verbs=words("product_verbs"),
        hyphen_suffixes=words("hyphen_suffixes"),
        organisation_words=words("organisation_words"),
        event_heads=words("heads", events),
    )


# --- products ----------------------------------------------------------------------------------

def product_cue(span: Any, label: str, lex: NameLexicon) -> str | None:
    """Why the name `span` (tagged `label`) is a product, or None when nothing says so.

    Cues: a listed product name inside the name ("listed"); an "iName" word ("pattern"); a
    brand and a model number in the name ("model": "Airbus A380", "iPhone 4"; a number after
    the name is not enough: "Airbus" + "A380" tagged apart are the maker and its plane); a
    version noun after it ("version"); a product noun after or apposed to a person- or
    nationality-tagged name ("noun"); the object of a product verb ("verb": "Apple unveils
    iPhone"); a lead word before the name ("new"); a hyphen suffix ("hyphen": "Intel-based").
    An organisation word outside the product part keeps the
    name an organisation ("Apple Inc", "the new Labour Party").
    """
    words = [t for t in span if not t.is_punct and not t.is_space]
    if not words:
        return None
    folded = [t.lower_.rstrip(".") for t in words]
    if " ".join(folded) in lex.not_products or "".join(folded) in lex.not_products:
        return None
    covered: set[int] = set()
    cue = _listed_name(words, label, lex, covered)
    if cue is None:
        cue = _pattern_word(words, label, lex, covered)
    if cue is None:
        cue = _context_cue(span, words, label, lex)
    if cue is None and label == "PRODUCT":
        cue = "label"
    if cue is None:
        return None
    if any(f in lex.organisation_words for i, f in enumerate(folded) if i not in covered):
        return None
    return cue


def _singular(word: str) -> str:
    return _PLURAL.sub("", word)


def _listed_name(words: list[Any], label: str, lex: NameLexicon, covered: set[int]) -> str | None:
    folded = [t.lower_ for t in words]
    for i in range(len(words)):
        if not any(c.isupper() for c in words[i].text):
            continue  # "windows" in lowercase is not Windows
        for n in range(min(lex.max_name_words, len(words) - i), 0, -1):
            key = tuple(folded[i:i + n])
            alt = key[:-1] + (_singular(key[-1]),)
            if key not in lex.names and alt not in lex.names:
                continue
            if label == "PERSON" and not (i == 0 and (n > 1 or n == len(words))):
                continue  # "Mac Miller" is a person; "Mac OS X Lion" and "PowerBook" are not
            covered.update(range(i, i + n))
            return "listed"
    return None


def _pattern_word(words: list[Any], label: str, lex: NameLexicon, covered: set[int]) -> str | None:
    for i, t in enumerate(words):
        if label == "PERSON" and len(words) > 1:
            break
        if t.lower_ not in lex.not_products and any(p.fullmatch(t.text) for p in lex.word_patterns):
            covered.add(i)
            return "pattern"
    for i, t in enumerate(words[1:], 1):
        prev = words[i - 1]
        if (label != "PERSON" and prev.text[:1].isupper() and prev.lower_ not in lex.organisation_words
                and any(p.fullmatch(t.text) for p in lex.model_patterns)):
            covered.update((i - 1, i))
            return "model"
    return None


def _context_cue(span: Any, words: list[Any], label: str, lex: NameLexicon) -> str | None:
    doc = span.doc
    after = doc[span.end] if span.end < len(doc) else None
    if after is not None:
        if after.lower_ in lex.version_nouns:
            return "version"
        if after.text in ("-", "\u2010", "\u2011") and span.end + 1 < len(doc):
            if doc[span.end + 1].lower_ in lex.hyphen_suffixes:
                return "hyphen"
        if label in UNSURE_LABELS and after.lower_ in lex.product_nouns:
            return "noun"
    if label in UNSURE_LABELS and _apposed_product_noun(span, lex):
        return "noun"
    root = span.root
    if (label != "PERSON" and root.dep_ in ("dobj", "nsubjpass")
            and root.head.lemma_.lower() in lex.product_verbs):
        return "verb"
    modifier = span.root.dep_ in ("compound", "nmod", "amod") and span.root.head.pos_ == "NOUN"
    acronym = all(t.is_upper or not t.is_alpha for t in words)  # "the new GM" is the company
    if (label in NAME_LABELS_FOR_LEAD and not modifier and not acronym
            and _lead_word_before(doc, span.start, lex)):
        if label != "PERSON" or (span.start >= 2 and doc[span.start - 1].lower_ in lex.lead_words
                                 and doc[span.start - 2].lower_ in THING_DETERMINERS):
            return "new"  # not "a new Apple technology": there "new" is said of the technology
    return None


def _lead_word_before(doc: Any, start: int, lex: NameLexicon) -> bool:
    """A lead word right before the name, or before adjectives in front of it: "the new X",
    "the brand new X", "new, faster X" (but not "this new agreement, X")."""
    i = start - 1
    while (i >= 0 and (doc[i].pos_ in ("ADJ", "ADV") or doc[i].text == ",")
           and doc[i].lower_ not in lex.lead_words):
        if doc[i].text == "," and (i + 1 >= start or doc[i + 1].pos_ != "ADJ"):
            return False  # a comma counts only between two adjectives ("new, faster")
        i -= 1
    return i >= 0 and doc[i].lower_ in lex.lead_words and doc[i].is_lower


def _apposed_product_noun(span: Any, lex: NameLexicon) -> bool:
    """The name stands in apposition to a product noun: "Tiger, the newest version of ..." or
    "the kernel, ... "Darwin"" (noun head checked, not the whole phrase)."""
    root = span.root
    heads = [c for c in root.children if c.dep_ == "appos"]
    if root.dep_ == "appos":
        heads.append(root.head)
    return any(h.lower_ in lex.product_nouns or h.lemma_.lower() in lex.product_nouns
               for h in heads if h.pos_ == "NOUN")


# --- events and currencies ---------------------------------------------------------------------

def is_event_name(span: Any, lex: NameLexicon) -> bool:
    """A name that ends in an event word ("Worldwide Developers Conference", "Paris Air Show")."""
    words = [t for t in span if not t.is_punct and not t.is_space]
    return len(words) > 1 and words[-1].lower_ in lex.event_heads and words[-1].text[:1].isupper()


@functools.lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    """ISO 4217 currency codes ("USD", "EUR"), from pycountry."""
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.currencies)


def is_currency(span: Any) -> bool:
    """A currency code next to an amount ("$99 (USD)", "249 USD", "USD 40 million")."""
    if span.text not in currency_codes():
        return False
    doc = span.doc
    before = next((doc[i] for i in range(span.start - 1, max(-1, span.start - 4), -1)
                   if not doc[i].is_punct), None)
    after = next((doc[i] for i in range(span.end, min(len(doc), span.end + 3))
                  if not doc[i].is_punct), None)
    return any(t is not None and (t.like_num or t.ent_type_ == "MONEY") for t in (before, after))


# --- places ------------------------------------------------------------------------------------

def place_reading(span: Any, label: str, places: Any, prepositions: Iterable[str],
                  person_prepositions: Iterable[str]) -> bool:
    """Whether an ORG/PERSON/PRODUCT-tagged name is a place: the places gazetteer knows it as a
    populated place or region (by its primary name) and the text uses it as one: the object of
    a locative preposition ("fighting in Bunia"; for PERSON tags only the narrower
    `person_prepositions`, since "a letter from Smith" names a person), coordinated with such
    an object or with a tagged place ("in Kherson and Mykolaiv", "reached Goma and Bunia"), or
    followed by a comma and a country or region ("Bunia, Congo").

    `places` is a `tidings.extract.gazetteer.PlaceGazetteer`.
    """
    known = [m for m in places.match(span.text) if not m.alternate and m.entry.feature in PLACE_FEATURES]
    if not known:
        return False
    root = span.root
    preps = set(person_prepositions if label == "PERSON" else prepositions)
    for token in (root, *root.conjuncts):  # "in Kherson and Mykolaiv"
        if token.dep_ == "pobj" and token.head.lower_ in preps:
            return True
        if token is not root and token.ent_type_ in PLACE_LABELS:
            return True  # "Goma and Bunia" with Bunia tagged GPE
    doc = span.doc
    if span.end + 1 < len(doc) and doc[span.end].text == "," and doc[span.end + 1].text[:1].isupper():
        nxt = doc[span.end + 1]
        qualifier = doc[nxt.i:nxt.i + 1]
        if nxt.ent_type_ == "GPE":
            ent = next((e for e in doc.ents if e.start == nxt.i), None)
            qualifier = ent if ent is not None else qualifier
        return any(m.entry.feature in ("country", "region") for m in places.match(qualifier.text))
    return False


# --- one stage's view --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NameTyper:
    """Tells non-actor names apart for the entities stage, and which of them it reports."""

    lexicon: NameLexicon
    """The product and event word lists."""
    places: PlaceGazetteer
    """The places gazetteer (towns and regions)."""
    place_words: dict[str, Any]
    """The `[places]` table of context.toml (locative prepositions)."""
    locations: bool
    """Whether places are reported (as kind "location")."""
    products: bool
    """Whether products are reported (as kind "product")."""

    def non_actor(self, span: Any, label: str) -> tuple[str, str] | None:
        """What a name that is no actor is ("product", "location", "event" or "currency") and
        the cue that says so; None for a name that may be an actor."""
        if is_currency(span):
            return "currency", "code"
        if label in ("ORG", "PERSON", "PRODUCT") and place_reading(
                span, label, self.places, self.place_words.get("locative_prepositions", ()),
                self.place_words.get("person_locative_prepositions", ())):
            return "location", "gazetteer"
        if label != "PERSON" and is_event_name(span, self.lexicon):
            return "event", "head"
        cue = product_cue(span, label, self.lexicon)
        return ("product", cue) if cue is not None else None

    def kind_of(self, what: str) -> tuple[str, bool]:
        """The entity kind for a `non_actor` answer and whether it is reported."""
        kind = {"product": "product", "location": "location"}.get(what, "other")
        return kind, (kind == "product" and self.products) or (kind == "location" and self.locations)


def product_key(name: str) -> str:
    """A product name for same-name comparison: folded, without "the" and a plural "s"."""
    words = [w.lower() for w in re.findall(r"\w+", name)]
    if words and words[0] == "the":
        words = words[1:]
    if words and len(words[-1]) > 3 and words[-1].endswith("s"):
        words[-1] = words[-1][:-1]
    return " ".join(words)


# --- acronyms ----------------------------------------------------------------------------------

def acronym_definitions(text: str, names: Iterable[tuple[int, int]]) -> dict[str, tuple[int, int]]:
    """Acronyms the text defines, each with the span of its long form among `names`.

    "International Phonetic Association (IPA)" and "IPA, the International Phonetic
    Association" define IPA, when a name span covers the long form and the acronym's capitals
    are its initials (`abbreviates`). The first definition in the text wins.
    """
    spans = list(names)
    by_end = {e: (s, e) for s, e in spans}
    by_start = {s: (s, e) for s, e in spans}
    defs: dict[str, tuple[int, int]] = {}
    for m in re.finditer(r"[ \t]*\([ \t]*(" + _ACRONYM + r")[ \t]*\)", text):
        long = by_end.get(m.start())
        if long is not None and abbreviates(m.group(1), text[long[0]:long[1]]):
            defs.setdefault(m.group(1), long)
    for m in re.finditer(r"(?<![\w\-])(" + _ACRONYM + r"),[ \t]+((?:[Tt]he[ \t]+)?)", text):
        long = by_start.get(m.start(2)) or by_start.get(m.end())
        if long is not None and abbreviates(m.group(1), text[long[0]:long[1]]):
            defs.setdefault(m.group(1), long)
    return defs


def abbreviates(acronym: str, name: str) -> bool:
    """Whether the capitals of `acronym` are the initials of `name`'s words (all, or without
    "of"/"the"/"and", or the last ones: "iPhone Software Development Kit" for SDK) or its
    capital letters ("Al-Qaeda in the Arabian Peninsula" for AQAP)."""
    letters = [ch for ch in acronym if ch.isupper()]
    words = re.findall(r"[^\W\d_]+", name)
    if len(letters) < 2 or len(words) < 2:
        return False
    content = [w[0].upper() for w in words if w.lower() not in _ACRONYM_STOPWORDS]
    every = [w[0].upper() for w in words]
    capitals = [ch for ch in name if ch.isupper()]
    return letters in (content, every, capitals) or content[-len(letters):] == letters
