"""The web UI and API, in-process (Starlette TestClient) over a small store of hand-made Docs.

No model is needed: Docs are built by hand with their offset maps, removals and spans, and
written with `Store.upsert_docs` as an ingest would. Texts are invented news prose.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
import sqlite3
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given, settings, strategies as st

from tidings.doc import Doc, OffsetMap
from tidings.errors import StoreError
from tidings.records import Entity, Event, Place, Quote, Removal, Segment, TimeRef
from tidings.store import MIGRATIONS, Store
from tidings.web.app import make_app
from tidings.web.highlight import Highlight, InlineRemoval, render_text
from tidings.web.schema import all_migrations, upgrade_store
from tidings.web.server import is_loopback, serve

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's note that httpx2 will replace httpx
    from starlette.testclient import TestClient

EVIL = "<script>alert('x')</script>"


# --- building Docs by hand ---------------------------------------------------------------------


def build_doc(pieces: list[tuple[str, str | None]], **meta: object) -> Doc:
    """A cleaned Doc from raw pieces: `(text, None)` is kept, `(text, reason)` was removed."""
    raw = text = ""
    segments: list[Segment] = []
    removed: list[Removal] = []
    for piece, reason in pieces:
        if reason is None:
            segments.append(Segment(len(text), len(text) + len(piece), len(raw), len(raw) + len(piece)))
            text += piece
        else:
            removed.append(Removal(len(raw), len(raw) + len(piece), reason, f"test-{reason}"))  # type: ignore[arg-type]
        raw += piece
    return Doc(raw=raw, text=text, offsets=OffsetMap(tuple(segments)), removed=removed,
               **meta)  # type: ignore[arg-type]


def find(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """Offsets of the `nth` occurrence of `needle` in `text`."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    return at, at + len(needle)


def cairo_doc() -> Doc:
    doc = build_doc(
        [
            ("date 2024-08-26\n\n", "date-header"),
            ("Egyptian mediators met a Hamas delegation in Cairo on Sunday to revive the "
             "ceasefire talks.\n\n", None),
            ("Also Read: Markets slide as oil prices jump\n\n", "link-line"),
            ('"We will not accept new conditions," said Osama Hamdan, a senior Hamas official, '
             "speaking to Al-Aqsa TV.\n\nA senior U.S. official said the gap had narrowed.", None),
        ],
        url="https://nile.example/2024/08/cairo-talks", outlet="Nile Dispatch",
        title="Ceasefire talks resume in Cairo", published=dt.date(2024, 8, 26),
        published_precision="day",
    )
    t = doc.text
    doc.spans = {
        "entities": [
            Entity(*find(t, "Egyptian mediators"), "Egypt", "government", code="EGY",
                   resolved_by="context"),
            Entity(*find(t, "Hamas"), "Hamas", "armed_group", code="PSE-HAMAS"),
            Entity(*find(t, "Osama Hamdan"), "Osama Hamdan", "person", role="senior official",
                   affiliation="Hamas"),
            Entity(*find(t, "Hamas", 1), "Hamas", "armed_group", code="PSE-HAMAS"),
            Entity(*find(t, "U.S."), "United States", "country", code="USA"),
        ],
        "places": [Place(*find(t, "Cairo"), "Cairo", "EG", 30.0444, 31.2357, "city",
                         "geonames:360630")],
        "times": [TimeRef(*find(t, "Sunday"), "DATE", "2024-08-25", "publication")],
        "events": [Event(*find(t, "met"), 0, find(t, "talks.")[1], "CONSULT", "meet",
                         actors=("Egypt",), targets=("Hamas",), date="2024-08-25",
                         date_source="sentence", place="Cairo")],
        "quotes": [
            Quote(*find(t, "We will not accept new conditions,"), "direct", "Osama Hamdan", True,
                  *find(t, "Osama Hamdan"), "Hamas", "say", "Al-Aqsa TV", "2024-08-26",
                  "publication"),
            Quote(*find(t, "the gap had narrowed"), "indirect", "a senior U.S. official", False,
                  *find(t, "A senior U.S. official"), "United States", "say", None, "2024-08-26",
                  "publication"),
        ],
    }
    return doc


