"""Cleaning: raw article text -> cleaned text, an offset map back to raw, and what was removed.

Order of work:
1. start from the raw input minus what the reader already removed (the date header);
2. strip stray HTML markup (tags dropped, entities decoded), repeated until stable;
3. drop boilerplate lines, repeated paragraphs and repeated sentences, repeated until none
   finds anything, since one removal can expose another (a "Read more" line that stands alone
   once the repeated sentence before it is gone);
4. fold whitespace and build the offset map.
Every raw character ends up either in a segment of the offset map or in exactly one removal.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence

from tidings.clean.boilerplate import find_boilerplate
from tidings.clean.patterns import CLEANING_REASONS, load_abbreviations, load_patterns
from tidings.clean.repeats import find_repeated_paragraphs, find_repeated_sentences
from tidings.clean.text import fold_whitespace, strip_markup
from tidings.clean.view import Edit, View
from tidings.doc import Doc, OffsetMap
from tidings.pipeline import Stage
from tidings.records import Removal
from tidings.settings import CleanSettings

log = logging.getLogger(__name__)

MAX_CLEAN_ROUNDS = 4
# Unit: rounds, one round being a turn of each finder (boilerplate lines, repeated paragraphs,
# repeated sentences). Gates how often the finders re-run on each other's output to reach a
# fixed point, which is what makes clean(clean(x)) == clean(x). Calibrated: the shared sample
# and the generated test articles settle within two rounds; the bound only stops a
# pathological input from looping (it is then logged, and may clean further a second time).


def clean_text(
    raw: str, settings: CleanSettings, removed: Sequence[Removal] = ()
) -> tuple[str, OffsetMap, list[Removal]]:
    """Clean `raw`, whose pieces `removed` (raw offsets, e.g. the date header) are already gone.

    Returns the cleaned text, its offset map (text -> raw), and all removals: the given ones
    plus the new ones, sorted by start, disjoint, in raw offsets, each with a reason and rule.
    Raises ValueError when a given removal lies outside `raw` or two of them overlap.
    """
    given = _check_given(raw, removed)
    view = View.from_raw(raw, given)
    removals = list(given)

    view, dropped = strip_markup(view)
    removals.extend(dropped)

    patterns = load_patterns(tuple(settings.extra_patterns))
    abbreviations = load_abbreviations()
    min_words = settings.min_repeat_words
    finders: tuple[Callable[[View], list[Edit]], ...] = (
        lambda v: find_boilerplate(v.text, patterns, v.lines),
        lambda v: find_repeated_paragraphs(v.text, min_words, v.lines),
        lambda v: find_repeated_sentences(v.text, min_words, abbreviations, v.lines),
    )
    # Run the finders in turn until each has looked at the current view and found nothing.
    # A finder's own removals never give it more to find (each is stable on its output), so
    # after it edits it counts as done for the new view; the others must look again.
    done_on: list[View | None] = [None] * len(finders)
    steps = 0
    while any(v is not view for v in done_on) and steps < MAX_CLEAN_ROUNDS * len(finders):
        i = steps % len(finders)
        steps += 1
        if done_on[i] is view:
            continue
        edits = finders[i](view)
        if edits:
            view, dropped = view.apply(edits)
            removals.extend(dropped)
        done_on[i] = view
    if any(v is not view for v in done_on):
        log.debug("cleaning did not settle in %d rounds; the result may clean further", MAX_CLEAN_ROUNDS)

    text, segments, dropped = fold_whitespace(view)
    removals.extend(dropped)
    removals.sort(key=lambda r: (r.start, r.end))
    return text, OffsetMap(tuple(segments)), removals


def _check_given(raw: str, removed: Sequence[Removal]) -> list[Removal]:
    given = sorted(removed, key=lambda r: (r.start, r.end))
    previous_end = 0
    for removal in given:
        if not 0 <= removal.start <= removal.end <= len(raw):
            raise ValueError(
                f"removal {removal} lies outside the raw text (length {len(raw)}); "
                "removals must be raw offsets"
            )
        if removal.start < previous_end:
            raise ValueError(f"removal {removal} overlaps the one before it; removals must be disjoint")
        previous_end = removal.end
    return [r for r in given if r.start < r.end]


def clean(doc: Doc, settings: CleanSettings) -> Doc:
    """Set `doc.text`, `doc.offsets` and `doc.removed` from `doc.raw`.

    Removals already on the Doc whose reason is not one of cleaning's own (the reader's
    "date-header") are respected: those raw characters stay gone. Cleaning's own earlier
    removals are recomputed, so cleaning a Doc twice gives the same result.
    """
    given = [r for r in doc.removed if r.reason not in CLEANING_REASONS]
    doc.text, doc.offsets, doc.removed = clean_text(doc.raw, settings, given)
    return doc


def make_clean_stage(settings: CleanSettings) -> Stage:
    """The pipeline stage that cleans each Doc with `settings`."""
    load_patterns(tuple(settings.extra_patterns))  # fail at build time on a bad pattern file
    return Stage(
        "clean",
        functools.partial(clean, settings=settings),
        needs=("raw",),
        adds=("text", "offsets", "removed"),
    )
