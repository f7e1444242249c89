"""The mutation score cannot lie: real mutmut runs checked against fresh-process hand checks.

The project's tests have non-ASCII ids (``ids=str`` on "é" and "日本"), which pytest escapes;
plain mutmut then cannot find those tests again and records every mutant they cover as
killed (mutmut #556). The true status of each mutant comes from applying it the way mutmut
does (``MUTANT_UNDER_TEST`` in the kept ``mutants/`` tree) and running the whole test
directory with ``pytest -x`` in a new process, independently of the gate's own kill check.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_mutation_gate import (
    SCRUBBED_ENV,
    _git,
    exit_codes,
    gates,
    kept_work_dir,
    make_project,
    results_file,
)

pytestmark = pytest.mark.slow

SOURCE = """\
def greet(name):
    if name == "é":
        return "accent"
    return "plain:" + name


def double(x):
    return x * 2


def bump(x):
    return x + 1
"""

# test_greet only checks that greet returns something: most of its mutants truly survive.
TESTS = """\
import pytest

from uni.core import bump, double, greet


@pytest.mark.parametrize("value", ["é", "日本"], ids=str)
def test_greet(value):
    assert greet(value)


def test_double():
    assert double(3) == 6


def test_bump():
    assert bump(1) > 0
"""

POLICY = """\
version: 1
base: main
paths:
  source: ["src/"]
  tests: ["tests/"]
mutation:
  max_children: 2
  timeout: 300
"""


def unicode_project(root: Path) -> Path:
    return make_project(
        root,
        {
            "src/uni/__init__.py": "",
            "src/uni/core.py": SOURCE,
            "tests/test_core.py": TESTS,
            "policy.yaml": POLICY,
            ".gitignore": "mutants/\n.gates/\n",
        },
    )


def hand_check(work: Path, names: list[str]) -> dict[str, str]:
    """Each mutant applied in mutmut's tree, every test run with ``pytest -x`` in a new process."""
    mutants = work / "mutants"
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env["PYTHONPATH"] = str(mutants / "src")
    found: dict[str, str] = {}
    for name in names:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "tests/"],
            cwd=mutants,
            env={**env, "MUTANT_UNDER_TEST": name},
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode in (0, 1), proc.stdout[-2000:]
        found[name] = "killed" if proc.returncode == 1 else "survived"
    return found


def statuses(results: dict[str, object]) -> dict[str, str]:
    from gates.checks.mutation.statuses import status_of

    return {name: status_of(code) for name, code in exit_codes(results).items()}


@pytest.fixture(scope="module")
def full_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, int, dict[str, object], dict[str, str]]]:
    root = unicode_project(tmp_path_factory.mktemp("unicode") / "repo")
    code, result, err = gates(root, "mutation", "--keep-work-dir")
    assert result, err
    work = kept_work_dir(result)
    truth = hand_check(work, sorted(exit_codes(results_file(root / ".gates/cache/mutation"))))
    yield root, code, result, truth
    shutil.rmtree(work, ignore_errors=True)


def test_the_full_run_gets_the_true_score_with_non_ascii_test_ids(
    full_run: tuple[Path, int, dict[str, object], dict[str, str]],
) -> None:
    root, code, result, truth = full_run
    assert code == 0, result
    assert len(truth) == 12
    ours = statuses(results_file(root / ".gates/cache/mutation"))
    assert ours == truth  # mutant for mutant
    killed = sum(1 for s in truth.values() if s == "killed")
    assert killed == 4  # plain mutmut says 11: every greet mutant "killed"
    assert result["metrics"]["killed"] == killed
    assert result["metrics"]["score"] == round(100 * killed / 12, 2)
    notes = " ".join(result["notes"])
    assert "disable_test_id_escaping_and_forfeit_all_rights_to_community_support" in notes
    assert "all 4 of 4 killed mutants" in notes and "all 4 reproduced" in notes
    check = result["details"]["kill_check"]
    assert check["reproduced"] == 4 and len(check["sampled"]) == 4 and check["did_not_reproduce"] == []


