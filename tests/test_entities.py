"""Tests for the actor gazetteer (tidings.extract.actors) and the entities stage."""

from __future__ import annotations

import json
import re

import pycountry
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tidings.doc import Doc
from tidings.errors import ConfigError
from tidings.extract.actors import Actor, data_dir, load_actors, name_key, resolve_actor
from tidings.extract.entities import find_entities, make_entities_stage
from tidings.records import Entity

from conftest import SAMPLE, SAMPLE_GOLD, SHARED  # noqa: E402  (../shared locations, one place)



def parsed_doc(nlp, text: str) -> Doc:
    doc = Doc(raw=text, text=text)
    doc.parsed = nlp(text)
    return doc


def mention(doc: Doc, entities: list[Entity], surface: str, occurrence: int = 1) -> Entity:
    """The entity whose span is exactly the `occurrence`-th `surface` in the text."""
    starts = [m.start() for m in re.finditer(re.escape(surface), doc.text)]
    start = starts[occurrence - 1]
    found = [e for e in entities if e.start == start and e.end == start + len(surface)]
    got = [(doc.span_text(e), e.canonical) for e in entities]
    assert found, f"no entity spans {surface!r} #{occurrence}; got {got}"
    return found[0]


# --- resolver ---------------------------------------------------------------------------------

USA = Actor("United States", "country", "USA", "USA")


@pytest.mark.parametrize("name", ["U.S.", "US", "USA", "the United States", "United States",
                                  "United States of America", "America", "American",
                                  "Americans", "u.s.a.".upper()])
def test_united_states_aliases(name):
    assert resolve_actor(name) == USA


@pytest.mark.parametrize("name,canonical,code", [
    ("Israeli", "Israel", "ISR"),
    ("Israelis", "Israel", "ISR"),
    ("Qatari", "Qatar", "QAT"),
    ("Palestinians", "Palestine", "PSE"),
    ("Egyptian", "Egypt", "EGY"),
    ("Swiss", "Switzerland", "CHE"),
    ("Czechs", "Czechia", "CZE"),
    ("British", "United Kingdom", "GBR"),
    ("Britain", "United Kingdom", "GBR"),
    ("Great Britain", "United Kingdom", "GBR"),
    ("UK", "United Kingdom", "GBR"),
    ("Russian Federation", "Russia", "RUS"),
    ("Iran, Islamic Republic of", "Iran", "IRN"),
    ("Syrian Arab Republic", "Syria", "SYR"),
    ("DPRK", "North Korea", "PRK"),
    ("South Korean", "South Korea", "KOR"),
    ("Türkiye", "Turkey", "TUR"),
    ("Turkiye", "Turkey", "TUR"),
    ("Côte d'Ivoire", "Ivory Coast", "CIV"),
    ("Cote d’Ivoire", "Ivory Coast", "CIV"),
    ("Czech Republic", "Czechia", "CZE"),
    ("Palestinian territories", "Palestine", "PSE"),
    ("Kosovo", "Kosovo", "XKX"),
    ("Taiwanese", "Taiwan", "TWN"),
])
def test_country_aliases_and_demonyms(name, canonical, code):
    actor = resolve_actor(name)
    assert actor is not None and (actor.canonical, actor.kind, actor.code) == (canonical, "country", code)


@pytest.mark.parametrize("name,code", [
    ("DRC", "COD"), ("DR Congo", "COD"), ("Democratic Republic of the Congo", "COD"),
    ("Democratic Republic of Congo", "COD"), ("Congo-Kinshasa", "COD"), ("Congolese", "COD"),
    ("Congo-Brazzaville", "COG"), ("Republic of the Congo", "COG"), ("Republic of Congo", "COG"),
])
def test_the_two_congos(name, code):
    assert resolve_actor(name).code == code


