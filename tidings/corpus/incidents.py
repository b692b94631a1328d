"""Incidents: events from different articles that describe one real-world happening.

    reports = reports_from_doc(doc, copy_of=canonical_or_None, story_id=story)
    index = IncidentIndex()
    ids = index.add_reports(reports)            # or index.add(article_id, outlet, published, events)
    index.incidents(); index.incident(incident_id); index.renames

    merge_incidents([(doc, event), ...], copy_of={...}) -> list[Incident]   # the same, in one call

    index = IncidentIndex(archive=StoreIncidentArchive(store))   # at ingest: bounded memory
    index.add_reports(reports); write_changes(store, index.take_changes())  # tidings.store.incidents

Reports (tidings/corpus/reports.py) are the asserted events of each article, with their
outlet, publication date, copy link, figures and sentence words. The Incident record and how
it is built from its reports (agreed date, sources, figures, conflicts) are in
tidings/corpus/incident_records.py and re-exported here.

When two reports are the same incident
--------------------------------------
Hard conditions, checked against *every* report already in the incident (complete link):
- the same PLOVER type and the same negation (a meeting that did not happen is not the meeting);
- a date at most MAX_DATE_GAP_DAYS from the incident's agreed date (not from every report's:
  one outlet's wrong date must not split an incident), comparing the days each value can mean
  ("2024-07" is all of July). A date the coder took from the publication date is a guess: it
  stands for PUBLICATION_LAG_DAYS before publication up to publication day;
- compatible places: the same place, or either missing, or one a country or region (BROAD_PLACES)
  of the same country as the other;
- compatible targets: overlapping, or either empty (for SYMMETRIC_TYPES: overlapping
  participants, when both name an actor).
When both the report and the incident name actors (generic ones aside), they share one: a
report without actors in the incident does not let in a report of other actors.
Evidence, from at least *one* report of the incident (single link):
- overlapping actors (by actor code, where the coder gives one, so the Israeli army and Israel,
  code ISR, are one actor; else by folded name). For the types where who acts and who is acted
  on are interchangeable (SYMMETRIC_TYPES: "A met B" is "B held talks with A") actors and
  targets are compared together, as the participants; or
- for a report without actors (or only generic ones, "gunmen", "police": reports.py keys them
  "role:"): the same named place, a shared target or the same generic actor, sentence words in
  common (word Jaccard >= ACTORLESS_MIN_SIMILARITY), and, when it dates the event in the
  event's own clause, a date that overlaps the other report's (if dated so too) and the
  incident's agreed date (such weak evidence does not stretch over a day's gap). Background
  reports (dated more than REMOTE_PAST_DAYS before publication, to the day or month) with
  overlapping dates need no words in common; or
- the same part of the same sentence of the same article (the coder often codes "airstrike" and
  "killed" in one sentence as two events; a sentence is cut at "a day after", "since", ...):
  only the hard conditions apply.
An undated report (no date at all) merges only with reports of the same story (`story_id`) whose
sentences share words (Jaccard >= UNDATED_MIN_SIMILARITY), besides the evidence above.
A report with no actor, target or place ("Hamas condemned *the strike*") says nothing about which
happening it is: it joins an incident only through a report in its own sentence, else it is
dropped.

A new report joins the incident it fits best (sum of actor overlap, shared place, target, day and
words); when it fits several, those whose reports all meet the hard conditions with each other,
and which share an actor when both name one, are merged through it (a report without actors
does not bridge two incidents of different actors).

Order, ids and copies
---------------------
`merge_incidents` adds reports in a canonical order (publication date, article id, event index),
so its result does not depend on the order of its input. `IncidentIndex.add` places reports as
they arrive, which gives the same incidents when articles arrive in publication order; otherwise
a report that fits two incidents which do not fit each other can end up in the other one.
An incident's id is "i-" + a hash of its earliest report that names an actor, target or place
(earliest published non-copy report, then article id, then event index), so it never changes
while articles arrive in publication order; when an earlier report arrives late, or incidents
merge, the id moves to the new earliest report and `renames` records the old id (the store
keeps it as an alias).
Reports from a syndicated copy stay listed but count as one source with their canonical article:
they add no outlet and no figure or date vote of their own.

How arrival order can change the incidents, precisely: `add_reports` places the reports of one
call in `merge_incidents`' canonical order only within that call; across calls a report is placed
against the incidents as they stand. Two things then depend on order: (1) a report that fits two
incidents which do not fit each other joins the one with the best evidence *at that moment*, and
a later report can make the other the better fit; (2) the agreed date of an incident moves as
reports arrive, so a report checked against an earlier agreed date may have been kept out of (or
let into) an incident it would not be in with every report present. Ingesting in publication
order (what `merge_incidents` does) gives identical incidents and ids; tests/test_incident_store.py
checks this on the dev set (tests/fixtures/incidents) and on examples/. What never depends on
order: every report is placed once, every incident meets the hard conditions pairwise, and an
incident with the same reports has the same id. Measured on the dev set (63 reports, 28
incidents), one article at a time: reverse publication order keeps 26 of 28 incidents (pairwise
F1 0.94 against publication order); 19 random orders gave identical incidents 8 times, pairwise
F1 0.91-1.0 (median 0.97). The dev2 set (32 reports, 15 incidents) gave identical incidents in
reverse and in 19 random orders.

Memory and the store
--------------------
With an `archive` (the store: tidings.store.incidents.StoreIncidentArchive) the index keeps only
a window of incidents in memory: an incident whose date range (`incident_range`: the days its
agreed date can mean) ends more than `keep_days` before the newest publication date seen, or an
undated one last reported that long ago, is dropped from memory once its changes were taken
(`take_changes`, which the caller writes). Before placing a report the index loads from the
archive every stored incident it could join: those whose range lies within MAX_DATE_GAP_DAYS of
the report's date, and, for reports of a story, the undated incidents of that story (all of the
story's incidents for an undated report). Loading is exact, so eviction changes memory and
speed, never the incidents: with an archive, ingesting in any batch sizes gives what one
in-memory index gives for the same arrival order.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from tidings.corpus.date_ranges import gaps, union
from tidings.corpus.incident_records import (
    DATE_SOURCE_ORDER,
    MAX_DATE_GAP_DAYS,
    PUBLICATION_LAG_DAYS,
    DateBasis,
    DateCount,
    FigureCount,
    Incident,
    IncidentRename,
    agreed_range,
    memo_date_bounds,
    memo_fold_name,
    gap_days,
    incident_order,
    build_incident,
    incident_from_json,
    incident_range,
    incident_to_json,
)
from tidings.corpus.incident_rules import (
    ACTORLESS_MIN_SIMILARITY,
    BROAD_PLACES,
    REMOTE_PAST_DAYS,
    SYMMETRIC_TYPES,
    UNDATED_MIN_SIMILARITY,
    actors_of,
    compatible,
    evidence,
    places_compatible,
    report_range,
    same_sentence,
    weak_link,
)
from tidings.corpus.reports import ArticleMeta, Report, make_report
from tidings.records import Entity, Event, Place

__all__ = [  # records (tidings.corpus.incident_records) and rules (tidings.corpus.incident_rules)
    # are defined there and re-exported here
    "ACTORLESS_MIN_SIMILARITY", "BROAD_PLACES", "DATE_SOURCE_ORDER", "INDEX_KEEP_DAYS",
    "MAX_DATE_GAP_DAYS", "PUBLICATION_LAG_DAYS", "REMOTE_PAST_DAYS", "SYMMETRIC_TYPES",
    "UNDATED_MIN_SIMILARITY", "DateBasis",
    "DateCount", "FigureCount", "Incident", "IncidentArchive", "IncidentChanges", "IncidentIndex",
    "IncidentRename", "IndexStats", "build_incident", "compatible", "evidence",
    "incident_from_json", "incident_id_for", "incident_range", "incident_to_json",
    "merge_incidents", "places_compatible",
]

log = logging.getLogger(__name__)

ID_PREFIX = "i-"


# --- the index ----------------------------------------------------------------------------


def incident_id_for(report: Report) -> str:
    """The id of an incident whose earliest report is `report`."""
    digest = hashlib.sha256(f"{report.article_id}\x00{report.event_idx}".encode())
    return ID_PREFIX + digest.hexdigest()[:16]


class IncidentArchive(Protocol):
    """Where an `IncidentIndex` reloads the incidents it evicted (the store implements it in
    tidings.store.incidents). Each method returns stored incidents with all their reports."""

    def load_dates(self, lo: dt.date, hi: dt.date) -> Iterable[Incident]:
        """Incidents whose `incident_range` overlaps [lo, hi]."""
        ...

    def load_story(self, story_id: str, *, undated_only: bool) -> Iterable[Incident]:
        """Incidents with a report whose `story_id` is `story_id` (only undated ones when
        `undated_only`)."""
        ...

    def load_article(self, article_id: str) -> Iterable[Incident]:
        """Incidents holding a report of `article_id`."""
        ...


@dataclass(frozen=True, slots=True)
class IncidentChanges:
    """What changed in an index since the last `take_changes`: what a store must write."""

    incidents: tuple[Incident, ...]
    """Incidents created or changed, as they are now."""
    deleted: tuple[str, ...]
    """Ids that no longer name an incident (renamed, merged away, or emptied)."""
    placed: tuple[tuple[Report, str], ...]
    """Reports that joined or moved to an incident, with its id."""
    removed: tuple[tuple[str, int], ...]
    """(article id, event index) of reports taken out (`remove_article`) and not put back."""
    renames: tuple[IncidentRename, ...]
    """Id changes, in order."""

    def __bool__(self) -> bool:
        return bool(self.incidents or self.deleted or self.placed or self.removed or self.renames)


@dataclass(slots=True)
class IndexStats:
    """Counters of an index's work with its archive."""

    loads: int = 0
    """Archive queries made."""
    loaded: int = 0
    """Incidents reinstated from the archive."""
    evicted: int = 0
    """Incidents dropped from memory."""


