"""Summary tables and indexes that keep listings fast (the web UI's pages, the CLI's lists).

Nothing a page shows may need a scan of every span: with 100,000 articles stored each page must
answer in well under a second. These migrations keep small summary tables current with
triggers on the typed span tables of `0002_extracted_spans`, which `Store.upsert_docs` fills:

* `actor_stats` (one row per canonical actor: mentions, articles) and `actor_articles` (one row
  per actor and article, with the article's publication date) for the actor list and pages;
* `place_stats` / `place_articles`, the same for resolved places;
* `speaker_stats` (one row per quote speaker, named or anonymous) for the quote filters;
* `quote_texts` + `quotes_fts`: each quote's covered text with a full-text index over it;
* indexes for listings in date order.
* `actor_events` (one row per event and each actor or target it names) and `actor_stances`
  (one row per negotiation stance, by party) for an actor page's events and stances; these are
  `ACTOR_EVENTS_SQL`, applied by the store as migration `0010_actor_events` (see schema.py).

A re-processed article has its span rows deleted and inserted again by the store, and the
delete triggers keep every count exact. Each migration also backfills from rows already
stored, so it applies to a populated store.
"""

from __future__ import annotations

Migration = tuple[str, str]

_ACTORS = """
CREATE TABLE actor_stats (
    canonical TEXT PRIMARY KEY,     -- Entity.canonical
    kind TEXT NOT NULL,             -- the kind of its first stored mention
    code TEXT,
    mentions INTEGER NOT NULL DEFAULT 0,
    articles INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX actor_stats_mentions ON actor_stats(mentions DESC, canonical);
CREATE INDEX actor_stats_kind ON actor_stats(kind, mentions DESC, canonical);

CREATE TABLE actor_articles (
    canonical TEXT NOT NULL,
    article_id TEXT NOT NULL,
    published TEXT,                 -- copied from articles.published, for date-ordered pages
    mentions INTEGER NOT NULL,
    PRIMARY KEY (canonical, article_id)
) WITHOUT ROWID;
CREATE INDEX actor_articles_published ON actor_articles(canonical, published DESC, article_id);

INSERT INTO actor_stats (canonical, kind, code, mentions, articles)
SELECT canonical, min(kind), min(code), count(*), count(DISTINCT article_id)
FROM spans_entities GROUP BY canonical;

INSERT INTO actor_articles (canonical, article_id, published, mentions)
SELECT e.canonical, e.article_id, a.published, count(*)
FROM spans_entities AS e JOIN articles AS a ON a.id = e.article_id
GROUP BY e.canonical, e.article_id;

CREATE TRIGGER spans_entities_stats_insert AFTER INSERT ON spans_entities BEGIN
    INSERT INTO actor_stats (canonical, kind, code, mentions) VALUES (new.canonical, new.kind, new.code, 1)
        ON CONFLICT (canonical) DO UPDATE SET mentions = mentions + 1;
    INSERT INTO actor_articles (canonical, article_id, published, mentions)
        VALUES (new.canonical, new.article_id,
                (SELECT published FROM articles WHERE id = new.article_id), 1)
        ON CONFLICT (canonical, article_id) DO UPDATE SET mentions = mentions + 1;
END;
CREATE TRIGGER actor_articles_stats_insert AFTER INSERT ON actor_articles BEGIN
    UPDATE actor_stats SET articles = articles + 1 WHERE canonical = new.canonical;
END;
CREATE TRIGGER spans_entities_stats_delete AFTER DELETE ON spans_entities BEGIN
    UPDATE actor_articles SET mentions = mentions - 1
        WHERE canonical = old.canonical AND article_id = old.article_id;
    DELETE FROM actor_articles
        WHERE canonical = old.canonical AND article_id = old.article_id AND mentions <= 0;
    UPDATE actor_stats SET mentions = mentions - 1 WHERE canonical = old.canonical;
    DELETE FROM actor_stats WHERE canonical = old.canonical AND mentions <= 0;
END;
CREATE TRIGGER actor_articles_stats_delete AFTER DELETE ON actor_articles BEGIN
    UPDATE actor_stats SET articles = articles - 1 WHERE canonical = old.canonical;
END;
"""

