"""PLOVER event coding: triggers, actors and targets, negation, modality, dates, mediators.

The sentences below are invented news text written for these tests. The golden test reads the
shared sample article and its gold at run time, and the PLOVER / PETRARCH smoke tests read the
shared event gold; all three skip when ../shared is absent.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidings.doc import SPAN_GROUPS, Doc
from tidings.errors import ConfigError, PipelineError
from tidings.extract.event_lexicon import CAMEO_ROOTS, EVENT_TYPES, load_lexicon, parse_trigger_rows
from tidings.extract.events import find_events, make_events_stage, primary_event
from tidings.records import Event, EventType

PUBLISHED = "2024-03-18"  # a Monday
from conftest import SAMPLE, SAMPLE_GOLD, SHARED  # noqa: E402  (../shared locations, one place)
EVENT_GOLD = SHARED / "event-data-gold"

PLOVER_TYPE_ACCURACY_FLOOR = 0.7
"""Share of PLOVER GSR development sentences whose primary event has the gold type; measured
0.88 when written, set lower so that parser noise does not fail the test."""
PETRARCH_TRIPLE_FLOOR = 0.15
"""Share of the PETRARCH unit tests' expected triples produced; measured 0.20 when written."""
PETRARCH_NO_EVENT_FLOOR = 0.7
"""Share of PETRARCH "no event" sentences with no coded triple; measured 0.84 when written."""


@pytest.fixture(scope="module")
def process():
    """Read, clean and annotate a text with the standard stages plus the events stage."""
    from tidings.pipeline import build_pipeline, check_stages
    from tidings.readers.text import doc_from_text
    from tidings.settings import load_settings

    try:
        from tidings.extract.parse import load_model

        load_model()
    except PipelineError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"spaCy model not installed: {exc}")
    base = build_pipeline(load_settings())
    stages = list(base.stages)
    if "events" not in [s.name for s in stages]:
        stages.append(make_events_stage())
    pipeline = check_stages(stages)

    def run(text: str, published: str | None = PUBLISHED) -> Doc:
        return pipeline(doc_from_text(text, date=published))

    return run


def events_of(process, text: str, published: str | None = PUBLISHED) -> tuple[Doc, list[Event]]:
    doc = process(text, published)
    return doc, list(doc.spans["events"])


def trigger(doc: Doc, event: Event) -> str:
    return doc.text[event.start : event.end]


def one(doc: Doc, events: list[Event], type_: str) -> Event:
    found = [e for e in events if e.type == type_]
    assert len(found) == 1, f"expected one {type_} in {[(e.type, trigger(doc, e)) for e in events]}"
    return found[0]


# --- lexicon ---------------------------------------------------------------------------------


def test_lexicon_rows_are_valid_plover():
    lexicon = load_lexicon()
    rows = list(lexicon)
    assert len(rows) > 200
    assert set(EVENT_TYPES) == set(get_args(EventType))
    for row in rows:
        assert row.type in EVENT_TYPES, row.where
        assert row.cameo in CAMEO_ROOTS, row.where
        assert 0 < row.strength <= 1, row.where
    assert {r.type for r in rows} == set(EVENT_TYPES)  # every type has triggers


def test_lexicon_multiword_and_cues():
    lexicon = load_lexicon()
    reach = lexicon.entries("reach", "verb")
    assert any("agreement" in slot for r in reach for slot in r.deps)
    assert "take issue with" in [r.label for r in lexicon.entries("take", "verb")]
    assert "fail" in lexicon.words("negation", "failure_verbs")
    assert lexicon.table("issues", "nominal")["withdraw"] == "withdrawal"


def test_user_lexicon_adds_and_replaces_rows(tmp_path: Path):
    extra = tmp_path / "mine.tsv"
    extra.write_text("# my rows\nembargo\tverb\tSANCTION\t\t16\t0.9\n"
                     "attack\tnoun\tASSAULT\taerial\t19\t0.5\n", encoding="utf-8")
    lexicon = load_lexicon([extra])
    assert lexicon.entries("embargo", "verb")[0].type == "SANCTION"
    assert lexicon.entries("attack", "noun")[0].mode == "aerial"
    assert lexicon.entries("attack", "noun")[0].strength == 0.5
    assert not load_lexicon().entries("embargo", "verb")  # the shipped lexicon is unchanged


