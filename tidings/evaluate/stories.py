"""Scoring story grouping: B-cubed precision, recall and F1, on our dev set and on examples/.

B-cubed (Bagga and Baldwin 1998) scores a clustering item by item: an item's precision is the
share of its predicted cluster that shares its gold cluster, its recall the share of its gold
cluster that shares its predicted cluster; the scores are the means over items. Singletons are
clusters like any other, so putting every article alone scores precision 1 and a low recall,
and putting all in one scores recall 1 and a low precision.

Datasets:
- `storydev`: tests/fixtures/stories/articles.jsonl, our own labelled set (field `story`);
  `copy_of` gives the syndicated copies, passed to the index as the copy detector would.
- `storyheldout`: tests/fixtures/stories/heldout.jsonl, the same format, written after the
  thresholds were set on `storydev` and never tuned on.
- `examples`: the fourteen articles under examples/, labelled in examples/README.md (stories A,
  B, C and the distractor X1), read with tidings.readers.read_paths.

`python -m tidings.evaluate.stories` prints both, with the spread of F1 over shuffled orders.
`story_metrics()` returns the same numbers as `tidings.evaluate.report.Metric`s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import random
import re
import statistics
import time
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from tidings.corpus.features import StoryFeatures, find_story_features
from tidings.corpus.stories import LATE_DAYS, MemoryArchive, StoryIndex
from tidings.doc import Doc

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
"""Items clustered by `bcubed`."""

ROOT = Path(__file__).resolve().parents[2]
DEV_SET = ROOT / "tests" / "fixtures" / "stories" / "articles.jsonl"
"""Our labelled development set (JSON Lines: id, date, url, title, text, story, copy_of?)."""
HELDOUT_SET = ROOT / "tests" / "fixtures" / "stories" / "heldout.jsonl"
"""A smaller set in the same format, written after the thresholds were chosen and not tuned on."""
EXAMPLES_DIR = ROOT / "examples"
"""The example articles; their story labels are the Articles table of its README.md."""
ORDER_SEEDS = 20
"""Shuffled orders tried when measuring the spread of scores over arrival orders."""


@dataclass(frozen=True, slots=True)
class BCubed:
    """B-cubed scores of one predicted clustering against a gold one."""

    precision: float
    """Mean over items of |pred cluster ∩ gold cluster| / |pred cluster|."""
    recall: float
    """Mean over items of |pred cluster ∩ gold cluster| / |gold cluster|."""
    f1: float
    """Harmonic mean of precision and recall."""
    items: int
    """Items scored (those in the gold clustering)."""


def bcubed(predicted: Mapping[K, Hashable], gold: Mapping[K, Hashable]) -> BCubed:
    """B-cubed precision, recall and F1 of `predicted` (item -> cluster) against `gold`.

    Items are those of `gold`; an item missing from `predicted` counts as a singleton there,
    and predicted items absent from gold are ignored. Raises ValueError on an empty gold.
    """
    items = list(gold)
    if not items:
        raise ValueError("bcubed: the gold clustering is empty")
    pred: dict[K, Hashable] = {item: predicted.get(item, ("singleton", item)) for item in items}
    pred_members: dict[Hashable, set[K]] = {}
    gold_members: dict[Hashable, set[K]] = {}
    for item in items:
        pred_members.setdefault(pred[item], set()).add(item)
        gold_members.setdefault(gold[item], set()).add(item)
    precision = recall = 0.0
    for item in items:
        in_pred = pred_members[pred[item]]
        in_gold = gold_members[gold[item]]
        both = len(in_pred & in_gold)
        precision += both / len(in_pred)
        recall += both / len(in_gold)
    precision /= len(items)
    recall /= len(items)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BCubed(precision, recall, f1, len(items))


# --- datasets ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelledArticle:
    """One article of a labelled story set, with its computed features."""

    id: str
    """The dataset's id for the article ("cairo-aug-1", "A2")."""
    story: str
    """Gold story label; singletons have a label of their own."""
    features: StoryFeatures
    """Story features of the processed article."""
    copy_of: str | None = None
    """Dataset id of the article this one is a syndicated copy of, if any."""


