"""The copy index: which stored article is a newly arrived article a syndicated copy of?

Used by the ingest writer (one process) before the expensive extraction:

    match = index.find(fp)                   # None, or the copy group it joins
    index.add(article_id, fp, published)
    canonical = index.canonical(article_id)  # link every member of index.members(article_id)
                                             # to it: adding can move a group's canonical

How a copy is found and decided:

1. Candidates come from locality-sensitive hashing over the MinHash signature: the signature
   is cut into LSH_BANDS bands of LSH_ROWS values, and two articles that agree on a whole band
   are candidates. With 64 bands of 2 rows an article is a candidate of a text sharing 25% of
   its shingles with probability 0.98 (1 - (1 - J^2)^64), so a copy trimmed to a quarter of
   its original is found; one trimmed to a tenth only about half the time.
2. Each candidate is verified from the two fingerprints: estimated Jaccard similarity J and
   containment (the share of the smaller text's shingles that lie in the larger one).
   The pair is a copy when the normalised texts are equal ("exact") or when the smaller text
   lies inside the larger one (containment >= COPY_CONTAINMENT). Its kind then follows from
   the sizes: "trimmed" when the new article has at least MIN_EXTRA_SHINGLES shingles fewer,
   "extended" when it has that many more (it adds paragraphs), "near" otherwise (a changed
   headline, byline, dateline or a few words). Anything else is not a copy.
3. Copy groups are the connected components of that relation: an article matching two groups
   merges them. The canonical article of a group is its earliest published member (unknown
   dates count as latest), then the first seen; every member links to it, never to another copy.

Order of insertion: which pairs are copies does not depend on it (candidates and verification
are symmetric and deterministic), so neither do the groups, as long as no bucket of the LSH
tables overflows MAX_BUCKET_SCAN (then only the most recent members of that bucket are
checked; in practice they are all in one group already). The canonical can depend on the order
only among members with the same publication date (or none): first seen wins.

Memory: signatures (NUM_PERM * 4 bytes) and band keys (LSH_BANDS * 8 bytes) live in numpy
arrays; recent band keys sit in a small dict that is merged into sorted arrays every
FRESH_LIMIT articles. About 1.2 KB per article in all (bench/copy_bench.py measures it).

`diff_paragraphs` finds what a copy adds to its canonical text, so only that is extracted
afresh; `verbatim_pieces` says which parts of the copy can reuse the canonical's spans.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from tidings.clean.patterns import load_abbreviations
from tidings.clean.repeats import split_sentences
from tidings.corpus.fingerprint import (
    EMPTY_HASH,
    FINGERPRINT_VERSION,
    NUM_PERM,
    Fingerprint,
    containment_from,
    normalise,
)

log = logging.getLogger(__name__)

CopyKind = Literal["exact", "near", "trimmed", "extended"]
"""How a copy relates to the article it matched (see the module docstring)."""

LSH_BANDS = 64
LSH_ROWS = 2
# Unit: bands x rows of the MinHash signature (LSH_BANDS * LSH_ROWS == NUM_PERM). Gates which
# pairs are verified at all: a pair with Jaccard J is a candidate with probability
# 1 - (1 - J^LSH_ROWS)^LSH_BANDS: 0.98 at J=0.25, 0.77 at J=0.15, 0.47 at J=0.1, 0.006 at
# J=0.01. Chosen so a trimmed copy a quarter the length of its original (J ~ 0.25) is still
# found; the dev set's most trimmed copy has J 0.45, the held-out set's 0.2. Shorter copies
# are missed more often: in bench/copy_bench.py's 100k corpus, recall of injected copy pairs
# is 0.997, and the misses are copies of 10-30 words cut from texts ten times longer.

COPY_CONTAINMENT = 0.6
# Unit: estimated share of the smaller text's body shingles found in the larger one. Gates
# whether a pair is a copy at all. Calibrated on tests/fixtures/copies/dev (SHINGLE_WORDS=4):
# the least contained labelled copy pair (a trimmed copy vs a light-edited one) measures 0.85
# (0.90 on the exact shingle sets), the most contained non-copy 0.37 (two briefs of one
# outlet sharing a prose footer that cleaning leaves; two reports sharing a 60-word quote:
# 0.35 exact). 0.6 sits in the middle of that gap, allowing for the MinHash error (~0.04).

MIN_EXTRA_SHINGLES = 10
# Unit: distinct body shingles (about one per word). Gates the kind of a copy, not whether it
# is one: a copy with at least this many shingles more than the article it matched is
# "extended", this many fewer "trimmed", otherwise "near". Calibrated on
# tests/fixtures/copies/dev: light edits (changed words, spelling, a dateline) move the count
# by 0-4; the smallest addition there (an introductory paragraph) by 26, the smallest cut 31.
# A ten-word dateline or credit line ending in a full stop would still count as "near".

MIN_COPY_SHINGLES = 8
# Unit: distinct body shingles of the smaller text. Gates near/trimmed/extended matches: a
# text with fewer shingles (under about a dozen words of prose) can only be an exact copy,
# since a one-line brief is "contained" in every longer report that repeats its phrasing.

MAX_CANDIDATES = 256
# Unit: candidate articles verified per lookup, those sharing the most bands first. Bounds the
# cost of a lookup when many stored articles share template text; a real copy shares most of
# its bands and is never cut. Not reached on the dev set or examples; reached in the generated
# benchmark corpus, whose articles are built from a handful of templates.

MAX_BUCKET_SCAN = 64
# Unit: stored articles read from one LSH bucket per lookup (the most recent ones). Bounds the
# cost of a band value shared by thousands of articles (a boilerplate sentence, a text copied
# a thousand times); see the module docstring for what it costs in order independence.

FRESH_LIMIT = 4096
# Unit: articles whose band keys are kept in a dict before being merged into the sorted
# arrays. Trades memory (a dict entry costs ~100 bytes, a sorted entry 8) against merge work
# (each merge is linear in the index size, so their total grows with the square of it).
# Measured with bench/copy_bench.py: at 100k articles merges are ~15% of index time
# (~0.04 ms per article); the dict holds at most FRESH_LIMIT * LSH_BANDS entries (~26 MB).

NO_DATE = 2**31 - 1
"""Date ordinal standing for an unknown publication date: later than any real date."""

_KIND_NAMES: tuple[CopyKind | None, ...] = (None, "exact", "near", "trimmed", "extended")
_KIND_RANK = np.array([0, 4, 3, 2, 2])  # preference when several stored articles match
_MAGIC = b"TDCI"
_FORMAT = 1
_HEADER = struct.Struct("<4sHHHHHQ")  # magic, format, fingerprint version, perms, bands, rows, n
_BAND_SALT = (np.arange(LSH_BANDS, dtype=np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_EMPTY_SIGNATURE = np.full(NUM_PERM, EMPTY_HASH, dtype=np.uint32)
_NONE = 0
_EXACT = 1
_NEAR = 2
_TRIMMED = 3
_EXTENDED = 4

assert LSH_BANDS * LSH_ROWS == NUM_PERM, "the bands must cover the signature exactly"


@dataclass(frozen=True, slots=True)
class CopyMatch:
    """A stored copy group that a new article belongs to."""

    canonical_id: str
    """The group's canonical article (earliest published, then first seen) at lookup time."""
    kind: CopyKind
    """How the new article relates to `matched_id`: exact, near, trimmed or extended."""
    jaccard: float
    """Estimated Jaccard similarity of the body shingles of the new article and `matched_id`."""
    containment: float
    """Estimated share of the smaller text's shingles that lie in the larger one."""
    matched_id: str
    """The stored article the new one is most similar to (the canonical or another copy): the
    one whose extraction to reuse and whose text to diff against."""


