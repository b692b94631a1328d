"""Export a store table to Parquet (pyarrow) or JSON Lines, streaming in batches.

Rows are read with `fetchmany` and written batch by batch (one Parquet row group per batch),
so memory depends on the batch size, not on the table size. Output goes to a temporary file
beside `out` that replaces `out` only when complete: a failed export leaves no partial file.
Both formats carry the same columns and values (JSON columns such as `doc_json` stay strings).
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from tidings.errors import StoreError
from tidings.store.store import Store

log = logging.getLogger(__name__)

EXPORT_BATCH_ROWS = 1000
"""Rows per read and per Parquet row group. Gates export memory: an articles row carries the raw
text, cleaned text and Doc JSON (tens of kB), so 1000 rows stay around tens of MB."""

ExportFormat = Literal["parquet", "jsonl"]
"""Supported export formats."""

_ARROW_TYPES = {"INTEGER": pa.int64(), "REAL": pa.float64(), "BLOB": pa.binary()}
"""SQLite declared type -> Arrow type; anything else (TEXT, untyped) is a string."""


def export(
    store: Store,
    fmt: ExportFormat,
    out: str | Path,
    table: str = "articles",
    *,
    batch_rows: int = EXPORT_BATCH_ROWS,
) -> int:
    """Write every row of `table` to `out` as `fmt` ("parquet" or "jsonl"); return rows written.

    Raises StoreError for an unknown table or format, or when `out` cannot be written.
    """
    if fmt not in ("parquet", "jsonl"):
        raise StoreError(f"export format {fmt!r} is not supported; use parquet or jsonl")
    tables = store.tables()
    if table not in tables:
        raise StoreError(f"store {store.path} has no table {table!r}; tables: {', '.join(tables)}")
    if batch_rows < 1:
        raise StoreError(f"export batch_rows = {batch_rows}: must be at least 1")
    out = Path(out)
    if out.is_dir():
        raise StoreError(f"export target {out} is a directory; give a file name")
    columns = [(r[1], (r[2] or "").upper()) for r in store.execute(f'PRAGMA table_info("{table}")')]
    names = ", ".join(f'"{name}"' for name, _ in columns)
    cursor = store.execute(f'SELECT {names} FROM "{table}" ORDER BY rowid')
    tmp = out.with_name(f".{out.name}.partial")
    try:
        if fmt == "parquet":
            rows = _write_parquet(cursor, columns, tmp, batch_rows)
        else:
            rows = _write_jsonl(cursor, [n for n, _ in columns], tmp, batch_rows)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot write export {out}: {exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    log.info("exported %d rows of %s to %s", rows, table, out)
    return rows


def _write_parquet(cursor: Any, columns: list[tuple[str, str]], path: Path, batch_rows: int) -> int:
    schema = pa.schema([(name, _ARROW_TYPES.get(decl, pa.string())) for name, decl in columns])
    rows = 0
    with pq.ParquetWriter(path, schema) as writer:
        while batch := cursor.fetchmany(batch_rows):
            data = {name: [row[i] for row in batch] for i, (name, _) in enumerate(columns)}
            writer.write_table(pa.Table.from_pydict(data, schema=schema))
            rows += len(batch)
    return rows


def _write_jsonl(cursor: Any, names: list[str], path: Path, batch_rows: int) -> int:
    rows = 0
    with path.open("w", encoding="utf-8") as fh:
        while batch := cursor.fetchmany(batch_rows):
            for row in batch:
                record = {name: _jsonable(value) for name, value in zip(names, row)}
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            rows += len(batch)
    return rows


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.hex()
    return value
