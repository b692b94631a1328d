"""Fingerprints of cleaned articles: an exact-duplicate hash and a MinHash over word shingles.

A fingerprint is what the copy index needs to recognise a syndicated copy without the text:

- `exact`: SHA-256 of the whole normalised text (casefolded, accents, quote styles and
  punctuation folded away, whitespace collapsed), so texts that differ only in typography hash
  the same;
- `minhash`: a MinHash signature (datasketch, `affine32` scheme) of the set of word
  `SHINGLE_WORDS`-grams of the article's *body*: the lines that read as prose (long enough, and
  ending like a sentence). Headlines, bylines, datelines on their own line and link lines
  ("Also Read: ...") are left out, so a copy republished under a different headline still
  matches, and two articles that share only link lines do not;
- `shingles`: how many distinct shingles the body has, which turns a Jaccard estimate into a
  containment estimate (how much of one text lies inside the other).

`jaccard` and `containment` estimate set similarity from two fingerprints alone.
Everything here is a pure function of the text: fingerprints computed in different processes
or runs are identical, so they can be stored and the index rebuilt from them.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash  # type: ignore[import-untyped]

NUM_PERM = 128
# Unit: MinHash permutations (signature slots, 4 bytes each). Gates the precision of every
# similarity estimate (standard error sqrt(J(1-J)/NUM_PERM): 0.044 at J=0.5) and the memory
# per article (NUM_PERM * 4 bytes of signature). Calibrated on tests/fixtures/copies/dev: the
# estimates stay within 0.06 of the exact set values and keep the gap between copies
# (containment >= 0.85) and non-copies (<= 0.37) wide; more permutations would cost memory
# and lookup time for no change in the decisions there.

SHINGLE_WORDS = 4
# Unit: words per shingle. Gates what counts as shared text: shorter shingles make unrelated
# reports of one event look alike (shared names and stock phrases), longer ones let a changed
# word break more shingles. Calibrated on tests/fixtures/copies/dev with exact shingle sets
# (`python bench/copy_bench.py --calibrate`): the gap between the least contained copy and the
# most contained non-copy is 0.56 / 0.55 / 0.53 / 0.51 / 0.47 for 3 / 4 / 5 / 6 / 8 words;
# 4 keeps nearly all of 3's margin while needing two shared stock phrases in a row less often.

MINHASH_SEED = 1
"""Seed of the MinHash permutations; changing it changes every signature (bump the version)."""

MINHASH_SCHEME = "affine32"
"""datasketch permutation scheme: 32-bit values, stored as uint32 (needs datasketch >= 2.0)."""

MIN_BODY_LINE_WORDS = 6
# Unit: words. Gates which lines are body text for the MinHash: a line must have at least this
# many words (and end like a sentence) to count. Keeps out headlines, bylines, "Photo: ..."
# credits and short link lines. Calibrated on the dev set's boilerplate articles and on
# examples/: no body paragraph there is shorter than 9 words.

FINGERPRINT_VERSION = 1
"""Bumped whenever normalisation, shingling, hashing or NUM_PERM changes: stored fingerprints
of another version must be recomputed before they are compared with new ones."""

EMPTY_HASH = 0xFFFFFFFF
"""Signature value of a slot that saw no shingle (the MinHash of the empty set)."""

_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
})
# Combining marks left by NFKD decomposition: accents fold away ("Félicien" -> "felicien").
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_PUNCTUATION = re.compile(r"[^\w\s]+|_+")
_SPACE = re.compile(r"\s+")
# A line "ends like a sentence": a terminal mark, maybe followed by closing quotes/brackets.
_SENTENCE_END = re.compile(r"""[.!?\u2026]["'\u2019\u201d)\]]*\s*$""")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What the copy index keeps of one cleaned article."""

    exact: str
    """SHA-256 (hex) of the whole normalised text: equal for texts that differ only in case,
    accents, quote style, punctuation or whitespace."""
    minhash: bytes
    """MinHash signature of the body's shingles: NUM_PERM little-endian uint32 values."""
    shingles: int
    """Number of distinct body shingles (0 for a text with no words)."""

    def signature(self) -> np.ndarray:
        """The MinHash signature as a read-only uint32 array of length NUM_PERM."""
        return np.frombuffer(self.minhash, dtype="<u4")

    def same_text(self, other: Fingerprint) -> bool:
        """True when both normalised texts are equal (and so are their body shingles)."""
        return self.exact == other.exact and self.shingles == other.shingles

    @property
    def empty(self) -> bool:
        """True when the text has no body words (such a text can only be an exact copy)."""
        return self.shingles == 0


