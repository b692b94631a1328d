"""Negotiation issues: find the phrases that name what is negotiated and give each a normalised key.

An issue mention is a phrase around a head word from the issue vocabulary
(`tidings/data/negotiation/issues.toml`): "withdrawal", "withdraw", "presence", "ceasefire",
"release", "wage" ... Its key is `<type>:<object>` (see the data file for the scheme):

    "Israeli presence in the Philadelphi Corridor"      -> presence:philadelphi-corridor
    "Israeli troops on the Philadelphi corridor"         -> presence:philadelphi-corridor
    "withdraw troops from the Philadelphi corridor"      -> withdrawal:philadelphi-corridor
                                                            (linked to presence:philadelphi-corridor)
    "release of Palestinian detainees"                   -> release:palestine-prisoners
    "a permanent ceasefire"                              -> ceasefire:permanent

Places are named by the gazetteer (via the Doc's places), actors and nationalities by the actor
gazetteer (via the Doc's entities), so variants of a name give one key. `linked_keys` and
`same_issue` say which keys are one issue across articles.

`IssueFinder.mentions_under(token)` looks below a stance word ("demanded", "rejected",
"backtracked on") for the nearest issue phrase and the phrases coordinated with it; it splits
coordinated places and groups ("the Philadelphi Corridor and the Netzarim Corridor") into one
mention each. `issue_key(phrase)` keys a free-standing phrase (it parses it).
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tidings.extract.actors import resolve_actor
from tidings.records import Issue, Stance

log = logging.getLogger(__name__)

ISSUES_FILE = "issues.toml"
"""The shipped issue vocabulary, in `tidings/data/negotiation/`."""
MAX_ISSUE_DEPTH = 7
"""Most dependency levels searched below a stance word for an issue head ("accepted a proposal
to begin talks on releasing hostages" is 5 deep); calibrated on the sample and the invented test
articles, deeper finds were modifiers of modifiers."""
MAX_NOUN_WORDS = 3
"""Most content words in a `noun` object of a key; longer complements are cut (keys stay short
and stable across wordings)."""
MAX_LABEL_TOKENS = 16
"""Longest readable label, in tokens; a longer phrase is cut at its first clause break."""
QUALIFIER_DEPTH = 3
"""How far below the head a qualifier may sit ("ceasefire of at least 30 days": day is 3 down)."""

_SKIP_BELOW = frozenset({"relcl", "appos", "advcl", "parataxis", "punct", "cc", "mark", "neg",
                         "aux", "auxpass", "nsubj", "csubj", "expl", "dep", "npadvmod"})
"""Dependencies not followed when looking for an issue or its object: they are other clauses,
the actor, or function words."""
_LABEL_DROP = frozenset({"relcl", "appos", "advcl", "parataxis", "mark", "aux", "auxpass",
                         "neg", "nsubj", "csubj", "expl", "dep", "npadvmod"})
_TEMPORAL_PREPS = frozenset({"after", "before", "during", "since", "until", "amid", "following"})
"""Prepositions of time: their phrase says when, never what is negotiated."""
_SESSION_NOUNS = frozenset({"talk", "talks", "meeting", "summit", "negotiation", "round", "session"})
"""Nouns after "at" that name the talks themselves ("agreed to exchange prisoners at talks in
Istanbul"): left out of labels."""
_LABEL_DROP_PREPS = frozenset({"including", "like", "such"})
"""Prepositions whose phrase is an example list, left out of labels."""
_LOCATIVE = frozenset({"on", "in", "at", "along", "inside", "within", "across", "near", "around"})
_COMPLEMENT_PREPS = ("of", "from", "on", "in", "to", "over", "about", "for", "at", "along", "into")
_PRONOUNS = frozenset({"its", "their", "our", "my", "his", "her", "your"})
_NAME_KINDS_NOT_OWNERS = frozenset({"person", "media"})
_SLUG = re.compile(r"[^a-z0-9]+")


# --- vocabulary -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssueType:
    """One kind of issue from the vocabulary (one `[types.<name>]` table)."""

    name: str
    """The type, the first part of every key of this type ("withdrawal")."""
    objects: tuple[str, ...]
    """Object kinds tried in order: place, group, actor, qualifier, noun."""
    needs_object: bool
    """True when a mention without an object is no issue."""
    look_through: bool
    """True for frames around other issues ("talks on X"): a nested issue wins."""
    carriers: frozenset[str]
    """Nouns that name this issue with a locative place ("troops on the corridor")."""
    qualifiers: Mapping[str, str]
    """Modifier lemma -> canonical qualifier."""
    qualifier_order: tuple[str, ...]
    """Which canonical qualifier wins when several are present."""
    object_preps: tuple[str, ...] = ()
    """Prepositions whose object is the `noun` object, tried before a verb's direct object
    ("withdraw troops from the cities": from)."""


@dataclass(frozen=True, slots=True)
class IssueVocabulary:
    """The issue types, their head words, the people groups and the linked types."""

    types: Mapping[str, IssueType]
    """Type name -> type."""
    heads: Mapping[str, str]
    """Head word (lemma, or "verb particle" for phrasal verbs) -> type name."""
    carriers: Mapping[str, str]
    """Carrier noun -> type name (see `IssueType.carriers`)."""
    groups: Mapping[str, str]
    """People noun (lemma, or multi-word as written) -> canonical group."""
    group_modifiers: Mapping[str, str]
    """Adjective -> canonical group it makes of a people noun ("displaced")."""
    links: Mapping[str, frozenset[str]]
    """Type name -> the types linked to it (itself included)."""
    stop: frozenset[str]
    """Words never part of a key."""


def data_dir() -> Path:
    """The shipped negotiation data directory."""
    return Path(__file__).resolve().parents[1] / "data" / "negotiation"


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        elif isinstance(value, list) and isinstance(out.get(key), list):
            out[key] = out[key] + [v for v in value if v not in out[key]]
        else:
            out[key] = value
    return out


def read_toml(paths: Iterable[Path | str]) -> dict[str, Any]:
    """Read and merge TOML files in order (lists merged, tables merged key by key).

    Raises ValueError naming the file when one is not valid TOML.
    """
    data: dict[str, Any] = {}
    for path in paths:
        try:
            with open(path, "rb") as fh:
                data = _merge(data, tomllib.load(fh))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML ({exc}); fix the file or leave it out") from exc
    return data


@functools.lru_cache(maxsize=8)
def _load_vocabulary(extra: tuple[str, ...]) -> IssueVocabulary:
    data = read_toml([data_dir() / ISSUES_FILE, *extra])
    types: dict[str, IssueType] = {}
    heads: dict[str, str] = {}
    carriers: dict[str, str] = {}
    for name, row in data.get("types", {}).items():
        kinds = tuple(row.get("objects", ()))
        unknown = set(kinds) - {"place", "group", "actor", "qualifier", "noun"}
        if unknown:
            raise ValueError(f"issue type {name!r}: unknown object kinds {sorted(unknown)}")
        types[name] = IssueType(
            name=name, objects=kinds, needs_object=bool(row.get("needs_object", False)),
            look_through=bool(row.get("look_through", False)),
            carriers=frozenset(w.lower() for w in row.get("carriers", ())),
            qualifiers={k.lower(): v for k, v in row.get("qualifiers", {}).items()},
            qualifier_order=tuple(row.get("qualifier_order", ())),
            object_preps=tuple(p.lower() for p in row.get("object_preps", ())),
        )
        for head in row.get("heads", ()):
            heads.setdefault(head.lower(), name)
        for word in row.get("carriers", ()):
            carriers.setdefault(word.lower(), name)
    links: dict[str, frozenset[str]] = {name: frozenset({name}) for name in types}
    for group in data.get("links", {}).get("sets", []):
        members = frozenset(group)
        for name in group:
            links[name] = links.get(name, frozenset({name})) | members
    return IssueVocabulary(
        types=types, heads=heads, carriers=carriers,
        groups={k.lower(): v for k, v in data.get("groups", {}).items()},
        group_modifiers={k.lower(): v for k, v in data.get("group_modifiers", {}).items()},
        links=links,
        stop=frozenset(w.lower() for w in data.get("normalise", {}).get("stop", ())),
    )


def load_vocabulary(extra_files: Sequence[Path | str] = ()) -> IssueVocabulary:
    """The shipped issue vocabulary plus `extra_files` (same TOML shape), loaded once."""
    return _load_vocabulary(tuple(str(Path(p).resolve()) for p in extra_files))


# --- keys -------------------------------------------------------------------------------------


def slug(text: str) -> str:
    """Lower-case ASCII words joined by "-" ("Philadelphi Corridor" -> "philadelphi-corridor")."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _SLUG.sub("-", folded).strip("-")


def split_key(key: str) -> tuple[str, str | None]:
    """`(type, object)` of a key; object None for a bare type."""
    kind, _, obj = key.partition(":")
    return kind, (obj or None)


def linked_keys(key: str, vocab: IssueVocabulary | None = None) -> frozenset[str]:
    """Every key that names the same issue as `key`: the linked types with the same object, and
    the bare type(s) ("withdrawal:gaza-strip" -> {withdrawal:gaza-strip, presence:gaza-strip,
    withdrawal, presence})."""
    vocab = vocab or load_vocabulary()
    kind, obj = split_key(key)
    kinds = vocab.links.get(kind, frozenset({kind}))
    out = {f"{k}:{obj}" if obj else k for k in kinds}
    if obj:
        out |= set(kinds)
        for group in set(vocab.groups.values()) | set(vocab.group_modifiers.values()):
            if obj.endswith(f"-{group}"):  # "release:israel-hostages" ~ "release:hostages"
                out |= {f"{k}:{group}" for k in kinds}
    out.add(key)
    return frozenset(out)


def same_issue(a: str, b: str, vocab: IssueVocabulary | None = None) -> bool:
    """True when keys `a` and `b` name one issue: equal, or linked types with the same object
    (a bare type matches only a bare type: "ceasefire" is not "ceasefire:permanent")."""
    if a == b:
        return True
    vocab = vocab or load_vocabulary()
    ka, oa = split_key(a)
    kb, ob = split_key(b)
    return oa == ob and kb in vocab.links.get(ka, frozenset({ka}))


# --- names ------------------------------------------------------------------------------------


class Names:
    """Resolves tokens to gazetteer places and canonical actors through a Doc's spans."""

    def __init__(self, places: Sequence[Any] = (), entities: Sequence[Any] = ()) -> None:
        self.places = sorted(places, key=lambda p: p.start)
        self.entities = sorted(entities, key=lambda e: e.start)
        self._place_starts = [p.start for p in self.places]
        self._entity_starts = [e.start for e in self.entities]

    @staticmethod
    def _at(items: list[Any], starts: list[int], offset: int) -> Any | None:
        i = bisect.bisect_right(starts, offset) - 1
        while i >= 0:
            item = items[i]
            if item.start <= offset < item.end:
                return item
            if item.end <= offset and offset - item.start > 200:
                break
            i -= 1
        return None

    def place(self, tok: Any) -> Any | None:
        """The Place record covering `tok`, if any."""
        return self._at(self.places, self._place_starts, tok.idx)

    def entity(self, tok: Any) -> Any | None:
        """The Entity record covering `tok`, if any."""
        return self._at(self.entities, self._entity_starts, tok.idx)

    def actor(self, tok: Any) -> str | None:
        """Canonical actor (not a person or outlet) that `tok` names or is the demonym of."""
        ent = self.entity(tok)
        if ent is not None:
            return None if ent.kind in _NAME_KINDS_NOT_OWNERS else str(ent.canonical)
        if tok.text[:1].isupper() and tok.ent_type_ in ("NORP", "GPE", "ORG", ""):
            found = resolve_actor(tok.text)
            if found is not None and found.kind not in _NAME_KINDS_NOT_OWNERS:
                return found.canonical
        return None


# --- mentions ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IssueMention:
    """One phrase that names an issue, with its key."""

    key: str
    """Normalised key ("presence:philadelphi-corridor")."""
    type: str
    """Issue type (the key's first part)."""
    label: str
    """The phrase as a readable label (leading article and side clauses dropped)."""
    start: int
    """Start of the phrase in the text."""
    end: int
    """End of the phrase in the text."""
    head: int
    """Token index of the head word in the parse."""
    object_kind: str | None
    """Which object kind made the key's object (place, group, ...), None for a bare type."""


class IssueFinder:
    """Finds issue mentions in a parse, with the Doc's places and entities as `names`."""

    def __init__(self, vocab: IssueVocabulary, names: Names, frames: Iterable[str] = ()) -> None:
        self.vocab = vocab
        self.names = names
        self.frames = frozenset(frames)
        """Nouns whose relative clause states the issue ("any arrangement that would leave the
        rebels in control of Goma", "any contract that lets automation take our jobs")."""

    # --- which word is an issue head --------------------------------------------------------

    def type_of(self, tok: Any) -> IssueType | None:
        """The issue type `tok` heads, if any (phrasal verbs and hyphenated words included)."""
        if tok.is_punct or tok.like_num or self.names.place(tok) is not None:
            return None
        vocab = self.vocab
        lemma, lower = tok.lemma_.lower(), tok.lower_
        carrier = vocab.carriers.get(lemma) or vocab.carriers.get(lower)
        if carrier is not None and self._locative_place(tok) is not None:
            return vocab.types[carrier]  # "Israeli troops on the corridor" (an entity or not)
        if self.names.entity(tok) is not None:
            return None  # a word of a name ("Indus Waters Treaty") is no issue head
        forms = []
        particles = [c for c in tok.children if c.dep_ == "prt"]
        if particles:
            forms.append(f"{lemma} {particles[0].lower_}")
        hyphen = _hyphen_form(tok)
        if hyphen:
            forms.append(hyphen)
        forms += [lemma, lower]
        for form in forms:
            name = vocab.heads.get(form)
            if name is not None:
                if _idiom(tok):
                    return None
                return vocab.types[name]
        return None

    def _locative_place(self, tok: Any) -> Any | None:
        for child in tok.children:
            if child.dep_ == "prep" and child.lower_ in _LOCATIVE:
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        for t in pobj.subtree:
                            if self.names.place(t) is not None:
                                return t
        return None

    # --- search below a stance word ----------------------------------------------------------

    def mentions_under(self, root: Any, *, owner: str | None = None,
                       skip: Iterable[int] = ()) -> list[IssueMention]:
        """The issue mentions nearest below `root` (root included), with their conjuncts.

        Searches breadth first (nearest first) through `root`'s dependents, not into other
        clauses or the subject; stops after the first level that yields a mention. `owner` is
        the canonical actor a possessive pronoun stands for ("their fighters"); `skip` holds
        token indices not to search.
        """
        skipped = set(skip)
        level: list[Any] = [root]
        found: list[IssueMention] = []
        seen: set[int] = set()
        for _ in range(MAX_ISSUE_DEPTH + 1):
            nxt: list[Any] = []
            for tok in level:
                if tok.i in seen or tok.i in skipped:
                    continue
                seen.add(tok.i)
                made = self.mentions_at(tok, owner=owner)
                if made:
                    found += made
                    for conj in tok.conjuncts:
                        if conj.i not in seen and conj.i > tok.i:
                            seen.add(conj.i)
                            found += self.mentions_at(conj, owner=owner)
                    continue
                for child in tok.children:
                    if child.dep_ in _SKIP_BELOW and not (child.dep_ == "relcl" and tok.lemma_.lower() in self.frames):
                        continue
                    if child.dep_ == "prep" and (child.lower_ in _TEMPORAL_PREPS or _is_time(child)):
                        continue  # "agreed to a ceasefire after talks ...": when, not what
                    if tok.i == root.i and child.dep_ == "conj" and child.pos_ in ("VERB", "AUX"):
                        continue  # a coordinated clause is another event
                    nxt.append(child)
            if found:
                break
            level = nxt
            if not level:
                break
        unique: dict[tuple[str, int], IssueMention] = {}
        for m in found:
            unique.setdefault((m.key, m.start), m)
        return list(unique.values())

    # --- one head ------------------------------------------------------------------------------

    def mentions_at(self, tok: Any, *, owner: str | None = None) -> list[IssueMention]:
        """The mentions headed by `tok` (several when its object is a coordination), or []."""
        kind = self.type_of(tok)
        if kind is None:
            return []
        if kind.look_through and self._nested_issue(tok):
            return []
        scope = self._scope(tok)
        for object_kind in kind.objects:
            objects = self._objects(object_kind, tok, kind, scope, owner)
            if objects:
                return [self._mention(kind, tok, obj, object_kind, drop)
                        for obj, drop in objects]
        if kind.needs_object:
            return []
        return [self._mention(kind, tok, None, None, set())]

    def _nested_issue(self, tok: Any) -> bool:
        for t in tok.subtree:
            if t.i == tok.i:
                continue
            other = self.type_of(t)
            if other is not None and not other.look_through:
                return True
        return False

    def _scope(self, tok: Any) -> list[Any]:
        """The head's own phrase: its dependents minus other clauses, the subject and the
        heads coordinated with it."""
        out: list[Any] = [tok]
        stack = [c for c in tok.children if c.dep_ not in _SKIP_BELOW and c.dep_ != "conj"]
        while stack:
            t = stack.pop()
            out.append(t)
            stack += [c for c in t.children if c.dep_ not in ("relcl", "appos", "advcl", "parataxis", "acl")]
        return sorted(out, key=lambda t: t.i)

    def _objects(self, object_kind: str, head: Any, kind: IssueType, scope: list[Any],
                 owner: str | None) -> list[tuple[str, set[int]]]:
        """Candidate objects of one kind: `(object, token indices to drop from the label)`."""
        if object_kind == "place":
            return self._place_objects(head, scope)
        if object_kind == "group":
            return self._group_objects(head, scope, owner)
        if object_kind == "actor":
            for t in scope:
                if t.i != head.i and t.dep_ not in ("amod", "compound", "poss"):
                    name = self.names.actor(t)
                    if name:
                        return [(slug(name), set())]
            return []
        if object_kind == "qualifier":
            return self._qualifier(head, kind)
        if object_kind == "noun":
            words = self._noun_words(head, kind)
            return [("-".join(words), set())] if words else []
        return []

    def _place_objects(self, head: Any, scope: list[Any]) -> list[tuple[str, set[int]]]:
        anchors: list[tuple[Any, Any]] = []  # (place record, its syntactic anchor token)
        for t in scope:
            place = self.names.place(t)
            if place is None or any(p is place for p, _ in anchors):
                continue
            if t.i == head.i or (t.dep_ in ("amod", "compound", "poss") and t.head.i == head.i
                                 and place.feature in ("country",)):
                continue  # "Israeli withdrawal": a nationality modifier is an owner, not the object
            anchor = t
            while anchor.dep_ == "compound" and place.start <= anchor.head.idx < place.end:
                anchor = anchor.head
            anchors.append((place, anchor))
        if not anchors:
            return []
        first_place, first = anchors[0]
        group = [(first_place, first)]
        conj_ids = {c.i for c in first.conjuncts}
        for place, anchor in anchors[1:]:
            if anchor.i in conj_ids or (anchor.dep_ == first.dep_ == "compound" and anchor.head.i == first.head.i):
                group.append((place, anchor))
        out: list[tuple[str, set[int]]] = []
        for place, anchor in group:
            drop: set[int] = set()
            for other_place, other in group:
                if other is not anchor:
                    drop |= {t.i for t in other.subtree if t.i not in {a.i for a in anchor.subtree}}
                    drop |= {c.i for c in other.children if c.dep_ == "cc"}
            drop |= {c.i for c in anchor.children if c.dep_ in ("cc", "conj")} - {anchor.i}
            for c in anchor.children:
                if c.dep_ == "conj":
                    drop |= {t.i for t in c.subtree}
            out.append((slug(place.name), drop))
        return out

    def _group_of(self, tok: Any, owner: str | None) -> str | None:
        vocab = self.vocab
        lemma, lower = tok.lemma_.lower(), tok.lower_
        group = None
        for child in tok.children:  # "prisoners of war"
            if child.dep_ == "prep":
                for pobj in child.children:
                    form = f"{lemma} {child.lower_} {pobj.lemma_.lower()}"
                    if form in vocab.groups:
                        group = vocab.groups[form]
        group = group or vocab.groups.get(lower) or vocab.groups.get(lemma)
        people = None
        if group is None and tok.pos_ in ("NOUN", "PROPN") and tok.tag_ in ("NNS", "NNPS"):
            people = self.names.actor(tok)  # "Palestinians"
            if people is None:
                return None
        mods = [c for c in tok.children if c.dep_ in ("amod", "compound", "poss", "nmod")]
        if people is not None:
            made = [vocab.group_modifiers.get(m.lower_) or vocab.group_modifiers[m.lemma_.lower()]
                    for m in mods
                    if m.lower_ in vocab.group_modifiers or m.lemma_.lower() in vocab.group_modifiers]
            group = made[0] if made else "people"
            return f"{slug(people)}-{group}"
        if group is None:
            return None
        whose = None
        for m in mods:
            if m.lower_ in _PRONOUNS and m.dep_ == "poss":
                whose = owner
            else:
                whose = whose or self.names.actor(m)
        return f"{slug(whose)}-{group}" if whose else group

    def _group_objects(self, head: Any, scope: list[Any], owner: str | None) -> list[tuple[str, set[int]]]:
        for t in scope:
            if (t.i == head.i and head.pos_ == "VERB") or t.pos_ not in ("NOUN", "PROPN"):
                continue
            group = self._group_of(t, owner)
            if group is None:
                continue
            conj_ids = {x.i for c in t.conjuncts for x in c.subtree}
            out = [(group, conj_ids | {c.i for c in t.children if c.dep_ == "cc"})]
            for conj in t.conjuncts:
                other = self._group_of(conj, owner)
                if other is not None and other != group:
                    own = {x.i for x in conj.subtree}
                    out.append((other, {x.i for x in t.subtree} - own))
            return out
        return []

    def _qualifier(self, head: Any, kind: IssueType) -> list[tuple[str, set[int]]]:
        found: list[str] = []
        level = [_phrase_head(head)]  # "a seven-day ceasefire agreement": seven-day is on agreement
        for _ in range(QUALIFIER_DEPTH + 1):
            nxt = []
            for t in level:
                for form in (t.lemma_.lower(), t.lower_, _hyphen_form(t)):
                    if t.i != head.i and form and form in kind.qualifiers:
                        found.append(kind.qualifiers[form])
                        break
                nxt += [c for c in t.children if c.dep_ not in ("relcl", "conj", "cc", "appos", "acl")]
            level = nxt
        if not found:
            return []
        order = {q: i for i, q in enumerate(kind.qualifier_order)}
        return [(min(found, key=lambda q: order.get(q, len(order))), set())]

    def _noun_words(self, head: Any, kind: IssueType) -> list[str]:
        comp = self._complement(head, kind.object_preps)
        if comp is None and head.pos_ in ("VERB", "AUX"):
            comp = next((c for c in head.children if c.dep_ in ("dobj", "obj", "nsubjpass")), None)
        if comp is None:
            comp = self._complement(head, _COMPLEMENT_PREPS)
        tokens = list(comp.subtree) if comp is not None else [
            c for c in head.children if c.dep_ in ("compound", "amod") and c.i < head.i]
        if comp is not None:
            tokens = [t for t in tokens if not any(a.dep_ in ("relcl", "acl", "appos") and a.i != comp.i
                                                   for a in _path_to(t, comp))]
        words: list[str] = []
        seen_names: set[int] = set()
        for t in tokens:
            if t.is_punct or t.like_num or t.pos_ in ("DET", "PRON", "ADP", "CCONJ", "AUX", "PART", "NUM"):
                continue
            place = self.names.place(t)
            ent = self.names.entity(t)
            named = place or ent
            if named is not None:
                if id(named) in seen_names:
                    continue
                seen_names.add(id(named))
                word = slug(place.name if place is not None else named.canonical)
            else:
                word = slug(t.lemma_)
            if word and word not in self.vocab.stop and word not in words:
                words.append(word)
        return words[:MAX_NOUN_WORDS]

    def _complement(self, head: Any, preps: Sequence[str]) -> Any | None:
        """The object of the first of `preps` under `head` that is not an actor ("withdrawal of
        M23 fighters from the cities": of gives who withdraws, from what)."""
        for prep in preps:
            for c in head.children:
                if c.dep_ == "prep" and c.lower_ == prep:
                    comp = next((p for p in c.children if p.dep_ in ("pobj", "pcomp")), None)
                    if comp is not None and not self.names.actor(comp) and self._group_of(comp, None) is None:
                        return comp
        return None

    # --- the mention ---------------------------------------------------------------------------

    def _mention(self, kind: IssueType, head: Any, obj: str | None, object_kind: str | None,
                 drop: set[int]) -> IssueMention:
        key = f"{kind.name}:{obj}" if obj else kind.name
        base = _phrase_head(head)
        tokens = self._label_tokens(base, drop)
        label = "".join(t.text_with_ws for t in tokens).strip()
        start = tokens[0].idx if tokens else head.idx
        end = (tokens[-1].idx + len(tokens[-1].text)) if tokens else head.idx + len(head.text)
        return IssueMention(key, kind.name, label, start, end, head.i, object_kind)

    def _label_tokens(self, base: Any, drop: set[int]) -> list[Any]:
        keep: list[Any] = []
        stack = [base]
        while stack:
            t = stack.pop()
            if t.i not in drop:
                keep.append(t)
            for c in t.children:
                if c.dep_ in _LABEL_DROP or (t.i == base.i and c.dep_ in ("conj", "cc")):
                    continue
                if c.dep_ == "prep" and (c.lower_ in _LABEL_DROP_PREPS or c.lower_ in _TEMPORAL_PREPS
                                         or _is_time(c) or _is_session(c)):
                    continue
                if c.dep_ == "acl" and t.i != base.i and len(list(c.subtree)) > 6:
                    continue
                stack.append(c)
        keep.sort(key=lambda t: t.i)
        # contiguous run around the base only (a dropped middle would make a false phrase)
        run = [t for t in keep]
        while run and (run[0].dep_ in ("det", "punct", "prep") or run[0].lower_ in _PRONOUNS
                       or run[0].lower_ in ("that", "to")):
            run.pop(0)
        while run and (run[-1].is_punct or run[-1].dep_ in ("cc", "prep")):
            run.pop()
        if len(run) > MAX_LABEL_TOKENS:
            run = run[:MAX_LABEL_TOKENS]
        return run or [base]


def _phrase_head(tok: Any) -> Any:
    """The noun a modifier issue word belongs to ("wage increase": increase), else `tok`."""
    if tok.dep_ in ("compound", "amod") and tok.head.pos_ == "NOUN" and tok.head.i > tok.i:
        return tok.head
    return tok


def _hyphen_form(tok: Any) -> str | None:
    """"cease-fire" for the "fire" of "cease - fire" (the last part heads a hyphenated word)."""
    if tok.i >= 2 and tok.nbor(-1).text == "-" and not tok.nbor(-1).whitespace_ and not tok.nbor(-2).whitespace_:
        return f"{tok.nbor(-2).lower_}-{tok.lower_}"
    return None


def _idiom(tok: Any) -> bool:
    """True for "in exchange for", "in return for": a connective, not an issue."""
    return (tok.dep_ == "pobj" and tok.head.lower_ == "in"
            and any(c.dep_ == "prep" and c.lower_ == "for" for c in tok.children))


def _is_time(prep: Any) -> bool:
    """True for "on Saturday", "in July": a preposition whose object is a date or time."""
    objs = [c for c in prep.children if c.dep_ == "pobj"]
    return bool(objs) and all(o.ent_type_ in ("DATE", "TIME") for o in objs)


def _is_session(prep: Any) -> bool:
    return prep.lower_ in ("at", "during") and any(
        c.dep_ == "pobj" and c.lemma_.lower() in _SESSION_NOUNS for c in prep.children)


def _path_to(tok: Any, top: Any) -> list[Any]:
    """Tokens from `tok` up to (not including) `top`."""
    path = []
    cur = tok
    for _ in range(50):
        if cur.i == top.i or cur.head.i == cur.i:
            break
        path.append(cur)
        cur = cur.head
    return path


# --- issues of an article -----------------------------------------------------------------------


def deal_mention(tok: Any) -> IssueMention:
    """The issue "deal" named by a proposal/deal noun ("several compromises presented by
    mediators"): the whole proposal when nothing more specific is said."""
    tokens = sorted(tok.subtree, key=lambda t: t.i)
    kept = [t for t in tokens if not (t.i < tok.i and t.dep_ == "det")]
    label = [t for t in kept if not any(a.dep_ == "relcl" for a in [t, *_path_to(t, tok)])]
    return IssueMention("deal", "deal", "".join(t.text_with_ws for t in label).strip(),
                        kept[0].idx, max(t.idx + len(t.text) for t in kept), tok.i, None)


def assemble_issues(items: Sequence[tuple[IssueMention, Stance | None]],
                    vocab: IssueVocabulary | None = None) -> list[Issue]:
    """`Issue` records from mentions and the stances taken on them, in order of first mention.

    Mentions whose keys name the same issue (`same_issue`) are one issue; a bare key
    ("ceasefire") joins the one specific key of its type when there is just one
    ("ceasefire:temporary"). The issue's key is its first mention's with an object (else its
    first mention's), its label that mention's; `related` holds every other key it goes by.
    """
    vocab = vocab or load_vocabulary()
    groups: list[dict[str, Any]] = []
    for mention, stance in items:
        group = next((g for g in groups if any(same_issue(mention.key, k, vocab) for k in g["keys"])), None)
        if group is None:
            group = {"keys": [], "mentions": [], "stances": []}
            groups.append(group)
        if mention.key not in group["keys"]:
            group["keys"].append(mention.key)
        group["mentions"].append(mention)
        if stance is not None:
            group["stances"].append(stance)
    for g in list(groups):
        if any(":" in k for k in g["keys"]):
            continue
        kinds = {k for k in g["keys"]}
        specific = [o for o in groups if o is not g and any(split_key(k)[0] in kinds and ":" in k for k in o["keys"])]
        if len(specific) == 1:
            for name in ("keys", "mentions", "stances"):
                specific[0][name] += g[name]
            groups.remove(g)
    issues = []
    for g in groups:
        first = min(g["mentions"], key=lambda m: (":" not in m.key, m.start))
        related: set[str] = set()
        for k in g["keys"]:
            related |= linked_keys(k, vocab) if k != "deal" else {k}
        related.discard(first.key)
        issues.append(Issue(start=first.start, end=first.end, key=first.key, label=first.label,
                            type=split_key(first.key)[0], related=tuple(sorted(related)),
                            stances=tuple(dedupe_stances(g["stances"]))))
    return sorted(issues, key=lambda i: i.start)


def dedupe_stances(stances: Sequence[Stance]) -> list[Stance]:
    """In text order, one stance per side, kind and trigger; an implied stance only when no
    stated one of the same side and kind exists."""
    out: list[Stance] = []
    for s in sorted(stances, key=lambda s: (s.start, s.trigger_start, s.source == "implied")):
        if not any(o.party == s.party and o.stance == s.stance and o.trigger_start == s.trigger_start
                   for o in out):
            out.append(s)
    stated = {(s.party, s.stance) for s in out if s.source != "implied"}
    return [s for s in out if s.source != "implied" or (s.party, s.stance) not in stated]


# --- free-standing phrases ----------------------------------------------------------------------


def issue_key(phrase: str, *, owner: str | None = None, model: str = "auto") -> str | None:
    """The key of an issue phrase on its own ("withdraw troops from the Philadelphi corridor"
    -> "withdrawal:philadelphi-corridor"), or None when it names no known issue.

    Parses `phrase` with the shared model and resolves its places and actors with the shipped
    gazetteers, then keys the nearest issue head below the phrase's root.
    """
    mentions = issue_mentions(phrase, owner=owner, model=model)
    return mentions[0].key if mentions else None


def issue_mentions(phrase: str, *, owner: str | None = None, model: str = "auto") -> list[IssueMention]:
    """All issue mentions nearest the root of a free-standing phrase (see `issue_key`)."""
    from tidings.doc import Doc
    from tidings.extract.entities import find_entities
    from tidings.extract.parse import load_model
    from tidings.extract.places import find_places

    doc = Doc(raw=phrase, text=phrase)
    doc.parsed = load_model(model)(phrase)
    names = Names(find_places(doc), find_entities(doc))
    finder = IssueFinder(load_vocabulary(), names)
    roots = [s.root for s in doc.parsed.sents]
    out: list[IssueMention] = []
    for root in roots:
        out += finder.mentions_under(root, owner=owner)
    return out
