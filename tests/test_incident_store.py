"""Incidents as stored facts: built at ingest by a store-backed `IncidentIndex`, equal to
`merge_incidents` over the same reports, continued across ingest calls, merged across stories,
renamed through aliases, idempotent, and bounded in memory."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_incidents import article, event, strike_reports
from tidings.api import incident, ingest, story_timeline
from tidings.corpus.incidents import Incident, IncidentIndex, compatible, merge_incidents
from tidings.corpus.reports import Report, make_report, reports_from_doc
from tidings.doc import Doc
from tidings.evaluate.incidents import pair_scores
from tidings.store import Store
from tidings.store.incidents import (
    StoreIncidentArchive,
    get_incident,
    incidents_of_story,
    load_incidents,
    place_reports,
    rebuild_incidents,
    resolve_incident,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TABLES = ("incidents", "incident_reports", "incident_aliases")


def table_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute(
            "select name from sqlite_master where type='table' and name not like 'sqlite_%'")]
        return {n: conn.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def stored_incidents(store: Store) -> list[Incident]:
    return load_incidents(store, [r[0] for r in store.execute("SELECT id FROM incidents")])


def merged_from_docs(store: Store) -> list[Incident]:
    """merge_incidents over every stored Doc, with the copy links and stories the ingest used."""
    copy_of = dict(store.execute("SELECT article_id, canonical_id FROM copies").fetchall())
    story_of = dict(store.execute("SELECT article_id, story_id FROM story_articles").fetchall())
    reports = []
    for (article_id,) in store.execute("SELECT id FROM articles").fetchall():
        doc = store.get_doc(article_id)
        assert doc is not None
        copy = copy_of.get(article_id)
        reports += reports_from_doc(doc, copy_of=copy if copy != article_id else None,
                                    story_id=story_of.get(article_id))
    return merge_incidents(reports)


def stub_docs(store: Store, metas: list[tuple[str, str | None, str | None, str]]) -> None:
    """Articles rows for hand-made reports (incident_reports references articles)."""
    docs = [Doc(raw=text, id=aid, text=text, outlet=outlet,
                published=dt.date.fromisoformat(pub) if pub else None,
                published_precision="day" if pub else "unknown")
            for aid, outlet, pub, text in metas]
    store.upsert_docs(docs)


# --- examples/ through the real ingest ---------------------------------------------------------


@pytest.fixture(scope="module")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("incident-store") / "examples.db"
    report = ingest([str(EXAMPLES)], db)
    assert report.failed == 0 and report.copies >= 1
    return db


def test_ingest_stores_incidents_equal_to_merge_incidents(examples_db: Path) -> None:
    with Store(examples_db) as store:
        stored = stored_incidents(store)
        expected = merged_from_docs(store)
    assert len(stored) >= 10
    assert stored == expected  # ids, reports, dates, figures and counts alike
    assert any(r.copy_of for i in stored for r in i.reports)  # the examples' copies are listed
    n_reports, = rows(examples_db, "select count(*) from incident_reports")[0]
    assert n_reports == sum(len(i.reports) for i in stored)


def test_stored_row_columns_match_the_incident(examples_db: Path) -> None:
    with Store(examples_db) as store:
        by_id = {i.id: i for i in stored_incidents(store)}
    for id_, type_, date, n_reports, n_outlets, first in rows(
            examples_db, "select id, type, date, n_reports, n_outlets, first_published from incidents"):
        inc = by_id[str(id_)]
        assert (type_, date, n_reports, n_outlets) == (inc.type, inc.date, len(inc.reports), inc.outlets)
        published = [r.published for r in inc.reports if r.published]
        assert first == (min(published).isoformat() if published else None)


def test_story_timeline_reads_the_stored_incidents(examples_db: Path) -> None:
    (story_id, n), = rows(examples_db, "select story_id, count(*) from story_articles group by story_id "
                                       "order by count(*) desc, story_id limit 1")
    timeline = story_timeline(str(story_id), examples_db)
    assert timeline is not None and timeline.entries
    with Store(examples_db) as store:
        assert {e.incident.id for e in timeline.entries} == {i.id for i in incidents_of_story(store, str(story_id))}
    assert all(s.sentence for e in timeline.entries for s in e.sources)


def test_reingest_changes_nothing(examples_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "again.db"
    shutil.copy(examples_db, db)
    before = table_counts(db)
    written = rows(db, "select id, updated_at, data from incidents order by id")
    again = ingest([str(EXAMPLES)], db)
    assert again.new == 0 and table_counts(db) == before
    assert rows(db, "select id, updated_at, data from incidents order by id") == written


def test_force_reprocess_replaces_the_reports_consistently(examples_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "force.db"
    shutil.copy(examples_db, db)
    forced = ingest([str(EXAMPLES)], db, force=True)
    assert forced.failed == 0
    with Store(db) as store:
        n_events = store.execute("select count(*) from spans_events").fetchone()[0]
        assert n_events >= store.execute("select count(*) from incident_reports").fetchone()[0]
        assert stored_incidents(store) == merged_from_docs(store)
        orphans = store.execute("select count(*) from incident_reports r left join incidents i "
                                "on i.id = r.incident_id where i.id is null").fetchone()[0]
        assert orphans == 0


def test_rebuild_from_docs_indexes_a_store_ingested_before_the_incident_tables(
        examples_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(examples_db, db)
    with Store(db) as store:
        expected = stored_incidents(store)
        with store.transaction():
            for table in TABLES:
                store.execute(f"DELETE FROM {table}")
        assert story_timeline(str(store.execute("select story_id from story_articles").fetchone()[0]), db)
        assert rebuild_incidents(store, from_docs=True) == sum(len(i.reports) for i in expected)
        assert stored_incidents(store) == expected


def test_a_second_ingest_continues_the_same_incidents(tmp_path: Path) -> None:
    """Restart: a new ingest call (a new index over the store) adds an article of a known story
    to incidents the first call stored; the result is what merging everything at once gives."""
    files = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".txt", ".html", ".json", ".jsonl"))
    late = EXAMPLES / "nairobi-talks-eastafricanledger.html"
    db = tmp_path / "restart.db"
    ingest([str(p) for p in files if p != late], db)
    first = {i for (i,) in rows(db, "select id from incidents")}
    assert ingest([str(late)], db).new == 1
    with Store(db) as store:
        (late_id,) = [a for (a,) in store.execute(
            "select id from articles where source like ?", ("%eastafricanledger%",)).fetchall()]
        (story_id,) = store.execute("select story_id from story_articles where article_id = ?",
                                    (late_id,)).fetchone()
        assert store.execute("select count(*) from story_articles where story_id = ?",
                             (story_id,)).fetchone()[0] > 1  # it joined a known story
        joined = {r[0] for r in store.execute(
            "select incident_id from incident_reports where article_id = ?", (late_id,))}
        renamed = {old for (old,) in store.execute("select old_id from incident_aliases")}
        # an incident stored by the first call (under its id, or renamed) holds the late reports
        continued = [i for i in joined if i in first or any(resolve_incident(store, o) == i for o in renamed & first)]
        assert continued, "the late article joined none of the incidents stored before"
        assert all(len(get_incident(store, i).reports) > 1 for i in continued)  # type: ignore[union-attr]
        assert stored_incidents(store) == merged_from_docs(store)


# --- hand-made reports through the store -------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "hand.db") as s:
        yield s


def strike_items() -> list[tuple[str, Report]]:
    out = []
    for meta, ev in strike_reports():
        r = make_report(meta, ev, 0, copy_of="a" if meta.id == "e" else None)
        assert r is not None
        out.append((meta.id, r))
    return out


def test_the_same_happening_in_two_stories_is_one_incident(store: Store) -> None:
    stub_docs(store, [(m.id, m.outlet, m.published.isoformat() if m.published else None, m.text)
                      for m, _ in strike_reports()])
    story = {"a": "s-market", "b": "s-market", "e": "s-market", "c": "s-war", "d": "s-war"}
    with store.transaction():
        for aid, sid in story.items():
            store.execute("INSERT INTO story_articles(article_id, story_id, score, copy_of) VALUES (?, ?, 1, NULL)",
                          (aid, sid))
    index = IncidentIndex(archive=StoreIncidentArchive(store))
    items = [(aid, [dataclasses.replace(r, story_id=story[aid])]) for aid, r in strike_items()]
    place_reports(store, index, items)
    (one,) = incidents_of_story(store, "s-market")
    assert incidents_of_story(store, "s-war") == [one]
    assert {r.story_id for r in one.reports} == {"s-market", "s-war"}
    assert one.outlets == 4


def test_a_bridging_report_merges_two_incidents_and_leaves_an_alias(store: Store) -> None:
    texts = {
        "x1": ("2024-06-14", "Russian troops shelled Izium on Friday."),
        "x2": ("2024-06-14", "Ukrainian artillery shelled Izium on Friday."),
        "x3": ("2024-06-15", "Russian and Ukrainian guns shelled Izium on Friday in a duel."),
    }
    stub_docs(store, [(aid, aid + ".example", pub, text) for aid, (pub, text) in texts.items()])
    metas = {aid: article(aid, aid + ".example", pub, text) for aid, (pub, text) in texts.items()}
    actors = {"x1": (("Russia",), ("RUS",)), "x2": (("Ukraine",), ("UKR",)),
              "x3": (("Russia", "Ukraine"), ("RUS", "UKR"))}
    reports = {aid: make_report(m, event(m, "shelled", "ASSAULT", *actors[aid], date="2024-06-14",
                                         place="Izium"), 0) for aid, m in metas.items()}
    index = IncidentIndex(archive=StoreIncidentArchive(store))
    place_reports(store, index, [("x1", [reports["x1"]])])  # type: ignore[list-item]
    place_reports(store, index, [("x2", [reports["x2"]])])  # type: ignore[list-item]
    assert store.execute("select count(*) from incidents").fetchone()[0] == 2
    absorbed = {r[0] for r in store.execute("select id from incidents")}
    # a new index over the store (a restart) places the bridge and merges them
    place_reports(store, IncidentIndex(archive=StoreIncidentArchive(store)),
                  [("x3", [reports["x3"]])])  # type: ignore[list-item]
    (survivor,) = [r[0] for r in store.execute("select id from incidents")]
    aliases = dict(store.execute("select old_id, reason from incident_aliases").fetchall())
    assert "merged" in aliases.values()
    for old in absorbed - {survivor}:
        assert resolve_incident(store, old) == survivor
        got = get_incident(store, old)
        assert got is not None and len(got.reports) == 3
    assert stored_incidents(store) == merge_incidents(list(reports.values()))  # type: ignore[arg-type]


def test_a_late_earlier_report_renames_and_the_old_id_still_resolves(store: Store, tmp_path: Path) -> None:
    items = dict(strike_items())
    stub_docs(store, [(m.id, m.outlet, m.published.isoformat() if m.published else None, m.text)
                      for m, _ in strike_reports()])
    index = IncidentIndex(archive=StoreIncidentArchive(store))
    place_reports(store, index, [("b", [items["b"]])])
    (late_id,) = [r[0] for r in store.execute("select id from incidents")]
    place_reports(store, index, [("a", [items["a"]])])
    (now_id,) = [r[0] for r in store.execute("select id from incidents")]
    assert now_id != late_id
    assert rows_of(store, "select old_id, new_id, reason from incident_aliases") == [(late_id, now_id, "rekeyed")]
    found = incident(late_id, store.path)
    assert found is not None and found.id == now_id and {r.article_id for r in found.reports} == {"a", "b"}
    assert incident("i-0000000000000000", store.path) is None


def rows_of(store: Store, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in store.execute(sql).fetchall()]


def test_a_reprocessed_article_replaces_its_reports(store: Store) -> None:
    items = strike_items()
    stub_docs(store, [(m.id, m.outlet, m.published.isoformat() if m.published else None, m.text)
                      for m, _ in strike_reports()])
    index = IncidentIndex(archive=StoreIncidentArchive(store))
    place_reports(store, index, [(aid, [r]) for aid, r in items])
    before = stored_incidents(store)
    # the same reports again (a forced re-process that changed nothing): no write at all
    assert not place_reports(store, IncidentIndex(archive=StoreIncidentArchive(store)),
                             [(aid, [r]) for aid, r in items])
    assert stored_incidents(store) == before
    # "d" re-processed finds no event any more, "c" finds one of another date and place
    c_meta = article("c", "three.example", "2024-06-15", "A strike on Izium killed 14 people on Friday.")
    c_new = make_report(c_meta, event(c_meta, "strike", "ASSAULT", ("Russia",), ("RUS",),
                                      date="2024-06-10", place="Izium"), 0)
    fresh = IncidentIndex(archive=StoreIncidentArchive(store))
    place_reports(store, fresh, [("d", []), ("c", [c_new])])  # type: ignore[list-item]
    assert rows_of(store, "select count(*) from incident_reports where article_id = 'd'") == [(0,)]
    after = {frozenset(r.article_id for r in i.reports) for i in stored_incidents(store)}
    assert after == {frozenset({"a", "b", "e"}), frozenset({"c"})}


def test_reprocessing_an_article_with_a_dropped_report_writes_nothing(store: Store) -> None:
    text = "A Russian airstrike hit Kharkiv on Friday, killing 12 people. Ukraine condemned the strike."
    meta = article("u1", "x.example", "2024-06-14", text)
    events = [event(meta, "airstrike", "ASSAULT", ("Russia",), ("RUS",), date="2024-06-14", place="Kharkiv"),
              event(meta, "killing", "ASSAULT", date="2024-06-14"),  # joins its sentence's report
              event(meta, "strike", "ASSAULT", date="2024-06-14", date_source="publication",
                    occurrence=1)]  # names nothing, alone in its sentence: dropped
    reports = [r for i, e in enumerate(events) if (r := make_report(meta, e, i, sentence_events=events))]
    stub_docs(store, [("u1", "x.example", "2024-06-14", text)])
    first = place_reports(store, IncidentIndex(archive=StoreIncidentArchive(store)), [("u1", reports)])
    assert [r.event_idx for r, _ in first.placed] == [0, 1]
    again = place_reports(store, IncidentIndex(archive=StoreIncidentArchive(store)), [("u1", reports)])
    assert not again


def test_rebuild_from_stored_reports_gives_the_same_incidents(store: Store) -> None:
    stub_docs(store, [(m.id, m.outlet, m.published.isoformat() if m.published else None, m.text)
                      for m, _ in strike_reports()])
    items = strike_items()
    index = IncidentIndex(archive=StoreIncidentArchive(store))
    for aid, r in reversed(items):  # out of order: renames happen
        place_reports(store, index, [(aid, [r])])
    before = stored_incidents(store)
    assert rebuild_incidents(store) == len(items)
    assert stored_incidents(store) == before == merge_incidents([r for _, r in items])


# --- arrival order and memory ------------------------------------------------------------------


def synthetic_day(day: dt.date, n: int, d: int) -> list[tuple[tuple[str, str | None, str | None, str], Report]]:
    """`n` articles published on `day` (the `d`th day): pairs of outlets reporting the same
    clash of one of n // 2 groups, dated the day before."""
    towns = ["Kharkiv", "Izium", "Beledweyne", "Baidoa", "Doha", "Khan Younis"]
    out: list[tuple[tuple[str, str | None, str | None, str], Report]] = []
    for i in range(n):
        town = towns[(i // 2) % len(towns)]
        aid = f"{day.isoformat()}-{i}"
        text = f"Fighters attacked positions in {town} on the day before, officials said ({i})."
        meta = article(aid, f"outlet{i % 2}.example", day.isoformat(), text)
        group = f"{d % 3}-{i // 2}"  # no group fights on two days in a row: one incident each
        ev = event(meta, "attacked", "ASSAULT", (f"Group {group}",), (f"G{group}",),
                   date=(day - dt.timedelta(days=1)).isoformat(), place=town)
        r = make_report(meta, ev, 0)
        assert r is not None
        out.append(((aid, meta.outlet, day.isoformat(), text), r))
    return out


def test_memory_stays_bounded_over_a_long_date_range(store: Store) -> None:
    index = IncidentIndex(archive=StoreIncidentArchive(store))
    sizes = []
    start = dt.date(2024, 1, 1)
    days = 150
    for d in range(days):
        day = start + dt.timedelta(days=d)
        batch = synthetic_day(day, 8, d)
        stub_docs(store, [meta for meta, _ in batch])
        place_reports(store, index, [(r.article_id, [r]) for _, r in batch])
        sizes.append(len(index))
    total = store.execute("select count(*) from incidents").fetchone()[0]
    assert total == days * 4  # the store holds every incident ...
    per_day = total / days
    # ... memory holds about keep_days + 2 days of them, early and late alike
    assert max(sizes) <= per_day * (index.keep.days + 3)
    assert max(sizes[-30:]) <= max(sizes[:30]) + per_day
    assert index.stats.evicted >= total - max(sizes)


def test_incremental_in_publication_order_equals_merge_incidents_on_the_dev_set(tmp_path: Path) -> None:
    """The dev set through the real pipeline and story index, ingested one article at a time in
    publication order with an index that evicts everything it may (keep_days=0, so every
    candidate comes back from the store): identical to merge_incidents, ids included."""
    from tidings.evaluate.incidents import DEV_ARTICLES, assign_stories, load_articles, process_articles

    articles = load_articles(DEV_ARTICLES)
    docs = process_articles(articles)
    story_of = assign_stories(articles, docs)
    copy_of = {a["id"]: a["copy_of"] for a in articles if a.get("copy_of")}
    per_article = {a["id"]: reports_from_doc(docs[a["id"]], copy_of=copy_of.get(a["id"]),
                                             story_id=story_of[a["id"]]) for a in articles}
    expected = merge_incidents([r for rs in per_article.values() for r in rs])
    order = sorted(articles, key=lambda a: (a.get("date") or "9999", a["id"]))
    with Store(tmp_path / "dev.db") as store:
        store.upsert_docs(docs.values())
        index = IncidentIndex(archive=StoreIncidentArchive(store), keep_days=0)
        for a in order:
            place_reports(store, index, [(a["id"], per_article[a["id"]])])
        assert index.stats.loaded > 0  # the store was read back, not just memory
        assert stored_incidents(store) == expected
    # Reverse order (module docstring of tidings.corpus.incidents): every report is still placed
    # once, every incident still meets the hard conditions pairwise, and an incident whose
    # reports are the same in both orders has the same id (ids come from the earliest report);
    # what may differ is which of two incidents a report fitting both joined. On the dev set
    # two of the labelled Kharkiv reports go the other way.
    with Store(tmp_path / "dev-reverse.db") as store:
        store.upsert_docs(docs.values())
        index = IncidentIndex(archive=StoreIncidentArchive(store))
        for a in reversed(order):
            place_reports(store, index, [(a["id"], per_article[a["id"]])])
        reverse = stored_incidents(store)

    def groups(incs: list[Incident]) -> dict[frozenset[tuple[str, int]], str]:
        return {frozenset((r.article_id, r.event_idx) for r in i.reports): i.id for i in incs}

    forward, backward = groups(expected), groups(reverse)
    assert set().union(*forward) == set().union(*backward)
    for inc in reverse:
        assert all(compatible(x, y, dates=False) for x in inc.reports for y in inc.reports)
    same = set(forward) & set(backward)
    assert all(forward[g] == backward[g] for g in same)
    assert len(same) >= 0.8 * len(forward)
    scores = pair_scores({k: i for g, i in backward.items() for k in g},
                         {k: i for g, i in forward.items() for k in g})
    assert scores.f1 >= 0.9, scores
