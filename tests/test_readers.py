"""Readers: every format from the examples and small fixtures, bad input, streaming, walking."""

from __future__ import annotations

import datetime as dt
import gzip
import importlib.util
import io
import json
import os
import tracemalloc
from itertools import islice
from pathlib import Path
from typing import Any

import pytest

from tidings.doc import Doc
from tidings.errors import ConfigError, InputError, ReadFailure
from tidings.readers import ReadStats, parse_published, read_paths, sniff_kind
from tidings.readers.feeds import html_to_text
from tidings.readers.text import doc_from_text, find_date_header
from tidings.records import SourceRef
from tidings.settings import ReadSettings

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
BAD = ROOT / "tests" / "fixtures" / "bad"
SETTINGS = ReadSettings()


# Items are typed Any: tests reach into `doc.source.line` without narrowing Optional each time.
def read_all(*paths: str | Path, settings: ReadSettings = SETTINGS, **kwargs: Any) -> list[Any]:
    return list(read_paths([str(p) for p in paths], settings, **kwargs))


def docs_of(items: list[Any]) -> list[Any]:
    return [item for item in items if isinstance(item, Doc)]


def failures_of(items: list[Any]) -> list[Any]:
    return [item for item in items if isinstance(item, ReadFailure)]


def only_doc(*paths: str | Path, **kwargs: Any) -> Any:
    items = read_all(*paths, **kwargs)
    assert len(items) == 1 and isinstance(items[0], Doc), items
    return items[0]


# --- the shared sample: the `date YYYY-MM-DD` text format --------------------------------------


@pytest.mark.shared
def test_sample_header_is_a_removal_and_raw_is_verbatim(sample_path: Path) -> None:
    doc = only_doc(sample_path)
    assert doc.raw == sample_path.read_bytes().decode("utf-8")
    assert doc.published == dt.date(2024, 8, 26)
    assert doc.published_precision == "day"
    assert doc.removed[0].reason == "date-header"
    assert doc.raw_text(doc.removed[0]) == "date 2024-08-26"
    assert doc.raw[doc.removed[0].end :].startswith(" Israeli")
    assert doc.source.path == str(sample_path)


def test_find_date_header_forms() -> None:
    header = find_date_header("   date 2024-09-13 Talks ended.")
    assert header is not None and (header.start, header.end) == (3, 18)
    assert header.published == (dt.date(2024, 9, 13), "day")
    month = find_date_header("date 2024-09 Every monsoon")
    assert month is not None and month.published == (dt.date(2024, 9, 1), "month")
    assert find_date_header("Dated documents were found on Monday.") is None
    assert find_date_header("date 2024-08-26Israeli") is None  # no space: not a header
    with pytest.raises(ValueError, match="month 13"):
        find_date_header("date 2024-13-45 Fishermen")
    with pytest.raises(ValueError, match="day 30"):
        find_date_header("date 2024-02-30 Fishermen")
    with pytest.raises(ValueError, match="malformed date header"):
        find_date_header("date 24-08-26 Fishermen")


def test_text_examples_dates_and_header_removal() -> None:
    talks = only_doc(EXAMPLES / "nairobi-talks-2024-09-13.txt")
    assert talks.raw == (EXAMPLES / "nairobi-talks-2024-09-13.txt").read_text(encoding="utf-8")
    assert (talks.published, talks.published_precision) == (dt.date(2024, 9, 13), "day")
    assert [talks.raw_text(r) for r in talks.removed] == ["date 2024-09-13"]

    explainer = only_doc(EXAMPLES / "nepal-floods-explainer-2024-09.txt")
    assert (explainer.published, explainer.published_precision) == (dt.date(2024, 9, 1), "month")
    assert [explainer.raw_text(r) for r in explainer.removed] == ["date 2024-09"]

    convoy = only_doc(EXAMPLES / "birgunj-aid-convoy.txt")
    assert (convoy.published, convoy.published_precision, convoy.removed) == (None, "unknown", [])


