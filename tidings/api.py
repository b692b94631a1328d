"""The library API that the CLI and the web layer call: one function per user action."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from tidings.doc import Doc
from tidings.engines.local import CHUNK_SIZE, ProcessFailure, Result, resolve_workers, run_local
from tidings.errors import ReadFailure
from tidings.pipeline import build_pipeline
from tidings.readers import read_paths
from tidings.readers.text import doc_from_text
from tidings.settings import Settings, load_settings
from tidings.corpus.copies import CopyIndex
from tidings.corpus.reuse_queue import Release, ReuseQueue
from tidings.corpus.features import find_story_features
from tidings.corpus.fingerprint import fingerprint
from tidings.corpus.incidents import Incident, IncidentIndex, merge_incidents
from tidings.corpus.reports import reports_from_doc
from tidings.corpus.stories import StoryIndex
from tidings.corpus.negotiation_history import StoryNegotiation, negotiation_for_story, story_negotiation
from tidings.corpus.timeline import Timeline, build_timeline, quotes_of
from tidings.store import Store, open_store
from tidings.store.copies import CopyCheck, load_copy_index, write_copies
from tidings.store.stories import StoreArchive, place_articles, story_members
from tidings.store.incidents import (StoreIncidentArchive, get_incident, has_incident_index,
                                     incidents_of_story, place_reports)

log = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestReport:
    """What an ingest run did."""

    read: int = 0
    """Articles read successfully from the inputs."""
    new: int = 0
    """Articles processed and stored for the first time."""
    present: int = 0
    """Articles already in the store (same content-hash id), left untouched."""
    updated: int = 0
    """Articles re-processed (with `force`) whose stored annotations changed."""
    new_stories: int = 0
    """Stories founded by this run's articles."""
    copies: int = 0
    """New articles found to be syndicated copies of another article."""
    reused: int = 0
    """Copies whose extraction was reused from the article they repeat (not computed again)."""
    failures: list[ReadFailure | ProcessFailure] = field(default_factory=list)
    """Inputs that could not be read or processed, with reasons."""

    @property
    def failed(self) -> int:
        return len(self.failures)


def process(
    text: str,
    published: dt.date | str | None = None,
    url: str | None = None,
    *,
    settings: Settings | None = None,
) -> Doc:
    """Read, clean and annotate one article given as text; returns its Doc.

    `text` may start with a `date YYYY-MM-DD` header; `published` (a date or an ISO string)
    wins over it. Runs in this process (the model is loaded once per process).
    """
    settings = settings or load_settings()
    if isinstance(published, dt.date):
        published = published.isoformat()
    doc = doc_from_text(text, date=published, url=url)
    return build_pipeline(settings)(doc)


def extract(
    paths: Iterable[str], *, settings: Settings | None = None, date: str | None = None
) -> Iterator[Result]:
    """Process articles from files without touching a store; yields Docs and failures."""
    settings = settings or load_settings()
    yield from run_local(read_paths(paths, settings.read, date=date), settings)


