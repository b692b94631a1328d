"""Speakers: who the subject of a reporting verb is, and which earlier speaker a mention means.

`SpeakerResolver.resolve(token)` turns the subject token of a reporting verb into a `Speaker`:

- a named person or organisation (the entities group covers the head word): its canonical name,
  its affiliation (from the Entity, else the nearest actor inside the speaker phrase:
  "Hamas official Osama Hamdan" -> Hamas), and the span of this mention;
- an anonymous description ("a senior U.S. official", "sources", "a diplomat familiar with the
  talks"): the description as written, its span, and the actor named inside it (U.S. -> United
  States);
- a later reference ("the anonymous official", "the official", "he", "the company"): the most
  recent compatible speaker introduced before it, with the span of the introducing mention
  ("the carmaker" never means a product written "the Zephyr");
- a document ("a statement from Apple", "the company website"): its author;
- a title with a name in apposition ("The Vice President of the company, Mark Chandler"): the
  name, also when the parser hung it on the organisation noun.

Finding the subject token of a reporting word in the parse (`find_subject`, `can_speak`) is
`tidings.extract.subjects`; this module says whom that token means.

Mentions must be resolved in text order: the resolver keeps the speakers seen so far. The role
nouns that make a description (and say which pronouns may refer to it) are data:
`tidings/data/anonymous_sources.txt`.
"""

from __future__ import annotations

import bisect
import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any, Literal

from tidings.records import Entity

log = logging.getLogger(__name__)

SpeakerKind = Literal["person", "group", "organisation", "unknown"]

ACTOR_KINDS = frozenset({"country", "government", "organisation", "igo", "armed_group", "party"})
"""Entity kinds that can be a speaker's affiliation (and speak as themselves)."""
ORG_SPEAKER_KINDS = ACTOR_KINDS | {"media"}
"""Entity kinds that make a named speaker an organisation rather than a person."""
ORGANISATION_KINDS = frozenset({"organisation", "government", "armed_group", "party", "igo"})
"""Entity kinds "the company", "the group" or "it" may refer back to."""
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj"})
"""Dependency labels of subjects (for finding the antecedent of a pronoun)."""
DEFINITE_DETS = frozenset({"the", "this", "that", "these", "those"})
"""Determiners that make a description refer back to someone already introduced."""
PHRASE_DROP_DEPS = frozenset(
    {"relcl", "appos", "advcl", "acl", "punct", "cc", "conj", "npadvmod", "parataxis", "advmod"}
)
"""Children of a speaker's head word that are not part of the speaker phrase as written
("the official, who asked not to be named" -> "the official")."""
PHRASE_KEEP_PREPS = frozenset({"for", "of", "with", "from", "at", "familiar", "close"})
"""Prepositions whose phrase stays in the speaker description ("a spokesman for the ministry",
"analysts at UBS"); other prepositions ("to Reuters", "during the keynote") are cut. Only
prepositions hanging from the speaker's own noun count: "said at a news conference" hangs from
the verb and is never part of the phrase."""
MAX_PRONOUN_LOOKBACK = 2000
"""Characters: how far back a pronoun may find a person mentioned as a subject (calibrated on
MEANTIME Apple articles, where a pronoun's antecedent is within the previous 3 sentences)."""
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his"})
GROUP_PRONOUNS = frozenset({"they", "them", "their"})
THING_PRONOUNS = frozenset({"it", "its"})
"""Pronouns by what they may refer back to; possessives count ("his decision", "their
experience": the holder of an attitude noun)."""
SPACY_PERSON = frozenset({"PERSON"})
SPACY_ACTORS = frozenset({"ORG", "GPE", "NORP"})


# --- data files ------------------------------------------------------------------------------


def read_sections(name: str) -> dict[str, list[str]]:
    """Read a `tidings/data/` file of `[section]` headers and one entry per line.

    Lines before the first header go to the section "" ; `#` starts a comment line.
    """
    path = resources.files("tidings") / "data" / name
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            sections.setdefault(current, [])
            continue
        sections.setdefault(current, []).append(line)
    return sections


