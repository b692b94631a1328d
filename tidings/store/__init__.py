"""The embedded SQLite store: schema migrations, idempotent upserts, search, exports."""

from tidings.store.export import EXPORT_BATCH_ROWS, export
from tidings.store.schema import MIGRATIONS, apply_migrations, span_table_sql
from tidings.store.store import ArticleRow, SearchHit, Store, UpsertResult, open_store

__all__ = [
    "ArticleRow",
    "EXPORT_BATCH_ROWS",
    "MIGRATIONS",
    "SearchHit",
    "Store",
    "UpsertResult",
    "apply_migrations",
    "export",
    "open_store",
    "span_table_sql",
]