def test_case_and_punctuation_normalisation():
    assert resolve_actor("us") is None  # the pronoun
    assert resolve_actor("who") is None and resolve_actor("WHO").code == "IGO-WHO"
    assert resolve_actor("turkey") is None and resolve_actor("TURKEY").code == "TUR"
    assert resolve_actor("Hamas'") == resolve_actor("Hamas") == resolve_actor("HAMAS")
    assert resolve_actor("Hamas’s").code == "PSE-HAMAS"
    assert resolve_actor("  the  Houthis ").canonical == "Houthis"
    assert resolve_actor("Nato") == resolve_actor("NATO")
    assert resolve_actor("") is None and resolve_actor("the") is None


def test_non_country_actors():
    hamas = resolve_actor("Hamas")
    assert hamas == Actor("Hamas", "armed_group", "PSE-HAMAS", "PSE")
    assert resolve_actor("Ansar Allah") == resolve_actor("the Houthis")
    assert resolve_actor("Reuters") == Actor("Reuters", "media", "MEDIA-REUTERS", "GBR")
    assert resolve_actor("Associated Press") == resolve_actor("AP")
    assert resolve_actor("Al Aqsa TV").canonical == "Al-Aqsa TV"
    assert resolve_actor("UN Security Council").code == "IGO-UNSC"
    assert resolve_actor("RSF").canonical == "Rapid Support Forces"
    assert resolve_actor("Islamic State").code == resolve_actor("ISIS").code == "INT-ISIS"
    kremlin = resolve_actor("the Kremlin")
    assert (kremlin.kind, kremlin.code) == ("government", "RUS")
    assert resolve_actor("IDF") == resolve_actor("Israeli military")
    assert resolve_actor("Palestinian Authority").code == "PSE"


def test_metonyms_and_government_nouns_resolve_to_governments():
    gov = Actor("United States", "government", "USA", "USA")
    assert resolve_actor("Washington") == gov
    assert resolve_actor("Biden administration") == gov
    assert resolve_actor("Moscow's") == Actor("Russia", "government", "RUS", "RUS")
    assert resolve_actor("Israeli forces") == Actor("Israel", "government", "ISR", "ISR")
    assert resolve_actor("Russia's defence ministry").code == "RUS"
    assert resolve_actor("Brussels").code == "IGO-EU"


def test_every_pycountry_country_resolves():
    gaz = load_actors()
    # deliberate: "AU" is the African Union, plain "Congo" the DRC (see countries.tsv header)
    taken = {"AU", "Congo"}
    for c in pycountry.countries:
        for name in (c.name, c.alpha_3, c.alpha_2, getattr(c, "official_name", None),
                     getattr(c, "common_name", None)):
            if name and name not in taken:
                actor = gaz.resolve(name)
                assert actor is not None and actor.code == c.alpha_3, (name, actor)
    # codes are look-up only: they do not match in running text, and text callers can refuse them
    assert gaz.resolve("GB", codes=False) is None
    assert gaz.find("an 8 GB card in IT") == []


def test_shipped_data_has_no_unintended_clashes():
    """Two actors sharing a matchable key at the same priority would be resolved by file order."""
    gaz = load_actors()
    for actor in gaz.actors:
        assert actor.kind in ("country", "government", "organisation", "igo", "armed_group",
                              "party", "media", "location", "other")
    clashes = []
    for key in {name_key(a.canonical) for a in gaz.actors}:
        by_priority: dict[int, set[Actor]] = {}
        for entry in gaz.entries(key):
            if entry.matchable:
                by_priority.setdefault(entry.priority, set()).add(entry.actor)
        clashes += [(key, sorted(a.canonical for a in v)) for v in by_priority.values() if len(v) > 1]
    assert clashes == []


def test_every_listed_demonym_and_capital_resolves():
    rows = [line.split("\t") for line in (data_dir() / "countries.tsv").read_text("utf-8").splitlines()
            if line and not line.startswith("#")][1:]
    assert len(rows) >= 250
    with_demonym = 0
    for iso3, canonical, demonyms, aliases, capitals in rows:
        assert resolve_actor(canonical) == Actor(canonical, "country", iso3, iso3)
        for name in [d for d in demonyms.split("|") if d] + [a for a in aliases.split("|") if a]:
            assert resolve_actor(name) == Actor(canonical, "country", iso3, iso3), name
        for capital in [c for c in capitals.split("|") if c]:
            assert resolve_actor(capital) == Actor(canonical, "government", iso3, iso3), capital
        with_demonym += bool(demonyms)
    assert with_demonym >= 200


