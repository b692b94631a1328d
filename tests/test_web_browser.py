"""The web UI end to end in a real headless browser (Debian's chromium driven by Playwright).

A store is built once per session from `examples/` with the full pipeline (spaCy), served by a
real uvicorn server on a free 127.0.0.1 port in a child process, and loaded in chromium.
Screenshots go to tests/artifacts/ (gitignored).

Needs `apt-get install -y chromium` and `pip install playwright` (never `playwright install`:
it downloads a browser of its own). Skips with the reason when either is absent.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("TIDINGS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SERVER_START_S = 60
"""Seconds to wait for the server to answer before failing the session."""

pytestmark = [pytest.mark.model, pytest.mark.browser]

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: pip install playwright")
if not Path(CHROMIUM).is_file():
    pytest.skip(f"chromium not found at {CHROMIUM}: apt-get install -y chromium "
                f"(or set TIDINGS_CHROMIUM)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def examples_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of every example article, through the real pipeline, with the web tables."""
    import tidings
    from tidings.web.schema import upgrade_store

    db = tmp_path_factory.mktemp("browser") / "examples.db"
    settings = tidings.load_settings(overrides=("ingest.workers=1",))
    report = tidings.ingest([str(ROOT / "examples")], db, settings=settings)
    assert report.new > 5 and not report.failures, report
    upgrade_store(db)  # a no-op once the store's own migrations include the web ones
    return db


@pytest.fixture(scope="session")
def server(examples_store: Path) -> Iterator[str]:
    """Base URL of `python -m tidings.web serve` over the examples store."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tidings.web", "serve", str(examples_store), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_S
    try:
        while True:
            try:
                with urllib.request.urlopen(base + "/index.json", timeout=5) as r:
                    assert r.status == 200
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    err = proc.stderr.read().decode() if proc.stderr and proc.poll() is not None else ""
                    pytest.fail(f"tidings.web server did not start on {base}: {err}")
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    """A fresh page that records console errors and every URL it requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.errors = []
    pg.requested = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("request", lambda r: pg.requested.append(r.url))
    pg.base = server
    yield pg
    context.close()


def richest_article(db: Path) -> str:
    """The id of the example article with the most actor, place, time and quote spans."""
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT article_id FROM spans WHERE grp IN ('entities', 'places', 'times', 'quotes') "
            "GROUP BY article_id HAVING count(DISTINCT grp) = 4 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()
    assert row, "no example article has all four span groups"
    return str(row[0])


def test_article_page_highlights_spans_and_clicking_one_shows_what_it_resolved_to(
    page: Any, examples_store: Path
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    article_id = richest_article(examples_store)
    page.goto(f"{page.base}/articles/{article_id}")
    for kind in ("actor", "place", "time", "quote"):
        assert page.locator(f"#article-body mark.hl-{kind}").count() > 0, kind
    actor = page.locator("#article-body mark.hl-actor").first
    # The stylesheet is served and applied: highlights have a background colour.
    assert actor.evaluate("m => getComputedStyle(m).backgroundColor") not in (
        "rgba(0, 0, 0, 0)", "transparent")
    ref = actor.get_attribute("data-ref")
    assert page.locator(f"#detail-{ref}").is_hidden()
    actor.click()
    detail = page.locator(f"#detail-{ref}")
    assert detail.is_visible()
    assert "Actor:" in detail.inner_text()
    assert "active" in (actor.get_attribute("class") or "")
    page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=True)

    link = detail.locator("a").first
    if link.count():
        name = link.inner_text()
        link.click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == name
        assert "/actors/" in page.url
    assert page.errors == []
    assert all(u.startswith(page.base) for u in page.requested), page.requested


def test_removed_text_is_greyed_inline_and_can_be_hidden(page: Any, examples_store: Path) -> None:
    with sqlite3.connect(examples_store) as conn:
        article_id = conn.execute(
            "SELECT article_id FROM removed WHERE reason NOT IN ('whitespace', 'date-header') "
            "GROUP BY article_id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    page.goto(f"{page.base}/articles/{article_id}")
    removed = page.locator("#article-body .removed").first
    assert removed.is_visible()
    assert removed.get_attribute("data-reason")
    assert "Removed (" in (removed.get_attribute("title") or "")
    page.locator("#show-removed").uncheck()
    assert removed.is_hidden()
    page.locator("#show-removed").check()
    assert removed.is_visible()
    assert page.errors == []


def test_quote_link_opens_the_article_at_the_quote(page: Any) -> None:
    page.goto(f"{page.base}/quotes")
    first = page.locator("ol.quotes li").first
    first.locator("a[href*='#quotes-']").click()
    page.wait_for_load_state()
    ref = page.url.rsplit("#", 1)[1]
    assert page.locator(f"#detail-{ref}").is_visible()
    assert "active" in (page.locator(f"#article-body mark#{ref}").get_attribute("class") or "")
    assert page.errors == []


def test_quotes_search_form_filters_by_speaker(page: Any) -> None:
    page.goto(f"{page.base}/quotes")
    speakers = page.locator("ol.quotes li .meta a[href^='/actors/']")
    if speakers.count() == 0:
        pytest.skip("no named speaker with an actor page in the examples")
    name = speakers.first.inner_text()
    page.fill("form.filters input[name=speaker]", name)
    page.click("form.filters button")
    page.wait_for_load_state()
    assert "speaker=" in page.url
    metas = page.locator("ol.quotes li .meta").all_inner_texts()
    assert metas and all(name in m for m in metas)


def test_places_map_draws_the_world_and_the_places(page: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(f"{page.base}/places")
    dots = page.locator("figure.map circle.place-dot")
    assert dots.count() > 0
    box = page.locator("figure.map svg").bounding_box()
    assert box and box["width"] > 500 and box["height"] > 200
    assert any(u.endswith("/world.svg") for u in page.requested)
    page.screenshot(path=str(ARTIFACTS / "places.png"))
    dots.last.click()  # each dot links to its place page (the last is drawn on top)
    page.wait_for_load_state()
    assert "/places/" in page.url and page.locator("circle.here").count() == 1
    assert page.errors == []
    assert all(u.startswith(page.base) for u in page.requested), page.requested


def test_story_page_draws_timeline_and_map_and_clicking_an_incident_shows_its_sources(
    page: Any, examples_store: Path
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with sqlite3.connect(examples_store) as conn:
        row = conn.execute(
            "SELECT s.story_id FROM story_articles s JOIN spans e ON e.article_id = s.article_id "
            "AND e.grp = 'events' GROUP BY s.story_id ORDER BY count(*) DESC LIMIT 1").fetchone()
    assert row, "no example story has events"
    page.goto(f"{page.base}/stories/{row[0]}")
    incidents = page.locator("#story-timeline g.incident")
    assert incidents.count() > 0
    box = page.locator("#story-timeline").bounding_box()
    assert box and box["width"] > 300
    assert page.locator("#story-map svg").is_visible()
    assert any(u.endswith("/world.svg") for u in page.requested)
    first = incidents.first
    ref = first.get_attribute("data-ref")
    assert page.locator(f"#detail-{ref}").is_hidden()
    first.click()
    detail = page.locator(f"#detail-{ref}")
    assert detail.is_visible()
    assert "Sources" in detail.inner_text() and detail.locator("ul.sources li").count() > 0
    assert "active" in (first.get_attribute("class") or "")
    page.click("#timeline-tools [data-zoom=in]")
    page.click("#timeline-tools [data-zoom=reset]")
    assert first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "story.png"), full_page=True)
    assert page.errors == []
    assert all(u.startswith(page.base) for u in page.requested), page.requested
