"""The embedded SQLite store: idempotent upserts of Docs, full-text search, listings.

One writer, many readers: the database runs in WAL mode by default, so a second process (the
web UI, a `tidings search`) can query while an ingest writes. Every write happens in a
transaction of at most `settings.batch_size` articles; a failure rolls back that batch only.

Writes are keyed by the content-hash article id. The whole Doc is stored as JSON
(`articles.doc_json`, the source of truth) with its hash: a Doc whose JSON is unchanged is
skipped (`present`), one with the same id but different annotations replaces its row and all
derived rows in one transaction (`updated`), keeping the first `ingested_at`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Any

from tidings.doc import SPAN_GROUPS, Doc
from tidings.errors import ConfigError, StoreError
from tidings.records import to_dict
from tidings.settings import StoreSettings
from tidings.store.schema import (
    MIGRATIONS,
    SPAN_TABLE_PREFIX,
    Migration,
    applied_migrations,
    apply_migrations,
    pending_migrations,
    utc_now,
)

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
"""Milliseconds a connection waits for another writer's lock before failing with "database is
locked". Gates concurrent ingests into one file; 5 s covers a 200-article batch commit on a slow
disk with a wide margin (a batch commits in well under 1 s on the dev machine)."""

TITLE_WEIGHT = 2.0
"""bm25 weight of a match in the title relative to the body text (1.0). Gates search ranking:
a headline hit should beat a passing mention. Set by judgement, not calibrated on data."""

SNIPPET_TOKENS = 16
"""Tokens of context in a search snippet (FTS5 allows 1..64); about one line of a listing."""

LIST_FETCH_ROWS = 500
"""Rows fetched per round trip by the `articles()` listing iterator; bounds its memory."""

JOURNAL_MODES = ("wal", "delete", "truncate", "persist", "memory", "off")
"""Values SQLite accepts for `PRAGMA journal_mode` (store.journal_mode)."""

_BASE_KEYS = frozenset(
    {"id", "url", "outlet", "title", "author", "published", "published_precision", "language",
     "source", "text", "removed", "raw", "offsets", "stages"}
)
"""Top-level keys of `Doc.to_json` that are not span groups."""


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """What `Store.upsert_docs` did with the Docs it was given."""

    new: int
    """Articles not in the store before, now inserted."""
    present: int
    """Articles already stored with identical content; nothing was written."""
    updated: int
    """Articles stored before with different content (re-processed); their rows were replaced."""

    @property
    def total(self) -> int:
        """All Docs seen."""
        return self.new + self.present + self.updated

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.new + other.new, self.present + other.present, self.updated + other.updated
        )


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One full-text search result."""

    id: str
    """The article id."""
    title: str | None
    """The article's headline, when it has one."""
    outlet: str | None
    """The publishing outlet, when known."""
    published: dt.date | None
    """Publication date, when known."""
    snippet: str
    """A passage around the matched words, matches wrapped in the highlight markers."""
    score: float
    """Relevance: the negated bm25 score, so higher is better; comparable within one query."""


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """One line of an article listing (no text)."""

    id: str
    """The article id."""
    url: str | None
    """Where it was published, when known."""
    outlet: str | None
    """The publishing outlet, when known."""
    title: str | None
    """Headline, when known."""
    author: str | None
    """Byline, when known."""
    published: dt.date | None
    """Publication date, when known."""
    published_precision: str
    """How much of `published` is known: day, month, year or unknown."""
    language: str | None
    """ISO 639-1 language code."""
    ingested_at: str
    """UTC time (ISO) the article was first stored."""


def open_store(
    path: str | Path, settings: StoreSettings | None = None, *, readonly: bool = False
) -> Store:
    """Open (creating and migrating if needed) the store at `path`.

    `readonly=True` opens an existing store for querying only (no file is created, no
    migration runs, writes raise StoreError). Raises StoreError when `path` is a directory,
    not a SQLite file, a SQLite file of something else, or (read-only) absent or not migrated.
    """
    return Store(path, settings, readonly=readonly)


