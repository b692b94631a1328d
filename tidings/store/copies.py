"""Syndicated copies in the store: the copy index rebuilt from stored fingerprints, and the
writes that record each article's fingerprint and its link to the canonical article."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tidings.corpus.copies import CopyIndex, CopyMatch
from tidings.corpus.fingerprint import FINGERPRINT_VERSION, Fingerprint
from tidings.store.store import Store


@dataclass(frozen=True, slots=True)
class CopyCheck:
    """What the writer learnt about one new article before processing it."""

    article_id: str
    """The article."""
    fingerprint: Fingerprint
    """Its fingerprint (of the cleaned text)."""
    match: CopyMatch | None
    """The copy group it joined, if any."""
    previous_canonical: str | None = None
    """The canonical of that group before this article joined (it changes when the article was
    published earlier than every member)."""
    reused: bool = False
    """True when its extraction was copied from `match.matched_id` instead of computed."""


def load_copy_index(store: Store) -> CopyIndex:
    """The copy index of everything stored, in ingest order (fingerprints of another version are
    left out: they would not compare)."""
    rows = store.execute(
        "SELECT f.article_id, f.exact, f.minhash, f.shingles, a.published FROM fingerprints f "
        "JOIN articles a ON a.id = f.article_id WHERE f.version = ? ORDER BY a.pk", (FINGERPRINT_VERSION,))
    return CopyIndex.from_fingerprints(
        (article_id, Fingerprint(exact, bytes(minhash), shingles), _date(published))
        for article_id, exact, minhash, shingles, published in rows)


def write_copies(store: Store, index: CopyIndex, checks: list[CopyCheck]) -> None:
    """Record fingerprints and copy links of stored articles, in one transaction. When a new
    article becomes its group's canonical, the group's links are moved to it."""
    with store.transaction():
        for check in checks:
            fp = check.fingerprint
            store.execute(
                "INSERT OR REPLACE INTO fingerprints(article_id, version, exact, minhash, shingles) VALUES (?, ?, ?, ?, ?)",
                (check.article_id, FINGERPRINT_VERSION, fp.exact, fp.minhash, fp.shingles))
            if check.match is None:
                continue
            m = check.match
            store.execute(
                "INSERT OR REPLACE INTO copies(article_id, canonical_id, matched_id, kind, jaccard, containment, reused) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (check.article_id, index.canonical(check.article_id), m.matched_id, m.kind, m.jaccard,
                 m.containment, int(check.reused)))
            canonical = index.canonical(check.article_id)
            if check.previous_canonical and check.previous_canonical != canonical:
                # The newcomer is now the group's earliest article: relink the whole group to it.
                store.execute("UPDATE copies SET canonical_id = ? WHERE canonical_id = ?",
                              (canonical, check.previous_canonical))
                store.execute("DELETE FROM copies WHERE article_id = ?", (canonical,))


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