def test_date_option_fills_only_inputs_without_a_date() -> None:
    convoy, talks = EXAMPLES / "birgunj-aid-convoy.txt", EXAMPLES / "nairobi-talks-2024-09-13.txt"
    by_arg = read_all(convoy, talks, date="2024-09-11")
    assert [d.published for d in by_arg] == [dt.date(2024, 9, 11), dt.date(2024, 9, 13)]
    by_setting = only_doc(convoy, settings=ReadSettings(default_date="2024-09"))
    assert (by_setting.published, by_setting.published_precision) == (dt.date(2024, 9, 1), "month")
    both = only_doc(convoy, settings=ReadSettings(default_date="2024-09"), date="2024-09-11")
    assert (both.published, both.published_precision) == (dt.date(2024, 9, 11), "day")


def test_bad_date_option_raises_before_reading() -> None:
    with pytest.raises(ConfigError, match="--date"):
        read_paths(["does-not-matter"], SETTINGS, date="11/09/2024")
    with pytest.raises(ConfigError, match="read.default_date"):
        read_paths([], ReadSettings(default_date="2024-13"))


def test_doc_from_text_for_the_library_api() -> None:
    doc = doc_from_text(" date 2024-09-10 Dock workers marched.", url="https://www.coast.example/a")
    assert (doc.published, doc.outlet, doc.raw_text(doc.removed[0])) == (
        dt.date(2024, 9, 10), "coast.example", "date 2024-09-10")
    assert doc.id != doc_from_text(" date 2024-09-10 Dock workers marched.").id  # url is in the id
    overridden = doc_from_text("date 2024-09-10 Dock workers marched.", date="2024-09-11")
    assert overridden.published == dt.date(2024, 9, 11) and len(overridden.removed) == 1
    assert doc_from_text("No header here.").published_precision == "unknown"
    bad_cases: list[tuple[str, dict[str, Any]]] = [
        ("date 2024-13-45 Text", {}), ("  ", {}), ("Text", {"date": "soon"})]
    for bad, kwargs in bad_cases:
        with pytest.raises(InputError):
            doc_from_text(bad, **kwargs)


def test_text_raw_keeps_crlf_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes("\ufeff  date 2024-09-10 Dock workers marched.\r\nPolice said.\r\n".encode())
    doc = only_doc(path)
    assert doc.raw == "\ufeff  date 2024-09-10 Dock workers marched.\r\nPolice said.\r\n"
    assert doc.raw_text(doc.removed[0]) == "date 2024-09-10"


# --- JSON Lines and JSON -----------------------------------------------------------------------


def test_parse_published_formats() -> None:
    day = (dt.date(2024, 8, 26), "day")
    assert parse_published("2024-08-26") == day
    assert parse_published("2024-08-26 10:00:00") == day
    assert parse_published("2024-08-26T10:00:00Z") == day
    assert parse_published("2024-08-26T23:30:00-05:00") == day  # the outlet's own calendar date
    assert parse_published("Mon, 26 Aug 2024 10:00:00 GMT") == day
    assert parse_published("August 26, 2024") == day
    assert parse_published("2024-08") == (dt.date(2024, 8, 1), "month")
    assert parse_published("2024") == (dt.date(2024, 1, 1), "year")
    for bad, reason in [("2024-13-45", "month 13"), ("2024-02-30T10:00", "day 30"),
                        ("last Tuesday", "not a date")]:
        with pytest.raises(ValueError, match=reason):
            parse_published(bad)


def test_jsonl_example_maps_each_field_name_family() -> None:
    path = EXAMPLES / "newsdesk-2024-09.jsonl"
    docs = read_all(path)
    assert all(isinstance(d, Doc) for d in docs) and len(docs) == 4
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    floods, strike, brt, talks = docs
    assert [d.source.line for d in docs] == [1, 2, 3, 4]
    assert floods.raw == records[0]["body"]
    assert floods.outlet == "kathmandumorningpost.example"  # no outlet field: from the url
    assert floods.published == dt.date(2024, 9, 10)
    assert strike.raw == records[1]["maintext"]
    assert strike.author == "Nomvula Zungu, Kevin Pillay"
    assert strike.outlet == "salabourreport.example"
    assert strike.published == dt.date(2024, 9, 12)
    assert brt.outlet == "Nairobi City Pulse" and brt.raw == records[2]["content"]
    assert talks.title == "Congo and Ituri rebels fail to reach deal as Nairobi talks stall"
    assert talks.url is not None and talks.url.startswith("https://www.lakesidetribune.example/")
    assert len({d.id for d in docs}) == 4


