"""Places: every place mention in `doc.text`, resolved to a gazetteer entry with coordinates.

Mentions come from three proposers: spaCy's GPE/LOC/FAC entities (from `doc.parsed`); a
phrase matcher over the curated names of tidings/data/places.tsv ("Philadelphi corridor",
"southern Lebanon"), which the small spaCy model often misses or mislabels; and proper nouns
that spaCy left untagged but the syntax marks as places ("pushed into Rafah", "Odessa and
Kharkiv"). Overlaps keep the longest mention. Not places: a curated name inside a longer
person or organisation name ("Gaza Health Ministry"), a single word that the article uses as
part of a person's name, and a place that is the subject of a speech verb ("Washington
said": the government, an actor).

Ambiguous names ("Rafah": Gaza or Egypt; "Paris": France or Texas) are resolved in order:
a qualifier right after the name ("Paris, Texas"); curated places before package ones; a
country before same-named cities ("Lebanon", not Lebanon, Ohio); the article's country
context (other unambiguous place mentions and demonyms such as "Israeli" vote for their
country, more when in the same sentence); finally the largest population. `Place.chosen_by`
records which step decided.
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from tidings.doc import Doc, register_group
from tidings.extract.gazetteer import NameMatch, PlaceEntry, PlaceGazetteer, load_gazetteer
from tidings.pipeline import Stage
from tidings.records import Place

log = logging.getLogger(__name__)

ChosenBy = Literal["unique", "country-context", "population", "curated"]

NER_LABELS = frozenset({"GPE", "LOC", "FAC"})
"""spaCy entity labels proposed as place mentions."""

NAME_LABELS = frozenset({"PERSON", "ORG", "NORP", "WORK_OF_ART", "PRODUCT", "LAW"})
"""spaCy labels of names that may contain a place name without being a place mention."""

DIRECTION_WORDS = frozenset({
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
    "northeast", "northwest", "southeast", "southwest", "northeastern", "northwestern",
    "southeastern", "southwestern", "upper", "lower", "greater", "the", "of",
})
"""Words that may stand around a curated place inside a longer spaCy place name and keep
it the same place ("North Darfur" is in Darfur; "New England" is not England)."""

NOT_PLACE_LABELS = frozenset({
    "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY", "EVENT", "LANGUAGE",
})
"""spaCy labels that rule out a proper noun as a place ("in March" is not March, England)."""

LOCATIVE_PREPOSITIONS = frozenset({
    "in", "into", "near", "from", "to", "toward", "towards", "at", "across", "around",
    "outside", "inside", "throughout", "through", "within", "between", "via", "on", "over",
    "off", "of",
})
"""Prepositions whose object, when it is a proper noun the gazetteer knows, is taken as a
place even though spaCy did not tag it GPE/LOC ("pushed into Rafah", "officials in Kyiv":
the small model leaves many foreign city names untagged or tags them PERSON/ORG)."""

SPEECH_LEMMAS = frozenset({
    "say", "tell", "announce", "warn", "state", "claim", "deny", "accuse", "urge", "insist",
    "add", "confirm", "reject", "demand", "condemn", "threaten", "respond", "argue", "declare",
    "vow", "welcome", "criticize", "criticise", "propose", "ask", "reply", "stress",
    "emphasize", "emphasise", "signal", "caution", "dismiss", "acknowledge", "believe",
    "agree", "refuse", "suggest", "complain", "protest", "blame",
})
"""Lemmas of speaking and stance verbs: a place name as their subject names a government
("Washington said", "Cairo proposed"), not a location. The shared reporting-verb lexicon
(tidings/data/reporting_verbs.txt, first word of each line) is added when present."""


@functools.lru_cache(maxsize=1)
def speech_lemmas() -> frozenset[str]:
    """`SPEECH_LEMMAS` plus the lemmas of the shared reporting-verb lexicon, if shipped."""
    path = resources.files("tidings") / "data" / "reporting_verbs.txt"
    extra: set[str] = set()
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            words = line.split()
            if words and not words[0].startswith(("#", "[")):
                extra.add(words[0].lower())
    return SPEECH_LEMMAS | extra

ALT_NAME_PENALTY = 5.0
"""Divisor of a city's population when the name matched only an alternate (historic or
foreign) spelling. Calibrated on "Odessa" (Odesa, UA, 1.0M by alternate name vs Odessa, Texas,
114k by primary name: Odesa must win) and "Pokrovsk" (Pokrovsk, UA, 60k vs Engels, RU, 196k,
formerly Pokrovsk: Pokrovsk must win)."""

MAX_CONTEXT_POPULATION_RATIO = 25.0
"""How many times smaller than the largest same-named city a city may be and still win on
country context alone; smaller ones need their own state named ("Paris" with only "U.S."
mentioned stays Paris, France (86x larger); with "Texas" mentioned it is Paris, Texas).
Calibrated on invented examples: Rafah PS/EG (3x) and Tripoli LY/LB (5x) must follow context."""

SAME_SENTENCE_WEIGHT = 3.0
"""Votes a context clue in the mention's own sentence is worth; elsewhere in the article it
is worth 1. "the Egyptian side of Rafah" outweighs two Gaza mentions further away."""


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    origin: Literal["ner", "curated", "syntax"]
    matches: tuple[NameMatch, ...]


@dataclass(frozen=True, slots=True)
class _Vote:
    position: int
    country: str
    admin1: str | None


def find_places(doc: Doc, gazetteer: PlaceGazetteer | None = None) -> list[Place]:
    """Every place mention in `doc.text` as a `Place`, sorted by start offset.

    Reads `doc.parsed` (the spaCy parse of `doc.text`) for entities, sentences and syntax;
    when it is None only curated names are matched. `gazetteer` defaults to
    `load_gazetteer()`.
    """
    gaz = gazetteer or load_gazetteer()
    parsed = doc.parsed
    text = doc.text
    proposed = _propose_ner(text, parsed, gaz) + _propose_curated(text, parsed, gaz)
    proposed += _propose_proper_nouns(text, parsed, gaz, proposed)
    mentions = _select(proposed)
    mentions = [m for m in mentions if not _is_actor(parsed, m)]
    mentions = _drop_person_words(text, parsed, mentions)

    sentence_starts = [0]
    if parsed is not None and parsed.has_annotation("SENT_START"):
        sentence_starts = [s.start_char for s in parsed.sents]
    votes = _context_votes(text, gaz, mentions)
    places = []
    for i, mention in enumerate(mentions):
        qualifier = _qualifier(text, mentions, i)
        chosen = resolve_mention(
            list(mention.matches),
            _weigh(votes, mention.start, sentence_starts),
            qualifier,
        )
        if chosen is None:
            continue
        entry, how = chosen
        start = mention.start
        article = text[max(start - 4, 0) : start].lower()
        if entry.name.lower().startswith("the ") and article == "the ":
            start -= 4  # "The Hague": the article is part of the name
        places.append(Place(start, mention.end, entry.name, entry.country, entry.lat,
                            entry.lon, entry.feature, entry.gazetteer_id, how))
    return places


def make_places_stage(extra_files: Sequence[Path | str] = ()) -> Stage:
    """Stage that writes `find_places` results to `doc.spans["places"]`.

    `extra_files` are user gazetteer files in the places.tsv format.
    """
    extra = tuple(extra_files)

    def run(doc: Doc) -> Doc:
        doc.spans["places"] = find_places(doc, load_gazetteer(extra))
        return doc

    return Stage("places", run, needs=("parsed",), adds=("places",))


register_group("places", Place)


# --- resolution ------------------------------------------------------------------------------


def resolve_mention(
    matches: list[NameMatch],
    context: dict[tuple[str, str | None], float],
    qualifier: PlaceEntry | None = None,
) -> tuple[PlaceEntry, ChosenBy] | None:
    """Pick one candidate for a place name, and say how.

    `context` maps (country, None) to country votes and (country, admin1) to votes for a
    first-level subdivision (a US state); `qualifier` is the place named right after
    ("Paris, Texas"). Returns None when there is no candidate.
    """
    if not matches:
        return None
    if len(matches) == 1:
        return matches[0].entry, "unique"
    pool = matches
    how: ChosenBy | None = None
    if qualifier is not None:
        narrowed = [m for m in pool if _within(m.entry, qualifier)]
        if narrowed and len(narrowed) < len(pool):
            pool, how = narrowed, "country-context"
    curated = [m for m in pool if m.entry.source == "curated"]
    if curated and len(curated) < len(pool):
        pool, how = curated, how or "curated"
    if any(m.entry.feature == "country" for m in pool):
        pool = [m for m in pool if m.entry.source != "geonames"]  # Lebanon, not Lebanon, Ohio
    if len(pool) > 1:
        pool, narrowed_by_context = _by_context(pool, context)
        if narrowed_by_context:
            how = "country-context"
    best = max(pool, key=lambda m: (_weighted_population(m), -pool.index(m)))
    return best.entry, how or "population"


def _within(entry: PlaceEntry, qualifier: PlaceEntry) -> bool:
    if entry.country != qualifier.country or entry is qualifier:
        return False
    if qualifier.feature != "region" or qualifier.admin1 is None:
        return True
    return entry.admin1 == qualifier.admin1


def _weighted_population(match: NameMatch) -> float:
    return match.entry.population / (ALT_NAME_PENALTY if match.alternate else 1.0)


def _by_context(
    pool: list[NameMatch], context: dict[tuple[str, str | None], float]
) -> tuple[list[NameMatch], bool]:
    """Keep the candidates the article's context favours; True when that removed some."""
    largest = max((_weighted_population(m) for m in pool if m.entry.feature == "city"), default=0)

    def score(m: NameMatch) -> tuple[float, float]:
        country = m.entry.country or ""
        local = context.get((country, m.entry.admin1), 0.0) if m.entry.admin1 else 0.0
        national = context.get((country, None), 0.0)
        small = (m.entry.feature == "city"
                 and _weighted_population(m) * MAX_CONTEXT_POPULATION_RATIO < largest)
        if small and not local:
            return (0.0, 0.0)  # a small namesake needs its own state named, not just its country
        return (local, national)

    scores = [score(m) for m in pool]
    top = max(scores)
    if top == (0.0, 0.0):
        return pool, False
    kept = [m for m, s in zip(pool, scores) if s == top]
    return kept, len(kept) < len(pool)