# A place is keyed by its gazetteer id; a place without one by its name.
_PLACE_KEY_NEW = "coalesce(nullif(new.gazetteer_id, ''), new.name)"
_PLACE_KEY_OLD = "coalesce(nullif(old.gazetteer_id, ''), old.name)"

_PLACES = f"""
CREATE TABLE place_stats (
    place_key TEXT PRIMARY KEY,     -- Place.gazetteer_id, or Place.name when that is empty
    name TEXT NOT NULL,
    country TEXT,
    lat REAL,
    lon REAL,
    feature TEXT,
    mentions INTEGER NOT NULL DEFAULT 0,
    articles INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX place_stats_mentions ON place_stats(mentions DESC, place_key);

CREATE TABLE place_articles (
    place_key TEXT NOT NULL,
    article_id TEXT NOT NULL,
    published TEXT,
    mentions INTEGER NOT NULL,
    PRIMARY KEY (place_key, article_id)
) WITHOUT ROWID;
CREATE INDEX place_articles_published ON place_articles(place_key, published DESC, article_id);

INSERT INTO place_stats (place_key, name, country, lat, lon, feature, mentions, articles)
SELECT coalesce(nullif(gazetteer_id, ''), name), min(name), min(country), min(lat), min(lon),
       min(feature), count(*), count(DISTINCT article_id)
FROM spans_places GROUP BY coalesce(nullif(gazetteer_id, ''), name);

INSERT INTO place_articles (place_key, article_id, published, mentions)
SELECT coalesce(nullif(p.gazetteer_id, ''), p.name), p.article_id, a.published, count(*)
FROM spans_places AS p JOIN articles AS a ON a.id = p.article_id
GROUP BY coalesce(nullif(p.gazetteer_id, ''), p.name), p.article_id;

CREATE TRIGGER spans_places_stats_insert AFTER INSERT ON spans_places BEGIN
    INSERT INTO place_stats (place_key, name, country, lat, lon, feature, mentions)
        VALUES ({_PLACE_KEY_NEW}, new.name, new.country, new.lat, new.lon, new.feature, 1)
        ON CONFLICT (place_key) DO UPDATE SET mentions = mentions + 1;
    INSERT INTO place_articles (place_key, article_id, published, mentions)
        VALUES ({_PLACE_KEY_NEW}, new.article_id,
                (SELECT published FROM articles WHERE id = new.article_id), 1)
        ON CONFLICT (place_key, article_id) DO UPDATE SET mentions = mentions + 1;
END;
CREATE TRIGGER place_articles_stats_insert AFTER INSERT ON place_articles BEGIN
    UPDATE place_stats SET articles = articles + 1 WHERE place_key = new.place_key;
END;
CREATE TRIGGER spans_places_stats_delete AFTER DELETE ON spans_places BEGIN
    UPDATE place_articles SET mentions = mentions - 1
        WHERE place_key = {_PLACE_KEY_OLD} AND article_id = old.article_id;
    DELETE FROM place_articles
        WHERE place_key = {_PLACE_KEY_OLD} AND article_id = old.article_id AND mentions <= 0;
    UPDATE place_stats SET mentions = mentions - 1 WHERE place_key = {_PLACE_KEY_OLD};
    DELETE FROM place_stats WHERE place_key = {_PLACE_KEY_OLD} AND mentions <= 0;
END;
CREATE TRIGGER place_articles_stats_delete AFTER DELETE ON place_articles BEGIN
    UPDATE place_stats SET articles = articles - 1 WHERE place_key = old.place_key;
END;
"""