def test_json_example_object_with_publisher() -> None:
    doc = only_doc(EXAMPLES / "durban-strike-highveld.json")
    assert doc.outlet == "Highveld Daily"
    assert doc.title == "Durban dock workers march as port strike enters second day"
    assert doc.url == "https://highvelddaily.example/business/durban-dock-workers-march-port-strike-second-day"
    assert (doc.published, doc.published_precision) == (dt.date(2024, 9, 10), "day")
    assert doc.raw.startswith("Hundreds of striking dock workers marched through central Durban")


def test_json_array_and_wrapper(tmp_path: Path) -> None:
    array = tmp_path / "array.json"
    array.write_text(json.dumps([
        {"title": "One", "text": "Ferry services resumed.", "url": "https://www.coast.example/1"},
        {"title": "Two", "body": ["First paragraph.", "Second paragraph."], "date": 1726135200},
    ], indent=2), encoding="utf-8")
    one, two = read_all(array)
    assert (one.source.record, two.source.record) == (0, 1)
    assert one.source.line == 2 and two.source.line > one.source.line
    assert one.outlet == "coast.example"
    assert two.raw == "First paragraph.\n\nSecond paragraph."
    assert two.published == dt.date(2024, 9, 12)  # a Unix timestamp

    wrapped = tmp_path / "newsapi.json"
    wrapped.write_text(json.dumps({"status": "ok", "articles": [
        {"source": {"id": None, "name": "Coast News"}, "content": "Tour operators said bookings rose.",
         "publishedAt": "x", "published_at": "2024-09-11T08:00:00Z"}]}), encoding="utf-8")
    doc = only_doc(wrapped)
    assert (doc.outlet, doc.published, str(doc.source)) == (
        "Coast News", dt.date(2024, 9, 11), f"{wrapped}#0")


# --- HTML, WARC, feeds --------------------------------------------------------------------------


def test_html_example_main_text_and_metadata() -> None:
    doc = only_doc(EXAMPLES / "nairobi-talks-eastafricanledger.html")
    assert doc.title == "Nairobi talks on Ituri ceasefire break up without deal"
    assert doc.author == "Otieno Wekesa"
    assert doc.outlet == "The East African Ledger"
    assert doc.url == "https://www.eastafricanledger.example/news/2024/09/12/nairobi-talks-ituri-ceasefire-break-up"
    assert (doc.published, doc.published_precision) == (dt.date(2024, 9, 12), "day")
    assert "broke up in Nairobi on Thursday without a ceasefire" in doc.raw
    assert "Peace and Security Council" in doc.raw
    for boilerplate in ("We use cookies", "Share on X", "All rights reserved", "More from Africa"):
        assert boilerplate not in doc.raw
    assert "\n\n" in doc.raw and "\n\n\n" not in doc.raw  # paragraphs separated by blank lines


def test_html_without_markup_date_uses_fallback(tmp_path: Path) -> None:
    page = tmp_path / "page.htm"
    body = " ".join(["Fishermen in Kilifi protested on Monday against new licence fees."] * 4)
    page.write_text(f"<html><head><title>Kilifi protest</title></head><body><article><h1>Kilifi"
                    f"</h1><p>{body}</p><p>{body}</p></article></body></html>", encoding="utf-8")
    assert only_doc(page).published is None
    doc = only_doc(page, date="2024-09-09")
    assert doc.published == dt.date(2024, 9, 9) and "licence fees" in doc.raw


def test_warc_example_reads_html_responses_only() -> None:
    path = EXAMPLES / "crawl-2024-09-11.warc.gz"
    items = read_all(path)
    assert all(isinstance(d, Doc) for d in items)
    strike, floods = items
    assert (strike.source.record, floods.source.record) == (2, 5)
    assert str(strike.source) == f"{path}#2"
    assert strike.url == "https://www.maritimebusinessreview.example/ports/2024/09/11/citrus-exporters-durban-strike"
    assert strike.outlet == "Maritime Business Review"
    assert strike.published == dt.date(2024, 9, 11)
    assert "Citrus and sugar exporters warned on Wednesday" in strike.raw
    assert "free articles left" not in strike.raw
    assert floods.outlet == "Himalayan Observer" and "Birgunj dry port" in floods.raw


