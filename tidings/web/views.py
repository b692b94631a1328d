"""The web views: each takes a Reader and parameters and returns one JSON-able dict.

A page and its JSON twin render the same dict (HTML through a template, JSON as is), so
nothing a page shows is missing from the API. Keys starting with `_` hold HTML-only values
(pre-rendered Markup) and are left out of the JSON.

Every query is served by an index or a summary table (see `tidings.web.schema`): no view
reads all articles or all spans.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
from collections.abc import Iterator
from typing import Any

from tidings.errors import StoreError
from tidings.store.store import TITLE_WEIGHT, quote_query
from tidings.web.db import Reader
from tidings.web.highlight import (
    GROUP_KINDS,
    find_highlights,
    place_removals,
    render_text,
    span_groups,
    span_label,
)
from tidings.web.listing import Listing
from tidings.web.params import BadRequest, NotFound, Page, Params, date_upper

log = logging.getLogger(__name__)

HOME_ROWS = 10
"""Rows in each short list of the home page (recent articles, top actors, top places)."""

ACTOR_QUOTES = 20
"""Quotes shown on an actor page per section; the rest are one click away on /quotes."""

ACTOR_EVENTS = 50
"""Events (and, separately, stances) shown on an actor page, latest date first; the page also
gives the total, so a capped list says how many it leaves out."""

CONTEXT_CHARS = 80
"""Characters of text shown either side of a mention on actor and place pages."""

MAP_POINTS = 500
"""Places drawn on the map of /places, most mentioned first. Gates the page's size: each
point is ~150 bytes of SVG, so 500 points are ~75 kB."""

NAME_MATCHES = 200
"""Most names a partial speaker/affiliation filter expands to (most quoted/mentioned first)."""

SNIPPET_TOKENS = 24
"""Tokens of context in a search-result snippet (FTS5 allows 1..64): about two lines."""

MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
"""Private-use characters FTS5 wraps around matched words in snippets, turned into offsets
before anything is rendered. News text hardly ever holds them; if one does, only that
snippet's match highlighting is off (the text is escaped all the same)."""


# --- helpers -----------------------------------------------------------------------------------


def fts_match(reader: Reader, table: str, query: str) -> str:
    """`query` as an FTS5 expression for `table`: as given when valid FTS5, else its words quoted.

    Users type words, "phrases", AND/OR/NOT, prefix*; anything else (a stray quote, a
    colon) is searched as plain words rather than failing.
    """
    try:
        reader.all(f"SELECT rowid FROM {table} WHERE {table} MATCH ? LIMIT 1", [query])
        return query
    except StoreError as exc:
        if not isinstance(exc.__cause__, sqlite3.OperationalError):
            raise
    safe = quote_query(query)
    if not safe:
        raise BadRequest(f"search {query!r} has no words to look for")
    return safe


def split_snippet(marked: str) -> dict[str, Any]:
    """A snippet with FTS5 match markers as plain text plus the matches' `[start, end]`."""
    text: list[str] = []
    matches: list[list[int]] = []
    length = 0
    start = 0
    for ch in marked:
        if ch == MARK_OPEN:
            start = length
        elif ch == MARK_CLOSE:
            matches.append([start, length])
        else:
            text.append(ch)
            length += 1
    return {"snippet": "".join(text), "snippet_matches": matches}


