"""Tables and indexes the web UI reads, as migrations proposed for the store.

The web pages must answer in well under a second with 100,000 articles stored, so nothing a
page shows may need a scan of every span. These migrations keep small summary tables up to
date with triggers on the typed span tables of migration `0002_extracted_spans`
(`spans_entities`, `spans_places`, `spans_quotes`), which `Store.upsert_docs` fills:

* `actor_stats` (one row per canonical actor: mentions, articles) and `actor_articles` (one row
  per actor and article, with the article's publication date) for the actor list and pages;
* `place_stats` / `place_articles`, the same for resolved places;
* `speaker_stats` (one row per quote speaker, named or anonymous) for the quote filters;
* `quote_texts` + `quotes_fts`: each quote's covered text with a full-text index over it;
* indexes for listings in date order.

A re-processed article has its span rows deleted and inserted again by the store, and the
delete triggers keep every count exact. Each migration also backfills from rows already
stored, so it can be applied to a populated store.

The SQL lives in `tidings.store.summary_tables` and is part of the store's own migrations;
`upgrade_store(path)` applies any missing migration to an existing store once.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from pathlib import Path

from tidings.errors import StoreError
from tidings.store import MIGRATIONS, Store
from tidings.store.schema import Migration, applied_migrations
from tidings.store.summary_tables import SUMMARY_MIGRATIONS as WEB_MIGRATIONS

log = logging.getLogger(__name__)


def all_migrations() -> list[Migration]:
    """Every migration a store the web UI reads must have: the store's own list, which includes
    the summary tables (`WEB_MIGRATIONS`) since they moved into `tidings.store.summary_tables`."""
    return list(MIGRATIONS)


def missing_web_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names of the web migrations the database of `conn` has not had yet."""
    done = set(applied_migrations(conn))
    return [name for name, _ in WEB_MIGRATIONS if name not in done]


def upgrade_store(path: str | Path) -> list[str]:
    """Apply every missing store and web migration to the store at `path`; return their names.

    Opens the store read-write once (safe while nothing else writes a migration); the summary
    tables are backfilled from what is stored, so this takes about a second per 10,000 articles.
    """
    path = Path(path)
    if not path.is_file():
        raise StoreError(f"store {path} does not exist; create it with `tidings ingest`")
    try:
        with closing(sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)) as conn:
            before = set(applied_migrations(conn))
    except sqlite3.Error as exc:
        raise StoreError(f"{path} is not a readable SQLite database: {exc}") from exc
    with Store(path, migrations=all_migrations()) as store:
        applied = [name for name in store.migrations() if name not in before]
    if applied:
        log.info("store %s upgraded with %s", path, applied)
    return applied
