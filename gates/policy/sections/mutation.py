"""``mutation:`` section: mutmut scores per path, changed-code mode, shards."""

from __future__ import annotations

from typing import Literal

from gates.policy.base import (
    SEVERITY_ORDER,
    GateSection,
    PolicyValueError,
    SeverityName,
    policy_model,
    setting,
)

StatusName = Literal[
    "killed",
    "survived",
    "no_tests",
    "skipped",
    "timeout",
    "type_checked",
    "segfault",
    "suspicious",
    "not_checked",
    "interrupted",
    "test_error",
]

DEFAULT_DETECTED: list[StatusName] = ["killed", "timeout"]
DEFAULT_EXCLUDED: list[StatusName] = ["skipped", "type_checked"]

DEFAULT_FULL_RUN_TRIGGERS = [
    "pyproject.toml",
    "setup.cfg",
    "setup.py",
    "tox.ini",
    "pytest.ini",
    "conftest.py",
    "requirements*.txt",
    "*.lock",
    "Pipfile",
    "policy.yaml",
    ".gates/policy.yaml",
]


@policy_model
class MutationSection(GateSection):
    paths: list[str] = setting(
        stricter="only",
        default_factory=list,
        description=(
            "Files or directories to mutate (gitignore-style globs). Empty: the critical paths "
            "(`paths.critical`), or every source path when there are none. Tests are never mutated."
        ),
    )
    tests: list[str] = setting(
        stricter="only",
        default_factory=list,
        description=(
            "pytest arguments that select the tests (files, `-k`, `-m`); mutmut's "
            "`pytest_add_cli_args_test_selection`. Empty: `paths.tests`."
        ),
    )
    pytest_args: list[str] = setting(
        stricter="none",
        default_factory=list,
        description="Extra pytest arguments for every test run (mutmut's `pytest_add_cli_args`).",
    )
    also_copy: list[str] = setting(
        stricter="none",
        default_factory=list,
        description="Files or directories the tests need besides the mutated package (mutmut's `also_copy`).",
    )
    max_children: int | None = setting(
        stricter="none",
        default=None,
        ge=1,
        description="Mutants tested in parallel. Default: the number of CPUs.",
    )
    min_score: float | None = setting(
        stricter="higher",
        default=None,
        ge=0,
        le=100,
        description="Floor for the score over every mutated file, %.",
    )
    critical_min_score: float = setting(
        stricter="higher",
        default=70.0,
        ge=0,
        le=100,
        description="Mutation score floor on critical paths, %.",
    )
    min_scores: dict[str, float] = setting(
        stricter="higher",
        default_factory=dict,
        description="Floors per path: gitignore-style glob -> minimum score (%) over the mutants in it.",
    )
    score_detected: list[StatusName] = setting(
        stricter="fewer",
        default_factory=lambda: list(DEFAULT_DETECTED),
        description="Statuses counted as detected (the score's numerator).",
    )
    score_excluded: list[StatusName] = setting(
        stricter="fewer",
        default_factory=lambda: list(DEFAULT_EXCLUDED),
        description="Statuses left out of the score's denominator.",
    )
    max_inconclusive_percent: float = setting(
        stricter="lower",
        default=10.0,
        ge=0,
        le=100,
        description=(
            "Largest share (%) of not-checked, no-tests, suspicious, segfault or interrupted mutants "
            "before the run is inconclusive (an error, not a score)."
        ),
    )
    verify_kills: int = setting(
        stricter="higher",
        default=30,
        ge=0,
        description=(
            "Killed mutants re-run in a fresh pytest process (a random sample of this size) to "
            "check that each kill is a real test failure; any that does not reproduce is an error. "
            "0 turns the check off."
        ),
    )
    survivor_severity: SeverityName = setting(
        stricter=SEVERITY_ORDER,
        default="warning",
        description="Severity of each surviving mutant; floors missed are always errors.",
    )
    changed_only: bool = setting(
        stricter="false",
        default=False,
        description="Mutate only the functions changed since the merge-base (same as --changed).",
    )
    full_run_triggers: list[str] = setting(
        stricter="more",
        default_factory=lambda: list(DEFAULT_FULL_RUN_TRIGGERS),
        description="Changed files (gitignore-style globs) that make changed-code mode mutate everything.",
    )
    results_dir: str = setting(
        stricter="none",
        default=".gates/cache/mutation",
        description="Where each run writes mutation-results.json (for `merge`) and mutmut-stats.json.",
    )
    keep_work_dir: bool = setting(
        stricter="none",
        default=False,
        description="Keep the temporary copy mutmut ran in (its path is in the notes) for `mutmut browse`.",
    )

    def __post_init__(self) -> None:
        both = sorted(set(self.score_detected) & set(self.score_excluded))
        if both:
            raise PolicyValueError(
                "score_excluded", f"status {both[0]!r} is in both score_detected and score_excluded"
            )
        for pattern, floor in self.min_scores.items():
            if not 0 <= floor <= 100:
                raise PolicyValueError(
                    "min_scores", f"min_scores[{pattern!r}] must be between 0 and 100, got {floor}"
                )