def ingest(
    paths: Iterable[str],
    db: str | Path | None = None,
    *,
    settings: Settings | None = None,
    date: str | None = None,
    force: bool = False,
    on_progress: Callable[[IngestReport], None] | None = None,
) -> IngestReport:
    """Read, process and store articles; returns counts and failures.

    Articles whose id is already stored are skipped before any processing (unless `force`),
    so ingesting the same input twice changes nothing and costs little.
    """
    settings = settings or load_settings()
    report = IngestReport()
    with open_store(db or settings.store.path, settings.store) as store:
        copy_index = load_copy_index(store)
        checks: dict[str, CopyCheck] = {}
        # A copy of an article still in flight waits for it to be written, so its extraction
        # can be reused: at most the pipeline's in-flight window plus one write batch of copies.
        queue = ReuseQueue(store.get_doc, resolve_workers(settings.ingest.workers)
                           * settings.ingest.max_pending_per_worker + CHUNK_SIZE + settings.store.batch_size)
        cleaner = build_pipeline(settings, annotate=False)  # cleaning runs here, before the copy check

        stories = StoryIndex(archive=StoreArchive(store))
        incidents = IncidentIndex(archive=StoreIncidentArchive(store))
        batch: list[Doc] = []

        def write() -> None:
            nonlocal batch
            _write(store, stories, copy_index, checks, batch, report, incidents)
            queue.written(doc.id for doc in batch)
            batch = []

        def released(releases: Iterable[Release]) -> Iterator[Doc]:
            for release in releases:
                checks[release.copy_id] = replace(checks[release.copy_id], reused=release.share)
                report.reused += release.reused
                yield queue.sent(release.item)

        def unseen() -> Iterator[Doc | ReadFailure]:
            for item in read_paths(paths, settings.read, date=date):
                yield from released(queue.ready())
                if isinstance(item, Doc):
                    report.read += 1
                    if not force and store.has(item.id):
                        report.present += 1
                        if on_progress:
                            on_progress(report)
                        continue
                    checked = _check_copy(store, cleaner(item), copy_index, checks, report, queue)
                    if checked is None:
                        continue  # held until its original is written
                    item = checked
                yield queue.sent(item)
            if len(queue) and batch:  # write what is done, so copies of it still go to the workers
                write()
            yield from released(queue.ready())

        def store_results(results: Iterable[Result]) -> None:
            for result in results:
                result = queue.received(result)
                if isinstance(result, Doc):
                    batch.append(result)
                    if len(batch) >= settings.store.batch_size:
                        write()
                else:
                    report.failures.append(result)
                    log.warning("%s", result)
                if on_progress:
                    on_progress(report)
            if batch:
                write()

        store_results(run_local(unseen(), settings))
        if len(queue):  # copies whose originals were still in flight at the end of the input
            log.info("%d copies held to the end of the input: read after their originals", len(queue))
            store_results(run_local(released(queue.rest()), settings.override(**{"ingest.workers": "1"})))
        with store.transaction():
            stories.flush()
        if on_progress:
            on_progress(report)
    return report


def _check_copy(store: Store, doc: Doc, index: CopyIndex, checks: dict[str, CopyCheck],
                report: IngestReport, queue: ReuseQueue) -> Doc | None:
    """Fingerprint a cleaned article and join it to its copy group. A copy takes the extraction
    of the article it matched wherever their texts are the same (tidings.corpus.reuse); the Doc
    returned is what the pipeline still has to read: the copy, or its added text. None when the
    copy is held until its original, read earlier in this run, is written (it then comes out of
    `queue.ready()` or `queue.rest()`). An article already in the index (a `force` re-process)
    keeps its copy links and is read in full: matched against the index it would find itself."""
    if doc.id in index:
        return doc
    fp = fingerprint(doc.text)
    match = index.find(fp)
    previous = index.canonical(match.matched_id) if match is not None else None
    size = index.group_size(match.matched_id) if match is not None else 0
    index.add(doc.id, fp, doc.published)
    share = 0.0
    item: Doc | None = doc
    if match is not None:
        report.copies += 1
        release = queue.offer(doc, match.matched_id)
        item = release.item if release is not None else None
        if release is not None:
            share = release.share
            report.reused += release.reused
    bridged = match is not None and index.group_size(doc.id) > size + 1
    checks[doc.id] = CopyCheck(doc.id, fp, match, previous, share, bridged)
    return item


def _write(store: Store, stories: StoryIndex, copy_index: CopyIndex, checks: dict[str, CopyCheck],
           batch: list[Doc], report: IngestReport, incidents: IncidentIndex) -> None:
    result = store.upsert_docs(batch)
    report.new += result.new
    report.present += result.present
    report.updated += result.updated
    write_copies(store, copy_index, [checks.pop(doc.id) for doc in batch if doc.id in checks])

    def copy_of(doc: Doc) -> str | None:
        canonical = copy_index.canonical(doc.id) if doc.id in copy_index else doc.id
        return canonical if canonical != doc.id else None

    placed = place_articles(store, stories, ((doc.id, find_story_features(doc), copy_of(doc)) for doc in batch))
    report.new_stories += sum(a.is_new for a in placed)
    # after the stories: a report carries its article's story (undated reports merge within one)
    place_reports(store, incidents, [
        (doc.id, reports_from_doc(doc, copy_of=copy_of(doc), story_id=stories.resolve(a.story_id)))
        for doc, a in zip(batch, placed)])


