"""Reading fresh-process re-runs of killed mutants (the real runs are in test_mutation_truth)."""

from __future__ import annotations

from pathlib import Path

from gates.checks.mutation.process import ProcessOutcome
from gates.checks.mutation.results import Mutant
from gates.checks.mutation.verify import pythonpath, sample_kills, verdict_of


def _outcome(code: int, output: str = "") -> ProcessOutcome:
    return ProcessOutcome(code, output, False, 0.1)


def test_only_a_failing_test_reproduces_a_kill() -> None:
    assert verdict_of(_outcome(1, "FAILED tests/test_a.py::test_a - assert 1 == 2\n1 failed")) == (
        "reproduced",
        "",
    )
    assert verdict_of(_outcome(0, "3 passed")) == ("survived", "")
    for code, words in ((2, "interrupted"), (3, "internal error"), (4, "usage error"), (5, "no test")):
        verdict, cause = verdict_of(_outcome(code))
        assert verdict == "not_run" and words in cause and f"exit code {code}" in cause


def test_not_found_output_is_not_a_kill_whatever_the_exit_code() -> None:
    for text in ("ERROR: not found: /w/tests/test_a.py::test_x[\\xe9]", "no tests ran in 0.01s"):
        verdict, cause = verdict_of(_outcome(1, text))
        assert verdict == "not_run" and "pytest said" in cause


def test_the_sample_is_random_but_reproducible_and_only_kills() -> None:
    mutants = [Mutant(f"p.x_f__mutmut_{i}", "p.py", "x_f", 1 if i % 3 else 0) for i in range(90)]
    one = sample_kills(mutants, 10, seed=7)
    assert one == sample_kills(mutants, 10, seed=7) and len(one) == 10
    assert one != sample_kills(mutants, 10, seed=8)
    assert all(int(n.rsplit("_", 1)[1]) % 3 for n in one)
    assert len(sample_kills(mutants, 1000, seed=7)) == 60


def test_the_mutated_tree_comes_first_on_the_path(tmp_path: Path) -> None:
    (tmp_path / "mutants" / "src").mkdir(parents=True)
    assert pythonpath(tmp_path).split(":") == [str(tmp_path / "mutants/src"), str(tmp_path / "mutants")]
