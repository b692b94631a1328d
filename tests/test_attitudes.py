"""Attitudes: what someone believes, wants, decides, perceives or feels, and who holds it.

The sentences below are invented news text written for these tests. The sample test reads the
shared sample article at run time (skipping when ../shared is absent).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tidings.doc import SPAN_GROUPS, Doc
from tidings.extract.attitudes import attitude_lexicon, find_attitudes, make_attitudes_stage
from tidings.extract.quotes import cue_lexicon, find_quotes
from tidings.records import Attitude, Quote, to_dict

from conftest import SAMPLE  # noqa: E402  (../shared locations, one place)

PUBLISHED = dt.date(2024, 8, 26)


def read(nlp, text: str) -> tuple[Doc, list[Attitude]]:
    """Parse `text`, find its quotes, then its attitudes (entities/times from their stages)."""
    doc = Doc(raw=text, text=text, published=PUBLISHED, published_precision="day")
    doc.parsed = nlp(text)
    doc.spans["quotes"] = find_quotes(doc)
    return doc, find_attitudes(doc)


def only(doc: Doc, attitudes: list[Attitude], lemma: str) -> Attitude:
    hits = [a for a in attitudes if a.lemma == lemma]
    assert len(hits) == 1, f"expected one {lemma!r} attitude, got {[a.lemma for a in attitudes]}"
    return hits[0]


def content(doc: Doc, a: Attitude) -> str:
    return doc.text[a.start : a.end]


def holder_mention(doc: Doc, a: Attitude) -> str:
    return doc.text[a.holder_start : a.holder_end]


# --- holders and content ------------------------------------------------------------------------


def test_decision_with_infinitive_names_its_holder(nlp):
    doc, found = read(nlp, "Lena Ortiz, the mayor of Eastbridge, has decided to step down after a "
                           "decade in office.")
    a = only(doc, found, "decide")
    assert a.type == "intention"
    assert content(doc, a) == "step down after a decade in office"
    assert a.holder == "Lena Ortiz" and a.holder_named and a.holder_kind == "person"
    assert holder_mention(doc, a) == "Lena Ortiz"
    assert doc.text[a.cue_start : a.cue_end] == "decided"
    assert not a.negated and not a.quoted
    assert (a.date, a.date_source) == ("2024-08-26", "publication")


def test_pronoun_holder_resolves_to_the_person_but_keeps_the_pronoun_span(nlp):
    doc, found = read(nlp, "Northwind Energy chief executive Tomas Brandt told analysts the company "
                           "would cut 300 jobs. He hopes to finish the restructuring by March.")
    a = only(doc, found, "hope")  # the small model lemmatises "hopes" as "hop"
    assert a.type == "desire"
    assert a.holder == "Tomas Brandt"
    assert holder_mention(doc, a) == "He"
    assert a.affiliation == "Northwind Energy"
    assert content(doc, a) == "finish the restructuring by March"


def test_first_person_inside_a_quote_is_the_quote_speaker(nlp):
    doc, found = read(nlp, '"We want a permanent ceasefire," said Rana Haddad, a spokeswoman for '
                           "the Coastal Alliance.")
    a = only(doc, found, "want")
    assert a.holder == "Rana Haddad"
    assert holder_mention(doc, a) == "We"
    assert a.quoted and a.holder_kind == "group"
    assert content(doc, a) == "a permanent ceasefire"


def test_reporting_verb_inside_a_quote_is_an_attitude_of_the_speaker(nlp):
    doc, found = read(nlp, '"I believe the talks will resume next week," the envoy said.')
    a = only(doc, found, "believe")
    assert a.type == "belief"
    assert a.holder == "the envoy" and not a.holder_named
    assert holder_mention(doc, a) == "I" and a.holder_kind == "person"
    assert content(doc, a) == "the talks will resume next week"


def test_negated_attitude(nlp):
    doc, found = read(nlp, "The transport ministry does not expect the bridge to reopen before June.")
    a = only(doc, found, "expect")
    assert a.negated
    assert holder_mention(doc, a) == "The transport ministry"
    assert a.holder_kind == "organisation"
    assert content(doc, a) == "the bridge to reopen before June"


def test_experience_of_a_group_described_by_what_they_do(nlp):
    doc, found = read(nlp, "Many shoppers experienced long delays at the checkout on Friday.")
    a = only(doc, found, "experience")
    assert a.type == "perception"
    assert a.holder == "Many shoppers" and not a.holder_named
    assert content(doc, a) == "long delays"
    assert (a.date, a.date_source) == ("2024-08-23", "sentence")  # "on Friday" before 26 August


def test_passive_takes_the_by_agent_and_the_passive_subject_as_content(nlp):
    doc, found = read(nlp, "Higher fuel prices are feared by many farmers.")
    a = only(doc, found, "fear")
    assert a.type == "emotion"
    assert holder_mention(doc, a) == "many farmers"
    assert content(doc, a) == "Higher fuel prices"


def test_attitude_noun_with_a_possessor(nlp):
    doc, found = read(nlp, "Analysts said the retailer's decision to close 40 stores surprised "
                           "investors.")
    a = only(doc, found, "decision")
    assert a.type == "intention"
    assert holder_mention(doc, a) == "the retailer"  # without the "'s"
    assert a.holder == "the retailer"
    assert content(doc, a) == "close 40 stores"


def test_pronoun_inside_a_quote_is_not_the_speaker_himself(nlp):
    doc, found = read(nlp, 'Analyst Ruth Kemper said: "The phone could have shipped earlier, but he '
                           'wanted it perfect."')
    a = only(doc, found, "want")
    assert holder_mention(doc, a) == "he"
    assert a.holder != "Ruth Kemper"


# --- what is not an attitude ------------------------------------------------------------------------


def test_communication_verbs_make_no_attitudes(nlp):
    doc, found = read(nlp, "The minister said the port would reopen, and she told reporters that "
                           "repairs had begun.")
    assert found == []
    assert [q.cue for q in doc.spans["quotes"]] == ["say", "tell"]


def test_reporting_verb_outside_quotes_stays_a_quote(nlp):
    doc, found = read(nlp, "Israel believes Hamas is stalling, the official said.")
    assert not [a for a in found if a.lemma == "believe"]
    assert any(q.cue == "believe" for q in doc.spans["quotes"])


@pytest.mark.parametrize("text", [
    "The new scooter is expected to sell well.",         # passive without an agent
    "Nobody expects the talks to end soon.",             # negated existence
    "No official wants another delay.",                  # negated existence
    "The battery experienced repeated faults.",          # a thing, not a holder
    "It feels great to be back in Cairo, he said.",      # linking verb
    "As expected, the ministry announced new tariffs.",  # no holder, no content
])
def test_no_attitude_without_a_holder(nlp, text):
    _, found = read(nlp, text)
    assert found == []


# --- lexicon, stage, record ---------------------------------------------------------------------


def test_lexicon_types_and_no_overlap_with_saying():
    lex = attitude_lexicon()
    assert lex.types["decide"] == "intention" and lex.types["love"] == "emotion"
    assert lex.types["experience"] == "perception" and lex.types["want"] == "desire"
    assert lex.noun_types["decision"] == "intention"
    saying = cue_lexicon().verbs
    # Only believing verbs may sit in both lexicons; verbs of saying never make attitudes.
    assert set(lex.types) & saying <= {"believe", "think", "fear"}


def test_stage_round_trips_through_json(nlp):
    text = ("Velora chief executive Ines Moreau has chosen to step down. She wants to spend more "
            "time with her family.")
    doc, found = read(nlp, text)
    assert [a.lemma for a in found] == ["choose", "want"]
    assert all(a.holder == "Ines Moreau" for a in found)
    stage = make_attitudes_stage()
    assert stage.needs == ("parsed", "entities", "times", "quotes") and stage.adds == ("attitudes",)
    doc = stage.run(doc)
    assert SPAN_GROUPS["attitudes"] is Attitude
    again = Doc.from_json(json.loads(json.dumps(doc.to_json())))
    assert again.spans["attitudes"] == doc.spans["attitudes"]
    for a in doc.spans["attitudes"]:
        assert 0 <= a.start < a.end <= len(text)
        assert 0 <= a.holder_start < a.holder_end <= len(text)
        assert set(to_dict(a)) >= {"holder", "type", "lemma", "cue_start", "negated"}


# --- scorer: quotes and attitudes both count ---------------------------------------------------------


def test_speaker_scores_count_attitudes_too():
    from tidings.evaluate.meantime import GoldDoc, GoldMention, GoldSpeech
    from tidings.evaluate.speakers import attributions, score_speakers

    text = "Mayor Lena Ortiz said the port would reopen. She decided to stay in Valdera."
    second = text.index("She")

    def span(surface: str) -> tuple[int, int]:
        start = text.index(surface)
        return start, start + len(surface)

    said, decided, ortiz, she = span("said"), span("decided"), span("Mayor Lena Ortiz"), span("She")
    gold = GoldDoc(
        doc_id="invented", text=text, published=PUBLISHED, timexes=(), entities=(),
        speech=(GoldSpeech(*said, (GoldMention(*ortiz, "PER", {"entity": "Lena Ortiz"}),)),
                GoldSpeech(*decided, (GoldMention(*she, "PER", {"entity": "Lena Ortiz"}),))),
        sentences=((0, second - 1), (second, len(text))),
    )
    quote = Quote(*span("the port would reopen"), "indirect", "Lena Ortiz", True, *ortiz)
    attitude = Attitude(*span("stay in Valdera"), "intention", "decide", *decided, "Lena Ortiz", *she)
    counts = score_speakers([(gold, attributions([quote], [attitude]))])
    assert (counts.gold, counts.gold_correct) == (2, 2)
    assert (counts.pred, counts.pred_correct) == (2, 2)
    assert (counts.attitude_pred, counts.attitude_pred_correct) == (1, 1)
    assert counts.quote_precision == counts.attitude_precision == 1.0
    # Speech accuracy stays about things said: the attitude cannot find the speaker of "said".
    only_attitude = score_speakers([(gold, attributions([], [attitude]))])
    assert only_attitude.accuracy == 0.5 and only_attitude.speech_accuracy == 0.0


# --- shared sample --------------------------------------------------------------------------------


@pytest.mark.shared
def test_sample_article_attitudes_are_sound(nlp):
    if not SAMPLE.is_file():
        pytest.skip(f"shared sample absent ({SAMPLE}); this test needs ../shared")
    import tidings

    doc = tidings.process(SAMPLE.read_text(encoding="utf-8"))
    assert "attitudes" in doc.spans
    quote_cues = {q.start: q.cue for q in doc.spans["quotes"]}
    for a in doc.spans["attitudes"]:
        assert 0 <= a.start < a.end <= len(doc.text)
        assert a.lemma not in cue_lexicon().verbs - {"believe", "think", "fear"}
        assert quote_cues.get(a.start) != a.lemma
