"""Incidents and timelines: merge rules on hand-built events (no model), figures, dates, ids,
the timeline's order, filter, quotes and renderings, and the labelled set through the real
pipeline (tests/fixtures/incidents)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from tidings.corpus.incidents import (
    MAX_DATE_GAP_DAYS,
    Incident,
    IncidentIndex,
    incident_from_json,
    incident_id_for,
    incident_to_json,
    merge_incidents,
)
from tidings.corpus.reports import ArticleMeta, date_bounds, find_figures, make_report
from tidings.corpus.timeline import (
    TimelineQuote,
    build_timeline,
    render_timeline,
    story_incidents,
    timeline_to_json,
)
from tidings.evaluate.incidents import (
    DEV2_ARTICLES,
    DEV2_LABELS,
    DEV_ARTICLES,
    DEV_LABELS,
    HELDOUT_ARTICLES,
    HELDOUT_LABELS,
    evaluate,
    load_labels,
    pair_scores,
)
from tidings.records import Event, Place

# Floors: measured on tests/fixtures/incidents (see its README.md) minus a margin for small
# changes upstream. Lowering one is a visible, explained change.
DEV_PAIR_PRECISION_FLOOR = 0.95  # measured 1.000
DEV_PAIR_F1_FLOOR = 0.86  # measured 0.902 (recall 0.822: events the coder misses or misplaces); was 0.80
DEV_BCUBED_F1_FLOOR = 0.89  # measured 0.925; was 0.85
DEV2_PAIR_PRECISION_FLOOR = 0.95  # measured 1.000 (tests/fixtures/incidents/dev2.jsonl)
DEV2_PAIR_F1_FLOOR = 0.78  # measured 0.826 (27 gold links: one lost link costs ~0.03)
DEV2_BCUBED_F1_FLOOR = 0.85  # measured 0.892
HELDOUT_BCUBED_F1_FLOOR = 0.70  # measured 0.766
HELDOUT_PAIR_F1_FLOOR = 0.45  # measured 0.552 (15 reports: one wrong merge costs ~0.1)

PLACES = {
    # name: (country, feature, lat, lon)
    "Kharkiv": ("UA", "city", 49.99, 36.23),
    "Izium": ("UA", "city", 49.21, 37.26),
    "Ukraine": ("UA", "country", 49.0, 32.0),
    "Beledweyne": ("SO", "city", 4.74, 45.2),
    "Baidoa": ("SO", "city", 3.11, 43.65),
    "Doha": ("QA", "city", 25.29, 51.53),
    "Gaza Strip": ("PS", "region", 31.42, 34.35),
    "Khan Younis": ("PS", "city", 31.34, 34.31),
    "Almaty": ("KZ", "city", 43.24, 76.89),
    "Dori": ("BF", "city", 14.03, -0.03),
    "Nairobi": ("KE", "city", -1.29, 36.82),
    "Dhaka": ("BD", "city", 23.81, 90.41),
}


def article(article_id: str, outlet: str | None, published: str | None, text: str) -> ArticleMeta:
    """An article whose places are the PLACES names found in its text."""
    places = []
    for name, (country, feature, lat, lon) in PLACES.items():
        at = text.find(name)
        if at >= 0:
            places.append(Place(at, at + len(name), name, country, lat, lon, feature))  # type: ignore[arg-type]
    day = dt.date.fromisoformat(published) if published else None
    return ArticleMeta(article_id, outlet, day, text, tuple(places))


def event(meta: ArticleMeta, trigger: str, type_: str, actors: tuple[str, ...] = (),
          codes: tuple[str, ...] | None = None, targets: tuple[str, ...] = (),
          target_codes: tuple[str, ...] | None = None, date: str | None = None,
          date_source: str = "clause", place: str | None = None, negated: bool = False,
          modality: str = "asserted", occurrence: int = 0) -> Event:
    """An event whose trigger is the `occurrence`-th `trigger` in the article, in its sentence."""
    text = meta.text
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(trigger, at + 1)
    s_start = max(text.rfind(". ", 0, at) + 2, 0) if text.rfind(". ", 0, at) >= 0 else 0
    s_end = text.find(". ", at)
    s_end = len(text) if s_end < 0 else s_end + 1
    return Event(
        start=at, end=at + len(trigger), sentence_start=s_start, sentence_end=s_end,
        type=type_,  # type: ignore[arg-type]
        actors=actors, actor_codes=codes if codes is not None else tuple("" for _ in actors),
        targets=targets,
        target_codes=target_codes if target_codes is not None else tuple("" for _ in targets),
        negated=negated, modality=modality,  # type: ignore[arg-type]
        date=date, date_source=date_source, place=place,  # type: ignore[arg-type]
    )


# --- the scenarios of the brief -----------------------------------------------------------


def strike_reports() -> list[tuple[ArticleMeta, Event]]:
    """One missile strike on Kharkiv (Friday 2024-06-14) by four outlets: numbers differ, one
    outlet dates it Thursday, plus a syndicated copy of the first."""
    a = article("a", "one.example", "2024-06-14",
                "A Russian missile struck a market in Kharkiv on Friday, killing 12 people.")
    b = article("b", "two.example", "2024-06-15",
                "Russian forces hit a market in Kharkiv on Friday, killing at least 15 people.")
    c = article("c", "three.example", "2024-06-15",
                "A Russian strike on a Kharkiv market killed 14 people on Friday.")
    d = article("d", "four.example", "2024-06-16",
                "A Russian missile that hit a market in Kharkiv on Thursday killed 14 people.")
    e = article("e", "copy.example", "2024-06-14",
                "A Russian missile struck a market in Kharkiv on Friday, killing 12 people.")
    rus = ("Russia",), ("RUS",)
    return [
        (a, event(a, "struck", "ASSAULT", *rus, date="2024-06-14", place="Kharkiv")),
        (b, event(b, "hit", "ASSAULT", ("Russian Armed Forces",), ("RUS",), date="2024-06-14",
                  place="Kharkiv")),
        (c, event(c, "killed", "ASSAULT", *rus, date="2024-06-14", place="Kharkiv")),
        (d, event(d, "hit", "ASSAULT", *rus, date="2024-06-13", place="Kharkiv")),
        (e, event(e, "struck", "ASSAULT", *rus, date="2024-06-14", place="Kharkiv")),
    ]


def test_one_strike_reported_by_four_outlets_is_one_incident() -> None:
    incidents = merge_incidents(strike_reports(), copy_of={"e": "a"})
    assert len(incidents) == 1
    inc = incidents[0]
    assert inc.type == "ASSAULT" and inc.actors[0] == "Russia"
    assert len(inc.reports) == 5
    assert inc.outlets == 4 and inc.sources == 4  # the copy adds no outlet
    assert "copy.example" not in inc.outlet_names
    assert inc.date == "2024-06-14" and inc.date_basis == "text"


def test_conflicting_numbers_and_dates_are_kept_side_by_side() -> None:
    inc = merge_incidents(strike_reports(), copy_of={"e": "a"})[0]
    assert set(inc.conflicts) == {"date", "killed"}
    values = inc.conflict_values()
    assert sorted(values["killed"]) == [12, 14, 15]  # never averaged
    assert set(values["date"]) == {"2024-06-14", "2024-06-13"}
    killed = {f.value: f for f in inc.figures if f.what == "killed"}
    assert killed[14].reports == 2 and killed[12].reports == 1  # the copy is not a second vote
    assert killed[15].qualifier == "at least"
    assert {d.value: d.reports for d in inc.dates} == {"2024-06-14": 3, "2024-06-13": 1}


def test_copies_count_once_even_without_the_copy_map_they_are_listed() -> None:
    with_map = merge_incidents(strike_reports(), copy_of={"e": "a"})[0]
    without = merge_incidents(strike_reports())[0]
    assert without.outlets == 5 and with_map.outlets == 4
    assert [r.article_id for r in with_map.reports if r.copy_of] == ["e"]


def test_talks_round_reported_by_three_outlets_merges() -> None:
    texts = {
        "t1": "Israeli and Hamas negotiators held indirect talks in Doha on Wednesday.",
        "t2": "Israel and Hamas held indirect negotiations in Doha on Wednesday.",
        "t3": "Negotiators from Israel and Hamas held a round of talks on Wednesday.",
    }
    items = []
    for i, (aid, text) in enumerate(texts.items()):
        meta = article(aid, f"outlet{i}.example", f"2024-07-1{i}", text)
        trig = "talks" if "talks" in text else "negotiations"
        items.append((meta, event(meta, trig, "CONSULT", ("Israel", "Hamas"), ("ISR", "PSE-HAMAS"),
                                  date="2024-07-10", place="Doha" if "Doha" in text else None)))
    incidents = merge_incidents(items)
    assert len(incidents) == 1 and incidents[0].outlets == 3
    assert incidents[0].places == ("Doha",)


def test_attacks_on_consecutive_days_in_different_towns_stay_apart() -> None:
    a = article("s1", "horn.example", "2024-09-09",
                "Al-Shabaab fighters attacked a base in Beledweyne on Monday, killing five soldiers.")
    b = article("s2", "horn.example", "2024-09-10",
                "Al-Shabaab fighters attacked a police station in Baidoa on Tuesday, killing four.")
    shabaab = ("al-Shabaab",), ("SOM-SHABAAB",)
    items = [(a, event(a, "attacked", "ASSAULT", *shabaab, date="2024-09-09", place="Beledweyne")),
             (b, event(b, "attacked", "ASSAULT", *shabaab, date="2024-09-10", place="Baidoa"))]
    incidents = merge_incidents(items)
    assert len(incidents) == 2
    assert [i.places for i in incidents] == [("Beledweyne",), ("Baidoa",)]


def test_same_place_two_days_apart_stays_apart() -> None:
    a = article("k1", "x.example", "2024-06-14", "Russian missiles hit Kharkiv on Friday.")
    b = article("k2", "y.example", "2024-06-16", "Russian drones attacked Kharkiv on Sunday.")
    rus = ("Russia",), ("RUS",)
    items = [(a, event(a, "hit", "ASSAULT", *rus, date="2024-06-14", place="Kharkiv")),
             (b, event(b, "attacked", "ASSAULT", *rus, date="2024-06-16", place="Kharkiv"))]
    assert MAX_DATE_GAP_DAYS < 2
    assert len(merge_incidents(items)) == 2


def test_negated_event_does_not_merge_with_asserted_one() -> None:
    a = article("n1", "x.example", "2024-07-11", "Israel and Hamas met in Doha on Wednesday.")
    b = article("n2", "y.example", "2024-07-11",
                "The Hamas delegation did not meet Israeli officials in Doha on Wednesday.")
    actors = ("Israel", "Hamas"), ("ISR", "PSE-HAMAS")
    items = [(a, event(a, "met", "CONSULT", *actors, date="2024-07-10", place="Doha")),
             (b, event(b, "meet", "CONSULT", ("Hamas",), ("PSE-HAMAS",), ("Israel",), ("ISR",),
                       date="2024-07-10", place="Doha", negated=True))]
    incidents = merge_incidents(items)
    assert len(incidents) == 2
    assert sorted(i.negated for i in incidents) == [False, True]


def test_background_event_from_2023_merges_across_2024_reports() -> None:
    texts = [
        ("b1", "2024-07-10", "The war began after Hamas attacked southern Israel on October 7, 2023.",
         "2023-10-07"),
        ("b2", "2024-07-11", "Israel's offensive began after Hamas attacked Israel on October 7, 2023.",
         "2023-10-07"),
        ("b3", "2024-07-12", "Hamas attacked Israel in October 2023, and the war has gone on since.",
         "2023-10"),
    ]
    items = []
    for aid, pub, text, date in texts:
        meta = article(aid, aid + ".example", pub, text)
        items.append((meta, event(meta, "attacked", "ASSAULT", ("Hamas",), ("PSE-HAMAS",),
                                  ("Israel",), ("ISR",), date=date)))
    incidents = merge_incidents(items)
    assert len(incidents) == 1
    inc = incidents[0]
    assert inc.date == "2023-10-07" and inc.outlets == 3
    assert "date" not in inc.conflicts  # "2023-10" contains "2023-10-07": no disagreement


def test_future_event_is_no_report_and_unanchored_event_joins_only_its_sentence() -> None:
    a = article("u1", "x.example", "2024-06-14",
                "A Russian airstrike hit Kharkiv on Friday, killing 12 people. Ukraine condemned the strike.")
    strike = event(a, "airstrike", "ASSAULT", ("Russia",), ("RUS",), date="2024-06-14", place="Kharkiv")
    killing = event(a, "killing", "ASSAULT", date="2024-06-14")  # no actor, target or place
    later = event(a, "strike", "ASSAULT", date="2024-06-14", date_source="publication",
                  occurrence=1)
    plan = event(a, "hit", "ASSAULT", ("Russia",), ("RUS",), date="2024-06-20", modality="future")
    index = IncidentIndex()
    ids = index.add("u1", "x.example", dt.date(2024, 6, 14), [strike, killing, later, plan],
                    text=a.text, places=a.places)
    assert ids[0] is not None and ids[1] == ids[0]  # same sentence: same incident
    assert ids[2] is None  # "the strike" in another sentence names nothing: dropped
    assert ids[3] is None  # planned, not a happening
    assert make_report(a, plan, 3) is None
    inc = index.incident(ids[0])
    assert [f.value for f in inc.figures] == [12]


def test_actorless_report_merges_by_place_and_words() -> None:
    a = article("p1", "x.example", "2024-06-14", "A missile struck a crowded market in Kharkiv on Friday.")
    b = article("p2", "y.example", "2024-06-15", "Russian forces struck a market in Kharkiv on Friday.")
    c = article("p3", "z.example", "2024-06-15", "Shelling damaged a power station in Kharkiv on Friday.")
    items = [(a, event(a, "struck", "ASSAULT", date="2024-06-14", place="Kharkiv")),
             (b, event(b, "struck", "ASSAULT", ("Russia",), ("RUS",), date="2024-06-14", place="Kharkiv")),
             (c, event(c, "Shelling", "ASSAULT", date="2024-06-14", place="Kharkiv"))]
    incidents = merge_incidents(items)
    groups = sorted(sorted(r.article_id for r in i.reports) for i in incidents)
    assert groups == [["p1", "p2"], ["p3"]]  # same place and day, but nothing else in common


def test_region_is_compatible_with_a_town_of_its_country() -> None:
    a = article("g1", "x.example", "2024-08-01", "Israeli jets struck Khan Younis on Thursday.")
    b = article("g2", "y.example", "2024-08-01", "Israeli jets struck the Gaza Strip on Thursday.")
    isr = ("Israel",), ("ISR",)
    items = [(a, event(a, "struck", "ASSAULT", *isr, date="2024-08-01", place="Khan Younis")),
             (b, event(b, "struck", "ASSAULT", *isr, date="2024-08-01", place="Gaza Strip"))]
    assert len(merge_incidents(items)) == 1


def test_undated_reports_merge_only_within_a_story() -> None:
    text = "Kosovo and Serbia held EU-mediated talks in Brussels on normalising relations."
    a = article("d1", "x.example", None, text)
    b = article("d2", "y.example", None, "Kosovo and Serbia held EU-mediated talks in Brussels on relations.")
    actors = ("Kosovo", "Serbia"), ("XKX", "SRB")
    items = [(a, event(a, "talks", "CONSULT", *actors, date=None, date_source="none")),
             (b, event(b, "talks", "CONSULT", *actors, date=None, date_source="none"))]
    assert len(merge_incidents(items)) == 2
    assert len(merge_incidents(items, story_of={"d1": "s-1", "d2": "s-1"})) == 1
    assert len(merge_incidents(items, story_of={"d1": "s-1", "d2": "s-2"})) == 2


def test_dateline_and_place_names_are_not_actors() -> None:
    a = article("dl", "x.example", "2024-06-14", "KHARKIV, Ukraine — Missiles struck Kharkiv on Friday.")
    e = event(a, "struck", "ASSAULT", ("KHARKIV",), ("",), ("Kharkiv",), ("UKR",), date="2024-06-14")
    r = make_report(a, e, 0)
    assert r is not None
    assert r.actors == () and r.targets == ()
    assert r.place == "Kharkiv" and r.place_country == "UA"


# --- keying actors, places and sentences (dev-set and dev2-set misses) ----------------------


def groups_of(incidents: list[Incident]) -> list[list[str]]:
    return sorted(sorted(f"{r.article_id}#{r.event_idx}" for r in i.reports) for i in incidents)


def test_a_meeting_reported_with_actor_and_target_swapped_is_one_incident() -> None:
    a = article("m1", "x.example", "2025-03-11",
                "Armenia's foreign minister met his Azerbaijani counterpart in Almaty on Tuesday.")
    b = article("m2", "y.example", "2025-03-12",
                "Azerbaijan's foreign minister held talks with Armenia's in Almaty on Tuesday.")
    arm, aze = ("Armenia",), ("ARM",)
    items = [(a, event(a, "met", "CONSULT", arm[0:1], aze[0:1], ("Azerbaijan",), ("AZE",),
                       date="2025-03-11", place="Almaty")),
             (b, event(b, "held talks", "CONSULT", ("Azerbaijan",), ("AZE",), arm, aze,
                       date="2025-03-11", place="Almaty"))]
    assert len(merge_incidents(items)) == 1
    # an attack is directed: A attacking B and B attacking A the same day are two happenings
    c = article("m3", "x.example", "2025-03-09", "Azerbaijani troops fired on Armenian positions on Sunday.")
    d = article("m4", "y.example", "2025-03-09", "Armenian troops fired on Azerbaijani positions on Sunday.")
    items = [(c, event(c, "fired on", "ASSAULT", ("Azerbaijan",), ("AZE",), ("Armenia",), ("ARM",),
                       date="2025-03-09")),
             (d, event(d, "fired on", "ASSAULT", ("Armenia",), ("ARM",), ("Azerbaijan",), ("AZE",),
                       date="2025-03-09"))]
    assert len(merge_incidents(items)) == 2


def test_generic_actors_do_not_identify_a_happening() -> None:
    a = article("c1", "x.example", "2024-11-17",
                "Gunmen killed nine people at a church in the northern town of Dori on Sunday.")
    b = article("c2", "y.example", "2024-11-18",
                "Suspected jihadists attacked a church in Dori on Sunday, killing nine people.")
    ra = make_report(a, event(a, "killed", "ASSAULT", ("Gunmen",), date="2024-11-17"), 0)
    assert ra is not None and ra.actor_keys == ("role:gunmen",) and ra.identifying_actors == ()
    items = [(a, event(a, "killed", "ASSAULT", ("Gunmen",), date="2024-11-17", place="Dori")),
             (b, event(b, "attacked", "ASSAULT", ("Suspected jihadists",), date="2024-11-17",
                       place="Dori"))]
    assert len(merge_incidents(items)) == 1  # different generic names: place and words decide
    # "police" in one report does not rule out the country's police in another
    c = article("c3", "x.example", "2024-06-25", "Police fired tear gas at protesters in Nairobi on Tuesday.")
    d = article("c4", "y.example", "2024-06-25",
                "Kenyan police fired tear gas at protesters in Nairobi on Tuesday.")
    items = [(c, event(c, "fired tear gas at", "ASSAULT", ("Police",), date="2024-06-25", place="Nairobi")),
             (d, event(d, "fired tear gas at", "ASSAULT", ("Kenya",), ("KEN",), date="2024-06-25",
                       place="Nairobi"))]
    assert len(merge_incidents(items)) == 1


def test_a_report_without_actors_does_not_bridge_incidents_of_different_actors() -> None:
    a = article("n1", "x.example", "2024-06-25",
                "Police opened fire on the crowd outside parliament in Nairobi on Tuesday.")
    b = article("n2", "y.example", "2024-06-26",
                "Kenyan police opened fire on the crowd outside parliament in Nairobi on Tuesday.")
    c = article("n3", "z.example", "2024-06-26",
                "Protesters stormed parliament in Nairobi on Tuesday as police opened fire on the crowd.")
    items = [(a, event(a, "opened fire", "ASSAULT", date="2024-06-25", place="Nairobi")),
             (b, event(b, "opened fire", "ASSAULT", ("Kenya",), ("KEN",), date="2024-06-25",
                       place="Nairobi")),
             (c, event(c, "stormed", "ASSAULT", ("Protesters",), date="2024-06-25", place="Nairobi"))]
    assert groups_of(merge_incidents(items)) == [["n1#0", "n2#0"], ["n3#0"]]


def test_a_sentence_joining_two_happenings_is_cut_at_a_day_after() -> None:
    text = ("Soldiers killed 20 militants near Dori on Monday, a day after an attack on a church "
            "in the town killed 11 people.")
    a = article("t1", "x.example", "2024-11-19", text)
    op = event(a, "killed", "ASSAULT", ("Burkina Faso",), ("BFA",), date="2024-11-18", place="Dori")
    attack = event(a, "attack", "ASSAULT", date="2024-11-18", date_source="sentence")
    index = IncidentIndex()
    ids = index.add("t1", "x.example", dt.date(2024, 11, 19), [op, attack], text=a.text,
                    places=a.places)
    assert ids[0] is not None and ids[1] is None  # not the operation: dropped, names nothing
    r = make_report(a, attack, 1)
    assert r is not None and r.segment == 1 and "soldier" not in " ".join(r.words)


def test_place_comes_from_the_sentence_or_a_town_given_as_actor() -> None:
    a = article("pl", "x.example", "2024-06-25",
                "Thousands marched on parliament in Nairobi on Tuesday, and police opened fire on the crowd.")
    r = make_report(a, event(a, "opened fire", "ASSAULT", date="2024-06-25"), 0)
    assert r is not None and r.place == "Nairobi" and r.place_country == "KE" and r.anchored
    b = article("p2", "x.example", "2024-02-08", "Police in Dhaka detained 120 activists on Saturday.")
    r = make_report(b, event(b, "detained", "COERCE", ("Dhaka",), ("BGD",), date="2024-02-08"), 0)
    assert r is not None and r.actors == () and r.place == "Dhaka"
    c = article("p3", "x.example", "2024-09-10",
                "Fighters attacked Baidoa on Tuesday and shelled Beledweyne, killing four.")
    r = make_report(c, event(c, "killing", "ASSAULT", date="2024-09-10"), 0)
    assert r is not None and r.place is None  # two towns: no guess


def test_an_acronym_takes_the_code_of_the_name_it_abbreviates() -> None:
    text = ("Police arrested members of the Bangladesh Nationalist Party in Dhaka on Saturday. "
            "Thousands of BNP supporters had demonstrated in Dhaka on Saturday.")
    a = article("ac", "x.example", "2025-02-09", text)
    arrest = event(a, "arrested", "COERCE", ("Police",), (), ("Bangladesh Nationalist Party",),
                   ("BGD-BNP",), date="2025-02-08")
    rally = event(a, "demonstrated", "PROTEST", ("BNP",), ("",), date="2025-02-08")
    r = make_report(a, rally, 1, sentence_events=[arrest, rally])
    assert r is not None and r.actor_keys == ("BGD-BNP",)


def test_background_reports_with_the_same_past_date_merge_without_common_words() -> None:
    a = article("v1", "x.example", "2024-06-14",
                "Russia has struck Kharkiv since its forces invaded Ukraine on February 24, 2022.")
    b = article("v2", "y.example", "2024-06-15",
                "Moscow launched its full-scale invasion of Ukraine in February 2022.")
    ukr = ("Ukraine",), ("UKR",)
    items = [(a, event(a, "invaded", "ASSAULT", (), (), *ukr, date="2022-02-24")),
             (b, event(b, "invasion", "ASSAULT", ("Russia",), ("RUS",), *ukr, date="2022-02",
                       date_source="sentence"))]
    incidents = merge_incidents(items)
    assert len(incidents) == 1 and incidents[0].date == "2022-02-24"
    # the same two reports about last week: current news needs words in common
    items = [(a, event(a, "invaded", "ASSAULT", (), (), *ukr, date="2024-06-10")),
             (b, event(b, "invasion", "ASSAULT", ("Russia",), ("RUS",), *ukr, date="2024-06-10"))]
    assert len(merge_incidents(items)) == 2


def test_weak_evidence_does_not_reach_the_next_day() -> None:
    a = article("w1", "x.example", "2024-11-17", "Gunmen attacked a church in Dori on Sunday, killing nine.")
    b = article("w2", "y.example", "2024-11-18",
                "The army said it had killed 20 militants in Dori on Monday after the church attack.")
    items = [(a, event(a, "attacked", "ASSAULT", ("Gunmen",), date="2024-11-17", place="Dori")),
             (b, event(b, "killed", "ASSAULT", ("Burkina Faso",), ("BFA",), date="2024-11-18",
                       place="Dori"))]
    assert len(merge_incidents(items)) == 2


# --- ids and order ------------------------------------------------------------------------


def partition(incidents: list[Incident]) -> dict[str, frozenset[tuple[str, int]]]:
    return {i.id: frozenset((r.article_id, r.event_idx) for r in i.reports) for i in incidents}


def all_scenarios() -> list[tuple[ArticleMeta, Event]]:
    items = strike_reports()
    a = article("s1", "horn.example", "2024-09-09", "Al-Shabaab attacked Beledweyne on Monday.")
    b = article("s2", "horn.example", "2024-09-10", "Al-Shabaab attacked Baidoa on Tuesday.")
    sh = ("al-Shabaab",), ("SOM-SHABAAB",)
    items += [(a, event(a, "attacked", "ASSAULT", *sh, date="2024-09-09", place="Beledweyne")),
              (b, event(b, "attacked", "ASSAULT", *sh, date="2024-09-10", place="Baidoa"))]
    return items


def test_ids_are_stable_whatever_the_order_reports_arrive_in() -> None:
    items = all_scenarios()
    expected = partition(merge_incidents(items, copy_of={"e": "a"}))
    for order in itertools.islice(itertools.permutations(range(len(items))), 0, 720, 37):
        index = IncidentIndex()
        for i in order:
            meta, ev = items[i]
            index.add_reports([make_report(meta, ev, 0, copy_of={"e": "a"}.get(meta.id))])  # type: ignore[list-item]
        assert partition(index.incidents()) == expected
        for old in index.renames:  # an old id still finds its incident
            assert index.resolve(old.old) in expected


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_merge_incidents_does_not_depend_on_input_order(rnd: random.Random) -> None:
    items = all_scenarios()
    shuffled = list(items)
    rnd.shuffle(shuffled)
    assert partition(merge_incidents(shuffled)) == partition(merge_incidents(items))


def test_id_comes_from_the_earliest_report_and_late_reports_rename() -> None:
    items = strike_reports()[:2]
    index = IncidentIndex()
    later_meta, later_event = items[1]
    first_meta, first_event = items[0]
    (late_id,) = index.add_reports([make_report(later_meta, later_event, 0)])  # type: ignore[list-item]
    (now_id,) = index.add_reports([make_report(first_meta, first_event, 0)])  # type: ignore[list-item]
    first = make_report(first_meta, first_event, 0)
    assert first is not None and now_id == incident_id_for(first) != late_id
    assert index.renames[-1].old == late_id and index.resolve(late_id) == now_id
    assert index.incident(late_id).id == now_id


def test_adding_the_same_article_twice_changes_nothing() -> None:
    index = IncidentIndex()
    for meta, ev in strike_reports():
        index.add_reports([make_report(meta, ev, 0)])  # type: ignore[list-item]
    before = partition(index.incidents())
    for meta, ev in strike_reports():
        index.add_reports([make_report(meta, ev, 0)])  # type: ignore[list-item]
    assert partition(index.incidents()) == before


def test_incident_json_round_trip() -> None:
    for inc in merge_incidents(all_scenarios(), copy_of={"e": "a"}):
        data = json.loads(json.dumps(incident_to_json(inc)))
        assert incident_from_json(data) == inc


# --- figures and dates --------------------------------------------------------------------


@pytest.mark.parametrize("sentence, expected", [
    ("An airstrike killed 12 people in the city.", [("killed", 12, None)]),
    ("Twelve people were killed, and 30 were wounded.", [("killed", 12, None), ("wounded", 30, None)]),
    ("At least 15 dead after the strike.", [("killed", 15, "at least")]),
    ("The death toll rose to 18 on Sunday.", [("killed", 18, None)]),
    ("killing nine people and wounding 34", [("killed", 9, None), ("wounded", 34, None)]),
    ("Police arrested 40 people.", [("arrested", 40, None)]),
    ("killing about 1,200 people and taking 251 hostages",
     [("killed", 1200, "about"), ("abducted", 251, None)]),
    ("four police officers were killed", [("killed", 4, None)]),
    ("the war that killed nine months of progress", []),
    ("those killed in 2022 were remembered", []),
])
def test_find_figures(sentence: str, expected: list[tuple[str, int, str | None]]) -> None:
    found = find_figures(sentence)
    assert [(f.what, f.value, f.qualifier) for f in found] == expected
    for f in found:
        assert sentence[f.start:f.end]


def test_figures_go_to_the_nearest_event_of_the_sentence() -> None:
    a = article("f1", "x.example", "2024-09-10",
                "Al-Shabaab attacked Baidoa on Tuesday, killing four officers, a day after it "
                "attacked Beledweyne.")
    sh = ("al-Shabaab",), ("SOM-SHABAAB",)
    baidoa = event(a, "attacked", "ASSAULT", *sh, date="2024-09-10", place="Baidoa")
    beled = event(a, "attacked", "ASSAULT", *sh, date="2024-09-09", place="Beledweyne", occurrence=1)
    events = [baidoa, beled]
    r0 = make_report(a, baidoa, 0, sentence_events=events)
    r1 = make_report(a, beled, 1, sentence_events=events)
    assert r0 is not None and r1 is not None
    assert [f.value for f in r0.figures] == [4] and r1.figures == ()


def test_date_bounds() -> None:
    assert date_bounds("2024-07-02") == (dt.date(2024, 7, 2), dt.date(2024, 7, 2), "day")
    assert date_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29), "month")
    assert date_bounds("2023") == (dt.date(2023, 1, 1), dt.date(2023, 12, 31), "year")
    assert date_bounds("2024-W24") == (dt.date(2024, 6, 10), dt.date(2024, 6, 16), "week")
    assert date_bounds("2024-07-02T10:30") == (dt.date(2024, 7, 2), dt.date(2024, 7, 2), "day")
    assert date_bounds("PAST_REF") is None and date_bounds(None) is None
    assert date_bounds("2024-13") is None


# --- timeline -----------------------------------------------------------------------------


def dated_incidents() -> list[Incident]:
    """Incidents dated 2024-07-02, 2024-07, 2024-07-01, 2024, one by publication, two undated."""
    specs = [
        ("m1", "2024-07-03", "Russia attacked Kharkiv on July 2.", "2024-07-02", "clause"),
        ("m2", "2024-07-20", "Russia attacked Izium in July.", "2024-07", "clause"),
        ("m3", "2024-07-02", "Hamas attacked Israel on July 1.", "2024-07-01", "clause"),
        ("m4", "2024-09-01", "Hamas attacked Egypt in 2024.", "2024", "sentence"),
        ("m5", "2024-07-05", "Houthis attacked a ship.", "2024-07-05", "publication"),
        ("m6", "2024-08-02", "Somali forces attacked Baidoa.", None, "none"),
        ("m7", "2024-06-30", "Sudanese forces attacked Darfur.", None, "none"),
    ]
    actors = {"m1": "Russia", "m2": "Russia", "m3": "Hamas", "m4": "Hamas", "m5": "Houthis",
              "m6": "Somalia", "m7": "Sudan"}
    items = []
    for aid, pub, text, date, source in specs:
        meta = article(aid, aid + ".example", pub, text)
        items.append((meta, event(meta, "attacked", "ASSAULT", (actors[aid],), (aid.upper(),),
                                  date=date, date_source=source)))
    return merge_incidents(items)


def first_article(entry) -> str:  # type: ignore[no-untyped-def]
    return entry.incident.reports[0].article_id


def test_timeline_orders_by_event_date_with_mixed_precisions() -> None:
    timeline = build_timeline(dated_incidents(), {})
    order = [first_article(e) for e in timeline.entries]
    # 2024 (from Jan 1), 2024-07 (from July 1, coarser first), 2024-07-01, 2024-07-02,
    # 2024-07-05 (reported), then undated by publication: m7 (June 30) before m6 (Aug 2)
    assert order == ["m4", "m2", "m3", "m1", "m5", "m7", "m6"]
    by_id = {first_article(e): e for e in timeline.entries}
    assert by_id["m2"].precision == "month" and by_id["m1"].precision == "day"
    assert by_id["m5"].dated_by == "publication"
    assert by_id["m6"].when is None and by_id["m6"].dated_by == "none"


def test_timeline_since_until_filter() -> None:
    timeline = build_timeline(dated_incidents(), {}, since="2024-07-02", until=dt.date(2024, 7, 31))
    kept = {first_article(e) for e in timeline.entries}
    # the year 2024 and July overlap the window; July 1 does not; undated m6 was published after
    assert kept == {"m4", "m2", "m1", "m5"}
    only_june = build_timeline(dated_incidents(), {}, until="2024-06-30")
    assert {first_article(e) for e in only_june.entries} == {"m4", "m7"}


def kharkiv_timeline():  # type: ignore[no-untyped-def]
    items = strike_reports()
    incidents = merge_incidents(items, copy_of={"e": "a"})
    a_text = items[0][0].text
    b_text = items[1][0].text
    quotes = {
        "a": [TimelineQuote("a", "one.example", "the regional governor", False, "indirect",
                            "2024-06-14", "publication", a_text[:30], 0, 30)],
        "b": [TimelineQuote("b", "two.example", "Olena Marchenko", True, "direct", "2024-06-15",
                            "publication", "We pulled [bold]children[/bold] out", len(b_text) + 2,
                            len(b_text) + 40)],
    }
    texts = {meta.id: meta.text for meta, _ in items}
    return build_timeline(story_incidents(incidents, ["a", "b", "c"]), quotes, texts=texts,
                          story_id="s-test")


def test_timeline_sources_quotes_and_attribution() -> None:
    timeline = kharkiv_timeline()
    (entry,) = timeline.entries
    assert [s.article_id for s in entry.sources] == ["a", "b", "c", "d", "e"]
    source_a = entry.sources[0]
    assert source_a.according_to == "the regional governor"  # reported speech covering the report
    assert source_a.sentence and source_a.sentence.startswith("A Russian missile")
    assert entry.sources[-1].copy_of == "a"
    assert [q.speaker for q in entry.quotes] == ["Olena Marchenko"]  # the attribution is no quote


def test_render_timeline_and_json() -> None:
    timeline = kharkiv_timeline()
    console = Console(record=True, width=120, color_system=None)
    render_timeline(timeline, console)
    out = console.export_text()
    assert "2024-06-14 Fri" in out and "ASSAULT" in out and "Russia" in out
    assert "4 outlets" in out
    assert "reports disagree" in out and "killed" in out and "2024-06-13" in out
    assert "[bold]children[/bold]" in out  # article text is printed, not read as markup
    data = json.loads(json.dumps(timeline_to_json(timeline, with_incidents=True)))
    entry = data["entries"][0]
    assert entry["date"] == "2024-06-14" and entry["precision"] == "day"
    assert sorted(entry["conflicts"]["killed"]) == [12, 14, 15]
    assert entry["quotes"][0]["speaker"] == "Olena Marchenko"
    assert incident_from_json(data["incidents"][0]) == timeline.entries[0].incident


def test_render_empty_timeline() -> None:
    console = Console(record=True, width=80, color_system=None)
    render_timeline(build_timeline([], {}, story_id="s-none"), console)
    assert "no incidents" in console.export_text()


# --- scorer and the labelled set ----------------------------------------------------------


def test_pair_scores() -> None:
    gold = {1: "A", 2: "A", 3: "B", 4: "B"}
    assert pair_scores({1: "x", 2: "x", 3: "y", 4: "y"}, gold).f1 == 1.0
    s = pair_scores({1: "x", 2: "x", 3: "x"}, gold)  # 4 missed: a singleton
    assert (s.predicted, s.gold, s.correct) == (3, 2, 1)
    assert s.precision == pytest.approx(1 / 3) and s.recall == 0.5


def test_labels_files_are_well_formed() -> None:
    for path, articles in ((DEV_LABELS, DEV_ARTICLES), (DEV2_LABELS, DEV2_ARTICLES),
                           (HELDOUT_LABELS, HELDOUT_ARTICLES)):
        rows = load_labels(path)
        lines = articles.read_text(encoding="utf-8").splitlines()
        ids = {json.loads(line)["id"] for line in lines if line.strip()}
        assert rows and all(r.article in ids for r in rows)


@cache
def scored(which: str):  # type: ignore[no-untyped-def]
    if which == "dev":
        return evaluate(DEV_ARTICLES, DEV_LABELS)
    if which == "dev2":
        return evaluate(DEV2_ARTICLES, DEV2_LABELS)
    return evaluate(HELDOUT_ARTICLES, HELDOUT_LABELS)


def test_dev_set_through_the_pipeline_meets_floors() -> None:
    s = scored("dev")
    assert s.pairs.precision >= DEV_PAIR_PRECISION_FLOOR, s.pairs
    assert s.pairs.f1 >= DEV_PAIR_F1_FLOOR, s.pairs
    assert s.bcubed.f1 >= DEV_BCUBED_F1_FLOOR, s.bcubed


def test_dev2_set_through_the_pipeline_meets_floors() -> None:
    s = scored("dev2")
    assert s.pairs.precision >= DEV2_PAIR_PRECISION_FLOOR, s.pairs
    assert s.pairs.f1 >= DEV2_PAIR_F1_FLOOR, s.pairs
    assert s.bcubed.f1 >= DEV2_BCUBED_F1_FLOOR, s.bcubed


def test_dev2_set_key_cases() -> None:
    """The cases dev2 was written for, by name on the real pipeline's output."""
    s = scored("dev2")
    labels = load_labels(DEV2_LABELS)
    of: dict[str, set[str]] = {}
    for i, incident_id in s.assignment.items():
        of.setdefault(labels[i].incident, set()).add(incident_id)
    assert len(of["A-almaty"]) == 1  # "A met B" and "B held talks with A"
    assert len(of["B-arrests"]) == 1 and len(of["B-rally"]) == 1  # "Police in Dhaka"; "BNP"
    assert len(of["D-kupiansk"]) == 1  # shelled / shelling / artillery fire killed
    assert not of["C-church"] & of["C-operation"]  # same town, next day, other actors
    assert not of["D-kupiansk"] & of["D-belgorod"]
    by_id = {i.id: i for i in s.incidents}
    (arrests,) = of["B-arrests"]
    assert {f.value for f in by_id[arrests].figures if f.what == "arrested"} >= {120, 124}


