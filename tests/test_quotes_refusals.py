"""Refusals to comment as quotes of kind "refusal" (negated speech).

The sentences below are invented news text written for these tests.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tidings.doc import Doc
from tidings.extract.quotes import find_quotes
from tidings.extract.refusals import find_refusals, refusal_lexicon
from tidings.records import Quote

PUBLISHED = dt.date(2024, 8, 26)


def read(nlp, text: str) -> tuple[Doc, list[Quote]]:
    doc = Doc(raw=text, text=text, published=PUBLISHED, published_precision="day")
    doc.parsed = nlp(text)
    return doc, find_quotes(doc)


def refusals(quotes: list[Quote]) -> list[Quote]:
    return [q for q in quotes if q.kind == "refusal"]


def one_refusal(doc: Doc, quotes: list[Quote]) -> tuple[Quote, str]:
    found = refusals(quotes)
    assert len(found) == 1, [(q.kind, doc.text[q.start : q.end]) for q in quotes]
    return found[0], doc.text[found[0].start : found[0].end]


def test_did_not_comment_on_a_topic(nlp):
    doc, quotes = read(nlp, "Karl Jensen, the director of the port, did not comment on the closure.")
    q, content = one_refusal(doc, quotes)
    assert content == "the closure"
    assert q.speaker == "Karl Jensen" and q.speaker_named
    assert q.cue == "comment"
    assert (q.date, q.date_source) == ("2024-08-26", "publication")
    assert doc.text[q.speaker_start : q.speaker_end].startswith("Karl Jensen")


def test_declined_to_comment_without_a_topic_covers_the_refusal_clause(nlp):
    doc, quotes = read(nlp, "Hamas official Osama Hamdan spoke to reporters in Doha on Sunday. "
                            "He declined to elaborate.")
    q, content = one_refusal(doc, quotes)
    assert content == "declined to elaborate"
    assert q.speaker == "Osama Hamdan"  # "He" resolved like any speaker
    assert q.affiliation == "Hamas"
    assert q.cue == "decline"


def test_would_not_say_whether_is_a_refusal_not_reported_speech(nlp):
    doc, quotes = read(nlp, "Velora would not say how many scooters were recalled.")
    q, content = one_refusal(doc, quotes)
    assert content == "how many scooters were recalled"
    assert q.cue == "say"
    assert [x.kind for x in quotes] == ["refusal"]


def test_declined_to_say_whether_keeps_the_open_question(nlp):
    doc, quotes = read(nlp, "Hamas official Osama Hamdan declined to say whether the delegation "
                            "would return to Cairo.")
    q, content = one_refusal(doc, quotes)
    assert content == "whether the delegation would return to Cairo"
    assert not [x for x in quotes if x.kind == "indirect"]  # nothing was said


def test_no_response_to_a_request_for_comment(nlp):
    doc, quotes = read(nlp, "Northwind Energy did not respond to a request for comment.")
    q, content = one_refusal(doc, quotes)
    assert q.speaker == "Northwind Energy" and q.cue == "respond"
    assert content == "did not respond to a request for comment"


def test_could_not_be_reached_takes_no_time_as_topic(nlp):
    doc, quotes = read(nlp, "Lena Ortiz, the mayor of Eastbridge, could not be reached for comment "
                            "on Tuesday.")
    q, content = one_refusal(doc, quotes)
    assert q.speaker == "Lena Ortiz" and q.cue == "reach"
    assert content.startswith("could not be reached for comment")


@pytest.mark.parametrize("text,cue", [
    ("A lawyer for the family was not available for comment.", "available"),
    ("Officials at the port were unavailable for comment.", "unavailable"),
    ("The White House had no comment on the reports.", "have"),
])
def test_other_refusal_shapes(nlp, text, cue):
    doc, quotes = read(nlp, text)
    q, _ = one_refusal(doc, quotes)
    assert q.cue == cue and q.speaker


@pytest.mark.parametrize("text", [
    "Israel did not respond to the attack.",                     # no request unanswered
    "He did not say he would resign.",                           # what was not claimed
    "The airline refused to release the passengers.",            # declining no speech
    "The ministry's spokesman, who declined to be named, said the crossing would stay closed.",
    '"I will not comment on that," Jensen said.',                 # inside the quote itself
])
def test_not_refusals(nlp, text):
    _, quotes = read(nlp, text)
    assert refusals(quotes) == []


def test_refusal_patterns_are_data():
    lex = refusal_lexicon()
    assert {"decline", "refuse"} <= lex.declining
    assert "comment" in lex.negated and "say" in lex.open_verbs
    assert "name" in lex.not_refusal


def test_find_refusals_skips_text_in_quote_marks(nlp):
    text = 'Jensen said: "We declined to comment." The ministry declined to comment.'
    parsed = nlp(text)
    close = text.index('."') + 1
    found = find_refusals(parsed, in_quote=lambda pos: pos <= close)
    assert [text[r.start : r.end] for r in found] == ["declined to comment"]
    assert found[0].start > close