@dataclass(frozen=True, slots=True)
class RoleLexicon:
    """Head nouns of speaker descriptions, by what may refer back to them."""

    person: frozenset[str]
    """Nouns for one person ("official", "spokesperson"): he/she may refer back."""
    group: frozenset[str]
    """Nouns that, in the plural, describe a group of sources ("sources", "officials")."""
    organisation: frozenset[str]
    """Nouns for an organisation ("company", "group"): "the company" means an organisation."""
    business: frozenset[str] = frozenset()
    """Organisation nouns that mean a commercial company ("company", "carmaker", "airline"):
    they do not refer back to a name written after "the" (a product: "the iPhone")."""
    business_endings: frozenset[str] = frozenset()
    """Last words (lower case) that make a name written after "the" a company name all the
    same ("the Walt Disney Co.")."""
    document: frozenset[str] = frozenset()
    """Nouns for a text that speaks for its author ("a statement from the ministry", "the
    company website"): the author is the speaker."""

    @property
    def all(self) -> frozenset[str]:
        return self.person | self.group | self.organisation


@functools.lru_cache(maxsize=1)
def role_lexicon() -> RoleLexicon:
    """The shipped speaker-description lexicon (`tidings/data/anonymous_sources.txt`)."""
    sections = read_sections("anonymous_sources.txt")
    norm = lambda key: frozenset(w.lower() for w in sections.get(key, []))  # noqa: E731
    return RoleLexicon(norm("person"), norm("group"), norm("organisation"), norm("business"),
                       norm("business_name_endings"), norm("document"))


# --- entity lookup ---------------------------------------------------------------------------


class EntityIndex:
    """Entity mentions sorted by position, for "which entity covers this token" questions."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities: list[Entity] = sorted(entities, key=lambda e: (e.start, -e.end))
        self._starts = [e.start for e in self.entities]

    def covering(self, start: int, end: int) -> Entity | None:
        """The smallest entity overlapping `[start, end)`, or None."""
        hi = bisect.bisect_left(self._starts, end)
        best: Entity | None = None
        for ent in self.entities[max(0, hi - 40) : hi]:
            if ent.end > start and ent.start < end:
                if best is None or (ent.end - ent.start) < (best.end - best.start):
                    best = ent
        return best

    def inside(self, start: int, end: int) -> list[Entity]:
        """Entities overlapping `[start, end)`, in text order."""
        hi = bisect.bisect_left(self._starts, end)
        return [e for e in self.entities[max(0, hi - 200) : hi] if e.end > start]

    def before(self, pos: int, kinds: frozenset[str], limit: int) -> list[Entity]:
        """Entities of `kinds` ending at or before `pos` and within `limit` chars, latest first."""
        hi = bisect.bisect_left(self._starts, pos)
        out = [e for e in self.entities[:hi] if e.kind in kinds and e.end <= pos and pos - e.end <= limit]
        return sorted(out, key=lambda e: e.start, reverse=True)


# --- speakers --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who said something, as far as the text tells."""

    name: str | None
    """Canonical name (named speakers) or the description as first written (anonymous)."""
    named: bool
    """True for a named person or organisation, False for an anonymous description."""
    start: int | None
    """Start of the mention that names or introduces the speaker in `doc.text`."""
    end: int | None
    """End of that mention."""
    affiliation: str | None
    """Canonical actor the speaker belongs to or speaks for."""
    kind: SpeakerKind
    """Person, group of sources, organisation, or unknown: decides which pronouns refer back."""
    roles: frozenset[str] = field(default_factory=frozenset)
    """Role nouns the text gives the speaker ("official"); a later "the official" matches."""


@dataclass(slots=True)
class _Entry:
    speaker: Speaker
    last: int  # position of the latest mention of this speaker


ActorResolver = Callable[[str], Any]