def nairobi_doc() -> Doc:
    doc = build_doc(
        [("Kenyan officials in Nairobi said talks with the Ituri groups would resume in "
          'September. "=HYPERLINK(1)" read a banner quoted by Grace Mensah.', None)],
        url="https://lakeside.example/nairobi", outlet="Lakeside Tribune",
        title="Nairobi talks to resume", published=dt.date(2024, 9, 13),
        published_precision="day",
    )
    t = doc.text
    doc.spans = {
        "entities": [Entity(*find(t, "Kenyan officials"), "Kenya", "government", code="KEN"),
                     Entity(*find(t, "Grace Mensah"), "Grace Mensah", "person")],
        "places": [Place(*find(t, "Nairobi"), "Nairobi", "KE", -1.2833, 36.8167, "city",
                         "geonames:184745")],
        "times": [TimeRef(*find(t, "September"), "DATE", "2024-09", "publication")],
        "quotes": [Quote(*find(t, "=HYPERLINK(1)"), "partial", "Grace Mensah", True,
                         *find(t, "Grace Mensah"), "Kenya", "quote", None, "2024-09-13",
                         "publication")],
    }
    return doc


def evil_doc() -> Doc:
    body = (f"A post reading {EVIL} circulated before the <b>Evil</b> Front denied "
            f"everything, spokesman {EVIL} said.")
    doc = build_doc([(f"<iframe src=x>{EVIL}</iframe>\n", "markup"), (body, None)],
                    url="javascript:alert(1)", outlet=EVIL, title=f"Hoax {EVIL}")
    t = doc.text
    doc.spans = {
        "entities": [Entity(*find(t, "<b>Evil</b> Front"), "<b>Evil</b> Front", "armed_group")],
        "quotes": [Quote(*find(t, "everything"), "indirect", EVIL, True, None, None,
                         "<b>Evil</b> Front", "say", None, "2024-01-02", "publication")],
    }
    return doc


def undated_doc() -> Doc:
    doc = build_doc([("An undated note on the Cairo talks, with no spans but a date.", None)],
                    title="Undated note")
    doc.spans = {"entities": [], "quotes": []}
    return doc


DOCS = {"cairo": cairo_doc, "nairobi": nairobi_doc, "evil": evil_doc, "undated": undated_doc}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web") / "web.db"
    with Store(path, migrations=all_migrations()) as store:
        store.upsert_docs(make() for make in DOCS.values())
    return path


@pytest.fixture(scope="module")
def ids() -> dict[str, str]:
    return {name: make().id for name, make in DOCS.items()}


@pytest.fixture(scope="module")
def client(store_path: Path) -> Iterator[TestClient]:
    with TestClient(make_app(store_path)) as c:
        yield c


# --- every route and its JSON twin -------------------------------------------------------------


def page_paths(ids: dict[str, str]) -> list[str]:
    return [
        "/", "/articles", "/articles?q=ceasefire", f"/articles/{ids['cairo']}", "/actors",
        "/actors/Hamas", f"/actors/{quote('Osama Hamdan')}", "/quotes", "/quotes?speaker=hamdan",
        "/places", "/places/geonames:360630",
    ]


def test_every_page_renders_html_and_its_json_twin_has_the_same_view(
    client: TestClient, ids: dict[str, str]
) -> None:
    for path in page_paths(ids):
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.headers["content-type"].startswith("text/html")
        base, _, query = path.partition("?")
        twin = ("/index" if base == "/" else base) + ".json" + ("?" + query if query else "")
        assert f'href="{html.escape(twin)}"' in page.text, f"{path} does not link its JSON twin"
        data = client.get(twin)
        assert data.status_code == 200, twin
        assert data.headers["content-type"] == "application/json"
        view = data.json()
        assert view and not any(k.startswith("_") for k in view), twin
    assert client.get("/.json").json() == client.get("/index.json").json()


