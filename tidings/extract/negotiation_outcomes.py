"""Sessions, round, venue and outcomes of the talks an article reports.

The sessions are the sentences reporting a meeting of the talks (talks events that are not
future or hypothetical, and sentences saying a deal was signed); the round is their day dates
(ending on the latest on or before publication, starting within ROUND_WINDOW_DAYS of it); the
venue is the place most of them are held at. Outcomes come from the parties' AGREE events on a
deal ("agreement reached", negated: "no agreement") and from sentence patterns ([outcomes] in
cues.toml: "talks continue", "suspended", ...).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import replace
from typing import Any

from tidings.extract.issues import IssueMention
from tidings.extract.negotiation_sides import DAY_VALUE, SideReader
from tidings.records import Event, Issue, Outcome

ROUND_WINDOW_DAYS = 7
"""Days before the round's last day that still belong to the same round ("walked Hamas
through the proposal on Saturday", talks on Sunday); a week, as rounds of shuttle talks run."""
VENUE_FEATURES = ("city", "other", "area", "region", "country")
"""Place features that can host talks, best first (a corridor or a crossing is an issue, not a
venue)."""

_FUTURE_AUX = frozenset({"will", "would", "shall", "'ll", "wo", "could", "may", "might"})
_FUTURE_VERBS = frozenset({"expect", "plan", "schedule", "due", "set", "hope", "intend", "aim"})
_BEFORE_DEAL = re.compile(
    r"\b(to|will|would|could|may|might|should|shall|not|n't|never|without|no|fail\w*\s+to|"
    r"unable\s+to|expected\s+to|before|until|till)\s+(?:an?\s+|the\s+)?$", re.IGNORECASE)
"""Words just before an agreement phrase that say it has not happened ("would not leave before
a ceasefire was signed", "no deal", "failed to reach a deal")."""


