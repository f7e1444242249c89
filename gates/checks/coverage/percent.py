"""Floors compared on integer counts, and percentages shown rounded down.

A floor of 80 means ``covered * 100 >= 80 * total`` in exact arithmetic, so 79.995%
never passes 80 (coverage.py rounds first, gcovr #344 shows 99.95 becoming 100). A
shown percentage is truncated, never rounded up, so the text never contradicts the verdict.
"""

from __future__ import annotations

import math
from fractions import Fraction

from gates.checks.coverage.data import Counts


def exact_floor(floor: float) -> Fraction:
    """The floor as written in the policy (``62.5`` is exactly 125/2, not a binary float)."""
    return Fraction(str(floor))


def meets(counts: Counts, floor: float) -> bool:
    """True when ``counts`` reach ``floor`` percent. Nothing to cover meets every floor."""
    if counts.total == 0:
        return True
    return Fraction(counts.covered * 100, counts.total) >= exact_floor(floor)


def needed(counts: Counts, floor: float) -> int:
    """How many more items must be covered to reach ``floor`` (0 when it is met)."""
    required = math.ceil(exact_floor(floor) * counts.total / 100)
    return max(0, required - counts.covered)


def ratio(counts: Counts) -> Fraction:
    """Coverage as an exact fraction in [0, 1]; nothing to cover counts as fully covered."""
    return Fraction(1) if counts.total == 0 else Fraction(counts.covered, counts.total)


def percent(counts: Counts) -> float:
    """The percentage as a float for JSON metrics (not used for verdicts)."""
    return float(ratio(counts) * 100)


def show(counts: Counts, decimals: int = 1) -> str:
    """The percentage truncated to ``decimals`` places: 79.99 shows as 79.9, never 80.0."""
    return show_fraction(ratio(counts), decimals)


def show_fraction(value: Fraction, decimals: int = 1) -> str:
    scale = 10**decimals
    truncated = math.floor(value * 100 * scale)
    whole, part = divmod(truncated, scale)
    return f"{whole}.{part:0{decimals}d}%" if decimals else f"{whole}%"


def show_floor(floor: float) -> str:
    return f"{floor:g}%"
