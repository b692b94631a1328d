"""The story views: the list of stories and one story (articles, timeline, map, actors, board).

Like `tidings.web.views`, each view returns one JSON-able dict that the page and its JSON twin
both render; keys starting with `_` are HTML-only (the timeline's drawing positions).

Cost: the list and the story's articles, places and negotiation records are read through
indexes (`stories_last_date`, `story_articles_story`, the `spans` primary key). The timeline
comes from `tidings.api.story_timeline`: the incidents stored at ingest (through
`incident_reports`' indexes) and the key quotes from the story's Docs, which it loads (a few ms
per article, linear in the story's size). An incident page (`incident_view`) reads one incident
and the texts of its reports' articles, without loading a Doc.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from typing import Any

from tidings.web.db import Reader
from tidings.web.listing import Listing
from tidings.web.params import NotFound, Params
from tidings.web.views import LEDE_SQL, known_actors, like_pattern

log = logging.getLogger(__name__)

STORY_COLUMNS = ["id", "label", "first_date", "last_date", "articles", "outlets", "copies"]
"""The columns of the story list (and of its CSV export)."""

AXIS_WIDTH = 1000
"""Width of the timeline SVG's drawing, in SVG units (the page scales it to its column)."""

AXIS_MARGIN = 40
"""SVG units left free at either end of the axis so the first and last markers show whole."""

MAX_TICKS = 12
"""Most date labels on the axis at the widest zoom; the script keeps about as many when zoomed."""


# --- the list ----------------------------------------------------------------------------------


def stories_listing(reader: Reader, params: Params) -> tuple[Listing, dict[str, Any]]:
    """The story list, newest activity first (the `stories_last_date` index), stories without
    dates last; `q` keeps labels containing it."""
    q = params.text("q")
    listing = Listing(source="FROM stories", keys=("id",), order="last_date DESC, id",
                      detail_columns=", ".join(STORY_COLUMNS), detail_from="stories",
                      detail_keys=("id",), columns=list(STORY_COLUMNS))
    if q:
        listing.filter("label LIKE ? ESCAPE '\\'", like_pattern(q))
    return listing, {"q": q}


def stories_view(reader: Reader, params: Params) -> dict[str, Any]:
    """Stories, newest activity first, one page."""
    listing, filters = stories_listing(reader, params)
    page = params.page()
    rows = listing.rows(reader, page.size, page.offset)
    return {"filters": filters, "rows": rows,
            "pagination": page.info(listing.count(reader), len(rows))}