class OutcomeReader(SideReader):
    """Sessions, round, venue and outcomes of one article's talks (internal)."""

    # --- sessions, round, venue ----------------------------------------------------------------

    def _is_future(self, tok: Any) -> bool:
        """True when the clause governing `tok` is future or conditional ("talks would resume",
        "are expected to meet")."""
        cur = tok
        for _ in range(8):
            for c in cur.children:
                if c.dep_ in ("aux", "auxpass") and c.lower_ in _FUTURE_AUX:
                    return True
                if c.dep_ == "mark" and c.lower_ in ("if", "unless"):
                    return True
            if cur.lemma_.lower() in _FUTURE_VERBS and cur.i != tok.i:
                return True
            if cur.head.i == cur.i or cur.dep_ == "ccomp":
                break  # a reported clause has its own tense ("said they had met")
            cur = cur.head
        return False

    def _sessions(self) -> list[tuple[Any, Event | None]]:
        """Sentences that report a session of the talks (with its event, when coded)."""
        out: list[tuple[Any, Event | None]] = []
        parties = set(self.parties)
        for e in self.events:
            if e.type not in ("CONSULT", "AGREE") or e.modality in ("hypothetical", "demanded"):
                continue
            flags = self._flags(e)
            lemmas = self._lemmas(e.start, e.end)
            names = {self._canon(a) for a in (*e.actors, *e.targets)}
            if e.type == "CONSULT":
                ok = bool(flags & {"negotiation", "mediate"}) or lemmas in self.cues.talk_triggers
                ok = ok and (bool(names & parties) or not names or bool(e.mediators))
            else:
                ok = len(names & parties) >= 2 or (any(w in self.cues.deal_nouns for w in lemmas.split())
                                                   and bool(names & parties))
            root = self._trigger_root(e.start, e.end)
            if ok and root is not None and not self._is_future(root):
                out.append((self._sent_of(e.start), e))
        for status, sent, _ in self._pattern_outcomes():
            if status == "agreement reached":
                out.append((sent, None))
        return out

    def _future_time(self, sent: Any, value: str) -> bool:
        for t in self.doc.spans.get("times", []):
            if sent.start_char <= t.start < sent.end_char and t.value == value:
                span = self.parsed.char_span(t.start, t.end, alignment_mode="expand")
                if span is not None and len(span) and self._is_future(span.root):
                    return True
        return False

    def _round(self, sessions: list[tuple[Any, Event | None]]) -> tuple[str | None, str | None]:
        days: list[str] = []
        for sent, e in sessions:
            if e is not None:
                if e.date and DAY_VALUE.match(e.date) and e.date_source in ("clause", "sentence", "governing"):
                    if e.date_source == "sentence" and self._future_time(sent, e.date):
                        continue  # "said talks would resume on Thursday": that day is not this round
                    days.append(e.date[:10])
            else:
                day = self._sentence_day(sent)
                if day:
                    days.append(day)
        published = self.doc.published.isoformat() if self.doc.published and self.doc.published_precision == "day" else None
        if published:
            days = [d for d in days if d <= published]
        if not days:
            return None, None
        end = max(days)
        end_date = dt.date.fromisoformat(end)
        window = [d for d in days if (end_date - dt.date.fromisoformat(d)).days <= ROUND_WINDOW_DAYS]
        return min(window), end

    def _venue(self, sessions: list[tuple[Any, Event | None]], round_end: str | None) -> Any | None:
        places = self.doc.spans.get("places", [])
        votes: Counter[str] = Counter()
        first: dict[str, Any] = {}
        for sent, e in sessions:
            in_round = e is None or (e.date is not None and round_end is not None and e.date[:10] == round_end)
            weight = 2 if in_round else 1
            name = e.place if e is not None else None
            candidates = [p for p in places if sent.start_char <= p.start < sent.end_char
                          and p.feature in VENUE_FEATURES and (name is None or p.name == name)]
            if name is None:
                candidates = [p for p in candidates if self._locative(p)]
            for p in candidates[:1]:
                votes[p.name] += weight
                first.setdefault(p.name, p)
        if not votes:
            return None
        rank = {f: i for i, f in enumerate(VENUE_FEATURES)}
        best = max(votes, key=lambda n: (votes[n], -rank.get(first[n].feature, 9), -first[n].start))
        return first[best]

    def _locative(self, place: Any) -> bool:
        span = self.parsed.char_span(place.start, place.end, alignment_mode="expand")
        if span is None:
            return False
        tok = span.root
        return tok.dep_ == "pobj" and tok.head.lower_ in ("in", "at")

    # --- outcomes -------------------------------------------------------------------------------

    def _pattern_outcomes(self) -> list[tuple[str, Any, re.Match[str]]]:
        out = []
        for sent in self.sents:
            text = sent.text
            for status, pattern in self.cues.outcomes:
                for match in pattern.finditer(text):
                    if status == "agreement reached" and _BEFORE_DEAL.search(text[max(match.start() - 30, 0):match.start()]):
                        continue
                    out.append((status, sent, match))
                    break
        return out

    def _outcomes(self) -> list[tuple[Outcome, list[IssueMention]]]:
        """Outcomes in text order, each with the issue mentions of its agreement event."""
        found: list[tuple[Outcome, list[IssueMention]]] = []
        seen: set[tuple[str, int]] = set()
        parties = set(self.parties)
        for e in self.events:
            if e.type != "AGREE" or e.modality in ("hypothetical", "demanded", "future"):
                continue
            names = {self._canon(a) for a in e.actors}
            lemmas = self._lemmas(e.start, e.end)
            deal = any(w in self.cues.deal_nouns for w in lemmas.split())
            stance = self.cues.triggers.get(lemmas)
            if stance == "propose" or not (len(names & parties) >= 2 or (deal and (names & parties or not names))):
                continue
            status = "no agreement" if e.negated else "agreement reached"
            root = self._trigger_root(e.start, e.end)
            mentions = []
            if root is not None:  # "on a ceasefire", not "in the Gaza ceasefire talks"
                skip = {t.i for c in root.subtree if c.dep_ == "prep" and c.lower_ in ("in", "at", "after", "during")
                        for t in c.subtree}
                mentions = self.finder.mentions_under(root, skip=skip)
            sent = self._sent_of(e.start)
            if (status, sent.start_char) in seen:
                continue
            seen.add((status, sent.start_char))
            found.append((Outcome(sent.start_char, sent.end_char, status, e.date), mentions))  # type: ignore[arg-type]
        for status, sent, _ in self._pattern_outcomes():
            if (status, sent.start_char) in seen:
                continue
            if status in ("agreement reached", "no agreement") and any(o.start == sent.start_char for o, _ in found):
                continue  # the sentence's event already says how it ended
            seen.add((status, sent.start_char))
            date, _ = self._date_near(sent, sent.root)
            found.append((Outcome(sent.start_char, sent.end_char, status, date), []))  # type: ignore[arg-type]
        return sorted(found, key=lambda o: o[0].start)

    @staticmethod
    def _with_issue(outcome: Outcome, mentions: list[IssueMention], issues: list[Issue]) -> Outcome:
        if not mentions:
            return outcome
        key = mentions[0].key
        key = next((i.key for i in issues if i.key == key or key in i.related), key)
        return replace(outcome, issue=key)
