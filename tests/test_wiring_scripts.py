"""The small scripts the reusable workflows call: path filter, shard matrix, merge, install guard."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.wiring_support import REPO_ROOT, commit_all, init_repo, tool_env

SCRIPTS = REPO_ROOT / ".github" / "scripts"


def _script(
    name: str, cwd: Path, tmp_path: Path, env: dict[str, str], *args: str
) -> tuple[subprocess.CompletedProcess[str], str]:
    output = tmp_path / "github-output"
    output.write_text("", encoding="utf-8")
    proc = subprocess.run(
        ["bash", str(SCRIPTS / name), *args],
        cwd=cwd,
        env=tool_env(GITHUB_OUTPUT=str(output), **env),
        capture_output=True,
        text=True,
        check=False,
    )
    return proc, output.read_text(encoding="utf-8")


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, str]:
    """A repository with a base commit (returned) and a later commit touching docs only."""
    root = tmp_path / "project"
    init_repo(root)
    (root / "src" / "models").mkdir(parents=True)
    (root / "src" / "models" / "net.py").write_text("x = 1\n", encoding="utf-8")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# docs\n", encoding="utf-8")
    (root / "policy.yaml").write_text("version: 1\n", encoding="utf-8")
    base = commit_all(root, "base")
    (root / "docs" / "index.md").write_text("# docs, edited\n", encoding="utf-8")
    commit_all(root, "docs only")
    return root, base


def test_path_filter_skips_when_nothing_matching_changed(history: tuple[Path, str], tmp_path: Path) -> None:
    root, base = history
    proc, output = _script(
        "ml-gates-changed.sh", root, tmp_path, {"ML_GATES_PATHS": "src/models/**", "ML_GATES_BASE": base}
    )
    assert proc.returncode == 0, proc.stderr
    assert output == "run=false\n"


def test_path_filter_runs_when_model_code_changed(history: tuple[Path, str], tmp_path: Path) -> None:
    root, base = history
    (root / "src" / "models" / "net.py").write_text("x = 2\n", encoding="utf-8")
    commit_all(root, "model change")
    env = {"ML_GATES_PATHS": "export/** src/models/**", "ML_GATES_BASE": base}
    proc, output = _script("ml-gates-changed.sh", root, tmp_path, env)
    assert output == "run=true\n", proc.stdout


def test_path_filter_always_counts_the_policy(history: tuple[Path, str], tmp_path: Path) -> None:
    root, base = history
    (root / "policy.yaml").write_text("version: 1\nfail_on: warning\n", encoding="utf-8")
    commit_all(root, "policy change")
    env = {"ML_GATES_PATHS": "src/models/**", "ML_GATES_BASE": base}
    _, output = _script("ml-gates-changed.sh", root, tmp_path, env)
    assert output == "run=true\n"


@pytest.mark.parametrize(("pattern", "run"), [("*.md", "false"), ("**/*.md", "true"), ("docs/", "true")])
def test_path_filter_uses_git_glob_pathspecs(
    history: tuple[Path, str], tmp_path: Path, pattern: str, run: str
) -> None:
    # git's glob magic: `*` stays within one directory, `**/` crosses them (docs/index.md changed)
    root, base = history
    env = {"ML_GATES_PATHS": pattern, "ML_GATES_BASE": base}
    _, output = _script("ml-gates-changed.sh", root, tmp_path, env)
    assert output == f"run={run}\n"


@pytest.mark.parametrize(
    ("env", "why"),
    [
        ({"ML_GATES_PATHS": ""}, "no path filter"),
        ({"ML_GATES_PATHS": "src/**", "ML_GATES_BASE": ""}, "no base commit"),
        ({"ML_GATES_PATHS": "src/**", "ML_GATES_BASE": "0" * 40}, "no base commit"),
        ({"ML_GATES_PATHS": "src/**", "ML_GATES_BASE": "f" * 40}, "is not in this clone"),
    ],
)
def test_path_filter_runs_when_it_cannot_tell(
    history: tuple[Path, str], tmp_path: Path, env: dict[str, str], why: str
) -> None:
    root, _ = history
    proc, output = _script("ml-gates-changed.sh", root, tmp_path, env)
    assert output == "run=true\n"
    assert why in proc.stdout


def test_shard_matrix(tmp_path: Path) -> None:
    proc, output = _script("ml-gates-shards.sh", tmp_path, tmp_path, {"ML_GATES_SHARDS": "4"})
    assert proc.returncode == 0
    assert output == "shards=[1,2,3,4]\ncount=4\n"


@pytest.mark.parametrize("value", ["0", "65", "two", "", "1/4"])
def test_shard_matrix_rejects_bad_counts(tmp_path: Path, value: str) -> None:
    proc, output = _script("ml-gates-shards.sh", tmp_path, tmp_path, {"ML_GATES_SHARDS": value})
    assert proc.returncode == 2
    assert output == ""
    assert "shards must be a whole number from 1 to 64" in proc.stdout


def test_merge_without_any_shard_results_is_an_error(tmp_path: Path) -> None:
    shards = tmp_path / "shards"
    shards.mkdir()
    proc, output = _script(
        "ml-gates-mutation-merge.sh", tmp_path, tmp_path, {"ML_GATES_SHARDS_DIR": str(shards)}
    )
    assert proc.returncode == 2
    assert output == "verdict=error\nexit-code=2\n"
    assert "no shard results" in proc.stdout


def test_merge_passes_every_shard_directory_to_gates(tmp_path: Path) -> None:
    # a stand-in `gates` that prints its argv: checks how the merge is invoked, not the merge
    shards = tmp_path / "shards"
    for index in (1, 2):
        (shards / f"ml-gates-mutation-shard-{index}").mkdir(parents=True)
    fake = tmp_path / "fake-gates"
    fake.write_text('#!/usr/bin/env bash\necho "argv: $*"\necho verdict=pass >>"$GITHUB_OUTPUT"\n')
    fake.chmod(0o755)
    env = {"ML_GATES_SHARDS_DIR": str(shards), "ML_GATES": str(fake), "ML_GATES_POLICY": "p.yaml"}
    proc, output = _script("ml-gates-mutation-merge.sh", tmp_path, tmp_path, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    argv = next(line for line in proc.stdout.splitlines() if line.startswith("argv: "))
    # the command's options come before its sub-action, the directories after it
    assert argv.startswith("argv: mutation --policy p.yaml --format text")
    assert argv.endswith(f"merge {shards}/ml-gates-mutation-shard-1 {shards}/ml-gates-mutation-shard-2")
    assert "verdict=pass" in output


def test_run_script_fails_closed_when_gates_is_missing(tmp_path: Path) -> None:
    proc, output = _script(
        "ml-gates-run.sh", tmp_path, tmp_path, {"ML_GATES": str(tmp_path / "no-such-gates")}, "check"
    )
    assert proc.returncode == 2
    assert "verdict=error" in output
    assert "exit-code=127" in output


def test_run_script_partial_shard_turns_a_fail_into_a_notice(tmp_path: Path) -> None:
    fake = tmp_path / "fake-gates"
    fake.write_text('#!/usr/bin/env bash\necho verdict=fail >>"$GITHUB_OUTPUT"\nexit 1\n')
    fake.chmod(0o755)
    env = {"ML_GATES": str(fake), "ML_GATES_PARTIAL": "1"}
    proc, _ = _script("ml-gates-run.sh", tmp_path, tmp_path, env, "mutation", "--shard", "1/2")
    assert proc.returncode == 0
    assert "partial result (one shard)" in proc.stdout
    fake.write_text("#!/usr/bin/env bash\nexit 2\n")
    proc, output = _script("ml-gates-run.sh", tmp_path, tmp_path, env, "mutation", "--shard", "1/2")
    assert proc.returncode == 2  # a shard that could not run is never hidden
    assert "verdict=error" in output


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ML_GATES_BUNDLE": "/nonexistent"}, "no ml-gates checkout at /nonexistent"),
        ({"ML_GATES_BUNDLE": str(REPO_ROOT), "ML_GATES_EXTRAS": "semgrep; rm -rf /"}, "extras must be"),
        ({"ML_GATES_BUNDLE": str(REPO_ROOT), "ML_GATES_EXTRAS": "x] @ http://evil"}, "extras must be"),
    ],
)
def test_install_script_refuses_bad_input_before_pip(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    proc, _ = _script("ml-gates-install.sh", tmp_path, tmp_path, {"PYTHON": "false", **env})
    assert proc.returncode == 2
    assert message in proc.stdout


def test_policy_value_reads_the_effective_policy(tmp_path: Path) -> None:
    root = tmp_path / "project"
    init_repo(root)
    (root / "policy.yaml").write_text("version: 1\nmutation:\n  results_dir: out/mut\n", encoding="utf-8")
    commit_all(root, "policy")
    proc, _ = _script("ml-gates-policy-value.sh", root, tmp_path, {}, "mutation.results_dir")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "out/mut"
    proc, _ = _script("ml-gates-policy-value.sh", root, tmp_path, {}, "coreml.artifact_dir")
    assert proc.stdout.strip() == ".gates/coreml"  # a default filled in
    proc, _ = _script("ml-gates-policy-value.sh", root, tmp_path, {}, "coreml.nope")
    assert proc.returncode != 0
    assert "has no coreml.nope" in proc.stderr


def test_scripts_are_executable_bash() -> None:
    for script in SCRIPTS.glob("*.sh"):
        assert os.access(script, os.X_OK), script
        assert script.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n"), script
        assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0, script


MUTATION_POLICY = """\
version: 1
paths:
  source: ["src/"]
  tests: ["tests/"]
