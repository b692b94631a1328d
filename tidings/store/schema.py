"""The store's schema as named migrations, applied once each, in order, in a transaction.

`MIGRATIONS` is an ordered list of `(name, sql)`. A new table or column is a new entry appended
at the end; an applied migration is never edited (its name is recorded in the `migrations`
table, and a store that has it will not run it again).

Span groups are stored two ways:

* every group goes to the generic `spans` table (`article_id, grp, idx, start, end, data`),
  `data` being the record as JSON; that needs no migration when a new extractor appears;
* a group may also get its own typed table `spans_<group>` with one column per record field,
  for queries that filter on fields. Its migration is generated from the record dataclass:
  append `(name, span_table_sql("entities", Entity))` to `MIGRATIONS` and the store fills
  `spans_entities` on every upsert (see `Store.upsert_docs`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import sqlite3
import types
import typing
from collections.abc import Sequence
from typing import Any, get_args, get_origin, get_type_hints

from tidings.errors import StoreError
from tidings.store.summary_tables import ACTOR_EVENTS_SQL, SUMMARY_MIGRATIONS

log = logging.getLogger(__name__)

Migration = tuple[str, str]
"""A named schema change: `(name, sql)`; `sql` may hold several statements."""

SPAN_TABLE_PREFIX = "spans_"
"""Typed per-group tables are named `spans_<group>`."""

_ARTICLES = """
CREATE TABLE articles (
    -- An explicit integer key keeps the full-text index's rowids stable: SQLite may renumber
    -- the implicit rowid of a table without one on VACUUM, which would silently detach
    -- articles_fts from its rows. `id` is the article's identity (a content hash).
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    url TEXT,
    outlet TEXT,
    title TEXT,
    author TEXT,
    published TEXT,                 -- ISO date (YYYY-MM-DD); see published_precision
    published_precision TEXT NOT NULL DEFAULT 'unknown',
    language TEXT,
    source TEXT,                    -- file[:line|#record] the article was read from
    text TEXT NOT NULL DEFAULT '',  -- cleaned text; every span offset points into it
    raw TEXT NOT NULL DEFAULT '',
    doc_json TEXT NOT NULL,         -- Doc.to_json(include_raw=True): the source of truth
    doc_hash TEXT NOT NULL,         -- sha256 of doc_json; equal hash = nothing to write
    ingested_at TEXT NOT NULL,      -- UTC, set on first insert only
    updated_at TEXT                 -- UTC, set when a re-processed Doc replaced the row
);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_outlet ON articles(outlet);

CREATE TABLE removed (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,           -- position in Doc.removed (starts may repeat)
    start INTEGER NOT NULL,         -- offsets into articles.raw
    "end" INTEGER NOT NULL,
    reason TEXT NOT NULL,
    rule TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (article_id, idx)
);

CREATE TABLE spans (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    grp TEXT NOT NULL,              -- span-group name (entities, times, ...)
    idx INTEGER NOT NULL,           -- position in doc.spans[grp]
    start INTEGER,                  -- offsets into articles.text; NULL for non-span records
    "end" INTEGER,
    data TEXT NOT NULL,             -- the record as JSON (records.to_dict)
    PRIMARY KEY (article_id, grp, idx)
);
CREATE INDEX spans_grp ON spans(grp);

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='pk'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.pk, new.title, new.text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.pk, old.title, old.text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
    VALUES ('delete', old.pk, old.title, old.text);
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.pk, new.title, new.text);
END;
"""


_CREATE_MIGRATIONS = """
CREATE TABLE IF NOT EXISTS migrations (
    name TEXT PRIMARY KEY,
    applied_at TEXT NOT NULL
)
"""


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations recorded in `conn`'s database, in the order they were applied."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'"
    ).fetchone()
    if not exists:
        return []
    return [row[0] for row in conn.execute("SELECT name FROM migrations ORDER BY rowid")]


def pending_migrations(
    conn: sqlite3.Connection, migrations: Sequence[Migration] | None = None
) -> list[str]:
    """Names of the migrations in `migrations` that `conn`'s database has not had yet."""
    done = set(applied_migrations(conn))
    return [name for name, _ in (MIGRATIONS if migrations is None else migrations) if name not in done]


def apply_migrations(
    conn: sqlite3.Connection, migrations: Sequence[Migration] | None = None
) -> list[str]:
    """Apply each not-yet-applied migration once, in order, each in its own transaction.

    `conn` must be in autocommit mode (`isolation_level=None`). A migration that fails is
    rolled back entirely (nothing of it stays, and it is not recorded) and raises StoreError;
    migrations before it stay applied. Returns the names applied by this call.
    """
    migrations = MIGRATIONS if migrations is None else migrations
    _check_names(migrations)
    conn.execute(_CREATE_MIGRATIONS)
    applied: list[str] = []
    for name, sql in migrations:
        # Checked again inside the write lock: another process may have applied it meanwhile.
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone():
                conn.execute("COMMIT")
                continue
            for statement in split_statements(sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO migrations(name, applied_at) VALUES (?, ?)", (name, utc_now())
            )
            conn.execute("COMMIT")
        except BaseException as exc:
            conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"migration {name!r} failed and was rolled back: {exc}") from exc
            raise
        log.info("applied migration %s", name)
        applied.append(name)
    return applied