def test_bad_lexicon_row_names_file_and_line(tmp_path: Path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("# header\nsmile\tverb\tHAPPY\t\t05\t0.5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.tsv:2: type 'HAPPY'"):
        parse_trigger_rows(bad)


# --- one type each ----------------------------------------------------------------------------

TYPE_CASES = [
    ("Serbia and Kosovo reached an agreement on border crossings in Brussels on Tuesday.",
     "AGREE", {"Serbia", "Kosovo"}, set()),
    ("Ukraine held talks with Turkey in Ankara on Monday.", "CONSULT", {"Ukraine"}, {"Turkey"}),
    ("Germany praised Kenya for its help.", "SUPPORT", {"Germany"}, {"Kenya"}),
    ("The Sudanese army made concessions to the Rapid Support Forces.", "CONCEDE",
     {"Sudanese Armed Forces"}, {"Rapid Support Forces"}),
    ("Japan cooperated with South Korea on missile defence last year.", "COOPERATE",
     {"Japan"}, {"South Korea"}),
    ("Norway sent humanitarian aid to Sudan on Friday.", "AID", {"Norway"}, {"Sudan"}),
    ("Russia withdrew its troops from Moldova in November.", "RETREAT", {"Russia"}, {"Moldova"}),
    ("France urged Iran to free two French teachers.", "REQUEST", {"France"}, {"Iran"}),
    ("China accused the Philippines of provoking a collision near the shoal.", "ACCUSE",
     {"China"}, {"Philippines"}),
    ("Venezuela rejected a Brazilian proposal for new elections.", "REJECT", {"Venezuela"}, {"Brazil"}),
    ("North Korea threatened to attack South Korea.", "THREATEN", {"North Korea"}, {"South Korea"}),
    ("Thousands of Kenyans protested against the new tax law.", "PROTEST", {"Kenya"}, set()),
    ("The European Union imposed sanctions on Belarus on Wednesday.", "SANCTION",
     {"European Union"}, {"Belarus"}),
    ("Azerbaijan deployed troops along the border with Armenia.", "MOBILIZE", {"Azerbaijan"}, set()),
    ("Turkish police arrested 20 activists in Istanbul.", "COERCE", {"Turkey"}, set()),
    ("Russian forces shelled Kharkiv on Sunday.", "ASSAULT", {"Russia"}, {"Kharkiv"}),
]


@pytest.mark.parametrize(("text", "type_", "actors", "targets"), TYPE_CASES,
                         ids=[c[1] for c in TYPE_CASES])
def test_each_plover_type(process, text, type_, actors, targets):
    doc, events = events_of(process, text)
    event = primary_event(events, doc.parsed)
    assert event is not None and event.type == type_, [(e.type, trigger(doc, e)) for e in events]
    assert actors <= set(event.actors)
    assert targets <= set(event.targets)
    assert event.cameo in CAMEO_ROOTS
    assert len(event.actor_codes) == len(event.actors)
    assert not event.negated and event.modality == "asserted"


def test_codes_are_iso3_for_countries(process):
    doc, events = events_of(process, "Russian forces shelled Kharkiv on Sunday.")
    event = one(doc, events, "ASSAULT")
    assert event.actor_codes == ("RUS",)
    assert event.target_codes == ("UKR",)  # a place target is coded by its country
    assert event.mode == "heavy-weapons"


# --- negation ---------------------------------------------------------------------------------


def test_failed_to_reach_agreement_is_a_negated_agree(process):
    doc, events = events_of(process, "Armenian and Azerbaijani negotiators failed to reach an "
                                     "agreement in the talks in Washington on Sunday.")
    agree = one(doc, events, "AGREE")
    assert agree.negated
    assert set(agree.actors) == {"Armenia", "Azerbaijan"}
    assert trigger(doc, agree) == "reach an agreement"
    talks = one(doc, events, "CONSULT")
    assert not talks.negated and talks.place == "Washington"


def test_refusing_to_accept_is_reject(process):
    doc, events = events_of(process, "Iran will not accept the proposal, its foreign minister said.")
    assert [e.type for e in events] == ["REJECT"]
    assert not events[0].negated and events[0].actors == ("Iran",)
    doc, events = events_of(process, "The proposals were presented to both governments, but none "
                                     "were accepted.")
    accepted = [e for e in events if trigger(doc, e) == "accepted"]
    assert [e.type for e in accepted] == ["REJECT"]  # "none were accepted" is not an AGREE


def test_plain_negation_keeps_the_type(process):
    doc, events = events_of(process, "Ethiopia did not attack Eritrea, the government said.")
    event = one(doc, events, "ASSAULT")
    assert event.negated
    assert (event.actors, event.targets) == (("Ethiopia",), ("Eritrea",))


def test_neither_party_willing_to_agree_is_reject(process):
    text = ("Serbian and Kosovar delegations met in Brussels on Tuesday. Neither party was "
            "willing to agree to the compromises presented by mediators from the European Union.")
    doc, events = events_of(process, text)
    reject = one(doc, events, "REJECT")
    assert set(reject.actors) == {"Serbia", "Kosovo"}  # "neither party": the sides of the talks
    assert "European Union" in reject.targets  # "mediators": the mediators the article names
    assert reject.date == "2024-03-12" and reject.date_source == "governing"


# --- arguments --------------------------------------------------------------------------------


def test_passive_agent_is_the_actor(process):
    doc, events = events_of(process, "Kyiv was attacked by Russian drones on Tuesday.")
    event = one(doc, events, "ASSAULT")
    assert event.actors == ("Russia",)
    assert event.targets and event.target_codes == ("UKR",)
    assert event.date == "2024-03-12" and event.date_source == "clause"


def test_conjunct_and_member_actors(process):
    doc, events = events_of(process, "Delegations from Armenia, Azerbaijan and Georgia met in Tbilisi.")
    assert set(one(doc, events, "CONSULT").actors) == {"Armenia", "Azerbaijan", "Georgia"}
    doc, events = events_of(process, "Egypt and Qatar briefed Hamas on the new proposal on Saturday.")
    event = one(doc, events, "CONSULT")
    assert event.actors == ("Egypt", "Qatar") and event.targets == ("Hamas",)


def test_mediators(process):
    doc, events = events_of(process, "Talks between Ethiopia and Egypt, mediated by the African "
                                     "Union and the United States, resumed in Addis Ababa.")
    talks = one(doc, events, "CONSULT")
    assert set(talks.actors) == {"Ethiopia", "Egypt"}
    assert set(talks.mediators) == {"African Union", "United States"}
    assert talks.place == "Addis Ababa"


def test_obligation_reported_is_a_request(process):
    doc, events = events_of(process, "Russia said Sudan must return the helicopter.")
    event = primary_event(events, doc.parsed)
    assert event is not None and event.type == "REQUEST"
    assert (event.actors, event.targets) == (("Russia",), ("Sudan",))


def test_reported_wrongdoing_is_an_accusation(process):
    doc, events = events_of(process, "Ukraine said Russia had violated the ceasefire agreement.")
    event = one(doc, events, "ACCUSE")
    assert (event.actors, event.targets) == (("Ukraine",), ("Russia",))


# --- modality ---------------------------------------------------------------------------------


def test_modalities(process):
    doc, events = events_of(process, "The United Nations demanded that Myanmar release political "
                                     "prisoners.")
    assert one(doc, events, "REQUEST").targets == ("Myanmar",)
    assert one(doc, events, "RETREAT").modality == "demanded"
    doc, events = events_of(process, "Israel will withdraw from the city if Hamas releases the hostages.")
    assert {e.modality for e in events} == {"hypothetical"}
    doc, events = events_of(process, "Chad plans to deploy troops along the border next month.")
    # an announced hostile act is a THREATEN in PLOVER; the act is still in the future
    event = primary_event(events, doc.parsed)
    assert event is not None and event.modality == "future"


def test_promise_to_cooperate_is_agree(process):
    doc, events = events_of(process, "Portugal will support Cape Verde's bid, the president said.")
    event = primary_event(events, doc.parsed)
    assert event is not None and event.type == "AGREE" and event.modality == "future"


# --- dates ------------------------------------------------------------------------------------


def test_background_event_keeps_its_own_date(process):
    text = ("The talks in Doha on Monday were the first since the Houthi attack on January 12, "
            "2024 on a Greek tanker.")
    doc, events = events_of(process, text)
    attack = one(doc, events, "ASSAULT")
    assert attack.date == "2024-01-12" and attack.date_source == "clause"
    talks = one(doc, events, "CONSULT")
    assert talks.date == "2024-03-18" and talks.date_source == "clause"


def test_publication_and_governing_dates(process):
    text = ("Kenya and Somalia held talks in Nairobi on Friday.\n\nThe two governments also agreed "
            "to reopen the border.\n\nChad criticised the plan.")
    doc, events = events_of(process, text, "2024-03-18")
    assert one(doc, events, "CONSULT").date == "2024-03-15"
    agree = one(doc, events, "AGREE")
    assert agree.date == "2024-03-15" and agree.date_source == "governing"
    doc, events = events_of(process, "Chad criticised the plan.", "2024-03-18")
    event = one(doc, events, "ACCUSE")
    assert (event.date, event.date_source) == ("2024-03-18", "publication")
    doc, events = events_of(process, "Chad criticised the plan.", None)
    assert (events[0].date, events[0].date_source) == (None, "none")


# --- stage and records ------------------------------------------------------------------------


def test_stage_declares_needs_and_round_trips(process):
    stage = make_events_stage()
    assert stage.name == "events"
    assert set(stage.needs) == {"parsed", "entities", "times", "places"}
    assert stage.adds == ("events",)
    assert SPAN_GROUPS["events"] is Event
    doc = process("Norway sent humanitarian aid to Sudan on Friday.")
    back = Doc.from_json(json.loads(json.dumps(doc.to_json())))
    assert back.spans["events"] == doc.spans["events"]


def test_no_parse_no_events():
    doc = Doc(raw="Russia attacked Ukraine.", text="Russia attacked Ukraine.")
    assert find_events(doc) == []


WORDS = st.sampled_from([
    "Russia", "Ukraine", "Hamas", "Israel", "Egypt", "the United Nations", "talks", "attacked",
    "met", "rejected", "demanded", "failed to reach an agreement", "will not accept", "on Monday",
    "in Cairo", "and", "the proposal", "with", "Qatar", ",", "said", "if", "sanctions", "on",
])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(WORDS, min_size=1, max_size=14))
def test_spans_stay_in_bounds(process, words):
    text = " ".join(words) + "."
    doc = process(text)
    for event in doc.spans["events"]:
        assert 0 <= event.sentence_start <= event.start < event.end <= event.sentence_end <= len(doc.text)
        assert event.type in EVENT_TYPES
        assert len(event.actor_codes) == len(event.actors)
        assert len(event.target_codes) == len(event.targets)
        assert 0 <= event.confidence <= 1
        assert event.date_source != "none" or event.date is None