def test_home_counts_what_is_stored(client: TestClient) -> None:
    view = client.get("/index.json").json()
    assert view["counts"] == {"articles": 4, "actors": 7, "quotes": 4, "places": 2}
    assert view["published"] == {"first": "2024-08-26", "last": "2024-09-13"}
    assert [a["title"] for a in view["recent_articles"]][:2] == [
        "Nairobi talks to resume", "Ceasefire talks resume in Cairo"]
    assert view["top_actors"][0] == {"canonical": "Hamas", "kind": "armed_group", "mentions": 2,
                                     "articles": 1}


def test_articles_are_listed_newest_first_undated_last_and_paginated(client: TestClient) -> None:
    view = client.get("/articles.json").json()
    titles = [r["title"] for r in view["rows"]]
    assert titles[:2] == ["Nairobi talks to resume", "Ceasefire talks resume in Cairo"]
    assert set(titles[2:]) == {"Undated note", f"Hoax {EVIL}"}
    assert view["rows"][1]["spans"] == {"entities": 5, "places": 1, "times": 1, "quotes": 2,
                                        "events": 1}
    first = client.get("/articles.json?size=1").json()
    assert first["pagination"] | {"next_url": None} == {
        "page": 1, "size": 1, "total": 4, "pages": 4, "has_next": True, "has_prev": False,
        "next_url": None, "prev_url": None}
    second = client.get(first["pagination"]["next_url"]).json()
    assert second["rows"][0]["title"] == "Ceasefire talks resume in Cairo"
    assert second["pagination"]["prev_url"] == "/articles.json?size=1&page=1"


def test_article_search_finds_words_with_snippets_and_survives_bad_syntax(
    client: TestClient,
) -> None:
    view = client.get("/articles.json?q=ceasefire").json()
    assert [r["title"] for r in view["rows"]] == ["Ceasefire talks resume in Cairo"]
    row = view["rows"][0]
    assert any(row["snippet"][s:e].lower() == "ceasefire" for s, e in row["snippet_matches"])
    page = client.get("/articles?q=ceasefire")
    assert "<mark>ceasefire</mark>" in page.text.lower()
    # Not valid FTS5: searched as plain words instead of failing.
    assert client.get('/articles.json?q="Nairobi').json()["rows"][0]["title"] == (
        "Nairobi talks to resume")
    assert client.get("/articles.json?q=Nairobi&from=2024-09&to=2024-09").json()["pagination"][
        "total"] == 1
    assert client.get("/articles.json?q=Cairo&to=2024-08-01").json()["rows"] == []
    assert client.get("/articles.json?outlet=Lakeside+Tribune").json()["pagination"]["total"] == 1


# --- the article page --------------------------------------------------------------------------