def split_statements(sql: str) -> list[str]:
    """Split a script into single statements (trigger bodies and quoted `;` kept intact).

    `executescript` would commit any open transaction first, so migrations run statement by
    statement inside their own transaction instead.
    """
    statements: list[str] = []
    buffer = ""
    for piece in sql.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if _strip_comments(buffer).strip(" \t\r\n;"):
                statements.append(buffer.strip())
            buffer = ""
    if _strip_comments(buffer).strip(" \t\r\n;"):
        raise StoreError(f"incomplete SQL statement in migration: {buffer.strip()[:80]!r}")
    return statements


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def _check_names(migrations: Sequence[Migration]) -> None:
    names = [name for name, _ in migrations]
    if len(set(names)) != len(names):
        raise StoreError(f"duplicate migration names in {names}")


def utc_now() -> str:
    """The current UTC time as an ISO string with seconds, the store's timestamp format."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# --- typed per-group tables --------------------------------------------------------------------


def span_table_name(group: str) -> str:
    """The typed table of span group `group` (`spans_<group>`); the name must be an identifier."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", group):
        raise StoreError(f"span group name {group!r} must be lowercase letters, digits and _")
    return SPAN_TABLE_PREFIX + group


def span_table_sql(group: str, cls: type) -> str:
    """SQL creating the typed table of span group `group`, one column per field of record `cls`.

    Columns: `article_id`, `idx` (position in `doc.spans[group]`), then every dataclass field
    with a SQLite type derived from its annotation (int/bool -> INTEGER, float -> REAL,
    str/Literal/date -> TEXT, anything else -> TEXT holding JSON). Indexed on every `start`
    column present and on the first text field after the offsets (e.g. `canonical`).
    """
    if not dataclasses.is_dataclass(cls):
        raise StoreError(f"span table for {group!r}: {cls!r} is not a record dataclass")
    table = span_table_name(group)
    hints = get_type_hints(cls)
    columns = []
    for field in dataclasses.fields(cls):
        if field.name in ("article_id", "idx"):
            raise StoreError(f"{cls.__name__}.{field.name} clashes with a span-table key column")
        columns.append(f'    "{field.name}" {column_type(hints[field.name])}')
    body = ",\n".join(
        [
            "    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE",
            "    idx INTEGER NOT NULL",
            *columns,
            "    PRIMARY KEY (article_id, idx)",
        ]
    )
    sql = f"CREATE TABLE {table} (\n{body}\n);\n"
    first_label = next(
        (f.name for f in dataclasses.fields(cls)
         if f.name not in ("start", "end") and column_type(hints[f.name]) == "TEXT"),
        None,
    )
    if first_label:
        sql += f'CREATE INDEX {table}_{first_label} ON {table}("{first_label}");\n'
    return sql


def column_type(hint: Any) -> str:
    """The SQLite column type for a record field annotated `hint`."""
    origin = get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        return column_type(options[0]) if len(options) == 1 else "TEXT"
    if origin is typing.Literal:
        values = get_args(hint)
        return "INTEGER" if all(isinstance(v, int) for v in values) else "TEXT"
    if hint in (int, bool):
        return "INTEGER"
    if hint is float:
        return "REAL"
    return "TEXT"  # str, dates (ISO) and nested values (JSON)


def _extracted_spans() -> str:
    from tidings.records import Entity, Place, Quote, TimeRef

    return (
        span_table_sql("entities", Entity)
        + span_table_sql("times", TimeRef)
        + span_table_sql("places", Place)
        + span_table_sql("quotes", Quote)
        + 'CREATE INDEX spans_quotes_speaker ON spans_quotes("speaker");\n'
        + 'CREATE INDEX spans_quotes_affiliation ON spans_quotes("affiliation");\n'
    )