def test_make_warc_rebuilds_the_committed_archive(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_warc", EXAMPLES / "make_warc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rebuilt = module.build(tmp_path / "crawl.warc.gz")
    assert rebuilt.read_bytes() == (EXAMPLES / "crawl-2024-09-11.warc.gz").read_bytes()


def _write_warc(path: Path, html: bytes, date: str = "2024-09-11T18:00:00Z") -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=path.suffix == ".gz")
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://www.coast.example/kilifi", "response", payload=io.BytesIO(html),
            http_headers=http, warc_headers_dict={"WARC-Date": date}))


def test_warc_date_is_the_fallback_date(tmp_path: Path) -> None:
    body = " ".join(["Fishermen in Kilifi protested on Monday against new licence fees."] * 4)
    path = tmp_path / "one.warc"
    _write_warc(path, f"<html><body><article><p>{body}</p><p>{body}</p></article></body></html>".encode())
    doc = only_doc(path, date="2024-01-01")
    assert doc.url == "https://www.coast.example/kilifi" and doc.outlet == "coast.example"
    assert doc.published == dt.date(2024, 9, 11)


def test_truncated_warc_keeps_earlier_records_and_names_where_it_stopped(tmp_path: Path) -> None:
    data = (EXAMPLES / "crawl-2024-09-11.warc.gz").read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: int(len(data) * 0.8)])
    items = read_all(cut)
    assert isinstance(items[0], Doc) and docs_of(items)[0].source.record == 2
    assert isinstance(items[-1], ReadFailure)
    assert str(cut) in str(items[-1]) and "#" in str(items[-1])


def test_not_a_warc_and_empty_warc(tmp_path: Path) -> None:
    fake, empty = tmp_path / "fake.warc", tmp_path / "empty.warc.gz"
    fake.write_text("GET / HTTP/1.1\r\nHost: www.coast.example\r\n", encoding="utf-8")
    empty.write_bytes(b"")
    (not_warc,) = read_all(fake)
    assert str(not_warc).startswith(f"{fake}: not a WARC file")
    (nothing,) = read_all(empty)
    assert str(nothing).startswith(f"{empty}: empty file")


def test_rss_example_entries() -> None:
    talks, floods = read_all(EXAMPLES / "world-desk-wire.rss")
    assert talks.outlet == floods.outlet == "World Desk Wire"
    assert talks.title == "DR Congo ceasefire talks in Nairobi end without agreement"
    assert talks.url == "https://worlddeskwire.example/africa/dr-congo-ceasefire-talks-nairobi-end-without-agreement"
    assert (talks.published, floods.published) == (dt.date(2024, 9, 13), dt.date(2024, 9, 12))
    assert "<p>" not in talks.raw and talks.raw.count("\n\n") == 3
    # the labelled trimmed copy: the feed entry is the syndicated copy's first four paragraphs
    syndicated = read_all(EXAMPLES / "newsdesk-2024-09.jsonl")[3]
    assert syndicated.raw.split("\n\n")[:4] == talks.raw.split("\n\n")


def test_truncated_feed_reports_where_the_xml_breaks(tmp_path: Path) -> None:
    data = (EXAMPLES / "world-desk-wire.rss").read_bytes()
    cut = tmp_path / "cut.rss"
    cut.write_bytes(data[: data.index(b"<item>", data.index(b"</item>"))])
    doc, failure = read_all(cut)
    assert isinstance(doc, Doc) and doc.title == "DR Congo ceasefire talks in Nairobi end without agreement"
    assert isinstance(failure, ReadFailure) and "malformed feed XML" in failure.reason
    assert failure.source.line is not None and failure.source.line > 10


def test_atom_feed_and_html_to_text(tmp_path: Path) -> None:
    feed = tmp_path / "coast.atom"
    feed.write_text("""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Coast News</title>
<link href="https://www.coast.example/"/><id>urn:coast</id><updated>2024-09-11T08:00:00Z</updated>
<entry><title>Ferry back</title><link href="https://www.coast.example/ferry"/><id>urn:1</id>
<updated>2024-09-11T08:00:00+03:00</updated><author><name>Amina Said</name></author>
<content type="html">&lt;p&gt;Ferry services resumed on Tuesday.&lt;/p&gt;&lt;p&gt;Repairs took two days.&lt;/p&gt;</content>
</entry><entry><title>Empty</title><id>urn:2</id><updated>2024-09-11T09:00:00Z</updated></entry></feed>""",
                    encoding="utf-8")
    doc, failure = read_all(feed)
    assert doc.raw == "Ferry services resumed on Tuesday.\n\nRepairs took two days."
    assert (doc.author, doc.outlet, doc.published) == ("Amina Said", "Coast News", dt.date(2024, 9, 11))
    assert isinstance(failure, ReadFailure) and str(failure).startswith(f"{feed}#1")
    assert html_to_text("<div>One<br>two<script>x()</script></div><ul><li>three</li></ul>") == \
        "One\ntwo\n\nthree"