def like_pattern(value: str) -> str:
    """A LIKE pattern matching `value` anywhere, its own % and _ taken literally."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def span_counts(reader: Reader, article_ids: list[str]) -> dict[str, dict[str, int]]:
    """Per article: how many spans of each group it has (read through the spans primary key)."""
    if not article_ids:
        return {}
    marks = ", ".join("?" for _ in article_ids)
    counts: dict[str, dict[str, int]] = {a: {} for a in article_ids}
    for row in reader.all(
        f"SELECT article_id, grp, count(*) FROM spans WHERE article_id IN ({marks}) "
        f"GROUP BY article_id, grp", article_ids,
    ):
        counts[row[0]][row[1]] = row[2]
    return counts


def known_actors(reader: Reader, names: set[str]) -> set[str]:
    """Which of `names` have an actor page (mentioned as an actor, or quoted by name)."""
    names = {n for n in names if n}
    if not names:
        return set()
    marks = ", ".join("?" for _ in names)
    rows = reader.all(
        f"SELECT canonical FROM actor_stats WHERE canonical IN ({marks}) "
        f"UNION SELECT speaker FROM speaker_stats WHERE named AND speaker IN ({marks})",
        [*names, *names],
    )
    return {r[0] for r in rows}


def context(reader: Reader, article_id: str, start: int, end: int) -> dict[str, Any]:
    """Text around `[start:end]` of an article: `before`, `match`, `after`."""
    lo = max(0, start - CONTEXT_CHARS)
    row = reader.one("SELECT substr(text, ?, ?) FROM articles WHERE id = ?",
                     [lo + 1, end + CONTEXT_CHARS - lo, article_id])
    piece = row[0] if row is not None and row[0] is not None else ""
    return {"before": piece[: start - lo], "match": piece[start - lo: end - lo],
            "after": piece[end - lo:], "start": start, "end": end}


LEDE_CHARS = 100
"""Characters of an untitled article's text shown in place of its title in listings."""

LEDE_SQL = f"CASE WHEN coalesce(title, '') = '' THEN substr(text, 1, {LEDE_CHARS}) END AS lede"
"""SQL column over `articles`: the opening of the text, for articles without a title."""


def _article_brief(row: sqlite3.Row) -> dict[str, Any]:
    return {k: row[k] for k in ("id", "title", "lede", "outlet", "published", "url")}


def mentioning_articles(reader: Reader, keys_sql: str, first_sql: str, key: str,
                        page: Page) -> list[dict[str, Any]]:
    """One page of the articles that mention `key`, newest first, each with its first mention.

    `keys_sql` pages `(article_id, mentions)` from a summary table's date index (taking `key`,
    limit, offset); `first_sql` finds the first mention's offsets (taking article id, `key`).
    Articles are read only for the page's rows.
    """
    keys = reader.all(keys_sql, [key, page.size, page.offset])
    if not keys:
        return []
    ids = [k[0] for k in keys]
    found = {r["id"]: r for r in reader.all(
        f"SELECT id, title, {LEDE_SQL}, outlet, published, url FROM articles "
        f"WHERE id IN ({', '.join('?' for _ in ids)})", ids)}
    articles = []
    for article_id, mentions in keys:
        if article_id not in found:
            continue  # deleted between the two reads
        item = {**_article_brief(found[article_id]), "mentions": mentions}
        first = reader.one(first_sql, [article_id, key])
        if first is not None:
            item["context"] = context(reader, article_id, first[0], first[1])
        articles.append(item)
    return articles


# --- home --------------------------------------------------------------------------------------


def home_view(reader: Reader) -> dict[str, Any]:
    """Counts, the publication date range, recent articles, most mentioned actors and places."""
    counts = {
        "articles": reader.value("SELECT count(*) FROM articles"),
        "actors": reader.value("SELECT count(*) FROM actor_stats"),
        "quotes": reader.value("SELECT count(*) FROM quote_texts"),
        "places": reader.value("SELECT count(*) FROM place_stats"),
    }
    first = reader.value("SELECT min(published) FROM articles WHERE published IS NOT NULL")
    last = reader.value("SELECT max(published) FROM articles")
    recent = reader.all(
        f"SELECT id, title, {LEDE_SQL}, outlet, published, url FROM articles "
        f"ORDER BY published DESC, pk DESC LIMIT ?", [HOME_ROWS])
    actors = reader.all(
        "SELECT canonical, kind, mentions, articles FROM actor_stats "
        "ORDER BY mentions DESC, canonical LIMIT ?", [HOME_ROWS])
    places = reader.all(
        "SELECT place_key, name, country, mentions FROM place_stats "
        "ORDER BY mentions DESC, place_key LIMIT ?", [HOME_ROWS])
    return {
        "counts": counts,
        "published": {"first": first, "last": last},
        "recent_articles": [_article_brief(r) for r in recent],
        "top_actors": [dict(r) for r in actors],
        "top_places": [dict(r) for r in places],
    }