def phrase_span(head: Any) -> tuple[int, int]:
    """Character span of the speaker phrase headed by spaCy token `head`, as written.

    Keeps determiners, modifiers and compounds ("a senior U.S. official", "Hamas official Osama
    Hamdan", "people familiar with the matter"); cuts relative clauses, appositions and
    prepositional phrases that are not part of the description ("to Reuters").
    """
    kept: set[int] = set()

    def keep(tok: Any) -> None:
        kept.add(tok.i)
        for child in tok.children:
            if child.dep_ == "punct" and _glued(child):
                kept.add(child.i)  # the hyphen of "El-Reshiq"
                continue
            if child.dep_ in PHRASE_DROP_DEPS:
                continue
            if child.dep_ == "prep" and child.lower_ not in PHRASE_KEEP_PREPS:
                continue
            keep(child)

    keep(head)
    doc = head.doc
    lo = hi = head.i
    # A speaker phrase never runs across a paragraph break.
    while lo - 1 in kept and "\n" not in doc[lo - 1].text_with_ws:
        lo -= 1
    while hi + 1 in kept and "\n" not in doc[hi].text_with_ws:
        hi += 1
    # A phrase never starts or ends with punctuation or a bare preposition.
    while lo < hi and (doc[lo].is_punct or doc[lo].dep_ == "case"):
        lo += 1
    while hi > lo and (doc[hi].is_punct or doc[hi].pos_ == "ADP"):
        hi -= 1
    return doc[lo].idx, doc[hi].idx + len(doc[hi])


