"""Builds the ordered stages from settings, checks what each needs and adds, and runs them.

A stage is a small named callable `(doc) -> doc` that declares the Doc attributes or span
groups it needs and the ones it adds. Building a pipeline fails early, naming the stage, when a
need is not met by an earlier stage; running it names the stage that raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from tidings.doc import Doc
from tidings.errors import PipelineError
from tidings.settings import Settings

log = logging.getLogger(__name__)

READ_PROVIDES = ("raw", "published", "source")
"""What every reader puts on a Doc before the first stage runs."""


@dataclass(frozen=True, slots=True)
class Stage:
    """One named step of the pipeline."""

    name: str
    """Short unique name, used in errors and in `doc.stages`."""
    run: Callable[[Doc], Doc]
    """The work: takes a Doc, returns it with `adds` filled."""
    needs: tuple[str, ...] = ()
    """What must be on the Doc before this stage (attribute or span-group names)."""
    adds: tuple[str, ...] = ()
    """What this stage puts on the Doc."""
    run_batch: Callable[[list[Doc]], list[Doc]] | None = None
    """Optional faster way to run the stage over several Docs at once (spaCy's `nlp.pipe`)."""


@dataclass(frozen=True, slots=True)
class Pipeline:
    """An ordered, checked list of stages."""

    stages: tuple[Stage, ...]
    """The stages in run order."""

    def __call__(self, doc: Doc) -> Doc:
        for stage in self.stages:
            if stage.name not in doc.stages:
                doc = _run_stage(stage, doc)
        return doc

    def run_many(self, docs: list[Doc]) -> list[Doc | PipelineError]:
        """Run every stage over `docs`, batching stages that can; a failure is returned in place
        of its Doc (naming the stage) and the other Docs go on."""
        results: list[Doc | PipelineError] = list(docs)
        for stage in self.stages:
            # A stage that already ran on a Doc (cleaning in the writer, an extraction reused
            # from the article a copy repeats) is not run again.
            live = [i for i, r in enumerate(results) if isinstance(r, Doc) and stage.name not in r.stages]
            if stage.run_batch is not None and len(live) > 1:
                try:
                    done = stage.run_batch([results[i] for i in live])  # type: ignore[misc]
                except Exception:
                    log.warning("batch run of stage %r failed; retrying one article at a time", stage.name)
                else:
                    for i, doc in zip(live, done):
                        doc.stages.append(stage.name)
                        results[i] = doc
                    continue
            for i in live:
                try:
                    results[i] = _run_stage(stage, results[i])  # type: ignore[arg-type]
                except PipelineError as exc:
                    results[i] = exc
        return results

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]


def _run_stage(stage: Stage, doc: Doc) -> Doc:
    try:
        doc = stage.run(doc)
    except Exception as exc:
        where = f" ({doc.source})" if doc.source else ""
        raise PipelineError(f"stage {stage.name!r} failed on article {doc.id}{where}: {exc}") from exc
    doc.stages.append(stage.name)
    return doc


def check_stages(stages: Iterable[Stage]) -> Pipeline:
    """Check that every stage's needs are added by an earlier stage (or by the reader)."""
    available = set(READ_PROVIDES)
    ordered = tuple(stages)
    for stage in ordered:
        missing = [need for need in stage.needs if need not in available]
        if missing:
            raise PipelineError(
                f"stage {stage.name!r} needs {missing}, which no earlier stage adds; "
                f"stages so far: {[s.name for s in ordered[: ordered.index(stage)]]}"
            )
        available.update(stage.adds)
    return Pipeline(ordered)


def build_pipeline(settings: Settings, *, annotate: bool = True) -> Pipeline:
    """The standard pipeline: clean, then (when `annotate`) the annotation stages."""
    from tidings.clean import make_clean_stage

    stages = [make_clean_stage(settings.clean)]
    if annotate:
        stages.extend(_annotation_stages(settings))
    return check_stages(stages)


def _annotation_stages(settings: Settings) -> list[Stage]:
    # Imported here so that reading and cleaning never pay for spaCy or the gazetteers.
    from tidings.extract.attitudes import make_attitudes_stage
    from tidings.extract.entities import make_entities_stage
    from tidings.extract.events import make_events_stage
    from tidings.extract.negotiation import make_negotiation_stage
    from tidings.extract.parse import make_parse_stage
    from tidings.extract.places import make_places_stage
    from tidings.extract.quotes import make_quotes_stage
    from tidings.extract.times import make_times_stage

    return [
        make_parse_stage(settings.model),
        make_entities_stage(settings.entities.extra_actor_files),
        make_times_stage(),
        make_places_stage(settings.places.extra_gazetteers),
        make_quotes_stage(),
        make_attitudes_stage(),
        make_events_stage(settings.events.extra_lexicons),
        make_negotiation_stage(event_lexicons=settings.events.extra_lexicons),
    ]
