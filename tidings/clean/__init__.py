"""Cleaning: boilerplate and repeated-text removal with an offset map back to the raw text.

`clean_text` is the pure function; `clean` applies it to a Doc; `make_clean_stage` wraps it as
a pipeline stage. The boilerplate patterns are data: tidings/data/boilerplate.txt, extended by
the files in settings [clean] extra_patterns.
"""

from tidings.clean.boilerplate import MAX_BOILERPLATE_WORDS, find_boilerplate
from tidings.clean.cleaner import clean, clean_text, make_clean_stage
from tidings.clean.lines import Line, line_spans
from tidings.clean.patterns import (
    CLEANING_REASONS,
    LinePattern,
    PatternSet,
    load_patterns,
    parse_patterns,
)
from tidings.clean.repeats import find_repeated_paragraphs, find_repeated_sentences, split_sentences
from tidings.clean.text import find_markup, fold_whitespace

__all__ = [
    "CLEANING_REASONS",
    "MAX_BOILERPLATE_WORDS",
    "Line",
    "LinePattern",
    "PatternSet",
    "clean",
    "clean_text",
    "find_boilerplate",
    "find_markup",
    "find_repeated_paragraphs",
    "find_repeated_sentences",
    "fold_whitespace",
    "line_spans",
    "load_patterns",
    "make_clean_stage",
    "parse_patterns",
    "split_sentences",
]