# --- articles ----------------------------------------------------------------------------------

ARTICLE_SORTS = ("relevance", "newest")


def articles_listing(reader: Reader, params: Params) -> tuple[Listing, dict[str, Any]]:
    """The article list query for `params` (q, outlet, from, to, sort) and the filters used."""
    q = params.text("q")
    outlet = params.text("outlet")
    since, until = params.date("from"), params.date("to")
    sort = params.choice("sort", ARTICLE_SORTS, "relevance" if q else "newest")
    columns = ["id", "published", "outlet", "title", "author", "url", "language"]

    def articles(source: str, keys: tuple[str, ...], order: str) -> Listing:
        return Listing(source=source, keys=keys, order=order,
                       detail_columns=("a.pk, " + ", ".join(f"a.{c}" for c in columns)
                                       + ", " + LEDE_SQL),
                       detail_from="articles AS a", detail_keys=("a.pk",), columns=columns)

    newest = "a.published DESC, a.pk DESC"
    match = fts_match(reader, "articles_fts", q) if q else ""
    by_rank = bool(q) and sort == "relevance"
    if by_rank and not (outlet or since or until):
        # Ranking needs only the index: no join with articles for every match.
        listing = articles("FROM articles_fts", ("articles_fts.rowid",),
                           f"bm25(articles_fts, {TITLE_WEIGHT}, 1.0), articles_fts.rowid DESC")
        listing.filter("articles_fts MATCH ?", match)
    elif by_rank:
        listing = articles("FROM articles_fts JOIN articles AS a ON a.pk = articles_fts.rowid",
                           ("a.pk",), f"bm25(articles_fts, {TITLE_WEIGHT}, 1.0), {newest}")
        listing.filter("articles_fts MATCH ?", match)
    else:
        # Newest first walks the (published, pk) index and stops after a page of matches.
        listing = articles("FROM articles AS a", ("a.pk",), newest)
        if q:
            listing.filter("a.pk IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)",
                           match)
    if outlet:
        listing.filter("a.outlet = ?", outlet)
    if since:
        listing.filter("a.published >= ?", since)
    if until:
        listing.filter("a.published < ?", date_upper(until))
    if q and not (outlet or since or until):
        listing.count_sql = ("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", [match])
    filters = {"q": q, "outlet": outlet, "from": since, "to": until, "sort": sort,
               "match": match}
    return listing, filters


def snippet(reader: Reader, match: str, pk: int) -> dict[str, Any]:
    """The passage of article `pk` that best matches the FTS5 expression `match`."""
    marked = reader.value(
        f"SELECT snippet(articles_fts, -1, '{MARK_OPEN}', '{MARK_CLOSE}', '…', "
        f"{SNIPPET_TOKENS}) FROM articles_fts WHERE articles_fts MATCH ? AND rowid = ?",
        [match, pk])
    return split_snippet(marked or "")


def articles_view(reader: Reader, params: Params) -> dict[str, Any]:
    """Articles newest first (or best match first for a search), one page."""
    listing, filters = articles_listing(reader, params)
    page = params.page()
    rows = listing.page(reader, page.size, page.offset)
    counts = span_counts(reader, [r["id"] for r in rows])
    out = []
    for r in rows:
        item = {c: r[c] for c in listing.columns}
        item["lede"] = r["lede"]
        item["spans"] = counts.get(r["id"], {})
        if filters["q"]:
            item.update(snippet(reader, filters["match"], r["pk"]))
        out.append(item)
    del filters["match"]
    return {"filters": filters, "rows": out,
            "pagination": page.info(listing.count(reader), len(out))}


