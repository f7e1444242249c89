"""Floors on integer counts: 79.995% never passes 80, and what is shown never contradicts it."""

from __future__ import annotations

import pytest

from gates.checks.coverage import percent
from gates.checks.coverage.data import Counts


def test_79_995_percent_does_not_pass_a_floor_of_80() -> None:
    counts = Counts(15999, 20000)  # 79.995%: coverage.py's round(…, 2) would show 80.00
    assert not percent.meets(counts, 80)
    assert percent.needed(counts, 80) == 1
    assert percent.show(counts, 2) == "79.99%"


def test_exactly_the_floor_passes() -> None:
    assert percent.meets(Counts(4, 5), 80)
    assert percent.needed(Counts(4, 5), 80) == 0


def test_fractional_floor_is_exact_decimal() -> None:
    # 62.5% of 8 is exactly 5: a binary float must not make 5/8 fail.
    assert percent.meets(Counts(5, 8), 62.5)
    assert not percent.meets(Counts(4, 8), 62.5)
    assert percent.needed(Counts(4, 8), 62.5) == 1


@pytest.mark.parametrize(
    ("covered", "total", "floor", "expected"),
    [(0, 10, 60, 6), (3, 10, 60, 3), (212, 1000, 42.5, 213), (99, 100, 100, 1), (0, 0, 90, 0)],
)
def test_needed_is_the_smallest_count_that_reaches_the_floor(
    covered: int, total: int, floor: float, expected: int
) -> None:
    counts = Counts(covered, total)
    more = percent.needed(counts, floor)
    assert more == expected
    assert percent.meets(Counts(covered + more, total), floor)
    if more:
        assert not percent.meets(Counts(covered + more - 1, total), floor)


def test_nothing_to_cover_meets_every_floor_and_shows_100() -> None:
    assert percent.meets(Counts(0, 0), 100)
    assert percent.show(Counts(0, 0)) == "100.0%"


def test_shown_percentage_is_truncated_not_rounded() -> None:
    assert percent.show(Counts(2, 3)) == "66.6%"
    assert percent.show(Counts(9999, 10000), 1) == "99.9%"
    assert percent.show_floor(80.0) == "80%"
