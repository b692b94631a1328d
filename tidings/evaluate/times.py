"""TempEval-3 scores for time expressions over MEANTIME.

What is compared: gold TIMEX3 markables against predicted `TimeRef`s (`doc.spans["times"]`,
mapped to gold coordinates), inside the annotated region of each article.

- The CREATION_TIME timex (the article's date line) is excluded from the gold, and predictions
  overlapping it are dropped: it is the publication date we hand to the pipeline, not an
  expression found in the article body.
- strict / relaxed span P, R, F1: see `tidings.evaluate.spans` (one-to-one matching).
- type accuracy and value accuracy: share of relaxed matches whose TIMEX3 type / value equals the
  gold one (values compared after trimming and upper-casing).
- type F1 and value F1 (TempEval-3's attribute F1): P = relaxed matches with the right attribute
  / predicted, R = the same / gold. Value F1 is the headline TempEval-3 normalisation score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tidings.evaluate.meantime import GoldDoc, GoldMention
from tidings.evaluate.spans import Counts, match_spans, overlap


class TimeLike(Protocol):
    """A predicted time expression in gold coordinates (e.g. `records.TimeRef`)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def type(self) -> str: ...

    @property
    def value(self) -> str: ...


@dataclass(frozen=True, slots=True)
class TimeCounts:
    """Counts behind the time scores; add them over documents."""

    strict: Counts = field(default_factory=Counts)
    """Exact-offset matches."""
    relaxed: Counts = field(default_factory=Counts)
    """Overlap matches."""
    type_ok: int = 0
    """Relaxed matches with the gold TIMEX3 type."""
    value_ok: int = 0
    """Relaxed matches with the gold TIMEX3 value."""

    def __add__(self, other: TimeCounts) -> TimeCounts:
        return TimeCounts(
            self.strict + other.strict,
            self.relaxed + other.relaxed,
            self.type_ok + other.type_ok,
            self.value_ok + other.value_ok,
        )


def is_creation_time(mention: GoldMention) -> bool:
    """True for the timex that gives the article's own date."""
    return mention.attrs.get("functionInDocument") == "CREATION_TIME"


def normalise_value(value: str | None) -> str:
    """A TIMEX3 value as compared: trimmed and upper-cased."""
    return (value or "").strip().upper()


def score_times_doc(gold: GoldDoc, pred: Sequence[TimeLike]) -> TimeCounts:
    """Score one article's predicted times (already in gold coordinates)."""
    creation = [(m.start, m.end) for m in gold.timexes if is_creation_time(m)]
    gold_items = [m for m in gold.timexes if not is_creation_time(m)]
    lo, hi = gold.annotated
    pred_items = [
        p for p in pred
        if lo <= p.start < hi and not any(overlap((p.start, p.end), c) for c in creation)
    ]
    g_spans = [(m.start, m.end) for m in gold_items]
    p_spans = [(p.start, p.end) for p in pred_items]
    strict = Counts(len(match_spans(g_spans, p_spans, "strict")), len(g_spans), len(p_spans))
    pairs = match_spans(g_spans, p_spans, "relaxed")
    type_ok = sum(1 for gi, pi in pairs if gold_items[gi].label == pred_items[pi].type)
    value_ok = sum(
        1 for gi, pi in pairs
        if normalise_value(gold_items[gi].attrs.get("value")) == normalise_value(pred_items[pi].value)
    )
    return TimeCounts(strict, Counts(len(pairs), len(g_spans), len(p_spans)), type_ok, value_ok)


def time_scores(counts: TimeCounts) -> dict[str, float]:
    """Named scores from summed counts (see the module docstring for definitions)."""
    rel = counts.relaxed
    out = {
        "strict_precision": counts.strict.precision,
        "strict_recall": counts.strict.recall,
        "strict_f1": counts.strict.f1,
        "relaxed_precision": rel.precision,
        "relaxed_recall": rel.recall,
        "relaxed_f1": rel.f1,
        "type_accuracy": counts.type_ok / rel.tp if rel.tp else 0.0,
        "value_accuracy": counts.value_ok / rel.tp if rel.tp else 0.0,
        "type_f1": Counts(counts.type_ok, rel.n_gold, rel.n_pred).f1,
        "value_f1": Counts(counts.value_ok, rel.n_gold, rel.n_pred).f1,
    }
    return out


def score_times(items: Sequence[tuple[GoldDoc, Sequence[TimeLike]]]) -> tuple[dict[str, float], TimeCounts]:
    """Micro-averaged time scores over `(gold, predicted times)` pairs, with the summed counts."""
    total = TimeCounts()
    for gold, pred in items:
        total = total + score_times_doc(gold, pred)
    return time_scores(total), total