# --- one article -------------------------------------------------------------------------------


def article_view(reader: Reader, article_id: str) -> dict[str, Any]:
    """One article: its metadata, cleaned text, every span, and what cleaning removed."""
    row = reader.one(
        "SELECT doc_json, ingested_at, updated_at FROM articles WHERE id = ?", [article_id])
    if row is None:
        raise NotFound(f"no article with id {article_id!r} in this store")
    data = json.loads(row["doc_json"])
    text = data.get("text") or ""
    groups = span_groups(data)
    names: set[str] = set()
    for record in groups.get("entities", []):
        names.add(record.get("canonical") or "")
    for record in groups.get("events", []):
        for role in ("actors", "targets", "mediators"):
            names.update(record.get(role) or [])
    for record in groups.get("quotes", []):
        if record.get("speaker_named"):
            names.add(record.get("speaker") or "")
        names.add(record.get("affiliation") or "")
    actors = known_actors(reader, names)
    spans = []
    for group, records in groups.items():
        for idx, record in enumerate(records):
            spans.append({
                "ref": f"{group}-{idx}", "group": group, "kind": GROUP_KINDS.get(group, group),
                "label": span_label(group, record),
                "record": record, "links": _span_links(group, record, actors),
            })
    removals = place_removals(data)
    reasons: dict[str, int] = {}
    for r in removals:
        reasons[r.reason] = reasons.get(r.reason, 0) + 1
    article = {k: data.get(k) for k in ("id", "title", "outlet", "author", "published",
                                         "published_precision", "url", "language", "source",
                                         "stages")}
    article.update(ingested_at=row["ingested_at"], updated_at=row["updated_at"])
    return {
        "article": article,
        "text": text,
        "raw": data.get("raw") or "",
        "spans": spans,
        "span_counts": {g: len(v) for g, v in groups.items()},
        "removed": [{"idx": r.idx, "reason": r.reason, "rule": r.rule, "text": r.text,
                     "start": data["removed"][r.idx]["start"],
                     "end": data["removed"][r.idx]["end"], "shown_at": r.at} for r in removals],
        "removed_counts": reasons,
        "_body": render_text(text, find_highlights(data), removals),
    }


def _span_links(group: str, record: dict[str, Any], actors: set[str]) -> list[dict[str, str]]:
    """Where a span resolves to, as `{"label", "kind", "key"}` (templates build the hrefs)."""
    links: list[dict[str, str]] = []
    if group == "entities" and record.get("canonical") in actors:
        links.append({"label": record["canonical"], "kind": "actor", "key": record["canonical"]})
    elif group == "places":
        key = record.get("gazetteer_id") or record.get("name") or ""
        links.append({"label": record.get("name") or key, "kind": "place", "key": key})
    elif group == "events":
        for role in ("actors", "targets", "mediators"):
            for name in record.get(role) or []:
                if name in actors:
                    links.append({"label": f"{name} ({role[:-1]})", "kind": "actor", "key": name})
    elif group == "quotes":
        speaker = record.get("speaker")
        if speaker and speaker in actors and record.get("speaker_named"):
            links.append({"label": speaker, "kind": "actor", "key": speaker})
        if speaker:
            links.append({"label": f"quotes by {speaker}", "kind": "speaker", "key": speaker})
        if record.get("affiliation") in actors:
            links.append({"label": record["affiliation"], "kind": "actor",
                          "key": record["affiliation"]})
    return links


# --- actors ------------------------------------------------------------------------------------

ACTOR_SORTS = ("mentions", "articles", "name")


