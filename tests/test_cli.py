"""End-to-end tests through the installed `tidings` command, as a user runs it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TIDINGS = [sys.executable, "-m", "tidings.cli"]
ENV = {**os.environ, "COLUMNS": "200"}


def run(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TIDINGS, *args], capture_output=True, text=True, input=stdin, env=ENV, cwd=cwd, timeout=600)


def table_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("select name from sqlite_master where type='table' and name not like 'sqlite_%'")]
        return {n: conn.execute(f'select count(*) from "{n}"').fetchone()[0] for n in names}


def test_version_and_help() -> None:
    assert run("--version").stdout.strip().startswith("tidings ")
    for command in ("ingest", "extract", "search", "show", "export"):
        result = run(command, "--help")
        assert result.returncode == 0 and "Usage" in result.stdout, command


def test_ingest_examples_twice_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    first = run("ingest", str(EXAMPLES), "--db", str(db), "--workers", "2")
    assert first.returncode == 0, first.stderr
    counts = table_counts(db)
    assert counts["articles"] >= 12
    assert "failed 0" in first.stdout
    second = run("ingest", str(EXAMPLES), "--db", str(db), "--workers", "1")
    assert second.returncode == 0, second.stderr
    assert "new 0" in second.stdout
    assert table_counts(db) == counts
    hits = run("search", "ceasefire", "--db", str(db), "--json")
    assert hits.returncode == 0 and hits.stdout.strip(), hits.stderr
    first_id = json.loads(hits.stdout.splitlines()[0])["id"]
    # the table keeps the matched word in its snippet (it is highlighted, not read as markup)
    assert "Ituri ceasefire break up" in run("search", "ceasefire", "--db", str(db)).stdout
    shown = json.loads(run("show", first_id, "--db", str(db)).stdout)
    assert shown["id"] == first_id and "ceasefire" in shown["text"].lower()
    out = tmp_path / "articles.parquet"
    exported = run("export", str(out), "--format", "parquet", "--db", str(db))
    assert exported.returncode == 0, exported.stderr
    import pyarrow.parquet as pq

    assert pq.read_table(out).num_rows == counts["articles"]


def test_bad_inputs_are_named_and_the_rest_goes_on(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("date 2024-03-05 The port strike entered its third day on Monday.\n")
    (tmp_path / "bad-date.txt").write_text("date 2024-13-45 Nothing here can be dated.\n")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 50)
    (tmp_path / "latin1.txt").write_bytes("date 2024-03-05 Caf\xe9 owners protested.".encode("latin-1"))
    (tmp_path / "lines.jsonl").write_text('{"text": "Talks resumed in Doha on Tuesday.", "date": "2024-05-07"}\n{not json\n')
    db = tmp_path / "t.db"
    result = run("ingest", str(tmp_path), "--db", str(db), "--workers", "1")
    assert result.returncode == 1
    assert "new 2" in result.stdout
    for name in ("bad-date.txt", "empty.txt", "binary.txt", "latin1.txt", "lines.jsonl:2"):
        assert name in result.stderr, (name, result.stderr)
    assert "5 input(s) failed" in result.stderr
    assert table_counts(db)["articles"] == 2


def test_extract_reads_stdin() -> None:
    result = run("extract", "-", stdin="date 2024-05-07 Talks resumed in Doha on Tuesday.\n\nAlso Read: Other news\n")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["published"] == "2024-05-07"
    assert "Also Read" not in data["text"]
    assert {r["reason"] for r in data["removed"]} >= {"date-header", "link-line"}


def test_extract_sample(sample_path: Path) -> None:
    result = run("extract", str(sample_path), "--raw")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    raw = sample_path.read_text(encoding="utf-8")
    assert data["published"] == "2024-08-26"
    assert data["raw"] == raw
    removed = [r["text"] for r in data["removed"]]
    assert sum(r.startswith("Also Read:") for r in removed) == 3
    assert "date 2024-08-26" in removed
    assert "Also Read" not in data["text"]
    lede = "Israeli and Hamas delegations failed to reach an agreement in the Gaza ceasefire talks in Cairo on Sunday"
    assert data["text"].count(lede) == 1
    for r in data["removed"]:
        assert raw[r["start"]:r["end"]] == r["text"]


def test_ingest_groups_examples_into_their_stories(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    assert run("ingest", str(EXAMPLES), "--db", str(db), "--workers", "1").returncode == 0
    stories = [json.loads(line) for line in run("stories", "--db", str(db), "--json").stdout.splitlines()]
    by_size = sorted((s["articles"] for s in stories), reverse=True)
    # examples/README.md: stories A, B and C have four or more reports each (C2 is undated).
    assert by_size[:3] == [4, 4, 4], stories
    with sqlite3.connect(db) as conn:
        placed = conn.execute("select count(*) from story_articles").fetchone()[0]
        assert placed == table_counts(db)["articles"]


def test_a_verbatim_copy_reuses_the_extraction_of_its_original(tmp_path: Path) -> None:
    text = ("Delegations from Armenia and Azerbaijan ended two days of talks in Vienna on Tuesday without "
            "agreeing on the border commission's mandate, officials said. \"We narrowed the gaps but did not "
            "close them,\" said Lena Aroyan, a senior Armenian negotiator, after the session.")
    first = tmp_path / "a.jsonl"
    first.write_text(json.dumps({"text": text, "date": "2024-10-02", "url": "https://wire.example/1"}) + "\n")
    second = tmp_path / "b.jsonl"
    second.write_text(json.dumps({"text": text, "date": "2024-10-02", "url": "https://daily.example/9"}) + "\n")
    db = tmp_path / "t.db"
    assert run("ingest", str(first), "--db", str(db), "--workers", "1").returncode == 0
    again = run("ingest", str(second), "--db", str(db), "--workers", "1")
    assert "copies 1 (1 reused)" in again.stdout, again.stdout
    with sqlite3.connect(db) as conn:
        docs = {row[0]: json.loads(row[1]) for row in conn.execute("select url, doc_json from articles")}
        kind, reused = conn.execute("select kind, reused from copies").fetchone()
    assert reused == 1 and kind == "exact"
    original, copy = docs["https://wire.example/1"], docs["https://daily.example/9"]
    assert copy["entities"] == original["entities"] and copy["quotes"] == original["quotes"]
    assert any(e["canonical"] == "Azerbaijan" for e in copy["entities"])


TALKS = """date 2025-03-04
Talks in Doha stall as Hamas weighs truce offer

