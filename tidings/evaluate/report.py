"""Run every scorer over the gold data, check the pinned floors, render the result.

`run_eval` processes each gold article once with `tidings.process` (the Doc is shared by all
scorers) and returns an `EvalReport`; `check_floors` compares it with `eval-floors.toml`;
`main` is what `tidings eval` calls.

Metric keys are `<dataset>.<extractor>.<name>`, e.g. `meantime.times.value_f1` or
`samples.quotes.speaker`; every metric is "higher is better".
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from tidings.doc import Doc
from tidings.evaluate import entities as entity_scores
from tidings.evaluate import places as place_scores
from tidings.evaluate import sample as sample_scores
from tidings.evaluate import speakers as speaker_scores
from tidings.evaluate import times as time_scores
from tidings.evaluate.align import check_raw, predicted
from tidings.evaluate.meantime import GoldDoc, load_meantime

log = logging.getLogger(__name__)

EXTRACTORS = ("reader", "cleaning", "times", "entities", "places", "quotes", "events", "negotiation",
              "copies", "stories", "incidents")
"""Names accepted by `only` (one per extractor or gold section)."""
MEANTIME_DIR = Path("nlp-eval-gold") / "meantime-en"
"""Where MEANTIME lives under the shared directory."""
SAMPLES_DIR = Path("samples")
"""Where the `*.gold.json` samples (beside their `.txt` articles) live under the shared dir."""
FLOORS_FILE = "eval-floors.toml"
"""Name of the floors file at the repository root."""
EXIT_OK = 0
EXIT_USAGE = 2
"""Exit code for a missing gold directory or an unknown `only` name (as the CLI's bad usage)."""
EXIT_BELOW_FLOOR = 3
"""Exit code when a metric is below its floor (the CLI's code for a failed quality gate)."""

ProcessFn = Callable[..., Doc]


@dataclass(frozen=True, slots=True)
class Metric:
    """One measured score."""

    extractor: str
    """What is scored: times, entities, quotes, places, cleaning, reader, events, negotiation."""
    dataset: str
    """Which gold: "meantime" or "samples"."""
    name: str
    """Score name ("value_f1", "named_actors.relaxed_f1", "found" ...)."""
    value: float | None
    """The score in [0, 1]; None when it cannot be computed yet (e.g. not yet extracted)."""
    detail: str = ""
    """Counts behind the value, or misses, for a human reader."""

    @property
    def key(self) -> str:
        """`<dataset>.<extractor>.<name>`, the key used in the floors file."""
        return f"{self.dataset}.{self.extractor}.{self.name}"


@dataclass(slots=True)
class EvalReport:
    """The metrics of one evaluation run."""

    metrics: list[Metric] = field(default_factory=list)
    """All measured metrics, in a stable order."""
    extractors: tuple[str, ...] = EXTRACTORS
    """The extractors that were scored (all, or those asked for with `only`)."""
    datasets: tuple[str, ...] = ()
    """The datasets that were found and scored."""
    notes: list[str] = field(default_factory=list)
    """Things a reader should know (a dataset missing, an extractor not run)."""

    def get(self, key: str) -> Metric | None:
        """The metric with this key, if measured."""
        return next((m for m in self.metrics if m.key == key), None)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict of the report."""
        return {
            "metrics": [{**asdict(m), "key": m.key} for m in self.metrics],
            "extractors": list(self.extractors),
            "datasets": list(self.datasets),
            "notes": list(self.notes),
        }


class _DocCache:
    """Runs each article through `process` once and hands out the same Doc afterwards."""

    def __init__(self, process: ProcessFn) -> None:
        self._process = process
        self._docs: dict[tuple[str, str | None], Doc] = {}

    def get(self, text: str, published: dt.date | str | None = None) -> Doc:
        key = (text, published.isoformat() if isinstance(published, dt.date) else published)
        if key not in self._docs:
            self._docs[key] = self._process(text, published=published)
        return self._docs[key]


def _default_process() -> ProcessFn:
    import tidings

    fn: ProcessFn = tidings.process
    return fn


def run_eval(shared: Path, only: Sequence[str] = (), *, process: ProcessFn | None = None) -> EvalReport:
    """Score the extractors named in `only` (default: all) on the gold data under `shared`.

    `shared` holds `nlp-eval-gold/meantime-en/` and `samples/*.gold.json`; a missing dataset is
    noted and skipped. `process` defaults to `tidings.process`. Raises ValueError for an
    unknown extractor name.
    """
    unknown = [name for name in only if name not in EXTRACTORS]
    if unknown:
        raise ValueError(f"unknown extractor(s) {unknown}; choose from {', '.join(EXTRACTORS)}")
    wanted = tuple(only) or EXTRACTORS
    report = EvalReport(extractors=wanted)
    cache = _DocCache(process or _default_process())
    shared = Path(shared)

    if {"times", "entities", "places", "quotes"} & set(wanted):
        meantime_root = shared / MEANTIME_DIR
        if meantime_root.is_dir():
            golds = load_meantime(meantime_root)
            pairs = [(g, cache.get(g.text, g.published)) for g in golds]
            report.metrics += meantime_metrics(pairs, wanted)
            report.datasets += ("meantime",)
        else:
            report.notes.append(f"MEANTIME not found at {meantime_root}; skipped")

    if "events" in wanted:
        from tidings.evaluate.petrarch import score_petrarch
        from tidings.evaluate.plover import score_plover

        event_metrics = score_plover(shared, cache.get) + score_petrarch(shared, cache.get)
        report.metrics += event_metrics
        report.datasets += tuple(sorted({m.dataset for m in event_metrics}))

    if "copies" in wanted:
        from tidings.evaluate.copies import copy_metrics

        copy_scores = copy_metrics()
        report.metrics += copy_scores
        report.datasets += tuple(sorted({m.dataset for m in copy_scores}))

    if "stories" in wanted:
        from tidings.evaluate.stories import HELDOUT_SET, load_dev_set, load_examples, story_metrics

        story_scores = story_metrics(load_dev_set(), load_examples(), load_dev_set(HELDOUT_SET))
        report.metrics += story_scores
        report.datasets += tuple(sorted({m.dataset for m in story_scores}))

    if "incidents" in wanted:
        from tidings.evaluate.incidents import incident_metrics

        incident_scores = incident_metrics()
        report.metrics += incident_scores
        report.datasets += tuple(sorted({m.dataset for m in incident_scores}))

    samples_root = shared / SAMPLES_DIR
    gold_files = sorted(samples_root.glob("*.gold.json")) if samples_root.is_dir() else []
    if gold_files:
        groups = []
        for gold_path in gold_files:
            article = gold_path.with_name(gold_path.name.removesuffix(".gold.json") + ".txt")
            if not article.is_file():
                report.notes.append(f"{gold_path.name}: no article {article.name} beside it; skipped")
                continue
            doc = cache.get(article.read_text(encoding="utf-8"))
            scores = sample_scores.score_sample(doc, sample_scores.load_sample_gold(gold_path))
            stem = article.stem
            for s in scores:
                s.misses = [f"{stem}: {m}" for m in s.misses] if len(gold_files) > 1 else s.misses
            groups.append(scores)
        for s in sample_scores.merge_scores(groups):
            if s.section not in wanted:
                continue
            detail = s.status if s.status != "scored" else f"{s.found}/{s.expected}"
            if s.misses:
                detail += "; missed: " + " | ".join(s.misses)
            report.metrics.append(Metric(s.section, "samples", s.name, s.value, detail))
        report.datasets += ("samples",)
    else:
        report.notes.append(f"no samples/*.gold.json under {shared}; skipped")
    return report


def meantime_metrics(pairs: Sequence[tuple[GoldDoc, Doc]], wanted: Sequence[str]) -> list[Metric]:
    """MEANTIME metrics for the wanted extractors from `(gold, processed Doc)` pairs."""
    out: list[Metric] = []
    for gold, doc in pairs:
        check_raw(doc, gold.text, gold.doc_id)

    def missing_note(group: str) -> str:
        absent = sum(1 for _, d in pairs if group not in d.spans)
        return f"; no '{group}' span group on {absent} docs" if absent else ""

    if "times" in wanted:
        scores, counts = time_scores.score_times([(g, predicted(d, "times")) for g, d in pairs])
        base = f"spans {counts.relaxed.describe()} (relaxed), {counts.strict.tp} strict" + missing_note("times")
        for name, value in scores.items():
            detail = base
            if name.startswith("type"):
                detail = f"type right on {counts.type_ok}/{counts.relaxed.tp} relaxed matches"
            elif name.startswith("value"):
                detail = f"value right on {counts.value_ok}/{counts.relaxed.tp} relaxed matches"
            out.append(Metric("times", "meantime", name, value, detail))

    if "entities" in wanted:
        by_key = entity_scores.score_entities([(g, predicted(d, "entities")) for g, d in pairs])
        note = missing_note("entities")
        for key, c in by_key.items():
            subset, mode = key.split(".")
            gated = " (gated)" if subset == entity_scores.GATED_SUBSET else ""
            for stat in ("precision", "recall", "f1"):
                out.append(Metric("entities", "meantime", f"{subset}.{mode}_{stat}",
                                  getattr(c, stat), c.describe() + gated + note))

    if "places" in wanted:
        by_mode = place_scores.score_places([(g, predicted(d, "places")) for g, d in pairs])
        note = missing_note("places")
        for mode, c in by_mode.items():
            for stat in ("precision", "recall", "f1"):
                out.append(Metric("places", "meantime", f"{mode}_{stat}", getattr(c, stat),
                                  c.describe() + note))

    if "quotes" in wanted:
        # Speakers of MEANTIME's speech *and cognition* events: quotes and attitudes both count
        # (see tidings/evaluate/speakers.py).
        sc = speaker_scores.score_speakers([(g, speaker_scores.doc_attributions(d)) for g, d in pairs])
        note = missing_note("quotes") + missing_note("attitudes")
        out.append(Metric("quotes", "meantime", "speaker_accuracy", sc.accuracy, sc.describe() + note))
        out.append(Metric("quotes", "meantime", "speaker_precision", sc.precision, sc.describe() + note))
        out.append(Metric("quotes", "meantime", "quote_speaker_precision", sc.quote_precision,
                          sc.describe() + note))
        out.append(Metric("quotes", "meantime", "attitude_speaker_precision", sc.attitude_precision,
                          sc.describe() + note))
        out.append(Metric("quotes", "meantime", "speech_speaker_accuracy", sc.speech_accuracy,
                          sc.describe_speech() + note))
    return out


# --- floors -----------------------------------------------------------------------------------


def default_floors_path() -> Path:
    """`eval-floors.toml` at the repository root (the parent of the `tidings` package)."""
    return Path(__file__).resolve().parents[2] / FLOORS_FILE


def load_floors(path: Path) -> dict[str, float]:
    """Floors by metric key; nested tables are flattened with dots."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    floors: dict[str, float] = {}

    def walk(prefix: str, node: dict[str, Any]) -> None:
        for key, value in node.items():
            full = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                walk(full, value)
            else:
                floors[full] = float(value)

    walk("", data)
    return floors


def check_floors(report: EvalReport, floors_path: Path | None = None) -> list[str]:
    """Violations of the floors in `floors_path` (default: the repo's eval-floors.toml).

    A floor is checked when its dataset and extractor were part of the run. A metric below its
    floor, a metric with no value under a positive floor, or a metric that should have been
    measured but is missing, is a violation.
    """
    path = floors_path or default_floors_path()
    floors = load_floors(path)
    violations: list[str] = []
    for key, floor in sorted(floors.items()):
        dataset, _, rest = key.partition(".")
        extractor = rest.partition(".")[0]
        if dataset not in report.datasets or extractor not in report.extractors:
            continue
        metric = report.get(key)
        if metric is None:
            violations.append(f"{key}: floor {floor:g} but the metric was not measured")
        elif metric.value is None:
            if floor > 0:
                violations.append(f"{key}: floor {floor:g} but no value ({metric.detail})")
        elif metric.value + 1e-9 < floor:
            violations.append(f"{key}: {metric.value:.3f} is below the floor {floor:g}")
    return violations


# --- rendering --------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def render_plain(report: EvalReport, floors: dict[str, float] | None = None) -> str:
    """The report as a plain-text table."""
    floors = floors or {}
    rows = [("metric", "value", "floor", "detail")]
    for m in report.metrics:
        floor = floors.get(m.key)
        rows.append((m.key, _fmt(m.value), "" if floor is None else f"{floor:g}", m.detail))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3] for r in rows]
    lines += [f"note: {n}" for n in report.notes]
    return "\n".join(lines)