# --- gold data --------------------------------------------------------------------------------


def _names(value: Any) -> set[str]:
    if value is None:
        return set()
    return {value} if isinstance(value, str) else set(value)


def test_sample_gold_events(process):
    if not SAMPLE_GOLD.is_file():
        pytest.skip(f"sample gold {SAMPLE_GOLD} is absent")
    gold = json.loads(SAMPLE_GOLD.read_text(encoding="utf-8"))
    doc = process(SAMPLE.read_text(encoding="utf-8"), gold["published"])
    events = doc.spans["events"]
    misses = []
    for item in gold["events"]["must"]:
        parts = item["evidence"].split(" ... ")
        start = doc.text.find(parts[0])
        end = doc.text.find(parts[-1], start) + len(parts[-1])
        assert start >= 0, f"evidence not in the cleaned text: {parts[0]!r}"
        hits = [e for e in events if e.start < end and start < e.end and e.type == item["type"]]
        want_actors = _names(item.get("actors") or item.get("actor"))
        ok = [e for e in hits if want_actors <= set(e.actors)
              and e.negated == bool(item.get("negated", False))
              and (item.get("date") is None or e.date == item["date"])
              and ("date" not in item or item["date"] is not None
                   or e.date_source in ("none", "publication"))]
        if not ok:
            misses.append(f"{item['type']} {parts[0][:50]!r}: {[(e.type, e.actors, e.date) for e in hits]}")
    assert not misses, misses


