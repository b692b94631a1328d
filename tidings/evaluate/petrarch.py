"""Score the event coder on the PETRARCH-2 unit tests (TABARI validation suite lineage).

Gold: `event-data-gold/petrarch_unit_tests/petr_unit_tests.jsonl`: 284 stylised sentences with
the (source, target, CAMEO code) triples PETRARCH-2 must produce, or `expect_no_events`.
Sentences that test an input error (`expected_error`) are skipped. Each sentence is processed on
its own with its story date as the publication date.

Triples from tidings events: every (actor, target) pair of an event, with the event's CAMEO
root; an event with two or more actors and no target (a symmetric "Gondor and Osgiliath renewed
ties") gives every ordered pair of its actors, as PETRARCH codes compound actors.

Comparison is on country codes and CAMEO roots: an expected triple is produced when some
produced triple has the same CAMEO root (first two digits) and actors whose *candidate codes*
include the expected source's and target's first three letters ("ARNGOV" -> "ARN"). A
tidings actor's candidate codes are its own code's country part ("PSE-HAMAS" -> "PSE") and,
because most of the suite's actors are invented (Arnor, Gondor, ...), the codes the suite's own
actor dictionary (`PETR.Validate.actors.txt`, date restrictions applied) gives its name, as
PETRARCH itself would look it up. Expected triples whose codes are not country-like ("---GOV",
quoted names) cannot be compared and are left out (counted in the detail).

Metrics (keys `petrarch.events.<name>`):

- triple_share: expected triples produced / comparable expected triples;
- no_event_share: of the "no event" sentences, the share where tidings codes no triple (no
  event with both an actor and a target: what PETRARCH would output);
- no_event_strict: of the same sentences, the share where tidings finds no event at all.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import permutations, product
from pathlib import Path
from typing import Any

from tidings.doc import Doc
from tidings.evaluate.plover import country_key
from tidings.records import Event

log = logging.getLogger(__name__)

GOLD_DIR = Path("event-data-gold") / "petrarch_unit_tests"
"""Where the PETRARCH unit tests live under the shared directory."""
GOLD_FILE = "petr_unit_tests.jsonl"
ACTORS_FILE = "PETR.Validate.actors.txt"
_CODE_BLOCK = re.compile(r"\[([^\]]*)\]")
_RESTRICTION = re.compile(r"^(?P<code>\S+)\s*(?:(?P<op>[<>])\s*(?P<d1>\d{6,8})|(?P<a>\d{6,8})\s*-\s*(?P<b>\d{6,8}))?\s*$")

ProcessFn = Callable[..., Doc]


@dataclass(frozen=True, slots=True)
class CodeRule:
    """One code of a validation-dictionary actor, with its date restriction."""

    code: str
    after: dt.date | None = None
    """Valid from this date (inclusive)."""
    before: dt.date | None = None
    """Valid until this date (exclusive)."""

    def valid(self, day: dt.date | None) -> bool:
        if day is None:
            return self.after is None and self.before is None
        return (self.after is None or day >= self.after) and (self.before is None or day < self.before)


def _date(text: str) -> dt.date:
    if len(text) == 6:  # YYMMDD, the old TABARI form
        text = ("19" if int(text[:2]) > 30 else "20") + text
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def name_key(name: str) -> str:
    """A dictionary lookup key: upper case, underscores and punctuation as single spaces."""
    key = re.sub(r"[^A-Z0-9.]+", " ", name.upper().replace("_", " ")).strip()
    return key[4:] if key.startswith("THE ") else key


def load_actor_dictionary(path: Path) -> dict[str, list[CodeRule]]:
    """Names (and "+" synonyms) of the validation actor dictionary -> their code rules."""
    entries: dict[str, list[CodeRule]] = {}
    names: list[str] = []
    rules: list[CodeRule] = []

    def flush() -> None:
        for n in names:
            entries.setdefault(name_key(n), []).extend(rules)

    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip() or line.lstrip().startswith("<"):
            continue
        stripped = line.strip()
        blocks = _CODE_BLOCK.findall(stripped)
        head = _CODE_BLOCK.sub("", stripped).strip()
        if head.startswith("+"):
            names.append(head[1:])
        elif head and not raw[:1].isspace():
            flush()
            names, rules = [head], []
        for block in blocks:
            m = _RESTRICTION.match(block.strip())
            if not m:
                continue
            code = m.group("code")
            if m.group("op") == "<":
                rules.append(CodeRule(code, before=_date(m.group("d1"))))
            elif m.group("op") == ">":
                rules.append(CodeRule(code, after=_date(m.group("d1"))))
            elif m.group("a"):
                rules.append(CodeRule(code, after=_date(m.group("a")), before=_date(m.group("b"))))
            else:
                rules.append(CodeRule(code))
    flush()
    return entries


def dictionary_codes(entries: dict[str, list[CodeRule]], name: str, day: dt.date | None) -> set[str]:
    """Country parts of the codes the dictionary gives `name` on `day` (restricted codes first,
    else the unrestricted default)."""
    rules = entries.get(name_key(name), [])
    restricted = [r for r in rules if (r.after or r.before) and r.valid(day)]
    chosen = restricted or [r for r in rules if not (r.after or r.before)]
    return {k for k in (country_key(r.code) for r in chosen) if k}


@dataclass(frozen=True, slots=True)
class Expected:
    """One PETRARCH unit-test sentence."""

    id: str
    text: str
    day: dt.date | None
    triples: tuple[tuple[str, str, str], ...]
    """Comparable expected (source key, target key, CAMEO root) triples."""
    skipped: int
    """Expected triples left out as not comparable."""
    no_events: bool


def load_tests(path: Path) -> list[Expected]:
    """The unit tests, without the input-error ones."""
    out: list[Expected] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        if rec.get("expected_error"):
            continue
        story = str(rec.get("story_date") or "")
        day = _date(story) if re.fullmatch(r"\d{8}", story) else None
        triples, skipped = [], 0
        for t in rec.get("expected", []):
            src, tgt = str(t["source"]), str(t["target"])
            keys = (src[:3], tgt[:3])
            if not all(k.isalpha() and len(k) == 3 for k in keys):
                skipped += 1
                continue
            triples.append((country_key(src) or src[:3], country_key(tgt) or tgt[:3], str(t["cameo"])[:2]))
        out.append(Expected(rec["id"], rec["text"], day, tuple(triples), skipped,
                            bool(rec.get("expect_no_events"))))
    return out


def event_triples(event: Event, codes_of: Callable[[str, str], set[str]]) -> list[tuple[set[str], set[str], str]]:
    """(source candidate codes, target candidate codes, CAMEO root) triples of one event."""
    actors = list(zip(event.actors, event.actor_codes))
    targets = list(zip(event.targets, event.target_codes))
    pairs: Iterable[tuple[tuple[str, str], tuple[str, str]]]
    if targets:
        pairs = product(actors, targets)
    elif len(actors) >= 2:
        pairs = permutations(actors, 2)
    else:
        pairs = []
    return [(codes_of(*a), codes_of(*t), event.cameo) for a, t in pairs]


def score_petrarch(shared: Path, process: ProcessFn) -> list[Any]:
    """PETRARCH unit-test metrics (module docstring) as `tidings.evaluate.report.Metric`s.

    `process(text, published=...)` must return an annotated Doc with an "events" span group.
    Returns [] when the gold directory is missing.
    """
    from tidings.evaluate.report import Metric

    root = Path(shared) / GOLD_DIR
    if not (root / GOLD_FILE).is_file():
        log.info("PETRARCH unit tests not found at %s; skipped", root)
        return []
    tests = load_tests(root / GOLD_FILE)
    dictionary = load_actor_dictionary(root / ACTORS_FILE) if (root / ACTORS_FILE).is_file() else {}
    found = expected = skipped = 0
    empty = empty_strict = no_event_n = 0
    for test in tests:
        doc = process(test.text, published=test.day.isoformat() if test.day else None)
        events = list(doc.spans.get("events", []))

        def codes_of(name: str, code: str, day: dt.date | None = test.day) -> set[str]:
            keys = {country_key(code)} - {""}
            return keys | dictionary_codes(dictionary, name, day)

        produced = [t for e in events for t in event_triples(e, codes_of)]
        skipped += test.skipped
        for src, tgt, root_code in test.triples:
            expected += 1
            found += any(src in s and tgt in t and root_code == c for s, t, c in produced)
        if test.no_events:
            no_event_n += 1
            empty += not produced
            empty_strict += not events
    return [
        Metric("events", "petrarch", "triple_share", found / expected if expected else None,
               f"{found}/{expected} expected triples ({skipped} not comparable, left out)"),
        Metric("events", "petrarch", "no_event_share", empty / no_event_n if no_event_n else None,
               f"{empty}/{no_event_n} no-event sentences with no coded triple"),
        Metric("events", "petrarch", "no_event_strict", empty_strict / no_event_n if no_event_n else None,
               f"{empty_strict}/{no_event_n} no-event sentences with no event at all"),
    ]