class SpeakerResolver:
    """Resolves subject tokens to speakers, remembering earlier speakers (call in text order)."""

    def __init__(
        self,
        text: str,
        entities: EntityIndex,
        resolve_actor: ActorResolver | None = None,
        lexicon: RoleLexicon | None = None,
    ) -> None:
        self.text = text
        self.entities = entities
        self.resolve_actor = resolve_actor
        self.lexicon = lexicon or role_lexicon()
        self.entries: list[_Entry] = []
        self._doc: Any = None  # the spaCy Doc, set by the first resolve()

    # -- public -------------------------------------------------------------------------------

    def resolve(self, head: Any) -> Speaker | None:
        """The speaker that subject token `head` refers to, or None for "I", "we", "it is"."""
        self._doc = head.doc
        lower = head.lower_
        if head.pos_ == "PRON" or lower in PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS:
            return self._pronoun(head)
        if head.lemma_.lower() in self.lexicon.document:
            author = _document_author(head, self.lexicon)
            if author is not None:
                if author.dep_ == "compound" and not author.ent_type_:
                    # "the company website": the determiner of the document makes "company"
                    # refer back to an organisation already named.
                    definite = any(c.dep_ == "det" and c.lower_ in DEFINITE_DETS for c in head.children)
                    spoken = (self._earlier_with_role(author.lemma_.lower(), "organisation", head.idx)
                              if definite else None)
                else:
                    spoken = self.resolve(author)
                if spoken is not None:
                    return spoken
        start, end = phrase_span(head)
        ent = self.entities.covering(head.idx, head.idx + len(head))
        if ent is None or ent.kind not in ORG_SPEAKER_KINDS | {"person"}:
            # "The Vice President of the company, Mark Chandler, explained": the name in
            # apposition beats a capitalised title read as a name.
            named = self._named_in_apposition(head) or self._named(head, start, end)
        else:
            named = self._named(head, start, end)
        if named is not None:
            return self._remember(named, head.idx)
        return self._description(head, start, end)

    # -- named speakers -----------------------------------------------------------------------

    def _named(self, head: Any, start: int, end: int) -> Speaker | None:
        ent = self.entities.covering(head.idx, head.idx + len(head))
        roles = self._roles(head)
        if ent is not None and ent.kind == "person":
            affiliation = ent.affiliation or self._affiliation(head, exclude=ent)
            return Speaker(ent.canonical, True, start, end, affiliation, "person", roles | _role_words(ent))
        if ent is not None and ent.kind in ORG_SPEAKER_KINDS:
            own = ent.canonical if ent.kind in ACTOR_KINDS else None
            return Speaker(ent.canonical, True, start, end, own, "organisation", roles)
        if head.pos_ != "PROPN":
            return None
        # No entity record: fall back to spaCy's own label on the head word.
        label = head.ent_type_
        if label in SPACY_PERSON or (not label and head.pos_ == "PROPN"):
            span = _ent_span(head) or (start, end)
            name = self.text[span[0] : span[1]]
            return Speaker(name, True, start, end, self._affiliation(head, exclude=None, skip=span),
                           "person" if label else "unknown", roles)
        if label in SPACY_ACTORS:
            span = _ent_span(head) or (start, end)
            actor = self._actor_name(self.text[span[0] : span[1]])
            return Speaker(actor, True, start, end, actor, "organisation", roles)
        return None

    def _named_in_apposition(self, head: Any) -> Speaker | None:
        """"The ministry's spokesman, Ahmed Fahmy, said": the name in apposition is the speaker.

        The parser often hangs the name on the last noun before it ("the vice president of the
        company, Mark Chandler"; "vice-president of marketing for the iPod, Greg Joswiak"). A
        person's name cannot stand in apposition to an organisation or a product, so a name
        hung there belongs to the speaker's head noun; a name hung on another noun for a person
        ("the lawyer for the mother, Jane Doe") does not.
        """
        if head.pos_ not in ("NOUN", "PROPN"):
            return None
        for owner, child in appositions(head):
            ent = self.entities.covering(child.idx, child.idx + len(child))
            if ent is None or ent.kind != "person":
                continue
            if owner.i != head.i and not self._thing_noun(owner):
                continue
            affiliation = ent.affiliation or self._affiliation(head, exclude=ent)
            roles = self._roles(head) | {head.lemma_.lower()} | _role_words(ent)
            return Speaker(ent.canonical, True, ent.start, ent.end, affiliation, "person",
                           frozenset(roles) & self.lexicon.person)
        return None

    def _thing_noun(self, tok: Any) -> bool:
        """True for an organisation or product noun: a named non-person entity ("the iPod",
        "Airbus") or an organisation noun ("the company")."""
        ent = self.entities.covering(tok.idx, tok.idx + len(tok))
        if ent is not None:
            return ent.kind != "person"
        if tok.ent_type_:
            return tok.ent_type_ not in SPACY_PERSON
        return tok.lemma_.lower() in self.lexicon.organisation

    def _remember(self, speaker: Speaker, pos: int) -> Speaker:
        for entry in reversed(self.entries):
            if entry.speaker.named and entry.speaker.name == speaker.name:
                entry.last = pos
                if speaker.affiliation is None and entry.speaker.affiliation is not None:
                    speaker = replace(speaker, affiliation=entry.speaker.affiliation)
                if speaker.roles - entry.speaker.roles:
                    entry.speaker = replace(entry.speaker, roles=entry.speaker.roles | speaker.roles)
                return speaker
        self.entries.append(_Entry(speaker, pos))
        return speaker

    # -- descriptions -------------------------------------------------------------------------

    def _description(self, head: Any, start: int, end: int) -> Speaker | None:
        lemma = head.lemma_.lower()
        plural = head.tag_ in ("NNS", "NNPS")
        lex = self.lexicon
        kind: SpeakerKind
        if lemma in lex.organisation and not plural:
            kind = "organisation"
        elif plural and (lemma in lex.group or lemma in lex.person):
            kind = "group"
        elif lemma in lex.person:
            kind = "person"
        else:
            kind = "unknown"
        if kind == "organisation":
            actor = self._affiliation(head, exclude=None)
            if actor is not None:
                # "the Hamas delegation", "the Israeli government": the actor speaks.
                return self._remember(Speaker(actor, True, start, end, actor, "organisation",
                                              frozenset({lemma})), head.idx)
        definite = any(c.dep_ == "det" and c.lower_ in DEFINITE_DETS for c in head.children)
        if definite:
            earlier = self._earlier_with_role(lemma, kind, head.idx)
            if earlier is not None:
                return earlier
        roles = self._roles(head) | {lemma}
        speaker = Speaker(self.text[start:end], False, start, end,
                          self._affiliation(head, exclude=None), kind, frozenset(roles))
        self.entries.append(_Entry(speaker, head.idx))
        return speaker

    def _earlier_with_role(self, lemma: str, kind: SpeakerKind, pos: int) -> Speaker | None:
        """The speaker a definite description ("the official", "the company") refers back to.

        People: the latest speaker the text gave this role noun. Organisations: an organisation
        the text introduced with this noun in apposition ("NPD Group, a market research firm");
        else an organisation named as a subject after the latest organisation speaker was last
        mentioned (the text has moved on to it); else that speaker; else the organisation named
        last, preferring one that was the subject of a clause."""
        by_recency = sorted(self.entries, key=lambda e: e.last, reverse=True)
        same_role = next((e for e in by_recency if lemma in e.speaker.roles), None)
        if kind != "organisation":
            if same_role is None:
                return None
            same_role.last = pos
            return same_role.speaker
        orgs = self.entities.before(pos, ORGANISATION_KINDS, MAX_PRONOUN_LOOKBACK)
        if lemma in self.lexicon.business:
            orgs = [e for e in orgs if not self._written_as_product(e)]
        doc = self._doc
        for ent in orgs:
            if doc is not None and lemma in _apposition_nouns(doc, ent):
                return self._remember(
                    Speaker(ent.canonical, True, ent.start, ent.end, ent.canonical, "organisation",
                            frozenset({lemma})), pos)
        entry = same_role or next((e for e in by_recency if e.speaker.kind == "organisation"), None)
        newer = next((e for e in orgs if (entry is None or e.start > entry.last)
                      and doc is not None and _in_subject(doc, e, owners=False)), None)
        if newer is not None:
            return self._remember(
                Speaker(newer.canonical, True, newer.start, newer.end, newer.canonical, "organisation"), pos)
        if entry is not None:
            entry.last = pos
            return entry.speaker
        if orgs:
            return self._remember(
                Speaker(orgs[0].canonical, True, orgs[0].start, orgs[0].end, orgs[0].canonical,
                        "organisation"), pos)
        return None

    def _written_as_product(self, ent: Entity) -> bool:
        """True when the text writes this organisation-tagged name after "the" ("The iPhone only
        made its appearance") and the name does not end like a company name ("the Walt Disney
        Co."): a business noun ("the company") does not refer back to it."""
        before = self.text[max(0, ent.start - 4) : ent.start]
        if before.lower() != "the ":
            return False
        words = self.text[ent.start : ent.end].lower().split()
        return not words or words[-1] not in self.lexicon.business_endings

    # -- pronouns -----------------------------------------------------------------------------

    def _pronoun(self, head: Any) -> Speaker | None:
        lower = head.lower_
        pos = head.idx
        if lower in PERSON_PRONOUNS:
            wanted: tuple[SpeakerKind, ...] = ("person",)
            entity_kinds = frozenset({"person"})
        elif lower in GROUP_PRONOUNS:
            wanted = ("group", "organisation")
            entity_kinds = frozenset()
        elif lower in THING_PRONOUNS:
            if _is_expletive(head):
                return None
            wanted = ("organisation",)
            entity_kinds = ORGANISATION_KINDS
        else:
            return None  # I, we, you: the speaker is the one quoting them, not found here
        best: _Entry | None = None
        for entry in self.entries:
            if entry.speaker.kind in wanted and entry.last < pos and (best is None or entry.last > best.last):
                best = entry
        # A person named as a subject after the latest speaker is the likelier antecedent.
        head_doc = head.doc
        for ent in self.entities.before(pos, entity_kinds, MAX_PRONOUN_LOOKBACK):
            if best is not None and ent.start <= best.last:
                break
            if _in_subject(head_doc, ent):
                speaker = Speaker(ent.canonical, True, ent.start, ent.end,
                                  ent.affiliation if ent.kind == "person" else ent.canonical,
                                  "person" if ent.kind == "person" else "organisation",
                                  _role_words(ent))
                self._remember(speaker, pos)
                return speaker
        if best is None:
            return None
        best.last = pos
        return best.speaker

    # -- pieces -------------------------------------------------------------------------------

    def _roles(self, head: Any) -> frozenset[str]:
        """Role nouns around a speaker head: compounds and modifiers ("Hamas official Osama
        Hamdan" -> official) and an apposition's head ("Jobs, the chief executive")."""
        out = set()
        for tok in head.subtree:
            if tok.i == head.i or tok.pos_ not in ("NOUN", "ADJ"):
                continue
            lemma = tok.lemma_.lower()
            if lemma in self.lexicon.person:
                out.add(lemma)
        return frozenset(out)

    def _affiliation(self, head: Any, exclude: Entity | None, skip: tuple[int, int] | None = None) -> str | None:
        """The nearest actor named inside the speaker's phrase (appositions included)."""
        tokens = [t for t in _affiliation_tokens(head) if t.i != head.i]
        if not tokens:
            return None
        ranked = sorted(tokens, key=lambda t: abs(t.i - head.i))
        for tok in ranked:
            ent = self.entities.covering(tok.idx, tok.idx + len(tok))
            if ent is None or ent is exclude or ent.kind not in ACTOR_KINDS:
                continue
            if skip and skip[0] <= ent.start and ent.end <= skip[1]:
                continue
            return ent.canonical
        for tok in ranked:
            if skip and skip[0] <= tok.idx < skip[1]:
                continue
            if tok.ent_type_ in SPACY_ACTORS or (tok.pos_ == "PROPN" and tok.ent_type_ != "PERSON"):
                span = _ent_span(tok) or (tok.idx, tok.idx + len(tok))
                name = self._actor_name(self.text[span[0] : span[1]], strict=tok.ent_type_ not in SPACY_ACTORS)
                if name:
                    return name
        return None

    def _actor_name(self, surface: str, strict: bool = False) -> str | None:
        """Canonical actor for a surface form via actors.resolve_actor when available."""
        actor = None
        if self.resolve_actor is not None:
            try:
                actor = self.resolve_actor(surface)
            except Exception:  # a lookup failure must not lose the quote
                log.debug("resolve_actor failed on %r", surface, exc_info=True)
        if actor is not None:
            return str(getattr(actor, "canonical", actor))
        return None if strict else surface


