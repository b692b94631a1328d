"""Bring predicted records into gold coordinates.

Gold annotations point into the text we gave `tidings.process`, which becomes `doc.raw`.
Predicted records point into `doc.text` (after reading and cleaning, which may drop a date line
or boilerplate), so before comparing we map every predicted offset back to the raw input with
the Doc's offset map.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from tidings.doc import Doc

log = logging.getLogger(__name__)

R = TypeVar("R")

_OFFSET_PAIRS = (("start", "end"), ("speaker_start", "speaker_end"))


def to_raw(doc: Doc, records: Iterable[R]) -> list[R]:
    """Copies of `records` with their offsets (start/end, speaker_start/speaker_end) in `doc.raw`.

    Records without offsets are returned unchanged. When the Doc has no offset map (a Doc built
    by hand whose text is its raw input) offsets are kept as they are.
    """
    out: list[R] = []
    identity = not doc.offsets.segments
    for record in records:
        if identity or not dataclasses.is_dataclass(record):
            out.append(record)
            continue
        changes: dict[str, Any] = {}
        for s_name, e_name in _OFFSET_PAIRS:
            start = getattr(record, s_name, None)
            end = getattr(record, e_name, None)
            if isinstance(start, int) and isinstance(end, int):
                changes[s_name], changes[e_name] = doc.offsets.raw_span(start, end)
        out.append(dataclasses.replace(record, **changes) if changes else record)  # type: ignore[type-var]
    return out


def predicted(doc: Doc, group: str) -> list[Any]:
    """The records of span group `group` in raw coordinates; empty when the group is absent."""
    return to_raw(doc, doc.spans.get(group, []))


def within(records: Sequence[R], region: tuple[int, int]) -> list[R]:
    """Records whose span starts inside `region` (`(start, end)` in the same coordinates)."""
    lo, hi = region
    return [r for r in records if lo <= getattr(r, "start") < hi]


def check_raw(doc: Doc, text: str, name: str) -> bool:
    """True when `doc.raw` is the text the gold points into; logs a warning otherwise."""
    if doc.raw == text:
        return True
    log.warning("%s: the processed Doc's raw text differs from the gold text; "
                "offsets may not line up", name)
    return False
