"""Span matching and precision/recall/F1, TempEval-3 style.

Two matching modes over character spans `(start, end)`:

- strict: a predicted span matches a gold span only when both offsets are equal;
- relaxed: a predicted span matches a gold span when they share at least one character.

Matching is one-to-one: each gold span and each predicted span is used at most once. Relaxed
matching is greedy, taking candidate pairs by largest overlap first (ties: earlier gold span,
then earlier predicted span), so an exact match always wins over a partial one. Scores are
micro-averaged by adding `Counts` over documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

Mode = Literal["strict", "relaxed"]
"""How two spans must agree to match."""


class HasSpan(Protocol):
    """Anything with character offsets (records, gold mentions)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Counts:
    """Match counts; add them over documents to micro-average."""

    tp: int = 0
    """Matched pairs."""
    n_gold: int = 0
    """Gold items."""
    n_pred: int = 0
    """Predicted items."""

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.n_gold + other.n_gold, self.n_pred + other.n_pred)

    @property
    def precision(self) -> float:
        """tp / predicted; 0.0 when nothing was predicted."""
        return self.tp / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        """tp / gold; 0.0 when there is no gold item."""
        return self.tp / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall; 0.0 when both are 0."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def describe(self) -> str:
        """Short human-readable counts, for report details."""
        return f"tp={self.tp} gold={self.n_gold} pred={self.n_pred}"


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Number of characters two half-open spans share (0 when disjoint)."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match_spans(
    gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]], mode: Mode = "relaxed"
) -> list[tuple[int, int]]:
    """One-to-one matches between gold and predicted spans as `(gold_index, pred_index)` pairs.

    Pairs are returned sorted by gold index.
    """
    if mode not in ("strict", "relaxed"):
        raise ValueError(f"unknown match mode {mode!r}: use 'strict' or 'relaxed'")
    # Sort key: exact pairs first, then by larger overlap, then by position.
    candidates: list[tuple[int, int, int, int]] = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if g == p:
                candidates.append((0, 0, gi, pi))
            elif mode == "relaxed":
                shared = overlap(g, p)
                if shared > 0:
                    candidates.append((1, -shared, gi, pi))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, _, gi, pi in candidates:
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        pairs.append((gi, pi))
    return sorted(pairs)


def score_spans(
    gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]], mode: Mode = "relaxed"
) -> Counts:
    """Counts for one document: matched pairs, gold spans, predicted spans."""
    return Counts(len(match_spans(gold, pred, mode)), len(gold), len(pred))


def spans_of(items: Iterable[HasSpan]) -> list[tuple[int, int]]:
    """The `(start, end)` of each item."""
    return [(i.start, i.end) for i in items]


def unique_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans with exact duplicates dropped, in first-seen order (gold may mark one span twice)."""
    seen: set[tuple[int, int]] = set()
    out: list[tuple[int, int]] = []
    for s in spans:
        if s not in seen:
            seen.add(s)
            out.append(s)
    return out
