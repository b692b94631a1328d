"""A story's negotiation history: each issue's stances, party by party, in the order they were taken.

    neg = story_negotiation(docs, copy_of={copy_id: canonical_id}, since=..., until=...)
    render_story_negotiation(neg, console)      # `tidings timeline STORY`
    story_negotiation_to_json(neg)              # `tidings timeline STORY --json`
    negotiation_for_story(store, story_id)      # the same, read from a store

Each article's Doc carries one `Negotiation` record (tidings/extract/negotiation.py): parties,
mediators, venue, round, outcomes and issues with the sides' stances. This module merges the
records of a story's articles:

Issues
------
Article issues whose keys name the same issue (`tidings.extract.issues.same_issue`: equal, or
linked types with the same object) are one story issue; an issue known only by a bare type
("ceasefire") joins the one specific issue of that type when there is exactly one. The story
issue's key is the specific key most articles use.

Stances over time
-----------------
For each issue and party, the stances are ordered by the stance's date, not the publication
date: the date the article gives the stance ("rejected the truce on Sunday"), else its
publication date, marked `dated_by="publication"` ("reported" in the terminal); stances with
neither come last. Reports of the same party, stance and date from several articles are one
step listing every report (dated by the text when any of them dates it). A syndicated copy
(`copy_of`) counts as the article it copies: it adds a report to the step but no article or
outlet. A step is flagged `changed` when its stance points the other way from the party's
previous asserted stance on the issue (STANCE_POLARITY: a party that "rejected" then
"accepted"); conditional and announced stances ("would accept") are listed but never count as a
change, and neither does an accusation of backtracking.

Outcomes
--------
Each article's round (its last talks day and venue) is a "round ended" entry and each outcome
("no agreement", "agreement reached", "talks continue") an entry of its own, merged across
articles by status and date and listed in date order. An outcome record does not say where its
date came from, so a date equal to the article's publication day is taken as that fallback.

`since`/`until` keep steps and outcomes whose date can fall inside [since, until] (a
month-dated step is kept if any day of it is inside). Change flags are computed on the whole
history first, so a step's change against a stance before `since` is still shown.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tidings.corpus.reports import PRECISION_ORDER, DatePrecision, date_bounds
from tidings.extract.issues import IssueVocabulary, load_vocabulary, same_issue, split_key
from tidings.records import Negotiation, StanceLabel, from_dict, to_dict

if TYPE_CHECKING:
    from tidings.store import Store

log = logging.getLogger(__name__)

STANCE_POLARITY: Mapping[str, str] = {
    "demand": "for", "propose": "for", "accept": "for",
    "reject": "against",
    "concede": "gives way",
}
"""Which way each stance points on its issue; a step whose polarity differs from the party's
previous one is a change. "accuse-backtracking" is absent: it is aimed at another side and says
nothing about the accuser's own position. A mapping over the closed `StanceLabel` set, not a
vocabulary, so it lives here rather than in tidings/data/."""
CHANGE_MODALITIES = frozenset({"asserted"})
"""Modalities of stances that can make or break a change ("would accept if ..." is no change of
position)."""
EVIDENCE_CHARS = 200
"""Longest evidence sentence shown in the terminal before it is cut with an ellipsis (JSON keeps
the whole sentence)."""

DatedBy = Literal["text", "publication", "none"]
"""What a step's date rests on: the article's text, its publication date, or nothing known."""
TalksStatus = Literal[
    "round ended", "agreement reached", "no agreement", "talks continue", "talks suspended",
    "talks collapsed",
]
"""A talks outcome, or the end of a round of talks (an article's last talks day)."""

_TEXT_SOURCES = frozenset({"clause", "sentence", "governing"})


# --- records ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActorTally:
    """A party or mediator of the story and how widely it is reported as one."""

    name: str
    """Canonical actor name."""
    role: Literal["party", "mediator"]
    """Whether the articles name it as a side or as a mediator."""
    code: str = ""
    """Actor code ("SDN", "PSE-HAMAS") when an article gives one, else ""."""
    articles: int = 0
    """Distinct articles naming it in that role (a syndicated copy counts as its original)."""
    outlets: int = 0
    """Distinct outlets of those articles (copies add none)."""
    outlet_names: tuple[str, ...] = ()
    """Those outlets, sorted."""


@dataclass(frozen=True, slots=True)
class StanceReport:
    """One article's report of a stance."""

    article_id: str
    """The article."""
    outlet: str | None
    """Its outlet."""
    published: dt.date | None
    """Its publication date."""
    start: int
    """Start of the evidence sentence in the article's text."""
    end: int
    """End of the evidence sentence."""
    trigger_start: int
    """Start of the words that state the stance ("rejected")."""
    trigger_end: int
    """End of those words."""
    evidence: str
    """The evidence sentence, as the article's text has it."""
    date: str | None
    """The date this article gives the stance (ISO / TIMEX3 value), None when it gives none."""
    date_source: str
    """Where that date came from: clause, sentence, governing, publication or none."""
    modality: str = "asserted"
    """asserted, hypothetical, future or demanded."""
    source: str = "event"
    """How the extractor found it: event, cue or implied."""
    target: str | None = None
    """Who the stance is addressed to, when the text says."""
    according_to: str | None = None
    """The side that reports it when it is not the stance-taker's own word."""
    copy_of: str | None = None
    """The canonical article when this article is a syndicated copy."""


@dataclass(frozen=True, slots=True)
class StanceStep:
    """One stance of a party on an issue at one date, with every article that reports it."""

    stance: StanceLabel
    """demand, propose, accept, reject, concede or accuse-backtracking."""
    when: str | None
    """The date value the step is ordered by ("2025-05-11", "2025-05"), None when undated."""
    precision: DatePrecision | None
    """day, week, month or year of `when`; None when undated."""
    day: dt.date | None
    """The earliest day `when` can mean (the sort key)."""
    dated_by: DatedBy
    """text: the articles date the stance; publication: only their publication date; none."""
    reports: tuple[StanceReport, ...]
    """The articles reporting it: originals before copies, earliest published first."""
    articles: int
    """Distinct articles reporting it (a copy counts as its original)."""
    outlets: int
    """Distinct outlets of those articles (copies add none)."""
    modality: str = "asserted"
    """asserted when any report states it as taken, else the first report's modality."""
    changed: bool = False
    """True when the stance points the other way from the party's previous asserted stance on
    the issue (see STANCE_POLARITY)."""
    previous: StanceLabel | None = None
    """For a change: the stance it changes from."""
    previous_when: str | None = None
    """For a change: the date of that earlier stance."""


@dataclass(frozen=True, slots=True)
class PartyLine:
    """One party's stances on one issue, in date order."""

    party: str
    """Canonical actor name ("mediators" for the mediators acting together)."""
    role: Literal["party", "mediator", "other"]
    """Its role in the story's talks."""
    steps: tuple[StanceStep, ...]
    """Its stances in date order (undated last)."""

    @property
    def changes(self) -> int:
        """How many steps change the party's position."""
        return sum(1 for s in self.steps if s.changed)


@dataclass(frozen=True, slots=True)
class StoryIssue:
    """One issue of the story's talks and every party's stances on it."""

    key: str
    """Normalised key ("withdrawal:khartoum", "deal"), the specific key most articles use."""
    label: str
    """A readable label, from the earliest article that uses `key`."""
    type: str
    """The issue type (the key's first part)."""
    related: tuple[str, ...]
    """Every other key the articles give it, sorted."""
    articles: int
    """Distinct articles naming the issue (a copy counts as its original)."""
    lines: tuple[PartyLine, ...]
    """One line per party with stances on it: the sides first, then mediators, then others."""


@dataclass(frozen=True, slots=True)
class OutcomeReport:
    """One article's report of an outcome or of the end of a round."""

    article_id: str
    """The article."""
    outlet: str | None
    """Its outlet."""
    published: dt.date | None
    """Its publication date."""
    start: int
    """Start of the evidence sentence in the article's text."""
    end: int
    """End of the evidence sentence."""
    evidence: str
    """The evidence sentence."""
    date: str | None
    """The date this article gives it, None when it gives none."""
    copy_of: str | None = None
    """The canonical article when this article is a syndicated copy."""


@dataclass(frozen=True, slots=True)
class TalksOutcome:
    """Where the talks stood at one date: a round ended, an agreement was reached, talks go on."""

    status: TalksStatus
    """round ended, agreement reached, no agreement, talks continue, suspended or collapsed."""
    when: str | None
    """The date value it is ordered by, None when undated."""
    precision: DatePrecision | None
    """day, week, month or year of `when`."""
    day: dt.date | None
    """The earliest day `when` can mean (the sort key)."""
    dated_by: DatedBy
    """text, publication or none (as for stance steps)."""
    reports: tuple[OutcomeReport, ...]
    """The articles reporting it: originals before copies, earliest published first."""
    articles: int
    """Distinct articles reporting it (a copy counts as its original)."""
    outlets: int
    """Distinct outlets of those articles."""
    issue: str | None = None
    """Key of the story issue it is about, if an article says."""
    venue: str | None = None
    """For a round: where it was held, as most of its articles say."""
    round_start: str | None = None
    """For a round: its first day (ISO)."""


@dataclass(frozen=True, slots=True)
class StoryNegotiation:
    """The negotiation record of a story: sides, mediators, outcomes and each issue's stances."""

    story_id: str | None
    """The story, when the caller names it."""
    articles: int
    """Distinct articles with a negotiation record (a copy counts as its original)."""
    outlets: int
    """Distinct outlets of those articles."""
    parties: tuple[ActorTally, ...]
    """The sides, most reported first."""
    mediators: tuple[ActorTally, ...]
    """The mediators, most reported first."""
    issues: tuple[StoryIssue, ...]
    """The issues, by the date of their first stance (undated last), then key."""
    outcomes: tuple[TalksOutcome, ...]
    """Rounds and outcomes in date order (undated last)."""
    since: dt.date | None = None
    """The filter's first day, if any."""
    until: dt.date | None = None
    """The filter's last day, if any."""


# --- building ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Article:
    """What the merge needs of one article."""

    id: str
    source: str
    outlet: str | None
    published: dt.date | None
    text: str
    record: Negotiation
    copy_of: str | None


def _as_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _dating(value: str | None, date_source: str, published: dt.date | None
            ) -> tuple[str | None, DatePrecision | None, dt.date | None, DatedBy]:
    """`(when, precision, day, dated_by)` of a date an article gives: its own calendar date, else
    its publication date (marked), else undated."""
    bounds = date_bounds(value)
    if bounds is not None:
        return value, bounds[2], bounds[0], "text" if date_source in _TEXT_SOURCES else "publication"
    if published is not None:
        return published.isoformat(), "day", published, "publication"
    return None, None, None, "none"


def _order(day: dt.date | None, precision: DatePrecision | None, dated_by: DatedBy,
           first_published: dt.date | None, tiebreak: tuple[Any, ...]) -> tuple[Any, ...]:
    if day is None:
        return (1, first_published or dt.date.max, 0, 0, tiebreak)
    coarse_first = -PRECISION_ORDER.get(precision or "day", 0)
    return (0, day, coarse_first, dated_by != "text", tiebreak)


def _in_window(day: dt.date | None, when: str | None, since: dt.date | None, until: dt.date | None) -> bool:
    if since is None and until is None:
        return True
    bounds = date_bounds(when)
    if bounds is None:
        return False
    lo, hi, _ = bounds
    return (since is None or hi >= since) and (until is None or lo <= until)


def _articles(docs: Iterable[Any], copy_of: Mapping[str, str]) -> list[_Article]:
    out = []
    for doc in docs:
        for record in (getattr(doc, "spans", {}) or {}).get("negotiation", []):
            canonical = copy_of.get(doc.id)
            canonical = canonical if canonical and canonical != doc.id else None
            out.append(_Article(doc.id, canonical or doc.id, doc.outlet, doc.published, doc.text,
                                record, canonical))
    # originals first, earliest published first: the first report of a step is its best source
    out.sort(key=lambda a: (a.copy_of is not None, a.published or dt.date.max, a.id))
    return out


def _source_outlets(articles: Sequence[_Article]) -> dict[str, str | None]:
    """Source article -> its outlet (the original's, else its first copy's)."""
    out: dict[str, str | None] = {}
    for a in articles:  # originals come first
        if out.get(a.source) is None:
            out[a.source] = a.outlet
    return out


def _tally(articles: Sequence[_Article], outlets: Mapping[str, str | None],
           role: Literal["party", "mediator"]) -> list[ActorTally]:
    sources: dict[str, set[str]] = {}
    codes: dict[str, str] = {}
    first: dict[str, int] = {}
    for i, a in enumerate(articles):
        names = a.record.parties if role == "party" else a.record.mediators
        for j, name in enumerate(names):
            sources.setdefault(name, set()).add(a.source)
            first.setdefault(name, i)
            if role == "party" and j < len(a.record.party_codes) and a.record.party_codes[j]:
                codes.setdefault(name, a.record.party_codes[j])
    tallies = []
    for name, srcs in sources.items():
        outlet_names = sorted({o for s in srcs if (o := outlets.get(s))})
        tallies.append(ActorTally(name, role, codes.get(name, ""), len(srcs), len(outlet_names),
                                  tuple(outlet_names)))
    tallies.sort(key=lambda t: (-t.articles, first[t.name]))
    return tallies


def _match_keys(key: str, related: Sequence[str]) -> set[str]:
    """The keys an article issue is matched by: its own and its related specific keys (a bare
    type in `related` would join every issue of that type)."""
    keys = {key}
    if ":" in key:
        keys |= {r for r in related if ":" in r}
    return keys


def _group_issues(articles: Sequence[_Article], vocab: IssueVocabulary
                  ) -> tuple[list[dict[str, Any]], dict[tuple[str, str], int]]:
    """Story issue groups and (article id, article issue key) -> group index."""
    groups: list[dict[str, Any]] = []
    for a in articles:
        for issue in a.record.issues:
            keys = _match_keys(issue.key, issue.related)
            group = next((g for g in groups
                          if any(same_issue(k, o, vocab) for k in keys for o in g["keys"])), None)
            if group is None:
                group = {"keys": set(), "uses": Counter(), "labels": {}, "sources": set(), "members": []}
                groups.append(group)
            group["keys"] |= keys
            group["uses"][issue.key] += 1 if a.copy_of is None else 0
            group["labels"].setdefault(issue.key, issue.label)
            group["sources"].add(a.source)
            group["members"].append((a.id, issue.key))
    for g in list(groups):  # a bare type joins the one specific issue of its type
        if any(":" in k for k in g["keys"]):
            continue
        specific = [o for o in groups if o is not g
                    and any(":" in k and split_key(k)[0] in g["keys"] for k in o["keys"])]
        if len(specific) == 1:
            target = specific[0]
            target["keys"] |= g["keys"]
            target["uses"].update(g["uses"])
            for k, label in g["labels"].items():
                target["labels"].setdefault(k, label)
            target["sources"] |= g["sources"]
            target["members"] += g["members"]
            groups.remove(g)
    index = {member: i for i, g in enumerate(groups) for member in g["members"]}
    return groups, index


def _story_key(group: Mapping[str, Any]) -> str:
    uses: Counter[str] = group["uses"]
    order = list(group["labels"])  # first use order (articles come earliest first)
    return min(order, key=lambda k: (":" not in k and k != "deal", -uses[k], order.index(k)))


def _stance_report(a: _Article, s: Any) -> StanceReport:
    return StanceReport(
        article_id=a.id, outlet=a.outlet, published=a.published, start=s.start, end=s.end,
        trigger_start=s.trigger_start, trigger_end=s.trigger_end,
        evidence=a.text[s.start:s.end].strip(), date=s.date, date_source=s.date_source,
        modality=s.modality, source=s.source, target=s.target, according_to=s.according_to,
        copy_of=a.copy_of,
    )


def _counts(reports: Sequence[Any], outlets: Mapping[str, str | None]) -> tuple[int, int]:
    sources = {r.copy_of or r.article_id for r in reports}
    return len(sources), len({o for s in sources if (o := outlets.get(s))})


def _report_order(r: Any) -> tuple[Any, ...]:
    return (r.copy_of is not None, r.published or dt.date.max, r.article_id, r.start)


def _flag_changes(steps: list[StanceStep]) -> list[StanceStep]:
    out = []
    last: StanceStep | None = None
    for step in steps:
        polarity = STANCE_POLARITY.get(step.stance)
        if polarity is not None and step.modality in CHANGE_MODALITIES:
            if last is not None and STANCE_POLARITY[last.stance] != polarity:
                step = replace(step, changed=True, previous=last.stance, previous_when=last.when)
            last = step
        out.append(step)
    return out


def _lines(entries: Sequence[tuple[str, str, _Article, Any]], outlets: Mapping[str, str | None],
           roles: Mapping[str, str]) -> list[PartyLine]:
    """Party lines of one issue from (party, stance label, article, Stance) entries."""
    by_step: dict[tuple[str, str, str | None], list[StanceReport]] = {}
    dating: dict[tuple[str, str, str | None], tuple[Any, ...]] = {}
    for party, label, a, s in entries:
        when, precision, day, dated_by = _dating(s.date, s.date_source, a.published)
        key = (party, label, when)
        reports = by_step.setdefault(key, [])
        if any(r.article_id == a.id and r.trigger_start == s.trigger_start for r in reports):
            continue  # one stance filed under two article issues that merged into this one
        reports.append(_stance_report(a, s))
        if key not in dating or dated_by == "text":  # one article's text date dates the step
            dating[key] = (when, precision, day, dated_by)
    per_party: dict[str, list[StanceStep]] = {}
    for step_key, reports in by_step.items():
        party, label = step_key[0], step_key[1]
        when, precision, day, dated_by = dating[step_key]
        reports.sort(key=_report_order)
        n_articles, n_outlets = _counts(reports, outlets)
        modality = "asserted" if any(r.modality == "asserted" for r in reports) else reports[0].modality
        per_party.setdefault(party, []).append(StanceStep(
            stance=label, when=when, precision=precision, day=day,  # type: ignore[arg-type]
            dated_by=dated_by, reports=tuple(reports), articles=n_articles, outlets=n_outlets,
            modality=modality))
    lines = []
    for party, steps in per_party.items():
        steps.sort(key=lambda st: _order(st.day, st.precision, st.dated_by, st.reports[0].published,
                                         (st.reports[0].published or dt.date.max, st.reports[0].article_id,
                                          st.reports[0].start, st.reports[0].trigger_start)))
        role = roles.get(party, "other")
        lines.append(PartyLine(party, role, tuple(_flag_changes(steps))))  # type: ignore[arg-type]
    return lines


def _outcomes(articles: Sequence[_Article], outlets: Mapping[str, str | None],
              issue_keys: Mapping[tuple[str, str], str]) -> list[TalksOutcome]:
    merged: dict[tuple[str, str | None], dict[str, Any]] = {}

    def add(status: str, date: str | None, date_source: str, a: _Article, start: int, end: int,
            **extra: Any) -> None:
        when, precision, day, dated_by = _dating(date, date_source, a.published)
        entry = merged.setdefault((status, when), {
            "when": (when, precision, day, dated_by), "reports": [], "issue": None,
            "venues": Counter(), "round_start": None})
        if dated_by == "text":  # one article's text date dates the entry
            entry["when"] = (when, precision, day, dated_by)
        if any(r.article_id == a.id and r.start == start for r in entry["reports"]):
            return
        entry["reports"].append(OutcomeReport(a.id, a.outlet, a.published, start, end,
                                              a.text[start:end].strip(), date, a.copy_of))
        if extra.get("issue") and entry["issue"] is None:
            entry["issue"] = extra["issue"]
        if extra.get("venue"):
            entry["venues"][extra["venue"]] += 1
        if extra.get("round_start"):
            rs = entry["round_start"]
            entry["round_start"] = min(rs, extra["round_start"]) if rs else extra["round_start"]

    for a in articles:
        rec = a.record
        if rec.round_end:
            # evidence: the record's first sentence reporting the talks
            add("round ended", rec.round_end, "sentence", a, rec.start, rec.end,
                venue=rec.venue, round_start=rec.round_start)
        for o in rec.outcomes:
            issue = issue_keys.get((a.id, o.issue)) if o.issue else None
            # an outcome's date comes from its sentence or the publication date; the record does not
            # say which, so a date equal to the publication day counts as the publication's
            source = "publication" if a.published and o.date == a.published.isoformat() else "sentence"
            add(o.status, o.date, source, a, o.start, o.end, issue=issue)
    out = []
    for (status, _), entry in merged.items():
        when, precision, day, dated_by = entry["when"]
        reports = sorted(entry["reports"], key=_report_order)
        n_articles, n_outlets = _counts(reports, outlets)
        venue = entry["venues"].most_common(1)[0][0] if entry["venues"] else None
        out.append(TalksOutcome(status, when, precision, day, dated_by, tuple(reports),  # type: ignore[arg-type]
                                n_articles, n_outlets, entry["issue"], venue, entry["round_start"]))
    status_rank = {s: i for i, s in enumerate(TalksStatus.__args__)}  # type: ignore[attr-defined]
    out.sort(key=lambda o: _order(o.day, o.precision, o.dated_by, o.reports[0].published,
                                  (status_rank.get(o.status, 9), o.reports[0].article_id)))
    return out


def story_negotiation(docs: Iterable[Any], *, copy_of: Mapping[str, str] | None = None,
                      since: dt.date | str | None = None, until: dt.date | str | None = None,
                      story_id: str | None = None,
                      vocab: IssueVocabulary | None = None) -> StoryNegotiation:
    """The negotiation history of a story's articles (see the module docstring).

    `docs` are processed Docs (or objects with `id`, `outlet`, `published`, `text` and
    `spans["negotiation"]`); `copy_of` maps a syndicated copy's article id to its canonical
    article's id; `since`/`until` are dates or ISO strings; `vocab` is the issue vocabulary
    (default: the shipped one) that says which keys name one issue.
    """
    copy_of = copy_of or {}
    vocab = vocab or load_vocabulary()
    since_d, until_d = _as_date(since), _as_date(until)
    articles = _articles(docs, copy_of)
    outlets = _source_outlets(articles)
    parties = _tally(articles, outlets, "party")
    mediators = _tally(articles, outlets, "mediator")
    roles: dict[str, str] = {t.name: "mediator" for t in mediators}
    roles |= {t.name: "party" for t in parties}
    roles.setdefault("mediators", "mediator")
    groups, index = _group_issues(articles, vocab)
    story_keys = [_story_key(g) for g in groups]
    entries: list[list[tuple[str, str, _Article, Any]]] = [[] for _ in groups]
    for a in articles:
        for issue in a.record.issues:
            gi = index[(a.id, issue.key)]
            entries[gi] += [(s.party, s.stance, a, s) for s in issue.stances]
    issues = []
    for gi, g in enumerate(groups):
        key = story_keys[gi]
        lines = _lines(entries[gi], outlets, roles)
        lines = [PartyLine(ln.party, ln.role, tuple(s for s in ln.steps
                                                    if _in_window(s.day, s.when, since_d, until_d)))
                 for ln in lines]
        lines = [ln for ln in lines if ln.steps]
        if (since_d or until_d) and not lines:
            continue
        role_rank = {"party": 0, "mediator": 1, "other": 2}
        party_rank = {t.name: i for i, t in enumerate(parties)}
        lines.sort(key=lambda ln: (role_rank.get(ln.role, 3), party_rank.get(ln.party, len(party_rank)),
                                   _first_day(ln), ln.party))
        issues.append(StoryIssue(key=key, label=g["labels"][key], type=split_key(key)[0],
                                 related=tuple(sorted(g["keys"] - {key})), articles=len(g["sources"]),
                                 lines=tuple(lines)))
    issues.sort(key=lambda i: (min((_first_day(ln) for ln in i.lines), default=dt.date.max), -i.articles, i.key))
    issue_keys = {member: story_keys[gi] for member, gi in index.items()}
    outcomes = [o for o in _outcomes(articles, outlets, issue_keys)
                if _in_window(o.day, o.when, since_d, until_d)]
    sources = {a.source for a in articles}
    return StoryNegotiation(
        story_id=story_id, articles=len(sources),
        outlets=len({o for s in sources if (o := outlets.get(s))}),
        parties=tuple(parties), mediators=tuple(mediators), issues=tuple(issues),
        outcomes=tuple(outcomes), since=since_d, until=until_d)


def _first_day(line: PartyLine) -> dt.date:
    return min((s.day for s in line.steps if s.day is not None), default=dt.date.max)


# --- from a store -----------------------------------------------------------------------------


def negotiation_for_story(store: Store, story_id: str, *, since: dt.date | str | None = None,
                          until: dt.date | str | None = None) -> StoryNegotiation | None:
    """The negotiation history of a stored story, or None when the story has no articles.

    `story_id` must be a current story id (resolve a merged-away id first, as
    `tidings.api.story_timeline` does). Copies are read from the store's `copies` table, so a
    syndicated copy counts once.
    """
    from tidings.store.stories import story_members

    members = story_members(store, story_id)
    if members is None:
        return None
    docs, copy_of = members
    return story_negotiation(docs, copy_of=copy_of, since=since, until=until, story_id=story_id)


# --- JSON -------------------------------------------------------------------------------------


def story_negotiation_to_json(neg: StoryNegotiation) -> dict[str, Any]:
    """A JSON-able dict of the whole record (dates as ISO strings); `story_negotiation_from_json`
    rebuilds it."""
    return to_dict(neg)


def story_negotiation_from_json(data: dict[str, Any]) -> StoryNegotiation:
    """Rebuild a StoryNegotiation from `story_negotiation_to_json` output."""
    return from_dict(StoryNegotiation, data)


# --- terminal ---------------------------------------------------------------------------------


def _when_label(when: str | None, precision: str | None, day: dt.date | None, dated_by: str) -> str:
    if when is None:
        return "undated"
    label = when
    if precision == "day" and day is not None:
        label += day.strftime(" %a")
    if dated_by == "publication":
        label = f"reported {label}"
    return label


def _short(sentence: str) -> str:
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= EVIDENCE_CHARS else sentence[:EVIDENCE_CHARS - 1] + "…"


def _tallies(label: str, tallies: Sequence[ActorTally]) -> Text:
    text = Text(f"{label}: ", style="bold")
    if not tallies:
        text.append("none named", style="dim")
    for i, t in enumerate(tallies):
        if i:
            text.append(", ")
        text.append(t.name, style="cyan")
        text.append(f" ({t.articles} article{'s' if t.articles != 1 else ''}, "
                    f"{t.outlets} outlet{'s' if t.outlets != 1 else ''})", style="dim")
    return text


def _step_text(step: StanceStep) -> Text:
    text = Text()
    text.append(_when_label(step.when, step.precision, step.day, step.dated_by),
                style="magenta" if step.dated_by == "text" else "dim magenta")
    text.append(" ")
    style = "bold yellow" if step.changed else "bold"
    text.append(step.stance, style=style)
    if step.modality != "asserted":
        text.append(f" ({step.modality})", style="dim")
    if step.changed:
        text.append(f" ↺ was {step.previous}", style="yellow")
    outlets = sorted({r.outlet or r.article_id for r in step.reports if r.copy_of is None}) or \
        sorted({r.outlet or r.article_id for r in step.reports})
    copies = sum(1 for r in step.reports if r.copy_of is not None)
    text.append(f" [{', '.join(outlets)}{f' +{copies} cop' + ('ies' if copies > 1 else 'y') if copies else ''}]",
                style="dim")
    return text


def render_story_negotiation(neg: StoryNegotiation, console: Console, *, evidence: bool = False) -> None:
    """Print a story's negotiation record readably: sides and mediators with how widely they are
    reported, the rounds and outcomes in date order, then one block per issue with a line per
    party giving its stances over time, dates first, changes of position highlighted.
    `evidence` adds each step's evidence sentence. Article text is printed as plain text."""
    head = Text("Negotiation", style="bold")
    if neg.story_id:
        head.append(f" · {neg.story_id}")
    head.append(f" · {neg.articles} article{'s' if neg.articles != 1 else ''}, "
                f"{neg.outlets} outlet{'s' if neg.outlets != 1 else ''}")
    if neg.since or neg.until:
        head.append(f" · {neg.since or '…'} – {neg.until or '…'}")
    console.print(head)
    if not neg.articles:
        console.print(Text("no article of this story reports talks", style="dim"))
        return
    console.print(_tallies("Parties", neg.parties))
    console.print(_tallies("Mediators", neg.mediators))
    if neg.outcomes:
        console.print(Text("Talks", style="bold"))
        for o in neg.outcomes:
            line = Text(f"  {_when_label(o.when, o.precision, o.day, o.dated_by):<22} ",
                        style="magenta" if o.dated_by == "text" else "dim magenta")
            line.append(o.status, style="bold green" if o.status == "agreement reached" else "bold")
            if o.venue:
                line.append(f" in {o.venue}")
            if o.round_start and o.round_start != o.when:
                line.append(f" (from {o.round_start})", style="dim")
            if o.issue:
                line.append(f" on {o.issue}")
            line.append(f"  {o.articles} article{'s' if o.articles != 1 else ''}", style="dim")
            console.print(line)
    for issue in neg.issues:
        console.print()
        title = Text(issue.key, style="bold")
        if issue.label and issue.label != issue.key:
            title.append(f" — {issue.label}")
        title.append(f"   {issue.articles} article{'s' if issue.articles != 1 else ''}", style="dim")
        console.print(title)
        if not issue.lines:
            console.print(Text("  no stances reported", style="dim"))
            continue
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="cyan", no_wrap=True)
        grid.add_column()
        for ln in issue.lines:
            line = Text()
            for i, step in enumerate(ln.steps):
                if i:
                    line.append(" → ", style="dim")
                line.append_text(_step_text(step))
            grid.add_row(Text(f"  {ln.party}"), line)
            if evidence:
                for step in ln.steps:
                    r = step.reports[0]
                    grid.add_row(Text(""), Text(f"{step.when or 'undated'} {step.stance}: ", style="dim")
                                 .append(_short(r.evidence)).append(f" ({r.outlet or r.article_id})", style="dim"))
        console.print(grid)
