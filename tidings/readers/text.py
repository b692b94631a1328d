"""Plain-text articles, optionally led by a scraper's `date YYYY-MM-DD` header.

The format: the first line starts (possibly after spaces) with `date 2024-08-26` or
`date 2024-08`, followed by the article's first words on the same line. The whole file is the
raw text, verbatim; the header itself ("date 2024-08-26", not the spaces around it) is recorded
as a `Removal` with reason "date-header" in raw offsets, so cleaning drops it and every fact
still maps back to the file. A file without the header is an article with no known date
(unless the user gives `--date` or `read.default_date`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from tidings.doc import Doc, make_id
from tidings.errors import InputError, ReadFailure
from tidings.readers.common import (
    Published,
    decode_utf8,
    line_of,
    make_date,
    outlet_from_url,
    parse_published,
)
from tidings.records import Removal, SourceRef

log = logging.getLogger(__name__)

_HEADER = re.compile(r"[ \t\ufeff]*(date[ \t]+(\d{4})-(\d{1,2})(?:-(\d{1,2}))?)(?=\s|$)")
# Anything that starts like a header but does not parse as one ("date 2024-8", "date 24-08-26").
_HEADER_LIKE = re.compile(r"[ \t\ufeff]*date[ \t]+\d[\d-]*(?=\s|$)")


@dataclass(frozen=True, slots=True)
class DateHeader:
    """A parsed `date ...` header."""

    start: int
    """Offset of the "d" of "date" in the raw text."""
    end: int
    """Offset one past the header's last digit."""
    published: Published
    """The date it gives."""


def find_date_header(raw: str) -> DateHeader | None:
    """The date header at the start of `raw`, or None when the text has none.

    Raises ValueError (naming the header) when a header is there but its date is impossible
    ("date 2024-13-45") or malformed.
    """
    match = _HEADER.match(raw)
    if match is None:
        like = _HEADER_LIKE.match(raw)
        if like:
            raise ValueError(
                f"malformed date header {like.group().strip()!r}; write it as `date YYYY-MM-DD` "
                "or `date YYYY-MM`"
            )
        return None
    header, year, month, day = match.groups()
    try:
        if day is None:
            published = make_date(int(year), int(month), 1, "month")
        else:
            published = make_date(int(year), int(month), int(day), "day")
    except ValueError as exc:
        raise ValueError(
            f"impossible date in the header {header!r}: {exc}; fix it as `date YYYY-MM-DD`"
        ) from None
    return DateHeader(match.start(1), match.end(1), published)


def read_text(path: str, data: bytes, fallback: Published | None) -> Iterator[Doc | ReadFailure]:
    """Yield the one article in a text file's bytes `data`, or a failure saying what is wrong.

    The header's date wins over `fallback` (the user's date for inputs that carry none).
    """
    decoded = decode_utf8(data)
    if isinstance(decoded, tuple):
        reason, offset = decoded
        yield ReadFailure(SourceRef(path, line=line_of(data, offset)), reason)
        return
    try:
        yield _make_doc(decoded, SourceRef(path), fallback=fallback)
    except _BadText as exc:
        yield ReadFailure(SourceRef(path, line=exc.line), str(exc))


def doc_from_text(
    text: str,
    date: str | None = None,
    url: str | None = None,
    *,
    source: SourceRef | None = None,
) -> Doc:
    """One article from a string, for the library's `process()`.

    `text` may start with a date header (recorded in `doc.removed` as for files); `date`
    ("YYYY-MM-DD", "YYYY-MM" or an ISO date-time), when given, wins over the header's date.
    `url` sets the url and the outlet (its domain). Raises InputError when the text is empty,
    its header is impossible, or `date` is not a date.
    """
    where = source or SourceRef("<text>")
    override = None
    if date:
        try:
            override = parse_published(date)
        except ValueError as exc:
            raise InputError(f"{where}: published date {date!r}: {exc}") from None
    try:
        doc = _make_doc(text, where, override=override)
    except _BadText as exc:
        raise InputError(f"{where}: {exc}") from None
    if url:
        doc.url = url
        doc.outlet = outlet_from_url(url)
        doc.id = make_id(doc.raw, url)
    return doc


class _BadText(ValueError):
    """Text that is not an article; `line` is where the problem is, if on one line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _make_doc(
    raw: str,
    source: SourceRef,
    *,
    fallback: Published | None = None,
    override: Published | None = None,
) -> Doc:
    if not raw.strip():
        raise _BadText("empty file; there is no article to read" if not raw
                       else "file holds only whitespace; there is no article to read")
    try:
        header = find_date_header(raw)
    except ValueError as exc:
        raise _BadText(str(exc), line=1) from None
    removed: list[Removal] = []
    published = fallback
    if header is not None:
        if not raw[header.end :].strip():
            raise _BadText("only a date header, no article text", line=1)
        removed.append(Removal(header.start, header.end, "date-header", rule="date-header"))
        published = header.published
    published = override or published
    return Doc(
        raw=raw,
        published=published.date if published else None,
        published_precision=published.precision if published else "unknown",
        source=source,
        removed=removed,
    )
