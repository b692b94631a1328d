"""Incidents in the store: the archive an `IncidentIndex` evicts to and reloads from, the writes
that keep `incidents`, `incident_reports` and `incident_aliases` current, and the reads behind
timelines and incident pages.

    index = IncidentIndex(archive=StoreIncidentArchive(store))
    place_reports(store, index, [(article_id, reports_from_doc(doc, ...)), ...])  # at ingest
    incidents_of_story(store, story_id); get_incident(store, incident_id)          # reading

An incident row keeps the Incident as JSON without its reports; each report is one row of
`incident_reports` (the Report as JSON), so a report joining a large incident writes one report
row and one incident row, and the index can be rebuilt from the reports alone
(`rebuild_incidents`) without reading a Doc.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Iterable, Iterator, Sequence

from tidings.corpus.incidents import (
    Incident,
    IncidentChanges,
    IncidentIndex,
    incident_from_json,
    incident_range,
    incident_to_json,
)
from tidings.corpus.incident_records import report_from_json, report_from_text
from tidings.corpus.reports import Report, date_bounds, reports_from_doc
from tidings.records import to_dict
from tidings.store.schema import utc_now
from tidings.store.store import Store

log = logging.getLogger(__name__)

PRECISION_SPAN_DAYS = {"day": 2, "week": 7, "month": 31, "year": 366}
"""Most days an incident's date range covers, by the precision of its date (a day dated by
publication is widened by a day): bounds the `incidents_window` index scan of a date query."""

CHUNK = 500
"""Ids per `IN (...)` query (SQLite allows 999 parameters in older builds)."""


# --- reading ----------------------------------------------------------------------------------


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def load_incidents(store: Store, incident_ids: Iterable[str]) -> list[Incident]:
    """The stored incidents with these ids (unknown ids left out), each with all its reports,
    in date order (undated last), then id."""
    ids = sorted(set(incident_ids))
    data: dict[str, dict[str, object]] = {}
    reports: dict[str, list[Report]] = {}
    for chunk in _chunks(ids):
        marks = ", ".join("?" for _ in chunk)
        for incident_id, text in store.execute(
                f"SELECT id, data FROM incidents WHERE id IN ({marks})", chunk):
            data[incident_id] = json.loads(text)
        for incident_id, text in store.execute(
                f"SELECT incident_id, report FROM incident_reports WHERE incident_id IN ({marks})", chunk):
            reports.setdefault(incident_id, []).append(report_from_text(text))
    out = []
    for incident_id, d in data.items():
        d["reports"] = []
        incident = incident_from_json(d)
        rs = sorted(reports.get(incident_id, ()), key=lambda r: r.key)
        out.append(dataclasses.replace(incident, reports=tuple(rs)))
    return sorted(out, key=_order)


def _order(incident: Incident) -> tuple[dt.date, str]:
    b = date_bounds(incident.date)
    return (b[0] if b else dt.date.max, incident.id)


def incidents_in_window(store: Store, lo: dt.date, hi: dt.date) -> list[Incident]:
    """Stored incidents whose date range (`incident_range`) overlaps [lo, hi]: one short index
    scan per date precision (`incidents_window`)."""
    ids: set[str] = set()
    for precision, span in PRECISION_SPAN_DAYS.items():
        first = (lo - dt.timedelta(days=span)).isoformat()
        rows = store.execute(
            "SELECT id FROM incidents WHERE date_precision = ? AND date_lo BETWEEN ? AND ? "
            "AND date_hi >= ?", (precision, first, hi.isoformat(), lo.isoformat()))
        ids.update(r[0] for r in rows)
    return load_incidents(store, ids)


def resolve_incident(store: Store, incident_id: str) -> str | None:
    """The current id of an incident (following `incident_aliases`), or None when unknown."""
    seen: set[str] = set()
    while incident_id not in seen:
        seen.add(incident_id)
        if store.execute("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)).fetchone():
            return incident_id
        row = store.execute("SELECT new_id FROM incident_aliases WHERE old_id = ?", (incident_id,)).fetchone()
        if row is None:
            return None
        incident_id = row[0]
    return None


def get_incident(store: Store, incident_id: str) -> Incident | None:
    """The stored incident with this id or an id it was renamed from, or None."""
    resolved = resolve_incident(store, incident_id)
    if resolved is None:
        return None
    found = load_incidents(store, [resolved])
    return found[0] if found else None


def incidents_of_story(store: Store, story_id: str) -> list[Incident]:
    """The incidents reported by the story's articles (through `story_articles`, so a merged
    story has all of them), each with every report, those of other stories' articles too."""
    rows = store.execute(
        "SELECT DISTINCT r.incident_id FROM story_articles s "
        "JOIN incident_reports r ON r.article_id = s.article_id WHERE s.story_id = ?", (story_id,))
    return load_incidents(store, [r[0] for r in rows])