def test_user_file_extends_and_overrides(tmp_path):
    extra = tmp_path / "mine.tsv"
    extra.write_text(
        "# my actors\n"
        "code\tcanonical\tkind\tcountry\taliases\tmetonyms\n"
        "SDN-SLA\tSudan Liberation Army\tarmed_group\tSDN\tSLA|SLM-AW\t\n"
        "INT-COUNCIL\tThe Council\torganisation\t\tCongo\t\n",
        encoding="utf-8",
    )
    gaz = load_actors([extra])
    assert gaz.resolve("SLA") == Actor("Sudan Liberation Army", "armed_group", "SDN-SLA", "SDN")
    assert gaz.resolve("Congo").canonical == "The Council"  # the user's alias wins
    assert gaz.resolve("Hamas").code == "PSE-HAMAS"  # shipped actors stay
    assert load_actors().resolve("SLA") is None  # the default gazetteer is unchanged
    matches = gaz.find("The SLA said so.")
    assert [(m.start, m.end, m.actor.code) for m in matches] == [(4, 7, "SDN-SLA")]


def test_malformed_user_file_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("code\tcanonical\tkind\nX-1\tSomething\tweird-kind\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.tsv:2"):
        load_actors([bad])


# --- gazetteer matching without a parse --------------------------------------------------------

def test_find_without_parse_offsets_case_and_longest_match():
    text = ("Let us see: the US and the U.S.-brokered plan, the Democratic Republic of the Congo, "
            "Congo-Brazzaville, the Gulf of Mexico, pro-Russian groups and the Pentagon.")
    doc = Doc(raw=text, text=text)
    ents = find_entities(doc)
    got = [(doc.span_text(e), e.canonical, e.code) for e in ents]
    assert got == [
        ("US", "United States", "USA"),
        ("U.S.", "United States", "USA"),
        ("Democratic Republic of the Congo", "Democratic Republic of the Congo", "COD"),
        ("Congo-Brazzaville", "Republic of the Congo", "COG"),
        ("the Pentagon", "Pentagon", "USA"),
    ]
    assert all(e.resolved_by in ("gazetteer", "alias") for e in ents)


def test_names_inside_words_are_ignored():
    text = "Hamasville, USAID and Qatargas staff met Qatari-brokered teams."
    doc = Doc(raw=text, text=text)
    assert [(doc.span_text(e), e.code) for e in find_entities(doc)] == [("Qatari", "QAT")]


def test_capital_without_parse_is_not_an_actor():
    text = "Moscow said it would respond."
    assert find_entities(Doc(raw=text, text=text)) == []


def test_locations_option_keeps_places_out_by_default():
    text = "Ships crossed the Gulf of Mexico and the Indian Ocean."
    doc = Doc(raw=text, text=text)
    assert find_entities(doc) == []
    kinds = {(doc.span_text(e), e.kind) for e in find_entities(doc, locations=True)}
    assert kinds == {("the Gulf of Mexico", "location"), ("the Indian Ocean", "location")}


# --- find_entities with the model -------------------------------------------------------------

@pytest.mark.model
def test_roles_affiliations_and_surnames(nlp):
    doc = parsed_doc(nlp, (
        "Hamas official Osama Hamdan told Al-Aqsa TV that talks had stalled. "
        "U.S. Secretary of State Jane Doe met Israeli Prime Minister Benjamin Netanyahu on Monday. "
        "Doe said the gap was narrowing, and Hamdan rejected that."
    ))
    ents = find_entities(doc)
    hamdan = mention(doc, ents, "Osama Hamdan")
    assert (hamdan.kind, hamdan.role, hamdan.affiliation, hamdan.resolved_by) == (
        "person", "official", "Hamas", "ner")
    doe = mention(doc, ents, "Jane Doe")
    assert (doe.role, doe.affiliation) == ("Secretary of State", "United States")
    assert mention(doc, ents, "Benjamin Netanyahu").affiliation == "Israel"
    later = mention(doc, ents, "Hamdan", 2)
    assert (later.canonical, later.resolved_by, later.affiliation) == ("Osama Hamdan", "surname", "Hamas")
    assert mention(doc, ents, "Doe", 2).canonical == "Jane Doe"
    assert mention(doc, ents, "Al-Aqsa TV").kind == "media"
    assert not any(doc.span_text(e) == "State" for e in ents)  # part of the title


