"""Scoring syndicated-copy detection: precision and recall of copy pairs on labelled sets.

A pair of articles is predicted to be a copy when the copy index puts them in the same copy
group; a pair is gold when the labels put them in the same group (the connected components of
the labelled pairs, so "A2 copies A1" and "A4 copies A1" also make A2-A4 a gold pair).
Precision, recall and F1 are over unordered pairs.

Labelled sets:
- `tests/fixtures/copies/dev/` (thresholds were calibrated on it) and
  `tests/fixtures/copies/heldout/` (written afterwards, never used to tune), each: one `<id>.txt` per article (with a `date YYYY-MM-DD`
  header) and `pairs.tsv` (copy, original, kind, note); see `load_fixture_set`;
- `examples/`: the articles read through the readers, labelled by the tables of
  `examples/README.md` (source -> id, and the "Duplicate groups" line); see `load_examples`.

Both are read and cleaned exactly as ingest reads and cleans (`read_paths` + `clean`), since
copies are fingerprinted after cleaning.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tidings.clean import clean
from tidings.corpus.copies import CopyIndex, CopyKind, compare
from tidings.corpus.fingerprint import Fingerprint, containment_from, fingerprint, jaccard
from tidings.doc import Doc
from tidings.settings import Settings, load_settings

Article = tuple[str, str, dt.date | None]
"""(id, cleaned text, publication date) of one labelled article."""
Pair = tuple[str, str]

LABELS_FILE = "pairs.tsv"
"""Name of the labels file of a fixture set."""


@dataclass(frozen=True, slots=True)
class LabelledPair:
    """One line of a `pairs.tsv`."""

    copy: str
    """Id of the copy."""
    original: str
    """Id of the article it copies."""
    kind: CopyKind
    """How the copy relates to the original."""
    note: str = ""
    """What was changed, for a human reader."""


# --- scoring -----------------------------------------------------------------------------------


def _components(pairs: Iterable[Pair], ids: Iterable[str]) -> list[set[str]]:
    parent = {i: i for i in ids}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        if a in parent and b in parent:
            parent[root(a)] = root(b)
    groups: dict[str, set[str]] = {}
    for i in parent:
        groups.setdefault(root(i), set()).add(i)
    return [g for g in groups.values() if len(g) > 1]


def _pairs_of(groups: Iterable[Iterable[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for g in groups for p in itertools.combinations(sorted(g), 2)}


def copy_groups(articles: Sequence[Article]) -> CopyIndex:
    """A copy index with `articles` added in the given order."""
    index = CopyIndex()
    for article_id, text, published in articles:
        index.add(article_id, fingerprint(text), published)
    return index


def score_copies(articles: Sequence[Article], gold_pairs: Iterable[Pair]) -> dict[str, Any]:
    """Precision, recall and F1 of unordered copy pairs.

    `articles` are `(id, cleaned text, published)`, added to a fresh CopyIndex in the given
    order; `gold_pairs` are labelled `(copy, original)` pairs, closed transitively into groups
    (pairs naming an id not among `articles` are ignored). Returns a dict with `precision`,
    `recall`, `f1` (floats; precision is 1.0 when nothing is predicted, recall 1.0 when there
    is no gold pair), the counts `tp`, `fp`, `fn`, `articles`, and the sorted lists
    `false_positives` and `false_negatives` of `(id, id)` pairs.
    """
    ids = [a[0] for a in articles]
    if len(set(ids)) != len(ids):
        raise ValueError("article ids must be unique")
    gold = _pairs_of(_components(gold_pairs, ids))
    predicted = _pairs_of(copy_groups(articles).groups())
    tp = len(gold & predicted)
    fp = sorted(tuple(sorted(p)) for p in predicted - gold)
    fn = sorted(tuple(sorted(p)) for p in gold - predicted)
    precision = tp / (tp + len(fp)) if predicted else 1.0
    recall = tp / (tp + len(fn)) if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "tp": tp,
        "fp": len(fp),
        "fn": len(fn),
        "articles": len(articles),
        "false_positives": fp,
        "false_negatives": fn,
    }


def score_kinds(articles: Sequence[Article], labels: Iterable[LabelledPair]) -> dict[str, Any]:
    """How often `compare(copy, original)` gives each labelled pair's kind: `accuracy` and
    the `wrong` list of `(copy, original, expected, got)`."""
    fps = {a[0]: fingerprint(a[1]) for a in articles}
    checked, wrong = 0, []
    for label in labels:
        if label.copy in fps and label.original in fps:
            checked += 1
            got = compare(fps[label.copy], fps[label.original])[0]
            if got != label.kind:
                wrong.append((label.copy, label.original, label.kind, got))
    return {"accuracy": (checked - len(wrong)) / checked if checked else 1.0,
            "checked": checked, "wrong": wrong}


def pair_similarities(
    articles: Sequence[Article], gold_pairs: Iterable[Pair], *, shingle_words: int | None = None
) -> tuple[list[tuple[Pair, float, float]], list[tuple[Pair, float, float]]]:
    """Estimated (Jaccard, containment of the smaller) of every gold pair and every non-gold
    pair, for calibrating thresholds: `(copies, non_copies)`, each sorted from least to most
    similar by containment."""
    kwargs = {} if shingle_words is None else {"shingle_words": shingle_words}
    fps: dict[str, Fingerprint] = {a[0]: fingerprint(a[1], **kwargs) for a in articles}
    gold = _pairs_of(_components(gold_pairs, fps))
    copies: list[tuple[Pair, float, float]] = []
    others: list[tuple[Pair, float, float]] = []
    for a, b in itertools.combinations(sorted(fps), 2):
        j = jaccard(fps[a], fps[b])
        small, large = sorted((fps[a].shingles, fps[b].shingles))
        c = 1.0 if fps[a].same_text(fps[b]) else float(containment_from(j, small, large))
        (copies if frozenset((a, b)) in gold else others).append(((a, b), j, c))
    return sorted(copies, key=lambda r: r[2]), sorted(others, key=lambda r: r[2])


# --- loading the labelled sets -------------------------------------------------------------------


def _read_clean(paths: Sequence[str], settings: Settings) -> list[Doc]:
    from tidings.readers import read_paths

    docs = []
    for item in read_paths(paths, settings.read):
        if isinstance(item, Doc):
            docs.append(clean(item, settings.clean))
    return docs


def load_labels(path: Path) -> list[LabelledPair]:
    """The labelled pairs of a `pairs.tsv`: tab-separated copy, original, kind, note;
    `#` comments and blank lines skipped. Raises ValueError naming the line when malformed."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 3 or fields[2] not in ("exact", "near", "trimmed", "extended"):
            raise ValueError(f"{path}:{number}: expected copy<TAB>original<TAB>kind[<TAB>note]")
        out.append(LabelledPair(fields[0], fields[1], fields[2], fields[3] if len(fields) > 3 else ""))  # type: ignore[arg-type]
    return out


