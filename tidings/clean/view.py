"""A view of the raw input as cleaning proceeds: the surviving pieces, each tied to raw offsets.

Cleaning is a series of passes. Each pass looks at the current view's text, proposes `Edit`s
(drop a stretch, or replace it with other text) in view offsets, and `View.apply` turns them
into a new view plus `Removal`s in raw offsets. Because every piece remembers where it came
from, the final text's offset map and the list of removals fall out without any bookkeeping
in the passes themselves.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from tidings.clean.lines import Line, line_spans
from tidings.records import Removal, RemovalReason

PieceKind = Literal["verbatim", "entity", "tag"]
"""Where a piece's text came from: copied from raw, a decoded HTML entity, or a block tag
turned into a line break."""


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of the view's text and the raw stretch it stands for."""

    text: str
    """The piece's text in the view (equal to `raw[raw_start:raw_end]` when verbatim)."""
    raw_start: int
    """Start of its source in the raw input."""
    raw_end: int
    """End of its source in the raw input."""
    kind: PieceKind = "verbatim"
    """Verbatim copy, or what kind of replacement it is."""


@dataclass(frozen=True, slots=True)
class Edit:
    """A change a pass proposes, in offsets of the view's text."""

    start: int
    """Start of the stretch in the view's text."""
    end: int
    """End of the stretch in the view's text."""
    reason: RemovalReason
    """Why the stretch goes (recorded on the removal)."""
    rule: str
    """Which pattern or heuristic proposed it."""
    replacement: str | None = None
    """Text that takes the stretch's place; None drops it."""
    kind: PieceKind = "verbatim"
    """Kind of the replacement piece (ignored for drops)."""


class View:
    """The surviving pieces of the raw input, in order, and their joined text."""

    __slots__ = ("pieces", "text", "_starts", "_lines")

    def __init__(self, pieces: Sequence[Piece]) -> None:
        self.pieces: tuple[Piece, ...] = tuple(pieces)
        self.text: str = "".join(p.text for p in self.pieces)
        self._starts: list[int] = list(
            itertools.accumulate((len(p.text) for p in self.pieces[:-1]), initial=0)
        ) if self.pieces else []
        self._lines: list[Line] | None = None

    @property
    def lines(self) -> list[Line]:
        """The lines of `text` (computed once per view)."""
        if self._lines is None:
            self._lines = line_spans(self.text)
        return self._lines

    @classmethod
    def from_raw(cls, raw: str, removed: Iterable[Removal] = ()) -> View:
        """The raw input minus the (sorted, disjoint) removals already made."""
        pieces: list[Piece] = []
        pos = 0
        for removal in removed:
            if removal.start > pos:
                pieces.append(Piece(raw[pos : removal.start], pos, removal.start))
            pos = max(pos, removal.end)
        if pos < len(raw):
            pieces.append(Piece(raw[pos:], pos, len(raw)))
        return cls(pieces)

    def slice(self, start: int, end: int) -> list[Piece]:
        """The pieces covering view text `[start:end]`; verbatim pieces are cut to fit,
        replacement pieces are whole (callers align edits to them first)."""
        if start >= end or not self.pieces:
            return []
        starts = self._starts
        first = max(bisect.bisect_right(starts, start) - 1, 0)
        last = bisect.bisect_left(starts, end) - 1  # the last piece starting before `end`
        if first == last:
            return [self._clip(first, start, end)]
        return [
            self._clip(first, start, end),
            *self.pieces[first + 1 : last],
            self._clip(last, start, end),
        ]

    def _clip(self, i: int, start: int, end: int) -> Piece:
        piece, p_start = self.pieces[i], self._starts[i]
        lo, hi = max(start, p_start), min(end, p_start + len(piece.text))
        if piece.kind != "verbatim" or (lo == p_start and hi - lo == len(piece.text)):
            return piece
        return Piece(
            piece.text[lo - p_start : hi - p_start],
            piece.raw_start + lo - p_start,
            piece.raw_start + hi - p_start,
        )

    def align(self, start: int, end: int) -> tuple[int, int]:
        """Widen `[start:end]` so it does not cut a replacement piece in two."""
        if not self.pieces or start >= end:
            return start, end
        i = max(bisect.bisect_right(self._starts, start) - 1, 0)
        if self.pieces[i].kind != "verbatim":
            start = self._starts[i]
        j = max(bisect.bisect_right(self._starts, end - 1) - 1, 0)
        if self.pieces[j].kind != "verbatim":
            end = max(end, self._starts[j] + len(self.pieces[j].text))
        return start, end

    def apply(self, edits: Iterable[Edit]) -> tuple[View, list[Removal]]:
        """A new view with `edits` made, and the raw removals the drops amount to.

        Edits are taken in order of start; one that overlaps an earlier one is skipped.
        """
        out: list[Piece] = []
        removals: list[Removal] = []
        cursor = 0
        for edit in sorted(edits, key=lambda e: (e.start, e.end)):
            start, end = self.align(edit.start, edit.end)
            if start < cursor or start >= end:
                continue
            out.extend(self.slice(cursor, start))
            covered = self.slice(start, end)
            groups = raw_groups(covered)
            if edit.replacement is None:
                removals.extend(Removal(a, b, edit.reason, edit.rule) for a, b, _ in groups)
            else:
                # A stretch split by earlier removals maps to its first raw part; the other
                # parts are removed under the edit's reason.
                out.append(Piece(edit.replacement, groups[0][0], groups[0][1], edit.kind))
                removals.extend(Removal(a, b, edit.reason, edit.rule) for a, b, _ in groups[1:])
            cursor = end
        out.extend(self.slice(cursor, len(self.text)))
        return View(out), removals


def raw_groups(pieces: Sequence[Piece]) -> list[tuple[int, int, list[Piece]]]:
    """Split consecutive pieces into runs that are contiguous in the raw input:
    `(raw_start, raw_end, pieces)` per run."""
    groups: list[tuple[int, int, list[Piece]]] = []
    for piece in pieces:
        if groups and groups[-1][1] == piece.raw_start:
            start, _, members = groups[-1]
            members.append(piece)
            groups[-1] = (start, piece.raw_end, members)
        else:
            groups.append((piece.raw_start, piece.raw_end, [piece]))
    return groups
