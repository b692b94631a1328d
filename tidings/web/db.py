"""Read-only access to the store for the web app: one SQLite connection per worker thread.

Starlette runs the (blocking) views in a thread pool, and a `sqlite3.Connection` belongs to the
thread that made it, so each thread opens its own read-only connection on first use. Each query
runs in autocommit mode: it sees the latest committed state, so the app stays consistent and
never blocks while an ingest writes (the store runs in WAL mode).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from contextlib import closing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tidings.errors import StoreError
from tidings.store import Store
from tidings.web.schema import all_migrations, missing_web_migrations

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 5.0
"""Seconds a read waits on a lock (only a WAL checkpoint or a migration takes one a reader
notices). Gates how long a page may stall before it fails with an error page; matches the
store's own busy timeout."""

class Reader:
    """Read-only queries on one store file, safe to share between threads."""

    path: Path
    """The store's database file."""

    def __init__(self, path: str | Path) -> None:
        """Open the store at `path` read-only and check it has every table the web reads.

        Raises StoreError when the file is absent, not a tidings store, or lacks migrations
        (the message says how to upgrade it).
        """
        self.path = Path(path)
        self._local = threading.local()
        try:
            Store(self.path, readonly=True, migrations=all_migrations()).close()
        except StoreError:
            missing = self._missing_web_migrations()
            if missing:
                raise StoreError(
                    f"store {self.path} lacks the web tables {missing}; upgrade it once with "
                    f"`python -m tidings.web upgrade {self.path}` (later `tidings ingest` runs "
                    f"keep them up to date)"
                ) from None
            raise

    def _missing_web_migrations(self) -> list[str]:
        try:
            with closing(self.connect()) as conn:
                return missing_web_migrations(conn)
        except (sqlite3.Error, StoreError):
            return []

    def connect(self) -> sqlite3.Connection:
        """A new read-only connection (rows as `sqlite3.Row`), usable from any one thread."""
        uri = self.path.resolve().as_uri() + "?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_S,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open store {self.path}: {exc}") from exc
        conn.row_factory = sqlite3.Row
        return conn

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.connect()
        return conn  # type: ignore[no-any-return]

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Every row of a query."""
        try:
            return self._conn().execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"query on store {self.path} failed: {exc}") from exc

    def one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        """The first row of a query, or None."""
        try:
            return self._conn().execute(sql, tuple(params)).fetchone()  # type: ignore[no-any-return]
        except sqlite3.Error as exc:
            raise StoreError(f"query on store {self.path} failed: {exc}") from exc

    def value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row of a query, or None."""
        row = self.one(sql, params)
        return row[0] if row is not None else None
