"""Evaluation: gold loaders, scorers per extractor, and the quality gate over pinned floors.

`main()` is what `tidings eval` calls; `run_eval()` and `check_floors()` are the library API.
"""

from __future__ import annotations

from typing import Any

__all__ = ["EvalReport", "Metric", "check_floors", "main", "run_eval"]


def __getattr__(name: str) -> Any:
    # Lazy so that `tidings.evaluate.meantime` can be imported without the scorers' deps.
    if name in __all__:
        from tidings.evaluate import report

        return getattr(report, name)
    raise AttributeError(name)
