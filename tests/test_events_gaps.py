"""Event coder gaps found while calibrating incident merging: protest, phone and firefight
triggers, tear gas, accusations' content, generic role actors, pronouns, relative dates and
nested places. Every sentence is invented news text; each test fails if its rule is removed."""

from __future__ import annotations

import pytest

from tidings.doc import Doc
from tidings.records import Event

PUBLISHED = "2024-03-18"  # a Monday


@pytest.fixture(scope="module")
def process(pipeline):
    """Read, clean and annotate a text with the standard pipeline; returns it and its events."""
    from tidings.readers.text import doc_from_text

    def run(text: str) -> tuple[Doc, list[Event]]:
        doc = pipeline(doc_from_text(text, date=PUBLISHED))
        return doc, list(doc.spans["events"])

    return run


def by_trigger(doc: Doc, events: list[Event], word: str) -> Event:
    found = [e for e in events if word in doc.text[e.start:e.end]]
    assert len(found) == 1, [(e.type, doc.text[e.start:e.end]) for e in events]
    return found[0]


@pytest.mark.parametrize("text, word, type_", [
    ("Thousands of students marched on the parliament in Nairobi on Tuesday.", "marched", "PROTEST"),
    ("Opposition supporters took to the streets of Lagos on Friday.", "took", "PROTEST"),
    ("Police fired tear gas to disperse the crowd outside the court.", "fired", "ASSAULT"),
    ("Kenyan President William Ruto spoke by phone with Ethiopian Prime Minister Abiy Ahmed on "
     "Sunday.", "spoke", "CONSULT"),
    ("Soldiers and rebels exchanged fire near the border town of Bunia.", "exchanged", "ASSAULT"),
    ("A gunfight broke out between police and gunmen in Peshawar.", "gunfight", "ASSAULT"),
])
def test_new_triggers(process, text, word, type_):
    doc, events = process(text)
    assert by_trigger(doc, events, word).type == type_


def test_tear_gas_is_violent_repression(process):
    doc, events = process("Police fired tear gas to disperse the crowd outside the court.")
    event = by_trigger(doc, events, "fired")
    assert event.cameo == "17" and event.actors == ("Police",)


def test_phone_call_is_symmetric_consult(process):
    doc, events = process("Kenyan President William Ruto spoke by phone with Ethiopian Prime Minister "
                          "Abiy Ahmed on Sunday.")
    event = by_trigger(doc, events, "spoke")
    assert event.mode == "phone" and event.date == "2024-03-17"


def test_accusation_content_is_alleged_by_the_accused(process):
    doc, events = process("The army accused the rebels of firing on a convoy near Goma.")
    firing = by_trigger(doc, events, "firing")
    assert firing.type == "ASSAULT" and firing.modality == "alleged"
    doc, events = process("Kenya accused Somalia of firing on a patrol near Mandera.")
    firing = by_trigger(doc, events, "firing")
    assert firing.actor_codes == ("SOM",)
    doc, events = process("Kenya accused Somalia of firing on its positions near Mandera.")
    assert by_trigger(doc, events, "firing").target_codes == ("KEN",)


def test_lower_case_role_nouns_act(process):
    doc, events = process("Residents said troops killed 12 militants near the market.")
    assert by_trigger(doc, events, "killed").actors == ("troops",)


def test_police_in_a_town_act_there(process):
    doc, events = process("Police in Dhaka arrested 20 students on Monday.")
    event = by_trigger(doc, events, "arrested")
    assert event.actors == ("Police",) and event.actor_codes == ("BGD",)
    assert event.place == "Dhaka"


def test_its_forces_resolve_to_the_governing_subject(process):
    doc, events = process("The Nigerian army said troops killed 12 militants in Borno, and its forces "
                          "seized weapons.")
    assert by_trigger(doc, events, "seized").actor_codes == ("NGA",)


def test_which_resolves_to_the_antecedent(process):
    doc, events = process("Ethiopia, which deployed troops to the border last year, attacked "
                          "positions in Eritrea on Sunday.")
    assert by_trigger(doc, events, "deployed").actor_codes == ("ETH",)


def test_adjective_is_never_a_target(process):
    doc, events = process("Gunmen attacked a Catholic church in Kaduna on Sunday.")
    assert "Catholic" not in by_trigger(doc, events, "attacked").targets


def test_participle_takes_main_event_date(process):
    doc, events = process("Gunmen attacked worshippers at a church in the town of Dori on Saturday, "
                          "killing nine people, an official said on Monday.")
    attacked, killing = by_trigger(doc, events, "attacked"), by_trigger(doc, events, "killing")
    assert killing.date == attacked.date == "2024-03-16"


def test_days_after_offsets_the_earlier_event(process):
    doc, events = process("The foreign ministers met in Almaty on Tuesday. The meeting came two days "
                          "after Armenia accused Azerbaijan of firing on its positions.")
    assert by_trigger(doc, events, "accused").date == "2024-03-10"


def test_town_in_nested_phrase_is_the_place(process):
    doc, events = process("Gunmen attacked worshippers at a church in the town of Dori, an official "
                          "said on Monday.")
    assert by_trigger(doc, events, "attacked").place == "Dori"


def test_days_after_an_attack_noun(process):
    doc, events = process("Soldiers killed 20 militants near Kaya on Monday, the army said on Tuesday, "
                          "a day after an attack on a mosque in the town killed 11 people.")
    assert by_trigger(doc, events, "attack").date == "2024-03-17"


def test_dateline_parsed_as_subject_leaves_the_actor(process):
    doc, events = process("KAMPALA — Police in Kampala detained 40 opposition activists on Saturday.")
    event = by_trigger(doc, events, "detained")
    assert event.actors == ("Police",) and event.actor_codes == ("UGA",)


@pytest.mark.parametrize("text, word, date", [
    ("Students marched on the parliament two days after police arrested their leaders on March 12.",
     "marched", "2024-03-14"),
    ("Doctors went on strike a week after the government cut their pay on March 4.", "strike",
     "2024-03-11"),
])
def test_days_after_a_dated_event_dates_the_later_one(process, text, word, date):
    doc, events = process(text)
    assert by_trigger(doc, events, word).date == date


def test_gunfight_between_two_sides(process):
    doc, events = process("A gunfight broke out between police and gunmen in Peshawar.")
    assert set(by_trigger(doc, events, "gunfight").actors) == {"police", "gunmen"}


def test_protesters_storming_is_a_riot(process):
    doc, events = process("Protesters stormed the parliament in Accra on Tuesday, and police fired tear "
                          "gas to disperse them.")
    stormed, fired = by_trigger(doc, events, "stormed"), by_trigger(doc, events, "fired")
    assert (stormed.type, stormed.mode) == ("PROTEST", "riot")
    assert fired.type == "ASSAULT" and fired.actors == ("police",)
