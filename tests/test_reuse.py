"""Reusing a canonical article's extraction for its syndicated copies (tidings/corpus/reuse.py),
the copy links the writer keeps when a group's canonical changes (tidings/store/copies.py)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from tidings.corpus.reuse import (
    COMPARED_GROUPS,
    agreement,
    align_copy,
    compare_extractions,
    plan_reuse,
    shift_spans,
)
from tidings.doc import Doc
from tidings.records import Entity, Negotiation, Place, Quote

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "tests" / "fixtures" / "copies" / "dev"
EXAMPLES = ROOT / "examples"

# Agreement floors (F1 of whole records, every field equal) between the reused extraction of a
# copy and a full extraction of the same copy, over the 16 labelled copy pairs of the dev set
# and the 3 of examples/. Measured (2026-11, tidings.corpus.reuse as shipped): entities 0.994,
# times 0.988, places 0.990, quotes 0.932, events 0.777 on the dev set. Events and quotes
# differ where an added paragraph is read without its neighbours (a date governed by an
# earlier sentence, a speaker named in another paragraph) and where a parsed sentence keeps
# a different amount of trailing whitespace.
FLOORS = {"entities": 0.95, "times": 0.95, "places": 0.95, "quotes": 0.85, "events": 0.70}

ORIGINAL = ("Talks between Armenia and Azerbaijan ended in Vienna on Tuesday.\n\n"
            "A dropped paragraph names Lena Aroyan.\n\n"
            "\"We will meet again,\" Aroyan said.")
COPY = ("Republished headline\n\n"
        "Talks between Armenia and Azerbaijan ended in Vienna on Tuesday.\n\n"
        "\"We will meet again,\" Aroyan said.\n\n"
        "A new closing paragraph mentions Geneva.")


def _at(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def _original_doc() -> Doc:
    doc = Doc(raw=ORIGINAL, text=ORIGINAL, published=dt.date(2024, 10, 2), published_precision="day")
    doc.spans["entities"] = [Entity(*_at(ORIGINAL, "Armenia"), "Armenia", "country", "ARM"),
                             Entity(*_at(ORIGINAL, "Lena Aroyan"), "Lena Aroyan", "person")]
    doc.spans["places"] = [Place(*_at(ORIGINAL, "Vienna"), "Vienna", "AT", 48.2, 16.37, "city")]
    quote = _at(ORIGINAL, "We will meet again,")
    speaker = _at(ORIGINAL, "Lena Aroyan")
    doc.spans["quotes"] = [Quote(*quote, "direct", "Lena Aroyan", True, *speaker)]
    doc.stages = ["clean", "parse", "entities", "places", "quotes"]
    return doc


def test_align_copy_covers_the_copy_once_with_pieces_and_added_text() -> None:
    alignment = align_copy(ORIGINAL, COPY)
    pieces = [COPY[p.start:p.end] for p in alignment.pieces]
    added = [COPY[s:e] for s, e in alignment.added]
    assert pieces == ["Talks between Armenia and Azerbaijan ended in Vienna on Tuesday.",
                      "\"We will meet again,\" Aroyan said."]
    assert added == ["Republished headline", "A new closing paragraph mentions Geneva."]
    for p in alignment.pieces:
        assert ORIGINAL[p.source_start:p.source_end] == COPY[p.start:p.end]
    blank_free = sum(1 for c in COPY if not c.isspace())
    covered = "".join(pieces + added)
    assert sum(1 for c in covered if not c.isspace()) == blank_free
    assert alignment.reused_share == pytest.approx(alignment.reused_chars / (alignment.reused_chars + alignment.added_chars))
    assert 0.5 < alignment.reused_share < 1


def test_spans_move_with_their_piece_and_dropped_text_takes_its_spans_along() -> None:
    original = _original_doc()
    spans, lost = shift_spans(original.spans, align_copy(ORIGINAL, COPY).pieces, ORIGINAL, COPY)
    assert lost == []
    assert [COPY[e.start:e.end] for e in spans["entities"]] == ["Armenia"]  # Lena Aroyan was dropped
    assert [COPY[p.start:p.end] for p in spans["places"]] == ["Vienna"]
    (quote,) = spans["quotes"]
    assert COPY[quote.start:quote.end] == "We will meet again,"
    # The speaker's introducing mention was in the dropped paragraph: the attribution stays,
    # its offsets (which would point at nothing) go.
    assert quote.speaker == "Lena Aroyan" and quote.speaker_start is None and quote.speaker_end is None


def test_a_doc_level_record_that_loses_evidence_makes_the_copy_read_in_full() -> None:
    original = _original_doc()
    venue = _at(ORIGINAL, "Lena Aroyan")  # evidence in the paragraph the copy drops
    original.spans["negotiation"] = [Negotiation(*_at(ORIGINAL, "Talks between"), ("Armenia", "Azerbaijan"),
                                                 venue="Vienna", venue_start=venue[0], venue_end=venue[1])]
    copy = Doc(raw=COPY, text=COPY, published=original.published, published_precision="day", stages=["clean"])
    assert plan_reuse(copy, original) is None and copy.spans == {}
    kept = _original_doc()
    kept.spans["negotiation"] = [Negotiation(*_at(ORIGINAL, "Talks between"), ("Armenia", "Azerbaijan"))]
    plan = plan_reuse(copy, kept)
    assert plan is not None
    (negotiation,) = copy.spans["negotiation"]
    assert COPY[negotiation.start:negotiation.end] == "Talks between"


def test_the_work_item_is_the_added_text_and_merge_shifts_its_spans_in() -> None:
    original = _original_doc()
    copy = Doc(raw=COPY, text=COPY, published=original.published, published_precision="day", stages=["clean"])
    plan = plan_reuse(copy, original)
    assert plan is not None
    item = plan.work_item()
    assert item is not copy and item.id == copy.id and item.stages == ["clean"]
    assert item.text == "Republished headline\n\nA new closing paragraph mentions Geneva."
    # What the pipeline would add when it reads the sub-Doc:
    item.spans["places"] = [Place(*_at(item.text, "Geneva"), "Geneva", "CH", 46.2, 6.14, "city")]
    item.spans["entities"] = []
    item.stages = ["clean", "parse", "entities", "places", "quotes"]
    merged = plan.merge(item)
    assert merged is copy
    assert [COPY[p.start:p.end] for p in merged.spans["places"]] == ["Vienna", "Geneva"]
    assert merged.stages == item.stages
    assert [COPY[e.start:e.end] for e in merged.spans["entities"]] == ["Armenia"]


def test_nothing_added_means_nothing_to_read() -> None:
    trimmed = ORIGINAL.split("\n\n")[0]
    original = _original_doc()
    copy = Doc(raw=trimmed, text=trimmed, published=original.published, published_precision="day", stages=["clean"])
    plan = plan_reuse(copy, original)
    assert plan is not None and plan.reused_share == 1.0
    assert plan.work_item() is copy and copy.stages == original.stages
    assert plan.merge(copy) is copy


def test_a_copy_sharing_too_little_is_read_in_full() -> None:
    other = "Completely different words about a harbour.\n\nAnother new paragraph about fishing boats."
    copy = Doc(raw=other + "\n\nVienna.", text=other + "\n\nVienna.", stages=["clean"])
    assert plan_reuse(copy, _original_doc()) is None


# --- with the model: faithfulness on the dev set and examples ------------------------------------


def _read_labelled() -> tuple[dict[str, Doc], list[tuple[str, str]]]:
    """Freshly read (uncleaned) Docs of the dev set and examples/ by label, and the labelled
    `(copy, original)` pairs of both."""
    import tidings
    from tidings.evaluate.copies import _ROW, load_examples, load_labels
    from tidings.readers import read_paths

    settings = tidings.load_settings()
    docs = {Path(d.source.path).stem: d for d in read_paths([str(DEV)], settings.read)
            if isinstance(d, Doc) and d.source}
    pairs = [(lab.copy, lab.original) for lab in load_labels(DEV / "pairs.tsv")]
    if (EXAMPLES / "README.md").is_file():
        readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
        label_of = {m.group(2): m.group(1) for line in readme.splitlines() if (m := _ROW.match(line))}
        for d in read_paths([str(EXAMPLES)], settings.read):
            if isinstance(d, Doc) and d.source:
                source = str(d.source).removeprefix(str(EXAMPLES)).lstrip("/")
                docs[f"examples:{label_of[source]}"] = d
        _, gold = load_examples(EXAMPLES, settings)
        pairs += [(f"examples:{a}", f"examples:{b}") for a, b in gold]
    return docs, pairs


@pytest.fixture(scope="module")
def measured(nlp) -> dict[str, dict[str, tuple[int, int, int]]]:  # type: ignore[no-untyped-def]
    import tidings
    from tidings.pipeline import build_pipeline

    settings = tidings.load_settings()
    pipeline = build_pipeline(settings)
    cleaner = build_pipeline(settings, annotate=False)
    docs, pairs = _read_labelled()
    assert len(pairs) == 19
    full_docs = pipeline.run_many(list(docs.values()))
    done = dict(zip(docs, full_docs))
    copies, _ = _read_labelled()

    totals: dict[str, dict[str, list[int]]] = {"records": {}, "spans": {}}
    for copy_name, original_name in pairs:
        original, full = done[original_name], done[copy_name]
        assert isinstance(original, Doc) and isinstance(full, Doc)
        copy = cleaner(copies[copy_name])
        plan = plan_reuse(copy, original)
        assert plan is not None, copy_name
        copy_path = copy_name
        reused = plan.merge(pipeline(plan.work_item()))
        for name in reused.spans:
            for r in reused.spans[name]:
                if hasattr(r, "start"):
                    assert 0 <= r.start <= r.end <= len(reused.text), (copy_path, name, r)
        for mode in ("records", "spans"):
            counts = compare_extractions(full, reused, spans_only=mode == "spans")
            for name, c in counts.items():
                acc = totals[mode].setdefault(name, [0, 0, 0])
                for i in range(3):
                    acc[i] += c[i]
    return {mode: {k: tuple(v) for k, v in groups.items()} for mode, groups in totals.items()}  # type: ignore[misc]


def test_reused_extraction_agrees_with_a_full_one(measured) -> None:  # type: ignore[no-untyped-def]
    scores = {name: agreement(measured["records"][name]) for name in COMPARED_GROUPS}
    print("record agreement", {k: round(v, 3) for k, v in scores.items()})
    print("span agreement", {k: round(agreement(measured["spans"][k]), 3) for k in COMPARED_GROUPS})
    for name, floor in FLOORS.items():
        assert scores[name] >= floor, (name, scores[name], measured["records"][name])


# --- the writer: reuse at ingest, and links when the canonical changes ---------------------------


def _ingest(paths: list[Path], db: Path) -> None:
    import tidings

    settings = tidings.load_settings(overrides=["ingest.workers=1"]) if _takes_overrides() else tidings.load_settings()
    report = tidings.ingest([str(p) for p in paths], db, settings=settings)
    assert report.failed == 0, report.failures


def _takes_overrides() -> bool:
    import inspect

    import tidings

    return "overrides" in inspect.signature(tidings.load_settings).parameters


def _copies(db: Path) -> dict[str, tuple[str, str, float]]:
    with sqlite3.connect(db) as conn:
        ids = {i: Path(src).stem for i, src in conn.execute("select id, source from articles")}
        rows = conn.execute("select article_id, canonical_id, kind, reused from copies").fetchall()
    return {ids[a]: (ids[c], kind, reused) for a, c, kind, reused in rows}


def test_an_extended_copy_reads_only_its_added_paragraph(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "t.db"
    _ingest([DEV / "copper-wire.txt"], db)
    _ingest([DEV / "copper-extended.txt"], db)
    copies = _copies(db)
    canonical, kind, share = copies["copper-extended"]
    assert canonical == "copper-wire" and kind == "extended"
    assert 0.7 < share < 1.0  # one closing paragraph of seven is new
    with sqlite3.connect(db) as conn:
        (doc_json,) = conn.execute("select doc_json from articles where source like '%copper-extended%'").fetchone()
    doc = json.loads(doc_json)
    added_from = doc["text"].index("The union said its members would gather")
    assert any(p["start"] >= added_from and p["name"] == "Antofagasta" for p in doc["places"]), doc["places"]
    for name in ("entities", "times", "places", "quotes", "events"):
        for record in doc[name]:
            assert doc["text"][record["start"]:record["end"]] == record["text"]


def test_a_late_earlier_published_canonical_takes_over_the_group(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "t.db"

    def redated(name: str, date: str) -> Path:
        path = tmp_path / f"{name}.txt"
        text = (DEV / f"{name}.txt").read_text(encoding="utf-8")
        path.write_text(f"date {date}" + text[len("date 2024-10-01"):], encoding="utf-8")
        return path

    # Two copies dated 2024-10-03 arrive first (the trimmed one founds the group), then the wire
    # original, dated 2024-10-01, arrives late and becomes the group's canonical.
    _ingest([redated("copper-trimmed", "2024-10-03")], db)
    _ingest([redated("copper-headline", "2024-10-03")], db)
    assert {a: row[:2] for a, row in _copies(db).items()} == {"copper-headline": ("copper-trimmed", "extended")}
    _ingest([DEV / "copper-wire.txt"], db)
    copies = _copies(db)
    assert "copper-wire" not in copies
    assert copies["copper-trimmed"][:2] == ("copper-wire", "trimmed")  # the old canonical's own row
    assert copies["copper-headline"][0] == "copper-wire"
    with sqlite3.connect(db) as conn:
        canon = {c for (c,) in conn.execute("select distinct canonical_id from copies")}
    assert len(canon) == 1


# --- holding a copy until its original, read in the same run, is stored (reuse_queue.py) ---------


def _copy_doc(text: str = COPY, url: str | None = None) -> Doc:
    return Doc(raw=text, text=text, url=url, published=dt.date(2024, 10, 2), published_precision="day",
               stages=["clean"])


def _done(item: Doc) -> Doc:
    """What the pipeline returns for a work item: the stages marked done, nothing found."""
    item.stages = ["clean", "parse", "entities", "places", "quotes"]
    return item


def test_a_copy_of_an_article_in_flight_is_held_then_reuses_its_stored_extraction() -> None:
    from tidings.corpus.reuse_queue import ReuseQueue

    stored: dict[str, Doc] = {}
    queue = ReuseQueue(stored.get, limit=10)
    original = _original_doc()
    queue.sent(original)
    copy = _copy_doc()
    assert queue.offer(copy, original.id) is None and len(queue) == 1  # the original is in flight
    assert list(queue.ready()) == []
    assert queue.received(original) is original
    assert list(queue.ready()) == []  # processed but not written yet
    stored[original.id] = original
    queue.written([original.id])
    (release,) = queue.ready()
    assert len(queue) == 0 and release.copy_id == copy.id and release.reused
    assert release.item.text == "Republished headline\n\nA new closing paragraph mentions Geneva."
    merged = queue.received(_done(queue.sent(release.item)))
    # The same as when the original was stored before the copy was read.
    earlier = plan_reuse(_copy_doc(), _original_doc())
    assert earlier is not None and release.share == earlier.reused_share
    expected = earlier.merge(_done(earlier.work_item()))
    assert merged is copy and merged.spans == expected.spans and merged.stages == expected.stages
    # A copy of a stored article is planned at once.
    at_once = queue.offer(_copy_doc(url="https://other.example/1"), original.id)
    assert at_once is not None and at_once.share == release.share


def test_a_copy_whose_original_fails_is_read_in_full_and_none_is_lost() -> None:
    from tidings.engines.local import ProcessFailure
    from tidings.errors import ReadFailure
    from tidings.corpus.reuse_queue import ReuseQueue

    queue = ReuseQueue(lambda _: None, limit=10)
    original = _original_doc()
    unreadable = ReadFailure("bad.jsonl:3", "not JSON")
    assert queue.sent(unreadable) is unreadable and queue.sent(original) is original
    copy = _copy_doc()
    assert queue.offer(copy, original.id) is None
    assert queue.received(unreadable) is unreadable  # results pair with what was sent, in order
    failure = ProcessFailure("wire.txt", "stage 'parse' failed")
    assert queue.received(failure) is failure
    (release,) = queue.ready()
    assert release.item is copy and release.share == 0.0 and not release.reused
    assert copy.spans == {}


def test_a_copy_sharing_too_little_with_an_article_in_flight_is_not_held() -> None:
    from tidings.corpus.reuse_queue import ReuseQueue

    queue = ReuseQueue(lambda _: None, limit=10)
    original = _original_doc()
    queue.sent(original)
    other = "Completely different words about a harbour.\n\nAnother new paragraph about fishing boats.\n\nVienna."
    release = queue.offer(_copy_doc(other), original.id)
    assert release is not None and release.share == 0.0 and release.item.text == other and len(queue) == 0


def test_held_copies_are_bounded_and_the_oldest_is_read_in_full() -> None:
    from tidings.corpus.reuse_queue import ReuseQueue

    stored: dict[str, Doc] = {}
    queue = ReuseQueue(stored.get, limit=2)
    original = _original_doc()
    queue.sent(original)
    copies = [_copy_doc(url=f"https://copy.example/{i}") for i in range(3)]
    assert all(queue.offer(c, original.id) is None for c in copies)
    (overflow,) = queue.ready()  # a third copy held: the first goes on, in full
    assert overflow.copy_id == copies[0].id and overflow.item is copies[0] and overflow.share == 0.0
    stored[original.id] = original
    queue.written([original.id])
    assert [(r.copy_id, r.reused) for r in queue.ready()] == [(copies[1].id, True), (copies[2].id, True)]


def test_at_the_end_every_held_copy_comes_out_once() -> None:
    from tidings.corpus.reuse_queue import ReuseQueue

    stored: dict[str, Doc] = {}
    queue = ReuseQueue(stored.get, limit=10)
    original = _original_doc()
    queue.sent(original)
    first = _copy_doc()
    second = _copy_doc(COPY + "\n\nA second copy adds a line about Geneva talks.")
    assert queue.offer(first, original.id) is None
    assert queue.offer(second, first.id) is None  # a copy of a copy waits for that copy
    queue.received(original)
    stored[original.id] = original
    queue.written([original.id])  # the final write
    releases = list(queue.rest())
    assert [r.copy_id for r in releases] == [first.id, second.id] and len(queue) == 0
    assert releases[0].reused and releases[1].item is second and not releases[1].reused


_FILLERS = [  # short, unrelated articles: none is a copy of another
    "Farmers in Kansas began the wheat harvest early after a dry spring, the state board said.",
    "A ferry carrying 300 passengers ran aground off Crete on Sunday; nobody was hurt.",
    "The central bank of Chile left its main interest rate unchanged at 5.75 percent.",
    "Lisbon opened a new metro line linking the airport with the old town.",
    "Heavy snow closed the mountain pass between Georgia and Russia for two days.",
    "A Danish brewery announced it would cut 400 jobs as beer sales fell.",
    "Kenyan runners took the first three places in the Berlin marathon.",
    "Police in Lyon arrested four men suspected of stealing paintings from a museum.",
    "Canada's wildfire season burned more forest than any year since records began.",
    "The Vatican library put ten thousand medieval manuscripts online.",
    "Mongolian herders lost thousands of goats in a bitter winter storm.",
    "An Australian court fined a mining company for polluting a river in Queensland.",
    "Norway's sovereign fund reported record returns on technology shares.",
    "Striking dock workers in Antwerp returned to work after a pay deal.",
    "Scientists in Peru found a new species of frog in a cloud forest.",
    "The mayor of Seoul unveiled a plan to plant a million trees by 2030.",
]


def _ingest_report(paths: list[Path], db: Path, batch_size: int = 200):  # type: ignore[no-untyped-def]
    import tidings

    settings = tidings.load_settings(overrides=["ingest.workers=1", f"store.batch_size={batch_size}"])
    report = tidings.ingest([str(p) for p in paths], db, settings=settings)
    assert report.failed == 0, report.failures
    return report


def _stored(db: Path, stem: str) -> tuple[dict, tuple]:  # type: ignore[type-arg]
    with sqlite3.connect(db) as conn:
        (doc_json,) = conn.execute("select doc_json from articles where source like ?", (f"%{stem}%",)).fetchone()
        row = conn.execute("select c.kind, c.reused, c.jaccard from copies c join articles a on a.id = c.article_id "
                           "where a.source like ?", (f"%{stem}%",)).fetchone()
    return json.loads(doc_json), row


@pytest.mark.parametrize("fillers", [0, 16])
def test_a_copy_read_in_the_same_run_as_its_original_is_stored_as_when_the_original_came_first(
        tmp_path: Path, nlp, caplog, fillers: int) -> None:  # type: ignore[no-untyped-def]
    import logging

    # With no fillers the copy waits to the end of the input (the whole run is one chunk) and
    # is read after the final write; with 16 short articles after it, the original is written
    # (batch size 1) while the input is still being read, and the copy goes on with the rest.
    filler = tmp_path / "fillers.jsonl"
    filler.write_text("".join(json.dumps({"text": t, "date": "2024-10-01"}) + "\n" for t in _FILLERS[:fillers]))
    earlier = tmp_path / "earlier.db"
    _ingest_report([DEV / "copper-wire.txt"], earlier)
    _ingest_report([DEV / "copper-extended.txt"], earlier)
    same_run = tmp_path / "same.db"
    with caplog.at_level(logging.INFO, logger="tidings.api"):
        report = _ingest_report([DEV / "copper-wire.txt", DEV / "copper-extended.txt", *[filler][:fillers]], same_run,
                                batch_size=1 if fillers else 200)
    assert (report.copies, report.reused, report.new) == (1, 1, 2 + fillers)
    assert ("held to the end of the input" in caplog.text) == (fillers == 0)
    doc, row = _stored(same_run, "copper-extended")
    assert (doc, row) == _stored(earlier, "copper-extended")
    assert row[0] == "extended" and 0.7 < row[1] < 1.0
