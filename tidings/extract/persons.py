"""Person mentions: the name inside a PERSON span, the person's role and affiliation, and
later surname mentions resolved to the full name.

Moved here from `tidings/extract/entities.py` (its step 3, "persons: roles, affiliations,
surnames", and the PERSON-name helpers of its NER step); `find_entities` there calls
`person_span`, `extend_name`, `clean_name` and `name_lead_words` while reading spaCy's PERSON
names, then `add_roles` and `resolve_surnames` once all mentions are known.

- Roles and affiliations: the role and actor written before the name ("Hamas official Osama
  Hamdan", "U.S. Secretary of State Jane Doe", "senior Hamas official X") or in an apposition
  ("Jane Doe, a spokeswoman for the ministry", "A Hamas spokesman, Hazem Qassem, said"). A
  lowercase description with no actor of its own ("said senior official X") takes its
  affiliation from the sentence (`CONTEXT_KINDS`): the actor in a clause subject first, then by
  kind rank, then the nearest.
- Surnames: a one-word person mention ("Hamdan"), an ORG/NORP tag on a known surname, and any
  other occurrence of a known surname no entity covers become the nearest full name introduced
  before them (or else the first one), with its role and affiliation.

Role words, honorifics and titles are in the [persons] table of the actor context file
(`tidings.extract.actors.load_context`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tidings.extract.entity_cands import Cand

CONTEXT_KINDS: dict[str, int] = {
    "armed_group": 2, "party": 2, "organisation": 2, "igo": 2, "government": 2, "country": 1,
}
"""Actor kinds a person's affiliation may be taken from the sentence, with their rank (higher
wins): an organisation named in the sentence beats a country adjective ("The Hamas delegation
... a full Israeli withdrawal ..., said senior official X" -> Hamas). Media, places and persons
are never taken from context (X "told Reuters" does not work for Reuters)."""

MAX_SUBJECT_CLIMB = 6
"""Dependency steps (count) climbed from an actor mention to find whether it sits in a clause
subject; bounds the walk on long noun phrases. Calibrated on the sample article's nested NPs."""

_SENTENCE_STARTS = frozenset({"the", "but", "and", "when", "as", "if", "then", "still", "yet"})
_ROLE_GLUE = frozenset({"of", "for"})


# --- the name in a PERSON span -------------------------------------------------------------------

def name_lead_words(ctx: dict[str, Any]) -> set[str]:
    """Words that may stand before a name without being part of it (roles, titles)."""
    persons = ctx["persons"]
    return (set(persons["affiliated_roles"]) | set(persons["independent_roles"])
            | set(persons["role_modifiers"]) | set(persons["honorifics"]))


def person_span(span: Any, inside: list[Cand], lead_words: set[str]) -> tuple[int, int] | None:
    """The name part of a PERSON span: leading actors, roles and titles cut off
    ("Hamas official Osama Hamdan" -> "Osama Hamdan"); None when nothing name-like is left.
    A country name before a single name stays ("Jordan Peterson" is a person)."""
    tokens = list(span)
    i = 0
    while i < len(tokens):
        t = tokens[i]
        covering = next((c for c in inside if c.start <= t.idx < c.end), None)
        rest = [x for x in tokens[i:] if x.is_alpha and (covering is None or x.idx >= covering.end)]
        if covering is not None:
            if (len(rest) == 1 and t.is_title and t.is_alpha and covering.end <= t.idx + len(t.text)
                    and covering.via in ("name", "alias", "metonym")):
                break  # a country or capital as a first name: "Jordan Peterson"
            while i < len(tokens) and tokens[i].idx < covering.end:
                i += 1
            continue
        if t.lower_ in lead_words or t.is_punct or t.text in ("'s", "’s") or not t.text[:1].isupper():
            i += 1
            continue
        break
    name = [t for t in tokens[i:] if not t.is_space]
    while name and (name[-1].is_punct or name[-1].text in ("'s", "’s")):
        name.pop()
    if not name or not any(t.text[:1].isupper() for t in name):
        return None
    if not any(c.islower() for t in name for c in t.text) or any(t.like_num for t in name):
        return None  # "GB", "8 GB", "MP3": not a person's name
    return name[0].idx, name[-1].idx + len(name[-1].text)


def extend_name(parsed: Any, bounds: tuple[int, int], cands: list[Cand]) -> tuple[int, int]:
    """Grow a PERSON span over capitalised name words the model left out ("Jane" + "Doe")."""
    start, end = bounds
    span = parsed.char_span(start, end, alignment_mode="expand")
    i = span.end
    while i < len(parsed):
        t = parsed[i]
        if not (t.pos_ == "PROPN" and t.text[:1].isupper() and t.ent_type_ in ("", "PERSON")
                and t.idx == parsed[i - 1].idx + len(parsed[i - 1].text_with_ws)
                and not any(c.start <= t.idx < c.end for c in cands)):
            break
        end = t.idx + len(t.text)
        i += 1
    return start, end


def clean_name(name: str, honorifics: list[str]) -> str:
    """`name` without leading honorifics ("Dr. Jane Doe" -> "Jane Doe"); one word always stays."""
    words = name.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in honorifics:
        words.pop(0)
    return " ".join(words)


# --- roles and affiliations ----------------------------------------------------------------------

def add_roles(parsed: Any, cands: list[Cand], ctx: dict[str, Any]) -> None:
    """Set `role` and `affiliation` of the person candidates in `cands` (changes them) from the
    words around each name in `parsed`; `ctx` is the actor context (`load_context()`)."""
    persons = ctx["persons"]
    lex = _RoleLexicon(
        affiliated=set(persons["affiliated_roles"]),
        independent=set(persons["independent_roles"]),
        modifiers=set(persons["role_modifiers"]),
        honorifics=set(persons["honorifics"]),
    )
    actor_at: dict[int, Cand] = {}
    for c in cands:
        if c.kind in ("person", "location", "product") or c.blocker:
            continue
        span = parsed.char_span(c.start, c.end, alignment_mode="expand")
        if span is not None:
            for t in span:
                actor_at[t.i] = c
    used: set[int] = set()  # actors already named as some person's affiliation
    pending: list[tuple[Cand, Any]] = []
    for c in cands:
        if c.kind != "person":
            continue
        span = parsed.char_span(c.start, c.end, alignment_mode="expand")
        if span is None:
            continue
        role, head, aff = _premodifier_role(span, actor_at, lex)
        if role is None:
            role, head, aff = _apposition_role(span, actor_at, lex)
        if role is None:
            continue
        c.role = role
        if aff is not None:
            used.add(id(aff))
            c.affiliation = aff.canonical
        elif head in lex.affiliated and role.split()[-1].islower():
            # a lowercase description ("said senior official X") leans on its sentence; a
            # capitalised title ("President X") does not say whom it is president of there
            pending.append((c, span))
    for c, span in pending:
        aff = _context_affiliation(span, {i: a for i, a in actor_at.items() if id(a) not in used})
        if aff is not None:
            c.affiliation = aff.canonical


@dataclass(frozen=True, slots=True)
class _RoleLexicon:
    affiliated: set[str]
    independent: set[str]
    modifiers: set[str]
    honorifics: set[str]

    def head(self, words: list[str]) -> str | None:
        """The role head among `words` (last one wins; two-word heads like "prime minister")."""
        found = None
        for i, w in enumerate(words):
            pair = " ".join(words[i:i + 2])
            if pair in self.affiliated or pair in self.independent:
                found = pair
            elif w in self.affiliated or w in self.independent:
                found = w
        return found


def _premodifier_role(span: Any, actor_at: dict[int, Cand],
                      lex: _RoleLexicon) -> tuple[str | None, str | None, Cand | None]:
    """Role and actor written before the name: "Hamas official", "U.S. Secretary of State",
    "senior Hamas official", "Israel's Prime Minister"."""
    picked, aff = _walk_role(span, span.start - 1, set(range(span.start, span.end)), actor_at, lex)
    return _role_result(span.doc, picked, aff, lex)


def _apposition_role(span: Any, actor_at: dict[int, Cand],
                     lex: _RoleLexicon) -> tuple[str | None, str | None, Cand | None]:
    """Role from an apposition: "Jane Doe, a spokeswoman for the ministry" or
    "A Hamas spokesman, Hazem Qassem, said"."""
    root = span.root
    nouns = [c for c in root.children if c.dep_ == "appos" and c.i >= span.end]
    if root.dep_ == "appos" and root.head.i < span.start:
        nouns.append(root.head)
    for noun in nouns:
        if noun.i in actor_at:
            continue
        picked, aff = _walk_role(span, noun.i, set(), actor_at, lex)
        role, head, aff = _role_result(span.doc, picked, aff, lex)
        if role is None or noun.i not in picked:
            continue
        if aff is None:  # "a spokesman for Hamas", "a member of the Houthis' politburo"
            for prep in noun.children:
                if prep.dep_ == "prep" and prep.lower_ in ("for", "of", "at", "with", "from"):
                    aff = next((actor_at[x.i] for x in prep.subtree if x.i in actor_at), None)
                    if aff is not None:
                        break
        return role, head, aff
    return None, None, None


def _walk_role(span: Any, i: int, anchor: set[int], actor_at: dict[int, Cand],
               lex: _RoleLexicon) -> tuple[list[int], Cand | None]:
    """Walk left from token `i` over role words (and one actor before them); returns the role
    token indices and the actor, if any. `anchor` holds tokens the role modifies (the name)."""
    doc, sent = span.doc, span.sent
    picked: list[int] = []
    aff: Cand | None = None
    while i >= sent.start:
        t = doc[i]
        actor = actor_at.get(i)
        if actor is not None:
            if picked:
                aff = actor
                i -= 1
                while i >= sent.start and actor_at.get(i) is actor:
                    i -= 1
                while i >= sent.start and doc[i].lower_ in lex.modifiers and i not in actor_at:
                    picked.append(i)  # "senior" in "senior Hamas official"
                    i -= 1
            break  # an actor right before a name, with no role between, says nothing
        low = t.lower_
        if t.text in ("'s", "’s", "'", "’") and picked and actor_at.get(i - 1) is not None:
            i -= 1
            continue
        if low.rstrip(".") in lex.honorifics and not picked:
            i -= 1
            continue
        if (low in lex.affiliated or low in lex.independent or low in lex.modifiers
                or (low in _ROLE_GLUE and picked)
                or (t.is_title and t.pos_ in ("PROPN", "NOUN")
                    and t.ent_type_ not in ("DATE", "TIME", "PERSON", "CARDINAL", "ORDINAL"))
                or (t.is_lower and t.pos_ in ("NOUN", "ADJ") and t.dep_ in ("compound", "amod")
                    and (t.head.i in picked or t.head.i in anchor))
                or (t.text == "-" and picked)):
            picked.append(i)
            i -= 1
            continue
        break
    return sorted(picked), aff


def _role_result(doc: Any, picked: list[int], aff: Cand | None,
                 lex: _RoleLexicon) -> tuple[str | None, str | None, Cand | None]:
    while picked and doc[picked[0]].lower_ in _ROLE_GLUE | {"-"}:
        picked = picked[1:]
    while picked and doc[picked[-1]].lower_ in _ROLE_GLUE | {"-"}:
        picked = picked[:-1]
    head = lex.head([doc[i].lower_ for i in picked])
    if head is None:
        return None, None, None
    return _join_tokens(doc, picked), head, aff


def _context_affiliation(span: Any, actor_at: dict[int, Cand]) -> Cand | None:
    """The actor a role-bearing person most likely speaks for, from the sentence: actors in a
    clause subject first, then by kind rank, then nearest."""
    best: tuple[tuple[int, int, int], Cand] | None = None
    seen: set[int] = set()
    for i in range(span.sent.start, span.sent.end):
        cand = actor_at.get(i)
        if cand is None or id(cand) in seen or span.start <= i < span.end:
            continue
        seen.add(id(cand))
        rank = CONTEXT_KINDS.get(cand.kind)
        if rank is None:
            continue
        score = (int(_in_subject(span.doc[i])), rank, -abs(i - span.start))
        if best is None or score > best[0]:
            best = (score, cand)
    return best[1] if best else None


def _in_subject(token: Any) -> bool:
    for _ in range(MAX_SUBJECT_CLIMB):
        if token.dep_ in ("nsubj", "nsubjpass"):
            return True
        if token.dep_ not in ("compound", "amod", "poss", "nmod", "case", "det", "appos", "conj"):
            return False
        if token.head.i == token.i:
            return False
        token = token.head
    return False


def _join_tokens(doc: Any, indices: list[int]) -> str:
    """Text of tokens `indices`: contiguous runs as written, runs joined by one space."""
    runs: list[str] = []
    run_start = prev = None
    for i in indices:
        if prev is not None and i == prev + 1:
            prev = i
            continue
        if run_start is not None and prev is not None:
            runs.append(doc[run_start:prev + 1].text)
        run_start = prev = i
    if run_start is not None and prev is not None:
        runs.append(doc[run_start:prev + 1].text)
    return " ".join(runs)


# --- surnames ------------------------------------------------------------------------------------

def resolve_surnames(text: str, cands: list[Cand], lead_words: set[str]) -> list[Cand]:
    """Resolve one-word person mentions (and unmarked later mentions) to the full name."""
    full: list[Cand] = [c for c in cands if c.kind == "person" and len(c.canonical.split()) > 1]
    if not full:
        return cands
    by_surname: dict[str, list[Cand]] = {}
    for c in full:
        by_surname.setdefault(c.canonical.split()[-1], []).append(c)
    out = list(cands)
    for c in cands:
        name = c.canonical
        if c.resolved_by != "ner" or " " in name:
            continue
        if c.kind not in ("person", "organisation", "other"):
            continue
        if c.kind != "person" and name not in by_surname:
            continue  # an ORG/NORP tag on a known surname ("El-Reshiq") is the person
        intro = _introducer(by_surname.get(name, []), c.start)
        if intro is not None:
            _become(c, intro)
    for surname, intros in by_surname.items():
        for m in re.finditer(r"(?<![\w\-])" + re.escape(surname) + r"(?![\w\-])", text):
            s, e = m.start(), m.end()
            if (any(c.overlaps(s, e) for c in out if not _weak_place(c))
                    or _in_longer_name(text, s, e, lead_words)):
                continue
            cand = Cand(s, e, surname, "person")
            intro = _introducer(intros, s)
            if intro is not None:
                _become(cand, intro)
                out.append(cand)
    return sorted(out, key=lambda c: c.start)


def _weak_place(cand: Cand) -> bool:
    """A hidden place read from a bare spaCy place tag: a known person's surname may take it
    ("Peterson" tagged GPE after "Jordan Peterson")."""
    return cand.blocker and cand.kind == "location" and cand.resolved_by == "ner" and not cand.via


def _introducer(intros: list[Cand], at: int) -> Cand | None:
    before = [c for c in intros if c.start < at]
    if before:
        return before[-1]
    return intros[0] if intros else None


def _become(cand: Cand, intro: Cand) -> None:
    cand.canonical, cand.kind, cand.code = intro.canonical, "person", None
    cand.resolved_by = "surname"
    cand.role = cand.role or intro.role
    cand.affiliation = cand.affiliation or intro.affiliation


def _in_longer_name(text: str, start: int, end: int, lead_words: set[str]) -> bool:
    """Whether a capitalised word joins the match on either side ("Hamdan Street", "Ali Hamdan");
    titles before it do not count ("President Doe")."""
    before = re.search(r"([A-Z][\w\-]*)(\.?)[ \t]+$", text[max(0, start - 30):start])
    after = re.match(r"[ \t]+[A-Z]", text[end:end + 3])
    if before is not None and (before.group(2) or before.group(1).lower() in lead_words | _SENTENCE_STARTS):
        before = None  # "Monday. Doe said", "Gen. Doe", "President Doe"
    return before is not None or after is not None
