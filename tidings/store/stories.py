"""Stories in the store: the archive the story index evicts to and reloads from, and the
writes that keep `stories`, `story_articles`, `story_features` and `story_merges` current."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable

from tidings.corpus.features import StoryFeatures, features_from_json, features_to_json
from tidings.doc import Doc
from tidings.corpus.stories import ArchivedStory, Member, StoryAssignment, StoryIndex, StorySummary
from tidings.store.store import Store

log = logging.getLogger(__name__)


def story_members(store: Store, story_id: str) -> tuple[list[Doc], dict[str, str]] | None:
    """The stored Docs of a story's articles and, for those that are syndicated copies, their
    canonical article ids; None when the story has no articles (`story_id` must be current)."""
    rows = store.execute("SELECT article_id FROM story_articles WHERE story_id = ?", (story_id,)).fetchall()
    if not rows:
        return None
    copy_of = dict(store.execute(
        "SELECT c.article_id, c.canonical_id FROM copies c JOIN story_articles s ON s.article_id = c.article_id "
        "WHERE s.story_id = ?", (story_id,)).fetchall())
    docs = [doc for (article_id,) in rows if (doc := store.get_doc(article_id)) is not None]
    return docs, copy_of


class StoreArchive:
    """A `StoryArchive` over the store's story tables (see tidings.corpus.stories)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def load(self, lo: dt.date, hi: dt.date) -> list[ArchivedStory]:
        rows = self.store.execute(
            "SELECT DISTINCT sa.story_id FROM story_articles sa JOIN story_features sf USING (article_id) "
            "WHERE sf.date_lo <= ? AND sf.date_hi >= ?", (hi.isoformat(), lo.isoformat())).fetchall()
        return [story for (story_id,) in rows if (story := self.get(story_id)) is not None]

    def find(self, article_id: str) -> str | None:
        row = self.store.execute("SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def get(self, story_id: str) -> ArchivedStory | None:
        founder = self.store.execute("SELECT founder FROM stories WHERE id = ?", (story_id,)).fetchone()
        rows = self.store.execute(
            "SELECT sa.article_id, sa.score, sa.copy_of, sf.features FROM story_articles sa "
            "JOIN story_features sf USING (article_id) WHERE sa.story_id = ?", (story_id,)).fetchall()
        if not rows:
            return None
        members = tuple(Member(a, features_from_json(json.loads(f)), score, copy_of) for a, score, copy_of, f in rows)
        return ArchivedStory(story_id, founder[0] if founder else min(m.article_id for m in members), members)

    def save(self, story: ArchivedStory, summary: StorySummary) -> None:
        write_summaries(self.store, [(story.founder, summary)])


def place_articles(store: Store, index: StoryIndex, placed: Iterable[tuple[str, StoryFeatures, str | None]]) -> list[StoryAssignment]:
    """Add articles `(id, features, copy_of)` to `index` and persist the result in one transaction."""
    assignments = []
    with store.transaction():
        for article_id, features, copy_of in placed:
            assignment = index.add(article_id, features, copy_of=copy_of)
            rng = features.date_range()
            store.execute(
                "INSERT OR REPLACE INTO story_features(article_id, features, date_lo, date_hi) VALUES (?, ?, ?, ?)",
                (article_id, json.dumps(features_to_json(features)),
                 rng[0].isoformat() if rng else None, rng[1].isoformat() if rng else None))
            store.execute(
                "INSERT OR REPLACE INTO story_articles(article_id, story_id, score, copy_of) VALUES (?, ?, ?, ?)",
                (article_id, assignment.story_id, assignment.score, assignment.copy_of))
            assignments.append(assignment)
        for merge in index.merges:
            store.execute("UPDATE story_articles SET story_id = ? WHERE story_id = ?", (merge.survivor, merge.absorbed))
            store.execute("DELETE FROM stories WHERE id = ?", (merge.absorbed,))
            store.execute("INSERT OR REPLACE INTO story_merges(absorbed_id, survivor_id, article_id) VALUES (?, ?, ?)",
                          (merge.absorbed, merge.survivor, merge.article_id))
        index.merges.clear()
        touched = {index.resolve(a.story_id) for a in assignments}
        write_summaries(store, [(index.stories[s].founder, index.summary(s)) for s in sorted(touched) if s in index.stories])
    return assignments


def write_summaries(store: Store, summaries: Iterable[tuple[str, StorySummary]]) -> None:
    """Upsert `stories` rows from `(founder article id, summary)` pairs."""
    for founder, s in summaries:
        store.execute(
            "INSERT OR REPLACE INTO stories(id, founder, label, actors, keywords, places, first_date, last_date, "
            "articles, outlets, copies) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (s.id, founder, s.label, json.dumps(list(s.actors)), json.dumps(list(s.keywords)),
             json.dumps(list(s.places)), s.first_date.isoformat() if s.first_date else None,
             s.last_date.isoformat() if s.last_date else None, s.articles, s.outlets, s.copies))
