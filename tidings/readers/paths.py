"""Which reader reads what: dispatch by extension or by content, directory walks, standard input.

Directories are walked recursively in sorted name order, so a run is deterministic; hidden
files and directories are skipped, and so are files with an unsupported extension (each
logged at INFO and counted in `ReadStats.skipped`). A file named explicitly, or standard input
(`-`), with no known extension is recognised by its first bytes.

`read.max_file_mb` bounds what is held in memory at once: files read whole (text, HTML, JSON,
feeds) larger than it are failures; JSON Lines and WARC files stream, so the bound applies to
each line or record instead and files of any size can be read.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, Literal

from tidings.doc import Doc
from tidings.errors import ReadFailure
from tidings.readers.common import Published, read_whole_file, rejoin, too_large
from tidings.readers.feeds import read_feed
from tidings.readers.html import read_html
from tidings.readers.jsonl import read_json, read_jsonl
from tidings.readers.text import read_text
from tidings.readers.warc import read_warc
from tidings.records import SourceRef

log = logging.getLogger(__name__)

Kind = Literal["text", "jsonl", "json", "html", "warc", "feed", "gzip"]
"""Input formats (`gzip` is a compressed file that is not a WARC: reported, not read)."""

EXTENSIONS: dict[str, Kind] = {
    ".txt": "text",
    ".text": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".warc": "warc",
    ".warc.gz": "warc",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
}
"""File name endings each reader takes (matched case-insensitively, longest first)."""

STREAMED: frozenset[Kind] = frozenset({"jsonl", "warc"})
"""Formats read record by record instead of whole."""

SNIFF_BYTES = 64 * 1024
"""Bytes read from the start of an input to recognise its format; enough for any first JSON
Lines record of a typical article and for an HTML/feed prologue."""


@dataclass(slots=True)
class ReadStats:
    """Counts of one `read_paths` run, for the run summary."""

    files: int = 0
    """Files (and standard input) opened."""
    docs: int = 0
    """Articles yielded."""
    failures: int = 0
    """ReadFailures yielded."""
    skipped: list[str] = field(default_factory=list)
    """Files inside directories skipped for an unsupported extension."""


def kind_of_name(name: str) -> Kind | None:
    """The format a file name's extension says, or None when it is not one tidings reads."""
    lower = name.lower()
    for ending in sorted(EXTENSIONS, key=len, reverse=True):
        if lower.endswith(ending):
            return EXTENSIONS[ending]
    return None


def sniff_kind(head: bytes) -> Kind:
    """The format of an input from its first bytes (up to `SNIFF_BYTES`)."""
    if head.startswith(b"\x1f\x8b"):
        try:
            start = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head, 16)
        except zlib.error:
            return "gzip"
        return "warc" if start.startswith(b"WARC/") else "gzip"
    body = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if body.startswith((b"WARC/", b"filedesc://")):
        return "warc"
    if body.startswith(b"{"):
        first, newline, _ = body.partition(b"\n")
        if not newline and len(head) >= SNIFF_BYTES:
            return "jsonl"  # a first line longer than the sniff window: one record per line
        try:
            return "jsonl" if isinstance(json.loads(first), dict) else "json"
        except (ValueError, UnicodeDecodeError):
            return "json"  # a pretty-printed object spans lines
    if body.startswith(b"["):
        return "json"
    if body.startswith(b"<"):
        prologue = body[:4096].lower()
        if any(tag in prologue for tag in (b"<rss", b"<feed", b"<rdf:rdf")):
            return "feed"
        return "html"
    return "text"


