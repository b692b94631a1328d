"""A story's negotiation history: each issue's stances, party by party, over time.

The four articles below are invented news text written for these tests: talks between Sudan's
army and the Rapid Support Forces in Jeddah over five days, one article republished by a second
outlet (a syndicated copy, trimmed of its last paragraph). They are processed with
`tidings.process`; the small hand-built Docs further down need no model.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from tidings.corpus.negotiation_history import (
    PartyLine,
    StoryNegotiation,
    negotiation_for_story,
    render_story_negotiation,
    story_negotiation,
    story_negotiation_from_json,
    story_negotiation_to_json,
)
from tidings.doc import Doc
from tidings.records import Issue, Negotiation, Outcome, Stance

ARMY = "Sudanese Armed Forces"
RSF = "Rapid Support Forces"

JEDDAH_OPENS = """date 2025-05-12
Delegations from Sudan's army and the Rapid Support Forces met for talks in Jeddah on Sunday, in the first direct negotiations between the two sides in more than a year.

The talks, mediated by Saudi Arabia and the United States, are meant to secure a humanitarian truce ahead of the rainy season.

The army demanded the withdrawal of RSF fighters from Khartoum as a condition for any truce. The RSF rejected the demand, a spokesman for the group told reporters.

The RSF proposed a 72-hour humanitarian truce on Sunday, but the army rejected the proposal.

"We will not leave the capital while the army keeps bombing our positions," RSF spokesman Mohamed al-Mukhtar said.
"""

JEDDAH_OPENS_ENDING = """
The talks ended on Sunday evening without an agreement, and negotiators are expected to meet again on Tuesday.
"""

ARMY_ACCEPTS_TRUCE = """date 2025-05-14
Sudan's army accepted a 72-hour humanitarian truce on Tuesday, reversing its position after two days of talks with the Rapid Support Forces in Jeddah, Saudi mediators said.

The army had rejected the truce on Sunday. Army spokesman Nabil Abdallah said the truce would allow aid convoys to reach El Fasher.

On Tuesday, the RSF again rejected the withdrawal of its fighters from Khartoum, and demanded guarantees for the safety of civilians in the capital.

The talks, hosted by Saudi Arabia and the United States, will continue on Thursday.
"""

RSF_AGREES = """date 2025-05-16
The Rapid Support Forces has agreed to withdraw its fighters from Khartoum, after three rounds of talks with Sudan's army in Jeddah.

The army and the RSF signed an agreement on humanitarian access on Thursday, the Saudi foreign ministry said.

The army accepted the withdrawal plan, but demanded that monitors from the African Union oversee it.

