"""Syndicated copies in the store: the copy index rebuilt from stored fingerprints, and the
writes that record each article's fingerprint and its link to the canonical article."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tidings.corpus.copies import CopyIndex, CopyMatch, compare
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
    reused: float = 0.0
    """Share (0-1) of its cleaned text whose extraction was taken from `match.matched_id`
    instead of computed (1.0 for an exact copy, 0.0 when it was processed in full); stored in
    `copies.reused`."""
    bridged: bool = False
    """True when the article joined two or more copy groups into one (their links must move)."""


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
    """Record fingerprints and copy links of stored articles, in one transaction.

    When a group's canonical changes (a late article published earlier than every member, or
    one that bridges two groups), every stored member is linked to the new canonical: copy
    rows are relinked, a former canonical gets a copies row of its own (matched to the new
    canonical, kind and similarities from their fingerprints), and the canonical has none.
    """
    with store.transaction():
        for check in checks:
            fp = check.fingerprint
            store.execute(
                "INSERT OR REPLACE INTO fingerprints(article_id, version, exact, minhash, shingles) VALUES (?, ?, ?, ?, ?)",
                (check.article_id, FINGERPRINT_VERSION, fp.exact, fp.minhash, fp.shingles))
            if check.match is None:
                continue
            m = check.match
            canonical = index.canonical(check.article_id)
            if canonical != check.article_id:
                store.execute(
                    "INSERT OR REPLACE INTO copies(article_id, canonical_id, matched_id, kind, jaccard, containment, reused) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (check.article_id, canonical, m.matched_id, m.kind, m.jaccard, m.containment,
                     round(check.reused, 4)))
            if check.previous_canonical != canonical or check.bridged:
                _relink_group(store, index, canonical)


def _relink_group(store: Store, index: CopyIndex, canonical: str) -> None:
    """Link every stored member of `canonical`'s group to it (members still in flight get their
    row when they are written)."""
    members = [a for a in index.members(canonical) if a != canonical]
    store.execute("DELETE FROM copies WHERE article_id = ?", (canonical,))
    canonical_fp = _stored_fingerprint(store, canonical)
    for article_id in members:
        if store.execute("UPDATE copies SET canonical_id = ? WHERE article_id = ?",
                         (canonical, article_id)).rowcount:
            continue
        fp = _stored_fingerprint(store, article_id)
        if fp is None or canonical_fp is None:
            continue  # not stored yet: its own check writes its row
        kind, jaccard, contained = compare(fp, canonical_fp)
        # A former canonical joined through another member can be too unlike the new one to
        # be a copy of it on its own; it is then recorded as a near copy with the measures.
        store.execute(
            "INSERT OR REPLACE INTO copies(article_id, canonical_id, matched_id, kind, jaccard, containment, reused) "
            "VALUES (?, ?, ?, ?, ?, ?, 0)",
            (article_id, canonical, canonical, kind or "near", round(jaccard, 4), round(contained, 4)))


def _stored_fingerprint(store: Store, article_id: str) -> Fingerprint | None:
    row = store.execute("SELECT exact, minhash, shingles FROM fingerprints WHERE article_id = ? AND version = ?",
                        (article_id, FINGERPRINT_VERSION)).fetchone()
    return Fingerprint(row[0], bytes(row[1]), row[2]) if row else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
