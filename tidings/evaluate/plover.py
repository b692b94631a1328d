"""Score the event coder on the PLOVER gold-standard records (GSR, development half).

Gold: `event-data-gold/plover_gsr_cameo/plover_gsr_dev.jsonl`, one coded sentence per line,
labelled with PLOVER v0.5b1 types that `label_map_gsr_v05_to_current_plover.tsv` maps to the 16
current types (DEMAND -> REQUEST, DISAPPROVE and INVESTIGATE -> ACCUSE, FIGHT -> ASSAULT).

Each sentence is processed on its own (its date is a placeholder, so no publication date is
passed) and compared with the sentence's *primary* event: the one whose trigger is highest in
the dependency tree (`tidings.extract.events.primary_event`), since the gold codes one event
per sentence. A sentence with no event counts as wrong everywhere.

Metrics (all "higher is better"), keys `plover.events.<name>`:

- type_accuracy: primary event type == gold type, over all sentences. A negated cooperative
  event ("failed to reach an agreement": tidings' AGREE with negated=True) is compared as
  REJECT, the type PLOVER gives an agreement or cooperation that did not happen;
- type_macro_f1: F1 per gold type (a sentence's prediction is its primary type, or none),
  averaged over the types present in the gold;
- actor_accuracy / recipient_accuracy: over sentences whose gold names at least one coded actor
  (recipient), the share where the primary event's actors (targets) share a country code with
  the gold ones. Codes are compared on their country part: the first three letters of a gold
  CAMEO code ("USAGOV" -> "USA"), old CAMEO country codes mapped to ISO-3 (LEGACY_CODES), and
  the part before "-" of a tidings code ("PSE-HAMAS" -> "PSE"). Gold non-state codes ("IGO",
  "NGO", "IMG") match any tidings non-state code ("IGO-UN", "INT-...").
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tidings.doc import Doc
from tidings.records import Event

log = logging.getLogger(__name__)

GOLD_DIR = Path("event-data-gold") / "plover_gsr_cameo"
"""Where the PLOVER GSR files live under the shared directory."""
GOLD_FILE = "plover_gsr_dev.jsonl"
LABEL_MAP_FILE = "label_map_gsr_v05_to_current_plover.tsv"
LEGACY_CODES = {"JAP": "JPN", "ITL": "ITA", "UAR": "EGY", "NZE": "NZL", "ZBW": "ZWE",
                "ROM": "ROU", "GMW": "DEU", "GME": "DEU", "LEB": "LBN", "KUW": "KWT",
                "IVO": "CIV", "INS": "IDN", "MOM": "OMN", "ZAM": "ZMB", "LTH": "LTU",
                "PAL": "PSE", "ROC": "TWN", "USR": "RUS", "BUL": "BGR"}
"""Old CAMEO / TABARI country codes and the ISO-3 codes tidings uses for the same country."""
NON_STATE = "*NONSTATE*"
"""The comparison key shared by every non-state code (IGOs, NGOs, transnational groups)."""
GOLD_NON_STATE = frozenset({"IGO", "NGO", "NGM", "IMG", "MNC", "UNO", "IMF", "IBR"})
"""Gold code prefixes that name no country."""

ProcessFn = Callable[..., Doc]


def country_key(code: str | None) -> str:
    """The country part of a gold CAMEO code or a tidings actor code ("" when it has none)."""
    if not code:
        return ""
    code = code.strip().strip('"').upper()
    if "-" in code:  # a tidings code: "PSE-HAMAS", "IGO-UN", "INT-ISIS", "MEDIA-REUTERS"
        head = code.split("-", 1)[0]
        if head in ("IGO", "INT"):
            return NON_STATE
        if head == "MEDIA":
            return ""
        return LEGACY_CODES.get(head, head) if len(head) == 3 and head.isalpha() else ""
    head = code[:3]
    if head in GOLD_NON_STATE:
        return NON_STATE
    if len(head) < 3 or not head.isalpha():
        return ""
    return LEGACY_CODES.get(head, head)


def load_label_map(path: Path) -> dict[str, str]:
    """GSR v0.5b1 label -> current PLOVER type."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        cells = line.split("\t")
        if len(cells) >= 2 and cells[0].strip():
            out[cells[0].strip()] = cells[1].strip()
    return out