def _weigh(
    votes: list[_Vote], position: int, sentence_starts: list[int]
) -> dict[tuple[str, str | None], float]:
    """Context votes seen from a mention at `position`: its own sentence counts more."""
    here = bisect.bisect_right(sentence_starts, position)
    out: dict[tuple[str, str | None], float] = {}
    for vote in votes:
        same = bisect.bisect_right(sentence_starts, vote.position) == here
        weight = SAME_SENTENCE_WEIGHT if same else 1.0
        out[(vote.country, None)] = out.get((vote.country, None), 0.0) + weight
        if vote.admin1:
            key = (vote.country, vote.admin1)
            out[key] = out.get(key, 0.0) + weight
    return out


def _context_votes(text: str, gaz: PlaceGazetteer, mentions: list[_Mention]) -> list[_Vote]:
    """Country clues: unambiguous place mentions and demonyms ("Israeli", "Egyptians")."""
    votes = []
    for mention in mentions:
        entries = _settled(mention.matches)
        countries = {e.country for e in entries}
        if len(countries) == 1 and None not in countries:
            (country,) = countries
            admin1s = {e.admin1 for e in entries}
            admin1 = admin1s.pop() if len(admin1s) == 1 else None
            votes.append(_Vote(mention.start, str(country), admin1))
    for found in gaz.demonym_pattern().finditer(text):
        votes.append(_Vote(found.start(), gaz.demonyms[found.group()], None))
    return votes


