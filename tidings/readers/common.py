"""Helpers every reader shares: publication dates, outlets from urls, UTF-8 decoding, file reads.

Readers never raise for bad input: these helpers return a reason string (or a `ReadFailure`)
that the reader turns into a failure naming the file and line, and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import io
import os
import re
from typing import BinaryIO, NamedTuple
from urllib.parse import urlsplit

from tidings.errors import ConfigError, ReadFailure
from tidings.records import Precision, SourceRef

BYTES_PER_MB = 1024 * 1024
"""Bytes in one megabyte, as `read.max_file_mb` counts them."""


class Published(NamedTuple):
    """A publication date and how much of it is known."""

    date: dt.date
    """The date; with precision 'month' the day is 1, with 'year' month and day are 1."""
    precision: Precision
    """'day', 'month' or 'year'."""


# --- dates ------------------------------------------------------------------------------------

_PARTIAL_DATE = re.compile(r"(\d{4})(?:[-/](\d{1,2}))?(?:[-/](\d{1,2}))?")
# Long-form dates seen in scraped JSON ("August 26, 2024", "26 Aug 2024").
_WORDY_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y")


def make_date(year: int, month: int, day: int, precision: Precision) -> Published:
    """A `Published` from numbers; raises ValueError saying which part is impossible."""
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} does not exist (months are 1-12)")
    try:
        return Published(dt.date(year, month, day), precision)
    except ValueError:
        raise ValueError(f"day {day} does not exist in {year}-{month:02d}") from None


def parse_published(value: str) -> Published:
    """Parse a publication date as inputs write it.

    Takes "YYYY-MM-DD", "YYYY-MM", "YYYY", ISO datetimes ("2024-08-26T10:00:00Z",
    "2024-08-26 10:00:00+03:00"), RFC 2822 ("Mon, 26 Aug 2024 10:00:00 GMT") and long forms
    ("August 26, 2024"). A datetime keeps the calendar date written in its own time zone: that
    is the date the outlet published on. Raises ValueError with a readable reason otherwise.
    """
    text = value.strip()
    if not text:
        raise ValueError("the date is empty")
    match = _PARTIAL_DATE.fullmatch(text)
    if match:
        year, month, day = match.groups()
        if day:
            return make_date(int(year), int(month), int(day), "day")
        if month:
            return make_date(int(year), int(month), 1, "month")
        return make_date(int(year), 1, 1, "year")
    if re.match(r"\d{4}-\d{1,2}-\d{1,2}[T ]", text):
        try:
            iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
            return Published(dt.datetime.fromisoformat(iso).date(), "day")
        except ValueError:
            head = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
            assert head is not None
            year, month, day = (int(g) for g in head.groups())
            make_date(year, month, day, "day")  # raises naming an impossible month or day
            raise ValueError(f"{value!r} is not an ISO date-time") from None
    try:
        return Published(email.utils.parsedate_to_datetime(text).date(), "day")
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _WORDY_FORMATS:
        try:
            return Published(dt.datetime.strptime(text, fmt).date(), "day")
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date tidings can read (use YYYY-MM-DD)")


def parse_date_option(value: str | None, origin: str) -> Published | None:
    """The user's fallback date (`--date` or `read.default_date`): YYYY-MM-DD, YYYY-MM or empty.

    Raises ConfigError: a bad option is the user's command, not bad input.
    """
    if not value:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", value.strip()):
        raise ConfigError(f"{origin} {value!r}: expected YYYY-MM-DD or YYYY-MM, e.g. 2024-08-26")
    try:
        return parse_published(value)
    except ValueError as exc:
        raise ConfigError(f"{origin} {value!r}: {exc}") from None


def date_from_number(value: float) -> Published:
    """A Unix timestamp (seconds; milliseconds when too large for seconds) as a UTC date."""
    seconds = value / 1000 if value > 1e11 else value
    try:
        return Published(dt.datetime.fromtimestamp(seconds, dt.UTC).date(), "day")
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{value!r} is not a plausible Unix timestamp") from None


# --- outlets ----------------------------------------------------------------------------------


def outlet_from_url(url: str | None) -> str | None:
    """The outlet a url belongs to: its host name without "www." ("reuters.com"), else None."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return host.removeprefix("www.")


# --- bytes -> text ----------------------------------------------------------------------------


def decode_utf8(data: bytes, *, base_offset: int = 0) -> str | tuple[str, int]:
    """`data` as text, or `(reason, offset)` saying why it is not UTF-8 text.

    `offset` is where the problem is in the file (`base_offset` + position in `data`), so the
    caller can name the line. A leading UTF-8 byte order mark is kept: raw text is verbatim.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ("UTF-16 encoded text; convert it with `iconv -f UTF-16 -t UTF-8`", base_offset)
    nul = data.find(b"\x00")
    if nul >= 0:
        reason = (
            f"binary file (NUL byte at offset {base_offset + nul}), not text; tidings reads text, "
            "JSON Lines, JSON, HTML, WARC and RSS/Atom files"
        )
        return (reason, base_offset + nul)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = base_offset + exc.start
        byte = data[exc.start]
        reason = (
            f"not UTF-8 (byte 0x{byte:02X} at offset {offset}); convert it with iconv, "
            "e.g. `iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8`"
        )
        return (reason, offset)


def line_of(data: bytes, offset: int) -> int:
    """1-based line number of byte `offset` in `data`."""
    return data.count(b"\n", 0, offset) + 1


def read_whole_file(path: str, limit_bytes: int) -> bytes | ReadFailure:
    """All bytes of `path`, or a failure when it is too large or cannot be read."""
    try:
        size = os.path.getsize(path)
        if size > limit_bytes:
            return too_large(path, size, limit_bytes)
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        return ReadFailure(SourceRef(path), f"cannot be read: {exc.strerror or exc}")


def too_large(path: str, size: int, limit_bytes: int) -> ReadFailure:
    """The failure for an input over `read.max_file_mb`."""
    limit_mb = limit_bytes // BYTES_PER_MB
    return ReadFailure(
        SourceRef(path),
        f"file is {size / BYTES_PER_MB:.1f} MB, larger than read.max_file_mb = {limit_mb}; "
        f"split it or raise the limit with --set read.max_file_mb={limit_mb * 2 or 1}",
    )


def rejoin(head: bytes, rest: BinaryIO) -> BinaryIO:
    """A buffered stream that reads `head` (bytes already taken from `rest`) and then `rest`."""
    return io.BufferedReader(_Rejoined(head, rest))  # type: ignore[return-value]


class _Rejoined(io.RawIOBase):
    """The sniffed head followed by the rest of a stream, as one readable raw stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head.nbytes:
            n = min(len(buffer), self._head.nbytes)
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        chunk = self._rest.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)
