"""The mention the entities stage assembles before it becomes an `Entity`.

Moved out of `tidings/extract/entities.py` (where it was `_Cand`) so that the person rules in
`tidings/extract/persons.py` can build and read candidates without importing entities.py back.
"""

from __future__ import annotations

from dataclasses import dataclass

from tidings.records import ActorKind


@dataclass(slots=True)
class Cand:
    """A mention being assembled; becomes an `Entity`."""

    start: int
    end: int
    canonical: str
    kind: ActorKind
    code: str | None = None
    ner_label: str | None = None
    resolved_by: str = "ner"
    via: str = ""  # gazetteer form type ("name", "demonym", "metonym", ...) for gazetteer hits
    blocker: bool = False  # a known non-actor name: blocks NER spans, never output
    role: str | None = None
    affiliation: str | None = None

    def overlaps(self, start: int, end: int) -> bool:
        """Whether the mention shares a character with `start`-`end`."""
        return self.start < end and start < self.end
