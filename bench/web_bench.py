"""Web benchmark: latency of every page with a large store, in-process and over real HTTP.

    python bench/web_bench.py                      # 100,000 articles (store built once, reused)
    python bench/web_bench.py --articles 5000 --rounds 10
    python bench/web_bench.py --rebuild            # build the store again

The store is built quickly, without spaCy: articles come from the bench/generate.py templates,
cleaned by hand (the noise lines and the repeated lede become removals with an offset map), and
annotated with synthetic spans found by string search (actors, places, times, quotes; each
article also names one of ~80,000 local officials, for a long tail of actors and speakers).
They are written with `Store.upsert_docs`, as an ingest would, so every trigger-maintained
summary table is filled the real way.
`ensure_stories_and_events` then adds, once, synthetic stories (~4,600 of 3-40 articles),
~100,000 events and ~3,300 negotiation records with plain SQL, so the story pages and the
actor pages' events and stances are timed too (an older store gets them on its next run).

Each route is then requested `--rounds` times in turn (after one warm-up request each):
1. in-process through Starlette's TestClient (the app's own cost);
2. against a real uvicorn server on 127.0.0.1 in a child process (adds HTTP and the event loop).
Reports p50/p95 per route in milliseconds; results go to bench/out/web-<articles>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import LAST, generate  # noqa: E402

from tidings.doc import Doc, OffsetMap  # noqa: E402
from tidings.records import Entity, Place, Quote, Removal, Segment, TimeRef  # noqa: E402
from tidings.store import Store  # noqa: E402
from tidings.web.schema import all_migrations  # noqa: E402

ACTORS = {
    "Israel": ("Israel", "country", "ISR"), "Hamas": ("Hamas", "armed_group", "PSE-HAMAS"),
    "Russia": ("Russia", "country", "RUS"), "Ukraine": ("Ukraine", "country", "UKR"),
    "Sudan": ("Sudan", "country", "SDN"), "the RSF": ("Rapid Support Forces", "armed_group", None),
    "the DRC": ("Democratic Republic of the Congo", "country", "COD"),
    "M23": ("M23", "armed_group", None), "India": ("India", "country", "IND"),
    "Pakistan": ("Pakistan", "country", "PAK"), "Armenia": ("Armenia", "country", "ARM"),
    "Azerbaijan": ("Azerbaijan", "country", "AZE"), "Egypt": ("Egypt", "country", "EGY"),
    "Qatar": ("Qatar", "country", "QAT"), "the United States": ("United States", "country", "USA"),
    "Turkey": ("Turkey", "country", "TUR"), "Saudi Arabia": ("Saudi Arabia", "country", "SAU"),
    "the African Union": ("African Union", "igo", "IGO-AU"),
    "Switzerland": ("Switzerland", "country", "CHE"),
}
PLACES = {  # name -> (country, lat, lon, feature, gazetteer id)
    "Cairo": ("EG", 30.0444, 31.2357, "city", "geonames:360630"),
    "Istanbul": ("TR", 41.0138, 28.9497, "city", "geonames:745044"),
    "Jeddah": ("SA", 21.5169, 39.2192, "city", "geonames:105343"),
    "Doha": ("QA", 25.2854, 51.531, "city", "geonames:290030"),
    "Geneva": ("CH", 46.2022, 6.1457, "city", "geonames:2660646"),
    "Vienna": ("AT", 48.2085, 16.3721, "city", "geonames:2761369"),
    "Egypt": ("EG", 27.0, 30.0, "country", "geonames:357994"),
    "Qatar": ("QA", 25.5, 51.25, "country", "geonames:289688"),
    "Sudan": ("SD", 15.5, 30.0, "country", "geonames:366755"),
    "India": ("IN", 20.0, 77.0, "country", "geonames:1269750"),
}
SYLLABLES = ["ka", "lo", "mi", "ne", "sa", "tu", "ra", "be", "do", "fi", "ga", "hu", "jo", "ki",
             "le", "mo", "nu", "pa", "ri", "so"]
LOCAL_FIRST = ["Asha", "Bilal", "Chen", "Dina", "Emeka", "Fatima", "Goran", "Hana", "Ivan", "Joy"]
NOISE_START = ("Also Read:", "READ MORE", "Click here", "Follow us", "Photo:")
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def local_official(i: int) -> str:
    """One of 80,000 invented local officials, by article number."""
    n = (i * 7919) % 8000
    surname = "".join(SYLLABLES[(n // 20 ** k) % 20] for k in range(3)).capitalize()
    return f"{LOCAL_FIRST[(i * 31) % 10]} {surname}"


def make_doc(i: int, article: dict[str, str]) -> Doc:
    """A cleaned, annotated Doc from one generated article, without any model."""
    published = dt.date.fromisoformat(article["date"])
    paras = article["text"].split("\n\n")
    lede = paras[0].split(", officials said.")[0]
    venue = next(p for p in PLACES if p in lede)
    local = local_official(i)
    paras.append(f"{local}, a local council member in {venue}, said residents hoped the "
                 f"talks would bring calm before the harvest.")
    # raw = every paragraph; kept = all but noise lines and the repeated lede.
    raw_parts: list[tuple[str, str | None]] = []  # (piece, removal reason or None)
    for n, para in enumerate(paras):
        sep = "\n\n" if n else ""
        if para.startswith(NOISE_START):
            raw_parts.append((sep + para, "link-line" if "Read" in para or "READ" in para
                              else "promo"))
        elif n == 0 and para.endswith(lede) and para.count(lede) == 2:
            cut = len(para) - len(lede) - 1
            raw_parts += [(para[:cut], None), (para[cut:], "repeated-text")]
        else:
            raw_parts.append((sep + para, None))
    raw = text = ""
    segments: list[Segment] = []
    removed: list[Removal] = []
    for piece, reason in raw_parts:
        if reason is None:
            if text == "" and piece.startswith("\n\n"):
                piece_raw_start = len(raw) + 2
                piece = piece[2:]
            else:
                piece_raw_start = len(raw)
            segments.append(Segment(len(text), len(text) + len(piece), piece_raw_start,
                                    piece_raw_start + len(piece)))
            text += piece
        else:
            removed.append(Removal(len(raw), len(raw) + len(piece), reason, "bench"))  # type: ignore[arg-type]
        raw += piece
    doc = Doc(raw=raw, url=article["url"], outlet=article["url"].split("/")[2],
              title=article["title"], published=published, published_precision="day",
              text=text, offsets=OffsetMap(tuple(segments)), removed=removed)
    doc.spans = annotate(text, published, venue, local)
    return doc


def annotate(text: str, published: dt.date, venue: str, local: str) -> dict[str, list]:
    """Synthetic spans found by string search in `text`."""
    entities: list[Entity] = []
    for name, (canonical, kind, code) in ACTORS.items():
        for m in re.finditer(re.escape(name), text):
            entities.append(Entity(m.start(), m.end(), canonical, kind, code))  # type: ignore[arg-type]
    speaker = re.search(r'," ([A-Z][a-z]+ (?:' + "|".join(LAST) + r")), a senior negotiator for "
                        r"([^,]+),", text)
    quotes: list[Quote] = []
    day = published.isoformat()
    if speaker:
        entities.append(Entity(speaker.start(1), speaker.end(1), speaker.group(1), "person",
                               role="senior negotiator",
                               affiliation=ACTORS.get(speaker.group(2), (None,))[0]))
        open_at = text.rfind('"', 0, speaker.start()) + 1
        quotes.append(Quote(open_at, speaker.start() + 1, "direct", speaker.group(1), True,
                            speaker.start(1), speaker.end(1),
                            ACTORS.get(speaker.group(2), (None,))[0], "tell", None, day,
                            "publication"))
    diplomat = text.find("A diplomat familiar with the talks said ")
    if diplomat >= 0:
        start = diplomat + len("A diplomat familiar with the talks said ")
        end = text.find(".", start)
        quotes.append(Quote(start, end, "indirect", "A diplomat familiar with the talks", False,
                            diplomat, diplomat + 34, None, "say", None, day, "publication"))
    at = text.find(local)
    entities.append(Entity(at, at + len(local), local, "person", role="local council member"))
    said = text.find(" said ", at) + len(" said ")
    quotes.append(Quote(said, text.find(".", said), "indirect", local, True, at, at + len(local),
                        None, "say", None, day, "publication"))
    places = [Place(m.start(), m.end(), name, *PLACES[name])  # type: ignore[arg-type]
              for name in PLACES for m in re.finditer(re.escape(name), text)]
    times = []
    for m in re.finditer("|".join(WEEKDAYS), text):
        back = (published.weekday() - WEEKDAYS.index(m.group())) % 7 or 7
        times.append(TimeRef(m.start(), m.end(), "DATE",
                             (published - dt.timedelta(days=back)).isoformat(), "publication"))
    for m in re.finditer(r"\d+ months ago", text):
        times.append(TimeRef(m.start(), m.end(), "DATE",
                             f"{published.year - 1}-{published.month:02d}", "publication"))
    for group in (entities, places, times, quotes):
        group.sort(key=lambda s: (s.start, s.end))
    return {"entities": entities, "times": times, "places": places, "quotes": quotes}


def build_store(path: Path, n: int) -> float:
    """Write `n` synthetic articles into a new store at `path`; returns seconds taken."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    def docs() -> Iterator[Doc]:
        for i, article in enumerate(generate(n)):
            if i and i % 10_000 == 0:
                print(f"  {i} articles, {time.perf_counter() - t0:.0f} s", flush=True)
            yield make_doc(i, article)

    from tidings.settings import StoreSettings

    with Store(path, StoreSettings(batch_size=2000), migrations=all_migrations()) as store:
        result = store.upsert_docs(docs())
        store.execute("PRAGMA optimize")
    assert result.new == n, result
    return time.perf_counter() - t0