_STORIES = """
CREATE TABLE stories (
    id TEXT PRIMARY KEY,            -- "s-" + hash of the founding article's id; stable
    founder TEXT NOT NULL,          -- article id of the founding article
    label TEXT NOT NULL,
    actors TEXT NOT NULL,           -- JSON list, most present first
    keywords TEXT NOT NULL,         -- JSON list
    places TEXT NOT NULL,           -- JSON list
    first_date TEXT,                -- ISO; earliest publication date of its articles
    last_date TEXT,
    articles INTEGER NOT NULL,
    outlets INTEGER NOT NULL,
    copies INTEGER NOT NULL
);
CREATE INDEX stories_last_date ON stories(last_date);

CREATE TABLE story_articles (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id TEXT NOT NULL,
    score REAL NOT NULL,            -- similarity to the story when it joined (1.0 for a copy)
    copy_of TEXT                    -- canonical article id when it joined as a copy
);
CREATE INDEX story_articles_story ON story_articles(story_id);

CREATE TABLE story_features (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    features TEXT NOT NULL,         -- tidings.corpus.features.features_to_json
    date_lo TEXT,                   -- ISO range the publication date can mean
    date_hi TEXT
);
CREATE INDEX story_features_dates ON story_features(date_lo, date_hi);

CREATE TABLE story_merges (
    absorbed_id TEXT PRIMARY KEY,   -- a story id that no longer exists
    survivor_id TEXT NOT NULL,      -- the story that holds its articles now
    article_id TEXT NOT NULL        -- the article that bridged them
);
"""


_COPIES = """
CREATE TABLE fingerprints (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,       -- tidings.corpus.fingerprint.FINGERPRINT_VERSION
    exact TEXT NOT NULL,            -- sha256 of the normalised text
    minhash BLOB NOT NULL,          -- NUM_PERM little-endian uint32 values
    shingles INTEGER NOT NULL
);
CREATE INDEX fingerprints_exact ON fingerprints(exact);

CREATE TABLE copies (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    canonical_id TEXT NOT NULL,     -- earliest-published article of the copy group
    matched_id TEXT NOT NULL,       -- the stored article most like this one when it arrived
    kind TEXT NOT NULL,             -- exact, near, trimmed or extended (relative to matched_id)
    jaccard REAL NOT NULL,
    containment REAL NOT NULL,
    reused INTEGER NOT NULL         -- share (0-1) of the copy's characters whose extraction was reused (1: all; stored as REAL when partial)
);
CREATE INDEX copies_canonical ON copies(canonical_id);
"""


_INCIDENTS = """
CREATE TABLE incidents (
    id TEXT PRIMARY KEY,            -- "i-" + hash of its earliest report (tidings.corpus.incidents)
    type TEXT NOT NULL,             -- PLOVER type
    negated INTEGER NOT NULL,
    date TEXT,                      -- the agreed date value ("2024-06-14", "2024-07"), if any
    date_basis TEXT NOT NULL,       -- text, publication or none
    date_precision TEXT,            -- day, week, month or year; NULL when undated
    date_lo TEXT,                   -- ISO: first and last day the agreed date can mean
    date_hi TEXT,                   --   (incident_range); NULL when undated
    place TEXT,                     -- the place most reports name
    n_reports INTEGER NOT NULL,
    n_outlets INTEGER NOT NULL,
    first_published TEXT,           -- ISO: earliest and latest publication date of its reports
    last_published TEXT,
    data TEXT NOT NULL,             -- incident_to_json without "reports" (in incident_reports)
    updated_at TEXT NOT NULL        -- UTC, when last written
);
CREATE INDEX incidents_date ON incidents(date_lo);
CREATE INDEX incidents_window ON incidents(date_precision, date_lo);

CREATE TABLE incident_reports (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    event_idx INTEGER NOT NULL,     -- position of the event in doc.spans["events"]
    incident_id TEXT NOT NULL,
    outlet TEXT,
    published TEXT,
    copy_of TEXT,                   -- canonical article when the article is a syndicated copy
    story_id TEXT,                  -- the article's story when it was reported
    report TEXT NOT NULL,           -- the Report as JSON (records.to_dict)
    PRIMARY KEY (article_id, event_idx)
);
CREATE INDEX incident_reports_incident ON incident_reports(incident_id);
CREATE INDEX incident_reports_story ON incident_reports(story_id);

CREATE TABLE incident_aliases (
    old_id TEXT PRIMARY KEY,        -- an incident id that no longer exists
    new_id TEXT NOT NULL,           -- the incident holding its reports now
    reason TEXT NOT NULL            -- rekeyed or merged
);
"""


def _events() -> str:
    from tidings.records import Event

    return span_table_sql("events", Event) + 'CREATE INDEX spans_events_date ON spans_events("date");\n'


def _attitudes() -> str:
    from tidings.records import Attitude

    return (span_table_sql("attitudes", Attitude)
            + 'CREATE INDEX spans_attitudes_holder ON spans_attitudes("holder");\n')


MIGRATIONS: list[Migration] = [
    ("0001_articles", _ARTICLES),
    ("0002_extracted_spans", _extracted_spans()),
    ("0003_events", _events()),
    ("0004_stories", _STORIES),
    *SUMMARY_MIGRATIONS,  # 0005-0008: summary tables and indexes for fast listings
    ("0009_copies", _COPIES),
    ("0010_actor_events", ACTOR_EVENTS_SQL),
    ("0011_incidents", _INCIDENTS),
    ("0012_attitudes", _attitudes()),
]
"""Every schema change, oldest first. Append only; never edit or reorder an applied entry."""
