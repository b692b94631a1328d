"""Cleaning: boilerplate and repeat removal, markup, whitespace, and provenance back to raw."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import get_args

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tidings.clean import clean, clean_text, load_patterns, make_clean_stage, split_sentences
from tidings.clean.patterns import CLEANING_REASONS, PATTERN_REASONS, load_abbreviations
from tidings.doc import Doc, OffsetMap
from tidings.errors import ConfigError
from tidings.pipeline import check_stages
from tidings.records import Removal, RemovalReason
from tidings.settings import CleanSettings

from conftest import SAMPLE, SAMPLE_GOLD, SHARED  # noqa: E402  (../shared locations, one place)

SETTINGS = CleanSettings()


def fold(text: str) -> str:
    return " ".join(text.split())


def check_provenance(raw: str, text: str, offsets: OffsetMap, removals: list[Removal]) -> None:
    """The invariants every cleaning result must hold."""
    # segments tile the text, in order
    pos = 0
    for seg in offsets.segments:
        assert seg.text_start == pos and seg.text_end > seg.text_start, seg
        pos = seg.text_end
    assert pos == len(text)
    # verbatim pieces copy raw one to one
    for seg in offsets.segments:
        if seg.text_end - seg.text_start == seg.raw_end - seg.raw_start:
            assert raw[seg.raw_start : seg.raw_end] == text[seg.text_start : seg.text_end], seg
            for i in range(seg.text_start, seg.text_end):
                assert raw[offsets.to_raw(i)] == text[i]
    # removals inside raw, sorted, disjoint
    for r in removals:
        assert 0 <= r.start < r.end <= len(raw), r
        assert r.reason and r.rule, r
    for a, b in zip(removals, removals[1:]):
        assert a.end <= b.start, (a, b)
    # every raw character is either kept (in a segment) or removed, never both
    pieces = [(s.raw_start, s.raw_end) for s in offsets.segments if s.raw_end > s.raw_start]
    pieces += [(r.start, r.end) for r in removals]
    pieces.sort()
    pos = 0
    for start, end in pieces:
        assert start == pos, f"raw[{pos}:{start}] neither kept nor removed, or overlap at {start}"
        pos = end
    assert pos == len(raw)


def check_tidy(text: str) -> None:
    assert text == text.strip()
    assert "  " not in text
    assert "\n\n\n" not in text
    assert not re.search(r" \n|\n |\t|\r", text)


# --- the shared sample ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_doc() -> Doc:
    if not SAMPLE.is_file():
        pytest.skip(f"shared sample {SAMPLE} is absent")
    raw = SAMPLE.read_text(encoding="utf-8")
    start = raw.index("date 2024-08-26")
    header = Removal(start, start + len("date 2024-08-26"), "date-header", "date-header")
    return clean(Doc(raw=raw, removed=[header]), SETTINGS)


def test_sample_golden(sample_doc: Doc) -> None:
    doc = sample_doc
    raw, text = doc.raw, doc.text
    removed = [doc.raw_text(r).strip() for r in doc.removed]  # a line goes with its break
    also_read = [line.strip() for line in raw.splitlines() if line.strip().startswith("Also Read:")]
    assert len(also_read) == 3
    for line in also_read:
        assert line in removed
        assert line not in text
    assert "Also Read" not in text
    assert "date 2024-08-26" in removed and "2024-08-26" not in text
    lede = "Israeli and Hamas delegations failed to reach an agreement in the Gaza ceasefire talks in Cairo on Sunday"
    assert lede in removed
    assert text.startswith(lede + ". Neither party")
    assert text.count(lede) == 1
    assert "sources told Reuters.\n\nHowever, a senior U.S. official" in text
    check_tidy(text)
    check_provenance(raw, text, doc.offsets, doc.removed)
    # the reader's removal is kept as given
    assert doc.removed[1] == Removal(1, 16, "date-header", "date-header")


def test_sample_keeps_every_sentence(sample_doc: Doc) -> None:
    raw, text = sample_doc.raw, fold(sample_doc.text)
    kept_paragraphs = [
        p for p in re.split(r"\n\s*\n", raw) if p.strip() and not p.strip().startswith("Also Read:")
    ]
    sentences = [
        s
        for p in kept_paragraphs
        for s in re.split(r"(?<=[.?!\"])\s+(?=[A-Z\"])", fold(p).removeprefix("date 2024-08-26 "))
    ]
    assert len(sentences) == 16
    for sentence in sentences:
        assert sentence in text, sentence


def test_sample_gold_must_remove(sample_doc: Doc) -> None:
    if not SAMPLE_GOLD.is_file():
        pytest.skip(f"shared gold {SAMPLE_GOLD} is absent")
    gold = json.loads(SAMPLE_GOLD.read_text(encoding="utf-8"))
    raw, text = sample_doc.raw, sample_doc.text

    def covered(start: int, end: int) -> bool:
        return any(r.start <= start and end <= r.end for r in sample_doc.removed)

    for entry in gold["cleaning"]["must_remove"]:
        at = raw.index(entry)
        # an entry may carry context after a blank line ("...Sunday\n\nHowever"): only the
        # part before it is removed, the context stays
        core, _, context = entry.partition("\n\n")
        assert covered(at, at + len(core)), entry
        if context:
            assert not covered(at + len(core) + 2, at + len(entry))
            assert "\n\n" + context in text


def test_sample_is_idempotent(sample_doc: Doc) -> None:
    again, offsets, removals = clean_text(sample_doc.text, SETTINGS)
    assert again == sample_doc.text
    assert removals == []
    assert offsets == OffsetMap.identity(len(again))


# --- an invented noisy article ----------------------------------------------------------------

NOISY = (
    "  <p>Flooding forced more than 3,000 families from their homes in the river valley on Tuesday. "
    "Rescue crews worked through the night, officials said. Flooding forced more than "
    "3,000 families from their homes in the river valley on Tuesday</p>\n"
    "\n\n\n"
    "Also Read: Five charts that explain the monsoon season\n"
    "\n"
    "Advertisement\n"
    "\n"
    "The Meteorological Department said rainfall was 40&nbsp;per cent above the seasonal average "
    "and warned of landslides in the hills.   Read more about the warning system on the agency's "
    "website, the department added.\n"
    "\n"
    "Photo: Reuters/File\n"
    "\n"
    "&quot;We lost everything in one night,&quot; said Meera Joshi, 52, who runs a tea stall "
    "near the bridge. &lt;b&gt;Relief camps&lt;/b&gt; opened in three schools.\n"
    "\n"
    "Share this article\n"
    "Facebook | Twitter | WhatsApp\n"
    "\n"
    "The state government &amp; the army sent boats and two helicopters.\n"
    "\n"
    "The state government &amp; the army sent boats and two helicopters.\n"
    "\n"
    "Story continues below\n"
    "\n"
    "Sign up for our morning newsletter to get the day's top stories\n"
    "We use cookies to give you the best experience on our website.\n"
    "\n"
    "(Reporting by Anil Kumar; Editing by Sara Lind)\t \n"
)

NOISY_CLEAN = (
    "Flooding forced more than 3,000 families from their homes in the river valley on Tuesday. "
    "Rescue crews worked through the night, officials said.\n\n"
    "The Meteorological Department said rainfall was 40 per cent above the seasonal average "
    "and warned of landslides in the hills. Read more about the warning system on the agency's "
    "website, the department added.\n\n"
    "\"We lost everything in one night,\" said Meera Joshi, 52, who runs a tea stall near the "
    "bridge. Relief camps opened in three schools.\n\n"
    "The state government & the army sent boats and two helicopters.\n\n"
    "(Reporting by Anil Kumar; Editing by Sara Lind)"
)


def test_noisy_fixture() -> None:
    text, offsets, removals = clean_text(NOISY, SETTINGS)
    assert text == NOISY_CLEAN
    check_provenance(NOISY, text, offsets, removals)
    by_reason: dict[str, list[str]] = {}
    for r in removals:
        by_reason.setdefault(r.reason, []).append(NOISY[r.start : r.end].strip())
    assert by_reason["link-line"] == ["Also Read: Five charts that explain the monsoon season"]
    assert by_reason["banner"] == ["Advertisement", "Story continues below"]
    assert by_reason["photo-credit"] == ["Photo: Reuters/File"]
    assert by_reason["share"] == ["Share this article", "Facebook | Twitter | WhatsApp"]
    assert by_reason["newsletter"] == ["Sign up for our morning newsletter to get the day's top stories"]
    assert by_reason["cookie"] == ["We use cookies to give you the best experience on our website."]
    assert by_reason["repeated-text"] == [
        "Flooding forced more than 3,000 families from their homes in the river valley on Tuesday",
        "The state government &amp; the army sent boats and two helicopters.",
    ]
    assert {"<p>", "</p>", "&lt;b&gt;", "&lt;/b&gt;"} <= set(by_reason["markup"])
    assert "(Reporting by Anil Kumar" in text  # wire credits are kept
    assert clean_text(text, SETTINGS)[0] == text


def test_entity_maps_to_its_raw_bounds() -> None:
    raw = "Shares of AT&amp;T rose 2% on Monday."
    text, offsets, removals = clean_text(raw, SETTINGS)
    assert text == "Shares of AT&T rose 2% on Monday."
    amp = text.index("&")
    assert offsets.raw_span(amp, amp + 1) == (raw.index("&amp;"), raw.index("&amp;") + 5)
    assert offsets.to_raw(text.index("rose")) == raw.index("rose")
    assert removals == []


def test_tags_keep_paragraphs_apart() -> None:
    raw = "<p>First paragraph of the report.</p><p>Second paragraph, <b>with</b> bold.</p>"
    text, offsets, removals = clean_text(raw, SETTINGS)
    assert text == "First paragraph of the report.\n\nSecond paragraph, with bold."
    assert {raw[r.start : r.end] for r in removals if r.reason == "markup"} >= {"<b>", "</b>", "<p>"}
    check_provenance(raw, text, offsets, removals)


def test_whitespace_folding() -> None:
    raw = "\n\n  One  sentence\there.\r\n\r\n\r\n\r\nTwo\xa0lines\n  follow.  \n\n\n"
    text, offsets, removals = clean_text(raw, SETTINGS)
    assert text == "One sentence here.\n\nTwo lines\nfollow."
    check_provenance(raw, text, offsets, removals)
    assert all(r.reason == "whitespace" for r in removals)
    # a tab becomes a space: not a verbatim copy, so the tab is removed and the space maps to it
    space = text.index(" here")
    assert offsets.to_raw(space) == raw.index("\t")
    assert Removal(raw.index("\t"), raw.index("\t") + 1, "whitespace", "fold") in removals


def test_double_escaped_markup_is_removed() -> None:
    raw = "Officials &amp;lt;b&amp;gt;confirmed&amp;lt;/b&amp;gt; the deal &amp;amp; the date."
    text, offsets, removals = clean_text(raw, SETTINGS)
    assert text == "Officials confirmed the deal & the date."
    check_provenance(raw, text, offsets, removals)


def test_removed_line_takes_its_break() -> None:
    raw = (
        "Fighting resumed near the airport on Friday morning.\n"
        "Witnesses described heavy shelling overnight.\n"
        "Fighting resumed near the airport on Friday morning.\n"
        "Advertisement\n"
        "Schools stayed closed."
    )
    text, _, removals = clean_text(raw, SETTINGS)
    assert text == (
        "Fighting resumed near the airport on Friday morning.\n"
        "Witnesses described heavy shelling overnight.\n"
        "Schools stayed closed."
    )
    assert [r.reason for r in removals] == ["repeated-text", "banner"]


# --- conservatism --------------------------------------------------------------------------


def test_read_more_inside_a_paragraph_is_kept() -> None:
    raw = (
        "The ministry published its findings on Friday. Read more: the report runs to 300 pages.\n\n"
        "Citizens who want the details can\nread more about the plan at public libraries.\n\n"
        "Read more"
    )
    text, _, removals = clean_text(raw, SETTINGS)
    assert "Read more: the report runs to 300 pages." in text
    assert "read more about the plan at public libraries." in text
    assert [raw[r.start : r.end] for r in removals if r.reason == "link-line"] == ["Read more"]


def test_long_line_starting_like_a_prompt_is_kept() -> None:
    line = "Subscribe " + " ".join(["word"] * 40) + "."
    assert clean_text(line, SETTINGS)[0] == line


def test_short_repeats_are_kept() -> None:
    raw = "He declined.\n\nTalks went on.\n\nHe declined."
    assert clean_text(raw, SETTINGS)[0] == raw


def test_sentence_splitter_respects_abbreviations() -> None:
    text = 'A senior U.S. official met Mr. Hamdan on Aug. 25. "It went well." Then the team left'
    spans = list(split_sentences(text, 0, len(text), load_abbreviations()))
    assert [text[a:b] for a, b in spans] == [
        "A senior U.S. official met Mr. Hamdan on Aug. 25.",
        '"It went well."',
        "Then the team left",
    ]


def test_repeated_paragraph_removed_once() -> None:
    para = "Aid trucks crossed at Rafah. Fuel stayed short. Doctors warned again."
    raw = f"{para}\n\nThe talks resume on Monday.\n\n{para}"
    text, _, removals = clean_text(raw, SETTINGS)
    assert text == f"{para}\n\nThe talks resume on Monday."
    assert [(r.reason, r.rule) for r in removals if r.reason != "whitespace"] == [
        ("repeated-text", "repeated-paragraph")
    ]


# --- the Doc, the stage, the pattern files ---------------------------------------------------


def test_clean_doc_respects_reader_removal_and_is_repeatable() -> None:
    raw = "date 2024-05-02 Talks opened in Doha on Thursday.\n\nAdvertisement\n\nThey ended without a deal."
    header = Removal(0, 15, "date-header", "date-header")
    doc = clean(Doc(raw=raw, removed=[header]), SETTINGS)
    assert doc.text == "Talks opened in Doha on Thursday.\n\nThey ended without a deal."
    assert header in doc.removed
    first = (doc.text, doc.offsets, list(doc.removed))
    clean(doc, SETTINGS)
    assert (doc.text, doc.offsets, doc.removed) == first


def test_stage() -> None:
    stage = make_clean_stage(SETTINGS)
    assert (stage.name, stage.needs, stage.adds) == ("clean", ("raw",), ("text", "offsets", "removed"))
    pipeline = check_stages([stage])
    doc = pipeline(Doc(raw="Related: Other news\n\nThe report itself."))
    assert doc.text == "The report itself." and doc.stages == ["clean"]


def test_extra_pattern_file(tmp_path: Path) -> None:
    extra = tmp_path / "mine.txt"
    extra.write_text(
        "# my outlet's footer\n"
        "promo: ^listen to our podcast\\b\n"
        "banner: \\((writing|reporting|additional reporting) by\\b.*\\)$\n",
        encoding="utf-8",
    )
    raw = "The vote passed.\n\nListen to our podcast on the vote\n\n(Reporting by Ana Ruiz; Editing by Tom Hale)"
    assert clean_text(raw, SETTINGS)[0] == raw  # shipped patterns keep both lines
    mine = CleanSettings(extra_patterns=(str(extra),))
    text, _, removals = clean_text(raw, mine)
    assert text == "The vote passed."
    assert [(r.reason, r.rule) for r in removals if r.reason != "whitespace"] == [
        ("promo", "^listen to our podcast\\b"),
        ("banner", "\\((writing|reporting|additional reporting) by\\b.*\\)$"),
    ]


@pytest.mark.parametrize(
    "content, message",
    [("link-line ^no colon", "expected `reason: regex`"), ("gossip: ^x", "unknown reason"),
     ("promo: ^(unclosed", "invalid regex")],
)
def test_bad_pattern_file_names_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text(f"# comment\n{content}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(f"{bad}:2") + ".*" + re.escape(message)):
        load_patterns((str(bad),))
    with pytest.raises(ConfigError, match="does not exist"):
        load_patterns((str(tmp_path / "missing.txt"),))


def test_reasons_are_removal_reasons() -> None:
    assert PATTERN_REASONS <= CLEANING_REASONS
    assert CLEANING_REASONS == set(get_args(RemovalReason)) - {"date-header"}
    patterns = load_patterns().patterns
    assert len(patterns) > 40 and {p.reason for p in patterns} == PATTERN_REASONS


BOILERPLATE_LINES = [
    ("Also Read: Ten things to know about the talks", "link-line"),
    ("ALSO READ | Markets slide on rate fears", "link-line"),
    ("READ MORE | Markets slide on rate fears", "link-line"),
    ("Read more", "link-line"),
    ("Related: Aid convoy reaches the north", "link-line"),
    ("Watch: Explosions light up the night sky", "link-line"),
    ("Click here to read the full statement", "link-line"),
    ("Subscribe now for unlimited access", "promo"),
    ("Follow us on Twitter and Instagram", "promo"),
    ("Sign up for our daily newsletter", "newsletter"),
    ("We use cookies to improve your experience", "cookie"),
    ("Share this article", "share"),
    ("Photo: AFP", "photo-credit"),
    ("REUTERS/Mohammed Salem", "photo-credit"),
    ("(AP Photo/Abdel Kareem Hana)", "photo-credit"),
    ("Advertisement", "banner"),
    ("Story continues below advertisement", "banner"),
]


@pytest.mark.parametrize("line, reason", BOILERPLATE_LINES)
def test_shipped_patterns(line: str, reason: str) -> None:
    raw = f"The first paragraph of the report.\n\n{line}\n\nThe second paragraph of the report."
    text, _, removals = clean_text(raw, SETTINGS)
    assert text == "The first paragraph of the report.\n\nThe second paragraph of the report."
    assert [(raw[r.start : r.end], r.reason) for r in removals if r.reason != "whitespace"] == [
        (line + "\n", reason)  # the line goes with its own line break
    ]


# --- properties ----------------------------------------------------------------------------

WORDS = (
    "ceasefire talks delegation officials mediators border corridor agreement said on the in a of "
    "to and hostages proposal Qatar Egypt Cairo Monday week government forces aid trucks city "
    "residents minister U.S. Mr. reached 14.5 km"
).split()
NOISE_LINES = [line for line, _ in BOILERPLATE_LINES]
MARKUP = ["&amp;", "&nbsp;", "&lt;b&gt;", "&#8217;", "&quot;", "<p>", "</p>", "<br>", "<b>", "</b>", "&amp;amp;"]
SEPARATORS = ["\n\n", "\n", "\n\n\n\n", " \n\n ", "\r\n\r\n", "\n \t\n", "\n\n\n"]
GAPS = [" ", " ", " ", "  ", "\t", " \xa0"]


@st.composite
def sentences(draw: st.DrawFn, tag: str = "") -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=3, max_size=12))
    if tag:
        words.insert(1, tag)
    words[0] = words[0].capitalize()
    gaps = draw(st.lists(st.sampled_from(GAPS), min_size=len(words), max_size=len(words)))
    text = "".join(w + g for w, g in zip(words, gaps)).rstrip()
    return text + draw(st.sampled_from([".", ".", ".", "?", "!", ""]))


@st.composite
def articles(draw: st.DrawFn, noise: bool = True) -> str:
    blocks: list[str] = []
    written: list[str] = []
    for i in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["para", "para", "line", "repeat"])) if noise and written else "para"
        if kind == "line":
            blocks.append(draw(st.sampled_from(NOISE_LINES)))
            continue
        tag = "" if noise else f"p{i}s"
        sents = [draw(sentences(f"{tag}{j}" if tag else "")) for j in range(draw(st.integers(1, 4)))]
        if kind == "repeat":
            copy = draw(st.sampled_from(written)).rstrip(".?!")
            sents.append(copy)
        if noise and draw(st.booleans()):
            k = draw(st.integers(0, len(sents) - 1))
            sents[k] = sents[k].replace(" ", f" {draw(st.sampled_from(MARKUP))} ", 1)
        written.extend(sents)
        blocks.append(" ".join(sents))
        if noise and draw(st.integers(0, 5)) == 0:
            blocks.append(blocks[-1])  # a paragraph printed twice
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(blocks), max_size=len(blocks)))
    body = "".join(b + s for b, s in zip(blocks, seps))
    return draw(st.sampled_from(["", " ", "\n", " \t "])) + body


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(articles())
def test_property_idempotent_and_traceable(raw: str) -> None:
    text, offsets, removals = clean_text(raw, SETTINGS)
    check_provenance(raw, text, offsets, removals)
    check_tidy(text)
    again, offsets2, removals2 = clean_text(text, SETTINGS)
    assert again == text
    assert removals2 == []


@PROPERTY
@given(articles(noise=False))
def test_property_text_without_noise_changes_only_whitespace(raw: str) -> None:
    text, offsets, removals = clean_text(raw, SETTINGS)
    assert fold(text) == fold(raw)
    assert {r.reason for r in removals} <= {"whitespace"}
    check_provenance(raw, text, offsets, removals)


TOKENS = [
    "Also Read: ", "read more", "Read more", "&amp;", "&", "amp;", "lt;", "gt;", "<", ">", "p", "b",
    "/", " ", "  ", "\n", "\n\n", "\t", "\r", "\xa0", ".", "Word", "word", ",", "Advertisement",
    "U.S.", "Sunday", "nbsp;", "#38;", "<!--", "-->", "the talks went on for hours",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_property_idempotent_on_token_soup(raw: str) -> None:
    text, offsets, removals = clean_text(raw, SETTINGS)
    check_provenance(raw, text, offsets, removals)
    assert clean_text(text, SETTINGS)[0] == text
