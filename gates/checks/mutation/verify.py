"""Checking mutmut's kills: a random sample of killed mutants re-run in fresh pytest processes.

mutmut tests every mutant in a process forked from one that already ran pytest, and stores
whatever exit code comes back. A test run that failed for another reason than the mutant (test
ids pytest no longer finds, state left over from an earlier run) is then a "kill" like any
other: on python-humanize, 13 of 333 kills were such. Each sampled mutant is applied the way
mutmut applies it (``MUTANT_UNDER_TEST`` in its ``mutants/`` tree, which holds the trampolines)
and its tests run with ``pytest -x`` in a new interpreter; the kill stands only if that run
fails a test.
"""

from __future__ import annotations

import json
import os
import random
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import field
from pathlib import Path
from typing import Any

from gates.records import record

from . import statuses as st
from .process import ProcessOutcome, run_in_work
from .results import MUTANT_MARKER, Mutant

# What pytest prints when the tests it was given never ran.
_NOT_RUN_MARKERS = (
    "ERROR: not found:",
    "found no collectors",
    "no tests ran",
    "ERROR: file or directory not found",
)
_NOT_RUN_CAUSES = {
    2: "pytest was interrupted or hit collection errors (exit code 2)",
    3: "pytest had an internal error (exit code 3)",
    4: "pytest's usage error, e.g. test ids not found (exit code 4)",
    5: "pytest collected no test (exit code 5)",
}
# mutmut's own arguments for a mutant's test run (PytestRunner._pytest_args_regular_run).
_PYTEST_FLAGS = ["--rootdir=.", "--tb=short", "-x", "-q", "-p", "no:randomly", "-p", "no:random-order"]


@record
class KillCheck:
    """The sample and what each fresh run said."""

    killed: int  # kills in the run
    seed: int
    sampled: list[str] = field(default_factory=list)
    reproduced: list[str] = field(default_factory=list)
    survived: list[str] = field(default_factory=list)  # tests passed in a fresh process
    not_run: dict[str, str] = field(default_factory=dict)  # mutant -> why its tests did not run
    timed_out: bool = False

    def details(self) -> dict[str, object]:
        return {
            "killed": self.killed,
            "seed": self.seed,
            "sampled": self.sampled,
            "reproduced": len(self.reproduced),
            "did_not_reproduce": self.survived,
            "tests_did_not_run": self.not_run,
        }


def sample_kills(mutants: list[Mutant], size: int, seed: int) -> list[str]:
    killed = sorted(m.name for m in mutants if m.status == st.KILLED)
    if size >= len(killed):
        return killed
    return sorted(random.Random(seed).sample(killed, size))


def covering_tests(work: Path) -> dict[str, list[str]]:
    """mutmut's tests per mangled function name, from the run's ``mutants/mutmut-stats.json``."""
    try:
        stats = json.loads((work / "mutants" / "mutmut-stats.json").read_text(encoding="utf-8"))
        table: Any = stats["tests_by_mangled_function_name"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if not isinstance(table, dict):
        return {}
    return {str(k): sorted(str(t) for t in v) for k, v in table.items() if isinstance(v, list)}


def pythonpath(work: Path) -> str:
    """What mutmut puts first on sys.path so the tests import the mutated copy (setup_source_paths)."""
    mutants = work / "mutants"
    entries = [str(mutants / d) for d in ("source", "src") if (mutants / d).is_dir()]
    return os.pathsep.join([*entries, str(mutants)])


def fresh_run_argv(tests: list[str], pytest_args: list[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", *_PYTEST_FLAGS, *tests, *pytest_args]


def verdict_of(outcome: ProcessOutcome) -> tuple[str, str]:
    """("reproduced" | "survived" | "not_run", cause) for one fresh run."""
    lowered = outcome.output.lower()
    marker = next((m for m in _NOT_RUN_MARKERS if m.lower() in lowered), None)
    if outcome.returncode == 1 and marker is None:
        return "reproduced", ""
    if outcome.returncode == 0 and marker is None:
        return "survived", ""
    cause = _NOT_RUN_CAUSES.get(outcome.returncode, f"pytest exited with code {outcome.returncode}")
    if marker:
        cause += f"; pytest said {marker.rstrip(':')!r}"
    return "not_run", cause


def check_kills(
    work: Path,
    mutants: list[Mutant],
    *,
    size: int,
    test_selection: list[str],
    pytest_args: list[str],
    workers: int,
    time_left: Callable[[], float],
    seed: int | None = None,
) -> KillCheck:
    """Re-run a random sample of ``size`` killed mutants, each in a new pytest process."""
    seed = seed if seed is not None else int.from_bytes(os.urandom(4), "big")
    killed = sum(1 for m in mutants if m.status == st.KILLED)
    check = KillCheck(killed=killed, seed=seed, sampled=sample_kills(mutants, size, seed))
    if not check.sampled:
        return check
    tests_by_function = covering_tests(work)
    env = {"PYTHONPATH": pythonpath(work), "PYTHONDONTWRITEBYTECODE": "1"}

    def one(index_name: tuple[int, str]) -> tuple[str, ProcessOutcome]:
        index, name = index_name
        tests = tests_by_function.get(name.partition(MUTANT_MARKER)[0]) or test_selection
        outcome = run_in_work(
            fresh_run_argv(tests, pytest_args),
            work,
            timeout=time_left(),
            log_name=f"gates-verify-{index}.log",
            cwd=work / "mutants",
            extra_env={**env, "MUTANT_UNDER_TEST": name},
        )
        return name, outcome

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for name, outcome in pool.map(one, enumerate(check.sampled)):
            if outcome.timed_out:
                check.timed_out = True
                continue
            verdict, cause = verdict_of(outcome)
            if verdict == "reproduced":
                check.reproduced.append(name)
            elif verdict == "survived":
                check.survived.append(name)
            else:
                check.not_run[name] = cause
    return check
