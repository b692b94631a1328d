"""Reusing a canonical article's extraction for a syndicated copy, so only what the copy adds is read.

    plan = plan_reuse(copy, original)   # copy: cleaned Doc; original: the stored Doc it matched
    if plan is None: process the copy in full
    item = plan.work_item()             # what goes through the pipeline (workers): the added
    ...                                 # paragraphs as a small Doc, or the filled copy itself
    doc = plan.merge(result)            # the copy with every span, offsets in its own text

How a copy is read
------------------
1. `align_copy` splits the copy into pieces found character for character in the original
   (paragraphs, or failing that sentences: `verbatim_pieces`) and the rest, the *added* text
   (a new paragraph, an edited sentence, a changed dateline).
2. Spans of the original that lie inside a verbatim piece are shifted to the copy's offsets;
   spans in text the copy dropped are dropped. A secondary offset pair that falls in dropped
   text (a quote's speaker mention introduced in a cut paragraph) is cleared, the record kept.
   Records of the groups in WHOLE_GROUPS (the negotiation state, whose evidence is spread over
   the article) are kept only when every offset they hold survives; otherwise the copy is
   processed in full (`plan_reuse` returns None), since recomputing them needs a parse of
   the whole text.
3. The added pieces, joined by blank lines, make a small Doc ("sub-Doc") that the pipeline
   reads like any article (same publication date, so relative times resolve the same way);
   its spans are shifted into the copy by `ReusePlan.merge`. A doc-level record found in the
   added text is used only when the original had none.

What can differ from a full extraction of the copy (measured by `compare_extractions`, see
tests/test_reuse.py and bench/copy_bench.py): a pronoun or bare surname in an added paragraph
cannot reach a name in the reused text (its quote loses the speaker, its entity the full
name); an event or quote dated by a sentence in another paragraph falls back to the
publication date; a spaCy parse of a sentence can change with its neighbours.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tidings.corpus.copies import verbatim_pieces
from tidings.doc import Doc, OffsetMap

log = logging.getLogger(__name__)

MIN_REUSE_SHARE = 0.3
# Unit: share (0-1) of the copy's non-blank characters found verbatim in the article it
# matched. Gates reuse: a copy with less in common is processed in full, since its added text
# would cost nearly a fresh article anyway and reading it apart from its context loses more.
# Not reached by any copy of tests/fixtures/copies/dev (lowest share measured 0.56, a
# sentence-by-sentence reordered copy); a trimmed copy that keeps a quarter of its original
# still has everything it keeps verbatim, so the share is of the copy, not of the original.

WHOLE_GROUPS = frozenset({"negotiation"})
"""Span groups whose records are doc-level readings built from evidence anywhere in the text:
kept from the original only when all their evidence survives in the copy."""

SEPARATOR = "\n\n"
"""What joins the added pieces in the sub-Doc: a paragraph break, so sentences never run on."""


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of the copy found verbatim in the original (or of the sub-Doc, in the copy)."""

    start: int
    """Start in the target text (the copy)."""
    end: int
    """End in the target text."""
    source_start: int
    """Start of the same characters in the source text (the original, or the sub-Doc)."""

    @property
    def shift(self) -> int:
        """What to add to a source offset inside this piece to get the target offset."""
        return self.start - self.source_start

    @property
    def source_end(self) -> int:
        """End of the piece in the source text."""
        return self.source_start + (self.end - self.start)


@dataclass(frozen=True, slots=True)
class Alignment:
    """How a copy's text lines up with its original's: verbatim pieces and added text."""

    pieces: tuple[Piece, ...]
    """Verbatim pieces, in copy order."""
    added: tuple[tuple[int, int], ...]
    """Copy spans `(start, end)` not found verbatim: the text to read afresh, in order."""

    @property
    def reused_chars(self) -> int:
        """Characters of the copy covered by verbatim pieces."""
        return sum(p.end - p.start for p in self.pieces)

    @property
    def added_chars(self) -> int:
        """Characters of the copy to read afresh."""
        return sum(e - s for s, e in self.added)

    @property
    def reused_share(self) -> float:
        """Share (0-1) of the copy's non-blank text whose extraction comes from the original."""
        total = self.reused_chars + self.added_chars
        return self.reused_chars / total if total else 1.0