class Store:
    """A tidings SQLite store. Use as a context manager or call `close()`."""

    path: Path
    """The database file."""
    settings: StoreSettings
    """The [store] settings it was opened with."""
    readonly: bool
    """True when opened for querying only."""

    def __init__(
        self,
        path: str | Path,
        settings: StoreSettings | None = None,
        *,
        readonly: bool = False,
        migrations: Sequence[Migration] = MIGRATIONS,
    ) -> None:
        self.path = Path(path)
        self.settings = settings or StoreSettings()
        self.readonly = readonly
        if self.settings.batch_size < 1:
            raise ConfigError(f"store.batch_size = {self.settings.batch_size}: must be at least 1")
        if self.settings.journal_mode.lower() not in JOURNAL_MODES:
            raise ConfigError(
                f"store.journal_mode = {self.settings.journal_mode!r}: "
                f"expected one of {', '.join(JOURNAL_MODES)}"
            )
        self._conn = self._connect()
        try:
            self._prepare(migrations)
        except BaseException:
            self._conn.close()
            raise
        self._span_tables = self._find_span_tables()

    # --- opening ------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        path = self.path
        if path.is_dir():
            raise StoreError(f"store path {path} is a directory; give a database file name, "
                             f"e.g. {path / 'tidings.db'}")
        if self.readonly and not path.exists():
            raise StoreError(f"store {path} does not exist; create it with `tidings ingest`")
        if not self.readonly and not path.parent.is_dir():
            raise StoreError(f"cannot create store {path}: directory {path.parent} does not exist")
        try:
            if self.readonly:
                uri = path.resolve().as_uri() + "?mode=ro"
                conn = sqlite3.connect(uri, uri=True, isolation_level=None,
                                       timeout=BUSY_TIMEOUT_MS / 1000)
            else:
                conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open store {path}: {exc}") from exc
        return conn

    def _prepare(self, migrations: Sequence[Migration]) -> None:
        conn = self._conn
        path = self.path
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # Reading the schema is the first access to the file: a non-SQLite file fails here.
            tables = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path} is not a SQLite database ({exc}); give the path of a tidings store "
                f"or of a new file"
            ) from exc
        if tables and "migrations" not in tables:
            raise StoreError(
                f"{path} is a SQLite database but not a tidings store (it has no migrations "
                f"table); refusing to modify it. Give a new file name instead."
            )
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            if self.readonly:
                pending = pending_migrations(conn, migrations)
                if pending:
                    raise StoreError(
                        f"store {path} lacks migrations {pending}; open it once read-write "
                        f"(e.g. `tidings ingest`) to upgrade it"
                    )
            else:
                mode = self.settings.journal_mode.lower()
                got = conn.execute(f"PRAGMA journal_mode = {mode}").fetchone()[0]
                if got != mode:
                    log.warning("store %s: journal_mode %s requested, SQLite uses %s",
                                path, mode, got)
                conn.execute("PRAGMA synchronous = NORMAL")
                apply_migrations(conn, migrations)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot prepare store {path}: {exc}") from exc
        known = {name for name, _ in migrations}
        unknown = [n for n in applied_migrations(conn) if n not in known]
        if unknown:
            log.warning("store %s has migrations this tidings does not know: %s (newer version?)",
                        path, unknown)

    def _find_span_tables(self) -> dict[str, list[str]]:
        """Typed per-group tables present (group -> record columns), filled on upsert."""
        found: dict[str, list[str]] = {}
        rows = self._conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'spans\\_%' "
            "ESCAPE '\\'"
        ).fetchall()
        for (table,) in rows:
            columns = [r[1] for r in self._conn.execute(f'PRAGMA table_info("{table}")')]
            found[table[len(SPAN_TABLE_PREFIX):]] = [
                c for c in columns if c not in ("article_id", "idx")
            ]
        return found

    # --- writing ------------------------------------------------------------------------------

    def upsert_docs(self, docs: Iterable[Doc]) -> UpsertResult:
        """Store `docs`, `settings.batch_size` per transaction; return what was new/present/updated.

        `docs` is consumed lazily, so a generator of any length keeps memory flat. When a batch
        fails it is rolled back (earlier batches stay committed) and StoreError is raised.
        """
        if self.readonly:
            raise StoreError(f"store {self.path} is open read-only; it cannot be written")
        total = UpsertResult(0, 0, 0)
        iterator = iter(docs)
        batch_no = 0
        while batch := list(islice(iterator, self.settings.batch_size)):
            total = total + self._write_batch(batch, batch_no)
            batch_no += 1
        return total

    def _write_batch(self, batch: list[Doc], batch_no: int) -> UpsertResult:
        conn = self._conn
        new = present = updated = 0
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to store {self.path}: {exc}") from exc
        current: Doc | None = None
        try:
            for current in batch:
                status = self._write_doc(current)
                new += status == "new"
                present += status == "present"
                updated += status == "updated"
            conn.execute("COMMIT")
        except BaseException as exc:
            conn.execute("ROLLBACK")
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            where = f" ({current.source})" if current is not None and current.source else ""
            article = current.id if current is not None else "?"
            raise StoreError(
                f"writing batch {batch_no} to {self.path} failed at article {article}{where}: "
                f"{exc}; that batch ({len(batch)} articles) was rolled back, earlier batches "
                f"are stored"
            ) from exc
        log.debug("batch %d: %d new, %d present, %d updated", batch_no, new, present, updated)
        return UpsertResult(new, present, updated)

    def _write_doc(self, doc: Doc) -> str:
        """Write one Doc inside the open transaction; return 'new', 'present' or 'updated'."""
        data = doc.to_json(include_raw=True)
        doc_json = _dump(data)
        doc_hash = hashlib.sha256(doc_json.encode("utf-8")).hexdigest()
        row = self._conn.execute("SELECT doc_hash FROM articles WHERE id = ?", (doc.id,)).fetchone()
        if row is not None and row[0] == doc_hash:
            return "present"
        values = {
            "url": doc.url,
            "outlet": doc.outlet,
            "title": doc.title,
            "author": doc.author,
            "published": doc.published.isoformat() if doc.published else None,
            "published_precision": doc.published_precision,
            "language": doc.language,
            "source": str(doc.source) if doc.source else None,
            "text": doc.text,
            "raw": doc.raw,
            "doc_json": doc_json,
            "doc_hash": doc_hash,
        }
        if row is None:
            values.update(id=doc.id, ingested_at=utc_now())
            names = ", ".join(f'"{k}"' for k in values)
            marks = ", ".join("?" for _ in values)
            self._conn.execute(f"INSERT INTO articles ({names}) VALUES ({marks})",
                               tuple(values.values()))
            status = "new"
        else:
            values["updated_at"] = utc_now()
            assignments = ", ".join(f'"{k}" = ?' for k in values)
            self._conn.execute(f"UPDATE articles SET {assignments} WHERE id = ?",
                               (*values.values(), doc.id))
            self._delete_derived(doc.id)
            status = "updated"
        self._insert_derived(doc, data)
        return status

    def _delete_derived(self, article_id: str) -> None:
        self._conn.execute("DELETE FROM removed WHERE article_id = ?", (article_id,))
        self._conn.execute("DELETE FROM spans WHERE article_id = ?", (article_id,))
        for group in self._span_tables:
            self._conn.execute(
                f'DELETE FROM "{SPAN_TABLE_PREFIX}{group}" WHERE article_id = ?', (article_id,)
            )

    def _insert_derived(self, doc: Doc, data: dict[str, Any]) -> None:
        """Write the Doc's removals and span rows; `data` is its `to_json` output, whose record
        dicts are reused rather than built again for each table."""
        conn = self._conn
        conn.executemany(
            'INSERT INTO removed (article_id, idx, start, "end", reason, rule) '
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(doc.id, i, r.start, r.end, r.reason, r.rule) for i, r in enumerate(doc.removed)],
        )
        for group, records in doc.spans.items():
            rows = []
            dicts = _record_dicts(records, data.get(group))
            for i, (record, record_data) in enumerate(zip(records, dicts)):
                rows.append((doc.id, group, i, getattr(record, "start", None),
                             getattr(record, "end", None), _dump(record_data)))
            conn.executemany(
                'INSERT INTO spans (article_id, grp, idx, start, "end", data) '
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            if group in self._span_tables:
                self._insert_typed(doc.id, group, dicts)

    def _insert_typed(self, article_id: str, group: str, dicts: list[dict[str, Any]]) -> None:
        """Rows of a typed span table from the group's record dicts (`to_dict` output)."""
        columns = self._span_tables[group]
        names = ", ".join(f'"{c}"' for c in ["article_id", "idx", *columns])
        marks = ", ".join("?" for _ in range(len(columns) + 2))
        rows = []
        for i, data in enumerate(dicts):
            rows.append((article_id, i, *(_sql_value(data.get(c)) for c in columns)))
        self._conn.executemany(
            f'INSERT INTO "{SPAN_TABLE_PREFIX}{group}" ({names}) VALUES ({marks})', rows
        )

    # --- reading ------------------------------------------------------------------------------

    def has(self, article_id: str) -> bool:
        """True when an article with this id is stored."""
        row = self._query("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row is not None

    def get_doc(self, article_id: str) -> Doc | None:
        """The stored Doc with this id (as `Doc.from_json` rebuilds it), or None.

        Span groups come back only when registered (`register_group`) in this process, i.e.
        when the extractor that adds them has been imported; others are logged and left out.
        """
        row = self._query("SELECT doc_json FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return None
        data = json.loads(row[0])
        missing = [k for k in data if k not in _BASE_KEYS and k not in SPAN_GROUPS]
        if missing:
            log.warning("article %s: span group(s) %s not registered in this process; "
                        "import their extractors to load them", article_id, missing)
        return Doc.from_json(data)

    def search(
        self, query: str, limit: int = 20, *, highlight: tuple[str, str] = ("[", "]")
    ) -> list[SearchHit]:
        """Full-text search over titles and texts, best first (bm25, titles weighted higher).

        `query` uses FTS5 syntax (words, "phrases", AND/OR/NOT, prefix*, title:word); when it is
        not valid FTS5 it is searched again as plain words, each quoted. A blank query returns
        no hits. Raises StoreError only when the database itself cannot be queried.
        """
        # SQLite's query parser stops at NUL, which would cut a quoted phrase in half.
        query = query.replace("\x00", " ")
        if not query.strip():
            return []
        try:
            return self._search(query, limit, highlight)
        except sqlite3.OperationalError as exc:
            log.debug("query %r is not FTS5 syntax (%s); searching its words", query, exc)
        safe = quote_query(query)
        if not safe:
            return []
        try:
            return self._search(safe, limit, highlight)
        except sqlite3.Error as exc:
            raise StoreError(f"search {query!r} in {self.path} failed: {exc}") from exc

    def _search(self, match: str, limit: int, highlight: tuple[str, str]) -> list[SearchHit]:
        sql = f"""
            SELECT a.id, a.title, a.outlet, a.published,
                   snippet(articles_fts, -1, ?, ?, '…', {SNIPPET_TOKENS}) AS snippet,
                   bm25(articles_fts, {TITLE_WEIGHT}, 1.0) AS score
            FROM articles_fts JOIN articles AS a ON a.pk = articles_fts.rowid
            WHERE articles_fts MATCH ?
            ORDER BY score, a.published DESC, a.id
            LIMIT ?
        """
        rows = self._conn.execute(sql, (*highlight, match, limit)).fetchall()
        return [
            SearchHit(id=r[0], title=r[1], outlet=r[2], published=_date(r[3]), snippet=r[4],
                      score=-r[5])
            for r in rows
        ]

    def articles(self, limit: int | None = None) -> Iterator[ArticleRow]:
        """Stored articles, newest publication first (undated last), for listings."""
        sql = (
            "SELECT id, url, outlet, title, author, published, published_precision, language, "
            "ingested_at FROM articles "
            "ORDER BY published IS NULL, published DESC, ingested_at DESC, id"
        )
        params: tuple[Any, ...] = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (limit,)
        cursor = self._query(sql, params)
        while rows := cursor.fetchmany(LIST_FETCH_ROWS):
            for r in rows:
                yield ArticleRow(r[0], r[1], r[2], r[3], r[4], _date(r[5]), r[6], r[7], r[8])

    def counts(self) -> dict[str, int]:
        """Row count of every table, full-text index tables included (keyed by table name)."""
        tables = [r[0] for r in self._query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
            "ESCAPE '\\' ORDER BY name")]
        return {t: self._query(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}

    def migrations(self) -> list[str]:
        """Names of the migrations applied to this store, oldest first."""
        return applied_migrations(self._conn)

    def tables(self) -> list[str]:
        """Names of the regular tables (what `export` accepts): no FTS or SQLite internals."""
        rows = self._query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
        virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
        return [
            name for name, _ in rows
            if not name.startswith("sqlite_") and name not in virtual
            and not any(name.startswith(v + "_") for v in virtual)
        ]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes made through `execute` into one transaction: committed when the block
        ends, rolled back (nothing kept) when it raises."""
        if self.readonly:
            raise StoreError(f"store {self.path} is open read-only")
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to store {self.path}: {exc}") from exc
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run a read query (for exports and views); errors become StoreError."""
        return self._query(sql, tuple(params))

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise StoreError(f"query on store {self.path} failed: {exc}") from exc

    # --- lifetime -----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection; the Store cannot be used afterwards."""
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "ro" if self.readonly else "rw"
        return f"Store({str(self.path)!r}, {mode})"


def quote_query(query: str) -> str:
    """`query` as FTS5 that matches its words literally: each whitespace-separated token quoted.

    Tokens without a letter or digit are dropped: the tokenizer indexes none of their
    characters, so as a phrase they would match nothing and empty the whole result.
    """
    return " ".join(
        '"' + token.replace('"', '""') + '"'
        for token in query.split()
        if any(ch.isalnum() for ch in token)
    )


def _record_dicts(records: list[Any], stored: Any) -> list[Any]:
    """`to_dict` of each record (a record that is no dataclass as it is), taken from the
    Doc's `to_json` output `stored` when it holds them: that adds a derived "text" to a span's
    dict, which no record field is named (records.py), so dropping it gives `to_dict`."""
    reusable = isinstance(stored, list) and len(stored) == len(records)
    out = []
    for i, record in enumerate(records):
        if not dataclasses.is_dataclass(record):
            out.append(record)
            continue
        data = stored[i] if reusable else None
        cls: Any = type(record)
        if not isinstance(data, dict) or "text" in _field_names(cls):
            out.append(to_dict(record))
        elif "text" in data:
            out.append({k: v for k, v in data.items() if k != "text"})
        else:
            out.append(data)
    return out


@functools.lru_cache(maxsize=None)
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
"""What `json.dumps` with these options builds on every call (one per stored record)."""


def _dump(data: Any) -> str:
    # Canonical form, so equal Docs give equal hashes.
    return _ENCODER.encode(data)


def _sql_value(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return _dump(value)
    return value


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
