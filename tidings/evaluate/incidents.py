"""Scoring incident merging: which reports of a labelled set end up in the same incident.

Datasets (tests/fixtures/incidents, written for tidings; see its README.md):
- `incidentdev`: articles.jsonl + labels.tsv, the set the merge rules were checked on;
- `incidentheldout`: heldout.jsonl + heldout_labels.tsv, written at the same time and never
  tuned on;
- `incidentdev2`: dev2.jsonl + dev2_labels.tsv, a second development set written later (after
  the held-out set was scored) to give the merge rules more signal; tuned on like `incidentdev`.

Each article runs through the real pipeline (`tidings.process`), is placed in a story by the
real story index (undated reports need their story), and its reports are merged with
`merge_incidents`; the syndicated copies the set labels are passed as `copy_of`, as the copy
detector would give them.

A gold row names an article, a PLOVER type, an incident label and the text of the report. The
row's report is the coded event whose trigger lies inside that text: of those that became
reports of an incident, one of the gold type if there is one (else any, counted in
`type_mismatch`), the most confident first. A row with no such event is *missed*: it counts as
an incident of its own, so it costs recall and never precision.

Scores:
- pairwise "same incident" links over the gold rows: precision = correct predicted links /
  predicted links, recall = correct predicted links / gold links;
- B-cubed precision, recall and F1 over the rows (tidings.evaluate.stories.bcubed);
- found: the share of rows matched to a report.

`python -m tidings.evaluate.incidents` prints every set (`--only dev` one of them, `--show` lists
the incidents).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from tidings.corpus.incidents import Incident, merge_incidents
from tidings.doc import Doc
from tidings.evaluate.stories import BCubed, bcubed

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "incidents"
DEV_ARTICLES = FIXTURES / "articles.jsonl"
DEV_LABELS = FIXTURES / "labels.tsv"
HELDOUT_ARTICLES = FIXTURES / "heldout.jsonl"
HELDOUT_LABELS = FIXTURES / "heldout_labels.tsv"
DEV2_ARTICLES = FIXTURES / "dev2.jsonl"
DEV2_LABELS = FIXTURES / "dev2_labels.tsv"

DATASETS: tuple[tuple[str, str, Path, Path], ...] = (
    ("incidentdev", "dev", DEV_ARTICLES, DEV_LABELS),
    ("incidentdev2", "dev2", DEV2_ARTICLES, DEV2_LABELS),
    ("incidentheldout", "heldout", HELDOUT_ARTICLES, HELDOUT_LABELS),
)
"""(metric dataset name, short name, articles, labels) of every labelled set."""


@dataclass(frozen=True, slots=True)
class GoldReport:
    """One row of a labels file."""

    article: str
    """Dataset id of the article."""
    type: str
    """PLOVER type as the annotator reads it."""
    incident: str
    """Gold incident label."""
    text: str
    """The report's sentence, or the part of it naming the event."""


@dataclass(frozen=True, slots=True)
class PairScores:
    """Precision, recall and F1 of "same incident" links between gold rows."""

    precision: float
    recall: float
    f1: float
    predicted: int
    """Links predicted between gold rows."""
    gold: int
    """Links in the gold labels."""
    correct: int
    """Predicted links that are gold links."""


@dataclass(frozen=True, slots=True)
class IncidentScores:
    """Everything measured on one labelled set."""

    pairs: PairScores
    bcubed: BCubed
    found: float
    """Share of gold rows matched to a report."""
    rows: int
    gold_incidents: int
    type_mismatch: int
    """Rows matched only to an event of another type than the gold one."""
    missed: tuple[str, ...]
    """"article: text" of rows matched to no report."""
    assignment: dict[int, str]
    """Gold row index -> predicted incident id (missed rows absent)."""
    incidents: tuple[Incident, ...]
    """Every predicted incident of the set."""


K = TypeVar("K", bound=Hashable)


def pair_scores(predicted: Mapping[K, Hashable], gold: Mapping[K, Hashable]) -> PairScores:
    """Pairwise link precision/recall/F1 of `predicted` (item -> cluster) against `gold`, over
    the items of `gold`; items missing from `predicted` are singletons there."""
    items = sorted(gold, key=str)
    pred_links = gold_links = correct = 0
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            same_pred = a in predicted and b in predicted and predicted[a] == predicted[b]
            same_gold = gold[a] == gold[b]
            pred_links += same_pred
            gold_links += same_gold
            correct += same_pred and same_gold
    precision = correct / pred_links if pred_links else 1.0
    recall = correct / gold_links if gold_links else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScores(precision, recall, f1, pred_links, gold_links, correct)