# --- bad input ----------------------------------------------------------------------------------

BAD_CASES = [
    ("binary.txt", 3, "binary file"),
    ("empty.txt", None, "empty file"),
    ("whitespace.txt", None, "only whitespace"),
    ("latin1.txt", 2, "not UTF-8 (byte 0xE9 at offset 78); convert it with iconv"),
    ("impossible-date.txt", 1, "impossible date"),
    ("no-article.html", None, "no article text found"),
    ("not-a-feed.xml", None, "not an RSS or Atom feed"),
]


@pytest.mark.parametrize(("name", "line", "reason"), BAD_CASES)
def test_bad_file_is_one_failure_naming_file_and_line(name: str, line: int | None, reason: str) -> None:
    items = read_all(BAD / name)
    assert len(items) == 1 and isinstance(items[0], ReadFailure), items
    message = str(items[0])
    where = f"{BAD / name}:{line}:" if line else f"{BAD / name}:"
    assert message.startswith(where), message
    assert reason in message


def test_malformed_jsonl_keeps_the_good_lines() -> None:
    path = BAD / "malformed.jsonl"
    items = read_all(path)
    assert [d.source.line for d in docs_of(items)] == [1, 3, 6]
    failed = {f.source.line: f.reason for f in failures_of(items)}
    assert set(failed) == {2, 4, 5}
    assert "malformed JSON" in failed[2] and "no article text" in failed[4]
    assert "the day after tomorrow" in failed[5]
    assert str(failures_of(items)[0]).startswith(f"{path}:2: ")


def test_bad_json_array_reports_elements_by_line() -> None:
    items = read_all(BAD / "bad-array.json")
    assert [type(i).__name__ for i in items] == ["Doc", "ReadFailure", "ReadFailure", "ReadFailure"]
    assert "found a number" in items[1].reason and "day 30" in items[2].reason
    assert items[3].source.line == 7 and "reading stops here" in items[3].reason


def test_the_run_goes_on_after_failures(tmp_path: Path) -> None:
    stats = ReadStats()
    items = read_all(BAD, tmp_path / "missing.txt", EXAMPLES / "birgunj-aid-convoy.txt", stats=stats)
    assert isinstance(items[-1], Doc) and items[-1].raw.startswith("A convoy of 40 trucks")
    missing = [f for f in failures_of(items) if "missing.txt" in f.source.path]
    assert len(missing) == 1 and "does not exist" in missing[0].reason
    assert stats.docs == len(docs_of(items)) == 5  # 3 jsonl lines, 1 array element, the convoy
    assert stats.failures == len(failures_of(items))


def test_file_over_max_file_mb_is_a_failure(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"date 2024-09-10 " + b"word " * 300_000)  # 1.5 MB
    (failure,) = read_all(big, settings=ReadSettings(max_file_mb=1))
    assert isinstance(failure, ReadFailure) and "read.max_file_mb = 1" in failure.reason
    assert isinstance(only_doc(big, settings=ReadSettings(max_file_mb=2)), Doc)


def test_jsonl_line_over_the_limit_is_skipped_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    huge = json.dumps({"text": "x " * 700_000})
    path.write_text(huge + "\n" + json.dumps({"text": "Short report."}) + "\n", encoding="utf-8")
    failure, doc = read_all(path, settings=ReadSettings(max_file_mb=1))
    assert isinstance(failure, ReadFailure) and str(failure).startswith(f"{path}:1: line is longer")
    assert isinstance(doc, Doc) and doc.source == SourceRef(str(path), line=2)
    assert doc.raw == "Short report."


# --- standard input, sniffing, walking, streaming -----------------------------------------------


