"""JSON Lines (one article object per line) and JSON files (an array of objects, or one object).

Field names follow what common scrapers and news APIs write (news-please, trafilatura, NewsAPI,
newspaper): the first non-empty of the names listed below wins. JSON Lines files stream line by
line, so a file of any size reads in constant memory; a line that cannot be read becomes a
`ReadFailure` naming the file and line, and reading goes on with the next line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any, BinaryIO

from tidings.doc import Doc
from tidings.errors import ReadFailure
from tidings.readers.common import (
    BYTES_PER_MB,
    Published,
    date_from_number,
    decode_utf8,
    line_of,
    outlet_from_url,
    parse_published,
)
from tidings.records import SourceRef

log = logging.getLogger(__name__)

# Field names, in order of preference. These are the input formats' own words, not heuristics
# about news text, so they live here rather than in tidings/data/.
TEXT_FIELDS = ("text", "body", "content", "maintext", "article", "article_text", "full_text")
DATE_FIELDS = (
    "date", "published", "date_publish", "date_published", "publish_date", "published_at",
    "datePublished", "pubDate", "pub_date",
)
URL_FIELDS = ("url", "link", "canonical_url", "source_url")
TITLE_FIELDS = ("title", "headline")
AUTHOR_FIELDS = ("author", "authors", "byline", "creator")
OUTLET_FIELDS = ("outlet", "source", "source_domain", "site_name", "sitename", "publisher")
LANGUAGE_FIELDS = ("language", "lang")
# Keys under which a JSON object wraps its list of articles (NewsAPI's "articles", feeds' "items").
WRAPPER_FIELDS = ("articles", "items")


def read_jsonl(
    path: str, stream: BinaryIO, fallback: Published | None, max_line_bytes: int
) -> Iterator[Doc | ReadFailure]:
    """Yield one article (or failure) per non-blank line of the binary `stream`.

    A line longer than `max_line_bytes` is a failure and is skipped without being held in memory.
    """
    seen_record = False
    for lineno, offset, line in _lines(stream, max_line_bytes):
        source = SourceRef(path, line=lineno)
        if line is not None and not line.strip():
            continue
        seen_record = True
        if line is None:
            yield ReadFailure(
                source,
                f"line is longer than read.max_file_mb = {max_line_bytes // BYTES_PER_MB} MB; "
                "is this really JSON Lines?",
            )
            continue
        decoded = decode_utf8(line, base_offset=offset)
        if isinstance(decoded, tuple):
            yield ReadFailure(source, decoded[0])
            if b"\x00" in line:
                return  # a binary file: one failure, not one per "line"
            continue
        text = decoded.lstrip("\ufeff") if lineno == 1 else decoded
        if not text.strip():
            continue
        try:
            record = json.loads(text.rstrip("\r\n"))
        except json.JSONDecodeError as exc:
            yield ReadFailure(
                source,
                f"malformed JSON ({_json_error(exc)}); each line must hold one complete JSON "
                "object",
            )
            continue
        yield doc_from_record(record, source, fallback)
    if not seen_record:
        yield ReadFailure(SourceRef(path), "empty file (no JSON Lines records); nothing to read")


def read_json(path: str, data: bytes, fallback: Published | None) -> Iterator[Doc | ReadFailure]:
    """Yield the articles of a JSON file: an array of objects, one object or {"articles": [..]}."""
    decoded = decode_utf8(data)
    if isinstance(decoded, tuple):
        reason, offset = decoded
        yield ReadFailure(SourceRef(path, line=line_of(data, offset)), reason)
        return
    text = decoded.lstrip("\ufeff")
    if not text.strip():
        yield ReadFailure(SourceRef(path), "empty file; there is no article to read")
        return
    start = len(text) - len(text.lstrip())
    if text[start] == "[":
        yield from _read_array(path, text, start + 1, fallback)
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        yield ReadFailure(SourceRef(path, line=exc.lineno), f"malformed JSON ({_json_error(exc)})")
        return
    if isinstance(value, dict):
        for key in WRAPPER_FIELDS:
            items = value.get(key)
            if isinstance(items, list) and not _first_text(value):
                for i, item in enumerate(items):
                    yield doc_from_record(item, SourceRef(path, record=i), fallback)
                return
    yield doc_from_record(value, SourceRef(path), fallback)


def _read_array(
    path: str, text: str, pos: int, fallback: Published | None
) -> Iterator[Doc | ReadFailure]:
    # Decode element by element so each article's failure can name its line.
    decoder = json.JSONDecoder()
    line, counted_to, index = 1, 0, 0
    while True:
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == "]":
            return
        line += text.count("\n", counted_to, pos)
        counted_to = pos
        try:
            item, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield ReadFailure(SourceRef(path, line=exc.lineno, record=index),
                              f"malformed JSON ({_json_error(exc)}); reading stops here")
            return
        yield doc_from_record(item, SourceRef(path, line=line, record=index), fallback)
        index += 1
        pos = _skip_space(text, end)
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos >= len(text) or text[pos] != "]":
            lineno = text.count("\n", 0, pos) + 1
            yield ReadFailure(SourceRef(path, line=lineno, record=index),
                              "malformed JSON: expected ',' or ']' after an array element")
            return


def _json_error(exc: json.JSONDecodeError) -> str:
    return f"{exc.msg.removesuffix(' at')} at column {exc.colno}"


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _lines(stream: BinaryIO, limit: int) -> Iterator[tuple[int, int, bytes | None]]:
    """(line number, byte offset, line) for each line; line is None when it exceeds `limit`."""
    lineno, offset = 0, 0
    while True:
        line = stream.readline(limit + 1)  # the +1 is the newline of a line exactly `limit` long
        if not line:
            return
        lineno += 1
        start = offset
        offset += len(line)
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # drain the rest of the oversized line in bounded chunks
                chunk = stream.readline(1 << 20)
                offset += len(chunk)
                if not chunk or chunk.endswith(b"\n"):
                    break
            yield lineno, start, None
            continue
        yield lineno, start, line


# --- one record -> one Doc --------------------------------------------------------------------


def doc_from_record(
    record: Any, source: SourceRef, fallback: Published | None
) -> Doc | ReadFailure:
    """Turn one decoded JSON value into a Doc, or a failure naming `source` and what is missing."""
    if not isinstance(record, dict):
        kind = _json_kind(record)
        return ReadFailure(source, f"expected a JSON object (an article), found {kind}")
    raw = _first_text(record)
    if raw is None:
        return ReadFailure(
            source,
            f"record has no article text; expected one of the fields {', '.join(TEXT_FIELDS)}",
        )
    published = fallback
    for name in DATE_FIELDS:
        value = record.get(name)
        if value in (None, ""):
            continue
        try:
            published = _parse_date_value(value)
        except ValueError as exc:
            return ReadFailure(source, f"field {name!r}: {exc}")
        break
    url = _first_string(record, URL_FIELDS)
    outlet = _first_name(record, OUTLET_FIELDS) or outlet_from_url(url)
    language = _first_string(record, LANGUAGE_FIELDS)
    return Doc(
        raw=raw,
        url=url,
        outlet=outlet,
        title=_first_string(record, TITLE_FIELDS),
        author=_first_name(record, AUTHOR_FIELDS),
        published=published.date if published else None,
        published_precision=published.precision if published else "unknown",
        language=language.lower() if language and len(language) == 2 else "en",
        source=source,
    )


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"


def _first_text(record: dict[str, Any]) -> str | None:
    for name in TEXT_FIELDS:
        value = record.get(name)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = "\n\n".join(v for v in value if v.strip())  # text given as paragraphs
        if isinstance(value, str) and value.strip():
            return value
    return None


def _first_string(record: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = record.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _first_name(record: dict[str, Any], names: tuple[str, ...]) -> str | None:
    """A string field, a list of names joined by ", ", or the "name" of an object field."""
    for name in names:
        value = record.get(name)
        if isinstance(value, dict):
            value = value.get("name")
        if isinstance(value, list):
            parts = [v.get("name") if isinstance(v, dict) else v for v in value]
            value = ", ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _parse_date_value(value: Any) -> Published:
    """A date field's value: a string, a year number, or a Unix timestamp; ValueError otherwise."""
    if isinstance(value, str):
        return parse_published(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int) and 1000 <= value <= 9999:
            return parse_published(str(value))
        return date_from_number(value)
    raise ValueError(f"{value!r} is not a date")