def render_rich(report: EvalReport, floors: dict[str, float] | None = None, file: TextIO | None = None) -> None:
    """Print the report as a rich table (below-floor values in red)."""
    from rich.console import Console
    from rich.table import Table

    floors = floors or {}
    table = Table(title="tidings eval")
    for col in ("dataset", "extractor", "metric", "value", "floor", "detail"):
        table.add_column(col, overflow="fold")
    for m in report.metrics:
        floor = floors.get(m.key)
        below = floor is not None and m.value is not None and m.value + 1e-9 < floor
        value = f"[red]{_fmt(m.value)}[/red]" if below else _fmt(m.value)
        table.add_row(m.dataset, m.extractor, m.name, value,
                      "" if floor is None else f"{floor:g}", m.detail)
    console = Console(file=file or sys.stdout, soft_wrap=True)
    console.print(table)
    for note in report.notes:
        console.print(f"note: {note}")


def main(
    shared: Path | None = None,
    only: Sequence[str] = (),
    as_json: bool = False,
    floors_path: Path | None = None,
    *,
    plain: bool = False,
    process: ProcessFn | None = None,
) -> int:
    """Run the evaluation, print the table (or JSON), check floors; return the exit code.

    0 when every floor holds, 3 when a metric is below its floor, 2 when the gold directory is
    missing or `only` names an unknown extractor. `shared` defaults to `../shared` beside the
    repository.
    """
    shared = Path(shared) if shared else default_floors_path().parents[1] / "shared"
    if not shared.is_dir():
        print(f"error: gold directory {shared} not found; pass the shared data directory",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        report = run_eval(shared, only, process=process)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    floors_file = floors_path or default_floors_path()
    floors: dict[str, float] = {}
    violations: list[str] = []
    if floors_file.is_file():
        floors = load_floors(floors_file)
        violations = check_floors(report, floors_file)
    else:
        report.notes.append(f"no floors file at {floors_file}; quality gate not checked")
    if as_json:
        print(json.dumps({**report.to_json(), "floors": floors, "violations": violations}, indent=2))
    else:
        if plain:
            print(render_plain(report, floors))
        else:
            render_rich(report, floors)
        for v in violations:
            print(f"BELOW FLOOR: {v}")
        if not violations and floors:
            print(f"all {len(floors)} floors hold")
    return EXIT_BELOW_FLOOR if violations else EXIT_OK