_UNSET = object()


@dataclass(slots=True)
class _Working:
    id: str
    reports: dict[tuple[str, int], Report] = field(default_factory=dict)
    snapshot: Incident | None = None
    core: tuple[dt.date, dt.date] | None | object = _UNSET
    """`incident_range` of the incident as it is (_UNSET when it changed since)."""


INDEX_KEEP_DAYS = 7
"""Days an incident stays in memory after the end of its date range, counted back from the
newest publication date seen (with an archive only). Beyond it the incident is reloaded from the
store when a report could join it, so this trades memory for archive queries and never changes
a result: news mostly reports what happened in the last days, and a week keeps the incidents of
late reports and weekly round-ups in memory. Set by hand."""

MAX_STORY_MARKS = 10_000
"""Stories remembered as "their undated incidents are loaded"; beyond this the memory is reset
(which only costs queries again), so it cannot grow with the corpus."""


class IncidentIndex:
    """Merges reports into incidents as they arrive (see the module docstring for the rules,
    how the result depends on arrival order, and how memory stays bounded with an archive)."""

    def __init__(self, *, max_date_gap_days: int = MAX_DATE_GAP_DAYS,
                 archive: IncidentArchive | None = None, keep_days: int = INDEX_KEEP_DAYS) -> None:
        self.max_gap = max_date_gap_days
        self.archive = archive
        self.keep = dt.timedelta(days=keep_days)
        self.renames: list[IncidentRename] = []
        """Every id change since the last `take_changes`, in order."""
        self.stats = IndexStats()
        self._incidents: dict[str, _Working] = {}
        self._of: dict[tuple[str, int], str] = {}
        self._postings: dict[tuple[Any, ...], set[str]] = {}
        self._aliases: dict[str, str] = {}
        self._horizon: dt.date | None = None  # newest publication date seen
        # Date ranges for which every stored incident is in memory, and stories whose undated
        # incidents ("u") or all incidents ("a") are; without an archive memory is everything.
        self._complete: list[tuple[dt.date, dt.date]] = (
            [] if archive is not None else [(dt.date.min, dt.date.max)])
        self._story_marks: set[tuple[str, str]] = set()
        # changes not yet taken
        self._dirty: set[str] = set()
        self._deleted: set[str] = set()
        self._moved: set[tuple[str, int]] = set()
        self._removed: set[tuple[str, int]] = set()

    # -- queries --

    def __len__(self) -> int:
        """Incidents in memory."""
        return len(self._incidents)

    @property
    def reports_in_memory(self) -> int:
        """Reports of the incidents in memory."""
        return len(self._of)

    def resolve(self, incident_id: str) -> str:
        """The current id of an incident, following renames."""
        seen: set[str] = set()
        while incident_id in self._aliases and incident_id not in seen:
            seen.add(incident_id)
            incident_id = self._aliases[incident_id]
        return incident_id

    def incident_of(self, article_id: str, event_idx: int) -> str | None:
        """Id of the incident holding that report (in memory), or None."""
        return self._of.get((article_id, event_idx))

    def incident(self, incident_id: str) -> Incident:
        """The incident with this id (or an id it was renamed from), in memory."""
        w = self._incidents[self.resolve(incident_id)]
        if w.snapshot is None:
            w.snapshot = build_incident(w.id, w.reports.values())
        return w.snapshot

    def incidents(self) -> list[Incident]:
        """All incidents in memory, by date (undated last), then id."""
        out = [self.incident(i) for i in self._incidents]
        return sorted(out, key=incident_order)

    # -- adding --

    def add(self, article_id: str, outlet: str | None, published: dt.date | None,
            events: Sequence[Event], *, text: str = "", places: Sequence[Place] = (),
            entities: Sequence[Entity] = (), copy_of: str | None = None,
            story_id: str | None = None) -> list[str | None]:
        """Place the events of one article (all of doc.spans["events"], in order); returns,
        aligned with `events`, the id of each event's incident, or None for events that report no
        happening or could not be placed. `text`, `places` and `entities` (the article's) are
        optional: without them reports have no figures or words, and places no country."""
        meta = ArticleMeta(article_id, outlet, published, text, tuple(places), tuple(entities))
        reports = [make_report(meta, e, i, copy_of=copy_of, story_id=story_id,
                               sentence_events=events) for i, e in enumerate(events)]
        self.add_reports([r for r in reports if r is not None])
        return [self.incident_of(article_id, i) for i in range(len(events))]

    def add_reports(self, reports: Iterable[Report]) -> list[str | None]:
        """Place reports (of one or more articles); returns each one's incident id, or None for
        a report that names no actor, target or place and has no report in its sentence.
        A report already in memory is left where it is."""
        pending = list(reports)
        for r in pending:
            if r.published is not None and (self._horizon is None or r.published > self._horizon):
                self._horizon = r.published
        self._evict()
        by_article: dict[str, list[Report]] = {}
        for r in pending:
            by_article.setdefault(r.article_id, []).append(r)
        for article_reports in by_article.values():
            for r in article_reports:
                if r.anchored:
                    self._place(r)
            for r in article_reports:
                if not r.anchored:
                    self._attach(r)
        return [self.incident_of(r.article_id, r.event_idx) for r in pending]

    def replace_article(self, article_id: str, reports: Sequence[Report]) -> list[str | None]:
        """Make `reports` the reports of `article_id` (a re-processed article): unchanged reports
        change nothing; otherwise the old ones are taken out (`remove_article`) and these added."""
        self._load(lambda a: a.load_article(article_id))
        old = {k: self._incidents[i].reports[k] for k, i in self._of.items() if k[0] == article_id}
        new = {(r.article_id, r.event_idx): r for r in reports}
        # unchanged: the same placed reports; an unanchored report that was dropped before is
        # dropped again (its fate depends only on its own article's reports)
        if set(old) <= set(new) and all(old.get(k) == r for k, r in new.items() if r.anchored or k in old):
            return [self.incident_of(r.article_id, r.event_idx) for r in reports]
        self.remove_article(article_id)
        return self.add_reports(reports)

    def remove_article(self, article_id: str) -> list[Report]:
        """Take every report of an article out of its incident (loaded from the archive first);
        returns them. An incident left empty is deleted; one that loses its earliest report is
        renamed; an incident is never split (a removed report that bridged two is not undone)."""
        self._load(lambda a: a.load_article(article_id))
        keys = sorted(k for k in self._of if k[0] == article_id)
        out = []
        touched: set[str] = set()
        for key in keys:
            incident_id = self._of.pop(key)
            w = self._incidents[incident_id]
            r = w.reports.pop(key)
            out.append(r)
            for pkey in self._keys(r):
                self._postings.get(pkey, set()).discard(incident_id)
            self._moved.discard(key)
            self._removed.add(key)
            touched.add(incident_id)
        for incident_id in sorted(touched):
            w = self._incidents[incident_id]
            w.snapshot = None
            w.core = _UNSET
            if not w.reports:
                del self._incidents[incident_id]
                self._deleted.add(incident_id)
                self._dirty.discard(incident_id)
                continue
            for r in w.reports.values():  # keys it still has
                for pkey in self._keys(r):
                    self._postings.setdefault(pkey, set()).add(incident_id)
            self._dirty.add(incident_id)
            self._rekey(incident_id)
        return out

    def take_changes(self) -> IncidentChanges:
        """What changed since the last call (for the caller to persist); clears it. Only
        incidents whose changes were taken can be evicted."""
        live = [i for i in sorted(self._dirty) if i in self._incidents]
        placed = tuple((self._incidents[self._of[k]].reports[k], self._of[k])
                       for k in sorted(self._moved) if k in self._of)
        changes = IncidentChanges(
            incidents=tuple(self.incident(i) for i in live),
            deleted=tuple(sorted(i for i in self._deleted if i not in self._incidents)),
            placed=placed,
            removed=tuple(sorted(k for k in self._removed if k not in self._of)),
            renames=tuple(self.renames))
        self._dirty.clear()
        self._deleted.clear()
        self._moved.clear()
        self._removed.clear()
        self.renames.clear()
        return changes

    def _keys(self, r: Report) -> list[tuple[Any, ...]]:
        head: tuple[Any, ...] = (r.event.type, r.event.negated)
        keys: list[tuple[Any, ...]] = [(*head, "a", k) for k in r.actor_keys]
        keys += [(*head, "t", k) for k in r.target_keys]
        if r.place:
            keys.append((*head, "p", memo_fold_name(r.place)))
        keys.append((*head, "s", r.article_id, r.event.sentence_start))
        return keys

    def _candidates(self, r: Report) -> list[str]:
        found: set[str] = set()
        for key in self._keys(r):
            found |= self._postings.get(key, set())
        return sorted(found)

    def _core(self, incident_id: str) -> tuple[dt.date, dt.date] | None:
        """The days the incident's agreed date can mean (a publication-based one widened)."""
        w = self._incidents[self.resolve(incident_id)]
        if w.snapshot is not None:
            return incident_range(w.snapshot)
        if w.core is _UNSET:
            w.core = agreed_range(w.reports.values())
        return w.core  # type: ignore[return-value]

    def _dates_fit(self, rng: tuple[dt.date, dt.date] | None, incident_id: str) -> bool:
        core = self._core(incident_id)
        return rng is None or core is None or gap_days(rng, core) <= self.max_gap

    def _fit(self, r: Report, incident_id: str) -> float | None:
        """Evidence score of `r` for the incident, or None when it does not fit: the hard
        conditions hold with every report (dates: with the incident's agreed date, so that one
        outlet's wrong date does not split an incident) and some report gives evidence."""
        if not self._dates_fit(report_range(r), incident_id):
            return None
        members = self._incidents[incident_id].reports.values()
        mine, theirs = actors_of([r]), actors_of(members)
        if mine and theirs and not mine & theirs:
            return None
        core = self._core(incident_id)
        written = report_range(r) if r.event.date_source == "clause" else None
        off_day = written is not None and core is not None and gap_days(written, core) > 0
        best: float | None = None
        for m in members:
            if not compatible(r, m, self.max_gap, dates=False):
                return None
            score = evidence(r, m)
            if score is not None and off_day and weak_link(r, m):
                continue  # weak evidence needs the incident's own day, not one next to it
            if score is not None and (best is None or score > best):
                best = score
        return best

    def _place(self, r: Report) -> None:
        if (r.article_id, r.event_idx) in self._of:
            return
        self._ensure_loaded(r)
        fits = [(score, i) for i in self._candidates(r) if (score := self._fit(r, i)) is not None]
        if not fits:
            new_id = incident_id_for(r)
            self._incidents[new_id] = _Working(new_id)
            self._put(r, new_id)
            return
        fits.sort(key=lambda si: (-si[0], si[1]))
        target = fits[0][1]
        self._put(r, target)
        for _, other in fits[1:]:
            if other in self._incidents and other != target and self._mergeable(target, other):
                target = self._merge(other, target)
        self._rekey(self._of[(r.article_id, r.event_idx)])

    def _attach(self, r: Report) -> None:
        """An unanchored report joins the incident of a compatible report in its sentence."""
        if (r.article_id, r.event_idx) in self._of:
            return
        key = (r.event.type, r.event.negated, "s", r.article_id, r.event.sentence_start)
        for incident_id in sorted(self._postings.get(key, set())):
            w = self._incidents[incident_id]
            if any(same_sentence(r, m) and compatible(r, m, self.max_gap)
                   for m in w.reports.values()):
                self._put(r, incident_id)
                return
        log.debug("report %s#%d names no actor, target or place: not an incident",
                  r.article_id, r.event_idx)

    def _put(self, r: Report, incident_id: str) -> None:
        w = self._incidents[incident_id]
        key = (r.article_id, r.event_idx)
        w.reports[key] = r
        w.snapshot = None
        w.core = _UNSET
        self._of[key] = incident_id
        self._dirty.add(incident_id)
        self._moved.add(key)
        for pkey in self._keys(r):
            self._postings.setdefault(pkey, set()).add(incident_id)

    def _mergeable(self, a: str, b: str) -> bool:
        if not self._dates_fit(self._core(a), b):
            return False
        ra, rb = self._incidents[a].reports.values(), self._incidents[b].reports.values()
        who_a, who_b = actors_of(ra), actors_of(rb)
        if who_a and who_b and not who_a & who_b:
            return False
        return all(compatible(x, y, self.max_gap, dates=False) for x in ra for y in rb)

    def _merge(self, absorbed_id: str, survivor_id: str) -> str:
        absorbed = self._incidents.pop(absorbed_id)
        self._deleted.add(absorbed_id)
        self._dirty.discard(absorbed_id)
        for r in absorbed.reports.values():
            for key in self._keys(r):
                self._postings.get(key, set()).discard(absorbed_id)
            self._put(r, survivor_id)
        self._alias(absorbed_id, survivor_id, "merged")
        return survivor_id

    def _rekey(self, incident_id: str) -> None:
        w = self._incidents[incident_id]
        anchored = [r for r in w.reports.values() if r.anchored] or list(w.reports.values())
        new_id = incident_id_for(min(anchored, key=lambda r: r.key))
        if new_id == incident_id:
            return
        if new_id in self._incidents:  # cannot happen: a report is in one incident only
            log.warning("incident id %s already in use; %s keeps its id", new_id, incident_id)
            return
        self._incidents[new_id] = self._incidents.pop(incident_id)
        self._deleted.add(incident_id)
        self._dirty.discard(incident_id)
        self._dirty.add(new_id)
        w.id = new_id
        w.snapshot = None
        w.core = _UNSET
        for r in w.reports.values():
            self._of[(r.article_id, r.event_idx)] = new_id
            self._moved.add((r.article_id, r.event_idx))
            for key in self._keys(r):
                posting = self._postings.setdefault(key, set())
                posting.discard(incident_id)
                posting.add(new_id)
        self._alias(incident_id, new_id, "rekeyed")

    def _alias(self, old: str, new: str, reason: Literal["rekeyed", "merged"]) -> None:
        if any(x.old == new and x.new == old and x.reason == "merged" for x in self.renames):
            reason = "merged"  # a merge's survivor renamed back to the absorbed id: old was merged
        self._aliases.pop(new, None)
        self._aliases[old] = new
        for k, v in list(self._aliases.items()):
            if v == old:
                self._aliases[k] = new
        self.renames.append(IncidentRename(old, new, reason))

    # -- memory and the archive --

    def _ensure_loaded(self, r: Report) -> None:
        """Load from the archive every stored incident `r` could join (module docstring)."""
        if self.archive is None:
            return
        rng = report_range(r)
        if rng is not None:
            gap = dt.timedelta(days=self.max_gap)
            want = (rng[0] - gap, rng[1] + gap)
            for gap_lo, gap_hi in gaps(self._complete, want):
                self._load(functools.partial(_load_dates, lo=gap_lo, hi=gap_hi))
            self._complete = union(self._complete, want)
        if r.story_id:
            kind = "u" if rng is not None else "a"
            if (r.story_id, kind) not in self._story_marks and (r.story_id, "a") not in self._story_marks:
                story_id = r.story_id
                self._load(lambda a: a.load_story(story_id, undated_only=kind == "u"))
                if len(self._story_marks) >= MAX_STORY_MARKS:
                    self._story_marks.clear()
                self._story_marks.add((r.story_id, kind))

    def _load(self, query: Callable[[IncidentArchive], Iterable[Incident]]) -> None:
        if self.archive is None:
            return
        self.stats.loads += 1
        for incident in query(self.archive):
            self._reinstate(incident)

    def _reinstate(self, incident: Incident) -> None:
        """Put a stored incident back in memory, unless memory has a newer state of it (its id
        or one of its reports is in memory, or was deleted/removed and not yet written)."""
        if incident.id in self._incidents or incident.id in self._deleted:
            return
        keys = [(r.article_id, r.event_idx) for r in incident.reports]
        if any(k in self._of or k in self._removed for k in keys):
            return
        self._incidents[incident.id] = _Working(incident.id, dict(zip(keys, incident.reports)),
                                                incident)
        for key, r in zip(keys, incident.reports):
            self._of[key] = incident.id
            for pkey in self._keys(r):
                self._postings.setdefault(pkey, set()).add(incident.id)
        self.stats.loaded += 1

    def _evict(self) -> None:
        """Drop incidents (whose changes were taken) that ended more than `keep` before the
        newest publication date; only with an archive to reload them from."""
        if self.archive is None or self._horizon is None:
            return
        cutoff = self._horizon - self.keep
        for incident_id in list(self._incidents):
            if incident_id in self._dirty:
                continue
            w = self._incidents[incident_id]
            inc = self.incident(incident_id)
            rng = incident_range(inc)
            end = rng[1] if rng is not None else max(
                (r.published for r in w.reports.values() if r.published), default=dt.date.min)
            if end >= cutoff:
                continue
            del self._incidents[incident_id]
            for key, r in w.reports.items():
                self._of.pop(key, None)
                for pkey in self._keys(r):
                    posting = self._postings.get(pkey)
                    if posting is not None:
                        posting.discard(incident_id)
                        if not posting:
                            del self._postings[pkey]
                if r.story_id:  # its story's undated incidents, or all of them, are no longer all here
                    if rng is None:
                        self._story_marks.discard((r.story_id, "u"))
                    self._story_marks.discard((r.story_id, "a"))
            for old in [k for k, v in self._aliases.items() if v == incident_id]:
                del self._aliases[old]
            self.stats.evicted += 1
        self._complete = [(max(lo, cutoff), hi) for lo, hi in self._complete if hi >= cutoff]