_QUOTES = """
CREATE TABLE speaker_stats (
    speaker TEXT PRIMARY KEY,       -- Quote.speaker: a canonical name or an anonymous description
    named INTEGER NOT NULL,         -- Quote.speaker_named of its first stored quote
    quotes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX speaker_stats_quotes ON speaker_stats(quotes DESC, speaker);

-- The covered text of each quote (records never store their text; the store has it only in
-- articles.text), so that quotes can be listed and searched without reading whole articles.
-- `date` is copied from spans_quotes so that a text search sorts its matches by date from
-- this table alone (one lookup per match instead of two: 5x faster for a common word).
CREATE TABLE quote_texts (
    pk INTEGER PRIMARY KEY,         -- explicit, so quotes_fts rowids survive VACUUM
    article_id TEXT NOT NULL,
    idx INTEGER NOT NULL,           -- spans_quotes.idx
    "date" TEXT,                    -- spans_quotes.date
    content TEXT NOT NULL,
    UNIQUE (article_id, idx)
);
CREATE VIRTUAL TABLE quotes_fts USING fts5(content, content='quote_texts', content_rowid='pk');
CREATE TRIGGER quote_texts_fts_insert AFTER INSERT ON quote_texts BEGIN
    INSERT INTO quotes_fts (rowid, content) VALUES (new.pk, new.content);
END;
CREATE TRIGGER quote_texts_fts_delete AFTER DELETE ON quote_texts BEGIN
    INSERT INTO quotes_fts (quotes_fts, rowid, content) VALUES ('delete', old.pk, old.content);
END;

CREATE INDEX spans_quotes_date ON spans_quotes("date");
CREATE INDEX spans_quotes_speaker_date ON spans_quotes("speaker", "date");
CREATE INDEX spans_quotes_affiliation_date ON spans_quotes("affiliation", "date");

INSERT INTO speaker_stats (speaker, named, quotes)
SELECT speaker, max(coalesce(speaker_named, 0)), count(*)
FROM spans_quotes WHERE speaker IS NOT NULL GROUP BY speaker;

-- SQLite's substr counts characters (code points), as Python offsets do.
INSERT INTO quote_texts (article_id, idx, "date", content)
SELECT q.article_id, q.idx, q."date", substr(a.text, q.start + 1, q."end" - q.start)
FROM spans_quotes AS q JOIN articles AS a ON a.id = q.article_id;

CREATE TRIGGER spans_quotes_stats_insert AFTER INSERT ON spans_quotes BEGIN
    INSERT INTO speaker_stats (speaker, named, quotes)
        SELECT new.speaker, coalesce(new.speaker_named, 0), 1 WHERE new.speaker IS NOT NULL
        ON CONFLICT (speaker) DO UPDATE SET quotes = quotes + 1;
    INSERT INTO quote_texts (article_id, idx, "date", content)
        VALUES (new.article_id, new.idx, new."date",
                substr((SELECT text FROM articles WHERE id = new.article_id),
                       new.start + 1, new."end" - new.start));
END;
CREATE TRIGGER spans_quotes_stats_delete AFTER DELETE ON spans_quotes BEGIN
    UPDATE speaker_stats SET quotes = quotes - 1 WHERE speaker = old.speaker;
    DELETE FROM speaker_stats WHERE speaker = old.speaker AND quotes <= 0;
    DELETE FROM quote_texts WHERE article_id = old.article_id AND idx = old.idx;
END;
"""

_LISTINGS = """
-- Newest first with undated last is `ORDER BY published DESC, pk DESC` (NULLs sort last
-- descending); this index serves it, and its pages, without sorting 100,000 rows.
CREATE INDEX articles_published_pk ON articles(published, pk);
"""

