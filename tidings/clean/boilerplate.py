"""Boilerplate lines: link, promo, share, newsletter, cookie, photo-credit and banner lines.

A line is boilerplate only when all of these hold, so that nothing of the report is lost:
- one of the patterns (tidings/data/boilerplate.txt plus the user's files) matches at the
  start of the line;
- the line is short: at most MAX_BOILERPLATE_WORDS words;
- the line stands alone: it is not the hard-wrapped continuation of the line before it.
A sentence inside a paragraph is never removed, whatever it contains.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from tidings.clean.lines import Line, line_spans
from tidings.clean.patterns import LinePattern, PatternSet
from tidings.clean.view import Edit

log = logging.getLogger(__name__)

MAX_BOILERPLATE_WORDS = 30
# Unit: words (whitespace-separated) of one line. Gates line removal: a longer line is report
# text whatever it starts with. Calibrated on the shared sample's "Also Read:" link lines
# (11-20 words) and common cookie/newsletter prompts (up to about 30 words); report paragraphs
# that start like a prompt ("Subscribers to the service ...") are typically longer.

_MID_SENTENCE_ENDINGS = ",;-–—("
"""A line ending in one of these (or in a letter or digit) does not end a sentence."""


def find_boilerplate(
    text: str, patterns: PatternSet, lines: Sequence[Line] | None = None
) -> list[Edit]:
    """Edits dropping each boilerplate line of `text`, with its line break, so the lines
    around it join up as they would have without it. `lines` are `text`'s lines when known."""
    edits: list[Edit] = []
    previous = ""  # last kept line of the current paragraph ("" after a blank line)
    for start, end, after in line_spans(text) if lines is None else lines:
        if start == end:
            previous = ""
            continue
        line = text[start:end]
        match = _match_line(line, previous, patterns)
        if match is None:
            previous = line
            continue
        edits.append(Edit(start, after, match.reason, match.rule))
    if edits:
        log.debug("boilerplate lines: %s", [(e.reason, e.rule) for e in edits])
    return edits


def _match_line(line: str, previous: str, patterns: PatternSet) -> LinePattern | None:
    if len(line.split(None, MAX_BOILERPLATE_WORDS)) > MAX_BOILERPLATE_WORDS:
        return None  # more words than the limit (split stops counting past it)
    if previous and _continues(previous, line):
        return None
    return patterns.first_match(line)


def _continues(previous: str, line: str) -> bool:
    """Whether `line` reads as the hard-wrapped rest of a sentence begun on `previous`."""
    last = previous[-1]
    ends_mid_sentence = last.isalnum() or last in _MID_SENTENCE_ENDINGS
    return ends_mid_sentence and line[0].islower()
