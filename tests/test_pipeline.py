from __future__ import annotations

import pytest

from tidings.doc import Doc
from tidings.errors import PipelineError
from tidings.pipeline import Stage, check_stages


def _add(name: str, needs: tuple[str, ...], adds: tuple[str, ...]) -> Stage:
    def run(doc: Doc) -> Doc:
        for group in adds:
            doc.spans[group] = []
        return doc

    return Stage(name, run, needs, adds)


def test_needs_must_be_met_by_an_earlier_stage() -> None:
    with pytest.raises(PipelineError, match="'quotes' needs \\['entities'\\]"):
        check_stages([_add("clean", ("raw",), ("text",)), _add("quotes", ("text", "entities"), ("quotes",))])


def test_stages_run_in_order_and_are_recorded() -> None:
    pipeline = check_stages([_add("clean", ("raw",), ("text",)), _add("entities", ("text",), ("entities",))])
    doc = pipeline(Doc(raw="x"))
    assert doc.stages == ["clean", "entities"]


def test_failing_stage_is_named() -> None:
    def boom(doc: Doc) -> Doc:
        raise ValueError("bad thing")

    pipeline = check_stages([Stage("boom", boom, ("raw",), ())])
    with pytest.raises(PipelineError, match="stage 'boom' failed .*bad thing"):
        pipeline(Doc(raw="x"))


def test_run_many_batches_and_isolates_failures() -> None:
    calls: list[int] = []

    def batch(docs: list[Doc]) -> list[Doc]:
        calls.append(len(docs))
        for doc in docs:
            doc.spans["seen"] = []
        return docs

    def picky(doc: Doc) -> Doc:
        if doc.raw == "bad":
            raise ValueError("cannot read this one")
        return doc

    pipeline = check_stages([Stage("batch", lambda d: d, ("raw",), ("seen",), run_batch=batch),
                             Stage("picky", picky, ("seen",), ())])
    results = pipeline.run_many([Doc(raw="a"), Doc(raw="bad"), Doc(raw="c")])
    assert calls == [3]
    assert isinstance(results[1], PipelineError) and "stage 'picky'" in str(results[1])
    assert [r.stages for r in results if isinstance(r, Doc)] == [["batch", "picky"], ["batch", "picky"]]