class Tags(HTMLParser):
    """Checks that elements nest properly; collects the text inside and outside removed pieces."""

    VOID = {"meta", "link", "input", "br", "img", "hr", "image", "circle"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.kept: list[str] = []
        self.everything: list[str] = []
        self.removed_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        removed = ("class", "removed") in attrs
        if self.removed_depth or removed:
            self.removed_depth += 1
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if self.removed_depth:
            self.removed_depth -= 1

    def handle_data(self, data: str) -> None:
        self.everything.append(data)
        if not self.removed_depth:
            self.kept.append(data)


def article_body(page: str) -> str:
    start = page.index('<div class="body" id="article-body">') + len(
        '<div class="body" id="article-body">')
    return page[start: page.index("</div>", start)]


def test_article_page_shows_cleaned_text_with_every_span_and_removed_text_inline(
    client: TestClient, ids: dict[str, str]
) -> None:
    doc = cairo_doc()
    page = client.get(f"/articles/{ids['cairo']}").text
    body = article_body(page)
    parsed = Tags()
    parsed.feed(body)
    assert parsed.stack == []
    assert "".join(parsed.kept) == doc.text  # the kept text, exactly, around the highlights
    assert "".join(parsed.everything) == doc.raw  # and with the removed pieces: the raw input
    for ref, kind in [("entities-2", "actor"), ("places-0", "place"), ("times-0", "time"),
                      ("quotes-0", "quote"), ("quotes-1", "quote"), ("events-0", "event")]:
        assert f'data-ref="{ref}" id="{ref}"' in body and f"hl-{kind}" in body
        assert f'id="detail-{ref}"' in page
    # An actor named inside a quote is a mark inside the quote's mark.
    assert re.search(r'data-ref="quotes-0"[^>]*>[^<]*We will', body)
    assert re.search(r'class="removed" data-reason="link-line"[^>]*>\s*Also Read', body)
    assert 'data-reason="date-header"' in body
    # Each highlight links to what it resolved to.
    assert 'href="/actors/Osama%20Hamdan"' in page
    assert 'href="/places/geonames:360630"' in page
    assert "2024-08-25" in page  # the time's value
    assert "Event: CONSULT/meet by Egypt on Hamas · 2024-08-25" in page
    assert re.search(r'id="detail-events-0".*?href="/actors/Hamas">Hamas \(target\)', page, re.S)


def test_article_json_has_spans_records_and_removals(client: TestClient, ids: dict[str, str]) -> None:
    view = client.get(f"/articles/{ids['cairo']}.json").json()
    assert view["text"] == cairo_doc().text
    spans = {s["ref"]: s for s in view["spans"]}
    assert spans["entities-2"]["record"]["canonical"] == "Osama Hamdan"
    assert spans["entities-2"]["record"]["text"] == "Osama Hamdan"
    assert spans["quotes-0"]["links"][0] == {"label": "Osama Hamdan", "kind": "actor",
                                              "key": "Osama Hamdan"}
    assert [(r["reason"], r["text"]) for r in view["removed"]] == [
        ("date-header", "date 2024-08-26\n\n"),
        ("link-line", "Also Read: Markets slide as oil prices jump\n\n")]
    assert view["removed_counts"] == {"date-header": 1, "link-line": 1}


# --- escaping and safety -----------------------------------------------------------------------


def test_untrusted_text_is_escaped_on_every_page(client: TestClient, ids: dict[str, str]) -> None:
    paths = [f"/articles/{ids['evil']}", "/articles", "/articles?q=hoax", "/quotes",
             "/quotes?affiliation=Evil", "/actors", f"/actors/{quote('<b>Evil</b> Front', safe='')}",
             "/"]
    for path in paths:
        page = client.get(path)
        assert page.status_code == 200, path
        assert "<script>alert" not in page.text, path
        assert "<b>Evil" not in page.text and "<iframe" not in page.text, path
    article = client.get(f"/articles/{ids['evil']}").text
    assert "&lt;script&gt;alert(" in article and "&lt;iframe src=x&gt;" in article
    assert 'href="javascript:' not in article
    view = client.get(f"/articles/{ids['evil']}.json").json()
    assert view["article"]["title"] == f"Hoax {EVIL}"  # JSON keeps the text as it is


def test_responses_carry_a_strict_content_security_policy(client: TestClient) -> None:
    for path in ("/", "/articles.json", "/static/tidings.js", "/nowhere"):
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff"


def test_pages_load_nothing_from_another_origin(client: TestClient, ids: dict[str, str]) -> None:
    for path in page_paths(ids):
        page = client.get(path).text
        for tag, url in re.findall(r'<(script|link|img|image|iframe|source)\b[^>]*?(?:src|href)="([^"]*)"',
                                   page):
            assert url.startswith("/") and not url.startswith("//"), (path, tag, url)
        for url in re.findall(r'<a\b[^>]*?href="([^"]*)"', page):
            if not url.startswith(("/", "#")):
                # Only an article's link to its own source leaves tidings, and only on a click.
                assert url == "https://nile.example/2024/08/cairo-talks", (path, url)


def test_trusted_hosts_reject_other_host_headers(store_path: Path) -> None:
    with TestClient(make_app(store_path, allowed_hosts=["127.0.0.1", "localhost"]),
                    base_url="http://127.0.0.1") as c:
        assert c.get("/").status_code == 200
        assert c.get("/", headers={"host": "rebind.example"}).status_code == 400


def test_serve_binds_loopback_by_default() -> None:
    import inspect

    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")


# --- actors, quotes, places --------------------------------------------------------------------


def test_actor_list_counts_mentions_articles_and_quotes(client: TestClient) -> None:
    rows = {r["canonical"]: r for r in client.get("/actors.json?size=100").json()["rows"]}
    assert rows["Hamas"] | {} == {"canonical": "Hamas", "kind": "armed_group",
                                  "code": "PSE-HAMAS", "mentions": 2, "articles": 1, "quotes": 0}
    assert rows["Osama Hamdan"]["quotes"] == 1
    assert [r["canonical"] for r in client.get("/actors.json?kind=person").json()["rows"]] == [
        "Grace Mensah", "Osama Hamdan"]
    assert [r["canonical"] for r in client.get("/actors.json?q=ham").json()["rows"]] == [
        "Hamas", "Osama Hamdan"]


def test_actor_page_lists_mentions_own_quotes_and_quotes_of_its_people(
    client: TestClient, ids: dict[str, str]
) -> None:
    view = client.get("/actors/Hamas.json").json()
    assert view["actor"]["mentions"] == 2
    assert [a["id"] for a in view["articles"]] == [ids["cairo"]]
    assert view["articles"][0]["context"]["match"] == "Hamas"
    assert view["quotes_by"]["total"] == 0
    assert [q["speaker"] for q in view["quotes_for"]["rows"]] == ["Osama Hamdan"]
    hamdan = client.get("/actors/Osama%20Hamdan.json").json()
    assert hamdan["quotes_by"]["rows"][0]["content"] == "We will not accept new conditions,"
    page = client.get("/actors/Osama%20Hamdan").text
    assert "We will not accept new conditions," in page
    assert f'href="/articles/{ids["cairo"]}#quotes-0"' in page


def test_quotes_filter_by_speaker_affiliation_words_date_and_kind(client: TestClient) -> None:
    def speakers(query: str) -> list[str]:
        return [r["speaker"] for r in client.get(f"/quotes.json?{query}").json()["rows"]]

    assert len(speakers("")) == 4
    assert speakers("speaker=hamdan") == ["Osama Hamdan"]  # part of a name, any case
    assert speakers("speaker=u.s.") == ["a senior U.S. official"]
    assert speakers("affiliation=United+States") == ["a senior U.S. official"]
    assert speakers("q=conditions") == ["Osama Hamdan"]
    assert speakers("q=narrowed") == ["a senior U.S. official"]
    assert speakers("from=2024-09-01") == ["Grace Mensah"]
    assert sorted(speakers("from=2024-08&to=2024-08")) == ["Osama Hamdan",
                                                           "a senior U.S. official"]
    assert speakers("kind=partial") == ["Grace Mensah"]
    assert speakers("named=0") == ["a senior U.S. official"]
    bad = client.get("/quotes.json?from=2024-13-01")
    assert bad.status_code == 400 and "from" in bad.json()["error"]
    assert client.get("/quotes?kind=shouted").status_code == 400


def test_places_list_map_and_place_page(client: TestClient, ids: dict[str, str]) -> None:
    view = client.get("/places.json").json()
    assert {r["name"]: (r["lat"], r["lon"]) for r in view["rows"]} == {
        "Cairo": (30.0444, 31.2357), "Nairobi": (-1.2833, 36.8167)}
    page = client.get("/places").text
    assert page.count('class="place-dot"') == 2
    assert 'cx="31.2357" cy="-30.0444"' in page
    assert client.get("/world.svg").text.count("<path") > 100
    place = client.get("/places/geonames:184745.json").json()
    assert place["place"]["name"] == "Nairobi" and place["articles"][0]["id"] == ids["nairobi"]


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path, words", [
    ("/articles/0000deadbeef", "no article with id '0000deadbeef'"),
    ("/actors/Nobody%20Known", "no actor named 'Nobody Known'"),
    ("/places/geonames:1", "no place 'geonames:1'"),
    ("/no/such/page", "no page at /no/such/page"),
])
def test_unknown_things_are_404_with_a_clear_message(client: TestClient, path: str,
                                                     words: str) -> None:
    page = client.get(path)
    assert page.status_code == 404 and words in html.unescape(page.text)
    if not path.startswith("/no/"):
        data = client.get(path + ".json")
        assert data.status_code == 404 and words in data.json()["error"]