def actors_listing(reader: Reader, params: Params) -> tuple[Listing, dict[str, Any]]:
    """The actor list query for `params` (q: part of the name, kind, sort)."""
    q, kind = params.text("q"), params.text("kind")
    sort = params.choice("sort", ACTOR_SORTS, "mentions")
    order = {"mentions": "mentions DESC, canonical", "articles": "articles DESC, canonical",
             "name": "canonical"}[sort]
    columns = ["canonical", "kind", "code", "mentions", "articles"]
    listing = Listing(source="FROM actor_stats", keys=("canonical",), order=order,
                      detail_columns=", ".join(columns), detail_from="actor_stats",
                      detail_keys=("canonical",), columns=columns)
    if q:
        listing.filter("canonical LIKE ? ESCAPE '\\'", like_pattern(q))
    if kind:
        listing.filter("kind = ?", kind)
    return listing, {"q": q, "kind": kind, "sort": sort}


def actors_view(reader: Reader, params: Params) -> dict[str, Any]:
    """Actors with their mention, article and quote counts, one page."""
    listing, filters = actors_listing(reader, params)
    page = params.page()
    rows = listing.rows(reader, page.size, page.offset)
    quoted = _quote_counts(reader, [r["canonical"] for r in rows])
    for r in rows:
        r["quotes"] = quoted.get(r["canonical"], 0)
    kinds = [r[0] for r in reader.all("SELECT DISTINCT kind FROM actor_stats ORDER BY kind")]
    return {"filters": filters, "kinds": kinds, "rows": rows,
            "pagination": page.info(listing.count(reader), len(rows))}


def _quote_counts(reader: Reader, speakers: list[str]) -> dict[str, int]:
    if not speakers:
        return {}
    marks = ", ".join("?" for _ in speakers)
    return {r[0]: r[1] for r in reader.all(
        f"SELECT speaker, quotes FROM speaker_stats WHERE speaker IN ({marks})", speakers)}


def actor_view(reader: Reader, canonical: str, params: Params) -> dict[str, Any]:
    """One actor: the articles that mention it (newest first), its quotes, quotes of its people,
    its events as actor or target and its negotiation stances (latest first, capped, counted)."""
    stats = reader.one("SELECT canonical, kind, code, mentions, articles FROM actor_stats "
                       "WHERE canonical = ?", [canonical])
    speaker = reader.one("SELECT speaker, named, quotes FROM speaker_stats WHERE speaker = ?",
                         [canonical])
    if (stats is None and (speaker is None or not speaker["named"])
            and not _has_events_or_stances(reader, canonical)):
        raise NotFound(f"no actor named {canonical!r} in this store (names are canonical, "
                       f"as listed on /actors)")
    page = params.page()
    articles = mentioning_articles(
        reader, "SELECT article_id, mentions FROM actor_articles WHERE canonical = ? "
        "ORDER BY published DESC, article_id LIMIT ? OFFSET ?",
        'SELECT start, "end" FROM spans_entities WHERE article_id = ? AND canonical = ? '
        "ORDER BY idx LIMIT 1", canonical, page)
    quotes_by = quotes_listing_for(reader, "speaker", canonical)
    quotes_for = quotes_listing_for(reader, "affiliation", canonical)
    actor: dict[str, Any] = dict(stats) if stats is not None else {
        "canonical": canonical, "kind": None, "code": None, "mentions": 0, "articles": 0}
    actor["quotes"] = speaker["quotes"] if speaker is not None else 0
    return {
        "actor": actor,
        "articles": articles,
        "pagination": page.info(int(actor["articles"]), len(articles)),
        "quotes_by": quotes_by,
        "quotes_for": quotes_for,
        "events": actor_events(reader, canonical),
        "stances": actor_stances(reader, canonical),
    }


def _has_events_or_stances(reader: Reader, canonical: str) -> bool:
    return (reader.one("SELECT 1 FROM actor_events WHERE canonical = ? LIMIT 1", [canonical])
            is not None or
            reader.one("SELECT 1 FROM actor_stances WHERE canonical = ? LIMIT 1", [canonical])
            is not None)


