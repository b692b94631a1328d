"""The Doc: one article, owning its raw input, its cleaned text and every span extracted from it.

After cleaning, `doc.text` is final. Every extracted record is a span into `doc.text`
(`start`/`end`); `doc.offsets` maps any text offset back to the raw input, so each fact can be
traced to the exact characters it came from.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from tidings.records import (
    Attitude,
    Entity,
    Event,
    Negotiation,
    Place,
    Precision,
    Quote,
    Removal,
    Segment,
    SourceRef,
    TimeRef,
    from_dict,
    to_dict,
)

SPAN_GROUPS: dict[str, type] = {
    "entities": Entity, "times": TimeRef, "places": Place, "quotes": Quote, "events": Event,
    "negotiation": Negotiation, "attitudes": Attitude,
}
"""Registry of span-group name -> record class. The built-in groups are known from the start, so
any process (the writer, the web server) can load stored Docs without importing the extractors;
an extractor that adds a new group registers it with `register_group`."""


def register_group(name: str, cls: type) -> None:
    """Declare that span group `name` holds records of type `cls` (for JSON round trips)."""
    SPAN_GROUPS[name] = cls


def make_id(raw: str, url: str | None) -> str:
    """Deterministic article id: a content hash of the url (if any) and the raw input."""
    digest = hashlib.sha256()
    digest.update((url or "").encode("utf-8"))
    digest.update(b"\x00")
    digest.update(raw.encode("utf-8"))
    return digest.hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Maps offsets in the cleaned text back to the raw input, piece by piece."""

    segments: tuple[Segment, ...] = ()
    """Kept pieces in text order; gaps in raw between them are removed material."""

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        """The map of a text that is its own raw input."""
        return cls((Segment(0, length, 0, length),) if length else ())

    def to_raw(self, offset: int, *, is_end: bool = False) -> int:
        """Raw offset of text offset `offset`; `is_end` picks the end side at piece borders."""
        if not self.segments:
            return 0
        starts = [s.text_start for s in self.segments]
        i = bisect.bisect_right(starts, offset) - 1
        if is_end and i > 0 and self.segments[i].text_start == offset:
            i -= 1  # an end offset at a border belongs to the piece before it
        seg = self.segments[max(i, 0)]
        if seg.text_end - seg.text_start == seg.raw_end - seg.raw_start:
            return seg.raw_start + min(max(offset - seg.text_start, 0), seg.raw_end - seg.raw_start)
        return seg.raw_end if is_end else seg.raw_start

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw `(start, end)` covering text `[start:end]`."""
        return self.to_raw(start), self.to_raw(end, is_end=True)


@dataclass(slots=True)
class Doc:
    """One article. Readers create it with `raw`; cleaning sets `text`; extractors fill `spans`."""

    raw: str
    """The article's input text exactly as read (for HTML: the text trafilatura extracted)."""
    id: str = ""
    """Content-hash id (see `make_id`); set on creation when empty."""
    url: str | None = None
    """Where the article was published, when known."""
    outlet: str | None = None
    """The publishing outlet (site name or domain), when known."""
    title: str | None = None
    """Headline, when the input gives one."""
    author: str | None = None
    """Byline, when the input gives one."""
    published: dt.date | None = None
    """Publication date; with `published_precision` 'month' only year and month are meaningful."""
    published_precision: Precision = "unknown"
    """How much of `published` is known: day, month, year, or unknown (no date)."""
    language: str = "en"
    """ISO 639-1 language code."""
    source: SourceRef | None = None
    """File (and line or record) the article was read from."""
    text: str = ""
    """The cleaned text; every span offset points into it."""
    offsets: OffsetMap = field(default_factory=OffsetMap)
    """Map from `text` offsets back to `raw` offsets."""
    removed: list[Removal] = field(default_factory=list)
    """Raw-input pieces dropped by reading (date header) and cleaning, with reasons."""
    spans: dict[str, list[Any]] = field(default_factory=dict)
    """Named span groups (entities, times, ...) of records pointing into `text`."""
    stages: list[str] = field(default_factory=list)
    """Names of the pipeline stages that have run on this Doc, in order."""
    parsed: Any = None
    """The spaCy parse of `text`, shared by extractors; never serialised."""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = make_id(self.raw, self.url)

    def span_text(self, span: Any) -> str:
        """The text a span record covers in `doc.text`."""
        return self.text[span.start : span.end]

    def raw_text(self, removal: Removal) -> str:
        """The raw text a removal covers."""
        return self.raw[removal.start : removal.end]

    def to_json(self, *, include_raw: bool = True) -> dict[str, Any]:
        """A JSON-able dict holding everything needed to rebuild this Doc (except `parsed`)."""
        out: dict[str, Any] = {
            "id": self.id,
            "url": self.url,
            "outlet": self.outlet,
            "title": self.title,
            "author": self.author,
            "published": self.published.isoformat() if self.published else None,
            "published_precision": self.published_precision,
            "language": self.language,
            "source": str(self.source) if self.source else None,
            "text": self.text,
            "removed": [
                {**to_dict(r), "text": self.raw_text(r)} for r in self.removed
            ],
        }
        for name, records in self.spans.items():
            out[name] = [{**to_dict(r), "text": self.span_text(r)} if hasattr(r, "start")
                         else to_dict(r) for r in records]
        if include_raw:
            out["raw"] = self.raw
            out["offsets"] = [list(_segment_tuple(s)) for s in self.offsets.segments]
            out["stages"] = list(self.stages)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Doc:
        """Rebuild a Doc from `to_json(include_raw=True)` output."""
        source = None
        if data.get("source"):
            source = _parse_source(data["source"])
        doc = cls(
            raw=data["raw"],
            id=data["id"],
            url=data.get("url"),
            outlet=data.get("outlet"),
            title=data.get("title"),
            author=data.get("author"),
            published=dt.date.fromisoformat(data["published"]) if data.get("published") else None,
            published_precision=data.get("published_precision", "unknown"),
            language=data.get("language", "en"),
            source=source,
            text=data.get("text", ""),
            offsets=OffsetMap(tuple(Segment(*s) for s in data.get("offsets", []))),
            removed=[from_dict(Removal, _without_text(r)) for r in data.get("removed", [])],
            stages=list(data.get("stages", [])),
        )
        for name, cls_ in SPAN_GROUPS.items():
            if name in data:
                doc.spans[name] = [from_dict(cls_, _without_text(r)) for r in data[name]]
        return doc


def _segment_tuple(s: Segment) -> tuple[int, int, int, int]:
    return (s.text_start, s.text_end, s.raw_start, s.raw_end)


def _without_text(record: dict[str, Any]) -> dict[str, Any]:
    # `text` is derived from the Doc on output; it is not a field of the record.
    return {k: v for k, v in record.items() if k != "text"}


def _parse_source(value: str) -> SourceRef:
    path, sep, rest = value.rpartition(":")
    if sep and rest.isdigit():
        return SourceRef(path, line=int(rest))
    path, sep, rest = value.rpartition("#")
    if sep and rest.isdigit():
        return SourceRef(path, record=int(rest))
    return SourceRef(value)
