"""Who the negotiation record names as parties and mediators, and who it leaves out.

Golden tests, one per cue (tidings/extract/negotiation_roles.py, cues.toml [parties] and
[mediators]), on invented news text: talks between Mozambique's government and an invented
Cabo Delgado group (the Nairobi pattern: "talks between the government of X and Y", a
"South African envoy" speaking for the mediators, a council "due to discuss the talks"), Sudanese
negotiators in Juba, Ethiopian talks with the OLA, talks between Kinshasa and M23, Colombia-ELN
rounds, Armenia-Azerbaijan talks and a Jeddah round watched by the African Union. The last tests
read our own examples/ articles of the Ituri story.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tidings.doc import Doc
from tidings.errors import PipelineError
from tidings.extract.negotiation_sides import acronym_names
from tidings.records import Entity, Negotiation

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

MOZAMBIQUE = """MAPUTO — Talks between the government of Mozambique and the Cabo Delgado Liberation Front broke up in Pretoria on Tuesday without a ceasefire, after four days of meetings at a guesthouse near the Union Buildings.

The two sides had been expected to sign a truce covering the coastal districts around Mocimboa da Praia. Instead, the mediators announced that working groups would keep meeting and that the delegations would return next month.

"We have moved forward on the return of displaced families, but not on security," South African envoy Thandiwe Mokoena said in a short statement.

CDLF spokesman Abdul Issa accused Maputo of stalling. Government negotiators have insisted that the group leave Mocimboa da Praia before any truce, while the CDLF wants its jailed fighters freed first.

The United Nations Security Council is due to discuss the talks at a closed meeting in New York next week.
"""

JUBA = """Sudanese government and Sudan Liberation Movement negotiators ended a second round of peace talks in Juba on Monday without a deal.

The European Union welcomed the talks and said it would keep funding relief in Darfur. The Arab League is due to review the negotiations at a summit in Cairo.

The movement demanded a share of revenue from gold mines in Jebel Marra, a demand the government rejected. A spokesman for the army said its troops would stay in the region.
"""

DAR_ES_SALAAM = """Ethiopia's talks with the Oromo Liberation Army resumed in Dar es Salaam on Wednesday, two months after the last round collapsed.

Tanzania, which is mediating, said both sides had agreed to an agenda. The rebels demanded the release of detained members, and the government rejected calls for a transitional administration in Oromia.

The United States welcomed the negotiations, and the African Union said it was monitoring the process closely.
"""

DOHA = """Talks between Kinshasa and the M23 rebels, mediated by Qatar, ended in Doha on Friday without an agreement on prisoner releases.

The rebels demanded the release of 300 fighters held in government prisons. Congo's government rejected the demand and insisted on the withdrawal of M23 from Goma.

The European Union said it was following the talks closely.
"""

CARACAS = """Colombian and ELN delegations ended a fifth round of peace talks in Caracas on Thursday without agreeing on a bilateral ceasefire.

Colombian envoy Otty Patiño said the government would not accept new conditions on kidnapping. Norwegian envoy Ingrid Lund, who chairs the talks, said the sides would meet again in November.

The ELN demanded the suspension of military operations in Arauca, which the government rejected.
"""

GENEVA = """US-brokered talks between Armenia and Azerbaijan resumed in Geneva on Monday. Qatari-mediated negotiations on prisoners are due next week. Switzerland hosted the talks. Egypt offered to mediate, and Turkey did not host the negotiations. Both sides rejected the proposal.
"""

JEDDAH = """Sudan's army and the Rapid Support Forces failed to reach an agreement in Jeddah on Sunday on a humanitarian truce for El Fasher.

The army demanded that RSF fighters leave the city, and the RSF rejected the demand.