def test_heldout_set_through_the_pipeline_meets_floors() -> None:
    s = scored("heldout")
    assert s.bcubed.f1 >= HELDOUT_BCUBED_F1_FLOOR, s.bcubed
    assert s.pairs.f1 >= HELDOUT_PAIR_F1_FLOOR, s.pairs


def test_dev_set_key_cases() -> None:
    """The cases the set was written for, checked by name on the real pipeline's output."""
    s = scored("dev")
    labels = load_labels(DEV_LABELS)
    of: dict[str, set[str]] = {}
    for i, incident_id in s.assignment.items():
        of.setdefault(labels[i].incident, set()).add(incident_id)
    by_id = {i.id: i for i in s.incidents}
    # the market strike: one incident, every outlet, numbers side by side, the copy counted once
    (market,) = of["K-market"]
    inc = by_id[market]
    assert inc.outlets == 4 and "killed" in inc.conflicts and inc.date == "2024-06-14"
    assert len({f.value for f in inc.figures if f.what == "killed"}) >= 3
    # different happenings stay apart
    assert not of["K-market"] & of["K-drones"] and not of["K-market"] & of["K-glide"]
    assert not of["S-beledweyne"] & of["S-baidoa"]
    assert not of["D-doha"] & of["D-nomeet"] and not of["D-doha"] & of["D-cairo"]
    assert not of["P-talks"] & of["P-nosummit"]
    # the October 2023 attack mentioned in 2024 reports is one incident dated 2023
    (oct7,) = of["D-oct7"]
    assert by_id[oct7].date == "2023-10-07" and by_id[oct7].sources == 3
