"""The mutation gate with the real mutmut, on tiny projects built in a temp dir.

Each mutmut run forks a pytest per mutant, so the projects have a handful of mutants and
the expensive runs are shared by module-scoped fixtures.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PACKAGE = """\
def total(price, qty):
    return price * qty


def is_adult(age):
    return age >= 18


def label(name):
    return "item:" + name


class Cart:
    def __init__(self):
        self.items = []

    def add(self, item):
        self.items.append(item)
        return len(self.items)
"""

STRONG_TESTS = """\
from shop.pricing import Cart, is_adult, label, total


def test_total():
    assert total(3, 4) == 12


def test_is_adult():
    assert is_adult(18)
    assert not is_adult(17)


def test_label():
    assert label("pen") == "item:pen"


def test_cart():
    cart = Cart()
    assert cart.items == []
    assert cart.add("pen") == 1
    assert cart.items == ["pen"]
"""

WEAK_TESTS = """\
from shop.pricing import Cart, is_adult, label, total


def test_total():
    assert total(1, 1) == 1


def test_is_adult():
    assert is_adult(30)


def test_label(pen):
    label(pen)


def test_cart():
    Cart().add("pen")
"""

# A root conftest.py is not among the files mutmut copies into mutants/ by itself.
ROOT_CONFTEST = """\
import pytest


@pytest.fixture
def pen():
    return "pen"
"""

POLICY = """\
version: 1
base: main
paths:
  source: ["shop/"]
  critical: ["shop/"]
mutation:
  max_children: 2
  timeout: 300
"""

# The user's own mutmut settings, in the pre-3.6 key names; the gate must translate them
# and leave this file byte for byte as it was.
USER_PYPROJECT = """\
[tool.pytest.ini_options]
addopts = "-q"