The African Union's Peace and Security Council is due to discuss the talks at a meeting in Addis Ababa next week.
"""


@pytest.fixture(scope="module")
def process() -> Any:
    """Process an invented article with the shipped pipeline (events and negotiation included)."""
    from tidings.api import process as run
    from tidings.extract.parse import load_model

    try:
        load_model()
    except PipelineError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"spaCy model not installed: {exc}")
    cache: dict[str, Doc] = {}

    def one(text: str) -> Doc:
        if text not in cache:
            cache[text] = run(text, published="2024-09-12")
        return cache[text]

    return one


def record(doc: Doc) -> Negotiation:
    found = doc.spans["negotiation"]
    assert len(found) == 1, "expected one negotiation record"
    return found[0]


def stance_parties(neg: Negotiation) -> set[str]:
    return {s.party for i in neg.issues for s in i.stances}


# --- party cues ---------------------------------------------------------------------------------


def test_talks_between_the_government_of_x_and_y_name_the_parties(process: Any) -> None:
    """The Nairobi pattern: parties from "Talks between the government of X and Y", the envoy's
    country a mediator, the council that only discusses the talks neither."""
    neg = record(process(MOZAMBIQUE))
    assert neg.parties == ("Mozambique", "Cabo Delgado Liberation Front")
    assert neg.party_codes[0] == "MOZ"
    assert neg.mediators == ("South Africa",)
    assert "UN Security Council" not in neg.parties + neg.mediators
    # "CDLF" is the acronym of a party: its stance is that party's
    assert "Cabo Delgado Liberation Front" in stance_parties(neg)
    assert "CDLF" not in stance_parties(neg)


def reader_of(doc: Doc) -> Any:
    """The sides reader of a processed article (its cues, parse and names)."""
    from tidings.extract.event_lexicon import load_lexicon
    from tidings.extract.issues import load_vocabulary
    from tidings.extract.negotiation_cues import load_cues
    from tidings.extract.negotiation_sides import SideReader

    return SideReader(doc, load_cues(), load_vocabulary(), load_lexicon())


def test_x_and_y_negotiators_ended_a_round(process: Any) -> None:
    from tidings.extract.negotiation_roles import party_cues

    doc = process(JUBA)
    neg = record(doc)
    assert neg.parties == ("Sudan", "Sudan Liberation Movement")
    # the cue itself, not only the events: "... negotiators" names both sides
    cues = {c.offset: c for c in party_cues(reader_of(doc))}
    cue = cues[doc.text.index("negotiators")]
    assert cue.sides == ("Sudan", "Sudan Liberation Movement") and cue.kind == "side"
    assert not {"European Union", "Arab League"} & set(neg.parties + neg.mediators)


def test_xs_talks_with_y_and_a_mediating_country(process: Any) -> None:
    neg = record(process(DAR_ES_SALAAM))
    assert neg.parties == ("Ethiopia", "Oromo Liberation Army")
    assert neg.mediators == ("Tanzania",)  # "Tanzania, which is mediating"
    assert "United States" not in neg.parties + neg.mediators  # it only welcomed the talks


def test_kinshasa_is_the_congolese_government(process: Any) -> None:
    neg = record(process(DOHA))
    assert neg.parties == ("Democratic Republic of the Congo", "M23")
    assert neg.party_codes == ("COD", "COD-M23")
    assert neg.mediators == ("Qatar",)  # "mediated by Qatar"
    assert "European Union" not in neg.parties + neg.mediators


def test_a_partys_own_envoy_does_not_make_it_a_mediator(process: Any) -> None:
    neg = record(process(CARACAS))
    assert neg.parties == ("Colombia", "National Liberation Army")
    assert neg.mediators == ("Norway",)  # "Norwegian envoy ..., who chairs the talks"


def test_brokered_mediated_and_hosted_but_not_offered_or_negated(process: Any) -> None:
    neg = record(process(GENEVA))
    assert neg.parties == ("Armenia", "Azerbaijan")
    assert set(neg.mediators) == {"United States", "Qatar", "Switzerland"}
    assert not {"Egypt", "Turkey"} & set(neg.mediators)  # offered to mediate; did not host


def test_an_actor_that_only_discusses_the_talks_is_no_party(process: Any) -> None:
    """Without a strong cue the parties come from joint talks events; the council's "discuss
    the talks at a meeting" events are an observer's and must not outvote the real round."""
    from tidings.extract.negotiation_roles import observer_names, observer_tokens

    doc = process(JEDDAH)
    neg = record(doc)
    assert neg.parties == ("Sudanese Armed Forces", "Rapid Support Forces")
    assert not {"African Union", "African Union Peace and Security Council"} & set(neg.parties + neg.mediators)
    reader = reader_of(doc)
    watching = observer_tokens(reader)
    assert [t.lemma_ for t in watching] == ["discuss"]
    assert "African Union Peace and Security Council" in observer_names(reader, watching)


# --- acronyms (no model) ------------------------------------------------------------------------


def test_acronyms_stand_for_the_one_name_they_abbreviate() -> None:
    def org(name: str, kind: str = "organisation") -> Entity:
        return Entity(0, 1, name, kind)

    found = acronym_names([org("IPA"), org("Ituri Patriotic Alliance"), org("DRC"),
                           org("Democratic Republic of the Congo", "country"), org("UN"),
                           org("AU"), org("African Union", "igo"), org("Alliance Unie")])
    assert found["IPA"] == "Ituri Patriotic Alliance"
    assert found["DRC"] == "Democratic Republic of the Congo"  # "of the" are skipped
    assert "AU" not in found  # two names with those initials: ambiguous
    assert "UN" not in found
    person = acronym_names([Entity(0, 1, "JPU", "person"), org("Jean-Paul Ukumu", "person")])
    assert person == {}


# --- our own examples: the Ituri talks story ------------------------------------------------------


def _example_records() -> dict[str, Negotiation]:
    from tidings.api import extract

    out: dict[str, Negotiation] = {}
    paths = [str(EXAMPLES / "nairobi-talks-eastafricanledger.html"), str(EXAMPLES / "nairobi-talks-2024-09-13.txt"),
             str(EXAMPLES / "world-desk-wire.rss")]
    for result in extract(paths):
        if isinstance(result, Doc) and result.spans.get("negotiation"):
            out[str(result.source.path).split("/")[-1] + (f"#{result.source.record}" if result.source.record is not None else "")] = \
                result.spans["negotiation"][0]
    return out


def test_ituri_examples_name_congo_and_the_ipa(process: Any) -> None:
    found = _example_records()
    ledger = found["nairobi-talks-eastafricanledger.html"]
    assert ledger.parties == ("Democratic Republic of the Congo", "Ituri Patriotic Alliance")
    assert ledger.party_codes[0] == "COD"
    assert ledger.mediators == ("Kenya",)  # "Kenyan envoy Margaret Wairimu said"
    assert "Ituri Patriotic Alliance" in stance_parties(ledger)  # "IPA" in the text
    for name in ("nairobi-talks-2024-09-13.txt", "world-desk-wire.rss#0"):
        assert found[name].parties == ("Democratic Republic of the Congo", "Ituri Patriotic Alliance"), name
        assert found[name].mediators == ("Kenya", "African Union"), name