def load_fixture_set(directory: Path, settings: Settings | None = None) -> tuple[list[Article], list[LabelledPair]]:
    """Articles (`<id>.txt`, in sorted file order) and labels (`pairs.tsv`) of a fixture set.
    Raises ValueError when a label names an article that is not there."""
    settings = settings or load_settings()
    files = sorted(Path(directory).glob("*.txt"))
    docs = _read_clean([str(f) for f in files], settings)
    articles = [(Path(d.source.path).stem if d.source else d.id, d.text, d.published) for d in docs]
    labels = load_labels(Path(directory) / LABELS_FILE)
    known = {a[0] for a in articles}
    missing = sorted({x for lab in labels for x in (lab.copy, lab.original)} - known)
    if missing:
        raise ValueError(f"{directory}/{LABELS_FILE} names articles that are not there: {missing}")
    return articles, labels


_ROW = re.compile(r"^\|\s*([A-Z]\d+)\s*\|\s*`([^`]+)`\s*\|")
_GROUPS = re.compile(r"^Duplicate groups:(.*)$", re.MULTILINE)


def load_examples(directory: Path, settings: Settings | None = None) -> tuple[list[Article], list[Pair]]:
    """The articles of `examples/` (ids A1 ... X1 from README.md's Articles table, matched to
    `Doc.source`) and the gold pairs of its "Duplicate groups" line. Raises ValueError when the
    README and the files disagree."""
    settings = settings or load_settings()
    directory = Path(directory)
    readme = (directory / "README.md").read_text(encoding="utf-8")
    by_source = {m.group(2): m.group(1) for line in readme.splitlines() if (m := _ROW.match(line))}
    groups_line = _GROUPS.search(readme)
    if not by_source or groups_line is None:
        raise ValueError(f"{directory}/README.md has no Articles table or no 'Duplicate groups' line")
    groups = [re.findall(r"[A-Z]\d+", g) for g in re.findall(r"\{([^}]*)\}", groups_line.group(1))]
    articles = []
    for doc in _read_clean([str(directory)], settings):
        source = str(doc.source).removeprefix(str(directory)).lstrip("/") if doc.source else ""
        if source not in by_source:
            raise ValueError(f"{doc.source}: not in the Articles table of {directory}/README.md")
        articles.append((by_source[source], doc.text, doc.published))
    pairs = [(g[0], other) for g in groups for other in g[1:]]
    return articles, pairs


# --- metrics for `tidings eval` -----------------------------------------------------------------


def copy_metrics(root: Path | None = None, settings: Settings | None = None) -> list[Any]:
    """`Metric`s of extractor "copies" (precision, recall, f1; kind_accuracy on the fixture
    sets) for datasets "copies-dev" (the calibration set), "copies-heldout" (written after
    calibration, never tuned on) and "examples", from the repository at `root` (default: the
    one holding this package). A set that is absent is skipped."""
    from tidings.evaluate.report import Metric

    root = Path(root) if root else Path(__file__).resolve().parents[2]
    settings = settings or load_settings()
    metrics = []
    for name in ("dev", "heldout"):
        directory = root / "tests" / "fixtures" / "copies" / name
        if not (directory / LABELS_FILE).is_file():
            continue
        dataset = f"copies-{name}"
        articles, labels = load_fixture_set(directory, settings)
        metrics += _pair_metrics(dataset, score_copies(articles, [(x.copy, x.original) for x in labels]))
        kinds = score_kinds(articles, labels)
        metrics.append(Metric("copies", dataset, "kind_accuracy", kinds["accuracy"],
                              f"{kinds['checked'] - len(kinds['wrong'])}/{kinds['checked']}"))
    examples = root / "examples"
    if (examples / "README.md").is_file():
        articles, pairs = load_examples(examples, settings)
        metrics += _pair_metrics("examples", score_copies(articles, pairs))
    return metrics


def _pair_metrics(dataset: str, scores: dict[str, Any]) -> list[Any]:
    from tidings.evaluate.report import Metric

    detail = f"tp {scores['tp']}, fp {scores['fp']}, fn {scores['fn']} over {scores['articles']} articles"
    if scores["false_positives"]:
        detail += "; false: " + " ".join("-".join(p) for p in scores["false_positives"])
    if scores["false_negatives"]:
        detail += "; missed: " + " ".join("-".join(p) for p in scores["false_negatives"])
    return [Metric("copies", dataset, name, scores[name], detail) for name in ("precision", "recall", "f1")]