[tool.mutmut]
paths_to_mutate = ["somewhere/else"]
tests_dir = ["tests/"]
timeout_constant = 2.0
"""

SCRUBBED_ENV = ("GITHUB_BASE_REF", "PRE_COMMIT", "PRE_COMMIT_FROM_REF", "GITHUB_STEP_SUMMARY", "CI")


def _git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=env, check=True)
    return proc.stdout


def make_project(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "commit.gpgsign", "false")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "initial")
    return root


def shop(root: Path, tests: str, **extra: str) -> Path:
    files = {
        "shop/__init__.py": "",
        "shop/pricing.py": PACKAGE,
        "tests/test_pricing.py": tests,
        "policy.yaml": POLICY,
        ".gitignore": "mutants/\n.gates/\n",
    }
    files.update(extra)
    return make_project(root, files)


def gates(root: Path, *argv: str) -> tuple[int, dict[str, object], str]:
    """Run ``gates ARGV --format json`` in ``root``; (exit code, the mutation gate's result, stderr)."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    proc = subprocess.run(
        [sys.executable, "-m", "gates", *argv, "--format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return proc.returncode, {}, proc.stderr + proc.stdout
    result = next(g for g in report["gates"] if g["name"] == "mutation")
    return proc.returncode, result, proc.stderr


def results_file(directory: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((directory / "mutation-results.json").read_text(encoding="utf-8"))
    return data


def exit_codes(results: dict[str, object]) -> dict[str, int | None]:
    mutants = results["mutants"]
    assert isinstance(mutants, list)
    return {m["name"]: m["exit_code"] for m in mutants}


def mutmut_own_results(work: Path) -> dict[str, str]:
    """``mutmut results --all true`` in the kept work copy: mutmut's own verdicts."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from mutmut.__main__ import cli; sys.argv[0]='mutmut'; cli()",
            "results",
            "--all",
            "true",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            found[name] = status
    return found


def kept_work_dir(result: dict[str, object]) -> Path:
    notes = result["notes"]
    assert isinstance(notes, list)
    note = next(n for n in notes if "work copy was kept at" in n)
    return Path(note.split(" at ", 1)[1].split(" (", 1)[0])


@pytest.fixture(scope="module")
def strong(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int, dict[str, object]]]:
    root = shop(tmp_path_factory.mktemp("strong") / "repo", STRONG_TESTS)
    code, result, _ = gates(root, "mutation", "--keep-work-dir")
    yield root, code, result
    shutil.rmtree(kept_work_dir(result), ignore_errors=True)


@pytest.fixture(scope="module")
def weak(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int, dict[str, object]]]:
    root = shop(
        tmp_path_factory.mktemp("weak") / "repo",
        WEAK_TESTS,
        **{"pyproject.toml": USER_PYPROJECT, "conftest.py": ROOT_CONFTEST},
    )
    code, result, _ = gates(root, "mutation", "--keep-work-dir")
    yield root, code, result
    shutil.rmtree(kept_work_dir(result), ignore_errors=True)


def test_well_tested_project_scores_100_and_passes(strong: tuple[Path, int, dict[str, object]]) -> None:
    _, code, result = strong
    assert code == 0, result
    assert result["verdict"] == "pass"
    metrics = result["metrics"]
    assert metrics["mutants"] == 8
    assert metrics["killed"] == 8
    assert metrics["survived"] == 0
    assert metrics["score"] == 100.0
    assert result["findings"] == []


def test_well_tested_scores_agree_with_mutmut_itself(strong: tuple[Path, int, dict[str, object]]) -> None:
    root, _, result = strong
    ours = results_file(root / ".gates/cache/mutation")
    theirs = mutmut_own_results(kept_work_dir(result))
    assert set(theirs) == set(exit_codes(ours))
    assert set(theirs.values()) == {"killed"}


def test_weakly_tested_project_fails_its_floor_with_each_survivor(
    weak: tuple[Path, int, dict[str, object]],
) -> None:
    _, code, result = weak
    assert code == 1, result
    assert result["verdict"] == "fail"
    metrics = result["metrics"]
    assert (metrics["mutants"], metrics["killed"], metrics["survived"]) == (8, 2, 6)
    assert metrics["score"] == 25.0
    findings = result["findings"]
    floor = [f for f in findings if f["rule_id"] == "mutation.score-below-floor"]
    assert len(floor) == 1 and floor[0]["severity"] == "error"
    assert "25.0%" in floor[0]["message"] and "70%" in floor[0]["message"]
    survivors = sorted(
        (f["line"], f["message"].split("(mutmut show ")[1].rstrip(")"))
        for f in findings
        if f["rule_id"] == "mutation.survived"
    )
    assert survivors == [
        (2, "shop.pricing.x_total__mutmut_1"),
        (6, "shop.pricing.x_is_adult__mutmut_1"),
        (6, "shop.pricing.x_is_adult__mutmut_2"),
        (10, "shop.pricing.x_label__mutmut_2"),
        (10, "shop.pricing.x_label__mutmut_3"),
        (18, "shop.pricing.xǁCartǁadd__mutmut_1"),
    ]
    assert all(f["severity"] == "warning" and f["path"] == "shop/pricing.py" for f in findings[1:])
    is_adult = next(f for f in findings if "x_is_adult__mutmut_1" in f["message"])
    assert "`return age >= 18` -> `return age > 18`" in is_adult["message"]
    survivor_details = result["details"]["survivors"]
    diff = next(s["diff"] for s in survivor_details if s["mutant"] == "shop.pricing.x_is_adult__mutmut_1")
    assert "-    return age >= 18" in diff and "+    return age > 18" in diff
    assert {s["function"] for s in survivor_details} == {"total", "is_adult", "label", "Cart.add"}


def test_weak_scores_agree_with_mutmut_results_and_its_cicd_stats(
    weak: tuple[Path, int, dict[str, object]],
) -> None:
    root, _, result = weak
    work = kept_work_dir(result)
    ours = results_file(root / ".gates/cache/mutation")
    statuses = {m["name"]: m for m in ours["mutants"]}  # type: ignore[union-attr]
    theirs = mutmut_own_results(work)
    assert set(theirs) == set(statuses)
    from gates.checks.mutation.statuses import LABELS, status_of

    for name, status in theirs.items():
        assert LABELS[status_of(statuses[name]["exit_code"])] == status, name
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from mutmut.__main__ import cli; sys.argv[0]='mutmut'; cli()",
            "export-cicd-stats",
        ],
        cwd=work,
        capture_output=True,
        check=True,
    )
    cicd = json.loads((work / "mutants/mutmut-cicd-stats.json").read_text())
    assert (cicd["killed"], cicd["survived"], cicd["total"]) == (2, 6, 8)
    assert (
        100 * (cicd["killed"] + cicd["timeout"]) / (cicd["total"] - cicd["skipped"])
        == result["metrics"]["score"]
    )


def test_worst_functions_come_first_in_the_summary(weak: tuple[Path, int, dict[str, object]]) -> None:
    _, _, result = weak
    table = next(t for t in result["tables"] if t["title"].startswith("Worst functions"))
    scores = [row[-1] for row in table["rows"]]
    assert scores == sorted(scores, key=lambda s: float(s.rstrip("%")))
    assert table["rows"][0][0] == "is_adult()"  # 0% and the most survivors
    assert table["rows"][-1][0] == "Cart.__init__()"


def test_the_users_pyproject_is_untouched_and_old_key_names_translated(
    weak: tuple[Path, int, dict[str, object]],
) -> None:
    root, _, result = weak
    assert (root / "pyproject.toml").read_text(encoding="utf-8") == USER_PYPROJECT
    assert not (root / "mutants").exists()
    work_pyproject = (kept_work_dir(result) / "pyproject.toml").read_text(encoding="utf-8")
    assert 'source_paths = ["shop"]' in work_pyproject.replace('"source_paths"', "source_paths")
    assert "paths_to_mutate" not in work_pyproject and "tests_dir" not in work_pyproject
    assert "timeout_constant" in work_pyproject  # the user's other settings are kept
    assert "[tool.pytest.ini_options]" in work_pyproject


def test_the_doctor_adds_a_root_conftest_to_also_copy(weak: tuple[Path, int, dict[str, object]]) -> None:
    _, _, result = weak
    assert any("conftest.py" in note and "adds them to also_copy" in note for note in result["notes"])


def test_two_shards_merged_equal_the_full_run(
    strong: tuple[Path, int, dict[str, object]], tmp_path: Path
) -> None:
    root, _, full_result = strong
    full = results_file(root / ".gates/cache/mutation")
    shard_dirs = []
    for index in (1, 2):
        out = tmp_path / f"shard{index}"
        code, result, err = gates(root, "mutation", "--shard", f"{index}/2", "--results-dir", str(out))
        assert code == 0, (result, err)
        shard_dirs.append(out)
    one, two = (set(exit_codes(results_file(d))) for d in shard_dirs)
    assert one and two and not one & two
    assert one | two == set(exit_codes(full))
    merged_codes: dict[str, int | None] = {}
    for directory in shard_dirs:
        merged_codes.update(exit_codes(results_file(directory)))
    assert merged_codes == exit_codes(full)
    code, merged, err = gates(root, "mutation", "merge", *map(str, shard_dirs))
    assert code == 0, (merged, err)
    assert merged["verdict"] == full_result["verdict"]
    for key in ("score", "mutants", "killed", "survived"):
        assert merged["metrics"][key] == full_result["metrics"][key]


def test_changed_code_mode_mutates_only_the_changed_function(
    strong: tuple[Path, int, dict[str, object]], tmp_path: Path
) -> None:
    source_root, _, _ = strong
    root = tmp_path / "changed"
    shutil.copytree(source_root, root)
    _git(root, "checkout", "-q", "-b", "feature")
    pricing = root / "shop/pricing.py"
    pricing.write_text(pricing.read_text().replace("return age >= 18", "return age >= 18  # legal age"))
    _git(root, "commit", "-q", "-am", "comment in is_adult")
    code, result, err = gates(root, "mutation", "--changed")
    assert code == 0, (result, err)
    names = set(exit_codes(results_file(root / ".gates/cache/mutation")))
    assert names == {"shop.pricing.x_is_adult__mutmut_1", "shop.pricing.x_is_adult__mutmut_2"}
    assert result["metrics"]["mutants"] == 2
    assert result["details"]["mode"] == "changed"
    notes = " ".join(result["notes"])
    assert "1 test(s) covering the changed functions" in notes  # from the full run's mutmut-stats.json


def test_changed_code_mode_falls_back_to_everything_when_config_changes(
    strong: tuple[Path, int, dict[str, object]], tmp_path: Path
) -> None:
    source_root, _, _ = strong
    root = tmp_path / "config-changed"
    shutil.copytree(source_root, root)
    _git(root, "checkout", "-q", "-b", "feature")
    (root / "requirements.txt").write_text("requests\n")
    _git(root, "add", "requirements.txt")
    _git(root, "commit", "-q", "-m", "add a requirement")
    code, result, err = gates(root, "mutation", "--changed")
    assert code == 0, (result, err)
    assert result["metrics"]["mutants"] == 8
    assert "requirements.txt changed" in " ".join(result["notes"])


def test_nothing_changed_skips(strong: tuple[Path, int, dict[str, object]], tmp_path: Path) -> None:
    source_root, _, _ = strong
    root = tmp_path / "unchanged"
    shutil.copytree(source_root, root)
    _git(root, "checkout", "-q", "-b", "feature")
    (root / "README.md").write_text("docs only\n")
    _git(root, "add", "README.md")
    _git(root, "commit", "-q", "-m", "docs")
    code, result, _ = gates(root, "mutation", "--changed")
    assert code == 0
    assert result["verdict"] == "skipped"


def test_tests_failing_before_mutation_is_an_error(tmp_path: Path) -> None:
    failing = STRONG_TESTS + "\n\ndef test_broken():\n    assert total(1, 1) == 3\n"
    root = shop(tmp_path / "repo", failing)
    code, result, _ = gates(root, "mutation")
    assert code == 2
    assert result["verdict"] == "error"
    assert "the tests fail before any mutation" in str(result["error"])
    assert "score" not in result["metrics"]


def test_zero_mutants_is_an_error(tmp_path: Path) -> None:
    root = shop(
        tmp_path / "repo",
        "from shop.pricing import RATE\n\n\ndef test_rate():\n    assert RATE == 2\n",
        **{"shop/pricing.py": "RATE = 2\n"},
    )
    code, result, _ = gates(root, "mutation")
    assert code == 2
    assert "zero mutants" in str(result["error"])


def test_a_forced_fail_run_that_passes_is_an_error(tmp_path: Path) -> None:
    swallowing = """\
from shop.pricing import total


def test_total_never_fails():
    try:
        total(3, 4)
    except Exception:
        pass
"""
    root = shop(tmp_path / "repo", swallowing)
    code, result, _ = gates(root, "mutation")
    assert code == 2
    assert "forced-fail run did not fail" in str(result["error"])


def test_running_out_of_time_is_an_error_and_leaves_the_tree_alone(tmp_path: Path) -> None:
    # A test that sleeps far longer than the budget: mutmut's first test run cannot end in
    # time however fast the machine, so the outcome does not depend on how long mutmut takes.
    sleeping = STRONG_TESTS + "\n\ndef test_sleeps():\n    import time\n\n    time.sleep(600)\n"
    policy = POLICY.replace("timeout: 300", "timeout: 2")
    root = shop(tmp_path / "repo", sleeping, **{"policy.yaml": policy, "pyproject.toml": USER_PYPROJECT})
    code, result, _ = gates(root, "mutation")
    assert code == 2
    assert "time budget (mutation.timeout = 2s)" in str(result["error"])
    assert (root / "pyproject.toml").read_text(encoding="utf-8") == USER_PYPROJECT
    assert _git(root, "status", "--porcelain") == ""


def test_doctor_reports_setup_problems_without_running(tmp_path: Path) -> None:
    pyproject = '[tool.pytest.ini_options]\naddopts = "--cov=shop"\n'
    root = shop(
        tmp_path / "repo",
        STRONG_TESTS.replace("from shop", "import helpers\nfrom shop"),
        **{
            "pyproject.toml": pyproject,
            "conftest.py": "",
            "helpers.py": "X = 1\n",
            ".gitignore": ".gates/\n",
        },
    )
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    proc = subprocess.run(
        [sys.executable, "-m", "gates", "mutation", "doctor"],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert "[pytest-cov]" in proc.stdout and "pyproject.toml" in proc.stdout
    assert "[also-copy]" in proc.stdout and "conftest.py" in proc.stdout and "helpers.py" in proc.stdout
    assert "[gitignore]" in proc.stdout
    assert not (root / "mutants").exists()
