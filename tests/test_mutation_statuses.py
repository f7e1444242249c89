from __future__ import annotations

from pathlib import Path

import pytest

from gates.checks.mutation import statuses as st


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (0, st.SURVIVED),
        (1, st.KILLED),
        (3, st.TEST_ERROR),
        (4, st.TEST_ERROR),
        (2, st.INTERRUPTED),
        (5, st.NO_TESTS),
        (33, st.NO_TESTS),
        (34, st.SKIPPED),
        (35, st.SUSPICIOUS),
        (36, st.TIMEOUT),
        (24, st.TIMEOUT),
        (-24, st.TIMEOUT),
        (152, st.TIMEOUT),
        (255, st.TEST_ERROR),
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


def test_mapping_matches_mutmuts_own_table_except_where_the_tests_never_ran() -> None:
    from mutmut.stats import status_by_exit_code

    # mutmut calls pytest's internal error (3) a kill and a raising test runner (255) a timeout.
    differ = {3: ("killed", "tests did not run"), 255: ("timeout", "tests did not run")}
    for code, label in status_by_exit_code.items():
        if code in differ:
            assert (label, st.LABELS[st.status_of(code)]) == differ[code]
            continue
        expected = {"check was interrupted by user": "interrupted"}.get(label, label)
        assert st.LABELS[st.status_of(code)] == expected


def test_a_bool_is_not_an_exit_code(tmp_path: Path) -> None:
    """JSON true is Python True, an int equal to 1: read loosely it is a kill (issue #13, 8)."""
    from gates.checks.mutation.results import exit_code_of, read_meta_files
    from gates.errors import ToolError

    meta = tmp_path / "pkg" / "mod.py.meta"
    meta.parent.mkdir()
    for bad in ("true", "false", "1.0", '"1"'):
        meta.write_text('{"exit_code_by_key": {"pkg.mod.x_f__mutmut_1": ' + bad + "}}")
        with pytest.raises(ToolError, match="is not an integer"):
            read_meta_files(tmp_path)
    meta.write_text('{"exit_code_by_key": {"pkg.mod.x_f__mutmut_1": 1, "pkg.mod.x_f__mutmut_2": null}}')
    assert [m.exit_code for m in read_meta_files(tmp_path)] == [1, None]
    assert exit_code_of(0, "here") == 0
    assert st.status_of(True) == st.SUSPICIOUS


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
