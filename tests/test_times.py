"""Tests for the time-expression extractor (tidings.extract.times) and its normaliser."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidings.doc import SPAN_GROUPS, Doc
from tidings.extract.timelex import MONTHS
from tidings.extract.times import find_times, make_times_stage, normalise, normalise_full, tense_at
from tidings.records import TimeRef

MONDAY = dt.date(2024, 8, 26)  # publication date of the shared sample, a Monday
from conftest import SAMPLE, SAMPLE_GOLD, SHARED  # noqa: E402  (../shared locations, one place)



def make_doc(text: str, published: dt.date | None = MONDAY, precision: str = "day", nlp=None) -> Doc:
    doc = Doc(raw=text, text=text, published=published,
              published_precision=precision if published else "unknown")  # type: ignore[arg-type]
    doc.parsed = nlp(text) if nlp is not None else None
    return doc


def spans(doc: Doc) -> list[tuple[str, str, str]]:
    return [(doc.text[t.start : t.end], t.type, t.value) for t in find_times(doc)]


# --- normalise: every case of the brief --------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "tense", "expected"),
    [
        ("on Sunday", "past", ("DATE", "2024-08-25", "publication")),
        ("Sunday", "past", ("DATE", "2024-08-25", "publication")),
        ("Saturday", "past", ("DATE", "2024-08-24", "publication")),
        # The publication day's own weekday in past tense is the publication day.
        ("Monday", "past", ("DATE", "2024-08-26", "publication")),
        ("Monday", "future", ("DATE", "2024-08-26", "publication")),
        ("Friday", "future", ("DATE", "2024-08-30", "publication")),
        ("Thursday", None, ("DATE", "2024-08-29", "publication")),  # nearest
        ("Friday", None, ("DATE", "2024-08-23", "publication")),
        ("last Sunday", None, ("DATE", "2024-08-25", "publication")),
        ("next Monday", None, ("DATE", "2024-09-02", "publication")),
        ("October 7, 2023", None, ("DATE", "2023-10-07", "absolute")),
        ("7 October 2023", None, ("DATE", "2023-10-07", "absolute")),
        ("Oct. 7", "past", ("DATE", "2023-10-07", "publication")),
        ("Oct. 7", "future", ("DATE", "2024-10-07", "publication")),
        ("2024-08-26", None, ("DATE", "2024-08-26", "absolute")),
        ("08/26/2024", None, ("DATE", "2024-08-26", "absolute")),
        ("26/08/2024", None, ("DATE", "2024-08-26", "absolute")),  # day first: 26 > 12
        ("03/04/2024", None, ("DATE", "2024-03-04", "absolute")),  # ambiguous: month first
        ("26.08.2024", None, ("DATE", "2024-08-26", "absolute")),
        ("July 2", "past", ("DATE", "2024-07-02", "publication")),
        ("in July", "past", ("DATE", "2024-07", "publication")),
        ("July", None, ("DATE", "2024-07", "publication")),
        ("December", "past", ("DATE", "2023-12", "publication")),
        ("1990s", None, ("DATE", "199", "absolute")),
        ("the 1990s", None, ("DATE", "199", "absolute")),
        ("2008", None, ("DATE", "2008", "absolute")),
        ("this year", None, ("DATE", "2024", "publication")),
        ("last year", None, ("DATE", "2023", "publication")),
        ("next month", None, ("DATE", "2024-09", "publication")),
        ("last week", None, ("DATE", "2024-W34", "publication")),
        ("this week", None, ("DATE", "2024-W35", "publication")),
        ("earlier this year", None, ("DATE", "2024", "publication")),
        ("later this month", None, ("DATE", "2024-08", "publication")),
        ("this morning", None, ("TIME", "2024-08-26TMO", "publication")),
        ("tonight", None, ("TIME", "2024-08-26TNI", "publication")),
        ("last night", None, ("TIME", "2024-08-25TNI", "publication")),
        ("yesterday", None, ("DATE", "2024-08-25", "publication")),
        ("today", None, ("DATE", "2024-08-26", "publication")),
        ("tomorrow", None, ("DATE", "2024-08-27", "publication")),
        ("the coming days", None, ("DATE", "FUTURE_REF", "publication")),
        ("recent weeks", None, ("DATE", "PAST_REF", "publication")),
        ("recently", None, ("DATE", "PAST_REF", "publication")),
        ("now", None, ("DATE", "PRESENT_REF", "publication")),
        ("some day", None, ("DATE", "FUTURE_REF", "publication")),  # not a vague length PXD
        ("the other day", None, ("DATE", "PAST_REF", "publication")),
        ("currently", None, ("DATE", "PRESENT_REF", "publication")),
        ("three years ago", None, ("DATE", "2021", "publication")),
        ("two days ago", None, ("DATE", "2024-08-24", "publication")),
        ("two weeks", None, ("DURATION", "P2W", "absolute")),
        ("the first quarter", "past", ("DATE", "2024-Q1", "publication")),
        ("the fourth quarter", "past", ("DATE", "2023-Q4", "publication")),
        ("the third quarter of 2008", None, ("DATE", "2008-Q3", "absolute")),
        ("this summer", None, ("DATE", "2024-SU", "publication")),
        ("the fall of 2023", None, ("DATE", "2023-FA", "absolute")),
        ("16 days", None, ("DURATION", "P16D", "absolute")),
        ("two years", None, ("DURATION", "P2Y", "absolute")),
        ("months", None, ("DURATION", "PXM", "absolute")),
        ("years", None, ("DURATION", "PXY", "absolute")),
        ("several weeks", None, ("DURATION", "PXW", "absolute")),
        ("a decade", None, ("DURATION", "P10Y", "absolute")),  # decades_as_years = true
        ("two decades", None, ("DURATION", "P20Y", "absolute")),
        ("a week", None, ("DURATION", "P1W", "absolute")),
        ("48 hours", None, ("DURATION", "PT48H", "absolute")),
        ("two and a half years", None, ("DURATION", "P2.5Y", "absolute")),
        ("the past decade", None, ("DURATION", "P10Y", "absolute")),
        ("the next six months", None, ("DURATION", "P6M", "absolute")),
        ("decades-long", None, ("DURATION", "PXY", "absolute")),
        ("every Friday", None, ("SET", "XXXX-WXX-5", "absolute")),
        ("daily", None, ("SET", "P1D", "absolute")),
        ("weekly", None, ("SET", "P1W", "absolute")),
        ("each year", None, ("SET", "P1Y", "absolute")),
        ("twice a week", None, ("SET", "P1W", "absolute")),
        ("10 a.m.", None, ("TIME", "2024-08-26T10:00", "publication")),
        ("10:30 p.m.", None, ("TIME", "2024-08-26T22:30", "publication")),
        ("noon", None, ("TIME", "2024-08-26T12:00", "publication")),
        ("fiscal 2009", None, ("DATE", "FY2009", "absolute")),
        ("the end of the year", None, ("DATE", "2024", "publication")),
        ("over the weekend", "past", ("DATE", "2024-W34-WE", "publication")),
    ],
)
def test_normalise_cases(expression, tense, expected):
    assert normalise(expression, MONDAY, "day", tense) == expected


def test_month_day_without_year_moves_back_a_year_in_past_tense():
    january = dt.date(2024, 1, 10)
    assert normalise("December 20", january, "day", "past") == ("DATE", "2023-12-20", "publication")
    assert normalise("December 20", january, "day", "future") == ("DATE", "2024-12-20", "publication")
    assert normalise("December 20", january, "day", None) == ("DATE", "2023-12-20", "publication")


def test_no_publication_date_leaves_relative_expressions_unresolved():
    for expression in ("Sunday", "yesterday", "last week", "this year", "July", "July 2", "three years ago"):
        assert normalise(expression, None, "unknown", "past") == ("DATE", "", "unresolved"), expression
    # What needs no calendar keeps its value.
    assert normalise("October 7, 2023", None, "unknown", None) == ("DATE", "2023-10-07", "absolute")
    assert normalise("16 days", None, "unknown", None) == ("DURATION", "P16D", "absolute")
    assert normalise("recently", None, "unknown", None) == ("DATE", "PAST_REF", "unresolved")


def test_month_precision_resolves_months_and_years_but_not_days():
    august = dt.date(2024, 8, 1)
    assert normalise("this year", august, "month", None) == ("DATE", "2024", "publication")
    assert normalise("last month", august, "month", None) == ("DATE", "2024-07", "publication")
    assert normalise("yesterday", august, "month", None) == ("DATE", "", "unresolved")
    assert normalise("Sunday", august, "month", "past") == ("DATE", "", "unresolved")
    assert normalise("last week", august, "month", None) == ("DATE", "", "unresolved")


def test_not_time_expressions():
    for text in ("59-year-old", "five years old", "the minutes", "May I", "hello", "", "2,500"):
        assert normalise(text, MONDAY, "day", None) is None, text


def test_every_month_name_maps_to_a_calendar_month():
    assert set(MONTHS.values()) == set(range(1, 13))


# --- Detection without a parse (offsets exact) ----------------------------------------------


def test_detection_offsets_on_invented_text():
    text = ("Talks resumed on Sunday after months of delay. The envoy, 59-year-old Omar Haddad, "
            "said a deal could come within two weeks, but officials expect it in the coming days. "
            "The previous round ended on 12 March 2024, and a summit is planned for Oct. 3.")
    doc = make_doc(text)
    found = [(t.start, t.end, t.type) for t in find_times(doc)]
    expected = [
        ("Sunday", "DATE"),
        ("months", "DURATION"),
        ("two weeks", "DURATION"),
        ("the coming days", "DATE"),
        ("12 March 2024", "DATE"),
        ("Oct. 3", "DATE"),
    ]
    assert found == [(text.index(s), text.index(s) + len(s), type_) for s, type_ in expected]


def test_detection_values_without_parse():
    doc = make_doc("In July, the ministry published figures for the first quarter and for 2023.")
    assert spans(doc) == [
        ("July", "DATE", "2024-07"),
        ("the first quarter", "DATE", "2024-Q1"),
        ("2023", "DATE", "2023"),
    ]


def test_ages_measures_and_names_are_not_times():
    doc = make_doc("A 14.5-km-long road, a 59-year-old man aged 59 and April Ryan, "
                   "who may speak. The Daily Telegraph reported it in the minutes.")
    assert find_times(doc) == []


def test_modifiers_stay_out_of_the_extent_but_set_mod():
    text = "The dispute has lasted more than a year."
    (ref,) = find_times(make_doc(text))
    assert text[ref.start : ref.end] == "a year"
    assert (ref.value, ref.mod) == ("P1Y", "MORE_THAN")


def test_sets_clock_times_and_vague_references():
    doc = make_doc("The council meets every Friday at 10 a.m., publishes weekly figures and "
                   "votes twice a year; it currently sits until noon and will rule soon.")
    assert spans(doc) == [
        ("every Friday", "SET", "XXXX-WXX-5"),
        ("10 a.m.", "TIME", "2024-08-26T10:00"),
        ("weekly", "SET", "P1W"),
        ("twice a year", "SET", "P1Y"),
        ("currently", "DATE", "PRESENT_REF"),
        ("noon", "TIME", "2024-08-26T12:00"),
        ("soon", "DATE", "FUTURE_REF"),
    ]


def test_yearless_date_takes_the_year_of_a_full_date_in_its_sentence():
    doc = make_doc("The record fall came on September 17, 2001, after the September 11 attacks. "
                   "Talks resume on September 11.")
    assert [v for _, _, v in spans(doc)] == ["2001-09-17", "2001-09-11", "2024-09-11"]


def test_relative_to_last_mentioned_date():
    doc = make_doc("He founded the firm in 1984. One year later he sold it, and the following year he retired.")
    assert [v for _, _, v in spans(doc)] == ["1984", "1985", "1986"]


def test_unknown_publication_date_gives_unresolved_refs():
    doc = make_doc("On Sunday the talks failed; they began on October 7, 2023.", published=None)
    refs = find_times(doc)
    assert [(r.value, r.anchor) for r in refs] == [("", "unresolved"), ("2023-10-07", "absolute")]


# --- With the spaCy parse: tense and NER evidence ---------------------------------------------


@pytest.mark.model
def test_tense_moves_weekdays_and_months(nlp):
    doc = make_doc("The delegation met in Doha on Thursday. Talks will resume on Thursday. "
                   "Hamas said it had agreed in December. The summit is scheduled to begin on Wednesday.",
                   nlp=nlp)
    assert [v for _, _, v in spans(doc)] == ["2024-08-22", "2024-08-29", "2023-12", "2024-08-28"]


@pytest.mark.model
def test_tense_at_reads_auxiliaries(nlp):
    text = "She had left on Friday. He will arrive on Friday. They are here now."
    parsed = nlp(text)
    first = text.index("Friday")
    second = text.index("Friday", first + 1)
    now = text.index("now")
    assert tense_at(parsed, first, first + 6) == "past"
    assert tense_at(parsed, second, second + 6) == "future"
    assert tense_at(parsed, now, now + 3) == "present"
    assert tense_at(None, 0, 3) is None


@pytest.mark.model
def test_numbers_spacy_calls_cardinal_are_not_years(nlp):
    doc = make_doc("The 2024 report counted 2024 votes in 1998 districts.", nlp=nlp)
    assert [s for s, _, _ in spans(doc)] == ["2024"]


@pytest.mark.model
@pytest.mark.shared
def test_shared_sample_gold_times(nlp):
    if not SAMPLE.exists() or not SAMPLE_GOLD.exists():
        pytest.skip(f"shared sample not found at {SAMPLE.parent} (only present beside a tidings checkout)")
    raw = SAMPLE.read_text(encoding="utf-8")
    gold = json.loads(SAMPLE_GOLD.read_text(encoding="utf-8"))["times"]["must"]
    doc = make_doc(raw, nlp=nlp)
    refs = find_times(doc)
    for item in gold:
        start = -1
        for _ in range(item.get("occurrence", 1)):
            start = raw.index(item["text"], start + 1)
        end = start + len(item["text"])
        hits = [r for r in refs if r.start <= start and end <= r.end]
        assert hits, f"missing {item}"
        assert (hits[0].type, hits[0].value) == (item["type"], item["value"]), item
    texts = [raw[r.start : r.end] for r in refs]
    assert "14.5-km-long" not in " ".join(texts)
    assert "One" not in texts


MEANTIME = SHARED / "nlp-eval-gold" / "meantime-en"
MEANTIME_VALUE_F1_FLOOR = 0.81
"""TempEval-3 value F1 on the MEANTIME Apple portion must not fall below this (measured 0.845
after the undated-point, anaphora and fiscal-year rules, 0.828 before; HeidelTime reports 0.78
on TempEval-3). About three gold items of slack below the measured value."""
MEANTIME_RELAXED_F1_FLOOR = 0.93
"""Relaxed span F1 floor on the same data (measured 0.969; 0.943 before the rules above)."""


@pytest.mark.model
@pytest.mark.shared
def test_meantime_time_scores(nlp):
    """Scores find_times on MEANTIME (run with -s to see the figures)."""
    if not MEANTIME.exists():
        pytest.skip(f"MEANTIME gold not found at {MEANTIME} (only present beside a tidings checkout)")
    from tidings.evaluate.meantime import load_meantime
    from tidings.evaluate.times import score_times

    items = []
    for gold in load_meantime(MEANTIME):
        doc = make_doc(gold.text, published=gold.published, nlp=nlp)
        items.append((gold, find_times(doc)))
    scores, counts = score_times(items)
    print("\nMEANTIME times:", " ".join(f"{k}={v:.3f}" for k, v in scores.items()), counts)
    assert scores["value_f1"] >= MEANTIME_VALUE_F1_FLOOR
    assert scores["relaxed_f1"] >= MEANTIME_RELAXED_F1_FLOOR


# --- Undated points, anaphora, fiscal years, ISO weeks ----------------------------------------


def located(doc: Doc) -> list[tuple[int, int, str, str, str]]:
    """(start, end, type, value, anchor) of every time found."""
    return [(t.start, t.end, t.type, t.value, t.anchor) for t in find_times(doc)]


@pytest.mark.model
def test_sequence_adverbs_are_undated_points(nlp):
    text = ("The minister later said talks would resume at a later date. Sooner or later the "
            "money runs out, and the deal must close no later than June 30, 2025. Later models "
            "sold well, the firm said earlier.")
    later = text.index("later said")
    date = text.index("a later date")
    earlier = text.index("earlier.")
    june = text.index("June 30, 2025")
    assert located(make_doc(text, nlp=nlp)) == [
        (later, later + 5, "DATE", "XXXX-XX-XX", "unresolved"),
        (date, date + 12, "DATE", "XXXX-XX-XX", "unresolved"),
        (june, june + 13, "DATE", "2025-06-30", "absolute"),
        (earlier, earlier + 7, "DATE", "XXXX-XX-XX", "unresolved"),
    ]


def test_sequence_adverb_without_parse_only_before_punctuation():
    text = "The court will rule later. Later models sold well. Prices rose years later."
    assert located(make_doc(text)) == [
        (text.index("later."), text.index("later.") + 5, "DATE", "XXXX-XX-XX", "unresolved"),
        (text.index("years"), text.index("years") + 5, "DURATION", "PXY", "absolute"),
    ]


def test_undated_points_do_not_move_the_reference_date():
    doc = make_doc("The plant opened on 3 May 2021 and was sold later; two days later it closed.")
    assert [v for _, _, v in spans(doc)] == ["2021-05-03", "XXXX-XX-XX", "2021-05-05"]


def test_anaphoric_units_take_the_last_mentioned_date():
    text = ("He was sacked in March 2019 and later that month he sued. On June 3, 2020 the plant "
            "flooded; that night the workers fled. The same day, the mayor resigned.")
    month = text.index("later that month")
    night = text.index("that night")
    same = text.index("The same day")
    found = located(make_doc(text))
    assert (month, month + 16, "DATE", "2019-03", "publication") in found
    assert (night, night + 10, "TIME", "2020-06-03TNI", "publication") in found
    assert (same, same + 12, "DATE", "2020-06-03", "publication") in found


def test_anaphora_without_an_earlier_date_is_underspecified_not_today():
    text = "Everyone knew that day would come. That year the harvest failed."
    assert located(make_doc(text)) == [
        (text.index("that day"), text.index("that day") + 8, "DATE", "XXXX-XX-XX", "unresolved"),
        (text.index("That year"), text.index("That year") + 9, "DATE", "XXXX", "unresolved"),
    ]


@pytest.mark.model
def test_that_as_a_conjunction_is_not_anaphora(nlp):
    doc = make_doc("He admitted that day trading was risky. They said that night shifts would end.", nlp=nlp)
    assert find_times(doc) == []


@pytest.mark.parametrize(
    ("expression", "value", "mod"),
    [
        ("the financial year", "FY2024", None),
        ("the fiscal year", "FY2024", None),
        ("last fiscal year", "FY2023", None),
        ("next financial year", "FY2025", None),
        ("the financial year 2023", "FY2023", None),
        ("the very beginning of the financial year", "FY2024", "START"),
        ("the end of the fiscal year", "FY2024", "END"),
        ("the very end of the month", "2024-08", "END"),
        ("mid-2011", "2011", "MID"),  # TimeML: the year with mod MID, not a guessed month
    ],
)
def test_fiscal_years_and_period_parts(expression, value, mod):
    result = normalise_full(expression, MONDAY)
    assert result is not None
    norm, _ = result
    assert (norm.type, norm.value, norm.mod) == ("DATE", value, mod)


def test_fiscal_year_as_a_classifier_is_not_a_date():
    assert normalise("fiscal year", MONDAY, "day", None) is None
    # "the past fiscal year" stays the year-long period up to now, as "the past year" does.
    assert normalise("the past fiscal year", MONDAY, "day", None) == ("DURATION", "P1Y", "absolute")
    # "the following fiscal year" counts from the last date mentioned.
    result = normalise_full("the following fiscal year", MONDAY, reference=dt.date(2019, 5, 1))
    assert result is not None and result[0].value == "FY2020"


def test_indefinite_unit_before_a_relative_clause_is_a_point():
    text = "There came a day when the money ran out. The strike lasted a day."
    assert located(make_doc(text)) == [
        (text.index("a day when"), text.index("a day when") + 5, "DATE", "XXXX-XX-XX", "unresolved"),
        (text.index("a day."), text.index("a day.") + 5, "DURATION", "P1D", "absolute"),
    ]


def test_quarter_durations_are_iso_months():
    # ISO 8601 has no quarter unit: a quarter-long period is three months.
    assert normalise("the past quarter", MONDAY, "day", None) == ("DURATION", "P3M", "absolute")
    assert normalise("every quarter", MONDAY, "day", None) == ("SET", "P3M", "absolute")
    assert normalise("quarterly", MONDAY, "day", None) == ("SET", "P3M", "absolute")


@pytest.mark.parametrize(
    ("expression", "published", "value"),
    [
        ("this week", dt.date(2006, 3, 28), "2006-W13"),  # ISO 8601: week 1 holds 5 January 2006
        ("this week", dt.date(2021, 1, 1), "2020-W53"),  # a Friday in the last ISO week of 2020
        ("last week", dt.date(2021, 1, 4), "2020-W53"),
        ("next week", dt.date(2024, 12, 26), "2025-W01"),  # 30 December 2024 starts 2025-W01
        ("this weekend", dt.date(2021, 1, 2), "2020-W53-WE"),
    ],
)
def test_weeks_follow_iso_8601(expression, published, value):
    assert normalise(expression, published, "day", None) == ("DATE", value, "publication")


@pytest.mark.parametrize(
    ("expression", "tense", "published", "value"),
    [
        # "agreed to resume talks on June 2" in a June 3 report: the infinitive reads as future,
        # but a date a day back is yesterday, not next year.
        ("June 2", "future", dt.date(2025, 6, 3), "2025-06-02"),
        ("June 5", "past", dt.date(2025, 6, 3), "2025-06-05"),  # "were set for June 5"
        # Beyond the slack, tense still decides the year.
        ("May 20", "future", dt.date(2025, 6, 3), "2026-05-20"),
        ("June 20", "past", dt.date(2025, 6, 3), "2024-06-20"),
        ("January 5", "future", dt.date(2024, 12, 28), "2025-01-05"),
    ],
)
def test_tense_moves_the_year_only_beyond_a_week(expression, tense, published, value):
    assert normalise(expression, published, "day", tense) == ("DATE", value, "publication")


def test_content_measured_in_hours_is_not_a_time():
    text = "Up to 75 hours of video can be stored on it, and the strike lasted 75 hours."
    assert spans(make_doc(text)) == [("75 hours", "DURATION", "PT75H")]
    assert located(make_doc(text))[0][0] == text.rindex("75 hours")


# --- Stage and invariants -------------------------------------------------------------------


def test_stage_writes_times_and_round_trips_through_json():
    stage = make_times_stage()
    assert (stage.name, stage.needs, stage.adds) == ("times", ("parsed",), ("times",))
    doc = stage.run(make_doc("Prices rose 3% last month."))
    assert [doc.span_text(t) for t in doc.spans["times"]] == ["last month"]
    assert SPAN_GROUPS["times"] is TimeRef
    back = Doc.from_json(doc.to_json())
    assert back.spans["times"] == doc.spans["times"]


_WORDS = st.sampled_from([
    "on", "Sunday", "July", "2", ",", "2023", "last", "week", "the", "coming", "days", "months",
    "ago", "three", "years", "old", "-", "59-year-old", "10", "a.m.", "every", "Friday", "May",
    "mid-", "2011", "recently", "now", "\n", "  ", ".", "Oct.", "7", "fall", "of", "quarter",
    "first", "more", "than", "a", "decade", "1990s", "'90s", "noon", "tonight", "08/26/2024",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(_WORDS, max_size=25).map(" ".join), st.sampled_from([None, MONDAY]))
def test_spans_lie_in_text_and_are_trimmed(text, published):
    doc = make_doc(text, published=published)
    for ref in find_times(doc):
        covered = doc.text[ref.start : ref.end]
        assert 0 <= ref.start < ref.end <= len(doc.text)
        assert covered and covered == covered.strip()
        assert ref.type in ("DATE", "TIME", "DURATION", "SET")
        if ref.value == "":
            assert ref.anchor == "unresolved"
        if ref.anchor == "unresolved":  # nothing to count from: no value, or an honest X one
            assert ref.value == "" or "X" in ref.value or ref.value.endswith("_REF")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60), st.sampled_from(["day", "month", "year", "unknown"]),
       st.sampled_from([None, "past", "present", "future"]))
def test_normalise_never_raises(expression, precision, tense):
    result = normalise(expression, MONDAY, precision, tense)
    assert result is None or len(result) == 3
