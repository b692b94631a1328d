"""Repeated text: a lede, sentence or paragraph that the scraper printed twice.

The later copy goes; the first stays. Sentences are compared after normalising (casefold,
whitespace folded, trailing punctuation stripped), so a copy that lost its full stop still
counts; paragraphs are compared verbatim with whitespace folded. Only sentences and
paragraphs of at least `min_repeat_words` words are considered ([clean] min_repeat_words):
a short repeat ("He declined.") can be the report's own.

Sentence splitting is a small regex splitter, not the spaCy parse: cleaning runs before the
parse and must be cheap, and a missed boundary only makes a repeat harder to find, never
removes text that is not repeated.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence

from tidings.clean.lines import Line, line_spans
from tidings.clean.view import Edit

log = logging.getLogger(__name__)

_TERMINATOR = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|$)")
_NEXT_CHAR = re.compile(r"\s*(\S)")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)*[^\W\d_]")  # "U.S", "J", "J.R"
_OPENERS = "\"'“‘«([" + "—–-"
_TRAILING = ".!?…,;:\"'”’»)] \t"
_ABBREVIATION_WINDOW = 16  # characters looked back for the word before a full stop


def split_sentences(
    text: str, start: int, end: int, abbreviations: frozenset[str]
) -> Iterator[tuple[int, int]]:
    """`(start, end)` of each sentence of the single line `text[start:end]`, whitespace
    stripped. A full stop after an abbreviation or initial, or followed by a lower-case
    word, does not end a sentence."""
    begin = start
    for m in _TERMINATOR.finditer(text, start, end):
        if m.group() == "." and _is_abbreviation(text, begin, m.start(), abbreviations):
            continue
        nxt = _NEXT_CHAR.match(text, m.end(), end)
        if nxt and nxt.group(1).islower():
            continue
        yield from _stripped(text, begin, m.end())
        begin = m.end()
    yield from _stripped(text, begin, end)


def _is_abbreviation(text: str, begin: int, dot: int, abbreviations: frozenset[str]) -> bool:
    window_start = max(begin, dot - _ABBREVIATION_WINDOW)
    window = text[window_start:dot]
    if not window or window[-1].isspace():
        return False
    words = window.split()
    if window_start > begin and len(words) == 1 and not window[0].isspace():
        return False  # the word runs on past the window: longer than any abbreviation
    word = words[-1].lstrip(_OPENERS)
    return bool(word) and (word.casefold() in abbreviations or _INITIALS.fullmatch(word) is not None)


def _stripped(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        yield start, end


def normalise(sentence: str) -> tuple[str, int]:
    """The comparison key of a sentence and its number of words."""
    words = sentence.casefold().split()
    key = " ".join(words).rstrip(_TRAILING)
    return key, len(words)


def find_repeated_sentences(
    text: str,
    min_words: int,
    abbreviations: frozenset[str],
    lines: Sequence[Line] | None = None,
) -> list[Edit]:
    """Edits dropping every sentence (of at least `min_words` words) whose normalised text
    equals that of an earlier sentence; a sentence that is a whole line goes with its line
    break. `lines` are `text`'s lines when known."""
    seen: set[str] = set()
    edits: list[Edit] = []
    for line_start, line_end, after in line_spans(text) if lines is None else lines:
        if line_start == line_end:
            continue
        for start, end in split_sentences(text, line_start, line_end, abbreviations):
            key, words = normalise(text[start:end])
            if words < min_words or not key:
                continue
            if key in seen:
                whole_line = start == line_start and end == line_end
                edits.append(
                    Edit(start, after if whole_line else end, "repeated-text", "repeated-sentence")
                )
            else:
                seen.add(key)
    if edits:
        log.debug("repeated sentences: %d", len(edits))
    return edits


def iter_paragraphs(text: str, lines: Sequence[Line] | None = None) -> Iterator[tuple[int, int]]:
    """`(start, end)` of each paragraph (lines between blank lines), whitespace stripped."""
    para_start = para_end = -1
    for start, end, _ in line_spans(text) if lines is None else lines:
        if start == end:
            if para_start >= 0:
                yield para_start, para_end
            para_start = -1
        else:
            if para_start < 0:
                para_start = start
            para_end = end
    if para_start >= 0:
        yield para_start, para_end


def find_repeated_paragraphs(
    text: str, min_words: int, lines: Sequence[Line] | None = None
) -> list[Edit]:
    """Edits dropping every paragraph (of at least `min_words` words) that repeats an
    earlier one verbatim, whitespace aside. `lines` are `text`'s lines when known."""
    seen: set[str] = set()
    edits: list[Edit] = []
    for start, end in iter_paragraphs(text, lines):
        words = text[start:end].split()
        if len(words) < min_words:
            continue
        key = " ".join(words)
        if key in seen:
            edits.append(Edit(start, end, "repeated-text", "repeated-paragraph"))
        else:
            seen.add(key)
    return edits
