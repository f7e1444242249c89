from __future__ import annotations

import pytest

from gates.checks.mutation import statuses as st


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (0, st.SURVIVED),
        (1, st.KILLED),
        (3, st.KILLED),
        (2, st.INTERRUPTED),
        (5, st.NO_TESTS),
        (33, st.NO_TESTS),
        (34, st.SKIPPED),
        (35, st.SUSPICIOUS),
        (36, st.TIMEOUT),
        (24, st.TIMEOUT),
        (-24, st.TIMEOUT),
        (152, st.TIMEOUT),
        (255, st.TIMEOUT),
        (37, st.TYPE_CHECKED),
        (-11, st.SEGFAULT),
        (-9, st.SEGFAULT),
        (None, st.NOT_CHECKED),
        (42, st.SUSPICIOUS),
        (-6, st.SUSPICIOUS),
    ],
)
def test_every_exit_code_has_a_status(code: int | None, status: str) -> None:
    assert st.status_of(code) == status


def test_mapping_matches_mutmuts_own_table() -> None:
    from mutmut.stats import status_by_exit_code

    for code, label in status_by_exit_code.items():
        expected = {"check was interrupted by user": "interrupted"}.get(label, label)
        assert st.LABELS[st.status_of(code)] == expected


DEFAULT = st.ScoreRule(frozenset({st.KILLED, st.TIMEOUT}), frozenset({st.SKIPPED, st.TYPE_CHECKED}))


def test_default_score_is_killed_plus_timeout_over_total_minus_skipped_and_type_caught() -> None:
    tally = st.Tally.of(
        [st.KILLED] * 5
        + [st.TIMEOUT]
        + [st.SURVIVED] * 2
        + [st.SKIPPED] * 3
        + [st.TYPE_CHECKED]
        + [st.NO_TESTS]
    )
    assert tally.total == 13
    assert tally.denominator(DEFAULT) == 9
    assert tally.score(DEFAULT) == pytest.approx(100 * 6 / 9)
    assert tally.inconclusive() == 1


def test_a_policy_may_leave_timeouts_out_of_the_detected() -> None:
    rule = st.ScoreRule(frozenset({st.KILLED}), frozenset({st.TIMEOUT}))
    tally = st.Tally.of([st.KILLED, st.TIMEOUT, st.SURVIVED])
    assert tally.score(rule) == 50.0
    assert "total - timeout" in rule.describe()


def test_no_scorable_mutant_has_no_score() -> None:
    assert st.Tally.of([st.SKIPPED]).score(DEFAULT) is None
    assert st.Tally.of([]).score(DEFAULT) is None