STORY_SIZES = (3, 40)
"""Smallest and largest synthetic story, in articles (sizes drawn uniformly between them)."""

EVENT_TYPES = ("CONSULT", "AGREE", "REJECT", "ACCUSE", "REQUEST", "THREATEN", "ASSAULT", "AID")
"""PLOVER types the synthetic events are drawn from."""

NEGOTIATION_EVERY = 30
"""One article in this many (in story order) carries a negotiation record."""


def ensure_stories_and_events(path: Path) -> float | None:
    """Give a bench store stories, events and negotiation records when it has no stories.

    Synthetic but shaped like the real thing, written with plain SQL in one transaction:
    articles are grouped by topic (the negotiating pair in the title) and publication date
    into ~5,000 stories of 3 to about 40 articles (`stories`, `story_articles`); every second
    article gets two events (~100,000 rows in `spans_events`, whose trigger fills
    `actor_events`) with actors and targets from the store's own actor names; one article in
    NEGOTIATION_EVERY gets a negotiation record in `spans` (its trigger fills `actor_stances`).
    The articles' doc_json is left as it was (no events), so story timelines stay empty: a story
    page still loads every member's Doc, which is the cost that grows with the story. Returns
    seconds taken, or None when the store already had stories.
    """
    import hashlib
    import random
    import sqlite3

    from tidings.records import Issue, Negotiation, Stance, to_dict

    with Store(path, migrations=all_migrations()):  # applies pending migrations (0009, 0010, ...)
        pass
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if conn.execute("SELECT 1 FROM stories LIMIT 1").fetchone() is not None:
            return None
        t0 = time.perf_counter()
        rng = random.Random(6)
        codes = {canonical: code for canonical, _, code in ACTORS.values()}
        topics: dict[str, list[tuple[str, str, str, int]]] = {}
        for article_id, title, published, outlet, first_stop in conn.execute(
                "SELECT id, title, published, outlet, instr(text, '. ') FROM articles"):
            m = re.match(r"(.+?)-(.+?) talks in (\w+)", title or "")
            key = f"{m.group(1)}|{m.group(2)}|{m.group(3)}" if m else (title or "")
            topics.setdefault(key, []).append((article_id, published or "", outlet or "",
                                               max(first_stop, 1)))
        stories, members, events, negotiations = [], [], [], []
        names = [c for c, _, _ in ACTORS.values()]
        n_article = 0
        for key, arts in sorted(topics.items()):
            arts.sort(key=lambda a: (a[1], a[0]))
            parts = key.split("|")
            pair = [ACTORS.get(p, (p,))[0] for p in parts[:2]] if len(parts) == 3 else names[:2]
            venue = parts[2] if len(parts) == 3 else None
            at = 0
            while at < len(arts):
                size = rng.randint(*STORY_SIZES)
                if len(arts) - at - size < STORY_SIZES[0]:  # no short tail: it joins this one
                    size = len(arts) - at
                chunk = arts[at:at + size]
                at += size
                founder = chunk[0][0]
                story_id = "s-" + hashlib.sha256(founder.encode()).hexdigest()[:12]
                stories.append((story_id, founder, f"{pair[0]}-{pair[1]} talks in {venue}",
                                json.dumps(pair), json.dumps(["talks", "ceasefire"]),
                                json.dumps([venue] if venue else []), chunk[0][1],
                                chunk[-1][1], len(chunk), len({a[2] for a in chunk}), 0))
                for article_id, published, _, stop in chunk:
                    members.append((article_id, story_id, round(rng.uniform(0.4, 1.0), 3)))
                    if n_article % 2 == 0:
                        for k in range(2):
                            actors = [pair[k]]
                            targets = [pair[1 - k]] if rng.random() < 0.8 else [rng.choice(names)]
                            day = (dt.date.fromisoformat(published)
                                   - dt.timedelta(days=rng.randint(0, 3))).isoformat() \
                                if published else None
                            events.append(dict(
                                article_id=article_id, idx=k, start=0, end=min(stop, 8),
                                sentence_start=0, sentence_end=stop + 1,
                                type=rng.choice(EVENT_TYPES), mode=None, cameo="04",
                                actors=json.dumps(actors),
                                actor_codes=json.dumps([codes.get(a) or "" for a in actors]),
                                targets=json.dumps(targets),
                                target_codes=json.dumps([codes.get(t) or "" for t in targets]),
                                mediators=json.dumps(["Egypt", "Qatar"]), negated=0,
                                modality="asserted", date=day, date_source="sentence",
                                place=venue, issue=None, confidence=0.8))
                    if n_article % NEGOTIATION_EVERY == 0:
                        stances = tuple(
                            Stance(0, stop + 1, party, "party", rng.choice(("demand", "reject",
                                   "propose", "accept")), 0, min(stop, 8), date=published or None,
                                   date_source="publication")
                            for party in pair)
                        issues = (Issue(0, stop + 1, "deal", "the deal", "deal", (), stances),
                                  Issue(0, stop + 1, "release:prisoners", "prisoner release",
                                        "release", (), stances[:1]))
                        record = Negotiation(0, stop + 1, tuple(pair),
                                             tuple(codes.get(p) or "" for p in pair),
                                             ("Egypt", "Qatar"), venue, issues=issues)
                        negotiations.append((article_id, "negotiation", 0, 0, stop + 1,
                                             json.dumps(to_dict(record))))
                    n_article += 1
        columns = [r[1] for r in conn.execute("PRAGMA table_info(spans_events)")]
        missing = set(columns) - set(events[0])
        assert not missing, f"spans_events columns not filled: {missing}"
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO stories (id, founder, label, actors, keywords, places, "
                         "first_date, last_date, articles, outlets, copies) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", stories)
        conn.executemany("INSERT INTO story_articles (article_id, story_id, score) "
                         "VALUES (?, ?, ?)", members)
        names_sql = ", ".join(f'"{c}"' for c in columns)
        conn.executemany(f"INSERT INTO spans_events ({names_sql}) VALUES "
                         f"({', '.join('?' for _ in columns)})",
                         [tuple(e[c] for c in columns) for e in events])
        conn.executemany('INSERT INTO spans (article_id, grp, idx, start, "end", data) '
                         "VALUES (?, ?, ?, ?, ?, ?)", negotiations)
        conn.execute("COMMIT")
        conn.execute("PRAGMA optimize")
        print(f"  {len(stories)} stories, {len(members)} members, {len(events)} events, "
              f"{len(negotiations)} negotiation records", flush=True)
        return time.perf_counter() - t0
    finally:
        conn.close()