ProcessFn = Callable[[Iterable[Doc]], Iterable[Doc]]


def _pipeline_runner() -> ProcessFn:
    from tidings.pipeline import build_pipeline
    from tidings.settings import load_settings

    pipeline = build_pipeline(load_settings())
    return lambda docs: (pipeline(d) for d in docs)


def load_dev_set(path: Path = DEV_SET, *, process: ProcessFn | None = None) -> list[LabelledArticle]:
    """Read, process and featurise the dev set; raises FileNotFoundError when it is absent."""
    from tidings.readers import read_paths
    from tidings.settings import load_settings

    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = [d for d in read_paths([str(path)], load_settings().read) if isinstance(d, Doc)]
    if len(docs) != len(records):
        raise ValueError(f"{path}: read {len(docs)} articles from {len(records)} records")
    processed = list((process or _pipeline_runner())(docs))
    return [
        LabelledArticle(r["id"], r["story"], find_story_features(d), r.get("copy_of"))
        for r, d in zip(records, processed, strict=True)
    ]


_ROW = re.compile(r"^\|\s*([A-Z]\d+)\s*\|\s*`([^`]+)`\s*\|\s*([^|]+?)\s*\|")


def load_examples_gold(readme: Path) -> dict[str, tuple[str, str]]:
    """Source (as `Doc.source` prints it) -> (article label, story) from the Articles table of
    examples/README.md. A story cell that is not a single letter ("none (...)") makes the
    article a story of its own."""
    gold: dict[str, tuple[str, str]] = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if not match:
            continue
        label, source, story = match.groups()
        story = story if re.fullmatch(r"[A-Z]", story) else f"own-{label}"
        gold[source] = (label, story)
    return gold


_COPY = re.compile(r"\*\*([A-Z]\d+) is a (?:syndicated|trimmed) copy of ([A-Z]\d+)")


def load_examples(examples: Path = EXAMPLES_DIR, *, process: ProcessFn | None = None) -> list[LabelledArticle]:
    """Read, process and featurise examples/, labelled from its README.md.

    Copy links come from the README's "Copies" section (the copy detector's job; here we take
    them as given, as the lead's ingest will pass them). Raises ValueError when an example
    article has no label.
    """
    from tidings.readers import read_paths
    from tidings.settings import load_settings

    readme = examples / "README.md"
    gold = load_examples_gold(readme)
    copies = dict(_COPY.findall(readme.read_text(encoding="utf-8")))
    docs = [d for d in read_paths([str(examples)], load_settings().read) if isinstance(d, Doc)]
    out = []
    for doc in (process or _pipeline_runner())(docs):
        source = str(doc.source).removeprefix(str(examples) + "/")
        if source not in gold:
            raise ValueError(f"examples: no story label for {source} in {readme}")
        label, story = gold[source]
        out.append(LabelledArticle(label, story, find_story_features(doc), copies.get(label)))
    return out


# --- grouping and scoring ------------------------------------------------------------------


def group(articles: Sequence[LabelledArticle], *, index: StoryIndex | None = None) -> dict[str, str]:
    """Article id -> story id after adding `articles` to `index` (default: a fresh one) in the
    given order. Ids follow later merges, also for stories the index has since evicted."""
    index = index if index is not None else StoryIndex()
    placed = {a.id: index.add(a.id, a.features, copy_of=a.copy_of).story_id for a in articles}
    survivor = {m.absorbed: m.survivor for m in index.merges}

    def final(story_id: str) -> str:
        while story_id in survivor:
            story_id = survivor[story_id]
        return story_id

    return {article_id: final(story_id) for article_id, story_id in placed.items()}


