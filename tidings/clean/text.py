"""Stray markup, whitespace, and the offset map of the final text.

- `find_markup` proposes edits for HTML left in the text: tags are dropped (block tags become
  line breaks so paragraphs stay apart), entities are decoded as replacement pieces.
- `fold_whitespace` turns the final view into the cleaned text: runs of spaces become one
  space, three or more line breaks one blank line, and the text is stripped; it builds the
  text -> raw `OffsetMap` and records the raw whitespace it dropped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from tidings.clean.lines import LINEBREAK
from tidings.clean.view import Edit, Piece, View, raw_groups
from tidings.records import Removal, RemovalReason, Segment

MAX_MARKUP_ROUNDS = 4
# Unit: passes. Gates how many times entity decoding and tag removal repeat on their own output
# (text escaped twice, "&amp;lt;p&amp;gt;", needs two). Calibrated: scraped text is escaped at
# most twice in practice; each round costs one regex scan and stops early when nothing changes.

MAX_TAG_CHARS = 400
# Unit: characters. The longest stretch `<...>` taken for one HTML tag (attributes included);
# guards a stray "<" in prose from swallowing a paragraph. Calibrated on inline tags with long
# href/style attributes (typically under 300 characters).

BLOCK_TAGS = frozenset(
    "address article aside blockquote body dd details div dl dt figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary table tbody td tfoot "
    "th thead tr ul".split()
)
"""HTML elements that start a new paragraph; their tags become a blank line."""

LINE_TAGS = frozenset({"br"})
"""HTML elements that break a line; their tags become one line break."""

INLINE_TAGS = frozenset(
    "a abbr b bdi bdo big cite code del dfn em font i img input ins kbd label mark meta link "
    "picture q s samp small source span strike strong sub sup svg time tt u var video audio "
    "iframe noscript button".split()
)
"""Other HTML elements whose tags are dropped outright. Only names in these sets count as
markup, so prose such as "1 <x> 2" is never taken for a tag."""

_MARKUP = re.compile(
    r"(?P<script><(?P<block>script|style)\b[^>]*>.*?</(?P=block)\s*>)"
    r"|(?P<comment><!--.*?-->)"
    rf"|(?P<tag></?(?P<name>[A-Za-z][A-Za-z0-9]*)(?:\s[^<>]{{0,{MAX_TAG_CHARS}}})?/?>)"
    r"|(?P<entity>&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)",
    re.IGNORECASE | re.DOTALL,
)

# What makes a whitespace run untidy, i.e. not already in final form (" ", "\n" or "\n\n"): a
# character other than space and newline, two spaces, a space next to a newline, three newlines.
_UNTIDY = re.compile(r"[^\S \n]|  | \n|\n |\n\n\n")


def find_markup(text: str) -> list[Edit]:
    """Edits for the HTML markup in `text`: drops for inline tags, comments and script/style
    blocks, line breaks for block tags, decoded text for entities."""
    edits: list[Edit] = []
    covered = 0
    for pos in _markup_starts(text):
        if pos < covered:
            continue
        m = _MARKUP.match(text, pos)
        if m is None:
            continue
        edit = _markup_edit(m)
        if edit is not None:
            edits.append(edit)
            covered = m.end()
    return edits


def _markup_starts(text: str) -> Iterator[int]:
    # str.find is much cheaper than a regex scan, and most texts hold few "<" or "&".
    lt, amp = text.find("<"), text.find("&")
    while lt >= 0 or amp >= 0:
        if amp < 0 or 0 <= lt < amp:
            yield lt
            lt = text.find("<", lt + 1)
        else:
            yield amp
            amp = text.find("&", amp + 1)


def _markup_edit(m: re.Match[str]) -> Edit | None:
    if m.group("script"):
        return Edit(m.start(), m.end(), "markup", "script-style")
    if m.group("comment"):
        return Edit(m.start(), m.end(), "markup", "html-comment")
    if m.group("tag"):
        name = m.group("name").lower()
        if name in BLOCK_TAGS:
            return Edit(m.start(), m.end(), "markup", "block-tag", "\n\n", "tag")
        if name in LINE_TAGS:
            return Edit(m.start(), m.end(), "markup", "line-tag", "\n", "tag")
        if name in INLINE_TAGS:
            return Edit(m.start(), m.end(), "markup", "inline-tag")
        return None
    decoded = _decode(m.group("entity"))
    if decoded is None:
        return None
    return Edit(m.start(), m.end(), "markup", "entity", decoded, "entity")


def _decode(entity: str) -> str | None:
    decoded = html.unescape(entity)
    if decoded == entity or not decoded or "\x00" in decoded:
        return None
    spaces = sum(ch.isspace() for ch in decoded)
    if 0 < spaces < len(decoded):
        return None  # half space, half not: it would straddle a whitespace run; keep as is
    return decoded


def strip_markup(view: View) -> tuple[View, list[Removal]]:
    """Apply `find_markup` until nothing changes (at most MAX_MARKUP_ROUNDS times)."""
    removals: list[Removal] = []
    for _ in range(MAX_MARKUP_ROUNDS):
        edits = find_markup(view.text)
        if not edits:
            break
        view, dropped = view.apply(edits)
        removals.extend(dropped)
    return view, removals


def separator(run: str) -> str:
    """What a whitespace run becomes: a blank line, a line break, or one space."""
    breaks = len(LINEBREAK.findall(run))
    return "\n\n" if breaks >= 2 else "\n" if breaks == 1 else " "


def fold_whitespace(view: View) -> tuple[str, list[Segment], list[Removal]]:
    """The cleaned text of `view`, its text -> raw segments, and the raw whitespace dropped.

    Each untidy run keeps one raw-contiguous part of itself as the source of its separator
    (a verbatim copy when that part already is the separator); the other parts, and the runs
    at the start and end of the text, are recorded as removals.
    """
    text = view.text
    runs = _untidy_runs(text)
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip())
    if lead and (not runs or runs[0][0] != 0):
        runs.insert(0, (0, lead))
    if trail and lead < len(text) and (not runs or runs[-1][1] != len(text)):
        runs.append((len(text) - trail, len(text)))

    builder = _Builder()
    cursor = 0
    for start, end in runs:
        builder.keep(view.slice(cursor, start))
        covered = view.slice(start, end)
        if start == 0 or end == len(text):
            builder.drop(covered, "strip")
        else:
            builder.fold(covered, separator(text[start:end]))
        cursor = end
    builder.keep(view.slice(cursor, len(text)))
    return "".join(builder.parts), builder.segments, builder.removals


def _untidy_runs(text: str) -> list[tuple[int, int]]:
    """`(start, end)` of each whole whitespace run that holds something untidy."""
    runs: list[tuple[int, int]] = []
    end = 0
    for m in _UNTIDY.finditer(text):
        if m.start() < end:
            continue
        start, end = m.start(), m.end()
        while start > 0 and text[start - 1].isspace():
            start -= 1
        while end < len(text) and text[end].isspace():
            end += 1
        runs.append((start, end))
    return runs


class _Builder:
    """Accumulates the cleaned text, its segments and the whitespace removals."""

    __slots__ = ("parts", "segments", "removals", "length", "_open_verbatim")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.segments: list[Segment] = []
        self.removals: list[Removal] = []
        self.length = 0
        self._open_verbatim = False  # may the next verbatim piece extend the last segment?

    def keep(self, pieces: list[Piece]) -> None:
        for piece in pieces:
            self._emit(piece.text, piece.raw_start, piece.raw_end, piece.kind == "verbatim")

    def fold(self, pieces: list[Piece], sep: str) -> None:
        groups = raw_groups(pieces)
        texts = ["".join(p.text for p in members) for _, _, members in groups]

        def verbatim(i: int) -> bool:
            return texts[i] == sep and all(p.kind == "verbatim" for p in groups[i][2])

        # Prefer a part that already is the separator, then one free of markup (so a dropped
        # tag is recorded as markup), then the one with the most line breaks; first on ties.
        scores = [
            (verbatim(i), all(p.kind != "tag" for p in groups[i][2]), len(LINEBREAK.findall(t)))
            for i, t in enumerate(texts)
        ]
        chosen = scores.index(max(scores))
        for i, (raw_start, raw_end, members) in enumerate(groups):
            if i != chosen:
                self.drop(members, "fold")
            elif verbatim(i):
                self._emit(sep, raw_start, raw_end, True)
            elif raw_end - raw_start != len(sep):
                self._emit(sep, raw_start, raw_end, False)
            else:
                # Same length but different characters ("\t" for " "): a segment of equal
                # lengths would read as a verbatim copy, so the separator is an insertion at
                # the run's raw position and the raw characters are a removal.
                self._emit(sep, raw_start, raw_start, False)
                self.drop(members, "fold")

    def drop(self, pieces: list[Piece], rule: str) -> None:
        for piece in pieces:
            reason: RemovalReason
            if piece.kind == "verbatim":
                reason, why = "whitespace", rule
            else:
                reason, why = "markup", "entity" if piece.kind == "entity" else "block-tag"
            last = self.removals[-1] if self.removals else None
            if last and last.end == piece.raw_start and (last.reason, last.rule) == (reason, why):
                self.removals[-1] = Removal(last.start, piece.raw_end, reason, why)
            else:
                self.removals.append(Removal(piece.raw_start, piece.raw_end, reason, why))

    def _emit(self, text: str, raw_start: int, raw_end: int, verbatim: bool) -> None:
        if not text:
            return
        end = self.length + len(text)
        last = self.segments[-1] if self.segments else None
        if verbatim and self._open_verbatim and last is not None and last.raw_end == raw_start:
            self.segments[-1] = Segment(last.text_start, end, last.raw_start, raw_end)
        else:
            self.segments.append(Segment(self.length, end, raw_start, raw_end))
        self._open_verbatim = verbatim
        self.parts.append(text)
        self.length = end
