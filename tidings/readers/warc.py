"""WARC web archives (.warc, .warc.gz), through warcio.

Each `response` (or `resource`) record holding an HTML page with a 2xx status becomes an
article through `tidings.readers.html`, so `doc.raw` is trafilatura's extracted text. The
record's WARC-Target-URI is the article url; its WARC-Date (the crawl time) is the date used
when the page's markup gives none, ahead of the user's `--date`, because it is the record's own
and bounds the publication date from above. Records stream one at a time; other records
(requests, metadata, images, redirects, error pages) are skipped. A file that does not start
like a WARC (or ARC) archive is one failure, not a stream of broken records.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator

from tidings.doc import Doc
from tidings.errors import ReadFailure
from tidings.readers.common import BYTES_PER_MB, Published, parse_published, rejoin
from tidings.readers.html import doc_from_html
from tidings.records import SourceRef

log = logging.getLogger(__name__)

_HEAD_BYTES = 512  # enough compressed bytes to decompress the first record's "WARC/1.x" line
_GZIP_MAGIC = b"\x1f\x8b"
_WARC_START = b"WARC/"
_ARC_START = b"filedesc://"  # the older ARC format, which warcio reads as WARC
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_ARTICLE_RECORDS = ("response", "resource")


def read_warc(
    path: str, stream: BinaryIO, fallback: Published | None, max_record_bytes: int
) -> Iterator[Doc | ReadFailure]:
    """Yield one article (or failure) per HTML response record of the WARC in `stream`.

    Records are numbered from 0 in file order, counting every record, so `path#i` finds it
    again. A record larger than `max_record_bytes` is a failure and is skipped unread. A broken
    archive ends the file with a failure naming the record where reading stopped.
    """
    head = stream.read(_HEAD_BYTES)
    if not head:
        yield ReadFailure(SourceRef(path), "empty file; there is no archive to read")
        return
    start = _archive_start(head)
    if not start.startswith((_WARC_START, _ARC_START)):
        yield ReadFailure(SourceRef(path), f"not a WARC file: it starts with {start[:12]!r}, "
                                           "not 'WARC/' (plain or gzip-compressed)")
        return
    stream = rejoin(head, stream)
    index = -1
    try:
        for index, record in enumerate(ArchiveIterator(stream, arc2warc=True)):
            source = SourceRef(path, record=index)
            if record.rec_type not in _ARTICLE_RECORDS or not _is_html(record):
                continue
            if record.http_headers is not None:
                status = record.http_headers.get_statuscode() or ""
                if not status.startswith("2"):
                    log.debug("%s: skipping HTTP %s response", source, status)
                    continue
            length = record.length or 0
            if length > max_record_bytes:
                yield ReadFailure(
                    source,
                    f"record is {length / BYTES_PER_MB:.1f} MB, larger than read.max_file_mb = "
                    f"{max_record_bytes // BYTES_PER_MB}",
                )
                continue
            yield _doc_from_record(record, source, fallback)
    except Exception as exc:  # warcio raises ArchiveLoadFailed, zlib.error, ValueError, ...
        log.debug("WARC read failed in %s", path, exc_info=True)
        where = SourceRef(path, record=max(index + 1, 0))
        yield ReadFailure(where, f"not a readable WARC file from here on ({type(exc).__name__}: "
                                 f"{exc}); earlier records were read")


def _archive_start(head: bytes) -> bytes:
    # warcio reads almost anything as a (broken) ARC record, so check the start ourselves.
    if not head.startswith(_GZIP_MAGIC):
        return head.lstrip(b"\r\n")
    try:
        return zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head, 64).lstrip(b"\r\n")
    except zlib.error:
        return b"(corrupt gzip data)"


def _is_html(record: Any) -> bool:
    headers = record.http_headers if record.http_headers is not None else record.rec_headers
    content_type = (headers.get_header("Content-Type") or "").lower()
    return content_type.split(";")[0].strip() in _HTML_TYPES


def _doc_from_record(
    record: Any, source: SourceRef, fallback: Published | None
) -> Doc | ReadFailure:
    url = record.rec_headers.get_header("WARC-Target-URI") or None
    crawled = record.rec_headers.get_header("WARC-Date")
    if crawled:
        try:
            fallback = parse_published(crawled)
        except ValueError:
            log.info("%s: ignoring unreadable WARC-Date %r", source, crawled)
    body = record.content_stream().read()
    if not body.strip():
        return ReadFailure(source, "HTML response record has an empty body")
    return doc_from_html(body, source, url=url, fallback=fallback)