def has_incident_index(store: Store) -> bool:
    """True when the store has the incident tables and has indexed at least one report (a store
    migrated from before `0011_incidents` has none until `rebuild_incidents`)."""
    exists = store.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'incident_reports'").fetchone()
    return bool(exists) and store.execute("SELECT 1 FROM incident_reports LIMIT 1").fetchone() is not None


class StoreIncidentArchive:
    """An `IncidentArchive` over the store's incident tables (see tidings.corpus.incidents)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def load_dates(self, lo: dt.date, hi: dt.date) -> list[Incident]:
        return incidents_in_window(self.store, lo, hi)

    def load_story(self, story_id: str, *, undated_only: bool) -> list[Incident]:
        sql = ("SELECT DISTINCT r.incident_id FROM incident_reports r JOIN incidents i "
               "ON i.id = r.incident_id WHERE r.story_id = ?")
        if undated_only:
            sql += " AND i.date_lo IS NULL"
        return load_incidents(self.store, [r[0] for r in self.store.execute(sql, (story_id,))])

    def load_article(self, article_id: str) -> list[Incident]:
        rows = self.store.execute(
            "SELECT DISTINCT incident_id FROM incident_reports WHERE article_id = ?", (article_id,))
        return load_incidents(self.store, [r[0] for r in rows])


# --- writing ----------------------------------------------------------------------------------


def place_reports(store: Store, index: IncidentIndex,
                  articles: Sequence[tuple[str, Sequence[Report]]]) -> IncidentChanges:
    """Add the reports of a batch of articles `(article id, its reports)` to `index` and write
    what changed in one transaction. An article that already has stored reports (re-processed
    with `force`) has them replaced; the others' reports are added in `merge_incidents`'
    canonical order (publication date, article, event). Returns the changes written."""
    ids = [article_id for article_id, _ in articles]
    stored: set[str] = set()
    for chunk in _chunks(ids):
        marks = ", ".join("?" for _ in chunk)
        stored.update(r[0] for r in store.execute(
            f"SELECT DISTINCT article_id FROM incident_reports WHERE article_id IN ({marks})", chunk))
    fresh: list[Report] = []
    for article_id, reports in articles:
        if article_id in stored:
            index.replace_article(article_id, list(reports))
        else:
            fresh.extend(reports)
    index.add_reports(sorted(fresh, key=lambda r: (r.published or dt.date.max, r.article_id, r.event_idx)))
    changes = index.take_changes()
    if changes:
        with store.transaction():
            write_changes(store, changes)
    return changes


def write_changes(store: Store, changes: IncidentChanges) -> None:
    """Persist an index's changes (inside the caller's transaction)."""
    now = utc_now()
    for article_id, event_idx in changes.removed:
        store.execute("DELETE FROM incident_reports WHERE article_id = ? AND event_idx = ?",
                      (article_id, event_idx))
    for incident_id in changes.deleted:
        store.execute("DELETE FROM incidents WHERE id = ?", (incident_id,))
    for report, incident_id in changes.placed:
        store.execute(
            "INSERT OR REPLACE INTO incident_reports(article_id, event_idx, incident_id, outlet, "
            "published, copy_of, story_id, report) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (report.article_id, report.event_idx, incident_id, report.outlet,
             report.published.isoformat() if report.published else None, report.copy_of,
             report.story_id, json.dumps(to_dict(report))))
    for incident in changes.incidents:
        store.execute(
            "INSERT OR REPLACE INTO incidents(id, type, negated, date, date_basis, date_precision, "
            "date_lo, date_hi, place, n_reports, n_outlets, first_published, last_published, data, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _incident_row(incident, now))
    for rename in changes.renames:
        store.execute("INSERT OR REPLACE INTO incident_aliases(old_id, new_id, reason) VALUES (?, ?, ?)",
                      (rename.old, rename.new, rename.reason))
        store.execute("UPDATE incident_aliases SET new_id = ? WHERE new_id = ?", (rename.new, rename.old))
    for incident in changes.incidents:  # an id in use again is no alias
        store.execute("DELETE FROM incident_aliases WHERE old_id = ?", (incident.id,))


def _incident_row(incident: Incident, now: str) -> tuple[object, ...]:
    rng = incident_range(incident)
    bounds = date_bounds(incident.date)
    published = [r.published for r in incident.reports if r.published]
    data = incident_to_json(dataclasses.replace(incident, reports=()))
    return (incident.id, incident.type, int(incident.negated), incident.date, incident.date_basis,
            bounds[2] if bounds and rng else None,
            rng[0].isoformat() if rng else None, rng[1].isoformat() if rng else None,
            incident.places[0] if incident.places else None, len(incident.reports),
            incident.outlets, min(published).isoformat() if published else None,
            max(published).isoformat() if published else None, json.dumps(data), now)


def rebuild_incidents(store: Store, *, from_docs: bool = False, batch_size: int = 200) -> int:
    """Empty the incident tables and index every report again, in publication order, with a
    store-backed index (memory stays bounded). The reports come from `incident_reports` (no Doc
    is read), or with `from_docs` from every stored Doc (for a store ingested before
    `0011_incidents`; copy links from `copies`, stories from `story_articles`). Returns the
    number of reports stored (a report naming no actor, target or place and sharing no
    sentence with one is in no incident)."""
    if from_docs:
        batches: Iterator[list[tuple[str, list[Report]]]] = _doc_reports(store, batch_size)
    else:
        batches = _stored_reports(store, batch_size)
    materialised = list(batches) if not from_docs else None  # reports must be read before the tables are emptied
    with store.transaction():
        for table in ("incident_reports", "incidents", "incident_aliases"):
            store.execute(f"DELETE FROM {table}")
    index = IncidentIndex(archive=StoreIncidentArchive(store))
    for batch in (materialised if materialised is not None else batches):
        place_reports(store, index, batch)
    return int(store.execute("SELECT count(*) FROM incident_reports").fetchone()[0])


def _stored_reports(store: Store, batch_size: int) -> Iterator[list[tuple[str, list[Report]]]]:
    rows = store.execute(
        "SELECT article_id, report FROM incident_reports "
        "ORDER BY coalesce(published, '9999'), article_id, event_idx").fetchall()
    yield from _batched(((a, report_from_json(json.loads(t))) for a, t in rows), batch_size)


def _doc_reports(store: Store, batch_size: int) -> Iterator[list[tuple[str, list[Report]]]]:
    ids = [r[0] for r in store.execute(
        "SELECT id FROM articles ORDER BY coalesce(published, '9999'), id").fetchall()]
    for chunk in _chunks(ids):
        pairs: list[tuple[str, Report]] = []
        for article_id in chunk:
            doc = store.get_doc(article_id)
            if doc is None:
                continue
            copy = store.execute("SELECT canonical_id FROM copies WHERE article_id = ?", (article_id,)).fetchone()
            story = store.execute("SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)).fetchone()
            reports = reports_from_doc(doc, copy_of=copy[0] if copy and copy[0] != article_id else None,
                                       story_id=story[0] if story else None)
            pairs += [(article_id, r) for r in reports]
        yield from _batched(iter(pairs), batch_size)


def _batched(pairs: Iterator[tuple[str, Report]], size: int) -> Iterator[list[tuple[str, list[Report]]]]:
    batch: dict[str, list[Report]] = {}
    for article_id, report in pairs:
        if article_id not in batch and len(batch) >= size:
            yield list(batch.items())
            batch = {}
        batch.setdefault(article_id, []).append(report)
    if batch:
        yield list(batch.items())