def by_date(articles: Sequence[LabelledArticle]) -> list[LabelledArticle]:
    """`articles` in publication order (undated last), then by id: the usual arrival order."""
    return sorted(articles, key=lambda a: (a.features.published or dt.date.max, a.id))


def make_index(*, archive: bool = True, **index_options: Any) -> StoryIndex:
    """A fresh StoryIndex, with a fresh MemoryArchive (standing in for the store) if `archive`."""
    return StoryIndex(archive=MemoryArchive() if archive else None, **index_options)


def score(articles: Sequence[LabelledArticle], *, archive: bool = True, **index_options: Any) -> BCubed:
    """B-cubed of grouping `articles`, in the given order, against their labels."""
    predicted = group(articles, index=make_index(archive=archive, **index_options))
    return bcubed(predicted, {a.id: a.story for a in articles})


@dataclass(frozen=True, slots=True)
class OrderSpread:
    """Scores over several arrival orders of one dataset."""

    in_order: BCubed
    """Score in publication order."""
    f1_min: float
    """Lowest F1 over the shuffled orders (and dataset order)."""
    f1_max: float
    """Highest F1 over them."""
    f1_mean: float
    """Mean F1 over them."""
    partitions: int
    """Distinct groupings produced over the orders (1 = fully order-independent)."""
    orders: int
    """Orders tried."""


def shuffled(articles: Sequence[LabelledArticle], seed: int, max_late_days: int | None = None) -> list[LabelledArticle]:
    """A seeded random order of `articles`. With `max_late_days`, a realistic feed instead:
    roughly by date, but each article may arrive after articles up to that many days newer
    (sorted by date plus a random delay of 0..max_late_days)."""
    rng = random.Random(seed)
    if max_late_days is None:
        out = list(articles)
        rng.shuffle(out)
        return out
    delays = {a.id: rng.uniform(0, max_late_days) for a in articles}
    return sorted(articles, key=lambda a: (
        (a.features.published or dt.date.max).toordinal() + delays[a.id] if a.features.published
        else float("inf"), a.id))


def order_spread(articles: Sequence[LabelledArticle], seeds: int = ORDER_SEEDS, *,
                 archive: bool = True, max_late_days: int | None = None,
                 **index_options: Any) -> OrderSpread:
    """Group `articles` in publication order and in `seeds` seeded shuffles; report the spread.

    With `archive` (the default, as with a store) evicted stories are reloaded when a late
    article needs them; without it, a fully shuffled order loses links to evicted stories,
    which `max_late_days` (see `shuffled`) at most LATE_DAYS avoids."""
    gold = {a.id: a.story for a in articles}
    orders = [by_date(articles)]
    orders += [shuffled(articles, seed, max_late_days) for seed in range(seeds)]
    scores = []
    partitions = set()
    for order in orders:
        predicted = group(order, index=make_index(archive=archive, **index_options))
        scores.append(bcubed(predicted, gold))
        clusters: dict[str, set[str]] = {}
        for item, story in predicted.items():
            clusters.setdefault(story, set()).add(item)
        partitions.add(frozenset(frozenset(c) for c in clusters.values()))
    f1s = [s.f1 for s in scores]
    return OrderSpread(scores[0], min(f1s), max(f1s), statistics.fmean(f1s), len(partitions), len(orders))


def story_metrics(dev: Sequence[LabelledArticle] | None = None,
                  examples: Sequence[LabelledArticle] | None = None,
                  heldout: Sequence[LabelledArticle] | None = None) -> list[Any]:
    """Story-grouping metrics as `tidings.evaluate.report.Metric`s: for each dataset given,
    `<dataset>.stories.bcubed_precision|bcubed_recall|bcubed_f1` and `order_f1_min`."""
    from tidings.evaluate.report import Metric

    out = []
    for name, articles in (("storydev", dev), ("storyheldout", heldout), ("examples", examples)):
        if not articles:
            continue
        spread = order_spread(articles)
        s = spread.in_order
        detail = f"{s.items} articles, {len({a.story for a in articles})} gold stories"
        out += [
            Metric("stories", name, "bcubed_precision", s.precision, detail),
            Metric("stories", name, "bcubed_recall", s.recall, detail),
            Metric("stories", name, "bcubed_f1", s.f1, detail),
            Metric("stories", name, "order_f1_min", spread.f1_min,
                   f"{spread.partitions} distinct groupings over {spread.orders} orders"),
        ]
    return out