def _affiliation_tokens(head: Any) -> list[Any]:
    """The speaker phrase plus its appositions ("Jobs, the chief executive of Apple"): where the
    text says whom a speaker speaks for. Relative clauses and "to Reuters" say something else."""
    out: list[Any] = []

    def walk(tok: Any) -> None:
        out.append(tok)
        for child in tok.children:
            if child.dep_ in ("relcl", "advcl", "acl", "parataxis", "punct", "cc"):
                continue
            if child.dep_ == "prep" and child.lower_ not in PHRASE_KEEP_PREPS:
                continue
            walk(child)

    walk(head)
    return sorted(out, key=lambda t: t.i)


def appositions(head: Any) -> list[tuple[Any, Any]]:
    """`(owner, apposition)` pairs inside the speaker phrase of `head`, nearest first: the
    phrase is walked through modifiers, prepositional objects and conjuncts, not clauses."""
    out: list[tuple[Any, Any]] = []
    queue = [head]
    seen = {head.i}
    while queue:
        tok = queue.pop(0)
        for child in tok.children:
            if child.i in seen:
                continue
            seen.add(child.i)
            if child.dep_ == "appos":
                out.append((tok, child))
            if child.dep_ in ("appos", "prep", "pobj", "conj", "compound", "poss", "amod", "nmod"):
                queue.append(child)
    return out


