"""The story pages of the web UI, in-process over a small hand-made store (no model).

Docs come from tests/test_web.py's builders; the `stories` / `story_articles` rows and the
negotiation records are written with plain SQL, as the story and negotiation stages would.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_web import EVIL, build_doc, cairo_doc, find, nairobi_doc
from tidings.corpus.incidents import IncidentIndex
from tidings.corpus.reports import reports_from_doc
from tidings.doc import Doc
from tidings.records import Entity, Event, Place
from tidings.store import Store
from tidings.store.incidents import StoreIncidentArchive, place_reports
from tidings.web.app import make_app
from tidings.web.schema import all_migrations

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def doha_doc() -> Doc:
    """A second report of the Gaza talks, two days later, with an undated event."""
    doc = build_doc(
        [("Qatari mediators hosted Israeli negotiators in Doha on Tuesday as the ceasefire "
          "talks moved on. Hamas rejected the new proposal, an official said.", None)],
        url="https://gulf.example/doha", outlet="Gulf Courier",
        title="Talks move to Doha", published=dt.date(2024, 8, 28), published_precision="day")
    t = doc.text
    doc.spans = {
        "entities": [Entity(*find(t, "Qatari mediators"), "Qatar", "government", code="QAT"),
                     Entity(*find(t, "Israeli negotiators"), "Israel", "government", code="ISR"),
                     Entity(*find(t, "Hamas"), "Hamas", "armed_group", code="PSE-HAMAS")],
        "places": [Place(*find(t, "Doha"), "Doha", "QA", 25.2854, 51.531, "city",
                         "geonames:290030")],
        "events": [
            Event(*find(t, "hosted"), 0, find(t, "on.")[1], "CONSULT", "host",
                  actors=("Qatar",), targets=("Israel",), date="2024-08-27",
                  date_source="sentence", place="Doha"),
            Event(*find(t, "rejected"), find(t, "Hamas")[0], len(t), "REJECT", "reject",
                  actors=("Hamas",), targets=(), date=None, date_source="none"),
        ],
    }
    return doc


def stance(party: str, label: str, date: str | None) -> dict[str, object]:
    return {"start": 0, "end": 10, "party": party, "role": "party", "stance": label,
            "trigger_start": 0, "trigger_end": 5, "date": date}


def negotiation(issues: list[dict[str, object]]) -> str:
    return json.dumps({"start": 0, "end": 10, "parties": ["Israel", "Hamas"],
                       "mediators": ["Qatar"], "issues": issues, "outcomes": []})


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-stories") / "stories.db"
    docs = [cairo_doc(), doha_doc(), nairobi_doc()]
    cairo, doha, nairobi = (d.id for d in docs)
    with Store(path, migrations=all_migrations()) as store:
        store.upsert_docs(docs)
        with store.transaction():
            store.execute(
                "INSERT INTO stories(id, founder, label, actors, keywords, places, first_date, "
                "last_date, articles, outlets, copies) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ("s-gaza", cairo, "Gaza ceasefire talks", json.dumps(["Hamas", "Israel", "Egypt"]),
                 json.dumps(["ceasefire"]), json.dumps(["Cairo", "Doha"]), "2024-08-26",
                 "2024-08-28", 2, 2, 0))
            store.execute(
                "INSERT INTO stories(id, founder, label, actors, keywords, places, first_date, "
                "last_date, articles, outlets, copies) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ("s-evil", nairobi, f"Nairobi {EVIL}", "[]", "[]", "[]", "2024-09-13",
                 "2024-09-13", 1, 1, 0))
            for article_id, story_id in ((cairo, "s-gaza"), (doha, "s-gaza"), (nairobi, "s-evil")):
                store.execute("INSERT INTO story_articles(article_id, story_id, score, copy_of) "
                              "VALUES (?, ?, ?, ?)", (article_id, story_id, 0.8, None))
            store.execute("INSERT INTO story_merges(absorbed_id, survivor_id, article_id) "
                          "VALUES (?, ?, ?)", ("s-old", "s-gaza", doha))
            truce = {"key": "deal", "label": "ceasefire deal", "type": "deal"}
            store.execute(
                "INSERT INTO spans(article_id, grp, idx, start, \"end\", data) "
                "VALUES (?, 'negotiation', 0, 0, 10, ?)",
                (cairo, negotiation([{**truce, "start": 0, "end": 5, "stances": [
                    stance("Hamas", "demand", "2024-08-25"),
                    stance("Israel", "propose", None)]}])))
            store.execute(
                "INSERT INTO spans(article_id, grp, idx, start, \"end\", data) "
                "VALUES (?, 'negotiation', 0, 0, 10, ?)",
                (doha, negotiation([{**truce, "start": 0, "end": 5, "stances": [
                    stance("Hamas", "reject", "2024-08-27")]}])))
        # incidents as the ingest stores them (the timeline reads them, not the events)
        stories = {cairo: "s-gaza", doha: "s-gaza", nairobi: "s-evil"}
        place_reports(store, IncidentIndex(archive=StoreIncidentArchive(store)),
                      [(d.id, reports_from_doc(d, story_id=stories[d.id])) for d in docs])
    return path


@pytest.fixture(scope="module")
def client(store_path: Path) -> Iterator[TestClient]:
    with TestClient(make_app(store_path)) as c:
        yield c


def test_story_list_is_newest_activity_first_with_json_and_csv_twins(client: TestClient) -> None:
    page = client.get("/stories")
    assert page.status_code == 200 and 'href="/stories/s-gaza"' in page.text
    assert 'href="/stories"' in page.text  # the nav links the list
    view = client.get("/stories.json").json()
    assert [r["id"] for r in view["rows"]] == ["s-evil", "s-gaza"]
    assert view["rows"][1] == {"id": "s-gaza", "label": "Gaza ceasefire talks",
                               "first_date": "2024-08-26", "last_date": "2024-08-28",
                               "articles": 2, "outlets": 2, "copies": 0}
    assert view["pagination"]["total"] == 2
    second = client.get("/stories.json?size=1&page=2").json()
    assert [r["id"] for r in second["rows"]] == ["s-gaza"]
    assert [r["id"] for r in client.get("/stories.json?q=gaza").json()["rows"]] == ["s-gaza"]
    rows = list(csv.reader(io.StringIO(client.get("/stories.csv").text)))
    assert rows[0] == ["id", "label", "first_date", "last_date", "articles", "outlets", "copies"]
    assert [r[0] for r in rows[1:]] == ["s-evil", "s-gaza"]


def test_story_page_and_json_carry_articles_timeline_places_actors(client: TestClient) -> None:
    view = client.get("/stories/s-gaza.json").json()
    assert view["story"]["label"] == "Gaza ceasefire talks"
    assert [a["title"] for a in view["articles"]] == ["Ceasefire talks resume in Cairo",
                                                      "Talks move to Doha"]
    entries = view["timeline"]["entries"]
    dated = [e["date"] for e in entries if e["date"]]
    assert dated == sorted(dated) and dated[:2] == ["2024-08-25", "2024-08-27"]
    assert entries[0]["type"] == "CONSULT" and entries[0]["sources"]
    assert {p["name"] for p in view["places"]} == {"Cairo", "Doha"}
    assert [a["name"] for a in view["actors"]] == ["Hamas", "Israel", "Egypt"]
    assert all(a["page"] for a in view["actors"])
    assert not any(k.startswith("_") for k in view)
    page = client.get("/stories/s-gaza")
    assert page.status_code == 200
    assert 'id="story-timeline"' in page.text and page.text.count('class="incident') >= 2
    assert 'id="detail-inc-0"' in page.text and "Nile Dispatch" in page.text
    assert 'class="place-dot"' in page.text and 'href="/actors/Hamas"' in page.text
    assert 'href="/stories/s-gaza.json"' in page.text


def test_undated_incident_is_listed_after_the_axis(client: TestClient) -> None:
    view = client.get("/stories/s-gaza.json").json()
    undated = [i for i, e in enumerate(view["timeline"]["entries"]) if not e["date"]]
    page = client.get("/stories/s-gaza").text
    for i in undated:
        assert f'class="incident-link" data-ref="inc-{i}"' in page


def test_negotiation_board_shows_the_latest_stance_per_issue_and_party(client: TestClient) -> None:
    board = client.get("/stories/s-gaza.json").json()["negotiation"]
    assert board["parties"] == ["Israel", "Hamas"]
    (deal,) = board["issues"]
    assert deal["cells"]["Hamas"]["stance"] == "reject"
    assert deal["cells"]["Hamas"]["date"] == "2024-08-27"
    assert [h["stance"] for h in deal["cells"]["Hamas"]["history"]] == ["demand", "reject"]
    assert deal["cells"]["Israel"]["stance"] == "propose"
    assert deal["cells"]["Israel"]["date"] == "2024-08-26"  # dated by its article
    page = client.get("/stories/s-gaza").text
    assert 'id="negotiation-board"' in page and "stance-reject" in page
    assert client.get("/stories/s-evil.json").json()["negotiation"] is None


def test_unknown_story_is_404_and_merged_story_resolves(client: TestClient) -> None:
    assert client.get("/stories/s-nope").status_code == 404
    missing = client.get("/stories/s-nope.json")
    assert missing.status_code == 404 and "s-nope" in missing.json()["error"]
    assert client.get("/stories/s-old.json").json()["story"]["id"] == "s-gaza"


def test_story_label_is_escaped(client: TestClient) -> None:
    for path in ("/stories", "/stories/s-evil"):
        page = client.get(path).text
        assert EVIL not in page and "&lt;script&gt;" in page
    assert client.get("/stories/s-evil.json").json()["story"]["label"] == f"Nairobi {EVIL}"


def test_story_timeline_comes_from_the_stored_incidents(client: TestClient, store_path: Path) -> None:
    entries = client.get("/stories/s-gaza.json").json()["timeline"]["entries"]
    with Store(store_path, migrations=all_migrations()) as store:
        stored = {r[0] for r in store.execute(
            "SELECT DISTINCT r.incident_id FROM incident_reports r JOIN story_articles s "
            "ON s.article_id = r.article_id WHERE s.story_id = 's-gaza'")}
    assert stored and {e["incident"] for e in entries} == stored
    assert all(s["story_id"] == "s-gaza" for e in entries for s in e["sources"])


def test_incident_page_and_json_twin(client: TestClient, store_path: Path) -> None:
    entry = client.get("/stories/s-gaza.json").json()["timeline"]["entries"][0]
    view = client.get(f"/incidents/{entry['incident']}.json").json()
    assert view["id"] == entry["incident"] and view["entry"]["type"] == entry["type"]
    assert [s["id"] for s in view["stories"]] == ["s-gaza"]
    assert view["incident"]["reports"] and view["entry"]["sources"][0]["sentence"]
    story_page = client.get("/stories/s-gaza").text
    assert f'href="/incidents/{entry["incident"]}"' in story_page  # the story's detail links to it
    page = client.get(f"/incidents/{entry['incident']}")
    assert page.status_code == 200 and 'href="/stories/s-gaza"' in page.text
    assert f'href="/incidents/{entry["incident"]}.json"' in page.text
    # an id from before a rename still finds the incident
    with Store(store_path, migrations=all_migrations()) as store, store.transaction():
        store.execute("INSERT OR REPLACE INTO incident_aliases(old_id, new_id, reason) VALUES (?, ?, ?)",
                      ("i-renamed", entry["incident"], "rekeyed"))
    again = client.get("/incidents/i-renamed.json").json()
    assert again["id"] == entry["incident"] and again["requested_id"] == "i-renamed"
    missing = client.get("/incidents/i-nope.json")
    assert missing.status_code == 404 and "i-nope" in missing.json()["error"]
