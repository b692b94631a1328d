"""Scorers on hand-made gold and predictions, and the MEANTIME loader on the real corpus."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest

from tidings.doc import Doc, OffsetMap
from tidings.evaluate import entities as ent
from tidings.evaluate import places as plc
from tidings.evaluate import sample as smp
from tidings.evaluate import speakers as spk
from tidings.evaluate import times as tim
from tidings.evaluate.align import to_raw
from tidings.evaluate.meantime import GoldDoc, GoldMention, GoldSpeech, detokenize, load_meantime, token_form
from tidings.evaluate.report import EvalReport, Metric, check_floors, load_floors, main, render_plain, render_rich, run_eval
from tidings.evaluate.spans import Counts, match_spans, score_spans
from tidings.records import Entity, Place, Quote, Segment, TimeRef

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MEANTIME = SHARED / "nlp-eval-gold" / "meantime-en"


# --- spans ------------------------------------------------------------------------------------


def test_perfect_empty_and_half() -> None:
    gold = [(0, 5), (10, 15), (20, 25), (30, 35)]
    assert score_spans(gold, gold, "strict").f1 == 1.0
    empty = score_spans(gold, [], "relaxed")
    assert (empty.recall, empty.precision, empty.f1) == (0.0, 0.0, 0.0)
    half = score_spans(gold, [(0, 5), (10, 15)], "strict")
    assert (half.precision, half.recall) == (1.0, 0.5)
    assert half.f1 == pytest.approx(2 / 3)


def test_strict_and_relaxed_differ_on_shifted_boundary() -> None:
    gold = [(10, 20)]
    pred = [(12, 20)]
    assert score_spans(gold, pred, "strict").tp == 0
    assert score_spans(gold, pred, "relaxed").tp == 1


def test_matching_is_one_to_one_and_prefers_exact() -> None:
    # Two predictions overlap one gold span: only one may match, and the exact one wins.
    assert match_spans([(0, 10)], [(5, 12), (0, 10)], "relaxed") == [(0, 1)]
    assert score_spans([(0, 10)], [(5, 12), (0, 10)], "relaxed") == Counts(1, 1, 2)
    # The larger overlap wins a contested prediction, leaving the other gold span unmatched.
    assert match_spans([(0, 4), (3, 20)], [(2, 15)], "relaxed") == [(1, 0)]


def test_counts_add_micro_average() -> None:
    total = Counts(1, 2, 2) + Counts(3, 4, 6)
    assert (total.precision, total.recall) == (0.5, pytest.approx(4 / 6))


# --- a tiny hand-made gold article ------------------------------------------------------------

TEXT = (
    "Harbour deal signed\n\nMay 4, 2021\n\n"
    "Mayor Lena Ortiz said on Monday that the port of Valdera will reopen next week. "
    "The council agreed after two years of talks, Ortiz told reporters."
)


def _at(text: str, n: int = 1) -> tuple[int, int]:
    where = smp.find_occurrence(TEXT, text, n)
    assert where is not None, text
    return where


def _mention(text: str, label: str, n: int = 1, **attrs: str) -> GoldMention:
    s, e = _at(text, n)
    return GoldMention(s, e, label, dict(attrs))


def _gold() -> GoldDoc:
    sentences = []
    for m in re.finditer(r"[^\n]+?(?:\.(?= |$)|$)", TEXT, flags=re.M):
        sentences.append((m.start(), m.end()))
    timexes = (
        _mention("May 4, 2021", "DATE", value="2021-05-04", functionInDocument="CREATION_TIME"),
        _mention("Monday", "DATE", value="2021-05-03"),
        _mention("next week", "DATE", value="2021-W19"),
        _mention("two years", "DURATION", value="P2Y"),
    )
    ortiz = _mention("Mayor Lena Ortiz", "PER", syntactic_type="NAM", entity="Lena Ortiz")
    entities = (
        ortiz,
        _mention("Valdera", "LOC", syntactic_type="NAM", entity="Valdera"),
        _mention("The council", "ORG", syntactic_type="NOM", entity="Valdera council"),
        _mention("Ortiz", "PER", 2, syntactic_type="NAM", entity="Lena Ortiz"),
    )
    said, told = _at("said"), _at("told")
    speech = (
        GoldSpeech(said[0], said[1], (ortiz,)),
        GoldSpeech(told[0], told[1], (entities[3],)),
        GoldSpeech(*_at("agreed"), ()),
    )
    return GoldDoc("hand", TEXT, dt.date(2021, 5, 4), timexes, entities, speech, tuple(sentences))


def test_hand_gold_sentences_are_sane() -> None:
    gold = _gold()
    assert len(gold.sentences) == 4
    assert spk.sentence_index(gold, _at("said")[0]) == 2
    assert spk.sentence_index(gold, _at("told")[0]) == 3


def _times_as_gold(gold: GoldDoc) -> list[TimeRef]:
    return [TimeRef(m.start, m.end, m.label, m.attrs["value"]) for m in gold.timexes]  # type: ignore[arg-type]


def test_times_perfect_excludes_creation_time() -> None:
    gold = _gold()
    scores, counts = tim.score_times([(gold, _times_as_gold(gold))])
    assert counts.relaxed.n_gold == 3  # the CREATION_TIME date line is not scored
    assert counts.relaxed.n_pred == 3  # ...nor is a prediction on it
    assert all(v == 1.0 for v in scores.values()), scores


def test_times_empty_and_wrong_values() -> None:
    gold = _gold()
    scores, _ = tim.score_times([(gold, [])])
    assert scores["relaxed_recall"] == 0.0 and scores["value_f1"] == 0.0
    mon, week = _at("Monday"), _at("next week")
    pred = [
        TimeRef(mon[0], mon[1], "DATE", "2021-05-03"),  # exact, right value
        TimeRef(week[0] + 5, week[1], "DATE", "2021-W20"),  # "week": relaxed only, wrong value
        TimeRef(*_at("reporters"), "DATE", "PRESENT_REF"),  # spurious
    ]
    scores, counts = tim.score_times([(gold, pred)])
    assert counts.strict.tp == 1 and counts.relaxed.tp == 2
    assert scores["strict_precision"] == pytest.approx(1 / 3)
    assert scores["relaxed_recall"] == pytest.approx(2 / 3)
    assert scores["type_accuracy"] == 1.0
    assert scores["value_accuracy"] == 0.5
    # value F1: 1 right value over 3 predicted and 3 gold
    assert scores["value_f1"] == pytest.approx(1 / 3)


def test_entities_named_actors_subset() -> None:
    gold = _gold()
    perfect = [Entity(m.start, m.end, m.attrs["entity"], "person") for m in gold.entities]
    by_key = ent.score_entities([(gold, perfect)])
    assert by_key["all.strict"].f1 == 1.0
    # The nominal "The council" is in `all` but not in `named_actors`: predicting it costs
    # precision there. The named location "Valdera" counts neither way for actors.
    assert by_key["named_actors.strict"] == Counts(2, 2, 3)
    assert by_key["named.strict"] == Counts(3, 3, 4)
    # "Lena Ortiz" for gold "Mayor Lena Ortiz": relaxed but not strict.
    s, e = _at("Lena Ortiz")
    by_key = ent.score_entities([(gold, [Entity(s, e, "Lena Ortiz", "person")])])
    assert by_key["named_actors.strict"].tp == 0
    assert by_key["named_actors.relaxed"].tp == 1
    assert ent.score_entities([(gold, [])])["named_actors.relaxed"].recall == 0.0


def test_places_named_locations() -> None:
    gold = _gold()
    valdera = _at("Valdera")
    by_mode = plc.score_places([(gold, [Place(valdera[0], valdera[1], "Valdera", "IT", 45.0, 12.0)])])
    assert by_mode["strict"] == Counts(1, 1, 1)
    mayor = _at("Mayor")
    by_mode = plc.score_places([(gold, [Place(mayor[0], mayor[1], "Mayor", None, 0.0, 0.0)])])
    assert by_mode["relaxed"] == Counts(0, 1, 1)


def test_speakers_by_span_and_by_name() -> None:
    gold = _gold()
    s_said, s_told = _at("Monday that the port of Valdera will reopen next week"), _at(
        "The council agreed after two years of talks")
    sp = _at("Mayor Lena Ortiz")
    by_span = Quote(s_said[0], s_said[1], "indirect", "Lena Ortiz", True, sp[0] + 6, sp[1])
    by_name = Quote(s_told[0], s_told[1], "indirect", "LENA ORTIZ", True)
    c = spk.score_speakers([(gold, [by_span, by_name])])
    assert (c.gold, c.gold_correct) == (2, 2) and c.accuracy == 1.0
    assert (c.pred, c.pred_correct) == (2, 2)
    wrong = Quote(s_told[0], s_told[1], "indirect", "a council spokesman", False)
    c = spk.score_speakers([(gold, [wrong])])
    assert c.accuracy == 0.0 and c.precision == 0.0 and c.pred == 1
    assert spk.score_speakers([(gold, [])]).accuracy == 0.0
    assert spk.normalise_name("http://dbpedia.org/resource/Steve_Jobs") == "steve jobs"
    assert spk.same_name("anthony mann", "mr justice anthony mann")
    assert not spk.same_name("anthony mann", "steve jobs")


def test_to_raw_maps_cleaned_offsets_back() -> None:
    raw = "date 2021-05-04 Ortiz said it."
    text = "Ortiz said it."
    doc = Doc(raw=raw, text=text, offsets=OffsetMap((Segment(0, len(text), 16, len(raw)),)))
    quote = Quote(11, 13, "indirect", "Ortiz", True, 0, 5)
    (moved,) = to_raw(doc, [quote])
    assert raw[moved.start:moved.end] == "it"
    assert (moved.speaker_start, moved.speaker_end) == (16, 21)


# --- sample gold scoring on an invented article -----------------------------------------------

SAMPLE_RAW = (
    "date 2021-05-04 Mayor Lena Ortiz said on Monday the port of Valdera will reopen.\n\n"
    "Read more: Storm hits Brenta coast\n\n"
    '"We are ready," Ortiz said.'
)
SAMPLE_GOLD = {
    "published": "2021-05-04",
    "cleaning": {"must_remove": ["Read more: Storm hits Brenta coast", "date 2021-05-04"]},
    "times": {"must": [{"text": "Monday", "type": "DATE", "value": "2021-05-03"}]},
    "entities": {"must": [{"canonical": "Lena Ortiz", "kind": "person"}], "must_not": ["Brenta"]},
    "places": {"must": [{"text": "Valdera", "name": "Valdera", "lat": 45.0, "lon": 12.0}],
               "tolerance_km": 25},
    "quotes": {"must": [{"text": "We are ready,", "speaker": "Lena Ortiz"}],
               "must_not": ["Storm hits Brenta coast"]},
    "events": {"must": [{"type": "AGREE", "evidence": "will reopen"}]},
}


def _sample_doc(good: bool) -> Doc:
    cut_a = SAMPLE_RAW.index("Read more")
    cut_b = SAMPLE_RAW.index('"We')
    head = SAMPLE_RAW[16:cut_a]
    text = head + SAMPLE_RAW[cut_b:]
    doc = Doc(raw=SAMPLE_RAW, text=text, published=dt.date(2021, 5, 4),
              offsets=OffsetMap((Segment(0, len(head), 16, cut_a),
                                 Segment(len(head), len(text), cut_b, len(SAMPLE_RAW)))))
    if not good:
        doc.text, doc.offsets = SAMPLE_RAW, OffsetMap.identity(len(SAMPLE_RAW))
        doc.spans["entities"] = [Entity(*_find(SAMPLE_RAW, "Brenta"), "Brenta", "location")]
        return doc

    def at(s: str) -> tuple[int, int]:
        return _find(text, s)

    doc.spans["times"] = [TimeRef(*at("Monday"), "DATE", "2021-05-03")]
    doc.spans["entities"] = [Entity(*at("Mayor Lena Ortiz"), "Lena Ortiz", "person")]
    doc.spans["places"] = [Place(*at("Valdera"), "Valdera", "IT", 45.1, 12.1, "city")]
    doc.spans["quotes"] = [Quote(*at("We are ready,"), "direct", "Lena Ortiz", True)]
    return doc


def _find(text: str, s: str) -> tuple[int, int]:
    i = text.index(s)
    return i, i + len(s)


def test_sample_perfect_reading() -> None:
    scores = {(s.section, s.name): s for s in smp.score_sample(_sample_doc(True), SAMPLE_GOLD)}
    for key, s in scores.items():
        if key[0] == "events":
            assert s.status == "not yet extracted" and s.value is None
        else:
            assert s.value == 1.0, (key, s.misses)


def test_sample_bad_reading() -> None:
    scores = {(s.section, s.name): s for s in smp.score_sample(_sample_doc(False), SAMPLE_GOLD)}
    assert scores[("cleaning", "removed")].value == 0.0
    assert scores[("times", "found")].value == 0.0
    assert scores[("entities", "must_not_ok")].value == 0.0
    assert scores[("quotes", "found")].value == 0.0
    assert scores[("places", "located")].value == 0.0


def test_sample_occurrence_counts_in_raw() -> None:
    assert smp.find_occurrence("a b a b a", "a", 3) == (8, 9)
    assert smp.find_occurrence("a b", "a", 2) is None
    assert smp.same_quote_text("We are ready,", "we are ready")
    assert not smp.same_quote_text("We are ready to reopen the whole port today", "ready")


# --- report and floors ------------------------------------------------------------------------


def test_check_floors(tmp_path: Path) -> None:
    floors = tmp_path / "floors.toml"
    floors.write_text('"meantime.times.value_f1" = 0.5\n"meantime.times.type_f1" = 0.2\n'
                      '"meantime.quotes.speaker_accuracy" = 0.1\n"samples.events.found" = 0.0\n'
                      '"other.times.x" = 0.9\n')
    report = EvalReport(
        metrics=[Metric("times", "meantime", "value_f1", 0.4), Metric("times", "meantime", "type_f1", 0.3),
                 Metric("events", "samples", "found", None, "not yet extracted")],
        extractors=("times", "events"), datasets=("meantime", "samples"))
    violations = check_floors(report, floors)
    assert len(violations) == 1 and violations[0].startswith("meantime.times.value_f1")
    assert load_floors(floors)["meantime.times.type_f1"] == 0.2
    assert "meantime.times.value_f1" in render_plain(report)
    buffer = io.StringIO()
    render_rich(report, load_floors(floors), file=buffer)
    assert "value_f1" in buffer.getvalue() and "0.400" in buffer.getvalue()


def test_repo_floors_file_parses() -> None:
    floors = load_floors(ROOT / "eval-floors.toml")
    assert floors and all(0.0 <= v <= 1.0 for v in floors.values())


# --- MEANTIME loader --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def meantime() -> list[GoldDoc]:
    if not MEANTIME.is_dir():
        pytest.skip(f"MEANTIME is absent ({MEANTIME})")
    return load_meantime(MEANTIME)


def test_meantime_loads_thirty_docs(meantime: list[GoldDoc]) -> None:
    assert len(meantime) == 30
    assert len({d.doc_id for d in meantime}) == 30


def test_meantime_spans_are_the_tokens(meantime: list[GoldDoc]) -> None:
    # A contiguous markable's text is its tokens joined (spaces aside).
    import xml.etree.ElementTree as ET

    path = next(MEANTIME.glob("intra-doc_annotation/*/58383_*.xml"))
    root = ET.parse(path).getroot()
    tokens = {t.get("t_id"): token_form(t.text or "") for t in root.findall("token")}
    gold = next(d for d in meantime if d.doc_id.startswith("58383"))
    by_id = {m.attrs["m_id"]: m for m in gold.timexes + gold.entities}
    checked = 0
    markables = root.find("Markables")
    assert markables is not None
    for el in markables:
        ids = [a.get("t_id") for a in el.findall("token_anchor")]
        m = by_id.get(el.get("m_id", ""))
        if m is None or not ids:
            continue
        numbers = [int(i) for i in ids if i]
        if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
            continue  # discontinuous
        assert gold.text[m.start:m.end].replace(" ", "") == "".join(tokens[i] for i in ids)
        checked += 1
    assert checked > 20


def test_meantime_gold_text_matches_tokens_everywhere(meantime: list[GoldDoc]) -> None:
    for doc in meantime:
        for m in doc.timexes + doc.entities:
            assert 0 <= m.start < m.end <= len(doc.text)
            assert doc.text[m.start:m.end] == doc.text[m.start:m.end].strip()
        assert doc.text.count("\n\n") >= 2
        title, date_line = doc.text.split("\n\n")[:2]
        assert title and date_line


def test_meantime_published_and_speech(meantime: list[GoldDoc]) -> None:
    for doc in meantime:
        assert dt.date(2004, 1, 1) < doc.published < dt.date(2012, 1, 1)
        # the date line is the CREATION_TIME timex
        creation = [m for m in doc.timexes if tim.is_creation_time(m)]
        assert creation and creation[0].attrs["value"] == doc.published.isoformat()
    with_speaker = [s for d in meantime for s in d.speech if s.speakers]
    assert len(with_speaker) > 20
    named = [m.attrs.get("entity") for s in with_speaker for m in s.speakers]
    assert "Steve Jobs" in named


def test_meantime_detokenisation_reads_naturally() -> None:
    text, offsets, sentences = detokenize(
        [("Apple", 0), ("'s", 0), ("CEO", 0), (",", 0), ("``", 0), ("Hi", 0), ("''", 0),
         ("(", 1), ("$", 1), ("5", 1), (")", 1), ("we", 1), ("'", 1), ("re", 1), ("Jobs", 1), ("'", 1),
         ("health", 1), (".", 1)])
    assert text == 'Apple\'s CEO, "Hi"\n\n($5) we\'re Jobs\' health.'
    assert [text[s:e] for s, e in offsets][:2] == ["Apple", "'s"]
    assert len(sentences) == 2


def test_run_eval_with_gold_as_prediction(meantime: list[GoldDoc], tmp_path: Path) -> None:
    """The whole report path, with a stand-in `process` that predicts the gold itself."""
    by_text = {g.text: g for g in meantime}

    def gold_process(text: str, published: object = None) -> Doc:
        doc = Doc(raw=text, text=text, offsets=OffsetMap.identity(len(text)))
        gold = by_text.get(text)
        if gold is not None:
            doc.spans["times"] = [TimeRef(m.start, m.end, m.label, m.attrs.get("value", ""))  # type: ignore[arg-type]
                                  for m in gold.timexes]
            doc.spans["entities"] = [Entity(m.start, m.end, m.attrs.get("entity", ""), "other")
                                     for m in gold.entities if ent.SUBSETS["named_actors"](m)]
            doc.spans["places"] = [Place(m.start, m.end, m.attrs.get("entity", ""), None, 0.0, 0.0)
                                   for m in gold.entities if plc.is_named_place(m)]
            doc.spans["quotes"] = [Quote(s.cue_start, s.cue_end, "indirect", None, False,
                                         s.speakers[0].start, s.speakers[0].end)
                                   for s in gold.speech if s.speakers]
        return doc

    shared = tmp_path / "shared"
    (shared / "nlp-eval-gold").mkdir(parents=True)
    (shared / "nlp-eval-gold" / "meantime-en").symlink_to(MEANTIME)
    report = run_eval(shared, only=("times", "entities", "places", "quotes"), process=gold_process)
    values = {m.key: m.value for m in report.metrics}
    assert values["meantime.times.value_f1"] == 1.0
    assert values["meantime.times.strict_f1"] == 1.0
    assert values["meantime.entities.named_actors.strict_f1"] == 1.0
    assert values["meantime.entities.all.strict_precision"] == 1.0
    assert values["meantime.places.strict_f1"] == 1.0
    assert values["meantime.quotes.speaker_accuracy"] == 1.0
    assert values["meantime.quotes.speaker_precision"] == 1.0

    floors = tmp_path / "floors.toml"
    floors.write_text('"meantime.times.value_f1" = 0.99\n')
    assert main(shared, only=("times",), as_json=True, floors_path=floors, process=gold_process) == 0
    floors.write_text('"meantime.entities.all.strict_recall" = 0.99\n')
    assert main(shared, only=("entities",), plain=True, floors_path=floors, process=gold_process) == 3
    assert main(shared, only=("bogus",), floors_path=floors, process=gold_process) == 2


def test_main_json_output(meantime: list[GoldDoc], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shared = tmp_path / "shared"
    (shared / "nlp-eval-gold").mkdir(parents=True)
    (shared / "nlp-eval-gold" / "meantime-en").symlink_to(MEANTIME)
    floors = tmp_path / "floors.toml"
    floors.write_text('"meantime.times.relaxed_recall" = 0.5\n')

    def nothing(text: str, published: object = None) -> Doc:
        return Doc(raw=text, text=text, offsets=OffsetMap.identity(len(text)))

    assert main(shared, only=("times",), as_json=True, floors_path=floors, process=nothing) == 3
    out = json.loads(capsys.readouterr().out)
    assert out["violations"] and out["violations"][0].startswith("meantime.times.relaxed_recall")
    assert any(m["key"] == "meantime.times.relaxed_recall" and m["value"] == 0.0 for m in out["metrics"])