def _document_author(head: Any, lexicon: RoleLexicon) -> Any:
    """Who is behind a document noun: "a statement from Apple", "a report by the UN", "the
    ministry's statement", "the company website", "a Pentagon report"; None when unsaid."""
    by = by_author(head)
    if by is not None:
        return by
    for child in head.children:
        if child.dep_ == "poss" and child.pos_ != "PRON":
            return child
        if child.dep_ == "compound" and (child.ent_type_ in SPACY_ACTORS
                                         or child.lemma_.lower() in lexicon.organisation):
            return child
    return None


def by_author(head: Any) -> Any:
    """The agent of a noun: "a statement from Apple", "a report by the UN", "figures
    released by NPD Group"; None when there is none."""
    for child in head.children:
        if child.dep_ == "acl":
            for agent in child.children:
                if agent.dep_ == "agent" or (agent.dep_ == "prep" and agent.lower_ == "by"):
                    return next((o for o in agent.children if o.dep_ == "pobj"), None)
        if child.dep_ == "prep" and child.lower_ in ("by", "from"):
            return next((o for o in child.children if o.dep_ == "pobj"), None)
    return None


def _glued(tok: Any) -> bool:
    """True for punctuation written inside a word ("El-Reshiq", "Al-Aqsa")."""
    doc = tok.doc
    if tok.i == 0 or tok.i + 1 >= len(doc):
        return False
    return not doc[tok.i - 1].whitespace_ and not tok.whitespace_ and tok.text in "-–'’."