def read_paths(
    paths: Iterable[str],
    fallback: Published | None,
    max_bytes: int,
    *,
    stats: ReadStats | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[Doc | ReadFailure]:
    """Yield every article (or failure) under `paths` in order; see `tidings.readers.read_paths`."""
    counts = stats if stats is not None else ReadStats()
    for path in paths:
        for item in _read_one_path(path, fallback, max_bytes, counts, stdin):
            if isinstance(item, ReadFailure):
                counts.failures += 1
            else:
                counts.docs += 1
            yield item


def _read_one_path(
    path: str, fallback: Published | None, max_bytes: int, stats: ReadStats, stdin: BinaryIO | None
) -> Iterator[Doc | ReadFailure]:
    if path == "-":
        stats.files += 1
        yield from _read_stream("-", stdin if stdin is not None else sys.stdin.buffer, fallback,
                                max_bytes)
        return
    if os.path.isdir(path):
        for file_path in walk_files(path, stats):
            if isinstance(file_path, ReadFailure):
                yield file_path
                continue
            stats.files += 1
            yield from _read_file(file_path, kind_of_name(file_path), fallback, max_bytes)
        return
    if not os.path.exists(path):
        yield ReadFailure(SourceRef(path), "does not exist; check the path")
        return
    stats.files += 1
    yield from _read_file(path, kind_of_name(path), fallback, max_bytes)


def walk_files(root: str, stats: ReadStats | None = None) -> Iterator[str | ReadFailure]:
    """Readable files under `root`, recursively, in sorted name order; hidden entries skipped.

    Unsupported files are logged at INFO and added to `stats.skipped`; a directory that cannot
    be listed is a ReadFailure. Directory symlinks are not followed (they can loop).
    """
    try:
        with os.scandir(root) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError as exc:
        yield ReadFailure(SourceRef(root), f"directory cannot be listed: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            log.debug("skipping hidden %s", entry.path)
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from walk_files(entry.path, stats)
        elif kind_of_name(entry.name) is None:
            log.info("skipping %s: not a format tidings reads (by its extension)", entry.path)
            if stats is not None:
                stats.skipped.append(entry.path)
        elif entry.is_file():
            yield entry.path


def _read_file(
    path: str, kind: Kind | None, fallback: Published | None, max_bytes: int
) -> Iterator[Doc | ReadFailure]:
    try:
        if kind is None or kind in STREAMED:
            with open(path, "rb") as handle:
                if kind is None:
                    kind = sniff_kind(handle.read(SNIFF_BYTES))
                    handle.seek(0)
                if kind in STREAMED:
                    yield from _stream_reader(kind)(path, handle, fallback, max_bytes)
                    return
    except OSError as exc:
        yield ReadFailure(SourceRef(path), f"cannot be read: {exc.strerror or exc}")
        return
    data = read_whole_file(path, max_bytes)
    if isinstance(data, ReadFailure):
        yield data
        return
    yield from _whole_reader(path, kind, data, fallback)


def _read_stream(
    path: str, stream: BinaryIO, fallback: Published | None, max_bytes: int
) -> Iterator[Doc | ReadFailure]:
    head = stream.read(SNIFF_BYTES)
    kind = sniff_kind(head)
    if kind in STREAMED:
        rejoined = rejoin(head, stream)
        yield from _stream_reader(kind)(path, rejoined, fallback, max_bytes)
        return
    data = head + stream.read(max(max_bytes + 1 - len(head), 0))
    if len(data) > max_bytes:
        yield too_large(path, len(data), max_bytes)
        return
    yield from _whole_reader(path, kind, data, fallback)


def _stream_reader(
    kind: Kind,
) -> Callable[[str, BinaryIO, Published | None, int], Iterator[Doc | ReadFailure]]:
    return read_jsonl if kind == "jsonl" else read_warc


def _whole_reader(
    path: str, kind: Kind, data: bytes, fallback: Published | None
) -> Iterator[Doc | ReadFailure]:
    if kind == "gzip":
        yield ReadFailure(SourceRef(path), "gzip-compressed file that is not a WARC archive; "
                          "decompress it first (gunzip)")
    elif kind == "json":
        yield from read_json(path, data, fallback)
    elif kind == "html":
        yield from read_html(path, data, fallback)
    elif kind == "feed":
        yield from read_feed(path, data, fallback)
    else:
        yield from read_text(path, data, fallback)
