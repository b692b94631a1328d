"""Stories: articles about one developing news story, grouped incrementally as they arrive.

    index = StoryIndex()
    assignment = index.add(article_id, find_story_features(doc), copy_of=canonical_id_or_None)
    index.story_of(article_id); index.summary(story_id); index.merges

How an article is placed
------------------------
Two articles are *linked* when their publication dates are at most WINDOW_DAYS apart and
their similarity (`tidings.corpus.features.similarity`: a weighted mean of the cosines of their
actors, places, issues and vocabulary, weights PART_WEIGHTS) reaches LINK_THRESHOLD
(IMPRECISE_LINK_THRESHOLD when either date is known only to the month or year, or not at all).
A story is a connected component of the link graph: a new article joins the story of every
recent article it links to; linking to none, it founds a story; linking to articles of two or
more stories, it merges them (a bridging article). A syndicated copy (`copy_of`) joins its
canonical's story directly, with score 1, and is not compared or counted in the story's actors
and words: it would only repeat its canonical.

Order of arrival
----------------
*Which articles end up together does not depend on the order they arrive in*: links are a
symmetric function of two articles' features, and connected components do not depend on the
order edges are added. This holds exactly as long as every article an arrival could link to
is still indexed when it arrives, i.e.

- articles arrive at most LATE_DAYS after the newest publication date seen so far, or an
  archive (`StoryArchive`, the store) is given, from which the index reloads what it evicted;
- copies arrive after their canonical (a copy that arrives first is grouped by its own
  features, which places it in the same story in practice, but its words then count in the
  story's label too);
- undated articles see only the stories in memory when they arrive (they link across any date
  gap, so for them "recent" means "still in memory").

*Story ids are stable*: an id ("s-" + a hash of an article id) is fixed by the article that
founded the story, the first of its articles to arrive, and never changes as articles join.
When a bridging article merges stories, the surviving id is that of the story whose founding
article was published first (then the smaller article id); the others are recorded in `merges`
and `resolve()` maps them to the survivor. Ids, unlike groupings, depend on arrival order in
one way: a story's id comes from whichever of its articles arrived first, which is its
earliest-published article when articles arrive in publication order.

Memory
------
Only stories with an article published within WINDOW_DAYS + LATE_DAYS of the newest date seen
stay in memory (with their members' features); older ones are evicted: handed to the archive's
`save` if there is one, else dropped, with a debug log line. What the store needs to rebuild
an index is described in `StoryArchive`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from tidings.corpus.date_ranges import gaps, union
from tidings.corpus.features import (
    StoryFeatures,
    Vectors,
    fold_name,
    similarity_of,
)

log = logging.getLogger(__name__)

WINDOW_DAYS = 7
"""Days (inclusive) between the publication dates of two articles that can be linked. A story
goes on as long as some article follows within this gap; the same actors meeting again after a
longer silence start a new story. Calibrated on tests/fixtures/stories (Cairo talks in August
and November are two stories; the El Fasher siege, reported every 4-6 days, is one)."""

LATE_DAYS = 7
"""Days an article may be published before the newest date seen and still be grouped exactly
without an archive: stories are kept in memory this long past the window."""

PART_WEIGHTS: Mapping[str, float] = {"actors": 0.3, "places": 0.1, "issues": 0.0, "terms": 0.6}
"""Weight of each feature part in the similarity (relative; parts both articles lack are left
out and the rest renormalised). Vocabulary carries most: independent reports of one story share
names and words more reliably than the extractors find the same actors and places. Calibrated
on tests/fixtures/stories/articles.jsonl by grid search (see its README). Issues (negotiation
issues, event types) are 0 until those extractors land and the weight can be measured: an
article with events compared with one whose events were missed would otherwise lose score."""

LINK_THRESHOLD = 0.33
"""Similarity (0-1) at or above which two articles dated within WINDOW_DAYS are linked. Gates
joining and merging stories. Calibrated on tests/fixtures/stories/articles.jsonl: B-cubed F1 is
at its best (0.970, precision 1.0) from 0.31 to 0.35; this is the middle (see its README)."""

IMPRECISE_LINK_THRESHOLD = 0.40
"""LINK_THRESHOLD for a pair where either date is known only to the month or year, or not at
all: the window cannot be checked (an undated article can link across any gap), so the words
must say more. Set by hand above the top of the dev plateau (0.35); on examples/ the month-dated
and the undated Nepal flood articles link to their story at 0.42-0.63 and to others at <= 0.03."""

MAX_HELD_WINDOWS = 64
"""Date windows older than the eviction cutoff (each WINDOW_DAYS either side of a late
article's dates) whose stories stay in memory after a late article reloaded them, least
recently used dropped first. Without them every late article reloads the stories of its
window from the archive and evicts them again at once: with articles arriving in random date
order over a long period that is one reload per article and story. 64 windows of 15 days
cover about two and a half years of late arrivals; memory is bounded by the stories they hold.
Changes speed and memory, never the grouping."""

COMMON_SHARE = 0.05
"""Share of indexed articles above which a feature key (a word, usually) counts as common: its
postings are scanned only when the article's common keys could on their own reach the link
threshold (a bound checked per article), so this changes speed, never the grouping."""
COMMON_MIN_POSTINGS = 64
"""Postings never count as common below this length (small indexes are scanned in full)."""

LABEL_ACTORS = 3
"""Actors named in a story label."""
LABEL_KEYWORDS = 2
"""Keywords named in a story label."""
LABEL_PLACES = 1
"""Places named in a story label."""
LABEL_SEPARATOR = " · "


# --- records ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoryAssignment:
    """Where `StoryIndex.add` put an article."""

    story_id: str
    """The story the article is now in."""
    is_new: bool
    """True when the article founded the story."""
    score: float
    """Best similarity to a linked article of the story (1.0 for a copy, 0.0 when new)."""
    merged: tuple[str, ...] = ()
    """Ids of stories this (bridging) article merged into `story_id`."""
    copy_of: str | None = None
    """The canonical article, when the article joined as a syndicated copy."""


@dataclass(frozen=True, slots=True)
class StoryMerge:
    """A merge of two stories, caused by an article linked to both."""

    absorbed: str
    """Id of the story that no longer exists; its articles moved to `survivor`."""
    survivor: str
    """Id of the story that holds them now."""
    article_id: str
    """The bridging article."""


@dataclass(frozen=True, slots=True)
class StorySummary:
    """What a reader sees of a story."""

    id: str
    """Story id."""
    label: str
    """Main actors, keywords and place, joined with " · "."""
    actors: tuple[str, ...]
    """Main actors, most present first (persons included; the label names groups, states and
    bodies before persons)."""
    keywords: tuple[str, ...]
    """Main keywords, most present first."""
    places: tuple[str, ...]
    """Main places, most present first."""
    first_date: dt.date | None
    """Earliest publication date of its articles (event dates later); None if none is known."""
    last_date: dt.date | None
    """Latest publication date of its articles."""
    articles: int
    """Articles in the story, copies included."""
    outlets: int
    """Distinct outlets that published them (articles without an outlet not counted)."""
    copies: int
    """How many of the articles are syndicated copies."""


@dataclass(frozen=True, slots=True)
class Member:
    """One article of a story, as the index keeps it (and the store's story_articles row)."""

    article_id: str
    """The article's id."""
    features: StoryFeatures
    """Its story features."""
    score: float = 0.0
    """Its StoryAssignment.score when it joined."""
    copy_of: str | None = None
    """Its canonical article, when it joined as a copy."""


@dataclass(frozen=True, slots=True)
class ArchivedStory:
    """A story as the store keeps it: enough to put it back into an index."""

    id: str
    """Story id."""
    founder: str
    """Article id of the founding article."""
    members: tuple[Member, ...]
    """All its articles."""


class StoryArchive(Protocol):
    """Where evicted stories go and come back from: the store, or `MemoryArchive` in tests.

    A store implements it over three tables the caller keeps up to date from each
    `StoryAssignment` and from `StoryIndex.merges`:
    stories(id, founder, label, first_date, last_date, articles, outlets),
    story_articles(story_id, article_id, score, copy_of) and
    story_features(article_id, version, features JSON, date_lo, date_hi).
    """

    def load(self, lo: dt.date, hi: dt.date) -> Iterable[ArchivedStory]:
        """Every stored story with a member whose publication dates overlap [lo, hi]."""
        ...

    def find(self, article_id: str) -> str | None:
        """Id of the stored story holding `article_id`, if any."""
        ...

    def get(self, story_id: str) -> ArchivedStory | None:
        """The stored story with this id, if any."""
        ...

    def save(self, story: ArchivedStory, summary: StorySummary) -> None:
        """Called when `story` leaves memory (a store upserts its stories row)."""
        ...


class MemoryArchive:
    """A StoryArchive in a dict: for tests, and to show what a store must do."""

    def __init__(self) -> None:
        self.stories: dict[str, ArchivedStory] = {}
        self.summaries: dict[str, StorySummary] = {}

    def load(self, lo: dt.date, hi: dt.date) -> list[ArchivedStory]:
        out = []
        for story in self.stories.values():
            for m in story.members:
                rng = m.features.date_range()
                if rng and rng[0] <= hi and rng[1] >= lo:
                    out.append(story)
                    break
        return out

    def find(self, article_id: str) -> str | None:
        for story in self.stories.values():
            if any(m.article_id == article_id for m in story.members):
                return story.id
        return None

    def get(self, story_id: str) -> ArchivedStory | None:
        return self.stories.get(story_id)

    def save(self, story: ArchivedStory, summary: StorySummary) -> None:
        self.stories[story.id] = story
        self.summaries[story.id] = summary


def story_id_for(article_id: str) -> str:
    """The id of a story founded by `article_id`: "s-" and 16 hex digits of a hash."""
    return "s-" + hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:16]


# --- the index ----------------------------------------------------------------------------


@dataclass(slots=True)
class Story:
    """A story while it is in memory (mutable working state of the index)."""

    id: str
    founder: str
    founder_key: tuple[dt.date, str]
    members: dict[str, Member] = field(default_factory=dict)
    first_active: dt.date = dt.date.max
    """Earliest publication day of a dated member (dt.date.max while it has none)."""
    last_active: dt.date = dt.date.min
    """Latest publication day of a member (for undated members: the newest date seen when they
    arrived); the story is evicted when this falls out of the window."""


@dataclass(frozen=True, slots=True)
class _Indexed:
    """What the index keeps of an article it compares new arrivals with."""

    vectors: Vectors
    range: tuple[dt.date, dt.date] | None
    day_precision: bool


@dataclass(slots=True)
class StoryStats:
    """Counters of what an index did (for logs and benchmarks)."""

    added: int = 0
    copies: int = 0
    founded: int = 0
    merges: int = 0
    comparisons: int = 0
    full_scans: int = 0
    evicted: int = 0
    reloaded: int = 0
    late: int = 0


class StoryIndex:
    """Groups articles into stories as they arrive; see the module docstring for the rules."""

    def __init__(
        self,
        *,
        window_days: int = WINDOW_DAYS,
        late_days: int = LATE_DAYS,
        link_threshold: float = LINK_THRESHOLD,
        imprecise_link_threshold: float = IMPRECISE_LINK_THRESHOLD,
        weights: Mapping[str, float] | None = None,
        archive: StoryArchive | None = None,
    ) -> None:
        self.window = dt.timedelta(days=window_days)
        self.late = dt.timedelta(days=late_days)
        self.link_threshold = link_threshold
        self.imprecise_link_threshold = imprecise_link_threshold
        self.weights = dict(weights or PART_WEIGHTS)
        self.archive = archive
        self.stories: dict[str, Story] = {}
        self.merges: list[StoryMerge] = []
        """Every merge this index made, in order (the caller persists them and may clear it)."""
        self.stats = StoryStats()
        self._story_of: dict[str, str] = {}  # article id -> story id, for articles in memory
        self._aliases: dict[str, str] = {}  # absorbed story id -> survivor id
        # (part, key) -> {article id: weight}, over the indexed (non-copy) articles in memory
        self._postings: dict[tuple[str, object], dict[str, float]] = {}
        self._indexed: dict[str, _Indexed] = {}
        # The indexed articles by date, so that a new article's candidates are the postings'
        # articles within its window (a set intersection) rather than every posting entry
        # checked one by one: with long stories in memory most entries lie outside the window.
        self._by_day: dict[dt.date, set[str]] = {}  # one-day ranges, by that day
        self._wide: set[str] = set()  # longer ranges (a date known to the month or year)
        self._undated: set[str] = set()  # no range: within any window
        self._horizon: dt.date | None = None  # newest day-precision publication date seen
        # Date ranges for which every article that exists is indexed. Without an archive nothing
        # exists beyond memory until stories are evicted; with one, nothing is loaded at first.
        self._complete: list[tuple[dt.date, dt.date]] = (
            [] if archive is not None else [(dt.date.min, dt.date.max)])
        # Windows below the eviction cutoff kept complete for late articles (MAX_HELD_WINDOWS).
        self._held: OrderedDict[tuple[dt.date, dt.date], None] = OrderedDict()

    # -- queries --

    def __len__(self) -> int:
        return len(self.stories)

    def resolve(self, story_id: str) -> str:
        """The current id of a story, following merges."""
        seen = set()
        while story_id in self._aliases and story_id not in seen:
            seen.add(story_id)
            story_id = self._aliases[story_id]
        return story_id

    def story_of(self, article_id: str) -> str | None:
        """Id of the story holding `article_id` (in memory, else in the archive), or None."""
        if article_id in self._story_of:
            return self._story_of[article_id]
        if self.archive is not None:
            found = self.archive.find(article_id)
            return self.resolve(found) if found else None
        return None

    def members(self, story_id: str) -> list[str]:
        """Article ids of an in-memory story, earliest published first."""
        story = self.stories[self.resolve(story_id)]
        return [m.article_id for m in sorted(story.members.values(), key=_member_key)]

    def summary(self, story_id: str) -> StorySummary:
        """The summary of an in-memory story."""
        return summarise(self.stories[self.resolve(story_id)])

    def summaries(self) -> list[StorySummary]:
        """Summaries of all in-memory stories, by id."""
        return [summarise(self.stories[k]) for k in sorted(self.stories)]

    # -- adding --

    def add(self, article_id: str, features: StoryFeatures, copy_of: str | None = None) -> StoryAssignment:
        """Place one article; returns where it went. Adding an article already placed changes
        nothing and returns its current story (with is_new False)."""
        known = self.story_of(article_id)
        if known is not None:
            member = self.stories[known].members.get(article_id) if known in self.stories else None
            return StoryAssignment(known, False, member.score if member else 0.0,
                                   copy_of=member.copy_of if member else None)
        self.stats.added += 1
        rng = features.date_range()
        if rng and features.precision == "day" and (self._horizon is None or rng[1] > self._horizon):
            self._horizon = rng[1]
        if rng:
            self._ensure_loaded(rng[0] - self.window, rng[1] + self.window)

        if copy_of is not None:
            canonical_story = self.story_of(copy_of)
            if canonical_story is not None and canonical_story not in self.stories:
                self._ensure_loaded_story(copy_of)
                canonical_story = self.story_of(copy_of)
            if canonical_story is not None and canonical_story in self.stories:
                story = self.stories[canonical_story]
                self._attach(story, Member(article_id, features, 1.0, copy_of), index=False)
                self.stats.copies += 1
                self._evict()
                return StoryAssignment(story.id, False, 1.0, copy_of=copy_of)
            log.debug("copy %s: canonical %s is not indexed; grouping it by its own features",
                      article_id, copy_of)

        linked = self._links(features)
        if not linked:
            story_id = story_id_for(article_id)
            story = Story(story_id, article_id, _founder_key(article_id, features))
            self.stories[story_id] = story
            self._attach(story, Member(article_id, features, 0.0), index=True)
            self.stats.founded += 1
            self._evict()
            return StoryAssignment(story_id, True, 0.0)

        ordered = sorted(linked, key=lambda sid: self.stories[sid].founder_key)
        survivor = self.stories[ordered[0]]
        for absorbed_id in ordered[1:]:
            self._merge(self.stories[absorbed_id], survivor, article_id)
        score = max(linked.values())
        self._attach(survivor, Member(article_id, features, score), index=True)
        self._evict()
        return StoryAssignment(survivor.id, False, score, merged=tuple(ordered[1:]))

    def _links(self, features: StoryFeatures) -> dict[str, float]:
        """Story id -> best similarity, for the stories of indexed articles linked to `features`.

        Candidates are the articles sharing a feature key with it. Keys shared by many indexed
        articles (common words) are looked up only when they could matter: unless their share
        of the article's vectors could reach the link threshold on its own, an article sharing
        nothing but common keys cannot be linked, so skipping them loses nothing.
        """
        x = Vectors(features)
        near = self._near(features.date_range())
        common_limit = max(COMMON_MIN_POSTINGS, COMMON_SHARE * len(self._indexed))
        candidates: set[str] = set()
        common: list[dict[str, float]] = []
        common_mass: dict[str, float] = {}
        for part, vector in x.parts.items():
            if self.weights.get(part, 0.0) <= 0:
                continue
            for key, weight in vector.items():
                posting = self._postings.get((part, key))
                if not posting:
                    continue
                if len(posting) > common_limit:
                    common.append(posting)
                    common_mass[part] = common_mass.get(part, 0.0) + weight * weight
                else:
                    _add_near(candidates, posting, near)
        if common:
            present = sum(self.weights.get(p, 0.0) for p in x.parts)
            bound = sum(self.weights.get(p, 0.0) * math.sqrt(m) / x.norms[p]
                        for p, m in common_mass.items()) / present if present else 0.0
            if bound >= min(self.link_threshold, self.imprecise_link_threshold):
                for posting in common:
                    _add_near(candidates, posting, near)
                self.stats.full_scans += 1
        linked: dict[str, float] = {}
        for other_id in candidates:
            other = self._indexed[other_id]
            exact = features.precision == "day" and other.day_precision
            threshold = self.link_threshold if exact else self.imprecise_link_threshold
            self.stats.comparisons += 1
            sim = similarity_of(x, other.vectors, self.weights)
            story_id = self._story_of[other_id]
            if sim >= threshold and sim > linked.get(story_id, -1.0):
                linked[story_id] = sim
        return linked

    def _near(self, rng: tuple[dt.date, dt.date] | None) -> set[str] | None:
        """The indexed articles dated within the window of `rng` (those of unknown date
        included), or None for all of them when `rng` is unknown. Stories held in memory for
        late articles, and long stories, span far more than one window, and comparing with what
        cannot link would be wasted."""
        if rng is None:
            return None
        lo, hi = rng[0] - self.window, rng[1] + self.window
        near = set(self._undated)
        days = (hi - lo).days + 1
        if days <= len(self._by_day):
            by_day = self._by_day
            for i in range(days):
                found = by_day.get(lo + dt.timedelta(days=i))
                if found:
                    near |= found
        else:
            for day, found in self._by_day.items():
                if lo <= day <= hi:
                    near |= found
        window, indexed = self.window, self._indexed
        near.update(a for a in self._wide if _gap(rng, indexed[a].range) <= window)  # type: ignore[arg-type]
        return near

    def _attach(self, story: Story, member: Member, *, index: bool) -> None:
        story.members[member.article_id] = member
        self._story_of[member.article_id] = story.id
        rng = member.features.date_range()
        active = rng[1] if rng else (self._horizon or dt.date.min)
        story.last_active = max(story.last_active, active)
        if rng:
            story.first_active = min(story.first_active, rng[0])
        if index and member.article_id not in self._indexed:
            indexed = _Indexed(Vectors(member.features), rng, member.features.precision == "day")
            self._indexed[member.article_id] = indexed
            self._file_by_date(member.article_id, rng)
            for part, vector in indexed.vectors.parts.items():
                for key, weight in vector.items():
                    self._postings.setdefault((part, key), {})[member.article_id] = weight

    def _file_by_date(self, article_id: str, rng: tuple[dt.date, dt.date] | None) -> None:
        if rng is None:
            self._undated.add(article_id)
        elif rng[0] == rng[1]:
            self._by_day.setdefault(rng[0], set()).add(article_id)
        else:
            self._wide.add(article_id)

    def _unfile_by_date(self, article_id: str, rng: tuple[dt.date, dt.date] | None) -> None:
        if rng is None:
            self._undated.discard(article_id)
        elif rng[0] == rng[1]:
            found = self._by_day.get(rng[0])
            if found is not None:
                found.discard(article_id)
                if not found:
                    del self._by_day[rng[0]]
        else:
            self._wide.discard(article_id)

    def _merge(self, absorbed: Story, survivor: Story, article_id: str) -> None:
        for member in absorbed.members.values():
            survivor.members[member.article_id] = member
            self._story_of[member.article_id] = survivor.id
        survivor.last_active = max(survivor.last_active, absorbed.last_active)
        survivor.first_active = min(survivor.first_active, absorbed.first_active)
        del self.stories[absorbed.id]
        self._aliases[absorbed.id] = survivor.id
        for old, new in list(self._aliases.items()):
            if new == absorbed.id:
                self._aliases[old] = survivor.id
        self.merges.append(StoryMerge(absorbed.id, survivor.id, article_id))
        self.stats.merges += 1
        log.debug("article %s merged story %s into %s", article_id, absorbed.id, survivor.id)

    # -- memory --

    def _cutoff(self) -> dt.date | None:
        if self._horizon is None:
            return None
        return self._horizon - self.window - self.late

    def _evict(self) -> None:
        cutoff = self._cutoff()
        if cutoff is None:
            return
        for window in [w for w in self._held if w[0] >= cutoff]:
            del self._held[window]  # back inside the live range: no longer needs holding
        while len(self._held) > MAX_HELD_WINDOWS:
            self._held.popitem(last=False)
        held = list(self._held)
        for story in [s for s in self.stories.values() if s.last_active < cutoff]:
            if held and _touches(story, held):
                continue
            self._drop(story)
        complete = [(max(lo, cutoff), hi) for lo, hi in self._complete if hi >= cutoff]
        for window in held:
            complete = union(complete, window)
        self._complete = complete

    def _drop(self, story: Story) -> None:
        del self.stories[story.id]
        for member in story.members.values():
            self._story_of.pop(member.article_id, None)
            indexed = self._indexed.pop(member.article_id, None)
            if indexed is None:
                continue
            self._unfile_by_date(member.article_id, indexed.range)
            for part, vector in indexed.vectors.parts.items():
                for key in vector:
                    posting = self._postings.get((part, key))
                    if posting is not None:
                        posting.pop(member.article_id, None)
                        if not posting:
                            del self._postings[(part, key)]
        for old in [k for k, v in self._aliases.items() if v == story.id]:
            del self._aliases[old]
        self.stats.evicted += 1
        if self.archive is not None:
            archived = ArchivedStory(story.id, story.founder, tuple(story.members.values()))
            self.archive.save(archived, summarise(story))
        else:
            log.debug("story %s (%d articles) evicted; no archive to keep it", story.id,
                      len(story.members))

    def _ensure_loaded(self, lo: dt.date, hi: dt.date) -> None:
        """Make sure every article dated within [lo, hi] that could be linked is indexed. A
        window older than the eviction cutoff is held in memory afterwards (MAX_HELD_WINDOWS)."""
        cutoff = self._cutoff()
        if self.archive is not None and cutoff is not None and lo < cutoff:
            for window in [w for w in self._held if w[0] <= hi and w[1] >= lo]:
                self._held.move_to_end(window)  # recently used
            self._held[(lo, hi)] = None
            self._held.move_to_end((lo, hi))
        missing = gaps(self._complete, (lo, hi))
        if not missing:
            return
        if self.archive is None:
            self.stats.late += 1
            log.debug("an article's window %s..%s reaches stories already evicted; it is "
                      "grouped with the stories in memory only", lo, hi)
            return
        for gap_lo, gap_hi in missing:
            for archived in self.archive.load(gap_lo, gap_hi):
                self._reinstate(archived)
        self._complete = union(self._complete, (lo, hi))

    def flush(self) -> None:
        """Hand every in-memory story to the archive's `save` without evicting it (at the end of
        an ingest run, so that a later index can start from the archive alone)."""
        if self.archive is None:
            return
        for story in self.stories.values():
            self.archive.save(ArchivedStory(story.id, story.founder, tuple(story.members.values())),
                              summarise(story))

    def _ensure_loaded_story(self, article_id: str) -> None:
        if self.archive is None:
            return
        found = self.archive.find(article_id)
        archived = self.archive.get(found) if found else None
        if archived is not None:
            self._reinstate(archived)

    def _reinstate(self, archived: ArchivedStory) -> None:
        story_id = self.resolve(archived.id)
        if story_id in self.stories:
            story = self.stories[story_id]
            fresh = [m for m in archived.members if m.article_id not in story.members]
        else:
            founder = next((m for m in archived.members if m.article_id == archived.founder), None)
            key = _founder_key(archived.founder, founder.features if founder else None)
            story = Story(story_id, archived.founder, key)
            self.stories[story_id] = story
            fresh = list(archived.members)
        for member in fresh:
            self._attach(story, member, index=member.copy_of is None)
        self.stats.reloaded += 1


# --- helpers ------------------------------------------------------------------------------


def _add_near(candidates: set[str], posting: dict[str, float], near: set[str] | None) -> None:
    """Add the articles of `posting` that are in `near` (all of them when `near` is None)."""
    if near is None:
        candidates.update(posting)
    else:
        candidates |= posting.keys() & near  # C-level: iterates the smaller of the two


def _gap(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> dt.timedelta:
    """Days between two date ranges (zero when they overlap)."""
    if a[1] < b[0]:
        return b[0] - a[1]
    if b[1] < a[0]:
        return a[0] - b[1]
    return dt.timedelta(0)


def _touches(story: Story, windows: list[tuple[dt.date, dt.date]]) -> bool:
    """Whether `story`'s dates (first to last active day) meet one of `windows`; a story with a
    gap around a window is kept too, which costs memory only."""
    return any(story.first_active <= hi and story.last_active >= lo for lo, hi in windows)


def _founder_key(article_id: str, features: StoryFeatures | None) -> tuple[dt.date, str]:
    rng = features.date_range() if features else None
    return (rng[0] if rng else dt.date.max, article_id)


def _member_key(member: Member) -> tuple[dt.date, str]:
    rng = member.features.date_range()
    return (rng[0] if rng else dt.date.max, member.article_id)


# --- summaries ----------------------------------------------------------------------------


def summarise(story: Story) -> StorySummary:
    """Label, dates and counts of a story. Copies count as articles and outlets, but their
    actors and words are not counted again (they repeat their canonical)."""
    originals = [m for m in story.members.values() if m.copy_of is None]
    actors = _ranked([m.features.actors for m in originals])
    places = _ranked([m.features.places for m in originals])
    named = {fold_name(w) for name in (*actors, *places) for w in name.split()}
    keyword_rank: dict[str, float] = defaultdict(float)
    for m in originals:
        for rank, word in enumerate(m.features.keywords):
            keyword_rank[word] += 1.0 / (rank + 1)
    keyword_df = Counter(w for m in originals for w in set(m.features.keywords))
    keywords = [w for w, _ in sorted(keyword_df.items(),
                                     key=lambda kv: (-kv[1], -keyword_rank[kv[0]], kv[0]))
                if fold_name(w) not in named]
    persons = {p for m in originals for p in m.features.persons}
    label_actors = ([a for a in actors if a not in persons] + [a for a in actors if a in persons])
    label_parts = label_actors[:LABEL_ACTORS] + keywords[:LABEL_KEYWORDS] + places[:LABEL_PLACES]
    day_dates = [m.features.published for m in story.members.values()
                 if m.features.published and m.features.precision == "day"]
    any_dates = [m.features.published for m in story.members.values() if m.features.published]
    dates = day_dates or any_dates
    outlets = {m.features.outlet for m in story.members.values() if m.features.outlet}
    return StorySummary(
        id=story.id,
        label=LABEL_SEPARATOR.join(label_parts),
        actors=tuple(actors[:LABEL_ACTORS * 2]),
        keywords=tuple(keywords[:LABEL_KEYWORDS * 3]),
        places=tuple(places[:LABEL_PLACES * 3]),
        first_date=min(dates) if dates else None,
        last_date=max(dates) if dates else None,
        articles=len(story.members),
        outlets=len(outlets),
        copies=len(story.members) - len(originals),
    )


def _ranked(parts: Iterable[tuple[tuple[str, float], ...]]) -> list[str]:
    """Names by how many articles mention them, then by summed weight, then alphabetically."""
    counts: Counter[str] = Counter()
    weights: dict[str, float] = defaultdict(float)
    for pairs in parts:
        for name, weight in pairs:
            counts[name] += 1
            weights[name] += weight
    return [n for n, _ in sorted(counts.items(), key=lambda kv: (-kv[1], -round(weights[kv[0]], 6), kv[0]))]