@dataclass(frozen=True, slots=True)
class GoldSentence:
    """One PLOVER GSR record."""

    id: str
    text: str
    type: str
    """Current PLOVER type (mapped)."""
    actors: frozenset[str]
    """Country keys of the gold actors."""
    recipients: frozenset[str]
    """Country keys of the gold recipients."""


def load_gold(root: Path) -> list[GoldSentence]:
    """The GSR development records with mapped labels."""
    label_map = load_label_map(root / LABEL_MAP_FILE)
    out: list[GoldSentence] = []
    for line in (root / GOLD_FILE).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        label = label_map.get(rec["event_gsr_label"], rec["event_gsr_label"])
        out.append(GoldSentence(
            rec["id"], rec["text"], label,
            frozenset(k for k in (country_key(a.get("code")) for a in rec.get("actor", [])) if k),
            frozenset(k for k in (country_key(a.get("code")) for a in rec.get("recipient", [])) if k),
        ))
    return out


def predicted_keys(codes: Iterable[str]) -> set[str]:
    """Country keys of an event's actor or target codes."""
    return {k for k in (country_key(c) for c in codes) if k}


COOPERATIVE = frozenset({"AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT"})
"""Types whose negation PLOVER codes as REJECT."""


def plover_type(event: Event) -> str:
    """The type the PLOVER GSR would give `event` (negated cooperation -> REJECT)."""
    if event.negated and event.type in COOPERATIVE:
        return "REJECT"
    return event.type


def _primary(doc: Doc) -> Event | None:
    from tidings.extract.events import primary_event

    return primary_event(doc.spans.get("events", []), doc.parsed)


def score_plover(shared: Path, process: ProcessFn) -> list[Any]:
    """PLOVER GSR metrics (module docstring) as `tidings.evaluate.report.Metric`s.

    `process(text, published=None)` must return an annotated Doc with an "events" span group.
    Returns [] when the gold directory is missing.
    """
    from tidings.evaluate.report import Metric

    root = Path(shared) / GOLD_DIR
    if not (root / GOLD_FILE).is_file():
        log.info("PLOVER gold not found at %s; skipped", root)
        return []
    golds = load_gold(root)
    right = 0
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    actor_ok = actor_n = recip_ok = recip_n = found = 0
    misses: list[str] = []
    for gold in golds:
        doc = process(gold.text, published=None)
        event = _primary(doc)
        got = plover_type(event) if event else None
        found += event is not None
        if got == gold.type:
            right += 1
            tp[gold.type] += 1
        else:
            fn[gold.type] += 1
            if got:
                fp[got] += 1
            misses.append(f"{gold.id}: {gold.type} got {got}")
        if gold.actors:
            actor_n += 1
            actor_ok += bool(event and predicted_keys(event.actor_codes) & gold.actors)
        if gold.recipients:
            recip_n += 1
            recip_ok += bool(event and predicted_keys(event.target_codes) & gold.recipients)
    types = sorted({g.type for g in golds})
    f1s = []
    for t in types:
        p = tp[t] / (tp[t] + fp[t]) if tp[t] + fp[t] else 0.0
        r = tp[t] / (tp[t] + fn[t]) if tp[t] + fn[t] else 0.0
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    n = len(golds)
    detail = f"{right}/{n} sentences; an event found in {found}/{n}"
    return [
        Metric("events", "plover", "type_accuracy", right / n if n else None, detail),
        Metric("events", "plover", "type_macro_f1", sum(f1s) / len(f1s) if f1s else None,
               f"macro over {len(types)} gold types"),
        Metric("events", "plover", "actor_accuracy", actor_ok / actor_n if actor_n else None,
               f"{actor_ok}/{actor_n} sentences with a coded gold actor"),
        Metric("events", "plover", "recipient_accuracy", recip_ok / recip_n if recip_n else None,
               f"{recip_ok}/{recip_n} sentences with a coded gold recipient"),
    ]