def actor_events(reader: Reader, canonical: str, limit: int = ACTOR_EVENTS) -> dict[str, Any]:
    """The latest `limit` events with `canonical` as actor or target (by event date, undated
    last), each with the other side and the reporting sentence, and the total count.

    Reads the trigger-kept `actor_events` table through its (canonical, date) index.
    """
    rows = reader.all(
        'SELECT ae.role, ae.article_id, ae.idx, ae."date", ae.type, e.negated, e.modality, '
        "e.mode, e.actors, e.targets, a.title, a.outlet, a.published, "
        "substr(a.text, e.sentence_start + 1, e.sentence_end - e.sentence_start) AS sentence "
        "FROM actor_events AS ae "
        "JOIN spans_events AS e ON e.article_id = ae.article_id AND e.idx = ae.idx "
        "JOIN articles AS a ON a.id = ae.article_id "
        'WHERE ae.canonical = ? ORDER BY ae."date" DESC, ae.article_id, ae.idx LIMIT ?',
        [canonical, limit])
    items = []
    for r in rows:
        actors, targets = _json_names(r["actors"]), _json_names(r["targets"])
        items.append({
            "role": r["role"], "date": r["date"], "type": r["type"],
            "negated": bool(r["negated"]), "modality": r["modality"], "mode": r["mode"],
            "actors": actors, "targets": targets,
            "other": targets if r["role"] == "actor" else actors,
            "sentence": r["sentence"], "article_id": r["article_id"], "idx": r["idx"],
            "title": r["title"], "outlet": r["outlet"], "published": r["published"],
        })
    total = reader.value("SELECT count(*) FROM actor_events WHERE canonical = ?", [canonical])
    return {"rows": items, "total": int(total or 0)}


def actor_stances(reader: Reader, canonical: str, limit: int = ACTOR_EVENTS) -> dict[str, Any]:
    """The latest `limit` negotiation stances `canonical` took (by stance date, undated last),
    each with its issue, evidence sentence and article, and the total count."""
    rows = reader.all(
        'SELECT s.issue, s.issue_key, s.stance, s."date", s.article_id, s.idx, a.title, '
        'a.outlet, a.published, substr(a.text, s.start + 1, s."end" - s.start) AS sentence '
        "FROM actor_stances AS s JOIN articles AS a ON a.id = s.article_id "
        'WHERE s.canonical = ? ORDER BY s."date" DESC, s.article_id, s.idx LIMIT ?',
        [canonical, limit])
    total = reader.value("SELECT count(*) FROM actor_stances WHERE canonical = ?", [canonical])
    return {"rows": [dict(r) for r in rows], "total": int(total or 0)}


def _json_names(value: str | None) -> list[str]:
    if not value:
        return []
    try:
        names = json.loads(value)
    except ValueError:
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def quotes_listing_for(reader: Reader, column: str, name: str) -> dict[str, Any]:
    """The latest quotes whose `column` (speaker or affiliation) is `name`, with the total."""
    listing, _ = quotes_listing(reader, Params({column: name}), exact=True)
    if column == "affiliation":
        listing.filter("(q.speaker IS NULL OR q.speaker <> ?)", name)
    rows = [_quote_row(r) for r in listing.page(reader, ACTOR_QUOTES, 0)]
    return {"rows": rows, "total": listing.count(reader)}


# --- quotes ------------------------------------------------------------------------------------

QUOTE_KINDS = ("", "direct", "partial", "indirect", "refusal")

_QUOTE_COLUMNS = ["date", "speaker", "speaker_named", "affiliation", "kind", "cue", "medium",
                  "content", "article_id", "idx", "title", "outlet", "published", "date_source"]