def export_rows(reader: Reader, params: Params) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and rows of the whole story list filtered by `params`, for CSV export."""
    listing, _ = stories_listing(reader, params)
    return listing.columns, listing.stream(reader)


# --- one story ---------------------------------------------------------------------------------


def _resolve(reader: Reader, story_id: str) -> str | None:
    """`story_id`, or the story that absorbed it when it was merged away; None when unknown."""
    seen: set[str] = set()
    while story_id not in seen:
        seen.add(story_id)
        if reader.one("SELECT 1 FROM stories WHERE id = ?", [story_id]) is not None:
            return story_id
        row = reader.one("SELECT survivor_id FROM story_merges WHERE absorbed_id = ?", [story_id])
        if row is None:
            return None
        story_id = row[0]
    return None


def story_view(reader: Reader, story_id: str) -> dict[str, Any]:
    """One story: summary, articles, timeline of incidents, places, actors, negotiation board."""
    resolved = _resolve(reader, story_id)
    if resolved is None:
        raise NotFound(f"no story with id {story_id!r} in this store (ids are listed on /stories)")
    row = reader.one(
        "SELECT id, label, actors, keywords, places, first_date, last_date, articles, outlets, "
        "copies FROM stories WHERE id = ?", [resolved])
    if row is None:  # deleted between the two reads
        raise NotFound(f"no story with id {story_id!r} in this store")
    story = {k: row[k] for k in ("id", "label", "first_date", "last_date", "articles",
                                 "outlets", "copies")}
    story["keywords"] = json.loads(row["keywords"] or "[]")
    story["place_names"] = json.loads(row["places"] or "[]")
    articles = [dict(r) for r in reader.all(
        f"SELECT a.id, a.title, {LEDE_SQL}, a.outlet, a.published, a.url, s.copy_of, s.score "
        f"FROM story_articles AS s CROSS JOIN articles AS a ON a.id = s.article_id "
        f"WHERE s.story_id = ? ORDER BY a.published, a.id", [resolved])]
    ids = [a["id"] for a in articles]
    names = json.loads(row["actors"] or "[]")
    pages = known_actors(reader, set(names))
    actors = [{"name": n, "page": n in pages} for n in names]
    timeline = story_timeline_json(reader, resolved)
    return {
        "story": story,
        "articles": articles,
        "actors": actors,
        "timeline": timeline,
        "places": story_places(reader, ids),
        "negotiation": negotiation_board(reader, ids),
        "_axis": timeline_axis(timeline["entries"]),
    }


def story_timeline_json(reader: Reader, story_id: str) -> dict[str, Any]:
    """The story's timeline as `timeline_to_json` gives it (entries in event-date order, each
    with its sources and quotes); no entries when the story has no events."""
    from tidings.api import story_timeline
    from tidings.corpus.timeline import timeline_to_json

    timeline = story_timeline(story_id, reader.path)
    if timeline is None:
        return {"story_id": story_id, "since": None, "until": None, "entries": []}
    return timeline_to_json(timeline)


def incident_view(reader: Reader, incident_id: str) -> dict[str, Any]:
    """One incident (an old id from before a rename or merge finds it): its timeline entry
    (date, actors, counts, conflicting values, one source per reporting article with its
    sentence and story), the stories reporting it, and the whole Incident record."""
    from tidings.api import incident as load_incident
    from tidings.corpus.incidents import incident_to_json
    from tidings.corpus.timeline import build_timeline, entry_to_json

    found = load_incident(incident_id, reader.path)
    if found is None:
        raise NotFound(f"no incident with id {incident_id!r} in this store "
                       f"(incident ids are in a story's timeline, /stories/ID.json)")
    ids = sorted({r.article_id for r in found.reports})
    marks = ", ".join("?" for _ in ids)
    texts = {r["id"]: r["text"] for r in reader.all(
        f"SELECT id, text FROM articles WHERE id IN ({marks})", ids)}
    stories = [dict(r) for r in reader.all(
        f"SELECT s.id, s.label, count(*) AS articles FROM story_articles AS sa "
        f"JOIN stories AS s ON s.id = sa.story_id WHERE sa.article_id IN ({marks}) "
        f"GROUP BY s.id ORDER BY s.first_date, s.id", ids)]
    (entry,) = build_timeline([found], {}, texts=texts).entries
    return {"id": found.id, "requested_id": incident_id, "entry": entry_to_json(entry),
            "stories": stories, "incident": incident_to_json(found)}


def story_places(reader: Reader, article_ids: list[str]) -> list[dict[str, Any]]:
    """The resolved places the story's articles mention, most mentioned first."""
    if not article_ids:
        return []
    marks = ", ".join("?" for _ in article_ids)
    rows = reader.all(
        f"SELECT coalesce(nullif(gazetteer_id, ''), name) AS place_key, min(name) AS name, "
        f"min(country) AS country, avg(lat) AS lat, avg(lon) AS lon, count(*) AS mentions, "
        f"count(DISTINCT article_id) AS articles FROM spans_places "
        f"WHERE article_id IN ({marks}) GROUP BY place_key "
        f"ORDER BY mentions DESC, place_key", article_ids)
    return [dict(r) for r in rows]


# --- negotiation board -------------------------------------------------------------------------