@pytest.mark.model
def test_titles_do_not_borrow_affiliation_and_names_beat_countries(nlp):
    doc = parsed_doc(nlp, (
        "President Joe Biden met Israeli Prime Minister Benjamin Netanyahu. "
        "Biden said a deal was close. Chad Smith, a resident, watched from Jordan."
    ))
    ents = find_entities(doc)
    biden = mention(doc, ents, "Joe Biden")
    assert (biden.role, biden.affiliation) == ("President", None)  # not "Israel" from the sentence
    assert mention(doc, ents, "Benjamin Netanyahu").affiliation == "Israel"
    assert mention(doc, ents, "Biden", 2).canonical == "Joe Biden"
    smith = mention(doc, ents, "Chad Smith")
    assert (smith.kind, smith.role, smith.affiliation) == ("person", "resident", None)
    assert mention(doc, ents, "Jordan").code == "JOR"


@pytest.mark.model
def test_apposition_and_sentence_context_affiliation(nlp):
    doc = parsed_doc(nlp, (
        "Jane Doe, a spokeswoman for the Israeli military, said troops had pulled back. "
        "A Hamas spokesman, Hazem Qassem, rejected the claim. "
        "The Hamas delegation left Cairo on Sunday after restating its demands, said senior "
        "official Izzat El-Reshiq."
    ))
    ents = find_entities(doc)
    doe = mention(doc, ents, "Jane Doe")
    assert (doe.role, doe.affiliation) == ("spokeswoman", "Israel Defense Forces")
    qassem = mention(doc, ents, "Hazem Qassem")
    assert (qassem.role, qassem.affiliation) == ("spokesman", "Hamas")
    reshiq = mention(doc, ents, "Izzat El-Reshiq")
    assert (reshiq.role, reshiq.affiliation) == ("senior official", "Hamas")


@pytest.mark.model
def test_capital_metonymy_versus_place(nlp):
    doc = parsed_doc(nlp, (
        "Washington accused Beijing of breaking the deal, officials in Washington said. "
        "Moscow's decision surprised diplomats, but Moscow's streets were calm. "
        "The talks were held in Cairo."
    ))
    ents = find_entities(doc)
    spans = {(e.start, doc.span_text(e)): e for e in ents}
    washington = mention(doc, ents, "Washington")
    assert (washington.canonical, washington.kind, washington.code, washington.resolved_by) == (
        "United States", "government", "USA", "context")
    assert mention(doc, ents, "Beijing").code == "CHN"
    assert mention(doc, ents, "Moscow").kind == "government"
    second_washington = [m.start() for m in re.finditer("Washington", doc.text)][1]
    second_moscow = [m.start() for m in re.finditer("Moscow", doc.text)][1]
    assert (second_washington, "Washington") not in spans
    assert (second_moscow, "Moscow") not in spans
    assert not any(doc.span_text(e) == "Cairo" for e in ents)


@pytest.mark.model
def test_model_slips_are_repaired(nlp):
    doc = parsed_doc(nlp, (
        "Israel refused to leave the Philadelphi corridor and the Netzarim Corridor, after "
        "Hamas' attack. The Bank of Israel and the Israeli Defense Ministry issued statements, "
        "and pro-Russian groups protested."
    ))
    ents = find_entities(doc)
    texts = [doc.span_text(e) for e in ents]
    assert not any("Philadelphi" in t or "Netzarim" in t for t in texts)
    assert mention(doc, ents, "Hamas").canonical == "Hamas"
    bank = mention(doc, ents, "Bank of Israel")
    assert (bank.kind, bank.code, bank.resolved_by) == ("organisation", None, "ner")
    ministry = mention(doc, ents, "Israeli Defense Ministry")
    assert (ministry.canonical, ministry.kind, ministry.code) == ("Israel", "government", "ISR")
    assert not any("Russia" in e.canonical for e in ents)