def test_bad_parameters_are_400_with_a_clear_message(client: TestClient) -> None:
    for path, words in [("/articles.json?page=x", "page='x': expected a whole number"),
                        ("/articles.json?size=100000", "size=100000: expected 1 to 500"),
                        ("/actors.json?sort=height", "sort='height'")]:
        page = client.get(path)
        assert page.status_code == 400 and words in page.json()["error"], path


# --- exports -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, total", [("articles", 4), ("actors", 7), ("quotes", 4),
                                         ("places", 2)])
def test_csv_exports_parse_and_hold_every_row(client: TestClient, name: str, total: int) -> None:
    response = client.get(f"/{name}.csv?size=1")  # size pages the view, not the export
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == total
    assert all(r for r in rows)


def test_csv_exports_apply_filters_and_defuse_formulas(client: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/quotes.csv?speaker=Grace").text)))
    assert [r["speaker"] for r in rows] == ["Grace Mensah"]
    assert rows[0]["content"] == "'=HYPERLINK(1)"  # a spreadsheet shows it, does not run it
    places = list(csv.DictReader(io.StringIO(client.get("/places.csv").text)))
    assert {p["lat"] for p in places} == {"30.0444", "-1.2833"}  # numbers stay numbers


# --- the store underneath ----------------------------------------------------------------------


def recount(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """The summary tables as stored, and recomputed from the span tables."""
    return {
        "actors": sorted(conn.execute(
            "SELECT canonical, mentions, articles FROM actor_stats").fetchall()),
        "actors_expected": sorted(conn.execute(
            "SELECT canonical, count(*), count(DISTINCT article_id) FROM spans_entities "
            "GROUP BY canonical").fetchall()),
        "speakers": sorted(conn.execute("SELECT speaker, quotes FROM speaker_stats").fetchall()),
        "speakers_expected": sorted(conn.execute(
            "SELECT speaker, count(*) FROM spans_quotes WHERE speaker IS NOT NULL "
            "GROUP BY speaker").fetchall()),
        "places": sorted(conn.execute("SELECT place_key, mentions FROM place_stats").fetchall()),
        "places_expected": sorted(conn.execute(
            "SELECT gazetteer_id, count(*) FROM spans_places GROUP BY gazetteer_id").fetchall()),
        "quote_texts": conn.execute("SELECT count(*) FROM quote_texts").fetchall(),
        "quote_texts_expected": conn.execute("SELECT count(*) FROM spans_quotes").fetchall(),
    }


def assert_summaries_exact(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        got = recount(conn)
    for key in ("actors", "speakers", "places", "quote_texts"):
        assert got[key] == got[key + "_expected"], key


def test_summary_tables_follow_updates_of_reprocessed_articles(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    with Store(path, migrations=all_migrations()) as store:
        store.upsert_docs([cairo_doc(), nairobi_doc()])
        assert_summaries_exact(path)
        changed = cairo_doc()  # re-processed: one Hamas mention and one quote fewer
        changed.spans["entities"] = changed.spans["entities"][:3]
        changed.spans["quotes"] = changed.spans["quotes"][1:]
        assert store.upsert_docs([changed]).updated == 1
    assert_summaries_exact(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT mentions FROM actor_stats WHERE canonical = 'Hamas'"
                            ).fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM speaker_stats WHERE speaker = 'Osama Hamdan'"
                            ).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM quotes_fts WHERE quotes_fts MATCH 'conditions'"
                            ).fetchone() == (0,)


def test_upgrade_backfills_a_store_written_without_the_web_tables(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    before_web = [m for m in MIGRATIONS if not m[0].startswith("0005") and m[0] < "0005"]
    with Store(path, migrations=before_web) as store:  # a store from before the summary tables
        store.upsert_docs(make() for make in DOCS.values())
    with pytest.raises(StoreError, match="python -m tidings.web upgrade"):
        make_app(path)
    applied = upgrade_store(path)
    assert applied[:4] == ["0005_web_actor_stats", "0006_web_place_stats", "0007_web_quote_index",
                           "0008_web_listing_index"]
    assert upgrade_store(path) == []
    assert_summaries_exact(path)
    with TestClient(make_app(path)) as c:
        assert c.get("/index.json").json()["counts"]["actors"] == 7
        assert c.get("/quotes.json?q=conditions").json()["rows"][0]["speaker"] == "Osama Hamdan"


def test_app_refuses_a_missing_store_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        make_app(tmp_path / "absent.db")


def test_pages_answer_while_an_ingest_holds_the_write_lock(store_path: Path, tmp_path: Path
                                                           ) -> None:
    path = tmp_path / "busy.db"
    path.write_bytes(store_path.read_bytes())
    with TestClient(make_app(path)) as c, Store(path, migrations=all_migrations()) as writer:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE articles SET title = 'half-written' WHERE title = 'Undated note'")
        view = c.get("/articles.json").json()  # sees the last committed state, does not wait
        assert "Undated note" in [r["title"] for r in view["rows"]]
        conn.execute("ROLLBACK")
        conn.close()
        writer.upsert_docs([build_doc([("A late wire on the Cairo talks.", None)],
                                      title="Late wire")])
        assert c.get("/index.json").json()["counts"]["articles"] == 5  # then sees new rows


# --- the highlighter ---------------------------------------------------------------------------


def test_crossing_spans_are_split_into_properly_nested_pieces() -> None:
    text = "The Gaza Strip border"
    marks = [Highlight(4, 14, "places", 0, "Place"), Highlight(9, 21, "entities", 0, "Actor")]
    out = str(render_text(text, marks))
    parsed = Tags()
    parsed.feed(out)
    assert parsed.stack == [] and "".join(parsed.kept) == text
    assert out.count('data-ref="entities-0"') == 2 and 'hl-cont' in out
    assert out.count('id="entities-0"') == 1


spans_strategy = st.lists(
    st.tuples(st.integers(0, 40), st.integers(1, 12), st.sampled_from(
        ["entities", "times", "places", "quotes", "events"])), max_size=12)


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet="ab <>&\"'\n", min_size=1, max_size=50), spans=spans_strategy,
       cuts=st.lists(st.integers(0, 50), max_size=3))
def test_rendering_keeps_the_text_and_nests_for_any_spans(text: str, spans: list[tuple[int, int, str]],
                                                          cuts: list[int]) -> None:
    marks = [Highlight(min(s, len(text) - 1), min(s + n, len(text)), g, i, "x")
             for i, (s, n, g) in enumerate(spans)]
    removals = [InlineRemoval(at, i, "dropped!", "promo", "") for i, at in enumerate(cuts)]
    parsed = Tags()
    parsed.feed(str(render_text(text, marks, removals)))
    assert parsed.stack == []
    assert "".join(parsed.kept) == text
    assert "".join(parsed.everything).count("dropped!") == len(cuts)