# --- loading ------------------------------------------------------------------------------


def load_articles(path: Path) -> list[dict[str, Any]]:
    """The articles of a JSON Lines set (id, date or null, url, title, text, copy_of?)."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_labels(path: Path) -> list[GoldReport]:
    """Rows of a labels file (tab-separated: article, type, incident, text; "#" comments)."""
    rows: list[GoldReport] = []
    with path.open(encoding="utf-8") as f:
        lines = [line for line in f if line.strip() and not line.startswith("#")]
    for i, row in enumerate(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)):
        if i == 0 and row[:3] == ["article", "type", "incident"]:
            continue
        if len(row) != 4:
            raise ValueError(f"{path}: row {row!r} does not have 4 tab-separated columns")
        rows.append(GoldReport(*row))
    return rows


ProcessFn = Callable[..., Doc]


def process_articles(articles: Sequence[dict[str, Any]], process: ProcessFn | None = None) -> dict[str, Doc]:
    """Dataset id -> processed Doc (its `id` set to the dataset id, for readable output)."""
    if process is None:
        import tidings

        process = tidings.process
    docs: dict[str, Doc] = {}
    for a in articles:
        doc = process(a["text"], published=a.get("date"), url=a.get("url"))
        doc.title = a.get("title")
        doc.id = a["id"]
        docs[a["id"]] = doc
    return docs


def assign_stories(articles: Sequence[dict[str, Any]], docs: Mapping[str, Doc]) -> dict[str, str]:
    """Article id -> story id from the real story index, in publication order."""
    from tidings.corpus.features import find_story_features
    from tidings.corpus.stories import MemoryArchive, StoryIndex

    index = StoryIndex(archive=MemoryArchive())
    order = sorted(articles, key=lambda a: (a.get("date") or "9999", a["id"]))
    for a in order:
        index.add(a["id"], find_story_features(docs[a["id"]]), copy_of=a.get("copy_of"))
    return {a["id"]: index.resolve(index.story_of(a["id"]) or "") for a in articles}


# --- scoring ------------------------------------------------------------------------------


def score_set(articles: Sequence[dict[str, Any]], labels: Sequence[GoldReport],
              docs: Mapping[str, Doc]) -> IncidentScores:
    """Merge the set's reports and score them against `labels`."""
    copy_of = {a["id"]: a["copy_of"] for a in articles if a.get("copy_of")}
    story_of = assign_stories(articles, docs)
    items = [(docs[a["id"]], e) for a in articles for e in docs[a["id"]].spans.get("events", [])]
    incidents = merge_incidents(items, copy_of=copy_of, story_of=story_of)
    of = {(r.article_id, r.event_idx): inc.id for inc in incidents for r in inc.reports}
    assignment: dict[int, str] = {}
    missed: list[str] = []
    mismatched = 0
    for i, row in enumerate(labels):
        doc = docs.get(row.article)
        if doc is None:
            raise ValueError(f"labels: unknown article {row.article!r}")
        start = doc.text.find(row.text)
        if start < 0:
            raise ValueError(f"labels: text not found in {row.article}: {row.text!r}")
        end = start + len(row.text)
        inside = [(j, e) for j, e in enumerate(doc.spans.get("events", []))
                  if start <= e.start < end and (row.article, j) in of]
        same_type = [(j, e) for j, e in inside if e.type == row.type]
        chosen = same_type or inside
        if not chosen:
            missed.append(f"{row.article}: {row.text}")
            continue
        if not same_type:
            mismatched += 1
        j, _ = max(chosen, key=lambda je: (je[1].confidence, -je[0]))
        assignment[i] = of[(row.article, j)]
    gold: dict[Hashable, Hashable] = {i: row.incident for i, row in enumerate(labels)}
    predicted: dict[Hashable, Hashable] = {i: inc for i, inc in assignment.items()}
    return IncidentScores(
        pairs=pair_scores(predicted, gold),
        bcubed=bcubed(predicted, gold),
        found=len(assignment) / len(labels) if labels else 0.0,
        rows=len(labels),
        gold_incidents=len(set(gold.values())),
        type_mismatch=mismatched,
        missed=tuple(missed),
        assignment=assignment,
        incidents=tuple(incidents),
    )


