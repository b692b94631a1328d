"""Input readers: turn files, directories and standard input into Docs, one article at a time.

One module per format: `text` (plain text with an optional `date YYYY-MM-DD` header), `jsonl`
(JSON Lines and JSON), `html` (pages, through trafilatura), `warc` (web archives, through
warcio) and `feeds` (RSS/Atom, through feedparser); `paths` picks the reader for each input.
Bad input never raises: it becomes a `ReadFailure` naming the file (and line or record), and
reading goes on with the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

from tidings.doc import Doc
from tidings.errors import ReadFailure
from tidings.readers.common import BYTES_PER_MB, Published, parse_date_option, parse_published
from tidings.readers.paths import EXTENSIONS, ReadStats, kind_of_name, sniff_kind, walk_files
from tidings.readers.paths import read_paths as _read_paths
from tidings.readers.text import doc_from_text
from tidings.settings import ReadSettings

__all__ = [
    "EXTENSIONS",
    "Published",
    "ReadStats",
    "doc_from_text",
    "kind_of_name",
    "parse_published",
    "read_paths",
    "sniff_kind",
    "walk_files",
]


def read_paths(
    paths: Iterable[str],
    settings: ReadSettings,
    date: str | None = None,
    *,
    stats: ReadStats | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[Doc | ReadFailure]:
    """Stream the articles of `paths`: files, directories (walked in sorted order) or "-" (stdin).

    Yields a Doc per article, in input order, and a ReadFailure for anything that cannot be
    read; nothing is read before it is asked for, so inputs of any size stream. `date`
    (the CLI's --date, "YYYY-MM-DD" or "YYYY-MM") is the publication date of inputs that carry
    none, and wins over `settings.default_date`; an input's own date always wins over both.
    `stats`, when given, is filled with counts as reading goes (files, docs, failures, skipped).
    `stdin` replaces standard input (for tests and embedding).

    Raises ConfigError at once (before anything is read) when `date` or
    `settings.default_date` is not a valid date.
    """
    fallback = parse_date_option(date, "--date") or parse_date_option(
        settings.default_date, "read.default_date"
    )
    if date:  # still validate the setting, so a bad config file is reported even when overridden
        parse_date_option(settings.default_date, "read.default_date")
    max_bytes = settings.max_file_mb * BYTES_PER_MB
    return _read_paths(paths, fallback, max_bytes, stats=stats, stdin=stdin)
