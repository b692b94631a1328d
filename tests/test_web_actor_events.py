"""An actor page's events (as actor and as target) and negotiation stances, in-process.

No model is needed: Docs with hand-made Event and Negotiation records are written with
`Store.upsert_docs` as an ingest would; the trigger-kept `actor_events` / `actor_stances`
tables must follow re-processed articles exactly. Texts are invented news prose.
"""

from __future__ import annotations

import datetime as dt
import html
import sqlite3
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import tidings.extract.negotiation  # noqa: F401  (registers the "negotiation" span group)
from tidings.doc import Doc, OffsetMap
from tidings.records import Event, Issue, Negotiation, Segment, Stance
from tidings.store import MIGRATIONS, Store
from tidings.web.app import make_app
from tidings.web.schema import all_migrations

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's note that httpx2 will replace httpx
    from starlette.testclient import TestClient

EVIL = "<script>alert('x')</script>"


def plain_doc(text: str, url: str, published: dt.date) -> Doc:
    """A Doc whose cleaned text is its raw text (nothing removed)."""
    return Doc(raw=text, text=text, offsets=OffsetMap((Segment(0, len(text), 0, len(text)),)),
               url=url, outlet="Harbour Wire", title=f"Talks report {published}",
               published=published, published_precision="day")


def span(text: str, needle: str) -> tuple[int, int]:
    at = text.index(needle)
    return at, at + len(needle)


def sentence(text: str, needle: str) -> tuple[int, int]:
    """Offsets of the sentence (up to and including its full stop) that holds `needle`."""
    at = text.index(needle)
    start = text.rfind(". ", 0, at)
    start = 0 if start < 0 else start + 2
    return start, text.index(".", at) + 1


def event(text: str, trigger: str, type_: str, actors: tuple[str, ...],
          targets: tuple[str, ...], date: str | None, **kw: object) -> Event:
    return Event(*span(text, trigger), *sentence(text, trigger), type_,  # type: ignore[arg-type]
                 actors=actors, targets=targets, date=date,
                 date_source="sentence" if date else "none", **kw)  # type: ignore[arg-type]


def stance(text: str, trigger: str, party: str, label: str, date: str | None) -> Stance:
    return Stance(*sentence(text, trigger), party, "party", label,  # type: ignore[arg-type]
                  *span(text, trigger), date=date)


def talks_doc(with_strike: bool = True) -> Doc:
    text = ("Israeli aircraft struck a Hamas position near Rafah on Tuesday. "
            "Hamas did not attack the crossing on Wednesday. "
            "Egyptian mediators met Hamas and Israeli negotiators in Cairo on Thursday. "
            "Israel demanded control of the Philadelphi corridor. "
            "Hamas rejected any Israeli presence in the corridor.")
    doc = plain_doc(text, "https://harbour.example/talks-1", dt.date(2024, 8, 23))
    events = [
        event(text, "struck", "ASSAULT", ("Israel",), ("Hamas",), "2024-08-20"),
        event(text, "attack", "ASSAULT", ("Hamas",), ("Israel",), "2024-08-21", negated=True),
        event(text, "met", "CONSULT", ("Egypt",), ("Hamas", "Israel"), "2024-08-22"),
    ]
    doc.spans["events"] = events if with_strike else events[1:]
    issue = Issue(*span(text, "Philadelphi corridor"), "presence:philadelphi-corridor",
                  "Philadelphi corridor", "presence",
                  stances=(stance(text, "demanded", "Israel", "demand", "2024-08-22"),
                           stance(text, "rejected", "Hamas", "reject", "2024-08-22")))
    doc.spans["negotiation"] = [Negotiation(*sentence(text, "met"), ("Israel", "Hamas"),
                                            mediators=("Egypt",), issues=(issue,))]
    return doc


def evil_doc() -> Doc:
    text = (f"Hamas warned Israel in a statement titled {EVIL} on Friday. "
            f"Hamas demanded the {EVIL} clause be dropped.")
    doc = plain_doc(text, "https://harbour.example/evil", dt.date(2024, 8, 24))
    doc.spans["events"] = [event(text, "warned", "THREATEN", ("Hamas",), (EVIL,), "2024-08-23")]
    issue = Issue(*span(text, f"the {EVIL} clause"), "clause:evil", f"the {EVIL} clause", "clause",
                  stances=(stance(text, "demanded", "Hamas", "demand", None),))
    doc.spans["negotiation"] = [Negotiation(*sentence(text, "demanded"), ("Hamas", "Israel"),
                                            issues=(issue,))]
    return doc


@pytest.fixture()
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "actors.db"
    with Store(path, migrations=all_migrations()) as store:
        store.upsert_docs([talks_doc(), evil_doc()])
    return path


@pytest.fixture()
def client(store_path: Path) -> Iterator[TestClient]:
    with TestClient(make_app(store_path)) as c:
        yield c