def evaluate(articles_path: Path, labels_path: Path, process: ProcessFn | None = None) -> IncidentScores:
    """Load, process and score one labelled set."""
    articles = load_articles(articles_path)
    return score_set(articles, load_labels(labels_path), process_articles(articles, process))


def incident_metrics(process: ProcessFn | None = None) -> list[Any]:
    """Incident-merging metrics as `tidings.evaluate.report.Metric`s:
    `<incidentdev|incidentdev2|incidentheldout>.incidents.pair_precision|pair_recall|pair_f1|
    bcubed_f1|found`."""
    from tidings.evaluate.report import Metric

    out = []
    for name, _, arts, labs in DATASETS:
        s = evaluate(arts, labs, process)
        detail = f"{s.rows} reports, {s.gold_incidents} gold incidents"
        out += [
            Metric("incidents", name, "pair_precision", s.pairs.precision,
                   f"{s.pairs.correct}/{s.pairs.predicted} predicted links"),
            Metric("incidents", name, "pair_recall", s.pairs.recall,
                   f"{s.pairs.correct}/{s.pairs.gold} gold links"),
            Metric("incidents", name, "pair_f1", s.pairs.f1, detail),
            Metric("incidents", name, "bcubed_f1", s.bcubed.f1, detail),
            Metric("incidents", name, "found", s.found, f"missed: {list(s.missed)}"),
        ]
    return out


def describe(scores: IncidentScores, labels: Sequence[GoldReport]) -> str:
    """Predicted incidents with the gold label of each labelled report, for a human reader."""
    gold_of: dict[tuple[str, int], str] = {}
    lines = []
    by_incident: dict[str, list[int]] = {}
    for i, incident_id in scores.assignment.items():
        by_incident.setdefault(incident_id, []).append(i)
    for inc in scores.incidents:
        rows = by_incident.get(inc.id, [])
        golds = sorted({labels[i].incident for i in rows})
        figures = ", ".join(f"{f.what} {f.value}x{f.reports}" for f in inc.figures)
        lines.append(f"{inc.id} {inc.type}{' NOT' if inc.negated else ''} {inc.date} "
                     f"({inc.date_basis}) actors={list(inc.actors)} targets={list(inc.targets)} "
                     f"places={list(inc.places)} sources={inc.sources} outlets={inc.outlets} "
                     f"gold={golds} conflicts={list(inc.conflicts)} {figures}")
        for r in inc.reports:
            gold_of.setdefault((r.article_id, r.event_idx), "")
            lines.append(f"      {r.article_id}#{r.event_idx} {r.event.date}/{r.event.date_source} "
                         f"{list(r.actors)} -> {list(r.targets)} @ {r.place}"
                         f"{' (copy)' if r.copy_of else ''}")
    if scores.missed:
        lines.append("missed: " + "; ".join(scores.missed))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the scores of both sets (the module docstring says how they are obtained)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--show", action="store_true", help="list the predicted incidents")
    parser.add_argument("--only", choices=[short for _, short, _, _ in DATASETS], action="append",
                        help="score only this set (repeatable); default: all")
    args = parser.parse_args(argv)
    for _, name, arts, labs in DATASETS:
        if args.only and name not in args.only:
            continue
        t0 = time.perf_counter()
        s = evaluate(arts, labs)
        p, b = s.pairs, s.bcubed
        print(f"{name}: {s.rows} reports, {s.gold_incidents} gold incidents, "
              f"{len(s.incidents)} predicted incidents ({time.perf_counter() - t0:.1f} s)")
        print(f"  pairs    P {p.precision:.3f}  R {p.recall:.3f}  F1 {p.f1:.3f}  "
              f"({p.correct} correct / {p.predicted} predicted / {p.gold} gold links)")
        print(f"  B-cubed  P {b.precision:.3f}  R {b.recall:.3f}  F1 {b.f1:.3f}")
        print(f"  found {s.found:.3f}  type mismatches {s.type_mismatch}")
        if args.show:
            print(describe(s, load_labels(labs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

