"""The entities stage: actor mentions in `doc.text`, resolved to canonical actors with codes.

`find_entities(doc)` combines three sources, in this order of trust:

1. the actor gazetteer (`tidings.extract.actors`) scanned over `doc.text`, longest match first;
   capitals ("Moscow") count as their government only where the parse shows them used as an
   actor ("Moscow said", "Moscow's decision"), and a country followed by a government noun
   ("Israeli forces") is that country's government;
2. spaCy's named entities (`doc.parsed`) for what the gazetteer lacks: PERSON -> person, an
   unknown ORG -> organisation without code, an unknown NORP -> other; names that look like
   places ("Philadelphi Corridor", "Netzarim") are not actors and are dropped;
3. for persons, the role and affiliation the text gives ("Hamas official Osama Hamdan",
   "U.S. Secretary of State Jane Doe", "Jane Doe, a spokeswoman for the ministry", or "senior
   official X" in a sentence about the Hamas delegation), and later surname mentions
   ("Hamdan") resolved to the full name: `tidings/extract/persons.py`.

Names spaCy tags but that are not actors (`tidings.extract.name_kinds`): products ("iPod",
"Boeing 787", "the new MacBook Air"; word lists in tidings/data/actors/products.toml), events
("Worldwide Developers Conference"), currency codes ("$99 (USD)"), and towns the places
gazetteer knows used as places ("fighting in Bunia" tagged ORG). A name found to be a product
makes its other mentions in the article products too, and so does a name coordinated with one
("the iPod Classic, Nano and Shuffle"). Acronyms defined in the article ("International
Phonetic Association (IPA)", "IPA, the International Phonetic Association") resolve later
mentions of the acronym to the long name's entity.

The output never has overlapping entities. Places are another stage's job: with
`locations=True` unknown GPE/LOC/FAC names and capitals used as places are kept as kind
"location" (for scoring against corpora that annotate them); by default they are left out.
Likewise products are kept as kind "product" only with `products=True`.

Moved out of this module: step 3 (roles, affiliations, surnames; with `CONTEXT_KINDS` and
`MAX_SUBJECT_CLIMB`) and the PERSON-name helpers of step 2 (`person_span`, `extend_name`,
`clean_name`, `name_lead_words`) are in `tidings/extract/persons.py`; the candidate record
(`Cand`, formerly `_Cand`) is in `tidings/extract/entity_cands.py`.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tidings.doc import Doc, register_group
from tidings.extract.actors import Actor, ActorGazetteer, load_actors, load_context
from tidings.extract.entity_cands import Cand
from tidings.extract.gazetteer import PlaceGazetteer, load_gazetteer
from tidings.extract.places import speech_lemmas
from tidings.extract.name_kinds import NameTyper, acronym_definitions, load_name_lexicon, product_key
from tidings.extract.persons import (add_roles, clean_name, extend_name, name_lead_words,
                                     person_span, resolve_surnames)
from tidings.pipeline import Stage
from tidings.records import Entity

log = logging.getLogger(__name__)

register_group("entities", Entity)

NER_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "PRODUCT"})
"""spaCy entity labels that can name an actor (or, with locations on, a place; PRODUCT names
are read only to keep them out, or to report them with products on)."""

RETYPED_LABELS = frozenset({"PERSON", "ORG", "NORP", "FAC", "PRODUCT"})
"""spaCy labels whose names are checked for being a product, event, currency or place."""

WEAK_PRODUCT_CUES = frozenset({"hyphen", "new"})
"""Product cues (`name_kinds.product_cue`) too weak to spread to other mentions: "Intel-based"
says the chips are a product line, not that every "Intel" in the article is one; "the new X"
is right more often than not, but one slip must not turn every "X" of the article."""

MAX_PRODUCT_PASSES = 3
"""Rounds (count) of spreading the product reading to same-named and coordinated mentions;
each round reaches one more link of a chain ("A, B and C"). Three covers the longest list in
MEANTIME-Apple ("the iPod Classic, Nano and Shuffle")."""

_SKIP_PREFIX = re.compile(r"\b(\w+)[-\u2010\u2011]$")
_STRIP_LEFT = re.compile(r"^(?:[Tt]he\s+|[\"“‘'(\[«]+)+")
_STRIP_RIGHT = re.compile(r"(?:['\u2019]s|['\u2019]|[\"”’)\],.;:!?»]+)+$")
_CURRENCY_AFTER = re.compile(r"\$|[ \t]*dollars?\b")
_PARENTHETICAL = re.compile(r"\s*\(")


def find_entities(doc: Doc, *, locations: bool = False, products: bool = False,
                  gazetteer: ActorGazetteer | None = None,
                  places: PlaceGazetteer | None = None) -> list[Entity]:
    """Actor mentions in `doc.text`, resolved, with person roles; sorted and non-overlapping.

    Uses `doc.parsed` (the shared spaCy parse of `doc.text`) for NER, metonymy and roles; when
    it is None only the gazetteer runs (capitals are then never taken as governments).
    `locations` / `products` keep place and product names as entities of kind "location" /
    "product" (they are not actors). `places` (default `load_gazetteer()`) tells which
    ORG/PERSON-tagged names are towns or regions.
    """
    text = doc.text
    parsed = doc.parsed
    if parsed is not None and parsed.text != text:
        log.warning("article %s: doc.parsed is not a parse of doc.text; ignoring it", doc.id)
        parsed = None
    gaz = gazetteer or load_actors()
    ctx = load_context()
    cands = _gazetteer_cands(text, parsed, gaz, ctx, locations)
    if parsed is not None:
        kinds = NameTyper(load_name_lexicon(), places or load_gazetteer(), ctx["places"],
                          locations, products)
        cands = _add_ner(text, parsed, cands, gaz, ctx, kinds)
        cands = _without_overlaps(cands)
        _spread_products(text, parsed, cands, kinds)
        _spread_places(text, cands)
    cands = _without_overlaps(cands)
    cands = _link_acronyms(text, cands)
    if parsed is not None:
        add_roles(parsed, cands, ctx)
    cands = resolve_surnames(text, cands, name_lead_words(ctx))
    return [
        Entity(c.start, c.end, c.canonical, c.kind, c.code, c.role, c.affiliation, c.ner_label,
               c.resolved_by)  # type: ignore[arg-type]
        for c in cands if not c.blocker
    ]


def make_entities_stage(extra_files: Sequence[Path | str] = (), *, locations: bool = False,
                        products: bool = False) -> Stage:
    """Stage that writes `find_entities(doc)` to `doc.spans["entities"]`.

    `extra_files` are user actor files (same format as tidings/data/actors/*.tsv).
    """
    extra = tuple(extra_files)

    def run(doc: Doc) -> Doc:
        doc.spans["entities"] = find_entities(doc, locations=locations, products=products,
                                              gazetteer=load_actors(extra))
        return doc

    return Stage("entities", run, needs=("parsed",), adds=("entities",))


# --- 1. gazetteer ----------------------------------------------------------------------------

def _gazetteer_cands(text: str, parsed: Any, gaz: ActorGazetteer, ctx: dict[str, Any],
                     locations: bool) -> list[Cand]:
    skip = {w.lower() for w in ctx["matching"]["skip_prefixes"]}
    matches = gaz.find(text)
    out: list[Cand] = []
    for n, m in enumerate(matches):
        prefix = _SKIP_PREFIX.search(text, max(0, m.start - 12), m.start)
        if prefix is not None and prefix.group(1).lower() in skip:
            continue  # "pro-Russian separatists": a stance, not Russia
        if _CURRENCY_AFTER.match(text, m.end):
            continue  # "US$ 299", "US dollars": a currency, not the country
        actor, via = m.actor, m.entry.via
        cand = _from_actor(m.start, m.end, actor, "gazetteer" if via == "name" else "alias", via)
        if via == "metonym":
            span = parsed.char_span(m.start, m.end, alignment_mode="expand") if parsed is not None else None
            if span is not None and _used_as_actor(span, ctx):
                cand.resolved_by = "context"
            else:  # a capital used as a place
                cand = Cand(m.start, m.end, text[m.start:m.end], "location", blocker=not locations,
                             resolved_by="gazetteer", via=via)
        elif actor.kind == "location":
            cand.blocker = not locations
        elif actor.kind == "country":
            next_start = matches[n + 1].start if n + 1 < len(matches) else len(text)
            _extend_government(text, cand, actor, gaz, ctx, next_start)
        out.append(cand)
    return out


def _from_actor(start: int, end: int, actor: Actor, resolved_by: str, via: str = "") -> Cand:
    return Cand(start, end, actor.canonical, actor.kind, actor.code, resolved_by=resolved_by, via=via)


def _extend_government(text: str, cand: Cand, actor: Actor, gaz: ActorGazetteer,
                       ctx: dict[str, Any], limit: int) -> None:
    """Turn "Israeli" + "forces" into one mention of the government of Israel."""
    following = text[cand.end:min(limit, cand.end + 40)].lower()
    m = _government_pattern(tuple(ctx["government"]["nouns"])).match(following)
    if m is None or actor.code is None:
        return
    gov = gaz.government_of(actor.code)
    if gov is None:
        return
    cand.end += m.end()
    cand.canonical, cand.kind, cand.code = gov.canonical, gov.kind, gov.code
    cand.resolved_by = "context"


@functools.lru_cache(maxsize=4)
def _government_pattern(nouns: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(nouns, key=len, reverse=True))
    return re.compile(r"(?:['\u2019]s)?[ \t]+(" + alternatives + r")\b")


def _used_as_actor(span: Any, ctx: dict[str, Any]) -> bool:
    """Whether a capital is used as an actor: subject of an actor verb, target of an
    accusation, agent of a passive, or possessor of something not a place."""
    meto = ctx["metonymy"]
    token = span.root
    while token.dep_ == "conj" and token.head.i < token.i:
        token = token.head  # "Washington and Moscow agreed"
    dep, head = token.dep_, token.head
    if dep == "nsubj":
        return head.lemma_.lower() in meto["actor_verbs"]
    if dep == "nsubjpass":
        return head.lemma_.lower() in meto["target_verbs"] or head.lemma_.lower() in meto["actor_verbs"]
    if dep in ("dobj", "dative"):
        return head.lemma_.lower() in meto["target_verbs"]
    if dep == "pobj":
        return head.dep_ == "agent" or (head.lower_ == "on" and head.head.lemma_ == "call")
    if dep == "poss":
        return head.lower_ not in meto["place_nouns"] and head.lemma_.lower() not in meto["place_nouns"]
    return False


# --- 2. NER ----------------------------------------------------------------------------------

def _add_ner(text: str, parsed: Any, cands: list[Cand], gaz: ActorGazetteer,
             ctx: dict[str, Any], kinds: NameTyper) -> list[Cand]:
    locations = kinds.locations
    places = set(ctx["places"]["words"])
    persons = ctx["persons"]
    lead_words = name_lead_words(ctx)
    gov_nouns = set(ctx["government"]["nouns"])
    skip = "|".join(re.escape(w) for w in ctx["matching"]["skip_prefixes"])
    stance = re.compile(rf"(?i)(?:{skip})[-\u2010\u2011]") if skip else None
    titles = [m.span() for m in _titles_pattern(tuple(persons["titles"])).finditer(text)]
    org_names = {" ".join(text[s:e].split()) for s, e in
                 (_trim(text, x.start_char, x.end_char) for x in parsed.ents if x.label_ == "ORG")}
    out = list(cands)
    for ent in parsed.ents:
        if ent.label_ not in NER_LABELS:
            continue
        start, end = _trim(text, ent.start_char, ent.end_char)
        paren = _PARENTHETICAL.search(text, start, end)
        if paren is not None and paren.start() > start:
            end = paren.start()  # "Software Development Kit (SDK": the acronym is its own mention
        if end <= start or not any(c.isupper() for c in text[start:end]):
            continue
        if stance is not None and stance.match(text, start):
            continue  # "pro-Russian": a stance, not an actor
        if any(ts <= start and end <= te for ts, te in titles):
            continue  # "State" in "Secretary of State"
        inside = [c for c in out if c.overlaps(start, end) and c.resolved_by != "surname"]
        for c in inside:
            if c.ner_label is None and ent.start_char <= c.start and c.end <= ent.end_char:
                c.ner_label = ent.label_
        span = parsed.char_span(start, end, alignment_mode="expand")
        if span is None:
            continue
        if ent.label_ in RETYPED_LABELS and not any(not c.blocker for c in inside):
            found = kinds.non_actor(span, ent.label_)
            if found is not None:
                out = [c for c in out if not c.overlaps(start, end)]
                out.extend(_split_maker(text, span, found, ent.label_, kinds, gaz, org_names))
                continue
        if ent.label_ == "PRODUCT":
            continue  # a product label over a known actor ("Al-Aqsa TV"): the gazetteer stands
        if ent.label_ == "PERSON":
            person = person_span(span, inside, lead_words)
            if person is not None:
                s, e = extend_name(parsed, person, out)
                out = [c for c in out if not c.overlaps(s, e)]
                out.append(Cand(s, e, clean_name(text[s:e], persons["honorifics"]), "person",
                                 ner_label="PERSON"))
            continue
        if inside:
            if ent.label_ in ("ORG", "FAC"):
                org = _org_over_gazetteer(text, span, inside, gaz, gov_nouns)
                if org is not None:
                    out = [c for c in out if not c.overlaps(start, end)]
                    out.append(org)
            continue
        name = text[start:end]
        actor = gaz.resolve(name, codes=False)
        if actor is not None and actor.kind != "location":
            out.append(_from_actor(start, end, actor, "alias", "ner"))
            out[-1].ner_label = ent.label_
        elif _place_like(span, places) or ent.label_ in ("GPE", "LOC", "FAC"):
            out.append(Cand(start, end, " ".join(name.split()), "location", ner_label=ent.label_,
                             blocker=not locations))
        elif ent.label_ == "ORG":
            out.append(Cand(start, end, " ".join(name.split()), "organisation", ner_label="ORG"))
        elif ent.label_ == "NORP":
            out.append(Cand(start, end, " ".join(name.split()), "other", ner_label="NORP"))
    return out


def _split_maker(text: str, span: Any, found: tuple[str, str], label: str, kinds: NameTyper,
                 gaz: ActorGazetteer, org_names: set[str]) -> list[Cand]:
    """Candidates for a product or event name, with its maker or host cut off as an
    organisation where the text shows one: before a possessive ("Apple Computer's Mac OS"), or
    a leading name the article also tags as an organisation on its own ("Apple TV",
    "Apple Worldwide Developers Conference" where "Apple" is an ORG elsewhere)."""
    what, cue = found
    tokens = list(span)
    cut = next((i for i, t in enumerate(tokens[:-1]) if t.text in ("'s", "\u2019s")), None)
    rest = cut + 1 if cut is not None else 0
    if cut is None and what in ("product", "event"):
        for i in range(len(tokens) - 1, 0, -1):
            if " ".join(t.text for t in tokens[:i]) in org_names:
                cut = rest = i
                break
    if cut is None or cut == 0:
        return [_typed_cand(kinds, span.start_char, span.end_char, span.text, what, label, cue)]
    m_start, m_end = span.start_char, tokens[cut - 1].idx + len(tokens[cut - 1].text)
    p_start = tokens[rest].idx
    name = text[m_start:m_end]
    actor = gaz.resolve(name, codes=False)
    maker = (_from_actor(m_start, m_end, actor, "alias", "ner") if actor is not None
             else Cand(m_start, m_end, " ".join(name.split()), "organisation"))
    maker.ner_label = "ORG"
    product = _typed_cand(kinds, p_start, span.end_char, text[p_start:span.end_char], what, label, cue)
    return [maker, product]


def _typed_cand(kinds: NameTyper, start: int, end: int, name: str, what: str, label: str,
                cue: str = "") -> Cand:
    """The candidate for a non-actor name: a blocker unless its kind is to be reported."""
    kind, shown = kinds.kind_of(what)
    return Cand(start, end, " ".join(name.split()), kind, ner_label=label,  # type: ignore[arg-type]
                 blocker=not shown, via=cue)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of a NER span without a leading "the"/quote or a trailing possessive/punctuation."""
    chunk = text[start:end]
    left = _STRIP_LEFT.match(chunk)
    if left is not None:
        start += left.end()
    right = _STRIP_RIGHT.search(text, start, end)
    if right is not None:
        end = right.start()
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@functools.lru_cache(maxsize=4)
def _titles_pattern(titles: tuple[str, ...]) -> re.Pattern[str]:
    words = sorted(titles, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def _org_over_gazetteer(text: str, span: Any, inside: list[Cand], gaz: ActorGazetteer,
                        gov_nouns: set[str]) -> Cand | None:
    """An ORG span that is more than the gazetteer names in it ("Bank of Israel"), or None when
    the gazetteer reading stands ("Hamas", "U.S. State Department")."""
    if any(c.kind not in ("country", "location") and c.via != "metonym" for c in inside):
        return None  # a known group/body inside: keep it ("Hamas Political Bureau" -> Hamas)
    uncovered = [t for t in span if not any(c.start <= t.idx < c.end for c in inside)]
    if not any(t.is_alpha and t.text[:1].isupper() and t.lower_ not in ("the", "of", "and")
               for t in uncovered):
        return None
    start, end = span.start_char, span.end_char
    rest = " ".join(t.lower_ for t in uncovered if not t.is_punct).removeprefix("'s ").strip()
    lead = min(inside, key=lambda c: c.start)
    if lead.start == start and lead.kind == "country" and rest in gov_nouns and lead.code:
        gov = gaz.government_of(lead.code)
        if gov is not None:  # "Israeli Defense Ministry"
            return Cand(start, end, gov.canonical, gov.kind, gov.code, ner_label="ORG",
                         resolved_by="context")
    actor = gaz.resolve(text[start:end], codes=False)
    if actor is not None:
        return Cand(start, end, actor.canonical, actor.kind, actor.code, ner_label="ORG",
                     resolved_by="alias")
    return Cand(start, end, " ".join(text[start:end].split()), "organisation", ner_label="ORG")


def _place_like(span: Any, places: set[str]) -> bool:
    """A name that contains or is followed by a place word ("Philadelphi" + "Corridor"), also
    across a coordination ("the Bagmati and Lalbakaiya rivers")."""
    if any(t.lower_ in places for t in span):
        return True
    doc = span.doc
    ends = [span.end] + [c.i + 1 for c in span.root.conjuncts if c.i > span.root.i]
    return any(e < len(doc) and (doc[e].lower_ in places or doc[e].lemma_.lower() in places)
               for e in ends)


def _without_overlaps(cands: list[Cand]) -> list[Cand]:
    """Keep the earliest, then longest, of overlapping candidates."""
    kept: list[Cand] = []
    for c in sorted(cands, key=lambda c: (c.start, -(c.end - c.start))):
        if kept and c.start < kept[-1].end:
            continue
        kept.append(c)
    return kept


# --- products and acronyms ----------------------------------------------------------------------

def _spread_products(text: str, parsed: Any, cands: list[Cand], kinds: NameTyper) -> None:
    """Make unknown names products where the article already treats the same name as one, or
    coordinates them with one ("the iPod Classic, Nano and Shuffle"). Changes `cands`."""
    for _ in range(MAX_PRODUCT_PASSES):
        names = {product_key(text[c.start:c.end]) for c in cands
                 if c.kind == "product" and c.via not in WEAK_PRODUCT_CUES}
        if not names:
            return
        speakers = _speaking_names(text, parsed, cands)
        tokens: set[int] = set()
        for c in cands:
            span = (parsed.char_span(c.start, c.end, alignment_mode="expand")
                    if c.kind == "product" and c.via not in WEAK_PRODUCT_CUES else None)
            tokens.update(range(span.start, span.end) if span is not None else ())
        changed = False
        for c in cands:
            if (c.resolved_by != "ner" or c.kind not in ("organisation", "person", "other") or c.code
                    or product_key(text[c.start:c.end]) in speakers):
                continue
            span = parsed.char_span(c.start, c.end, alignment_mode="expand")
            if span is None:
                continue
            root = span.root
            linked = (c.kind != "person" or len(span) == 1) and (
                (root.dep_ == "conj" and root.head.i in tokens)
                or any(ch.dep_ == "conj" and ch.i in tokens for ch in root.children))
            if linked or product_key(text[c.start:c.end]) in names:
                kept = _typed_cand(kinds, c.start, c.end, text[c.start:c.end], "product",
                                   c.ner_label or "", "spread")
                c.canonical, c.kind, c.blocker, c.via = kept.canonical, kept.kind, kept.blocker, "spread"
                c.role = c.affiliation = None
                changed = True
        if not changed:
            return


def _spread_places(text: str, cands: list[Cand]) -> None:
    """Make ORG/NORP-tagged names places where the article already uses the same name as one
    ("the Bagmati and Lalbakaiya rivers ... after the Bagmati burst its banks"). Changes
    `cands`. PERSON tags are left: a person may share a town's name ("Florence")."""
    places = {product_key(text[c.start:c.end]): c for c in cands
              if c.kind == "location" and c.resolved_by == "ner"}
    for c in cands:
        place = places.get(product_key(text[c.start:c.end]))
        if (place is not None and c.resolved_by == "ner" and c.kind in ("organisation", "other")
                and not c.code and c.ner_label in ("ORG", "NORP")):
            c.kind, c.blocker, c.canonical, c.via = "location", place.blocker, place.canonical, "spread"


def _speaking_names(text: str, parsed: Any, cands: list[Cand]) -> set[str]:
    """Product keys of the names that are somewhere the subject of a speech verb ("Boeing
    said"): whoever speaks is an actor, so the product reading must not spread to it."""
    out: set[str] = set()
    for c in cands:
        span = parsed.char_span(c.start, c.end, alignment_mode="expand")
        root = span.root if span is not None else None
        if root is not None and root.dep_ == "nsubj" and root.head.lemma_.lower() in speech_lemmas():
            out.add(product_key(text[c.start:c.end]))
    return out


def _link_acronyms(text: str, cands: list[Cand]) -> list[Cand]:
    """Resolve acronyms the article defines to the entity of their long form.

    "International Phonetic Association (IPA)" and "IPA, the International Phonetic
    Association" define IPA; every mention of "IPA" in the article (found or not) then gets the
    long form's canonical name, kind and code. The definition wins over the gazetteer: an
    article's own acronym is the best evidence of what it means there.
    """
    by_span = {(c.start, c.end): c for c in cands if c.kind != "person"}
    defs = acronym_definitions(text, by_span)
    if not defs:
        return cands
    out = list(cands)
    for acronym, where in defs.items():
        long = by_span[where]
        for c in out:
            s, e = _trim(text, c.start, c.end)
            if c is not long and text[s:e] == acronym:
                _copy_entity(c, long)
        for m in re.finditer(r"(?<![\w\-])" + re.escape(acronym) + r"(?![\w\-])", text):
            if not any(c.overlaps(m.start(), m.end()) for c in out):
                cand = Cand(m.start(), m.end(), long.canonical, long.kind)
                _copy_entity(cand, long)
                out.append(cand)
    return sorted(out, key=lambda c: c.start)


def _copy_entity(cand: Cand, long: Cand) -> None:
    cand.canonical, cand.kind, cand.code = long.canonical, long.kind, long.code
    cand.blocker, cand.resolved_by, cand.via = long.blocker, "alias", "acronym"
    cand.role = cand.affiliation = None
