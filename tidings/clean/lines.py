"""Lines of a text, as every cleaning pass sees them (so that they agree on what a line is)."""

from __future__ import annotations

import re
from typing import NamedTuple

LINEBREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
"""One line break, exactly as `str.splitlines` counts them."""


class Line(NamedTuple):
    """One line of a text, in offsets of that text."""

    start: int
    """Start of the line's content, leading whitespace skipped."""
    end: int
    """End of the line's content, trailing whitespace skipped (`start == end`: a blank line)."""
    after: int
    """Offset just past the line's break (the start of the next line), or the text's end."""


def line_spans(text: str) -> list[Line]:
    """The lines of `text` in order; a text ending in a line break has no empty last line."""
    lines: list[Line] = []
    pos = 0
    for chunk in text.splitlines(keepends=True):
        after = pos + len(chunk)
        content = chunk.rstrip()
        stripped = content.lstrip()
        if stripped:
            start = pos + len(content) - len(stripped)
            lines.append(Line(start, pos + len(content), after))
        else:
            lines.append(Line(pos, pos, after))
        pos = after
    return lines
