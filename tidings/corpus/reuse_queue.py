"""Holding a copy back until the article it repeats is stored, so its extraction can be reused.

In a bulk ingest the original of a copy is usually read a little earlier in the same run and is
still in flight (in a worker, or in the writer's unwritten batch) when the copy is read. The
ingest writer offers each copy to a `ReuseQueue`:

    release = queue.offer(copy, original_id)   # None: held until the original is stored
    yield queue.sent(item)                     # every item the pipeline is given, in order
    result = queue.received(result)            # every result, in order: merges a reuse plan
    queue.written(ids)                         # after each batch write: held copies get ready
    for release in queue.ready(): ...          # copies whose originals are stored (or failed)
    for release in queue.rest(): ...           # at the end, after the final write: the rest

A copy whose original is stored is planned at once (tidings.corpus.reuse.plan_reuse); one whose
original is in this run and not stored yet is held, unless it shares too little of the
original's cleaned text to be reused (MIN_REUSE_SHARE): that one goes on at once, read in full.
The pipeline returns results in the order it was given items, so the queue pairs each result
with the id it sent and learns which originals failed: their copies are released to be read in
full. Memory stays bounded: at most `limit` copies are held (the in-flight window plus one
write batch), and the cleaned texts of the articles in flight are kept; beyond the limit the
oldest held copy is released to be read in full. Nothing is lost: every copy offered comes out
of `offer`, `ready` or `rest` exactly once.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from tidings.corpus.reuse import MIN_REUSE_SHARE, ReusePlan, align_copy, plan_reuse
from tidings.doc import Doc

log = logging.getLogger(__name__)

T = TypeVar("T")
F = TypeVar("F")


@dataclass(frozen=True, slots=True)
class Release:
    """A copy on its way to the pipeline."""

    copy_id: str
    """The copy."""
    item: Doc
    """What the pipeline reads: the copy itself (read in full), its added text, or the copy
    with every stage done (nothing added)."""
    share: float
    """Share (0-1) of the copy's text whose extraction was reused; 0.0 when read in full."""

    @property
    def reused(self) -> bool:
        """True when the extraction of the original is reused."""
        return self.share > 0.0


class ReuseQueue:
    """Decides when and how each copy of an ingest run goes to the pipeline (see the module
    docstring). `load_original(id)` returns a stored Doc or None; `limit` bounds how many copies
    are held at once."""

    def __init__(self, load_original: Callable[[str], Doc | None], limit: int) -> None:
        self.load_original = load_original
        self.limit = max(limit, 0)
        self.plans: dict[str, ReusePlan] = {}
        """Copies whose work item is their added text only, by id: merged in `received`."""
        self._pending: dict[str, str] = {}  # in this run (held or sent), not stored nor failed: text
        self._sent: deque[str | None] = deque()  # ids given to the pipeline, None for a failure
        self._held: dict[str, tuple[Doc, str]] = {}  # copy id -> (copy, original id), oldest first
        self._waiting: dict[str, list[str]] = {}  # original id -> ids of the copies held for it
        self._ready: deque[tuple[Doc, str, str | None]] = deque()  # (copy, original, why in full)

    def __len__(self) -> int:
        """Copies held or ready, not yet released."""
        return len(self._held) + len(self._ready)

    def offer(self, copy: Doc, original_id: str) -> Release | None:
        """A cleaned copy of `original_id`: its release now when the original is not in flight
        in this run (stored before, or failed), else None: it is held and comes out of
        `ready` or `rest` later."""
        if original_id not in self._pending:
            return self._plan(copy, original_id, None)
        share = align_copy(self._pending[original_id], copy.text).reused_share
        if share < MIN_REUSE_SHARE:  # plan_reuse would decline it: no use waiting
            log.debug("copy %s: only %.2f of its text is in %s; processed in full", copy.id, share, original_id)
            return Release(copy.id, copy, 0.0)
        self._held[copy.id] = (copy, original_id)
        self._waiting.setdefault(original_id, []).append(copy.id)
        self._pending[copy.id] = copy.text  # a copy of this copy waits for it in turn
        if len(self._held) > self.limit:
            oldest = next(iter(self._held))
            self._release(oldest, f"more than {self.limit} copies held")
        return None

    def sent(self, item: T) -> T:
        """Record an item given to the pipeline (a Doc or a read failure); returns it."""
        article_id = item.id if isinstance(item, Doc) else None
        if isinstance(item, Doc):
            plan = self.plans.get(item.id)
            self._pending[item.id] = plan.doc.text if plan is not None else item.text
        self._sent.append(article_id)
        return item

    def received(self, result: Doc | F) -> Doc | F:
        """Record a pipeline result (the pipeline returns one per item, in order); returns the
        Doc with its reuse plan merged, or the failure as it is. The copies held for an article
        that failed are released to be read in full."""
        article_id = self._sent.popleft() if self._sent else None
        if isinstance(result, Doc):
            plan = self.plans.pop(result.id, None)
            return plan.merge(result) if plan is not None else result
        if article_id is not None:
            self.plans.pop(article_id, None)
            self._settle(article_id, "its original failed")
        return result

    def written(self, ids: Iterable[str]) -> None:
        """Articles just stored: the copies held for them become ready."""
        for article_id in ids:
            self._settle(article_id, None)

    def ready(self) -> Iterator[Release]:
        """Releases of the held copies whose originals are now stored (or failed), oldest first."""
        while self._ready:
            yield self._plan(*self._ready.popleft())

    def rest(self) -> Iterator[Release]:
        """At the end of the run, after the final write: every copy still held or ready. A copy
        whose original is itself a copy held to the end (not stored yet) is read in full."""
        unreleased = set(self._held) | {copy.id for copy, _, _ in self._ready}
        for copy_id in list(self._held):
            original_id = self._held[copy_id][1]
            reason = None
            if original_id in unreleased:
                reason = "its original is a copy held as long"
            elif original_id in self._pending:
                log.warning("copy %s: its original %s was neither stored nor failed", copy_id, original_id)
                reason = "its original was not stored"
            self._release(copy_id, reason)
        yield from self.ready()

    # --- internals ---------------------------------------------------------------------------

    def _settle(self, article_id: str, full_reason: str | None) -> None:
        self._pending.pop(article_id, None)
        for copy_id in self._waiting.pop(article_id, []):
            self._release(copy_id, full_reason)

    def _release(self, copy_id: str, full_reason: str | None) -> None:
        copy, original_id = self._held.pop(copy_id)
        waiting = self._waiting.get(original_id)
        if waiting is not None and copy_id in waiting:
            waiting.remove(copy_id)
            if not waiting:
                del self._waiting[original_id]
        self._ready.append((copy, original_id, full_reason))

    def _plan(self, copy: Doc, original_id: str, full_reason: str | None) -> Release:
        if full_reason is not None:
            log.info("copy %s of %s read in full: %s", copy.id, original_id, full_reason)
            return Release(copy.id, copy, 0.0)
        original = self.load_original(original_id)
        plan = plan_reuse(copy, original) if original is not None else None
        if plan is None:
            return Release(copy.id, copy, 0.0)
        item = plan.work_item()
        if item is not copy:
            self.plans[copy.id] = plan
        return Release(copy.id, item, plan.reused_share)