def _settled(matches: Sequence[NameMatch]) -> list[PlaceEntry]:
    """The candidates left before context is used (curated first, countries over cities)."""
    entries = [m.entry for m in matches]
    curated = [e for e in entries if e.source == "curated"]
    if curated:
        return curated
    if any(e.feature == "country" for e in entries):
        return [e for e in entries if e.source != "geonames"]
    return entries


def _qualifier(text: str, mentions: list[_Mention], i: int) -> PlaceEntry | None:
    """The country or region named right after mention i ("Paris, Texas"), if any."""
    if i + 1 >= len(mentions):
        return None
    here, after = mentions[i], mentions[i + 1]
    between = text[here.end : after.start]
    if between.strip() != "," or "\n" in between:
        return None
    entries = [e for e in _settled(after.matches) if e.feature in ("country", "region")]
    return entries[0] if len(entries) == 1 else None


# --- proposing mentions ----------------------------------------------------------------------


def _propose_ner(text: str, parsed: Any, gaz: PlaceGazetteer) -> list[_Mention]:
    if parsed is None:
        return []
    out = []
    for ent in parsed.ents:
        if ent.label_ not in NER_LABELS:
            continue
        for start, end in _split_parts(text, ent.start_char, ent.end_char):
            matches = tuple(gaz.match(text[start:end]))
            if ent.label_ != "GPE":
                matches = _without_alternates(matches)
            if matches:
                out.append(_Mention(start, end, "ner", matches))
            else:
                log.debug("no gazetteer entry for %r", text[start:end])
    return out


