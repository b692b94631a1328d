"""List queries that stay fast on large stores: sort narrow keys first, then fetch the page.

SQLite's sorter carries every selected column of every matching row, so `SELECT <wide row>
... ORDER BY ... LIMIT 50` over 100,000 matches reads and sorts 100,000 wide rows (quote texts,
FTS snippets, joined titles) to keep 50. A `Listing` sorts only the row keys (`keys`, with
the filters and the order) and then fetches the wide columns of the rows it keeps (`detail`),
the "deferred join" pattern. The same filters serve a page and the whole list as CSV.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from tidings.errors import StoreError
from tidings.web.db import Reader

DETAIL_BATCH = 500
"""Keys per detail query while streaming an export (SQLite allows 32,766 parameters; 500 rows
of 2 keys keep each query small and the export's memory flat)."""


@dataclass(slots=True)
class Listing:
    """A filtered, ordered list: what to sort (narrow) and what to show (wide), by key."""

    source: str
    """`FROM <tables>` the filters and the order need (kept narrow: no wide joins)."""
    keys: tuple[str, ...]
    """Expressions in `source` that identify a row (e.g. `("q.article_id", "q.idx")`)."""
    order: str
    """The ORDER BY clause over `source` (without the keywords)."""
    detail_columns: str
    """The shown columns, as a SELECT list over `detail_from`."""
    detail_from: str
    """The tables (and joins) the shown columns come from, starting with the keyed table."""
    detail_keys: tuple[str, ...]
    """The same keys as expressions of `detail_from`."""
    columns: list[str]
    """The exported columns, in order (names of columns `detail` selects)."""
    where: list[str] = field(default_factory=list)
    """SQL conditions over `source`, joined with AND."""
    params: list[Any] = field(default_factory=list)
    """Parameters of the conditions, in order."""
    count_sql: tuple[str, list[Any]] | None = None
    """A cheaper query for the total, when there is one (e.g. counting FTS matches alone)."""

    def filter(self, condition: str, *params: Any) -> None:
        """Add one condition with its parameters."""
        self.where.append(condition)
        self.params.extend(params)

    def _key_sql(self) -> str:
        where = f" WHERE {' AND '.join(self.where)}" if self.where else ""
        return f"SELECT {', '.join(self.keys)} {self.source}{where} ORDER BY {self.order}"

    def _detail_sql(self, n: int) -> str:
        # The page's keys drive the join (CROSS JOIN fixes the loop order): each row is found
        # through its key index; `(a, b) IN (VALUES ...)` would make SQLite scan the table.
        names = [f"k{i}" for i in range(len(self.detail_keys))]
        row = "(" + ", ".join("?" * len(names)) + ")"
        on = " AND ".join(f"{k} = page_keys.{name}" for k, name in zip(self.detail_keys, names))
        picked = ", ".join(f"page_keys.{name} AS _{name}" for name in names)
        return (f"WITH page_keys({', '.join(names)}) AS (VALUES {', '.join([row] * n)}) "
                f"SELECT {picked}, {self.detail_columns} "
                f"FROM page_keys CROSS JOIN {self.detail_from} WHERE {on}")

    def _details(self, run: Any, keys: Sequence[Sequence[Any]]) -> list[sqlite3.Row]:
        """Wide rows for `keys`, in the order of `keys`."""
        if not keys:
            return []
        flat = [v for key in keys for v in key]
        rows = run(self._detail_sql(len(keys)), flat)
        width = len(self.detail_keys)
        by_key = {tuple(r[f"_k{i}"] for i in range(width)): r for r in rows}
        return [by_key[tuple(k)] for k in keys if tuple(k) in by_key]

    def page(self, reader: Reader, limit: int, offset: int) -> list[sqlite3.Row]:
        """One page of wide rows."""
        keys = reader.all(self._key_sql() + " LIMIT ? OFFSET ?", [*self.params, limit, offset])
        return self._details(reader.all, [tuple(k) for k in keys])

    def rows(self, reader: Reader, limit: int, offset: int) -> list[dict[str, Any]]:
        """One page as dicts of the exported columns."""
        return [{c: r[c] for c in self.columns} for r in self.page(reader, limit, offset)]

    def count(self, reader: Reader) -> int:
        """How many rows the whole list has."""
        if self.count_sql is not None:
            sql, params = self.count_sql
            return int(reader.value(sql, params))
        where = f" WHERE {' AND '.join(self.where)}" if self.where else ""
        return int(reader.value(f"SELECT count(*) {self.source}{where}", self.params))

    def stream(self, reader: Reader) -> Iterator[list[Any]]:
        """Every row, in order, as lists of the exported columns, on a connection of its own.

        The iterator may be advanced from different threads (one at a time), as a streamed
        response does; it closes its connection when exhausted or garbage-collected.
        """
        conn = reader.connect()

        def run(sql: str, params: Sequence[Any]) -> list[sqlite3.Row]:
            return conn.execute(sql, tuple(params)).fetchall()

        try:
            cursor = conn.execute(self._key_sql(), tuple(self.params))
            while keys := cursor.fetchmany(DETAIL_BATCH):
                for row in self._details(run, [tuple(k) for k in keys]):
                    yield [row[c] for c in self.columns]
        except sqlite3.Error as exc:
            raise StoreError(f"export from store {reader.path} failed: {exc}") from exc
        finally:
            conn.close()
