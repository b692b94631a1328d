"""Sorted disjoint day ranges: which windows of dates an in-memory index already holds.

The story index and the incident index both keep a recent window of their records in memory and
load older ones from the store on demand; they record the loaded windows as ranges and ask for
the gaps before loading again.
"""

from __future__ import annotations

import datetime as dt

DayRange = tuple[dt.date, dt.date]
"""First and last day, both included."""

_DAY = dt.timedelta(days=1)


def union(ranges: list[DayRange], new: DayRange) -> list[DayRange]:
    """Sorted disjoint ranges covering `ranges` and `new` (adjacent ranges join)."""
    out: list[DayRange] = []
    for lo, hi in sorted([*ranges, new]):
        if out and (out[-1][1] == dt.date.max or lo <= out[-1][1] + _DAY):
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def gaps(ranges: list[DayRange], want: DayRange) -> list[DayRange]:
    """The parts of `want` that the sorted disjoint `ranges` do not cover."""
    out = []
    lo, hi = want
    for r_lo, r_hi in ranges:
        if r_hi < lo:
            continue
        if r_lo > hi:
            break
        if r_lo > lo:
            out.append((lo, r_lo - _DAY))
        if r_hi >= hi:
            return out
        lo = max(lo, r_hi + _DAY)
    out.append((lo, hi))
    return out
