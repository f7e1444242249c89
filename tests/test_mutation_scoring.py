"""Judging results: canned mutant lists for the edge cases (the real runs are in test_mutation_gate)."""

from __future__ import annotations

from gates.checks.mutation.results import Mutant, RunResults
from gates.checks.mutation.scoring import RULE_FLOOR, RULE_SURVIVED, evaluate
from gates.policy.paths import Paths
from gates.policy.sections.mutation import MutationSection


def _mutants(path: str, function: str, codes: list[int | None]) -> list[Mutant]:
    return [Mutant(f"m.x_{function}__mutmut_{i}", path, f"x_{function}", c) for i, c in enumerate(codes, 1)]


def _results(mutants: list[Mutant]) -> RunResults:
    return RunResults("3.8.1", "full", "u", len(mutants), None, mutants)


PATHS = Paths(source=["src/"], critical=["src/core/"])


def test_critical_paths_get_the_70_percent_floor_by_default() -> None:
    mutants = _mutants("src/core/a.py", "f", [1, 1, 0, 0]) + _mutants("src/other.py", "g", [0, 0])
    evaluation = evaluate(_results(mutants), MutationSection(), PATHS)
    assert evaluation.error is None
    floors = [f for f in evaluation.findings if f.rule_id == RULE_FLOOR]
    assert [(f.path, f.severity.value) for f in floors] == [("src/core/", "error")]
    assert "50.0%" in floors[0].message
    assert sum(f.rule_id == RULE_SURVIVED for f in evaluation.findings) == 4
    assert evaluation.metrics["score"] == round(100 * 2 / 6, 2)


def test_per_path_floors_and_an_overall_floor() -> None:
    mutants = _mutants("src/core/a.py", "f", [1, 1, 1, 0]) + _mutants("src/io/b.py", "g", [1, 0])
    section = MutationSection(min_score=80, min_scores={"src/io/": 40, "src/core/": 75})
    evaluation = evaluate(_results(mutants), section, PATHS)
    floors = {f.path for f in evaluation.findings if f.rule_id == RULE_FLOOR}
    assert floors == {None}  # overall 66.7% < 80; core 75% and io 50% pass
    table = evaluation.tables[0]
    assert table.title == "Score floors"
    assert [row[0] for row in table.rows] == ["all mutated code", "src/io/", "src/core/"]


def test_zero_mutants_is_inconclusive() -> None:
    evaluation = evaluate(_results([]), MutationSection(), PATHS)
    assert evaluation.error is not None and "zero mutants" in evaluation.error


def test_too_many_unjudged_mutants_is_inconclusive_with_advice() -> None:
    mutants = _mutants("src/core/a.py", "f", [1] * 8 + [None, 33])
    evaluation = evaluate(_results(mutants), MutationSection(max_inconclusive_percent=10), PATHS)
    assert evaluation.error is not None
    assert "20.0% of 10 mutants" in evaluation.error
    assert "1 not checked" in evaluation.error and "1 no tests" in evaluation.error
    assert "mutation.timeout" in evaluation.error
    ok = evaluate(_results(mutants), MutationSection(max_inconclusive_percent=20), PATHS)
    assert ok.error is None


def test_segfaults_and_suspicious_count_as_inconclusive() -> None:
    mutants = _mutants("src/core/a.py", "f", [1, 1, -11, 35])
    evaluation = evaluate(_results(mutants), MutationSection(), PATHS)
    assert (
        evaluation.error is not None and "segfault" in evaluation.error and "suspicious" in evaluation.error
    )


def test_all_excluded_is_an_error_not_a_pass() -> None:
    mutants = _mutants("src/core/a.py", "f", [34, 37])
    evaluation = evaluate(_results(mutants), MutationSection(), PATHS)
    assert evaluation.error is not None and "no mutant counts towards the score" in evaluation.error


def test_the_policy_chooses_the_score_formula() -> None:
    mutants = _mutants("src/core/a.py", "f", [1, 36, 0, 0])
    default = evaluate(_results(mutants), MutationSection(), PATHS)
    strict = evaluate(_results(mutants), MutationSection(score_detected=["killed"], score_excluded=[]), PATHS)
    assert default.metrics["score"] == 50.0
    assert strict.metrics["score"] == 25.0


def test_survivor_severity_is_configurable() -> None:
    mutants = _mutants("src/core/a.py", "f", [1, 1, 1, 0])
    evaluation = evaluate(_results(mutants), MutationSection(survivor_severity="error"), PATHS)
    survivors = [f for f in evaluation.findings if f.rule_id == RULE_SURVIVED]
    assert [f.severity.value for f in survivors] == ["error"]


def test_worst_functions_first() -> None:
    mutants = (
        _mutants("src/core/a.py", "good", [1, 1])
        + _mutants("src/core/a.py", "bad", [0, 0, 1])
        + _mutants("src/core/a.py", "worst", [0, 0])
    )
    table = next(
        t for t in evaluate(_results(mutants), MutationSection(), PATHS).tables if "Worst" in t.title
    )
    assert [row[0] for row in table.rows] == ["worst()", "bad()", "good()"]


def test_mutants_whose_tests_never_ran_make_the_run_an_error_not_kills() -> None:
    from gates.checks.mutation.scoring import tests_not_run_message

    names = [f"m.x_f__mutmut_{i}" for i in range(1, 41)]
    mutants = [Mutant(n, "src/core/a.py", "x_f", 255 if i < 30 else 1) for i, n in enumerate(names)]
    evaluation = evaluate(_results(mutants), MutationSection(), PATHS)
    assert evaluation.error is not None
    assert evaluation.error == tests_not_run_message(mutants)
    assert "30 mutant(s) were not judged because their tests never ran" in evaluation.error
    assert "and 27 more" in evaluation.error and len(evaluation.error) < 700
    assert evaluation.metrics["killed"] == 10 and evaluation.metrics["test_error"] == 30