def _load_dates(archive: IncidentArchive, *, lo: dt.date, hi: dt.date) -> Iterable[Incident]:
    return archive.load_dates(lo, hi)


# --- one call -----------------------------------------------------------------------------


def merge_incidents(items: Iterable[tuple[Any, Event] | Report],
                    copy_of: Mapping[str, str] | None = None,
                    story_of: Mapping[str, str] | None = None) -> list[Incident]:
    """Merge reports of many articles into incidents; pure and independent of the input order.

    `items` are (article, event) pairs, where the article is a Doc or an `ArticleMeta` and the
    event one of its doc.spans["events"], or ready-made Reports. `copy_of` maps a syndicated
    copy's article id to its canonical article's id; `story_of` maps article ids to story ids
    (only undated reports need it). Returns incidents by date, undated last.
    """
    copy_of = copy_of or {}
    story_of = story_of or {}
    reports: list[Report] = []
    positions: dict[str, int] = {}
    for item in items:
        if isinstance(item, Report):
            reports.append(item)
            continue
        article, event = item
        events = (getattr(article, "spans", {}) or {}).get("events", [])
        idx = next((i for i, e in enumerate(events) if e is event), None)
        if idx is None:
            idx = positions.get(article.id, 0)
            positions[article.id] = idx + 1
        r = make_report(article, event, idx, copy_of=copy_of.get(article.id),
                        story_id=story_of.get(article.id), sentence_events=events)
        if r is not None:
            reports.append(r)
    index = IncidentIndex()
    index.add_reports(sorted(reports, key=lambda r: (r.published or dt.date.max, r.article_id,
                                                     r.event_idx)))
    return index.incidents()