def test_plover_gold_floor(process):
    from tidings.evaluate.plover import score_plover

    if not (EVENT_GOLD / "plover_gsr_cameo").is_dir():
        pytest.skip(f"PLOVER gold under {EVENT_GOLD} is absent")
    metrics = {m.name: m for m in score_plover(SHARED, lambda t, published=None: process(t, published))}
    assert metrics["type_accuracy"].value >= PLOVER_TYPE_ACCURACY_FLOOR, metrics["type_accuracy"].detail
    assert metrics["actor_accuracy"].value is not None


def test_petrarch_gold_floor(process):
    from tidings.evaluate.petrarch import score_petrarch

    if not (EVENT_GOLD / "petrarch_unit_tests").is_dir():
        pytest.skip(f"PETRARCH unit tests under {EVENT_GOLD} are absent")
    metrics = {m.name: m for m in score_petrarch(SHARED, lambda t, published=None: process(t, published))}
    assert metrics["triple_share"].value >= PETRARCH_TRIPLE_FLOOR, metrics["triple_share"].detail
    assert metrics["no_event_share"].value >= PETRARCH_NO_EVENT_FLOOR, metrics["no_event_share"].detail


def test_dates_are_iso(process):
    doc, events = events_of(process, "Israel and Hamas held talks in Cairo in July 2024.")
    event = one(doc, events, "CONSULT")
    assert event.date == "2024-07"
    dt.date.fromisoformat(PUBLISHED)  # the fixture's publication date is a real date