US envoy Tom Perriello welcomed the deal and said the talks would continue next week.
"""

ARTICLES = {
    # name: (text, url); "copy" is `opens` republished by another outlet without its last paragraph
    "opens": (JEDDAH_OPENS + JEDDAH_OPENS_ENDING, "https://www.nileledger.com/sudan/jeddah-talks-open"),
    "copy": (JEDDAH_OPENS, "https://redseapost.com/world/sudan-army-rsf-talks"),
    "truce": (ARMY_ACCEPTS_TRUCE, "https://www.khartoumdispatch.net/talks-day-three"),
    "agrees": (RSF_AGREES, "https://www.nileledger.com/sudan/rsf-withdrawal-deal"),
}


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docs(nlp: Any) -> dict[str, Doc]:
    import tidings

    return {name: tidings.process(text, url=url) for name, (text, url) in ARTICLES.items()}


@pytest.fixture(scope="module")
def copy_of(docs: dict[str, Doc]) -> dict[str, str]:
    return {docs["copy"].id: docs["opens"].id}


@pytest.fixture(scope="module")
def neg(docs: dict[str, Doc], copy_of: dict[str, str]) -> StoryNegotiation:
    return story_negotiation(docs.values(), copy_of=copy_of, story_id="s-jeddah")


def line(neg: StoryNegotiation, key: str, party: str) -> PartyLine:
    issue = next(i for i in neg.issues if i.key == key)
    return next(ln for ln in issue.lines if ln.party == party)


def steps(ln: PartyLine) -> list[tuple[str, str | None, str]]:
    return [(s.stance, s.when, s.dated_by) for s in ln.steps]


# --- a story processed end to end -------------------------------------------------------------------


def test_sides_and_mediators_with_article_and_outlet_counts(neg: StoryNegotiation) -> None:
    assert [p.name for p in neg.parties] == [ARMY, RSF] or [p.name for p in neg.parties] == [RSF, ARMY]
    for p in neg.parties:
        # four Docs, but the copy counts as the article it copies; nileledger.com wrote two
        assert (p.articles, p.outlets) == (3, 2)
        assert p.outlet_names == ("khartoumdispatch.net", "nileledger.com")
    mediators = {m.name: (m.articles, m.outlets) for m in neg.mediators}
    assert mediators["Saudi Arabia"] == (2, 2)  # named in the opening article, its copy and May 14's
    assert (neg.articles, neg.outlets) == (3, 2)


def test_stances_ordered_by_event_date_with_publication_fallback_marked(neg: StoryNegotiation) -> None:
    # the RSF rejected withdrawal on Sunday and again on Tuesday; the article of May 16 says it
    # "has agreed" without a date, so that stance is dated by publication and marked so
    assert steps(line(neg, "withdrawal:khartoum", RSF)) == [
        ("reject", "2025-05-11", "text"),
        ("reject", "2025-05-13", "text"),
        ("accept", "2025-05-16", "publication"),
    ]
    assert steps(line(neg, "withdrawal:khartoum", ARMY)) == [
        ("demand", "2025-05-11", "text"),
        ("accept", "2025-05-15", "text"),
        ("demand", "2025-05-15", "text"),
    ]
    # ordered by when the stance was taken: the May 14 article's "had rejected the truce on
    # Sunday" joins the May 12 article's report of the same rejection, before Tuesday's accept
    truce = line(neg, "ceasefire:temporary", ARMY)
    assert steps(truce) == [("reject", "2025-05-11", "text"), ("accept", "2025-05-13", "text")]
    assert {r.published for r in truce.steps[0].reports} == {dt.date(2025, 5, 12), dt.date(2025, 5, 14)}
    assert [s.day for s in truce.steps] == [dt.date(2025, 5, 11), dt.date(2025, 5, 13)]


def test_changes_of_position_are_flagged(neg: StoryNegotiation) -> None:
    rsf = line(neg, "withdrawal:khartoum", RSF)
    assert [s.changed for s in rsf.steps] == [False, False, True]
    assert (rsf.steps[2].previous, rsf.steps[2].previous_when) == ("reject", "2025-05-13")
    assert rsf.changes == 1
    truce = line(neg, "ceasefire:temporary", ARMY)
    assert [s.changed for s in truce.steps] == [False, True]
    assert truce.steps[1].previous == "reject"
    # demanding and then accepting the withdrawal is no change of position
    assert line(neg, "withdrawal:khartoum", ARMY).changes == 0


def test_syndicated_copy_counts_once(neg: StoryNegotiation, docs: dict[str, Doc]) -> None:
    first = line(neg, "withdrawal:khartoum", RSF).steps[0]
    assert len(first.reports) == 2  # the original and its copy both report it ...
    assert (first.articles, first.outlets) == (1, 1)  # ... but it is one article
    original, copy = first.reports
    assert (original.article_id, original.copy_of) == (docs["opens"].id, None)
    assert (copy.article_id, copy.copy_of) == (docs["copy"].id, docs["opens"].id)
    truce_reject = line(neg, "ceasefire:temporary", ARMY).steps[0]
    assert (len(truce_reject.reports), truce_reject.articles, truce_reject.outlets) == (3, 2, 2)
    # without the copy link the same copy is counted as an article of its own
    unlinked = story_negotiation(docs.values())
    assert line(unlinked, "withdrawal:khartoum", RSF).steps[0].articles == 2


def test_reports_carry_article_outlet_and_evidence_span(neg: StoryNegotiation, docs: dict[str, Doc]) -> None:
    by_id = {d.id: d for d in docs.values()}
    reports = [r for i in neg.issues for ln in i.lines for s in ln.steps for r in s.reports]
    assert reports
    for r in reports:
        doc = by_id[r.article_id]
        assert r.outlet == doc.outlet
        assert doc.text[r.start:r.end].strip() == r.evidence
        assert r.start <= r.trigger_start < r.trigger_end <= r.end
    accept = line(neg, "withdrawal:khartoum", RSF).steps[2].reports[0]
    assert accept.outlet == "nileledger.com"
    assert accept.evidence.startswith("The Rapid Support Forces has agreed to withdraw")
    assert by_id[accept.article_id].text[accept.trigger_start:accept.trigger_end] == "agreed"


def test_outcomes_and_rounds_in_date_order(neg: StoryNegotiation) -> None:
    days = [o.day for o in neg.outcomes if o.day is not None]
    assert days == sorted(days)
    rounds = [(o.when, o.venue) for o in neg.outcomes if o.status == "round ended"]
    assert rounds == [("2025-05-11", "Jeddah"), ("2025-05-13", None), ("2025-05-15", "Jeddah")]
    agreed = [o for o in neg.outcomes if o.status == "agreement reached"]
    assert [o.when for o in agreed] == ["2025-05-15"]
    assert any(o.status == "no agreement" for o in neg.outcomes)
    opening = next(o for o in neg.outcomes if o.status == "round ended")
    assert opening.articles == 1 and len(opening.reports) == 2  # the copy adds a report only


def test_since_until_keep_steps_inside_and_changes_of_the_whole_history(
        docs: dict[str, Doc], copy_of: dict[str, str]) -> None:
    neg = story_negotiation(docs.values(), copy_of=copy_of, since="2025-05-13", until="2025-05-14")
    assert (neg.since, neg.until) == (dt.date(2025, 5, 13), dt.date(2025, 5, 14))
    assert steps(line(neg, "withdrawal:khartoum", RSF)) == [("reject", "2025-05-13", "text")]
    accept = line(neg, "ceasefire:temporary", ARMY).steps
    assert [(s.stance, s.changed, s.previous) for s in accept] == [("accept", True, "reject")]
    assert all(dt.date(2025, 5, 13) <= o.day <= dt.date(2025, 5, 14) for o in neg.outcomes if o.day)
    assert ARMY not in [ln.party for i in neg.issues if i.key == "withdrawal:khartoum" for ln in i.lines]


def test_input_order_does_not_matter(docs: dict[str, Doc], copy_of: dict[str, str],
                                     neg: StoryNegotiation) -> None:
    for order in itertools.islice(itertools.permutations(docs.values()), 0, 24, 5):
        assert story_negotiation(order, copy_of=copy_of, story_id="s-jeddah") == neg


def test_json_round_trip(neg: StoryNegotiation) -> None:
    data = story_negotiation_to_json(neg)
    text = json.dumps(data, ensure_ascii=False)
    assert story_negotiation_from_json(json.loads(text)) == neg
    issue = next(i for i in data["issues"] if i["key"] == "withdrawal:khartoum")
    rsf = next(ln for ln in issue["lines"] if ln["party"] == RSF)
    assert [(s["stance"], s["when"], s["changed"]) for s in rsf["steps"]] == [
        ("reject", "2025-05-11", False), ("reject", "2025-05-13", False), ("accept", "2025-05-16", True)]


def test_render_shows_each_partys_stances_dates_first_with_changes(neg: StoryNegotiation) -> None:
    console = Console(record=True, width=400, color_system=None)
    render_story_negotiation(neg, console)
    out = console.export_text()
    assert "Negotiation · s-jeddah · 3 articles, 2 outlets" in out
    rsf = next(ln for ln in out.splitlines() if ln.strip().startswith(RSF) and "reported" in ln)
    assert rsf.index("2025-05-11 Sun reject") < rsf.index("2025-05-13 Tue reject") \
        < rsf.index("reported 2025-05-16 Fri accept ↺ was reject")
    assert "+1 copy" in rsf
    assert "round ended in Jeddah" in out
    withdrawal = out.index("withdrawal:khartoum")
    assert out.index(ARMY, withdrawal) > withdrawal  # a line per party inside the issue's block


def test_render_highlights_changes() -> None:
    neg = story_negotiation([_hand_doc("a", "2025-01-10", [("X", "reject", "2025-01-09"),
                                                           ("X", "accept", "2025-01-10")])])
    console = Console(record=True, width=200, force_terminal=True, color_system="standard")
    render_story_negotiation(neg, console)
    styled = console.export_text(styles=True)
    assert "\x1b[1;33maccept" in styled  # bold yellow: the stance that changed


def test_store_reads_story_members_and_copies(tmp_path: Path, nlp: Any) -> None:
    from tidings.api import ingest
    from tidings.store import open_store

    source = tmp_path / "articles.jsonl"
    with source.open("w", encoding="utf-8") as f:
        for text, url in ARTICLES.values():
            header, _, body = text.partition("\n")
            f.write(json.dumps({"date": header.split()[1], "url": url, "text": body}) + "\n")
    db = tmp_path / "t.db"
    report = ingest([str(source)], db)
    assert (report.new, report.copies) == (4, 1)
    with open_store(db) as store:
        stories = {row[0] for row in store.execute("SELECT story_id FROM story_articles")}
        assert len(stories) == 1
        neg = negotiation_for_story(store, stories.pop())
        assert negotiation_for_story(store, "s-no-such-story") is None
    assert neg is not None
    assert neg.articles == 3
    first = line(neg, "withdrawal:khartoum", RSF).steps[0]
    assert (len(first.reports), first.articles) == (2, 1)
    assert steps(line(neg, "withdrawal:khartoum", RSF))[-1] == ("accept", "2025-05-16", "publication")


# --- hand-built Docs (no model) ---------------------------------------------------------------------


def _hand_doc(name: str, published: str, stances: list[tuple[str, str, str | None]], *,
              key: str = "release:prisoners", related: tuple[str, ...] = (),
              modality: str = "asserted", outlet: str | None = None,
              outcomes: tuple[Outcome, ...] = ()) -> Doc:
    """An article whose text has one sentence per stance, with a negotiation record by hand."""
    sentences = [f"{party} said it would {label} the prisoner release." for party, label, _ in stances]
    text = " ".join(sentences) or "Talks went on."
    records, pos = [], 0
    for (party, label, date), sentence in zip(stances, sentences):
        trigger = sentence.index(label)
        records.append(Stance(start=pos, end=pos + len(sentence), party=party, role="party",
                              stance=label, trigger_start=pos + trigger,  # type: ignore[arg-type]
                              trigger_end=pos + trigger + len(label), date=date,
                              date_source="clause" if date else "none", modality=modality))  # type: ignore[arg-type]
        pos += len(sentence) + 1
    doc = Doc(raw=text, id=name, text=text, outlet=outlet or f"{name}.example",
              published=dt.date.fromisoformat(published), published_precision="day")
    issue = Issue(start=0, end=5, key=key, label=key.split(":")[-1], type=key.split(":")[0],
                  related=related, stances=tuple(records))
    doc.spans["negotiation"] = [Negotiation(start=0, end=len(text), parties=("X", "Y"),
                                            issues=(issue,), outcomes=outcomes)]
    return doc


def test_linked_keys_across_articles_are_one_issue_and_bare_types_join_it() -> None:
    a = _hand_doc("a", "2025-02-01", [("X", "demand", "2025-02-01")], key="withdrawal:gaza-strip")
    b = _hand_doc("b", "2025-02-03", [("Y", "reject", "2025-02-02")], key="presence:gaza-strip")
    c = _hand_doc("c", "2025-02-04", [("Y", "accept", "2025-02-04")], key="withdrawal")
    d = _hand_doc("d", "2025-02-04", [("X", "demand", "2025-02-04")], key="ceasefire:permanent")
    neg = story_negotiation([a, b, c, d])
    assert sorted(i.key for i in neg.issues) == ["ceasefire:permanent", "withdrawal:gaza-strip"]
    gaza = next(i for i in neg.issues if i.key == "withdrawal:gaza-strip")
    assert gaza.articles == 3
    assert {"presence:gaza-strip", "withdrawal"} <= set(gaza.related)
    assert steps(next(ln for ln in gaza.lines if ln.party == "Y")) == [
        ("reject", "2025-02-02", "text"), ("accept", "2025-02-04", "text")]


def test_undated_stance_falls_back_to_publication_and_undated_article_goes_last() -> None:
    a = _hand_doc("a", "2025-03-05", [("X", "reject", None), ("X", "accept", "2025-03-01")])
    neg = story_negotiation([a])
    assert steps(neg.issues[0].lines[0]) == [("accept", "2025-03-01", "text"),
                                            ("reject", "2025-03-05", "publication")]
    assert neg.issues[0].lines[0].steps[1].changed  # accept, then (reported later) reject


def test_conditional_stances_and_accusations_are_no_change() -> None:
    hypothetical = _hand_doc("h", "2025-04-02", [("X", "accept", "2025-04-02")], modality="hypothetical")
    before = _hand_doc("b", "2025-04-01", [("X", "reject", "2025-04-01")])
    after = _hand_doc("c", "2025-04-03", [("X", "accuse-backtracking", "2025-04-03"),
                                          ("X", "reject", "2025-04-03")])
    ln = story_negotiation([hypothetical, before, after]).issues[0].lines[0]
    assert [(s.stance, s.modality, s.changed) for s in ln.steps] == [
        ("reject", "asserted", False), ("accept", "hypothetical", False),
        ("accuse-backtracking", "asserted", False), ("reject", "asserted", False)]


def test_same_stance_from_two_outlets_is_one_step() -> None:
    a = _hand_doc("a", "2025-05-02", [("X", "reject", "2025-05-01")])
    b = _hand_doc("b", "2025-05-03", [("X", "reject", "2025-05-01")])
    step = story_negotiation([b, a]).issues[0].lines[0].steps[0]
    assert (step.articles, step.outlets) == (2, 2)
    assert [r.article_id for r in step.reports] == ["a", "b"]  # earliest published first


def test_outcomes_merge_across_articles_and_filter() -> None:
    ended = Outcome(start=0, end=5, status="no agreement", date="2025-06-02")
    goes_on = Outcome(start=0, end=5, status="talks continue", date="2025-06-09")
    a = _hand_doc("a", "2025-06-03", [], outcomes=(ended,))
    b = _hand_doc("b", "2025-06-04", [], outcomes=(ended, goes_on))
    neg = story_negotiation([a, b])
    assert [(o.status, o.when, o.articles) for o in neg.outcomes] == [
        ("no agreement", "2025-06-02", 2), ("talks continue", "2025-06-09", 1)]
    later = story_negotiation([a, b], since="2025-06-05")
    assert [o.status for o in later.outcomes] == ["talks continue"]
    assert story_negotiation([]).articles == 0