def routes(store: Path) -> dict[str, str]:
    """Route name -> URL path, with real ids and names from the store."""
    import sqlite3
    from urllib.parse import quote

    with sqlite3.connect(store) as conn:
        n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        article = conn.execute("SELECT id FROM articles ORDER BY pk LIMIT 1 OFFSET ?",
                               (n // 2,)).fetchone()[0]
        local = conn.execute("SELECT canonical FROM actor_stats WHERE kind = 'person' "
                             "ORDER BY mentions LIMIT 1").fetchone()[0]
        deep = max(1, n // 50 - 1)
        small_story = conn.execute("SELECT id FROM stories WHERE articles = 4 ORDER BY id "
                                   "LIMIT 1").fetchone()[0]
        big_story = conn.execute("SELECT id FROM stories ORDER BY articles DESC, id "
                                 "LIMIT 1").fetchone()[0]
        busiest = conn.execute("SELECT canonical FROM actor_events GROUP BY canonical "
                               "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
        story_pages = conn.execute("SELECT count(*) FROM stories").fetchone()[0] // 50
    return {
        "home": "/",
        "articles": "/articles",
        "articles page deep": f"/articles?page={deep}",
        "articles search common": "/articles?q=talks",
        "articles search rare": "/articles?q=%22technical+teams%22+Vienna+monitoring",
        "articles search newest": "/articles?q=ceasefire&sort=newest",
        "articles filtered": "/articles?from=2024-06-01&to=2024-06-30",
        "article": f"/articles/{article}",
        "article json": f"/articles/{article}.json",
        "actors": "/actors",
        "actors search": "/actors?q=ka",
        "actor big": "/actors/Israel",
        "actor big deep page": "/actors/Israel?page=300",
        "actor small": f"/actors/{local.replace(' ', '%20')}",
        "quotes": "/quotes",
        "quotes json": "/quotes.json",
        "quotes by speaker part": "/quotes?speaker=Haddad",
        "quotes by affiliation": "/quotes?affiliation=Russia",
        "quotes words": "/quotes?q=conditions",
        "quotes date range": "/quotes?from=2024-03-01&to=2024-03-31",
        "places": "/places",
        "place big": "/places/geonames:360630",
        "world.svg": "/world.svg",
        "quotes.csv filtered": "/quotes.csv?speaker=Amal+Haddad",
        "stories": "/stories",
        "stories json": "/stories.json",
        "stories page 50": f"/stories?page={min(50, max(1, story_pages))}",
        "story 4 articles": f"/stories/{small_story}",
        "story largest": f"/stories/{big_story}",
        "story largest json": f"/stories/{big_story}.json",
        "actor busiest events": f"/actors/{quote(busiest)}",
        "actor busiest json": f"/actors/{quote(busiest)}.json",
    }


def measure(get, paths: dict[str, str], rounds: int) -> dict[str, dict[str, float]]:  # type: ignore[no-untyped-def]
    """p50/p95/max milliseconds per route; `get(path)` does one request and returns its status."""
    for path in paths.values():  # warm-up: caches, lazy imports, the world outline
        status = get(path)
        assert status == 200, (path, status)
    times: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(rounds):
        for name, path in paths.items():
            t0 = time.perf_counter()
            status = get(path)
            times[name].append((time.perf_counter() - t0) * 1000)
            assert status == 200, (path, status)
    return {name: {"p50": statistics.median(v), "p95": percentile(v, 95), "max": max(v)}
            for name, v in times.items()}


def percentile(values: list[float], pct: float) -> float:
    """The `pct` percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def measure_server(store: Path, paths: dict[str, str], rounds: int) -> dict[str, dict[str, float]]:
    """Latencies against `python -m tidings.web serve` on a free 127.0.0.1 port."""
    import httpx

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tidings.web", "serve", str(store), "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.get("/world.svg")
                    break
                except httpx.TransportError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("server did not start: "
                                           + (proc.stderr.read().decode() if proc.stderr else ""))
                    time.sleep(0.2)
            return measure(lambda p: client.get(p).status_code, paths, rounds)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    store = args.db or HERE / "out" / f"web-{args.articles}.db"
    build_s = None
    if args.rebuild or not store.exists():
        print(f"building {store} with {args.articles} articles ...", flush=True)
        build_s = build_store(store, args.articles)
        print(f"built in {build_s:.0f} s ({store.stat().st_size / 2**20:.0f} MB)")
    stories_s = ensure_stories_and_events(store)
    if stories_s is not None:
        print(f"stories, events and stances added in {stories_s:.0f} s", flush=True)

    from starlette.testclient import TestClient

    from tidings.web.app import make_app

    paths = routes(store)
    with TestClient(make_app(store)) as client:
        in_process = measure(lambda p: client.get(p).status_code, paths, args.rounds)
    over_http = measure_server(store, paths, args.rounds)

    print(f"\n{args.articles} articles, {args.rounds} rounds; milliseconds")
    print(f"{'route':28} {'in-proc p50':>11} {'p95':>7} {'http p50':>9} {'p95':>7}")
    for name in paths:
        a, b = in_process[name], over_http[name]
        print(f"{name:28} {a['p50']:11.1f} {a['p95']:7.1f} {b['p50']:9.1f} {b['p95']:7.1f}")
    out = HERE / "out" / f"web-{args.articles}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"articles": args.articles, "rounds": args.rounds,
                               "build_s": build_s, "stories_s": stories_s, "paths": paths,
                               "in_process": in_process,
                               "http": over_http}, indent=2))
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