def normalise(text: str) -> str:
    """`text` casefolded, with accents, quote styles and punctuation folded away and runs of
    whitespace (including line breaks) collapsed to one space; stripped.

    Apostrophes inside words are dropped ("Bunia's" -> "bunias"); other punctuation becomes a
    space ("Birgunj-Raxaul" -> "birgunj raxaul", "5.5%" -> "5 5").
    """
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    text = text.translate(_QUOTES).casefold()
    text = _APOSTROPHE.sub("", text)
    text = _PUNCTUATION.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def body_lines(text: str) -> list[str]:
    """The lines of `text` that read as prose: at least MIN_BODY_LINE_WORDS words and ending
    like a sentence. When no line qualifies (a text without sentence punctuation), every
    non-blank line is body."""
    lines = [line.strip() for line in text.splitlines()]
    body = [
        line for line in lines
        if len(line.split()) >= MIN_BODY_LINE_WORDS and _SENTENCE_END.search(line)
    ]
    return body or [line for line in lines if line]


def body_words(text: str) -> list[str]:
    """The normalised words of the body of `text`, in order (what shingles are made of)."""
    return normalise("\n".join(body_lines(text))).split()


def shingles(words: list[str], size: int = SHINGLE_WORDS) -> set[str]:
    """The distinct word `size`-grams of `words`; a text shorter than `size` words is one
    shingle; no words, no shingles."""
    if not words:
        return set()
    if len(words) <= size:
        return {" ".join(words)}
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


@functools.lru_cache(maxsize=1)
def _permutations() -> np.ndarray:
    # datasketch draws the permutations from a seeded legacy RandomState, so they are the same
    # in every process; built once and shared by every MinHash.
    perms: np.ndarray = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME).permutations
    return perms


def minhash_of(shingle_set: set[str]) -> bytes:
    """The MinHash signature (NUM_PERM little-endian uint32) of a set of shingles."""
    mh = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, permutations=_permutations(), scheme=MINHASH_SCHEME)
    if shingle_set:
        mh.update_batch([s.encode("utf-8") for s in shingle_set])
    return np.asarray(mh.hashvalues, dtype="<u4").tobytes()


def fingerprint(text: str, *, shingle_words: int = SHINGLE_WORDS) -> Fingerprint:
    """The fingerprint of a cleaned article text.

    `shingle_words` exists for calibration only; fingerprints made with different values are
    not comparable.
    """
    exact = hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()
    shingle_set = shingles(body_words(text), shingle_words)
    return Fingerprint(exact=exact, minhash=minhash_of(shingle_set), shingles=len(shingle_set))


def jaccard(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard similarity of the two body shingle sets (symmetric, in [0, 1]).

    Identical normalised texts give 1.0; a text with no body shingles is similar to nothing
    but an exact copy of itself.
    """
    if a.same_text(b):
        return 1.0
    if a.empty or b.empty:
        return 0.0
    return float(np.count_nonzero(a.signature() == b.signature())) / NUM_PERM


def containment_from(j: float | np.ndarray, size_a: int | np.ndarray, size_b: int | np.ndarray) -> np.ndarray:
    """Estimated share of A's shingles that are in B, from Jaccard `j` and the set sizes:
    |A & B| = j (|A| + |B|) / (1 + j), divided by |A| and capped at 1. Works element-wise."""
    j = np.asarray(j, dtype=np.float64)
    size_a = np.maximum(np.asarray(size_a, dtype=np.float64), 1.0)
    inter = j * (size_a + np.asarray(size_b, dtype=np.float64)) / (1.0 + j)
    return np.minimum(inter / size_a, 1.0)


def containment(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated share of `a`'s body shingles that also occur in `b` (not symmetric)."""
    if a.same_text(b):
        return 1.0
    if a.empty or b.empty:
        return 0.0
    return float(containment_from(jaccard(a, b), a.shingles, b.shingles))