def _quotes(source: str, keys: tuple[str, ...], order: str) -> Listing:
    return Listing(
        source=source, keys=keys, order=order,
        detail_columns=(
            "q.date, q.speaker, q.speaker_named, q.affiliation, q.kind, q.cue, q.medium, "
            "t.content, q.article_id, q.idx, a.title, a.outlet, a.published, q.date_source"),
        detail_from=(
            "spans_quotes AS q "
            "JOIN quote_texts AS t ON t.article_id = q.article_id AND t.idx = q.idx "
            "JOIN articles AS a ON a.id = q.article_id"),
        detail_keys=("q.article_id", "q.idx"),
        columns=_QUOTE_COLUMNS,
    )


def quotes_listing(
    reader: Reader, params: Params, *, exact: bool = False
) -> tuple[Listing, dict[str, Any]]:
    """The quote list query for `params`: speaker, affiliation (exact name or part of one),
    q (words in the quote), from/to (quote date), kind, named (1 named, 0 anonymous speakers).

    With `exact`, speaker and affiliation must match whole names.
    """
    speaker, affiliation, q = params.text("speaker"), params.text("affiliation"), params.text("q")
    since, until = params.date("from"), params.date("to")
    kind = params.choice("kind", QUOTE_KINDS, "")
    named = params.choice("named", ("", "0", "1"), "")
    needs_record = bool(speaker or affiliation or kind or named)
    if q:
        # Words first: the full-text index gives the matching quotes, sorted by the date
        # quote_texts carries, joined with the records only when they are filtered on.
        match = fts_match(reader, "quotes_fts", q)
        source = "FROM quotes_fts JOIN quote_texts AS t ON t.pk = quotes_fts.rowid"
        if needs_record:
            source += " JOIN spans_quotes AS q ON q.article_id = t.article_id AND q.idx = t.idx"
        listing = _quotes(source, ("t.article_id", "t.idx"), "t.date DESC, t.article_id, t.idx")
        listing.filter("quotes_fts MATCH ?", match)
        date_column = "t.date"
        if not (needs_record or since or until):
            listing.count_sql = ("SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH ?",
                                 [match])
    else:
        listing = _quotes("FROM spans_quotes AS q", ("q.article_id", "q.idx"),
                          "q.date DESC, q.article_id, q.idx")
        date_column = "q.date"
    if speaker:
        _name_filter(reader, listing, "q.speaker", speaker, exact,
                     "SELECT speaker FROM speaker_stats WHERE speaker LIKE ? ESCAPE '\\' "
                     "ORDER BY quotes DESC LIMIT ?")
    if affiliation:
        _name_filter(reader, listing, "q.affiliation", affiliation, exact,
                     "SELECT canonical FROM actor_stats WHERE canonical LIKE ? ESCAPE '\\' "
                     "ORDER BY mentions DESC LIMIT ?")
    if since:
        listing.filter(f"{date_column} >= ?", since)
    if until:
        listing.filter(f"{date_column} < ?", date_upper(until))
    if kind:
        listing.filter("q.kind = ?", kind)
    if named:
        listing.filter("q.speaker_named = ?", int(named))
    filters = {"speaker": speaker, "affiliation": affiliation, "q": q, "from": since,
               "to": until, "kind": kind, "named": named}
    return listing, filters


def _name_filter(reader: Reader, listing: Listing, column: str, value: str, exact: bool,
                 candidates_sql: str) -> None:
    """Filter `column` on a whole name, or on every known name containing `value`."""
    if exact:
        listing.filter(f"{column} = ?", value)
        return
    names = [r[0] for r in reader.all(candidates_sql, [like_pattern(value), NAME_MATCHES])]
    if value not in names:
        names.append(value)
    marks = ", ".join("?" for _ in names)
    listing.filter(f"{column} IN ({marks})", *names)


def _quote_row(r: sqlite3.Row) -> dict[str, Any]:
    item = {c: r[c] for c in _QUOTE_COLUMNS}
    item["speaker_named"] = bool(item["speaker_named"])
    return item