def negotiation_board(reader: Reader, article_ids: list[str]) -> dict[str, Any] | None:
    """Issues as rows, parties as columns: each cell the latest stance with its date and its
    history (every stance on that issue by that party, oldest first). None without records.

    A stance is dated by its own date when it has one, else by its article's publication date;
    ties go to the later article."""
    if not article_ids:
        return None
    marks = ", ".join("?" for _ in article_ids)
    rows = reader.all(
        f"SELECT s.article_id, a.published, a.outlet, s.data FROM spans AS s "
        f"JOIN articles AS a ON a.id = s.article_id "
        f"WHERE s.article_id IN ({marks}) AND s.grp = 'negotiation' ORDER BY s.article_id, s.idx",
        article_ids)
    if not rows:
        return None
    parties: list[str] = []
    issues: dict[str, dict[str, Any]] = {}
    for r in rows:
        record = json.loads(r["data"])
        for party in record.get("parties") or []:
            if party not in parties:
                parties.append(party)
        for issue in record.get("issues") or []:
            key = issue.get("key") or issue.get("label") or "?"
            row = issues.setdefault(key, {"key": key, "label": issue.get("label") or key,
                                          "history": {}})
            for stance in issue.get("stances") or []:
                party = stance.get("party") or "?"
                if party not in parties:
                    parties.append(party)
                row["history"].setdefault(party, []).append({
                    "stance": stance.get("stance"), "date": stance.get("date") or r["published"],
                    "dated_by": "stance" if stance.get("date") else "publication",
                    "article_id": r["article_id"], "published": r["published"],
                    "outlet": r["outlet"]})
    out = []
    for row in issues.values():
        cells = {}
        for party, history in row.pop("history").items():
            history.sort(key=lambda h: (h["date"] or "", h["published"] or "", h["article_id"]))
            cells[party] = {**history[-1], "history": history}
        out.append({**row, "cells": cells})
    used = [p for p in parties if any(p in row["cells"] for row in out)]
    return {"parties": used, "issues": out}


# --- the timeline axis -------------------------------------------------------------------------


def _day(entry: dict[str, Any]) -> dt.date | None:
    value = entry.get("day") or entry.get("date")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        try:
            return dt.date.fromisoformat(value[:7] + "-01")
        except ValueError:
            return None


def timeline_axis(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Where to draw each dated entry on the SVG axis, the date ticks, and the undated entries.

    `x` is proportional to the date between the first and last dated entry; `t` is the day
    number (days since 1970-01-01) the page's script re-positions from when zooming."""
    epoch = dt.date(1970, 1, 1)
    dated = [(i, d) for i, e in enumerate(entries) if (d := _day(e)) is not None]
    undated = [i for i, e in enumerate(entries) if _day(e) is None]
    if not dated:
        return {"points": [], "ticks": [], "undated": undated, "lo": 0, "hi": 0,
                "width": AXIS_WIDTH, "margin": AXIS_MARGIN}
    lo = min(d for _, d in dated) - dt.timedelta(days=1)
    hi = max(d for _, d in dated) + dt.timedelta(days=1)
    span = (hi - lo).days

    def x(day: dt.date) -> float:
        return round(AXIS_MARGIN + (day - lo).days / span * (AXIS_WIDTH - 2 * AXIS_MARGIN), 1)

    points = []
    lanes: dict[dt.date, int] = {}
    for i, d in dated:
        lane = lanes[d] = lanes.get(d, -1) + 1  # entries on the same day stack upwards
        points.append({"i": i, "x": x(d), "t": (d - epoch).days, "lane": lane,
                       "label": d.isoformat()})
    step = max(1, -(-span // MAX_TICKS))
    ticks = []
    day = lo
    while day <= hi:
        ticks.append({"x": x(day), "t": (day - epoch).days, "label": day.isoformat()})
        day += dt.timedelta(days=step)
    return {"points": points, "ticks": ticks, "undated": undated,
            "lo": (lo - epoch).days, "hi": (hi - epoch).days,
            "width": AXIS_WIDTH, "margin": AXIS_MARGIN,
            "lanes": max(lanes.values()) + 1}
