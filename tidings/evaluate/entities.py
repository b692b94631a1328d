"""Entity mention scores over MEANTIME.

Gold: MEANTIME ENTITY_MENTION markables inside the annotated region, exact duplicate spans
dropped (one span can be marked for two entities). Predicted: `doc.spans["entities"]`
(`records.Entity`) mapped to gold coordinates, counted only inside the annotated region.

MEANTIME marks every mention: names, but also nominals ("the firm"), pronouns, appositions and
conjunctions, and products (iPhone) and financial amounts alongside people, organisations and
locations. An actor extractor aims at *named actors*, so we report three gold subsets:

- `named_actors` (GATED): syntactic type NAM or PRE.NAM (a name used as a premodifier, "the
  *Apple* chief executive", which an NER tags like any name) and entity type PER or ORG.
  Locations are scored against the place extractor (`tidings.evaluate.places`); a predicted
  entity on a named LOC mention (a country as an actor, "the U.S.") is neither right nor wrong
  here, so it is left out of the count;
- `named`: NAM or PRE.NAM of any entity type (adds locations, products, financial entities);
- `all`: every mention.

Each subset is scored with all other predictions (a product name predicted as an actor is a
false positive for `named_actors`), strict and relaxed (see `tidings.evaluate.spans`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tidings.evaluate.meantime import GoldDoc, GoldMention
from tidings.evaluate.spans import Counts, HasSpan, Mode, overlap, score_spans, unique_spans

NAMED_SYNTACTIC_TYPES = frozenset({"NAM", "PRE.NAM"})
"""MEANTIME syntactic types that are proper names."""
ACTOR_TYPES = frozenset({"PER", "ORG"})
"""MEANTIME entity types the actor extractor is scored on (not PRO products, FIN amounts, or
LOC, which the place extractor is scored on)."""
GATED_SUBSET = "named_actors"
"""The subset whose scores the quality gate uses."""


def _named(m: GoldMention) -> bool:
    return m.attrs.get("syntactic_type", "") in NAMED_SYNTACTIC_TYPES


SUBSETS: dict[str, Callable[[GoldMention], bool]] = {
    "named_actors": lambda m: _named(m) and m.label in ACTOR_TYPES,
    "named": _named,
    "all": lambda m: True,
}
"""Gold subsets by name: a predicate over gold mentions."""

NEUTRAL: dict[str, Callable[[GoldMention], bool]] = {
    "named_actors": lambda m: _named(m) and m.label == "LOC",
}
"""Per subset, gold mentions on which a prediction counts neither way (see module docstring)."""


def score_entities_doc(
    gold: GoldDoc, pred: Sequence[HasSpan], subset: str, mode: Mode
) -> Counts:
    """Counts for one article, one gold subset and one match mode (pred in gold coordinates)."""
    keep = SUBSETS[subset]
    lo, hi = gold.annotated
    g_spans = unique_spans((m.start, m.end) for m in gold.entities if keep(m))
    p_spans = unique_spans((p.start, p.end) for p in pred if lo <= p.start < hi)
    neutral = NEUTRAL.get(subset)
    if neutral is not None:
        n_spans = [(m.start, m.end) for m in gold.entities if neutral(m)]
        p_spans = [p for p in p_spans
                   if not any(overlap(p, n) for n in n_spans) or any(overlap(p, g) for g in g_spans)]
    return score_spans(g_spans, p_spans, mode)


def score_entities(items: Sequence[tuple[GoldDoc, Sequence[HasSpan]]]) -> dict[str, Counts]:
    """Summed counts keyed `"<subset>.<mode>"` (e.g. "named_actors.relaxed") over all articles."""
    out: dict[str, Counts] = {}
    for subset in SUBSETS:
        for mode in ("strict", "relaxed"):
            total = Counts()
            for gold, pred in items:
                total = total + score_entities_doc(gold, pred, subset, mode)  # type: ignore[arg-type]
            out[f"{subset}.{mode}"] = total
    return out
