"""Query-string parameters of the web views, checked at the edge with clear errors.

Views take a plain mapping of parameters (not a request object), so they can be called from
Python and tests without a web server.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PAGE_SIZE = 50
"""Rows per page of a listing unless `?size=` says otherwise."""

MAX_PAGE_SIZE = 500
"""Largest `?size=` accepted. Gates the cost of one page: 500 rows render in ~50 ms; whole
lists are exported as CSV instead."""

MAX_PAGE = 100_000
"""Largest `?page=` accepted (pages past the end are simply empty)."""

_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


class BadRequest(ValueError):
    """A query parameter is malformed; the message says which and what is expected."""


class NotFound(LookupError):
    """What the URL names is not in the store; the message says what was looked for."""


@dataclass(frozen=True, slots=True)
class Page:
    """Which slice of a listing to show."""

    number: int
    """1-based page number."""
    size: int
    """Rows per page."""

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.number - 1) * self.size

    def info(self, total: int | None, shown: int) -> dict[str, Any]:
        """The `pagination` block of a listing view."""
        pages = max(1, math.ceil(total / self.size)) if total is not None else None
        more = (self.number < pages) if pages is not None else shown == self.size
        return {"page": self.number, "size": self.size, "total": total, "pages": pages,
                "has_next": more, "has_prev": self.number > 1}


class Params:
    """Typed access to a mapping of query-string parameters."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._values = dict(values or {})

    def text(self, name: str, max_len: int = 500) -> str:
        """A free-text parameter, stripped; empty when absent."""
        value = (self._values.get(name) or "").strip()
        if len(value) > max_len:
            raise BadRequest(f"parameter {name!r} is longer than {max_len} characters")
        return value.replace("\x00", "")

    def choice(self, name: str, options: tuple[str, ...], default: str) -> str:
        """One of `options`; `default` when absent."""
        value = self.text(name) or default
        if value not in options:
            raise BadRequest(f"parameter {name}={value!r}: expected one of {', '.join(options)}")
        return value

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        """A whole number between `low` and `high`; `default` when absent."""
        value = self.text(name)
        if not value:
            return default
        try:
            number = int(value)
        except ValueError:
            raise BadRequest(f"parameter {name}={value!r}: expected a whole number") from None
        if not low <= number <= high:
            raise BadRequest(f"parameter {name}={number}: expected {low} to {high}")
        return number

    def date(self, name: str) -> str:
        """An ISO date prefix (YYYY, YYYY-MM or YYYY-MM-DD), checked; empty when absent."""
        value = self.text(name)
        if not value:
            return ""
        if not _DATE.fullmatch(value):
            raise BadRequest(f"parameter {name}={value!r}: expected a date YYYY-MM-DD "
                             f"(or YYYY-MM, YYYY)")
        full = value + "-01" * ((10 - len(value)) // 3)
        try:
            dt.date.fromisoformat(full)
        except ValueError:
            raise BadRequest(f"parameter {name}={value!r} is not a real date") from None
        return value

    def page(self) -> Page:
        """`?page=` and `?size=`."""
        return Page(self.integer("page", 1, 1, MAX_PAGE),
                    self.integer("size", PAGE_SIZE, 1, MAX_PAGE_SIZE))


def date_upper(value: str) -> str:
    """The smallest ISO string after every date starting with `value` ("2024-08" -> "2024-08~").

    ISO dates compare as strings, and '~' sorts after every digit and '-', so
    `date < date_upper("2024-08")` keeps all of August 2024 and its partial forms.
    """
    return value + "~"