DOHA - Hamas has decided to send a delegation back to Doha, a senior official said on Monday, while Israel wants guarantees that any truce will hold.
Israeli Prime Minister Benjamin Netanyahu did not comment on the proposal.
"""


def test_attitudes_and_refusals_through_the_cli(tmp_path: Path) -> None:
    article = tmp_path / "talks.txt"
    article.write_text(TALKS, encoding="utf-8")
    db = tmp_path / "t.db"
    assert run("ingest", str(article), "--db", str(db)).returncode == 0
    rows = [json.loads(line) for line in run("attitudes", "--db", str(db), "--json").stdout.splitlines()]
    found = {(r["holder"], r["type"], r["cue"], r["content"]) for r in rows}
    assert ("Hamas", "intention", "decided", "send a delegation back to Doha") in found
    assert ("Israel", "desire", "wants", "guarantees that any truce will hold") in found
    desires = run("attitudes", "--type", "desire", "--db", str(db), "--json").stdout.splitlines()
    assert [json.loads(line)["holder"] for line in desires] == ["Israel"]
    refusals = [json.loads(line) for line in run("quotes", "--kind", "refusal", "--db", str(db), "--json").stdout.splitlines()]
    assert [(r["speaker"], r["content"], r["date"]) for r in refusals] == [("Benjamin Netanyahu", "the proposal", "2025-03-04")]
    assert run("quotes", "--kind", "bogus", "--db", str(db)).returncode == 2


def test_forced_reingest_keeps_copies_and_incidents(tmp_path: Path) -> None:
    # A forced re-process must not find each article a copy of itself (it is in the copy index).
    db = tmp_path / "t.db"
    assert run("ingest", str(EXAMPLES), "--db", str(db)).returncode == 0
    counts = table_counts(db)
    forced = run("ingest", str(EXAMPLES), "--db", str(db), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "copies 0" in forced.stdout
    after = table_counts(db)
    assert {t: after[t] for t in ("copies", "incidents", "incident_reports", "spans_events", "stories")} == \
        {t: counts[t] for t in ("copies", "incidents", "incident_reports", "spans_events", "stories")}


def test_timeline_shows_the_negotiation_and_incidents_open_by_id(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    assert run("ingest", str(EXAMPLES), "--db", str(db)).returncode == 0
    stories = [json.loads(line) for line in run("stories", "--db", str(db), "--json").stdout.splitlines()]
    nairobi = next(s for s in stories if "Ituri Patriotic Alliance" in s["label"])
    shown = run("timeline", nairobi["id"], "--db", str(db), "--json")
    assert shown.returncode == 0 and "not registered" not in shown.stderr, shown.stderr
    payload = json.loads(shown.stdout)
    talks = payload["negotiation"]
    assert talks is not None and talks["articles"] >= 2
    assert {"Kenya", "African Union"} <= {m["name"] for m in talks["mediators"]}
    assert any(o["status"] == "no agreement" or "no agreement" in json.dumps(o) for o in talks["outcomes"])
    text = run("timeline", nairobi["id"], "--db", str(db))
    assert "Negotiation" in text.stdout and "Mediators:" in text.stdout
    # the biggest incident opens by id, lists every outlet's report, and its copies as copies
    biggest = max(payload["incidents"], key=lambda inc: len(inc["reports"]))
    one = run("incident", biggest["id"], "--db", str(db), "--json")
    assert one.returncode == 0, one.stderr
    assert {r["article_id"] for r in json.loads(one.stdout)["reports"]} == {r["article_id"] for r in biggest["reports"]}
    rendered = run("incident", biggest["id"], "--db", str(db)).stdout
    assert biggest["id"] in rendered and "syndicated copy" in rendered
    assert run("incident", "i-0000000000000000", "--db", str(db)).returncode == 1