def align_copy(original_text: str, copy_text: str) -> Alignment:
    """Verbatim pieces of `copy_text` in `original_text` and the copy's added text.

    The added spans are what the pieces leave of each line, whitespace stripped; together the
    two cover every non-blank character of the copy once.
    """
    found = sorted(verbatim_pieces(original_text, copy_text))
    pieces: list[Piece] = []
    for start, end, at in found:
        if pieces and start < pieces[-1].end:  # a sentence inside a paragraph already taken
            continue
        pieces.append(Piece(start, end, at))
    added: list[tuple[int, int]] = []
    cursor = 0
    for piece in [*pieces, Piece(len(copy_text), len(copy_text), 0)]:
        added.extend(_stripped_lines(copy_text, cursor, piece.start))
        cursor = max(cursor, piece.end)
    return Alignment(tuple(pieces), tuple(added))


def _stripped_lines(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    offset = start
    for line in text[start:end].split("\n"):
        s = offset + len(line) - len(line.lstrip())
        e = offset + len(line.rstrip())
        if e > s:
            yield s, e
        offset += len(line) + 1


# --- shifting records ------------------------------------------------------------------------


class _Mapper:
    """Maps `(start, end)` of the source text to the target text through verbatim pieces."""

    def __init__(self, pieces: Sequence[Piece], source: str = "", target: str = "") -> None:
        self.pieces = sorted(pieces, key=lambda p: p.source_start)
        self.source = source
        self.target = target

    def map(self, start: int, end: int, near: int | None = None) -> tuple[int, int] | None:
        """The target span of source `[start:end]`, or None when no piece holds all of it.
        When a piece repeats in the target, the occurrence nearest `near` is taken. A span
        whose edges are whitespace (a parsed sentence takes the line break after it) is placed
        by its non-blank core, then widened over as much whitespace as the target has there."""
        moved = self._map(start, end, near)
        if moved is not None or not self.source:
            return moved
        core = self.source[start:end]
        lead = len(core) - len(core.lstrip())
        trail = len(core) - len(core.rstrip())
        if not (lead or trail) or lead == len(core):
            return None
        moved = self._map(start + lead, end - trail, near)
        if moved is None:
            return None
        s, e = moved
        while lead and s > 0 and self.target[s - 1].isspace():
            s, lead = s - 1, lead - 1
        while trail and e < len(self.target) and self.target[e].isspace():
            e, trail = e + 1, trail - 1
        return s, e

    def _map(self, start: int, end: int, near: int | None) -> tuple[int, int] | None:
        best: Piece | None = None
        for p in self.pieces:
            if p.source_start > start:
                break
            if end <= p.source_end and (
                best is None or (near is not None and abs(p.start - near) < abs(best.start - near))
            ):
                best = p
        if best is None:
            return None
        return start + best.shift, end + best.shift


@functools.lru_cache(maxsize=None)
def _offset_pairs(cls: Any) -> tuple[tuple[str, str, bool], ...]:
    """`(start field, end field, required)` of a record class: `start`/`end` first, then every
    `x_start`/`x_end` pair; a pair is optional when its fields default to None."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    out = []
    for name, f in fields.items():
        if (name == "start" or name.endswith("_start")) and _is_offset(f.type):
            end = name[: -len("start")] + "end"
            if end in fields and _is_offset(fields[end].type):
                out.append((name, end, f.default is not None))
    out.sort(key=lambda p: p[0] != "start")
    return tuple(out)


def _is_offset(hint: Any) -> bool:
    # Records use postponed annotations, so the hint is a string; round_start is a date string.
    return hint in (int, "int", "int | None")


def shift_record(record: Any, mapper: _Mapper, *, strict: bool) -> Any | None:
    """`record` with every offset moved through `mapper`, or None when it cannot be placed.

    Not placed: its own span (or a required pair, an event's sentence) falls outside the
    pieces, or, when `strict`, any offset does. Otherwise an optional pair outside the pieces
    is set to None, and nested records (a negotiation's issues and stances) that cannot be
    placed are left out. Records without offsets are returned as they are.
    """
    cls: Any = type(record)
    if not dataclasses.is_dataclass(record) or isinstance(record, type):
        return record
    changes: dict[str, Any] = {}
    near: int | None = None
    for start_name, end_name, required in _offset_pairs(cls):
        start, end = getattr(record, start_name), getattr(record, end_name)
        if start is None or end is None:
            continue
        moved = mapper.map(start, end, near)
        if moved is None:
            if required or strict or start_name == "start":
                return None
            changes[start_name] = changes[end_name] = None
            continue
        if near is None:
            near = moved[0]
        changes[start_name], changes[end_name] = moved
    for f in dataclasses.fields(cls):
        value = getattr(record, f.name)
        if isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
            inner = [shift_record(v, mapper, strict=strict) for v in value]
            if strict and any(v is None for v in inner):
                return None
            changes[f.name] = tuple(v for v in inner if v is not None)
    return dataclasses.replace(record, **changes) if changes else record


def shift_spans(spans: dict[str, list[Any]], pieces: Sequence[Piece], source: str = "",
                target: str = "") -> tuple[dict[str, list[Any]], list[str]]:
    """Span groups of a source Doc moved into the target text through `pieces` (given the two
    texts, spans with whitespace at their edges are placed by their core, see `_Mapper`).

    Returns the shifted groups and the names of the WHOLE_GROUPS that lost evidence (left out
    of the result: they must be recomputed).
    """
    mapper = _Mapper(pieces, source, target)
    out: dict[str, list[Any]] = {}
    lost: list[str] = []
    for name, records in spans.items():
        strict = name in WHOLE_GROUPS
        moved = [shift_record(r, mapper, strict=strict) for r in records]
        if strict and any(m is None for m in moved):
            lost.append(name)
            continue
        out[name] = _in_text_order([m for m in moved if m is not None])
    return out, lost


def _in_text_order(records: list[Any]) -> list[Any]:
    if records and all(hasattr(r, "start") for r in records):
        return sorted(records, key=lambda r: (r.start, r.end))
    return records


# --- the plan --------------------------------------------------------------------------------


@dataclass(slots=True)
class ReusePlan:
    """How one copy is read: its Doc with the original's spans moved in, and what is left to read."""

    doc: Doc
    """The copy (cleaned), holding the spans reused from the original."""
    alignment: Alignment
    """Its verbatim pieces and added text."""
    original_id: str
    """The article whose extraction is reused."""

    @property
    def reused_share(self) -> float:
        """Share of the copy's characters whose extraction was reused (see `Alignment`)."""
        return self.alignment.reused_share

    def work_item(self) -> Doc:
        """The Doc to send through the pipeline: the sub-Doc of the added text (same id,
        publication date and source as the copy, already cleaned), or, when nothing was
        added, the copy itself with every stage marked done (the pipeline then skips it)."""
        if not self.alignment.added:
            return self.doc
        text = SEPARATOR.join(self.doc.text[s:e] for s, e in self.alignment.added)
        d = self.doc
        return Doc(raw=text, id=d.id, url=d.url, outlet=d.outlet, title=d.title, author=d.author,
                   published=d.published, published_precision=d.published_precision,
                   language=d.language, source=d.source, text=text,
                   offsets=OffsetMap.identity(len(text)), stages=list(d.stages))

    def sub_pieces(self) -> list[Piece]:
        """Where each added piece sits in the sub-Doc (`source_start`) and in the copy."""
        out, at = [], 0
        for s, e in self.alignment.added:
            out.append(Piece(s, e, at))
            at += e - s + len(SEPARATOR)
        return out

    def merge(self, result: Doc) -> Doc:
        """The copy with the spans of the processed `work_item()` added: returns the copy Doc."""
        if result is self.doc or not self.alignment.added:
            return result
        added, _ = shift_spans(result.spans, self.sub_pieces(), result.text, self.doc.text)
        doc = self.doc
        for name, records in added.items():
            if name in WHOLE_GROUPS:
                if not doc.spans.get(name):
                    doc.spans[name] = records
                elif records:
                    log.debug("copy %s: %s found in its added text ignored; the original's is kept",
                              doc.id, name)
                continue
            doc.spans[name] = _in_text_order([*doc.spans.get(name, []), *records])
        for name in result.spans.keys() - added.keys():  # a WHOLE_GROUPS record across pieces
            doc.spans.setdefault(name, [])
        doc.stages = list(result.stages)
        return doc


def plan_reuse(copy: Doc, original: Doc, *, min_share: float = MIN_REUSE_SHARE) -> ReusePlan | None:
    """Move `original`'s extraction into the cleaned `copy` where their texts are the same.

    Returns None, leaving `copy` untouched, when the copy shares less than `min_share` of its
    text verbatim, or when a doc-level record (WHOLE_GROUPS) of the original loses evidence
    in the copy: then the copy is processed in full. Otherwise `copy.spans` holds the reused
    spans and the plan says what remains to be read.
    """
    alignment = align_copy(original.text, copy.text)
    if alignment.reused_share < min_share:
        log.debug("copy %s: only %.2f of its text is in %s; processed in full", copy.id,
                  alignment.reused_share, original.id)
        return None
    spans, lost = shift_spans(original.spans, alignment.pieces, original.text, copy.text)
    if _publication(original) != _publication(copy):
        lost += [name for name in WHOLE_GROUPS if spans.pop(name, None)]
        spans = redate(spans, copy.text, original, copy)
    if lost:
        log.debug("copy %s: %s of %s lose evidence in the copy; processed in full", copy.id,
                  lost, original.id)
        return None
    copy.spans = spans
    if not alignment.added:
        copy.stages = list(original.stages)
    return ReusePlan(copy, alignment, original.id)


# --- another publication date ----------------------------------------------------------------


def _publication(doc: Doc) -> str | None:
    """The publication date as the extractors write it (ISO, cut to its precision)."""
    if doc.published is None or doc.published_precision == "unknown":
        return None
    return doc.published.isoformat()[: {"day": 10, "month": 7, "year": 4}.get(doc.published_precision, 10)]


def redate(spans: dict[str, list[Any]], text: str, original: Doc, copy: Doc) -> dict[str, list[Any]]:
    """Reused spans re-dated for a copy published on another date than its original.

    A time expression resolved against the publication date ("on Tuesday", "yesterday") is
    normalised again against the copy's date, with the tense that reproduces the original's
    value (the parse that gave the tense is not kept). Quotes and events dated by the
    publication date take the copy's; those dated by a time expression whose value changed take
    its new value. Other records are unchanged.
    """
    from tidings.extract.times import normalise_full
    from tidings.extract.timenorm import Tense

    old_pub, new_pub = _publication(original), _publication(copy)
    tenses: tuple[Tense | None, ...] = (None, "past", "present", "future")
    values: dict[str, str] = {}
    times = []
    for t in spans.get("times", []):
        if t.anchor == "publication":
            expression = text[t.start : t.end]
            for tense in tenses:
                before = normalise_full(expression, original.published, original.published_precision, tense)
                if before is not None and before[0].value == t.value:
                    after = normalise_full(expression, copy.published, copy.published_precision, tense)
                    if after is not None:
                        values[t.value] = after[0].value
                        t = dataclasses.replace(t, value=after[0].value, anchor=after[0].anchor)
                    break
        times.append(t)
    out = dict(spans)
    if "times" in spans:
        out["times"] = times

    def new_date(date: str | None, source: str) -> str | None:
        if source == "publication":
            return new_pub if date == old_pub else date
        if date in values:
            return values[date]
        full = [v for old, v in values.items() if old[:10] == date]  # a quote keeps the day part
        return full[0][:10] if date and full else date

    for name in ("quotes", "events"):
        if name in spans:
            out[name] = [r if (d := new_date(r.date, r.date_source)) == r.date else dataclasses.replace(r, date=d)
                         for r in spans[name]]
    return out


# --- how faithful is it -----------------------------------------------------------------------

COMPARED_GROUPS = ("entities", "times", "places", "quotes", "events")
"""The span groups `compare_extractions` scores by default."""


def compare_extractions(full: Doc, reused: Doc, groups: Sequence[str] = COMPARED_GROUPS,
                        *, spans_only: bool = False) -> dict[str, tuple[int, int, int]]:
    """Per group, `(matching, in full, in reused)` record counts between a full extraction of a
    copy and its reused one (both Docs of the same text). Records match when every field is
    equal (`spans_only`: when start and end are), counted as multisets; agreement is
    `2 * matching / (in full + in reused)` (F1), see `agreement`."""
    out = {}
    for name in groups:
        a = Counter(_key(r, spans_only) for r in full.spans.get(name, []))
        b = Counter(_key(r, spans_only) for r in reused.spans.get(name, []))
        out[name] = (sum((a & b).values()), sum(a.values()), sum(b.values()))
    return out


def agreement(counts: tuple[int, int, int]) -> float:
    """F1 of `(matching, in full, in reused)`; 1.0 when both are empty."""
    matching, n_full, n_reused = counts
    return 2 * matching / (n_full + n_reused) if n_full + n_reused else 1.0


def _key(record: Any, spans_only: bool) -> Any:
    return (record.start, record.end) if spans_only and hasattr(record, "start") else record
