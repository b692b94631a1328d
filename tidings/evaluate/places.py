"""Place mention scores over MEANTIME.

Gold: named location mentions (entity type LOC, syntactic type NAM or PRE.NAM) inside the
annotated region. Predicted: `doc.spans["places"]` (`records.Place`) mapped to gold
coordinates, counted inside the annotated region. Strict and relaxed span P/R/F1 (see
`tidings.evaluate.spans`). MEANTIME gives no coordinates, so only spans are scored here;
the sample gold checks coordinates (`tidings.evaluate.sample`).
"""

from __future__ import annotations

from collections.abc import Sequence

from tidings.evaluate.entities import NAMED_SYNTACTIC_TYPES
from tidings.evaluate.meantime import GoldDoc, GoldMention
from tidings.evaluate.spans import Counts, HasSpan, Mode, score_spans, unique_spans


def is_named_place(mention: GoldMention) -> bool:
    """True for a named location mention."""
    return mention.label == "LOC" and mention.attrs.get("syntactic_type", "") in NAMED_SYNTACTIC_TYPES


def score_places_doc(gold: GoldDoc, pred: Sequence[HasSpan], mode: Mode) -> Counts:
    """Counts for one article (pred in gold coordinates)."""
    lo, hi = gold.annotated
    g_spans = unique_spans((m.start, m.end) for m in gold.entities if is_named_place(m))
    p_spans = unique_spans((p.start, p.end) for p in pred if lo <= p.start < hi)
    return score_spans(g_spans, p_spans, mode)


def score_places(items: Sequence[tuple[GoldDoc, Sequence[HasSpan]]]) -> dict[str, Counts]:
    """Summed counts keyed by match mode ("strict", "relaxed") over all articles."""
    out: dict[str, Counts] = {}
    for mode in ("strict", "relaxed"):
        total = Counts()
        for gold, pred in items:
            total = total + score_places_doc(gold, pred, mode)  # type: ignore[arg-type]
        out[mode] = total
    return out