# --- pairwise decision ---------------------------------------------------------------------


def _classify(
    j: np.ndarray, size_new: int, sizes: np.ndarray, same_text: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Kind codes and containment of a new article (size `size_new`) against stored ones."""
    smaller = np.minimum(sizes, size_new)
    contained = containment_from(j, smaller, np.maximum(sizes, size_new))
    copy = (smaller >= MIN_COPY_SHINGLES) & (contained >= COPY_CONTAINMENT)
    extra = size_new - sizes.astype(np.int64)
    codes = np.full(j.shape, _NONE, dtype=np.int8)
    codes[copy] = _NEAR
    codes[copy & (extra <= -MIN_EXTRA_SHINGLES)] = _TRIMMED
    codes[copy & (extra >= MIN_EXTRA_SHINGLES)] = _EXTENDED
    codes[same_text] = _EXACT
    contained = np.where(same_text, 1.0, contained)
    return codes, contained


def compare(new: Fingerprint, other: Fingerprint) -> tuple[CopyKind | None, float, float]:
    """Decide whether `new` is a copy of `other`: (kind or None, Jaccard, containment).

    The kind is seen from `new`: "trimmed" when `new` is a shorter part of `other`,
    "extended" when `other` lies inside the longer `new`. Whether the pair is a copy at all is
    symmetric: compare(a, b) and compare(b, a) are both None or both not None.
    """
    if new.same_text(other):
        return "exact", 1.0, 1.0
    if new.empty or other.empty:
        return None, 0.0, 0.0
    j = float(np.count_nonzero(new.signature() == other.signature())) / NUM_PERM
    codes, contained = _classify(
        np.array([j]), new.shingles, np.array([other.shingles]), np.array([False])
    )
    return _KIND_NAMES[int(codes[0])], j, float(contained[0])


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """LSH keys (uint32, one per band) of one signature (shape (NUM_PERM,)) or of many
    (shape (n, NUM_PERM)); two signatures equal on a band always get the same key there."""
    values = np.asarray(signatures, dtype=np.uint64).reshape(*signatures.shape[:-1], LSH_BANDS, LSH_ROWS)
    h = np.broadcast_to(_BAND_SALT, values.shape[:-1]).copy()
    for row in range(LSH_ROWS):
        h = (h ^ values[..., row]) * _MIX
        h ^= h >> np.uint64(31)
    return (h >> np.uint64(32)).astype(np.uint32)


def _exact64(fp: Fingerprint) -> int:
    return int(fp.exact[:16], 16)


# --- the index --------------------------------------------------------------------------------


class CopyIndex:
    """Fingerprints of stored articles, searchable for copies, with their copy groups."""

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._pos: dict[str, int] = {}
        self._sigs = np.empty((0, NUM_PERM), dtype=np.uint32)
        self._sizes = np.empty(0, dtype=np.int32)
        self._exact = np.empty(0, dtype=np.uint64)
        self._dates = np.empty(0, dtype=np.int32)
        self._canon = np.empty(0, dtype=np.int32)
        self._members: dict[int, list[int]] = {}
        """Canonical position -> member positions, for groups of two or more only."""
        self._keys = np.empty(0, dtype=np.uint32)
        self._owners = np.empty(0, dtype=np.int32)
        self._fresh: dict[int, int] = {}
        """Band key -> latest owner, for keys added since the last merge."""
        self._fresh_more: dict[int, list[int]] = {}
        """Band key -> every owner (oldest first), for fresh keys with two owners or more."""
        self._fresh_articles = 0
        self._empties: dict[int, int] = {}
        """Exact hash -> first position, for texts with no body shingles."""
        self._last: tuple[Fingerprint, np.ndarray, list[tuple[int, int, float, float]]] | None = None
        """The last lookup (fingerprint, band keys, matches), reused by `add` after `find`."""

    # --- public API ---

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._pos

    def find(self, fp: Fingerprint) -> CopyMatch | None:
        """The copy group `fp` belongs to, with how it relates to its most similar member;
        None when it is a copy of nothing stored."""
        matches = self._lookup(fp)
        if not matches:
            return None
        pos, code, j, contained = max(
            matches, key=lambda m: (_KIND_RANK[m[1]], m[2], self._canon[m[0]] == m[0], -m[0])
        )
        kind = _KIND_NAMES[code]
        assert kind is not None
        return CopyMatch(
            canonical_id=self._ids[int(self._canon[pos])],
            kind=kind,
            jaccard=round(j, 4),
            containment=round(contained, 4),
            matched_id=self._ids[pos],
        )

    def add(self, article_id: str, fp: Fingerprint, published: dt.date | None) -> None:
        """Store an article's fingerprint and join it to the copy groups it matches.

        Adding an id that is already stored does nothing (ingest is idempotent). Afterwards
        `canonical(article_id)` may be the new article itself (it was published earlier than
        the group it joined) and groups it bridges are merged, so the writer should relink
        every member of `members(article_id)` to `canonical(article_id)`.
        """
        if article_id in self._pos:
            log.debug("copy index: %s already stored; not added again", article_id)
            return
        if "\n" in article_id:
            raise ValueError(f"article id {article_id!r} contains a line break")
        matches = self._lookup(fp)
        assert self._last is not None
        keys = self._last[1]
        pos = len(self._ids)
        self._append(article_id, fp, published)
        if fp.empty:
            self._empties.setdefault(_exact64(fp), pos)
        else:
            self._insert_keys(pos, keys)
        if matches:
            self._join(pos, {int(self._canon[m[0]]) for m in matches})

    def canonical(self, article_id: str) -> str:
        """The canonical article of `article_id`'s copy group (itself when it is alone).
        Raises KeyError for an id not stored."""
        return self._ids[int(self._canon[self._pos[article_id]])]

    def members(self, article_id: str) -> tuple[str, ...]:
        """Every article of `article_id`'s copy group, canonical first, then by publication
        date and first seen. Raises KeyError for an id not stored."""
        root = int(self._canon[self._pos[article_id]])
        return tuple(self._ids[p] for p in self._members.get(root, [root]))

    def group_size(self, article_id: str) -> int:
        """How many articles `article_id`'s copy group holds (1 when it is alone), without
        listing them. Raises KeyError for an id not stored."""
        return len(self._members.get(int(self._canon[self._pos[article_id]]), (0,)))

    def groups(self) -> list[tuple[str, ...]]:
        """Every copy group of two or more articles, each as `members()` orders it."""
        return [tuple(self._ids[p] for p in ms) for _, ms in sorted(self._members.items())]

    def nbytes(self) -> int:
        """Approximate memory held by the index, in bytes (arrays exactly, Python objects
        estimated), for benchmarks."""
        arrays = sum(a.nbytes for a in (self._sigs, self._sizes, self._exact, self._dates,
                                        self._canon, self._keys, self._owners))
        ids = sum(49 + len(i) for i in self._ids) + 8 * len(self._ids) + 104 * len(self._pos)
        fresh = 100 * len(self._fresh) + sum(100 + 8 * len(v) for v in self._fresh_more.values())
        groups = sum(100 + 8 * len(v) for v in self._members.values())
        return int(arrays + ids + fresh + groups + 100 * len(self._empties))

    # --- serialisation ---

    def to_bytes(self) -> bytes:
        """The whole index (fingerprints, dates, groups) as bytes; `from_bytes` restores it."""
        n = len(self._ids)
        header = _HEADER.pack(_MAGIC, _FORMAT, FINGERPRINT_VERSION, NUM_PERM, LSH_BANDS, LSH_ROWS, n)
        parts = [
            header,
            self._sigs[:n].astype("<u4").tobytes(),
            self._sizes[:n].astype("<i4").tobytes(),
            self._exact[:n].astype("<u8").tobytes(),
            self._dates[:n].astype("<i4").tobytes(),
            self._canon[:n].astype("<i4").tobytes(),
            "\n".join(self._ids).encode("utf-8"),
        ]
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> CopyIndex:
        """Restore an index written by `to_bytes`. Raises ValueError for data of another
        format or fingerprint version (rebuild it with `from_fingerprints` then)."""
        if len(data) < _HEADER.size:
            raise ValueError("copy index data is truncated")
        magic, fmt, version, perms, bands, rows, n = _HEADER.unpack_from(data)
        if magic != _MAGIC or fmt != _FORMAT:
            raise ValueError("not a tidings copy index (bad magic or format)")
        if (version, perms, bands, rows) != (FINGERPRINT_VERSION, NUM_PERM, LSH_BANDS, LSH_ROWS):
            raise ValueError(
                f"copy index made with fingerprint version {version}, {perms} permutations, "
                f"{bands}x{rows} bands; this tidings uses {FINGERPRINT_VERSION}, {NUM_PERM}, "
                f"{LSH_BANDS}x{LSH_ROWS}: rebuild it from the articles' texts"
            )
        offset = _HEADER.size

        def take(dtype: str, count: int) -> np.ndarray:
            nonlocal offset
            array = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
            offset += array.nbytes
            return array

        index = cls()
        index._sigs = take("<u4", n * NUM_PERM).reshape(n, NUM_PERM).astype(np.uint32)
        index._sizes = take("<i4", n).astype(np.int32)
        index._exact = take("<u8", n).astype(np.uint64)
        index._dates = take("<i4", n).astype(np.int32)
        index._canon = take("<i4", n).astype(np.int32)
        index._ids = data[offset:].decode("utf-8").split("\n") if n else []
        if len(index._ids) != n:
            raise ValueError(f"copy index data holds {len(index._ids)} ids for {n} articles")
        index._pos = {article_id: p for p, article_id in enumerate(index._ids)}
        for p in np.flatnonzero(index._canon != np.arange(n)).tolist():
            index._members.setdefault(int(index._canon[p]), [int(index._canon[p])]).append(p)
        for root, ms in index._members.items():
            ms.sort(key=index._order_key)
        empty = index._sizes == 0
        for p in np.flatnonzero(empty).tolist():
            index._empties.setdefault(int(index._exact[p]), p)
        banded = np.flatnonzero(~empty).astype(np.int32)
        if banded.size:
            keys = band_keys(index._sigs[banded]).ravel()
            owners = np.repeat(banded, LSH_BANDS)
            order = np.argsort(keys, kind="stable")
            index._keys, index._owners = keys[order], owners[order]
        return index

    @classmethod
    def from_fingerprints(
        cls, rows: Iterable[tuple[str, Fingerprint, dt.date | None]]
    ) -> CopyIndex:
        """Rebuild an index from stored `(article_id, fingerprint, published)` rows, in the
        order the articles were first seen (the groups come out as when they were added)."""
        index = cls()
        for article_id, fp, published in rows:
            index.add(article_id, fp, published)
        return index

    # --- internals ---

    def _order_key(self, pos: int) -> tuple[int, int]:
        return int(self._dates[pos]), pos

    def _append(self, article_id: str, fp: Fingerprint, published: dt.date | None) -> None:
        n = len(self._ids)
        if n == len(self._sizes):
            self._grow(max(1024, n // 4))
        self._ids.append(article_id)
        self._pos[article_id] = n
        self._sigs[n] = fp.signature()
        self._sizes[n] = fp.shingles
        self._exact[n] = _exact64(fp)
        self._dates[n] = published.toordinal() if published else NO_DATE
        self._canon[n] = n
        self._last = None

    def _grow(self, extra: int) -> None:
        def grown(array: np.ndarray) -> np.ndarray:
            new = np.empty((array.shape[0] + extra, *array.shape[1:]), dtype=array.dtype)
            new[: array.shape[0]] = array
            return new

        self._sigs = grown(self._sigs)
        self._sizes = grown(self._sizes)
        self._exact = grown(self._exact)
        self._dates = grown(self._dates)
        self._canon = grown(self._canon)

    def _insert_keys(self, pos: int, keys: np.ndarray) -> None:
        fresh, more = self._fresh, self._fresh_more
        keys_list = keys.tolist()
        for key in [k for k in keys_list if k in fresh]:  # rare: a key another article has
            owners = more.get(key)
            if owners is None:
                more[key] = [fresh[key], pos]
            elif owners[-1] != pos:
                owners.append(pos)
        fresh.update(dict.fromkeys(keys_list, pos))
        self._fresh_articles += 1
        if self._fresh_articles >= FRESH_LIMIT:
            self._merge_fresh()

    def _merge_fresh(self) -> None:
        if not self._fresh:
            return
        more = self._fresh_more
        singles = [k for k in self._fresh if k not in more]
        keys = np.array(singles + [k for k, ps in more.items() for _ in ps], dtype=np.uint32)
        owners = np.array([self._fresh[k] for k in singles] + [p for ps in more.values() for p in ps],
                          dtype=np.int32)
        # Sort the fresh keys, then insert them after the equal keys already stored: one linear
        # pass over the sorted arrays, and within a key older owners stay before newer ones.
        order = np.argsort(keys, kind="stable")
        keys, owners = keys[order], owners[order]
        dest = np.searchsorted(self._keys, keys, side="right") + np.arange(keys.size)
        kept = np.ones(self._keys.size + keys.size, dtype=bool)
        kept[dest] = False
        merged_keys = np.empty(kept.size, dtype=np.uint32)
        merged_keys[dest], merged_keys[kept] = keys, self._keys
        merged_owners = np.empty(kept.size, dtype=np.int32)
        merged_owners[dest], merged_owners[kept] = owners, self._owners
        self._keys, self._owners = merged_keys, merged_owners
        self._fresh = {}
        self._fresh_more = {}
        self._fresh_articles = 0

    def _candidates(self, keys: np.ndarray) -> np.ndarray:
        found: list[np.ndarray] = []
        if self._keys.size:
            left = np.searchsorted(self._keys, keys, side="left")
            right = np.searchsorted(self._keys, keys, side="right")
            for a, b in zip(left.tolist(), right.tolist(), strict=True):
                if b > a:
                    found.append(self._owners[max(a, b - MAX_BUCKET_SCAN) : b])
        fresh = self._fresh
        hits = [k for k in keys.tolist() if k in fresh]
        if hits:
            more = self._fresh_more
            recent = [fresh[k] for k in hits if k not in more]
            for k in hits:
                if k in more:
                    recent.extend(more[k][-MAX_BUCKET_SCAN:])
            found.append(np.asarray(recent, dtype=np.int32))
        if not found:
            return np.empty(0, dtype=np.int32)
        cands, bands_shared = np.unique(np.concatenate(found), return_counts=True)
        if cands.size > MAX_CANDIDATES:
            cands = cands[np.argsort(-bands_shared, kind="stable")[:MAX_CANDIDATES]]
        return cands

    def _lookup(self, fp: Fingerprint) -> list[tuple[int, int, float, float]]:
        """(position, kind code, jaccard, containment) of every stored article `fp` copies."""
        if self._last is not None and self._last[0] is fp:
            return self._last[2]
        keys = np.empty(0, dtype=np.uint32)
        if fp.empty:
            pos = self._empties.get(_exact64(fp))
            out = [] if pos is None else [(pos, _EXACT, 1.0, 1.0)]
        else:
            sig = fp.signature()
            keys = band_keys(sig)
            cands = self._candidates(keys)
            out = []
            if cands.size:
                j = np.count_nonzero(self._sigs[cands] == sig, axis=1) / NUM_PERM
                same = (self._exact[cands] == np.uint64(_exact64(fp))) & (self._sizes[cands] == fp.shingles)
                j = np.where(same, 1.0, j)
                codes, contained = _classify(j, fp.shingles, self._sizes[cands], same)
                for i in np.flatnonzero(codes).tolist():
                    out.append((int(cands[i]), int(codes[i]), float(j[i]), float(contained[i])))
        self._last = (fp, keys, out)
        return out

    def _join(self, pos: int, roots: set[int]) -> None:
        if len(roots) == 1:
            # The common case: one group gains a member. The newcomer has the highest
            # position, so an insertion keeps the members ordered without a full sort.
            (root,) = roots
            members = self._members.pop(root, [root])
            bisect.insort(members, pos, key=self._order_key)
        else:
            log.debug("copy index: %s joins %d copy groups", self._ids[pos], len(roots))
            members = [pos]
            for root in roots:
                members.extend(self._members.pop(root, [root]))
            members.sort(key=self._order_key)
            root = -1
        canonical = members[0]
        if canonical == root:
            self._canon[pos] = canonical
        else:
            self._canon[np.asarray(members, dtype=np.int64)] = canonical
        self._members[canonical] = members


# --- what a copy adds ---------------------------------------------------------------------------


def _pieces(text: str) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Each non-blank line of `text` as (start, end, sentence spans), whitespace stripped."""
    abbreviations = load_abbreviations()
    out = []
    offset = 0
    for line in text.splitlines(keepends=True):
        start = offset + (len(line) - len(line.lstrip()))
        end = offset + len(line.rstrip())
        offset += len(line)
        if end > start:
            out.append((start, end, list(split_sentences(text, start, end, abbreviations))))
    return out


def _contains(haystack: str, piece: str) -> bool:
    needle = normalise(piece)
    return not needle or f" {needle} " in haystack


def diff_paragraphs(canonical_text: str, copy_text: str) -> list[tuple[int, int]]:
    """Spans `(start, end)` of `copy_text` whose text is not in `canonical_text`.

    A paragraph (line) of the copy whose normalised text occurs in the normalised canonical is
    shared; otherwise each of its sentences is checked the same way and the unshared sentences
    are returned, adjacent ones merged, so a wholly new paragraph comes back as one span from
    its first to its last character. Sorted, disjoint, whitespace-stripped. These are the only
    parts of a copy that need fresh extraction.
    """
    haystack = f" {normalise(canonical_text)} "
    spans: list[tuple[int, int]] = []
    for start, end, sentences in _pieces(copy_text):
        if _contains(haystack, copy_text[start:end]):
            continue
        run: tuple[int, int] | None = None
        for s, e in sentences:
            if _contains(haystack, copy_text[s:e]):
                if run:
                    spans.append(run)
                run = None
            else:
                run = (run[0], e) if run else (s, e)
        if run:
            spans.append(run)
    return spans


def verbatim_pieces(canonical_text: str, copy_text: str) -> list[tuple[int, int, int]]:
    """`(copy_start, copy_end, canonical_start)` for each paragraph (or, failing that,
    sentence) of the copy found character for character in the canonical text.

    A span of the canonical lying inside `[canonical_start, canonical_start + (copy_end -
    copy_start))` is the same text in the copy shifted by `copy_start - canonical_start`, so
    its extraction can be reused as is.
    """
    out: list[tuple[int, int, int]] = []
    for start, end, sentences in _pieces(copy_text):
        at = canonical_text.find(copy_text[start:end])
        if at >= 0:
            out.append((start, end, at))
            continue
        for s, e in sentences:
            at = canonical_text.find(copy_text[s:e])
            if at >= 0:
                out.append((s, e, at))
    return out
