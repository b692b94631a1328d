"""Tests for non-actor names in the entities stage: products, events, currencies, places
tagged ORG/PERSON, and acronyms defined in the article (tidings.extract.name_kinds and
tidings.extract.entities). All texts are invented."""

from __future__ import annotations

import re
import tomllib

import pytest

from tidings.doc import Doc
from tidings.extract.actors import data_dir
from tidings.extract.entities import find_entities
from tidings.extract.name_kinds import (PRODUCTS_FILE, abbreviates, acronym_definitions,
                                        load_name_lexicon, product_key)
from tidings.records import Entity


def parsed_doc(nlp, text: str) -> Doc:
    doc = Doc(raw=text, text=text)
    doc.parsed = nlp(text)
    return doc


def spans_of(doc: Doc, entities: list[Entity], surface: str) -> list[Entity]:
    """Entities covering any occurrence of `surface` (overlap)."""
    hits = [(m.start(), m.end()) for m in re.finditer(re.escape(surface), doc.text)]
    return [e for e in entities if any(e.start < b and a < e.end for a, b in hits)]


# --- the data file ----------------------------------------------------------------------------

def test_products_file_loads_and_is_well_formed():
    with open(data_dir() / PRODUCTS_FILE, "rb") as fh:
        data = tomllib.load(fh)
    lex = load_name_lexicon()
    assert ("ipod",) in lex.names and ("mac", "os") in lex.names
    assert "version" in lex.version_nouns and "inc" in lex.organisation_words
    assert "conference" in lex.event_heads and "unveil" in lex.product_verbs
    for name in data["products"]["names"]:
        assert name.strip() == name and name, f"blank or padded product name {name!r}"
    for pattern in lex.word_patterns + lex.model_patterns:
        assert pattern.pattern  # compiled without error
    assert not any(p.fullmatch("M23") for p in lex.word_patterns), "an armed group is no product"


def test_product_key_folds_article_and_plural():
    assert product_key("the iPhones") == product_key("iPhone") == "iphone"
    assert product_key("Mac OS") == "mac os"


# --- products ---------------------------------------------------------------------------------

GADGET_NEWS = (
    "Cupertino, Calif. - Apple said on Tuesday that sales of the iPod rose 20 percent, while "
    "iTunes downloads doubled. Analysts said Windows machines were losing ground."
)


def test_listed_products_are_not_actors_but_the_company_is(nlp):
    doc = parsed_doc(nlp, GADGET_NEWS)
    entities = find_entities(doc)
    for product in ("iPod", "iTunes", "Windows"):
        assert not spans_of(doc, entities, product), f"{product} reported as an actor"
    with_products = find_entities(doc, products=True)
    kinds = {doc.text[e.start:e.end]: e.kind for e in with_products}
    assert kinds.get("iPod") == kinds.get("iTunes") == kinds.get("Windows") == "product"
    assert all(e.kind != "product" for e in with_products if doc.text[e.start:e.end] == "Apple")


def test_version_cue_marks_an_unlisted_product_everywhere_in_the_article(nlp):
    text = ("Nordvik Motors said the Elvira version of its sedan sold well. "
            "Nordvik said the Elvira update would arrive in spring.")
    doc = parsed_doc(nlp, text)
    entities = find_entities(doc)
    assert not spans_of(doc, entities, "Elvira")
    names = {doc.text[e.start:e.end]: e.kind for e in entities}
    assert names.get("Nordvik Motors") == "organisation"


def test_coordinated_names_follow_a_product(nlp):
    text = "The company also refreshed the iPod Classic, Nano and Shuffle, and said the Nano sold best."
    doc = parsed_doc(nlp, text)
    assert find_entities(doc) == []
    assert {e.kind for e in find_entities(doc, products=True)} == {"product"}


def test_product_verb_object_is_a_product(nlp):
    text = "Volkan Motors launched the Tarsis in Ankara on Monday, and dealers said the Tarsis sold out."
    doc = parsed_doc(nlp, text)
    entities = find_entities(doc)
    assert not spans_of(doc, entities, "Tarsis")
    assert [doc.text[e.start:e.end] for e in entities] == ["Volkan Motors"]


def test_maker_before_a_possessive_stays_an_organisation(nlp):
    text = "Reviewers praised Apple Computer's Mac OS X, and Apple Computer said demand was high."
    doc = parsed_doc(nlp, text)
    entities = find_entities(doc, products=True)
    makers = [e for e in entities if doc.text[e.start:e.end] == "Apple Computer"]
    assert makers and all(e.kind == "organisation" for e in makers)
    assert any(e.kind == "product" and doc.text[e.start:e.end].startswith("Mac OS") for e in entities)