def expected_counts(conn: sqlite3.Connection) -> tuple[list[tuple], list[tuple]]:
    """actor_events as stored and as recomputed from spans_events with json_each."""
    stored = sorted(conn.execute(
        "SELECT canonical, role, article_id, idx, date, type FROM actor_events").fetchall())
    recomputed = sorted(
        conn.execute(
            "SELECT j.value, 'actor', e.article_id, e.idx, e.date, e.type "
            "FROM spans_events AS e, json_each(e.actors) AS j").fetchall()
        + conn.execute(
            "SELECT j.value, 'target', e.article_id, e.idx, e.date, e.type "
            "FROM spans_events AS e, json_each(e.targets) AS j").fetchall())
    return stored, recomputed


def test_actor_json_lists_events_as_actor_and_target_latest_first(client: TestClient) -> None:
    view = client.get("/actors/Hamas.json").json()
    events = view["events"]
    assert events["total"] == 4
    got = [(e["date"], e["role"], e["type"], e["negated"], e["other"]) for e in events["rows"]]
    assert len(got) == 4
    assert got[0] == ("2024-08-23", "actor", "THREATEN", False, [EVIL])
    assert got[1] == ("2024-08-22", "target", "CONSULT", False, ["Egypt"])
    assert got[2] == ("2024-08-21", "actor", "ASSAULT", True, ["Israel"])
    assert got[3] == ("2024-08-20", "target", "ASSAULT", False, ["Israel"])
    first_talks = events["rows"][3]
    assert first_talks["sentence"] == "Israeli aircraft struck a Hamas position near Rafah on Tuesday."
    assert first_talks["article_id"] == talks_doc().id


def test_actor_json_lists_negotiation_stances_with_issue_and_article(client: TestClient) -> None:
    stances = client.get("/actors/Israel.json").json()["stances"]
    assert stances["total"] == 1
    row = stances["rows"][0]
    assert (row["issue"], row["stance"], row["date"]) == ("Philadelphi corridor", "demand",
                                                           "2024-08-22")
    assert row["article_id"] == talks_doc().id
    assert row["sentence"] == "Israel demanded control of the Philadelphi corridor."
    hamas = client.get("/actors/Hamas.json").json()["stances"]
    assert hamas["total"] == 2
    assert [r["stance"] for r in hamas["rows"]] == ["reject", "demand"]  # undated last


def test_an_actor_known_only_from_events_has_a_page(client: TestClient) -> None:
    view = client.get("/actors/Egypt.json").json()
    assert view["events"]["total"] == 1
    assert view["events"]["rows"][0]["other"] == ["Hamas", "Israel"]


def test_actor_page_html_shows_events_and_stances_escaped(client: TestClient) -> None:
    page = client.get("/actors/Hamas").text
    assert EVIL not in page
    escaped = html.escape(EVIL, quote=False).replace("'", "&#39;")
    assert f"titled {escaped} on Friday." in page  # the event's sentence
    assert f"the {escaped} clause be dropped." in page  # the stance's sentence
    assert f">{escaped}</a>" in page  # the other side, linked to its own actor page
    assert "did not happen" in page
    assert "Philadelphi corridor" in page
    assert f'/articles/{talks_doc().id}#events-0' in page


def test_counts_stay_exact_after_a_reprocessed_article(store_path: Path) -> None:
    with sqlite3.connect(store_path) as conn:
        stored, recomputed = expected_counts(conn)
        assert stored == recomputed and len(stored) == 9
    changed = talks_doc(with_strike=False)  # re-processed: the air strike is no longer coded
    changed.spans["negotiation"] = []
    with Store(store_path, migrations=all_migrations()) as store:
        assert store.upsert_docs([changed]).updated == 1
    with sqlite3.connect(store_path) as conn:
        stored, recomputed = expected_counts(conn)
        assert stored == recomputed and len(stored) == 7
        assert conn.execute("SELECT count(*) FROM actor_stances WHERE article_id = ?",
                            [changed.id]).fetchone() == (0,)
    with TestClient(make_app(store_path)) as c:
        hamas = c.get("/actors/Hamas.json").json()
        assert hamas["events"]["total"] == 3
        assert hamas["stances"]["total"] == 1


def test_migration_backfills_a_store_written_before_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    before = [m for m in all_migrations() if m[0] != "0010_actor_events"]
    with Store(path, migrations=before) as store:
        store.upsert_docs([talks_doc(), evil_doc()])
    assert "0010_actor_events" in [name for name, _ in MIGRATIONS]
    with Store(path, migrations=all_migrations()):
        pass
    with sqlite3.connect(path) as conn:
        stored, recomputed = expected_counts(conn)
        assert stored == recomputed and len(stored) == 9
        assert sorted(conn.execute("SELECT canonical, stance FROM actor_stances").fetchall()) == [
            ("Hamas", "demand"), ("Hamas", "reject"), ("Israel", "demand")]
