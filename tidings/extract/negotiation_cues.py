"""The negotiation cues (`tidings/data/negotiation/cues.toml`), loaded and ready to use.

The words and patterns the negotiation reader looks for: talk/proposal/ceasefire/deal words that
gate an article, stance triggers and verb cues, backtracking cues, anaphoric nouns ("the
proposal"), refusals, descriptions of parties ("the union"), phrases that name the parties,
mediators and observers ("talks between X and Y", "Kenyan envoy", "due to discuss the talks")
and outcome patterns. A user file of
the same shape extends them (`load_cues(extra_files)`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tidings.extract.issues import data_dir, read_toml

CUES_FILE = "cues.toml"
"""The shipped negotiation cues, in `tidings/data/negotiation/`."""


@dataclass(frozen=True, slots=True)
class VerbCue:
    """A verb (+ object noun) that states a stance the event coder does not code."""

    verbs: frozenset[str]
    objects: frozenset[str]
    stance: str
    reporter: str | None
    reporter_implies: str | None


@dataclass(frozen=True, slots=True)
class Descriptor:
    """Words that stand for a party of some kind ("the rebels" -> the armed group)."""

    nouns: frozenset[str]
    kinds: frozenset[str]
    name_words: frozenset[str]


@dataclass(frozen=True, slots=True)
class NegotiationCues:
    """Everything `cues.toml` says, ready to use."""

    article: frozenset[str]
    talk_triggers: frozenset[str]
    deal_nouns: frozenset[str]
    by_type: dict[str, str]
    triggers: dict[str, str]
    backtracking: frozenset[str]
    backtracking_implies: str
    verb_cues: tuple[VerbCue, ...]
    anaphora_determiners: frozenset[str]
    anaphora_nouns: dict[str, str]
    deal: frozenset[str]
    mediator_nouns: frozenset[str]
    mediator_titles: frozenset[str]
    mediator_verbs: frozenset[str]
    mediator_object_verbs: frozenset[str]
    mediator_not_yet: frozenset[str]
    party_talk_nouns: frozenset[str]
    party_side_nouns: frozenset[str]
    party_side_preps: frozenset[str]
    observer_verbs: frozenset[str]
    observed: frozenset[str]
    refusal_aux: frozenset[str]
    refusal_verbs: frozenset[str]
    descriptors: tuple[Descriptor, ...]
    outcomes: tuple[tuple[str, re.Pattern[str]], ...]


def _words(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.lower() for v in values)


def load_cues(extra_files: Sequence[Path | str] = ()) -> NegotiationCues:
    """The shipped cues plus `extra_files` (same TOML shape). Raises ValueError naming the file
    for bad TOML or a bad outcome pattern."""
    data = read_toml([data_dir() / CUES_FILE, *extra_files])
    art = data.get("article", {})
    outcomes: list[tuple[str, re.Pattern[str]]] = []
    for status, patterns in data.get("outcomes", {}).items():
        for pattern in patterns:
            try:
                outcomes.append((status, re.compile(pattern, re.IGNORECASE)))
            except re.error as exc:
                raise ValueError(f"{CUES_FILE} [outcomes] {status!r}: bad pattern {pattern!r} ({exc})") from exc
    stances = data.get("stances", {})
    back = data.get("backtracking", {})
    ana = data.get("anaphora", {})
    med = data.get("mediators", {})
    parties = data.get("parties", {})
    return NegotiationCues(
        article=_words(w for key in ("talks", "proposals", "ceasefires", "deals") for w in art.get(key, ())),
        talk_triggers=_words(data.get("talk_events", {}).get("triggers", ())),
        deal_nouns=_words(data.get("talk_events", {}).get("deal_nouns", ())),
        by_type=dict(stances.get("by_type", {})),
        triggers={k.lower(): v for k, v in stances.get("triggers", {}).items()},
        backtracking=_words(back.get("cues", ())),
        backtracking_implies=str(back.get("implies", "demand")),
        verb_cues=tuple(VerbCue(_words(c.get("verbs", ())), _words(c.get("objects", ())), c["stance"],
                                c.get("reporter"), c.get("reporter_implies"))
                        for c in data.get("verb_cues", [])),
        anaphora_determiners=_words(ana.get("determiners", ())),
        anaphora_nouns={k.lower(): v for k, v in ana.get("nouns", {}).items()},
        deal=_words(data.get("deal", {}).get("nouns", ())),
        mediator_nouns=_words(med.get("nouns", ())),
        mediator_titles=_words(med.get("titles", ())),
        mediator_verbs=_words(med.get("verbs", ())),
        mediator_object_verbs=_words(med.get("object_verbs", ())),
        mediator_not_yet=_words(med.get("not_yet", ())),
        party_talk_nouns=_words(parties.get("talk_nouns", ())),
        party_side_nouns=_words(parties.get("side_nouns", ())),
        party_side_preps=_words(parties.get("side_preps", ())),
        observer_verbs=_words(parties.get("observer_verbs", ())),
        observed=_words(parties.get("observed", ())),
        refusal_aux=_words(data.get("refusals", {}).get("aux", ())),
        refusal_verbs=_words(data.get("refusals", {}).get("verbs", ())),
        descriptors=tuple(Descriptor(_words(d.get("nouns", ())), _words(d.get("kinds", ())),
                                     _words(d.get("name_words", ())))
                          for d in data.get("descriptors", [])),
        outcomes=tuple(outcomes),
    )