def describe_grouping(articles: Sequence[LabelledArticle], predicted: Mapping[str, str],
                      index: StoryIndex) -> str:
    """Predicted stories with their labels and each article's gold story, for a human reader.
    Labels come from the index, or from its MemoryArchive for evicted stories."""
    gold = {a.id: a.story for a in articles}
    dates = {a.id: a.features.published for a in articles}
    archived = index.archive.summaries if isinstance(index.archive, MemoryArchive) else {}
    clusters: dict[str, list[str]] = {}
    for article_id, story_id in predicted.items():
        clusters.setdefault(story_id, []).append(article_id)
    lines = []
    for story_id, members in sorted(clusters.items(), key=lambda kv: min(dates[m] or dt.date.max for m in kv[1])):
        summary = index.summary(story_id) if story_id in index.stories else archived.get(story_id)
        head = f"{story_id}  {summary.label}  [{summary.first_date} .. {summary.last_date}]  " \
               f"{summary.articles} articles, {summary.outlets} outlets" if summary else story_id
        lines.append(head)
        lines += [f"    {m:<24} gold={gold.get(m, '?')}" for m in sorted(members)]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print B-cubed scores, order spread and cost per article for the dev set and examples."""
    parser = argparse.ArgumentParser(prog="python -m tidings.evaluate.stories", description=main.__doc__)
    parser.add_argument("--show", action="store_true", help="print the predicted stories")
    parser.add_argument("--seeds", type=int, default=ORDER_SEEDS, help="shuffled orders to try")
    args = parser.parse_args(argv)
    datasets: list[tuple[str, Callable[[], list[LabelledArticle]]]] = [
        ("storydev", load_dev_set),
        ("storyheldout", lambda: load_dev_set(HELDOUT_SET)),
        ("examples", load_examples),
    ]
    for name, loader in datasets:
        articles = loader()
        start = time.perf_counter()
        index = make_index()
        predicted = group(by_date(articles), index=index)
        cost_ms = (time.perf_counter() - start) * 1000 / len(articles)
        spread = order_spread(articles, seeds=args.seeds)
        bare = order_spread(articles, seeds=args.seeds, archive=False)
        feed = order_spread(articles, seeds=args.seeds, archive=False, max_late_days=LATE_DAYS)
        s = spread.in_order
        print(f"{name}: {s.items} articles, {len({a.story for a in articles})} gold stories, "
              f"{len(set(predicted.values()))} predicted")
        print(f"  B-cubed P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}")
        print(f"  over {spread.orders} orders: F1 min {spread.f1_min:.3f} max {spread.f1_max:.3f} "
              f"mean {spread.f1_mean:.3f}; {spread.partitions} distinct grouping(s) "
              "(with an archive of evicted stories)")
        print(f"  without an archive, any order: F1 min {bare.f1_min:.3f} max {bare.f1_max:.3f} "
              f"mean {bare.f1_mean:.3f}; {bare.partitions} distinct grouping(s)")
        print(f"  without an archive, articles up to {LATE_DAYS} days late: F1 min {feed.f1_min:.3f} "
              f"max {feed.f1_max:.3f}; {feed.partitions} distinct grouping(s)")
        print(f"  grouping cost {cost_ms:.2f} ms/article (features precomputed)")
        if args.show:
            print(describe_grouping(articles, predicted, index))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