mutation:
  paths: ["src/pkg/"]
  min_score: 50
"""
SIGN = """\
def sign(x):
    if x > 0:
        return 1
    if x < 0:
        return -1
    return 0
"""
SIGN_TESTS = """\
from pkg.calc import sign


def test_sign():
    assert sign(5) == 1
    assert sign(-5) == -1
    assert sign(0) == 0
"""


@pytest.mark.slow
def test_mutation_shards_then_merge_through_the_workflow_scripts(tmp_path: Path) -> None:
    # mutation.yml's chain with the real gate: two shard jobs, then the merge job's script
    root = tmp_path / "project"
    init_repo(root)
    files = {
        "policy.yaml": MUTATION_POLICY,
        "pyproject.toml": '[project]\nname = "pkg"\nversion = "0"\n',
        "conftest.py": "import sys\nsys.path.insert(0, 'src')\n",
        "src/pkg/__init__.py": "",
        "src/pkg/calc.py": SIGN,
        "tests/test_calc.py": SIGN_TESTS,
        ".gitignore": ".gates/\nmutants/\n__pycache__/\n.pytest_cache/\n",
    }
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    commit_all(root, "project")
    shards = tmp_path / "downloaded"
    for index in (1, 2):
        env = {"ML_GATES_PARTIAL": "1", "ML_GATES_REPORT_DIR": str(tmp_path / f"report-{index}")}
        results = shards / f"ml-gates-mutation-shard-{index}"
        proc, output = _script(
            "ml-gates-run.sh",
            root,
            tmp_path,
            env,
            "mutation",
            "--shard",
            f"{index}/2",
            "--results-dir",
            str(results),
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert (results / "mutation-results.json").is_file()
    env = {"ML_GATES_SHARDS_DIR": str(shards), "ML_GATES_REPORT_DIR": str(tmp_path / "merged")}
    proc, output = _script("ml-gates-mutation-merge.sh", root, tmp_path, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "merged 2 shard result(s)" in proc.stdout
    assert "verdict=pass" in output and "score=" in output
    # one shard missing: the merge refuses to score part of the run
    shutil.rmtree(shards / "ml-gates-mutation-shard-2")
    proc, output = _script("ml-gates-mutation-merge.sh", root, tmp_path, env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "verdict=error" in output
    assert "missing" in proc.stdout + proc.stderr
