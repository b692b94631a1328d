"""An article's cleaned text as HTML: every span highlighted, removed boilerplate inline.

Works on the stored Doc JSON (`Doc.to_json(include_raw=True)`), so span groups this process
has no record class for (added by newer extractors) are still shown. All text is escaped here
with `markupsafe.escape`; the result is `Markup` that templates insert as is.

Highlights may nest (an actor inside a quote) or cross (a place that starts inside one actor
mention and ends after it). HTML elements must nest, so a crossing highlight is closed and
reopened around the other one; the pieces of one span share its `data-ref`.

Removed pieces are placed where they were in the raw input: the cleaner accounts for every raw
character either in a kept segment of the offset map or in exactly one removal, and segments
come in raw order, so a removal goes before the first kept segment that starts after it.
"""

from __future__ import annotations

import bisect
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

log = logging.getLogger(__name__)

GROUP_KINDS: dict[str, str] = {
    "entities": "actor",
    "times": "time",
    "places": "place",
    "quotes": "quote",
    "events": "event",
}
"""Span group -> the kind shown to the user (and the CSS class `hl-<kind>`); other groups
are shown under their own name."""

NESTING_ORDER: dict[str, int] = {"quotes": 0, "events": 1, "entities": 2, "places": 3, "times": 4}
"""Which group's element goes outside when two spans cover exactly the same characters."""

DOC_KEYS = frozenset(
    {"id", "url", "outlet", "title", "author", "published", "published_precision", "language",
     "source", "text", "removed", "raw", "offsets", "stages"}
)
"""Top-level keys of the Doc JSON that are not span groups."""

HIDDEN_REASONS = frozenset({"whitespace"})
"""Removal reasons not drawn inline: folded whitespace has nothing to show."""


@dataclass(frozen=True, slots=True)
class Highlight:
    """One span to highlight in the cleaned text."""

    start: int
    """Start offset in the cleaned text."""
    end: int
    """End offset in the cleaned text."""
    group: str
    """Its span group (entities, times, ...)."""
    idx: int
    """Its position in that group."""
    label: str
    """A one-line description, shown as a tooltip."""

    @property
    def ref(self) -> str:
        """Stable id of the span within the page: `<group>-<idx>`."""
        return f"{self.group}-{self.idx}"

    @property
    def kind(self) -> str:
        """What the span is (actor, time, place, quote, event, or its group name)."""
        return GROUP_KINDS.get(self.group, self.group)


@dataclass(frozen=True, slots=True)
class InlineRemoval:
    """A removed raw piece, placed at an offset of the cleaned text."""

    at: int
    """Offset in the cleaned text it is shown before."""
    idx: int
    """Its position in `doc.removed`."""
    text: str
    """The removed raw text."""
    reason: str
    """Why it was removed."""
    rule: str
    """The rule that matched."""


