"""Score arithmetic per component, renormalisation and bands."""

from __future__ import annotations

import pytest

from gates.checks.readiness.score import Component, band_for, compute, todo_ratio
from gates.policy.sections.readiness import ReadinessSection
from gates.policy.validation import validate


def components(
    tests: float | None, coverage: float | None, todos: float | None, critical: float | None
) -> list[Component]:
    return [
        Component("tests", 30, tests, "", ""),
        Component("coverage", 30, coverage, "", ""),
        Component("todos", 25, todos, "", ""),
        Component("critical_paths", 15, critical, "", ""),
    ]


def test_all_components_weighted() -> None:
    result = compute(components(90, 80, 100, 50))
    # (30*90 + 30*80 + 25*100 + 15*50) / 100 = 83.5
    assert result.score == 83.5
    assert result.renormalisation() is None
    assert [round(result.points(c), 2) for c in result.components] == [27.0, 24.0, 25.0, 7.5]


def test_missing_component_is_left_out_and_the_rest_renormalised() -> None:
    result = compute(components(90, None, 100, 50))
    # (30*90 + 25*100 + 15*50) / 70 = 5950 / 70 = 85.0
    assert result.score == 85.0
    assert result.used_weight == 70
    coverage = result.components[1]
    assert (result.share(coverage), result.points(coverage)) == (0.0, 0.0)
    assert result.share(result.components[0]) == pytest.approx(100 * 30 / 70)
    note = result.renormalisation()
    assert note is not None
    assert note.startswith("left out for lack of input: coverage (30); the remaining weights (70 of 100)")
    assert "tests 30 -> 42.9" in note


def test_nothing_available_means_no_score() -> None:
    result = compute(components(None, None, None, None))
    assert result.score is None
    assert result.renormalisation() == "no component is available, so there is no score"


def test_zero_weight_does_not_count_and_custom_weights_are_scaled() -> None:
    result = compute(
        [
            Component("tests", 1, 50, "", ""),
            Component("coverage", 3, 100, "", ""),
            Component("todos", 0, 0, "", ""),
        ]
    )
    assert result.score == 87.5
    assert (
        result.renormalisation() == "the weights sum to 4, scaled to 100: tests 1 -> 25.0, coverage 3 -> 75.0"
    )


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "not ready"),
        (39.9, "not ready"),
        (40, "partial"),
        (59.9, "partial"),
        (60, "mostly ready"),
        (80, "ready"),
        (100, "ready"),
    ],
)
def test_default_bands(score: float, band: str) -> None:
    assert band_for(score, ReadinessSection().bands) == band


def test_todo_ratio() -> None:
    assert todo_ratio(0, 0) == 100.0
    assert todo_ratio(0, 7) == 100.0
    assert todo_ratio(1, 4) == 75.0
    assert todo_ratio(3, 3) == 0.0


def test_bands_must_start_at_zero() -> None:
    with pytest.raises(ValueError, match="lowest band must have min: 0"):
        validate(ReadinessSection, {"bands": [{"min": 10, "label": "x"}]})