def story_timeline(
    story_id: str, db: str | Path | None = None, *, settings: Settings | None = None,
    since: str | None = None, until: str | None = None,
) -> Timeline | None:
    """The timeline of a stored story: the stored incidents its articles report (one per
    real-world happening, with every report and outlet, those of other stories included;
    syndicated copies count once), in the order they happened, with key quotes from the story's
    Docs. None when no story has this id (or a merged-away id). A store whose incidents were
    never indexed (ingested before migration 0011_incidents) has them merged here instead."""
    found = story_overview(story_id, db, settings=settings, since=since, until=until, negotiation=False)
    return found[0] if found is not None else None


def story_overview(
    story_id: str, db: str | Path | None = None, *, settings: Settings | None = None,
    since: str | None = None, until: str | None = None, negotiation: bool = True,
) -> tuple[Timeline, StoryNegotiation | None] | None:
    """A stored story's timeline (see `story_timeline`) and, with `negotiation`, its negotiation
    history (see `story_negotiation_history`), from one read of the story's Docs. None when no
    story has this id (or a merged-away id)."""
    settings = settings or load_settings()
    with open_store(db or settings.store.path, settings.store, readonly=True) as store:
        story_id = _resolve_story(store, story_id)
        members = story_members(store, story_id)
        if members is None:
            return None
        docs, copy_of = members
        if has_incident_index(store):
            incidents = incidents_of_story(store, story_id)
        else:
            incidents = merge_incidents(
                (r for doc in docs for r in reports_from_doc(doc, copy_of=copy_of.get(doc.id), story_id=story_id)),
                copy_of=copy_of)
        texts = {doc.id: doc.text for doc in docs}
        others = sorted({r.article_id for i in incidents for r in i.reports} - set(texts))
        for article_id in others:  # sentences of other stories' reports, without parsing Docs
            row = store.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is not None:
                texts[article_id] = row[0]
    timeline = build_timeline(incidents, {doc.id: quotes_of(doc) for doc in docs}, since, until,
                              texts=texts, story_id=story_id)
    talks = story_negotiation(docs, copy_of=copy_of, since=since, until=until, story_id=story_id) \
        if negotiation else None
    return timeline, talks


def incident(incident_id: str, db: str | Path | None = None, *,
             settings: Settings | None = None) -> Incident | None:
    """The stored incident with this id, or with an id it had before a rename or merge, with
    all its reports (each naming its article, outlet, story and sentence offsets); None when
    unknown."""
    settings = settings or load_settings()
    with open_store(db or settings.store.path, settings.store, readonly=True) as store:
        if not has_incident_index(store):
            return None
        return get_incident(store, incident_id)


def story_negotiation_history(
    story_id: str, db: str | Path | None = None, *, settings: Settings | None = None,
    since: str | None = None, until: str | None = None,
) -> StoryNegotiation | None:
    """The negotiation record of a stored story: each issue's stances, party by party, over time
    (syndicated copies count once). None when no story has this id (or a merged-away id)."""
    settings = settings or load_settings()
    with open_store(db or settings.store.path, settings.store, readonly=True) as store:
        return negotiation_for_story(store, _resolve_story(store, story_id), since=since, until=until)


def _resolve_story(store: Store, story_id: str) -> str:
    seen = set()
    while story_id not in seen:
        seen.add(story_id)
        row = store.execute("SELECT survivor_id FROM story_merges WHERE absorbed_id = ?", (story_id,)).fetchone()
        if row is None:
            break
        story_id = row[0]
    return story_id