def test_a_company_after_new_agreement_is_not_a_product(nlp):
    text = ("The two firms settled a long dispute. Under this new agreement, Apple Inc. will own "
            "all the trademarks, Apple Inc. said.")
    doc = parsed_doc(nlp, text)
    apple = spans_of(doc, find_entities(doc), "Apple Inc")
    assert apple and all(e.kind == "organisation" for e in apple)


def test_maker_and_model_tagged_apart_keep_the_maker(nlp):
    text = ("Airbus delivered its first A380 superjumbo to Emirates on Monday. Airbus said more "
            "would follow, and Boeing said orders for the 787 were strong.")
    doc = parsed_doc(nlp, text)
    entities = find_entities(doc)
    airbus = spans_of(doc, entities, "Airbus")
    assert len(airbus) == 2 and all(e.kind == "organisation" for e in airbus)
    assert [e.kind for e in spans_of(doc, entities, "Boeing")] == ["organisation"]


# --- events and currencies ---------------------------------------------------------------------

def test_trade_show_is_not_an_actor(nlp):
    text = ("Jobs spoke at the Worldwide Developers Conference in San Francisco, where Apple also "
            "showed new laptops.")
    doc = parsed_doc(nlp, text)
    entities = find_entities(doc)
    assert not spans_of(doc, entities, "Conference")
    assert [doc.text[e.start:e.end] for e in entities] == ["Apple"]


def test_currency_codes_and_us_dollars_are_not_actors(nlp):
    doc = parsed_doc(nlp, "The handset costs US$ 299 in the shops, or $99 (USD) with a contract.")
    assert find_entities(doc) == []


# --- places tagged as actors -------------------------------------------------------------------

@pytest.mark.parametrize("text,town", [
    ("Troops were deployed in Kherson and Mykolaiv on Friday.", "Kherson"),
    ("Aid reached Goma and Bunia this week.", "Goma"),
    ("He said the supplies would be distributed from warehouses in Chandrapur and Malangwa.",
     "Chandrapur"),
])
def test_known_towns_in_locative_context_are_places(nlp, text, town):
    doc = parsed_doc(nlp, text)
    assert not spans_of(doc, find_entities(doc), town)
    located = spans_of(doc, find_entities(doc, locations=True), town)
    assert located and all(e.kind == "location" for e in located)


def test_river_named_in_a_coordination_is_a_place_in_the_whole_article(nlp):
    text = ("Thousands have been displaced after the Bagmati and Lalbakaiya rivers burst their "
            "banks. Most deaths were in Rautahat district, where the Bagmati flooded villages.")
    doc = parsed_doc(nlp, text)
    assert not spans_of(doc, find_entities(doc), "Bagmati")


def test_person_named_like_a_town_stays_a_person(nlp):
    text = "Jordan Peterson met Florence Pugh in Paris. Florence Pugh said the film was finished."
    doc = parsed_doc(nlp, text)
    people = {e.canonical for e in find_entities(doc) if e.kind == "person"}
    assert {"Jordan Peterson", "Florence Pugh"} <= people


# --- acronyms ----------------------------------------------------------------------------------

@pytest.mark.parametrize("acronym,name,expected", [
    ("IPA", "Ituri Patriotic Alliance", True),
    ("SEC", "Securities and Exchange Commission", True),
    ("SDK", "iPhone Software Development Kit", True),
    ("AQAP", "Al-Qaeda in the Arabian Peninsula", True),
    ("BoE", "Bank of England", True),
    ("UN", "Ituri Patriotic Alliance", False),
    ("OK", "Osama", False),
])
def test_abbreviates(acronym, name, expected):
    assert abbreviates(acronym, name) is expected


def test_acronym_definitions_both_forms():
    text = ("The Ituri Patriotic Alliance (IPA) met. WFP, the World Food Programme, said so.")
    names = [(text.index("Ituri"), text.index(" (IPA)")),
             (text.index("World Food"), text.index(", said"))]
    defs = acronym_definitions(text, names)
    assert defs == {"IPA": names[0], "WFP": names[1]}


def test_defined_acronym_resolves_to_the_long_name(nlp):
    text = ("Fighters of the Ituri Patriotic Alliance (IPA) withdrew on Monday. The IPA said its "
            "leaders would attend the talks, and an IPA commander confirmed the move.")
    doc = parsed_doc(nlp, text)
    entities = find_entities(doc)
    ipa = [e for e in entities if doc.text[e.start:e.end] == "IPA"]
    assert len(ipa) == 3
    assert {e.canonical for e in ipa} == {"Ituri Patriotic Alliance"}


def test_acronym_defined_after_it_resolves_too(nlp):
    text = ("UDU, the United Dockworkers Union, called a strike. UDU members walked out at dawn, "
            "and the UDU said talks had failed.")
    doc = parsed_doc(nlp, text)
    udu = [e for e in find_entities(doc) if doc.text[e.start:e.end] == "UDU"]
    assert udu and {e.canonical for e in udu} == {"United Dockworkers Union"}