@pytest.mark.model
def test_stage_writes_entities_and_round_trips(nlp):
    stage = make_entities_stage()
    assert (stage.name, stage.needs, stage.adds) == ("entities", ("parsed",), ("entities",))
    doc = parsed_doc(nlp, "Qatar and Egypt walked Hamas through the proposal, Reuters reported.")
    doc = stage.run(doc)
    ents = doc.spans["entities"]
    assert [(doc.span_text(e), e.code) for e in ents] == [
        ("Qatar", "QAT"), ("Egypt", "EGY"), ("Hamas", "PSE-HAMAS"), ("Reuters", "MEDIA-REUTERS")]
    again = Doc.from_json(json.loads(json.dumps(doc.to_json())))
    assert again.spans["entities"] == ents


# --- the shared sample ------------------------------------------------------------------------

GOLD_KINDS = {"country": {"country"}, "person": {"person"}, "armed group / party": {"armed_group", "party"},
              "news agency": {"media"}, "broadcaster": {"media"}}


@pytest.mark.model
@pytest.mark.shared
def test_sample_golden(nlp):
    if not SAMPLE.exists() or not SAMPLE_GOLD.exists():
        pytest.skip(f"shared sample not found at {SAMPLE.parent}")
    gold = json.loads(SAMPLE_GOLD.read_text(encoding="utf-8"))["entities"]
    raw = SAMPLE.read_text(encoding="utf-8")
    # cleaning is another stage: drop the date header and the "Also Read:" link lines here
    text = re.sub(r"^\s*date \d{4}-\d{2}-\d{2} ", "", raw)
    text = "\n".join(line for line in text.split("\n") if not line.startswith("Also Read:"))
    doc = parsed_doc(nlp, text)
    ents = find_entities(doc)
    for want in gold["must"]:
        found = [e for e in ents if e.canonical == want["canonical"]]
        assert found, f"missing {want['canonical']}"
        assert any(e.kind in GOLD_KINDS[want["kind"]] for e in found), (want, found[0])
        if "code" in want:
            prefix = want["code"].split(" ")[0]  # "PSE (Hamas)" -> home country PSE
            assert any((e.code or "").split("-")[0] == prefix for e in found), (want, found[0])
        if "role" in want:
            person = found[0]
            assert set(want["role"].split()) == set(f"{person.role} {person.affiliation}".split())
        for alias in want.get("aliases_in_text", []):
            assert any(doc.span_text(e) == alias for e in found), (alias, want["canonical"])
    canonicals = {e.canonical for e in ents}
    for name in gold["must_not"]:
        assert not any(name in c or c in name.split() for c in canonicals), name


# --- invariants -------------------------------------------------------------------------------

WORDS = ["Hamas", "Israel", "Israeli", "U.S.", "US", "us", "the", "said", "Moscow", "Moscow's",
         "in", "Washington", "official", "senior", "Osama", "Hamdan", "Reuters", "Al-Aqsa", "TV",
         "Congo", "-", ",", ".", "'", "Philadelphi", "Corridor", "Jane", "Doe", "of", "State",
         "Secretary", "pro-Russian", "Hezbollah's", "Gaza", "the", "Qatar", "told", "a", "é"]


@pytest.mark.model
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=25),
       seps=st.lists(st.sampled_from([" ", " ", " ", "", "\n", "  "]), min_size=25, max_size=25),
       locations=st.booleans())
def test_spans_in_bounds_and_disjoint(nlp, words, seps, locations):
    text = "".join(w + s for w, s in zip(words, seps, strict=False))
    doc = parsed_doc(nlp, text)
    ents = find_entities(doc, locations=locations)
    previous_end = 0
    for e in ents:
        assert 0 <= e.start < e.end <= len(text)
        assert doc.span_text(e).strip()
        assert e.start >= previous_end  # sorted and non-overlapping
        previous_end = e.end
        assert (e.kind == "location") <= locations
