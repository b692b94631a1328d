"""Score a processed sample article against its hand-made gold (`samples/*.gold.json`).

The gold quotes texts exactly as they stand in the raw file, so items are matched on text and
occurrence, never on offsets: the n-th occurrence of a text in `doc.raw` is located, and
predictions are mapped to raw offsets with the Doc's offset map before comparing.

Every score is "higher is better" so that floors only move up:

- cleaning.removed: `must_remove` texts absent from `doc.text` (whitespace folded) / expected;
- reader.published: 1 when `doc.published` is the gold date;
- times.found / times.type / times.value: `must` times with an overlapping predicted time, and
  with the right TIMEX3 type / value as well (the best-overlapping prediction is judged);
- entities.found: `must` canonical names among predicted entities' canonical names (case
  ignored); entities.code: the same with the right ISO-3 code, over items that give one;
  entities.must_not_ok: `must_not` names that no predicted entity has as canonical name or text;
- places.found: `must` places whose text or name a predicted place has; places.located: those
  within `tolerance_km` of the gold coordinates;
- quotes.found: `must` quotes whose content a predicted quote matches (see `same_quote_text`);
  quotes.speaker: those with the right speaker; quotes.must_not_ok: `must_not` texts no
  predicted quote matches;
- events.found: scored only when the pipeline produces events; otherwise reported as "not yet
  extracted" with no value;
- negotiation.parties / mediators / venue / round_end / outcome / issues / stances: see
  `score_negotiation` (issues are paired with gold issues by label words, `pair_issues`); not
  yet extracted when the pipeline has no negotiation stage.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tidings.doc import Doc
from tidings.evaluate.align import predicted
from tidings.evaluate.spans import overlap

QUOTE_CONTAINMENT_RATIO = 0.8
"""Share (0-1) of the longer quote text that the shorter must cover when one contains the
other, for a predicted quote content to count as the gold quote; calibrated by hand so that
trailing punctuation or a dropped leading word still match but a fragment of a long quote
does not."""
EARTH_RADIUS_KM = 6371.0
"""Mean Earth radius in kilometres, for great-circle distances."""
_DASHES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_LEADING_ARTICLE = re.compile(r"^(?:a|an|the)\s+")


@dataclass(slots=True)
class SectionScore:
    """found / expected for one named score of one gold section, with what was missed."""

    section: str
    """Gold section ("times", "entities", ...), used as the extractor name in reports."""
    name: str
    """Score name within the section ("found", "value", "must_not_ok", ...)."""
    found: int = 0
    """Items satisfied."""
    expected: int = 0
    """Items in the gold."""
    misses: list[str] = field(default_factory=list)
    """Short descriptions of unsatisfied items."""
    status: str = "scored"
    """"scored", or why there is no value ("not yet extracted")."""

    @property
    def value(self) -> float | None:
        """found / expected; None when not scored or nothing is expected."""
        if self.status != "scored" or not self.expected:
            return None
        return self.found / self.expected

    def add(self, ok: bool, what: str) -> None:
        """Count one gold item, remembering it when it failed."""
        self.expected += 1
        if ok:
            self.found += 1
        else:
            self.misses.append(what)


def load_sample_gold(path: Path) -> dict[str, Any]:
    """Read a `*.gold.json` file."""
    with open(path, encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def find_occurrence(raw: str, text: str, occurrence: int = 1) -> tuple[int, int] | None:
    """`(start, end)` of the `occurrence`-th (1-based) exact occurrence of `text` in `raw`."""
    pos = -1
    for _ in range(max(occurrence, 1)):
        pos = raw.find(text, pos + 1)
        if pos < 0:
            return None
    return pos, pos + len(text)


def fold(text: str | None) -> str:
    """Text as compared loosely: typographic quotes/dashes plain, spaces folded, case-folded."""
    return " ".join((text or "").translate(_DASHES).split()).casefold()


def same_quote_text(gold: str, pred: str) -> bool:
    """True when a predicted quote content is the gold quote (punctuation at the edges ignored)."""
    g = fold(gold).strip(" \"'.,;:!?")
    p = fold(pred).strip(" \"'.,;:!?")
    if not g or not p:
        return False
    if g == p:
        return True
    short, long_ = sorted((g, p), key=len)
    return short in long_ and len(short) / len(long_) >= QUOTE_CONTAINMENT_RATIO


def same_speaker(gold: str | None, pred: str | None) -> bool:
    """True when two speaker descriptions agree, ignoring case and a leading article."""
    g = _LEADING_ARTICLE.sub("", fold(gold))
    p = _LEADING_ARTICLE.sub("", fold(pred))
    return bool(g) and g == p


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


# --- sections ---------------------------------------------------------------------------------


def score_cleaning(doc: Doc, gold: dict[str, Any]) -> list[SectionScore]:
    removed = SectionScore("cleaning", "removed")
    text = fold(doc.text)
    for item in gold.get("must_remove", []):
        removed.add(fold(item) not in text, _short(item))
    return [removed]


def score_published(doc: Doc, gold_date: str) -> list[SectionScore]:
    score = SectionScore("reader", "published")
    got = doc.published.isoformat() if doc.published else None
    score.add(got == gold_date, f"{gold_date} (got {got})")
    return [score]


def score_times(doc: Doc, gold: dict[str, Any]) -> list[SectionScore]:
    found = SectionScore("times", "found")
    typed = SectionScore("times", "type")
    valued = SectionScore("times", "value")
    preds = predicted(doc, "times")
    for item in gold.get("must", []):
        occurrence = int(item.get("occurrence", 1))
        what = f"{item['text']!r}#{occurrence}"
        where = find_occurrence(doc.raw, item["text"], occurrence)
        best = None
        if where is not None:
            scored = [(overlap(where, (p.start, p.end)), p) for p in preds]
            scored = [s for s in scored if s[0] > 0]
            if scored:
                best = max(scored, key=lambda s: s[0])[1]
        found.add(best is not None, what)
        typed.add(best is not None and best.type == item.get("type"),
                  f"{what} type {item.get('type')} (got {getattr(best, 'type', None)})")
        valued.add(best is not None and fold(best.value) == fold(item.get("value")),
                   f"{what} value {item.get('value')} (got {getattr(best, 'value', None)})")
    return [found, typed, valued]


def score_entities(doc: Doc, gold: dict[str, Any]) -> list[SectionScore]:
    found = SectionScore("entities", "found")
    coded = SectionScore("entities", "code")
    clean = SectionScore("entities", "must_not_ok")
    preds = doc.spans.get("entities", [])
    by_name: dict[str, list[Any]] = {}
    for p in preds:
        by_name.setdefault(fold(p.canonical), []).append(p)
    for item in gold.get("must", []):
        name = item["canonical"]
        hits = by_name.get(fold(name), [])
        found.add(bool(hits), name)
        code = item.get("code", "")
        if re.fullmatch(r"[A-Z]{3}", code or ""):
            coded.add(any(h.code == code for h in hits), f"{name} code {code}")
    produced = {fold(p.canonical) for p in preds} | {fold(doc.span_text(p)) for p in preds}
    for name in gold.get("must_not", []):
        clean.add(fold(name) not in produced, f"{name} was produced")
    return [found, coded, clean]


def score_places(doc: Doc, gold: dict[str, Any]) -> list[SectionScore]:
    found = SectionScore("places", "found")
    located = SectionScore("places", "located")
    tolerance = float(gold.get("tolerance_km", 25))
    preds = doc.spans.get("places", [])
    for item in gold.get("must", []):
        keys = {fold(item.get("text")), fold(item.get("name"))} - {""}
        hits = [p for p in preds if fold(doc.span_text(p)) in keys or fold(p.name) in keys]
        found.add(bool(hits), item.get("text", ""))
        near = [p for p in hits
                if distance_km(p.lat, p.lon, float(item["lat"]), float(item["lon"])) <= tolerance]
        located.add(bool(near), f"{item.get('text')} within {tolerance:g} km")
    return [found, located]


def score_quotes(doc: Doc, gold: dict[str, Any]) -> list[SectionScore]:
    found = SectionScore("quotes", "found")
    speaker = SectionScore("quotes", "speaker")
    clean = SectionScore("quotes", "must_not_ok")
    preds = doc.spans.get("quotes", [])
    for item in gold.get("must", []):
        hits = [q for q in preds if same_quote_text(item["text"], doc.span_text(q))]
        found.add(bool(hits), _short(item["text"]))
        speaker.add(any(same_speaker(item.get("speaker"), q.speaker) for q in hits),
                    f"{_short(item['text'])} by {item.get('speaker')} "
                    f"(got {[q.speaker for q in hits]})")
    for text in gold.get("must_not", []):
        clean.add(not any(same_quote_text(text, doc.span_text(q)) for q in preds),
                  f"{_short(text)} was produced")
    return [found, speaker, clean]


def score_events(doc: Doc, gold: dict[str, Any]) -> list[SectionScore]:
    """Gold events: found (a predicted event of the gold type whose trigger lies in the evidence),
    and, for found ones, actors (every gold actor among the event's actors), negation and date
    (where the gold gives them). Evidence with " ... " spans from its first part to its last."""
    found = SectionScore("events", "found")
    actors = SectionScore("events", "actors")
    negated = SectionScore("events", "negated")
    dated = SectionScore("events", "date")
    if "events" not in doc.spans:
        found.status = "not yet extracted"
        found.expected = len(gold.get("must", []))
        return [found]
    preds = doc.spans["events"]
    for item in gold.get("must", []):
        parts = str(item.get("evidence", "")).split(" ... ")
        first, last = find_occurrence(doc.raw, parts[0]), find_occurrence(doc.raw, parts[-1])
        label = f"{item.get('type')}: {_short(parts[0])}"
        if first is None or last is None:
            found.add(False, label + " (evidence not in the raw text)")
            continue
        where = (first[0], max(first[1], last[1]))
        hits = [e for e in preds if str(e.type) == str(item.get("type"))
                and overlap(where, doc.offsets.raw_span(e.start, e.end)) > 0]
        found.add(bool(hits), label)
        if not hits:
            continue
        wanted = item.get("actors") or ([item["actor"]] if item.get("actor") else [])
        if wanted:
            actors.add(any({fold(a) for a in wanted} <= {fold(a) for a in e.actors} for e in hits),
                       f"{label} actors {wanted} (got {[list(e.actors) for e in hits]})")
        negated.add(any(bool(e.negated) == bool(item.get("negated", False)) for e in hits),
                    f"{label} negated={bool(item.get('negated', False))}")
        if "date" in item:
            dated.add(any(e.date == item["date"] for e in hits),
                      f"{label} date {item['date']} (got {[e.date for e in hits]})")
    return [found, actors, negated, dated]


ISSUE_MATCH_SHARE = 0.5
"""Least share (0-1) of a gold issue label's content words that a predicted issue's label and key
must contain for the two to be paired (see `issue_words`); pairs are then made one to one, best
share first. Set by hand so that "Israeli presence in the Philadelphi Corridor" pairs with
"presence of Israeli forces on the Philadelphi Corridor" (4/4) and not with the Netzarim issue
(3/4, lower, and taken by its own gold issue first)."""
WORD_STEM_CHARS = 5
"""Leading characters two words must share to count as the same word ("releasing" /
"release", "Palestinian" / "palestine", "withdrawal" / "withdraw")."""
_ISSUE_STOP = frozenset({"a", "an", "the", "of", "in", "on", "to", "from", "and", "or", "for",
                         "with", "at", "by", "its", "their", "as", "they"})
_OUTCOME_WORDS = {
    "no agreement": ("no agreement", "without agreement", "failed", "no deal"),
    "talks continue": ("continue", "resume", "working group", "next round", "meet again"),
    "agreement reached": ("agreement reached", "deal reached", "signed", "agreed"),
    "talks suspended": ("suspend", "halt", "walked out", "broke off"),
    "talks collapsed": ("collapse", "broke down"),
}
"""Gold outcome wording -> the predicted status it stands for."""


def issue_words(text: str) -> list[str]:
    """Content words of an issue label or key, lower case, without a parenthetical note."""
    text = re.sub(r"\([^)]*\)", " ", text)
    words = re.findall(r"[a-z0-9]+", fold(text).replace("-", " ").replace(":", " "))
    return [w for w in words if w not in _ISSUE_STOP]


def _same_word(a: str, b: str) -> bool:
    if len(a) < WORD_STEM_CHARS or len(b) < WORD_STEM_CHARS:
        return a == b
    return a[:WORD_STEM_CHARS] == b[:WORD_STEM_CHARS]


def issue_match_share(gold_label: str, issue: Any) -> float:
    """Share of the gold label's content words found in a predicted issue's label and key."""
    wanted = issue_words(gold_label)
    have = issue_words(f"{getattr(issue, 'label', '')} {getattr(issue, 'key', '')}")
    if not wanted:
        return 0.0
    return sum(any(_same_word(w, h) for h in have) for w in wanted) / len(wanted)


def pair_issues(gold_issues: Sequence[dict[str, Any]], predicted_issues: Sequence[Any]) -> dict[int, Any]:
    """Gold issue index -> predicted issue, one to one, best share first, share >=
    ISSUE_MATCH_SHARE (ties: gold order, then predicted order)."""
    pairs = []
    for gi, g in enumerate(gold_issues):
        for pi, p in enumerate(predicted_issues):
            share = issue_match_share(str(g.get("issue", "")), p)
            if share >= ISSUE_MATCH_SHARE:
                pairs.append((-share, gi, pi))
    out: dict[int, Any] = {}
    used: set[int] = set()
    for _, gi, pi in sorted(pairs):
        if gi not in out and pi not in used:
            out[gi] = predicted_issues[pi]
            used.add(pi)
    return out


def _stance_party_ok(gold_party: str, stance: Any) -> bool:
    if fold(gold_party) == "mediators":
        return getattr(stance, "role", None) == "mediator" or fold(stance.party) == "mediators"
    return fold(gold_party) == fold(stance.party)


def score_negotiation(doc: Doc, gold: dict[str, Any]) -> list[SectionScore]:
    """The sample's negotiation record: parties and mediators (each gold name among the
    predicted ones), venue, round_end (equal), outcome (each "; "-separated gold part whose
    wording names a predicted status, see `_OUTCOME_WORDS`), issues.found (gold issues paired
    with a predicted issue by label words, see `pair_issues`) and stances.found (gold stances,
    party + stance (+ date prefix when the gold gives one), found on the paired issue; "mediators"
    matches any mediator's stance)."""
    predicted_neg = getattr(doc, "negotiation", None) or (doc.spans.get("negotiation") or [None])[0]
    names = ("parties", "mediators", "venue", "round_end", "outcome", "issues", "stances")
    scores = {n: SectionScore("negotiation", n) for n in names}
    if predicted_neg is None:
        for s in scores.values():
            s.status = "not yet extracted"
        return list(scores.values())
    for name in ("parties", "mediators"):
        got = {fold(str(x)) for x in (getattr(predicted_neg, name, None) or [])}
        for item in gold.get(name, []):
            scores[name].add(fold(item) in got, item)
    if gold.get("venue"):
        got_venue = getattr(predicted_neg, "venue", None)
        scores["venue"].add(fold(got_venue) == fold(gold["venue"]), f"{gold['venue']} (got {got_venue})")
    if gold.get("round_end"):
        got_round = getattr(predicted_neg, "round_end", None)
        scores["round_end"].add(got_round == gold["round_end"], f"{gold['round_end']} (got {got_round})")
    statuses = {o.status for o in getattr(predicted_neg, "outcomes", ())}
    for part in [p.strip() for p in str(gold.get("outcome") or "").split(";") if p.strip()]:
        wanted = {status for status, words in _OUTCOME_WORDS.items() if any(w in fold(part) for w in words)}
        scores["outcome"].add(bool(wanted & statuses), f"{part} (got {sorted(statuses)})")
    issues = list(getattr(predicted_neg, "issues", ()))
    paired = pair_issues(gold.get("issues", []), issues)
    for gi, item in enumerate(gold.get("issues", [])):
        match = paired.get(gi)
        scores["issues"].add(match is not None, str(item.get("issue")))
        for st in item.get("stances", []):
            ok = match is not None and any(
                s.stance == st.get("stance") and _stance_party_ok(str(st.get("party")), s)
                and (not st.get("date") or str(s.date or "").startswith(str(st["date"])))
                for s in match.stances)
            scores["stances"].add(ok, f"{item.get('issue')}: {st.get('party')} {st.get('stance')}"
                                  + (f" ({st['date']})" if st.get("date") else ""))
    return list(scores.values())


def score_sample(doc: Doc, gold: dict[str, Any]) -> list[SectionScore]:
    """All section scores of one processed sample against its gold."""
    out: list[SectionScore] = []
    if "published" in gold:
        out += score_published(doc, gold["published"])
    sections = {
        "cleaning": score_cleaning,
        "times": score_times,
        "entities": score_entities,
        "places": score_places,
        "quotes": score_quotes,
        "events": score_events,
        "negotiation": score_negotiation,
    }
    for name, scorer in sections.items():
        if name in gold:
            out += scorer(doc, gold[name])
    # A score with nothing to check (e.g. no entity gives a code) is left out.
    return [s for s in out if s.expected or s.status != "scored"]


def merge_scores(groups: Iterable[Sequence[SectionScore]]) -> list[SectionScore]:
    """Sum section scores of several samples by (section, name); misses keep their sample."""
    merged: dict[tuple[str, str], SectionScore] = {}
    for group in groups:
        for s in group:
            key = (s.section, s.name)
            into = merged.setdefault(key, SectionScore(s.section, s.name, status=s.status))
            into.found += s.found
            into.expected += s.expected
            into.misses += s.misses
            if s.status == "scored":
                into.status = "scored"
    return list(merged.values())


def _event_type(record: Any) -> str | None:
    for name in ("type", "code", "category", "plover"):
        value = getattr(record, name, None)
        if value:
            return str(value)
    return None


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