def test_shards_agree_with_the_true_score(
    full_run: tuple[Path, int, dict[str, object], dict[str, str]], tmp_path: Path
) -> None:
    root, _, full_result, truth = full_run
    dirs = []
    for index in (1, 2):
        out = tmp_path / f"shard{index}"
        code, result, err = gates(root, "mutation", "--shard", f"{index}/2", "--results-dir", str(out))
        assert code == 0, (result, err)
        dirs.append(out)
    merged: dict[str, str] = {}
    for directory in dirs:
        merged.update(statuses(results_file(directory)))
    assert merged == truth
    code, result, err = gates(root, "mutation", "merge", *map(str, dirs))
    assert code == 0, (result, err)
    assert result["metrics"]["score"] == full_result["metrics"]["score"]


def test_changed_code_mode_agrees_with_the_true_score(
    full_run: tuple[Path, int, dict[str, object], dict[str, str]], tmp_path: Path
) -> None:
    source_root, _, _, truth = full_run
    root = tmp_path / "changed"
    shutil.copytree(source_root, root)  # keeps the full run's mutmut-stats.json
    _git(root, "checkout", "-q", "-b", "feature")
    core = root / "src/uni/core.py"
    core.write_text(core.read_text(encoding="utf-8").replace('"accent"', '"accent"  # é'), encoding="utf-8")
    _git(root, "commit", "-q", "-am", "comment in greet")
    code, result, err = gates(root, "mutation", "--changed")
    assert code == 0, (result, err)
    assert result["details"]["mode"] == "changed"
    ours = statuses(results_file(root / ".gates/cache/mutation"))
    assert ours == {k: v for k, v in truth.items() if "x_greet__" in k}
    assert len(ours) == 8 and list(ours.values()).count("survived") == 7


def test_a_mutant_exit_code_of_true_is_not_a_kill(
    full_run: tuple[Path, int, dict[str, object], dict[str, str]], tmp_path: Path
) -> None:
    """Issue #13 item 8: JSON ``true`` is a bool, and bool is an int equal to 1 ("killed")."""
    root, _, _, _ = full_run
    data = results_file(root / ".gates/cache/mutation")
    survivor = next(m for m in data["mutants"] if m["exit_code"] == 0)  # type: ignore[union-attr]
    survivor["exit_code"] = True
    out = tmp_path / "tampered"
    out.mkdir()
    (out / "mutation-results.json").write_text(json.dumps(data), encoding="utf-8")
    code, result, err = gates(root, "mutation", "merge", str(out))
    assert code == 2, (result, err)
    assert "exit code True is not an integer" in str(result["error"]) + err
    assert survivor["name"] in str(result["error"]) + err


STATEFUL_SOURCE = SOURCE.split("\n\n\n", 1)[1]
STATEFUL_TESTS = """\
import os
import sys

from uni.core import bump, double


def test_double():
    assert double(3) == 6


def test_bump_depends_on_process_state():
    assert bump(1) > 0
    # Fails whenever a mutant is active in a process where mutmut's runner was imported
    # first: a kill that is a property of mutmut's process, not of the mutant.
    if "__mutmut_" in os.environ.get("MUTANT_UNDER_TEST", "") and "mutmut.__main__" in sys.modules:
        raise AssertionError("state left by the process that ran earlier tests")
"""


def test_kills_that_do_not_reproduce_in_a_fresh_process_are_an_error(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "repo",
        {
            "src/uni/__init__.py": "",
            "src/uni/core.py": STATEFUL_SOURCE,
            "tests/test_core.py": STATEFUL_TESTS,
            "policy.yaml": POLICY,
            ".gitignore": "mutants/\n.gates/\n",
        },
    )
    code, result, err = gates(root, "mutation")
    assert code == 2, (result, err)
    error = str(result["error"])
    assert "sampled kills did not reproduce" in error
    assert "uni.core.x_bump__mutmut_" in error
    assert "MUTANT_UNDER_TEST" in error
    assert len(error) < 1500


def test_the_check_can_be_turned_off_and_then_says_so(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "repo",
        {
            "src/uni/__init__.py": "",
            "src/uni/core.py": STATEFUL_SOURCE,
            "tests/test_core.py": STATEFUL_TESTS,
            "policy.yaml": POLICY + "  verify_kills: 0\n",
            ".gitignore": "mutants/\n.gates/\n",
        },
    )
    code, result, err = gates(root, "mutation")
    assert code == 0, (result, err)
    assert "kills were not re-checked (mutation.verify_kills: 0)" in result["notes"]