def _split_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Trimmed pieces of an entity, split at commas and spaced dashes ("Paris, Texas")."""
    parts = []
    piece_start = start
    for sep in [*_SEPARATOR.finditer(text, start, end), None]:
        piece_end = sep.start() if sep else end
        trimmed = _trim(text, piece_start, piece_end)
        if trimmed:
            parts.append(trimmed)
        if sep:
            piece_start = sep.end()
    return parts


_SEPARATOR = re.compile(r",|\s[-–—]\s")


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """`(start, end)` without surrounding blanks and quotes, a leading "the", a possessive."""
    while True:
        before = (start, end)
        while start < end and (text[start].isspace() or text[start] in "\"“”"):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:!?\"“”"):
            end -= 1
        for suffix in ("'s", "’s"):
            if text.endswith(suffix, start, end) and end - start > len(suffix):
                end -= len(suffix)
        if end > start and text[end - 1] in "'’":
            end -= 1  # "the Philippines' coast guard"
        if text[start:end].lower().startswith("the ") and end - start > 4:
            start += 4
        if (start, end) == before:
            return (start, end) if end > start else None


def _name_spans(text: str, parsed: Any) -> list[tuple[int, int]]:
    """Trimmed spans of person, organisation and other name entities."""
    if parsed is None:
        return []
    spans = (_trim(text, e.start_char, e.end_char) for e in parsed.ents if e.label_ in NAME_LABELS)
    return [s for s in spans if s]


def _inside_longer(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e and (e - s) > (end - start) for s, e in spans)


def _propose_proper_nouns(
    text: str, parsed: Any, gaz: PlaceGazetteer, proposed: list[_Mention]
) -> list[_Mention]:
    """Proper nouns spaCy did not tag as places, taken when the syntax says place.

    A run of proper nouns that the gazetteer knows counts when it is the object of a
    locative preposition ("into Rafah") or joined by "and" to a place mention ("Odessa and
    Kharkiv"), and is not part of a longer person or organisation name.
    """
    if parsed is None:
        return []
    names = _name_spans(text, parsed)
    covered = [(m.start, m.end) for m in proposed]
    covered += [(e.start_char, e.end_char) for e in parsed.ents if e.label_ in NOT_PLACE_LABELS]
    runs = []
    run: list[Any] = []
    for token in [*parsed, None]:
        if token is not None and token.pos_ == "PROPN" and (not run or run[-1].i == token.i - 1):
            run.append(token)
            continue
        if run:
            runs.append(parsed[run[0].i : run[-1].i + 1])
        run = [token] if token is not None and token.pos_ == "PROPN" else []
    out: list[_Mention] = []
    for span in runs:
        trimmed = _trim(text, span.start_char, span.end_char)
        if trimmed is None:
            continue
        start, end = trimmed
        if any(s < end and start < e for s, e in covered) or _inside_longer(names, start, end):
            continue
        root = span.root
        locative = _locative_object(root)
        joined = root.dep_ == "conj" and any(
            s <= root.head.idx < e for s, e in covered + [(m.start, m.end) for m in out]
        )
        if not (locative or joined) or _name_goes_on(root):
            continue
        matches = _without_alternates(gaz.match(text[start:end]))
        if matches:
            out.append(_Mention(start, end, "syntax", matches))
    return out


def _without_alternates(matches: Sequence[NameMatch]) -> tuple[NameMatch, ...]:
    """Drop geonames alternate-name matches: outside spaCy GPE entities they are mostly
    translations that collide with English words ("White House" is Casablanca, "Ramadan" a
    Saudi town)."""
    return tuple(m for m in matches if not m.alternate)


def _name_goes_on(token: Any) -> bool:
    """True when "of" + proper noun follows: "the Bay of Bengal" is not the town of Bay."""
    return any(
        child.dep_ == "prep" and child.lower_ == "of"
        and any(grand.dep_ == "pobj" and grand.pos_ == "PROPN" for grand in child.children)
        for child in token.children
    )


def _propose_curated(text: str, parsed: Any, gaz: PlaceGazetteer) -> list[_Mention]:
    names = _name_spans(text, parsed)
    places = []
    if parsed is not None:
        places = [part for e in parsed.ents if e.label_ in NER_LABELS
                  for part in _split_parts(text, e.start_char, e.end_char)]
    out = []
    for found in gaz.phrase_pattern().finditer(text):
        if not gaz.accepts_spelling(found.group()):
            continue
        start, end = found.span()
        if _inside_longer(names, start, end):
            continue  # part of a longer name: "Gaza Health Ministry", "Mount Sinai Hospital"
        if any(_other_place(text, s, e, start, end) for s, e in places):
            continue  # "New England" is not England
        out.append(_Mention(start, end, "curated", tuple(gaz.match(found.group()))))
    return out


def _other_place(text: str, outer_start: int, outer_end: int, start: int, end: int) -> bool:
    """True when place entity [outer_start, outer_end) holds [start, end) as part of a
    different name; a compass or size word around it ("North Darfur") keeps the inner place."""
    if not (outer_start <= start and end <= outer_end) or (outer_start, outer_end) == (start, end):
        return False
    extra = re.findall(r"[^\W\d_]+", text[outer_start:start] + " " + text[end:outer_end])
    return any(word.lower() not in DIRECTION_WORDS for word in extra)


def _select(mentions: list[_Mention]) -> list[_Mention]:
    """Non-overlapping mentions: longest first, then curated, NER, syntax; in text order."""
    order = {"curated": 0, "ner": 1, "syntax": 2}
    ranked = sorted(mentions, key=lambda m: (-(m.end - m.start), order[m.origin], m.start))
    taken: list[_Mention] = []
    for m in ranked:
        if all(m.end <= t.start or m.start >= t.end for t in taken):
            taken.append(m)
    return sorted(taken, key=lambda m: m.start)


# --- filters ---------------------------------------------------------------------------------


def _is_actor(parsed: Any, mention: _Mention) -> bool:
    """True for a place that is the subject of a speech verb ("Washington said ...")."""
    if parsed is None:
        return False
    span = parsed.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None:
        return False
    token = span.root
    while token.dep_ in ("conj", "appos") and token.head.i != token.i:
        token = token.head
    return token.dep_ in ("nsubj", "nsubjpass") and token.head.lemma_.lower() in speech_lemmas()


def _drop_person_words(text: str, parsed: Any, mentions: list[_Mention]) -> list[_Mention]:
    """Drop one-word mentions that the article also uses inside a person's name.

    "Florence Pugh ... Florence, 28, said" must not place Florence in Italy. Kept: countries
    and curated places ("Israel Katz" does not make "Israel" a person), objects of a locative
    preposition ("flew to Sydney") and names followed by a qualifier ("Sydney, Australia").
    """
    if parsed is None:
        return mentions
    person_words = {t.text for e in parsed.ents if e.label_ == "PERSON" for t in e}
    kept = []
    for i, m in enumerate(mentions):
        word = text[m.start : m.end]
        if " " in word or word not in person_words or _looks_like_place(text, parsed, mentions, i):
            kept.append(m)
    return kept


def _looks_like_place(text: str, parsed: Any, mentions: list[_Mention], i: int) -> bool:
    m = mentions[i]
    if any(x.entry.feature == "country" or x.entry.source == "curated" for x in m.matches):
        return True
    if _qualifier(text, mentions, i) is not None:
        return True
    span = parsed.char_span(m.start, m.end, alignment_mode="expand")
    root = span.root if span is not None else None
    return root is not None and _locative_object(root)


def _locative_object(token: Any) -> bool:
    """True for the object of a locative preposition ("into Rafah", "the outskirts of Kyiv");
    "of" after a proper noun is part of a name ("Party of God", "Bank of England")."""
    if token.dep_ != "pobj" or token.head.lemma_.lower() not in LOCATIVE_PREPOSITIONS:
        return False
    preposition = token.head
    return not (preposition.lemma_.lower() == "of" and preposition.head.pos_ == "PROPN")