def test_sniff_kind() -> None:
    assert sniff_kind(b'{"text": "a"}\n{"text": "b"}\n') == "jsonl"
    assert sniff_kind(b'{\n  "text": "a"\n}\n') == "json"
    assert sniff_kind(b'\xef\xbb\xbf[{"text": "a"}]') == "json"
    assert sniff_kind(b"<!DOCTYPE html><html>") == "html"
    assert sniff_kind(b'<?xml version="1.0"?>\n<rss version="2.0">') == "feed"
    assert sniff_kind(b"WARC/1.1\r\nWARC-Type: warcinfo") == "warc"
    assert sniff_kind(gzip.compress(b"WARC/1.0\r\n")) == "warc"
    assert sniff_kind(gzip.compress(b"hello")) == "gzip"
    assert sniff_kind(b" date 2024-08-26 Talks") == "text"


@pytest.mark.parametrize("example", [
    "nairobi-talks-2024-09-13.txt", "newsdesk-2024-09.jsonl", "durban-strike-highveld.json",
    "nairobi-talks-eastafricanledger.html", "crawl-2024-09-11.warc.gz", "world-desk-wire.rss",
])
def test_stdin_reads_every_format_like_the_file(example: str) -> None:
    path = EXAMPLES / example
    from_file = docs_of(read_all(path))
    from_stdin = docs_of(read_all("-", stdin=io.BytesIO(path.read_bytes())))
    assert [d.raw for d in from_stdin] == [d.raw for d in from_file]
    assert [d.published for d in from_stdin] == [d.published for d in from_file]
    assert all(d.source.path == "-" for d in from_stdin)


def test_explicit_file_with_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    dump = tmp_path / "export.dat"
    dump.write_text(json.dumps({"text": "Ferry services resumed.", "date": "2024-09-10"}) + "\n",
                    encoding="utf-8")
    doc = only_doc(dump)
    assert doc.published == dt.date(2024, 9, 10) and doc.source.line == 1
    note = tmp_path / "article"
    note.write_text("date 2024-09 Rivers rose.", encoding="utf-8")
    assert only_doc(note).published_precision == "month"


def test_directory_walk_is_sorted_recursive_and_skips_what_it_cannot_read(tmp_path: Path) -> None:
    names = ["b/z.txt", "a.txt", "b/a/deep.txt", "c.txt", ".hidden.txt", ".git/x.txt", "notes.md"]
    for name in reversed(names):  # created out of order
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Article {name} reports that the rivers rose.", encoding="utf-8")
    stats = ReadStats()
    first = read_all(tmp_path, stats=stats)
    expected = ["a.txt", "b/a/deep.txt", "b/z.txt", "c.txt"]
    assert [os.path.relpath(d.source.path, tmp_path) for d in first] == expected
    assert [d.id for d in read_all(tmp_path)] == [d.id for d in first]
    assert stats.skipped == [str(tmp_path / "notes.md")] and stats.files == 4


def test_examples_directory_reads_cleanly() -> None:
    stats = ReadStats()
    items = read_all(EXAMPLES, stats=stats)
    assert failures_of(items) == []
    assert len(items) == 14 and len({d.id for d in items}) == 14
    assert sorted(os.path.basename(p) for p in stats.skipped) == ["README.md", "make_warc.py"]


class CountingStream(io.RawIOBase):
    """A readable stream over `data` that counts the bytes handed out."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        n = self._data.readinto(buffer)
        self.consumed += n
        return n


def _jsonl_lines(count: int) -> bytes:
    text = "Dock workers marched through central Durban on Tuesday. " * 16
    return b"".join(
        json.dumps({"url": f"https://www.coast.example/{i}", "date": "2024-09-10",
                    "text": f"{i} {text}"}).encode() + b"\n" for i in range(count)
    )


def test_reading_is_lazy() -> None:
    data = _jsonl_lines(20_000)
    stream = CountingStream(data)
    items = read_paths(["-"], SETTINGS, stdin=stream)  # type: ignore[arg-type]
    assert stream.consumed == 0  # nothing is read before it is asked for
    first = list(islice(items, 5))
    assert [str(d.source) for d in first] == ["-:1", "-:2", "-:3", "-:4", "-:5"]
    assert stream.consumed < len(data) / 50


def test_a_large_jsonl_file_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    path.write_bytes(_jsonl_lines(20_000))  # about 19 MB of articles
    tracemalloc.start()
    try:
        count = sum(1 for item in read_paths([str(path)], SETTINGS) if isinstance(item, Doc))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB: Docs are being held"