def quotes_view(reader: Reader, params: Params) -> dict[str, Any]:
    """Quotes, latest first, filtered by speaker, affiliation, words and date, one page."""
    listing, filters = quotes_listing(reader, params)
    page = params.page()
    rows = [_quote_row(r) for r in listing.page(reader, page.size, page.offset)]
    actors = known_actors(reader, {r["speaker"] for r in rows if r["speaker_named"]}
                          | {r["affiliation"] for r in rows})
    for r in rows:
        r["speaker_page"] = r["speaker"] in actors and r["speaker_named"]
        r["affiliation_page"] = r["affiliation"] in actors
    return {"filters": filters, "rows": rows,
            "pagination": page.info(listing.count(reader), len(rows))}


# --- places ------------------------------------------------------------------------------------

PLACE_SORTS = ("mentions", "articles", "name")
_PLACE_COLUMNS = ["place_key", "name", "country", "lat", "lon", "feature", "mentions", "articles"]


def places_listing(reader: Reader, params: Params) -> tuple[Listing, dict[str, Any]]:
    """The place list query for `params` (q: part of the name, country code, sort)."""
    q, country = params.text("q"), params.text("country").upper()
    sort = params.choice("sort", PLACE_SORTS, "mentions")
    order = {"mentions": "mentions DESC, place_key", "articles": "articles DESC, place_key",
             "name": "name, place_key"}[sort]
    listing = Listing(source="FROM place_stats", keys=("place_key",), order=order,
                      detail_columns=", ".join(_PLACE_COLUMNS), detail_from="place_stats",
                      detail_keys=("place_key",), columns=_PLACE_COLUMNS)
    if q:
        listing.filter("name LIKE ? ESCAPE '\\'", like_pattern(q))
    if country:
        listing.filter("country = ?", country)
    return listing, {"q": q, "country": country, "sort": sort}


def places_view(reader: Reader, params: Params) -> dict[str, Any]:
    """Resolved places with coordinates and counts, one page, and the most mentioned for a map."""
    listing, filters = places_listing(reader, params)
    page = params.page()
    rows = listing.rows(reader, page.size, page.offset)
    # The map shows the most mentioned places that pass the filters, whatever the list order.
    points = dataclasses.replace(listing, order="mentions DESC, place_key").rows(
        reader, MAP_POINTS, 0)
    return {"filters": filters, "rows": rows, "map_points": points,
            "pagination": page.info(listing.count(reader), len(rows))}


def place_view(reader: Reader, key: str, params: Params) -> dict[str, Any]:
    """One place: its coordinates and the articles that mention it, newest first."""
    stats = reader.one(f"SELECT {', '.join(_PLACE_COLUMNS)} FROM place_stats WHERE place_key = ?",
                       [key])
    if stats is None:
        raise NotFound(f"no place {key!r} in this store (places are keyed by gazetteer id, "
                       f"as listed on /places)")
    page = params.page()
    articles = mentioning_articles(
        reader, "SELECT article_id, mentions FROM place_articles WHERE place_key = ? "
        "ORDER BY published DESC, article_id LIMIT ? OFFSET ?",
        'SELECT start, "end" FROM spans_places WHERE article_id = ? '
        "AND coalesce(nullif(gazetteer_id, ''), name) = ? ORDER BY idx LIMIT 1", key, page)
    place = dict(stats)
    return {"place": place, "articles": articles,
            "pagination": page.info(place["articles"], len(articles))}


# --- exports -----------------------------------------------------------------------------------

LISTINGS = {
    "articles": articles_listing,
    "actors": actors_listing,
    "quotes": quotes_listing,
    "places": places_listing,
}
"""The lists exported whole as CSV at /<name>.csv (with the same filters as their pages)."""


def export_rows(reader: Reader, name: str, params: Params) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and rows of the whole list `name` filtered by `params`, for CSV export."""
    listing, _ = LISTINGS[name](reader, params)
    return listing.columns, listing.stream(reader)
