"""The local runner: the pipeline in worker processes, results streamed back in input order.

Heavy resources (the spaCy model, gazetteers) are loaded once per worker by its initializer.
At most `max_pending_per_worker * workers` articles are in flight, so memory does not grow
with the size of the corpus. With one worker everything runs in this process.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from tidings.doc import Doc
from tidings.errors import PipelineError, ReadFailure
from tidings.pipeline import Pipeline, build_pipeline
from tidings.settings import Settings

log = logging.getLogger(__name__)

CHUNK_SIZE = 16
"""Articles per task sent to a worker, and per spaCy `nlp.pipe` call: amortises inter-process
overhead (a few ms per task) and lets spaCy batch, while keeping latency low."""

SMALL_RUN = 4
"""Runs of at most this many articles are processed in this process: starting workers (each
loading the model) costs more than it saves for a handful of articles."""

_worker_pipeline: Pipeline | None = None
_worker_error: str | None = None


@dataclass(frozen=True, slots=True)
class ProcessFailure:
    """An article that was read but failed in a pipeline stage."""

    source: str
    """Where the article came from (file and line or record)."""
    reason: str
    """The stage error."""

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


Result = Doc | ReadFailure | ProcessFailure


def resolve_workers(requested: int) -> int:
    """0 means one worker per CPU core."""
    return requested if requested > 0 else max(os.cpu_count() or 1, 1)


def run_local(
    items: Iterable[Doc | ReadFailure], settings: Settings, *, annotate: bool = True
) -> Iterator[Result]:
    """Run the pipeline over `items`, yielding processed Docs (and failures) in input order."""
    workers = resolve_workers(settings.ingest.workers)
    stream = iter(items)
    head = list(itertools.islice(stream, SMALL_RUN + 1))
    if workers == 1 or len(head) <= SMALL_RUN:
        pipeline = build_pipeline(settings, annotate=annotate)
        for batch in _batched(itertools.chain(head, stream), CHUNK_SIZE):
            docs = [item for item in batch if isinstance(item, Doc)]
            done = iter(_run_many(pipeline, docs))
            for item in batch:
                yield item if isinstance(item, ReadFailure) else next(done)
        return
    try:
        yield from _run_pool(itertools.chain(head, stream), settings, annotate, workers)
    except BrokenProcessPool as exc:
        raise PipelineError(f"a worker process died ({exc}); retry with --workers 1 to see the error") from exc


def _batched(items: Iterable[Doc | ReadFailure], size: int) -> Iterator[list[Doc | ReadFailure]]:
    # itertools.batched arrives in Python 3.12; tidings supports 3.11.
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def _run_many(pipeline: Pipeline, docs: list[Doc]) -> list[Doc | ProcessFailure]:
    out: list[Doc | ProcessFailure] = []
    for doc, result in zip(docs, pipeline.run_many(docs)):
        if isinstance(result, PipelineError):
            out.append(ProcessFailure(str(doc.source or doc.id), str(result)))
        else:
            result.parsed = None  # the spaCy parse is per-process working state, never shipped or stored
            out.append(result)
    return out


def _init_worker(settings: Settings, annotate: bool) -> None:
    global _worker_pipeline, _worker_error
    try:
        _worker_pipeline = build_pipeline(settings, annotate=annotate)
        if annotate and "parse" in _worker_pipeline.names:
            from tidings.extract.parse import load_model

            load_model(settings.model.name)
    except Exception as exc:  # reported on the first task, so the writer gets a clear error
        _worker_error = f"{type(exc).__name__}: {exc}"


def _run_chunk(docs: list[Doc]) -> list[Doc | ProcessFailure]:
    if _worker_pipeline is None:
        raise PipelineError(f"worker process could not build the pipeline: {_worker_error}")
    return _run_many(_worker_pipeline, docs)


def _run_pool(
    items: Iterable[Doc | ReadFailure], settings: Settings, annotate: bool, workers: int
) -> Iterator[Result]:
    max_pending = max(1, workers * settings.ingest.max_pending_per_worker // CHUNK_SIZE)
    # Each pending entry is either a finished read failure or a future for a chunk of Docs.
    pending: deque[ReadFailure | Future[list[Doc | ProcessFailure]]] = deque()
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(settings, annotate)) as pool:
        chunk: list[Doc] = []
        for item in items:
            if isinstance(item, ReadFailure):
                if chunk:
                    pending.append(pool.submit(_run_chunk, chunk))
                    chunk = []
                pending.append(item)
            else:
                chunk.append(item)
                if len(chunk) >= CHUNK_SIZE:
                    pending.append(pool.submit(_run_chunk, chunk))
                    chunk = []
            while len(pending) > max_pending:
                yield from _drain_one(pending)
        if chunk:
            pending.append(pool.submit(_run_chunk, chunk))
        while pending:
            yield from _drain_one(pending)


def _drain_one(pending: deque[ReadFailure | Future[list[Doc | ProcessFailure]]]) -> Iterator[Result]:
    head = pending.popleft()
    if isinstance(head, ReadFailure):
        yield head
    else:
        yield from head.result()