# An actor's events (as actor or target) and its negotiation stances, one row each, so an
# actor page lists them by date from an index instead of reading every event's JSON lists.
ACTOR_EVENTS_SQL = """
CREATE TABLE actor_events (
    canonical TEXT NOT NULL,        -- a name from Event.actors or Event.targets
    role TEXT NOT NULL,             -- 'actor' or 'target'
    article_id TEXT NOT NULL,
    idx INTEGER NOT NULL,           -- spans_events.idx
    "date" TEXT,                    -- spans_events.date
    type TEXT NOT NULL              -- spans_events.type
);
CREATE INDEX actor_events_date ON actor_events(canonical, "date" DESC, article_id, idx);
CREATE INDEX actor_events_article ON actor_events(article_id, idx);

CREATE TABLE actor_stances (
    canonical TEXT NOT NULL,        -- Stance.party
    article_id TEXT NOT NULL,
    idx INTEGER NOT NULL,           -- spans.idx of the negotiation record
    issue TEXT NOT NULL,            -- Issue.label
    issue_key TEXT NOT NULL,        -- Issue.key
    stance TEXT NOT NULL,           -- Stance.stance
    "date" TEXT,                    -- Stance.date
    start INTEGER,                  -- Stance.start/end: the evidence sentence in articles.text
    "end" INTEGER
);
CREATE INDEX actor_stances_date ON actor_stances(canonical, "date" DESC, article_id, idx);
CREATE INDEX actor_stances_article ON actor_stances(article_id, idx);

INSERT INTO actor_events (canonical, role, article_id, idx, "date", type)
SELECT DISTINCT j.value, 'actor', e.article_id, e.idx, e."date", e.type
FROM spans_events AS e, json_each(e.actors) AS j WHERE j.value IS NOT NULL;
INSERT INTO actor_events (canonical, role, article_id, idx, "date", type)
SELECT DISTINCT j.value, 'target', e.article_id, e.idx, e."date", e.type
FROM spans_events AS e, json_each(e.targets) AS j WHERE j.value IS NOT NULL;

INSERT INTO actor_stances (canonical, article_id, idx, issue, issue_key, stance, "date", start, "end")
SELECT json_extract(s.value, '$.party'), n.article_id, n.idx, json_extract(i.value, '$.label'),
       json_extract(i.value, '$.key'), json_extract(s.value, '$.stance'),
       json_extract(s.value, '$.date'), json_extract(s.value, '$.start'),
       json_extract(s.value, '$.end')
FROM spans AS n, json_each(n.data, '$.issues') AS i, json_each(i.value, '$.stances') AS s
WHERE n.grp = 'negotiation' AND json_extract(s.value, '$.party') IS NOT NULL;

CREATE TRIGGER spans_events_actor_insert AFTER INSERT ON spans_events BEGIN
    INSERT INTO actor_events (canonical, role, article_id, idx, "date", type)
        SELECT DISTINCT j.value, 'actor', new.article_id, new.idx, new."date", new.type
        FROM json_each(coalesce(new.actors, '[]')) AS j WHERE j.value IS NOT NULL;
    INSERT INTO actor_events (canonical, role, article_id, idx, "date", type)
        SELECT DISTINCT j.value, 'target', new.article_id, new.idx, new."date", new.type
        FROM json_each(coalesce(new.targets, '[]')) AS j WHERE j.value IS NOT NULL;
END;
CREATE TRIGGER spans_events_actor_delete AFTER DELETE ON spans_events BEGIN
    DELETE FROM actor_events WHERE article_id = old.article_id AND idx = old.idx;
END;
CREATE TRIGGER spans_negotiation_stances_insert AFTER INSERT ON spans
WHEN new.grp = 'negotiation' BEGIN
    INSERT INTO actor_stances (canonical, article_id, idx, issue, issue_key, stance, "date", start, "end")
        SELECT json_extract(s.value, '$.party'), new.article_id, new.idx,
               json_extract(i.value, '$.label'), json_extract(i.value, '$.key'),
               json_extract(s.value, '$.stance'), json_extract(s.value, '$.date'),
               json_extract(s.value, '$.start'), json_extract(s.value, '$.end')
        FROM json_each(new.data, '$.issues') AS i, json_each(i.value, '$.stances') AS s
        WHERE json_extract(s.value, '$.party') IS NOT NULL;
END;
CREATE TRIGGER spans_negotiation_stances_delete AFTER DELETE ON spans
WHEN old.grp = 'negotiation' BEGIN
    DELETE FROM actor_stances WHERE article_id = old.article_id AND idx = old.idx;
END;
"""

SUMMARY_MIGRATIONS: list[Migration] = [
    ("0005_web_actor_stats", _ACTORS),
    ("0006_web_place_stats", _PLACES),
    ("0007_web_quote_index", _QUOTES),
    ("0008_web_listing_index", _LISTINGS),
]
"""What the web UI needs on top of the store's own migrations, oldest first (append only)."""