def _role_words(ent: Entity) -> frozenset[str]:
    if not ent.role:
        return frozenset()
    lex = role_lexicon()
    return frozenset(w for w in ent.role.lower().split() if w in lex.person)


def _ent_span(tok: Any) -> tuple[int, int] | None:
    """Character span of the spaCy entity containing `tok`, if any."""
    if not tok.ent_type_:
        return None
    for ent in tok.doc.ents:
        if ent.start <= tok.i < ent.end:
            return ent.start_char, ent.end_char
    return None


def _is_expletive(tok: Any) -> bool:
    # "it is expected that ...", "it was reported that ...": no one is speaking.
    head = tok.head
    return tok.dep_ in ("expl", "nsubjpass") or any(c.dep_ == "auxpass" for c in head.children)


def _apposition_nouns(doc: Any, ent: Entity) -> set[str]:
    """Lemmas of the nouns in apposition to an entity mention ("a market research firm")."""
    span = doc.char_span(ent.start, ent.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return set()
    root = span.root
    return {c.lemma_.lower() for c in root.children if c.dep_ == "appos"}


def _in_subject(doc: Any, ent: Entity, owners: bool = True) -> bool:
    """True when entity mention `ent` is (part of) the subject of a clause in `doc`; with
    `owners=False` a possessor inside the subject ("AOL's messenger was shown") does not count."""
    span = doc.char_span(ent.start, ent.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return False
    tok = span.root
    for _ in range(4):
        if tok.dep_ in SUBJECT_DEPS:
            return True
        allowed = ("compound", "appos", "conj", "poss", "flat") if owners else ("compound", "appos", "conj", "flat")
        if tok.dep_ not in allowed or tok.head.i == tok.i:
            return False
        tok = tok.head
    return False


def spacy_entities(parsed: Any, resolve_actor: ActorResolver | None = None) -> list[Entity]:
    """Entity records from spaCy NER alone: the fallback when no entities stage has run."""
    kinds = {"PERSON": "person", "ORG": "organisation", "GPE": "country", "NORP": "other"}
    out: list[Entity] = []
    for ent in parsed.ents:
        kind = kinds.get(ent.label_)
        if kind is None:
            continue
        canonical = ent.text
        if resolve_actor is not None and kind != "person":
            actor = resolve_actor(ent.text)
            if actor is not None:
                canonical = str(getattr(actor, "canonical", canonical))
                kind = str(getattr(actor, "kind", kind)) or kind
        if kind == "other" and canonical != ent.text:
            kind = "country"
        out.append(Entity(ent.start_char, ent.end_char, canonical, kind, ner_label=ent.label_))  # type: ignore[arg-type]
    return out