def span_groups(data: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The span groups of a stored Doc JSON: every list of record dicts that is not Doc data."""
    return {
        key: value for key, value in data.items()
        if key not in DOC_KEYS and isinstance(value, list)
        and all(isinstance(v, dict) for v in value)
    }


def span_label(group: str, record: Mapping[str, Any]) -> str:
    """A one-line description of a span record for its tooltip."""
    if group == "entities":
        extra = ", ".join(str(record[k]) for k in ("role", "affiliation") if record.get(k))
        return f"Actor: {record.get('canonical')} ({record.get('kind')}{', ' + extra if extra else ''})"
    if group == "times":
        value = record.get("value") or "unresolved"
        mod = f", {record['mod']}" if record.get("mod") else ""
        return f"Time: {value} ({record.get('type')}{mod}, {record.get('anchor')})"
    if group == "places":
        return (f"Place: {record.get('name')}, {record.get('country') or '?'} "
                f"({_coord(record.get('lat'))}, {_coord(record.get('lon'))})")
    if group == "quotes":
        speaker = record.get("speaker") or "unknown speaker"
        return f"Quote ({record.get('kind')}): {speaker}"
    if group == "events":
        who = ", ".join(record.get("actors") or []) or "someone"
        whom = ", ".join(record.get("targets") or [])
        mode = f"/{record['mode']}" if record.get("mode") else ""
        neg = "not " if record.get("negated") else ""
        return (f"Event: {neg}{record.get('type')}{mode} by {who}"
                f"{' on ' + whom if whom else ''}{' · ' + record['date'] if record.get('date') else ''}")
    fields = ", ".join(f"{k}={v}" for k, v in record.items()
                       if k not in ("start", "end", "text") and v not in (None, ""))
    return f"{group}: {fields}"


def _coord(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, (int, float)) else "?"


def find_highlights(data: Mapping[str, Any]) -> list[Highlight]:
    """Every span of every group of a stored Doc JSON that lies inside its text."""
    length = len(data.get("text") or "")
    found: list[Highlight] = []
    for group, records in span_groups(data).items():
        for idx, record in enumerate(records):
            start, end = record.get("start"), record.get("end")
            if not isinstance(start, int) or not isinstance(end, int):
                continue  # a record that is not a span (e.g. a story link)
            if not 0 <= start < end <= length:
                log.warning("article %s: %s[%d] span %d..%d lies outside its text (%d chars); "
                            "not shown", data.get("id"), group, idx, start, end, length)
                continue
            found.append(Highlight(start, end, group, idx, span_label(group, record)))
    return found


def place_removals(data: Mapping[str, Any]) -> list[InlineRemoval]:
    """The removed pieces of a stored Doc JSON, each at the text offset it is shown before."""
    raw = data.get("raw") or ""
    text_len = len(data.get("text") or "")
    segments: Sequence[Sequence[int]] = data.get("offsets") or []
    raw_starts = [s[2] for s in segments]
    placed: list[InlineRemoval] = []
    for idx, removal in enumerate(data.get("removed") or []):
        start, end = removal["start"], removal["end"]
        i = bisect.bisect_left(raw_starts, end)
        at = segments[i][0] if i < len(segments) else text_len
        piece = removal.get("text", raw[start:end])
        placed.append(InlineRemoval(at, idx, piece, removal.get("reason", ""),
                                    removal.get("rule", "")))
    return placed


def render_text(
    text: str, highlights: Iterable[Highlight], removals: Iterable[InlineRemoval] = ()
) -> Markup:
    """`text` as escaped HTML with each highlight a `<mark>` and each removal a greyed `<span>`."""
    by_start: dict[int, list[Highlight]] = defaultdict(list)
    positions = {0, len(text)}
    for h in highlights:
        by_start[h.start].append(h)
        positions.update((h.start, h.end))
    inserts: dict[int, list[InlineRemoval]] = defaultdict(list)
    for r in removals:
        if r.reason in HIDDEN_REASONS or not r.text.strip():
            continue
        at = min(max(r.at, 0), len(text))
        inserts[at].append(r)
        positions.add(at)
    for group in by_start.values():
        group.sort(key=lambda h: (-h.end, NESTING_ORDER.get(h.group, 9), h.idx))

    out: list[str] = []
    stack: list[Highlight] = []
    opened: set[str] = set()

    def open_mark(h: Highlight) -> None:
        first = h.ref not in opened
        opened.add(h.ref)
        out.append(_mark_open(h, first))
        stack.append(h)

    ordered = sorted(positions)
    for n, pos in enumerate(ordered):
        if any(h.end <= pos for h in stack):
            reopen: list[Highlight] = []
            while any(h.end <= pos for h in stack):
                h = stack.pop()
                out.append("</mark>")
                if h.end > pos:
                    reopen.append(h)
            for h in reversed(reopen):
                open_mark(h)
        if pos in inserts:
            # Shown outside every highlight: dropped text belongs to no extracted span.
            held = list(stack)
            out.extend("</mark>" for _ in held)
            stack.clear()
            out.extend(_removed(r) for r in sorted(inserts[pos], key=lambda r: r.idx))
            for h in held:
                open_mark(h)
        for h in by_start.get(pos, []):
            open_mark(h)
        if n + 1 < len(ordered):
            out.append(str(escape(text[pos:ordered[n + 1]])))
    out.extend("</mark>" for _ in stack)
    return Markup("".join(out))


def _mark_open(h: Highlight, first: bool) -> str:
    classes = f"hl hl-{escape(h.kind)}" + ("" if first else " hl-cont")
    ident = f' id="{escape(h.ref)}" tabindex="0"' if first else ""
    return (f'<mark class="{classes}" data-ref="{escape(h.ref)}"{ident} '
            f'title="{escape(h.label)}">')


def _removed(r: InlineRemoval) -> str:
    rule = f", rule {r.rule}" if r.rule else ""
    return (f'<span class="removed" data-reason="{escape(r.reason)}" '
            f'title="{escape(f"Removed ({r.reason}{rule}): not part of the cleaned text")}">'
            f"{escape(r.text)}</span>")
