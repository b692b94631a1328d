"""Doc invariants: JSON round trips lose nothing; the offset map points at the right raw text."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import given
from hypothesis import strategies as st

from tidings.doc import Doc, OffsetMap, make_id
from tidings.records import Removal, Segment, SourceRef

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)


@st.composite
def docs(draw: st.DrawFn) -> Doc:
    """A Doc whose text is raw with some pieces cut out, with the matching offset map."""
    raw = draw(texts)
    cuts = sorted(set(draw(st.lists(st.integers(0, len(raw)), max_size=6))))
    bounds = [0, *cuts, len(raw)]
    pieces = [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]
    kept = [p for i, p in enumerate(pieces) if i % 2 == 0 and p[1] > p[0]]
    removed = [Removal(s, e, "link-line", "test") for i, (s, e) in enumerate(pieces) if i % 2 == 1 and e > s]
    segments, text = [], ""
    for s, e in kept:
        segments.append(Segment(len(text), len(text) + e - s, s, e))
        text += raw[s:e]
    published = draw(st.none() | st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)))
    return Doc(
        raw=raw,
        url=draw(st.none() | st.just("https://news.example/a")),
        title=draw(st.none() | texts),
        published=published,
        published_precision="day" if published else "unknown",
        source=draw(st.none() | st.builds(SourceRef, st.just("in.jsonl"), st.integers(1, 99))),
        text=text,
        offsets=OffsetMap(tuple(segments)),
        removed=removed,
    )


@given(docs())
def test_json_round_trip_loses_nothing(doc: Doc) -> None:
    data = json.loads(json.dumps(doc.to_json()))
    again = Doc.from_json(data)
    assert again.to_json() == doc.to_json()
    assert again.offsets == doc.offsets and again.removed == doc.removed
    assert again.published == doc.published and again.source == doc.source


@given(docs())
def test_offset_map_points_at_the_same_characters(doc: Doc) -> None:
    for i, char in enumerate(doc.text):
        assert doc.raw[doc.offsets.to_raw(i)] == char
    start, end = doc.offsets.raw_span(0, len(doc.text))
    assert 0 <= start <= end <= len(doc.raw)


def test_removed_output_carries_the_raw_text() -> None:
    doc = Doc(raw="date 2024-08-26 Talks ended.", text="Talks ended.",
              offsets=OffsetMap((Segment(0, 12, 16, 28),)), removed=[Removal(0, 15, "date-header")])
    assert doc.to_json()["removed"][0]["text"] == "date 2024-08-26"
    assert doc.offsets.raw_span(0, 5) == (16, 21)


def test_ids_are_content_hashes() -> None:
    assert make_id("same text", None) == make_id("same text", None)
    assert make_id("same text", None) != make_id("same text", "https://a.example/1")
    assert Doc(raw="abc").id == make_id("abc", None)
