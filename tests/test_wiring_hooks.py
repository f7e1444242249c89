"""The published pre-commit hooks, run for real the way a consumer runs them.

Each test builds a consumer git repository whose ``.pre-commit-config.yaml`` points at a
committed snapshot of this checkout (``repo: <path>``, ``rev: <sha>``) and runs
``pre-commit run <hook> --files ...``. pre-commit then creates the hook's virtualenv and
pip-installs ml-gates (plus the hook's ``additional_dependencies``) from the snapshot, as
it would from GitHub. All tests share one PRE_COMMIT_HOME, so each distinct environment is
built once per session.

``pre-commit try-repo`` does the same but always in a throwaway store (it ignores
PRE_COMMIT_HOME and rebuilds the environment on every call), so it is exercised once, in
``test_try_repo_runs_a_hook_from_this_checkout``.
"""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.wiring_support import (
    REPO_ROOT,
    VENV_BIN,
    bundle_snapshot,
    commit_all,
    init_repo,
    offline_pip_env,
    scratch_dir,
    tool_env,
)

PRE_COMMIT = str(VENV_BIN / "pre-commit")

TORCH_LOAD_UNSAFE = """\
import torch


def load(path):
    return torch.load(path)
"""
TORCH_LOAD_SAFE = """\
import torch


def load(path):
    return torch.load(path, weights_only=True)
"""
SHELL_INJECTION = """\
import subprocess


def run(command):
    return subprocess.call(command, shell=True)
"""
PLAIN_CODE = """\
def add(a: int, b: int) -> int:
    return a + b
"""
# A protocol-2 pickle whose first opcode imports os.system: the scanner reads the opcodes,
# nothing here is ever unpickled.
PICKLE_CALLING_OS_SYSTEM = b"\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85q\x02Rq\x03."


def _manifest() -> dict[str, dict[str, object]]:
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return {hook["id"]: hook for hook in hooks}


@pytest.fixture(scope="module")
def pre_commit_home() -> Path:
    path = scratch_dir() / "pre-commit-home"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def consumer(tmp_path: Path) -> Iterator[Path]:
    """An empty consumer repository with one commit."""
    root = tmp_path / "consumer"
    init_repo(root)
    commit_all(root, "initial")
    yield root


def _use_hooks(consumer: Path, *hook_ids: str) -> None:
    bundle, sha = bundle_snapshot()
    config = {"repos": [{"repo": str(bundle), "rev": sha, "hooks": [{"id": h} for h in hook_ids]}]}
    (consumer / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")


def _write(consumer: Path, files: dict[str, str | bytes]) -> list[str]:
    for relative, content in files.items():
        path = consumer / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=consumer, check=True)
    return list(files)


def _pre_commit(consumer: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = tool_env(PRE_COMMIT_HOME=str(home), **offline_pip_env())
    return subprocess.run(
        [PRE_COMMIT, *args], cwd=consumer, env=env, capture_output=True, text=True, check=False
    )


def _run_hook(
    consumer: Path, home: Path, hook_id: str, files: dict[str, str | bytes]
) -> subprocess.CompletedProcess[str]:
    _use_hooks(consumer, hook_id)
    names = _write(consumer, files)
    # A hook outside the pre-commit stage runs in its own (semgrep: pre-push).
    stages = _manifest()[hook_id]["stages"]
    stage = [] if "pre-commit" in stages else ["--hook-stage", str(stages[0])]  # type: ignore[index]
    return _pre_commit(consumer, home, "run", hook_id, *stage, "--files", *names)


CASES = {
    "gates-models": (
        {"train/load.py": TORCH_LOAD_SAFE},
        {"train/load.py": TORCH_LOAD_UNSAFE},
        ["train/load.py:5", "MS101"],
    ),
    "gates-model-files": (
        {"weights/model.bin": b"\x00\x01 not a pickle, just bytes", "README.md": "# weights\n"},
        {"weights/model.bin": PICKLE_CALLING_OS_SYSTEM},
        ["weights/model.bin", "MF101", "os.system"],
    ),
    "gates-security": (
        {"app/util.py": PLAIN_CODE},
        {"app/run.py": SHELL_INJECTION},
        ["app/run.py:5", "B602"],
    ),
    "gates-semgrep": (
        {"app/util.py": PLAIN_CODE},
        {"app/run.py": SHELL_INJECTION},
        ["app/run.py:5", "ml-gates.subprocess-shell-dynamic-command"],
    ),
    "gates-policy": (
        {"policy.yaml": "version: 1\nfail_on: error\n"},
        {"policy.yaml": "version: 1\nfail_on: error\ncoverage:\n  line_minimum: 80\n"},
        ["policy.yaml:4", "line_minimum"],
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("hook_id", list(CASES))
def test_hook_passes_on_clean_files(consumer: Path, pre_commit_home: Path, hook_id: str) -> None:
    clean, _, _ = CASES[hook_id]
    result = _run_hook(consumer, pre_commit_home, hook_id, clean)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("hook_id", list(CASES))
def test_hook_fails_on_planted_violation(consumer: Path, pre_commit_home: Path, hook_id: str) -> None:
    _, violation, expected = CASES[hook_id]
    result = _run_hook(consumer, pre_commit_home, hook_id, violation)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Failed" in output
    for text in expected:
        assert text in output


@pytest.mark.slow
def test_model_files_hook_selects_by_content_not_extension(consumer: Path, pre_commit_home: Path) -> None:
    # The same pickle under a name no extension filter would pick.
    result = _run_hook(
        consumer, pre_commit_home, "gates-model-files", {"data/cache.dat": PICKLE_CALLING_OS_SYSTEM}
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "data/cache.dat" in result.stdout


@pytest.mark.slow
def test_policy_hook_ignores_other_yaml(consumer: Path, pre_commit_home: Path) -> None:
    result = _run_hook(consumer, pre_commit_home, "gates-policy", {"config/train.yaml": "lr: [0.1\n"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(no files to check)Skipped" in result.stdout


@pytest.mark.slow
def test_staged_files_named_like_options_are_scanned(consumer: Path, pre_commit_home: Path) -> None:
    # Before the entries ended with '--', '--help' printed usage and the hook passed.
    _use_hooks(consumer, "gates-models", "gates-model-files")
    _write(consumer, {"--help": "#!/usr/bin/env python\n" + TORCH_LOAD_UNSAFE, "-x.py": TORCH_LOAD_UNSAFE})
    (consumer / "--help").chmod(0o755)  # pre-commit reads a shebang only on executables
    _write(consumer, {"-m.bin": PICKLE_CALLING_OS_SYSTEM})
    result = _pre_commit(consumer, pre_commit_home, "run")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    for text in ("--help:6", "-x.py:5", "MS101", "-m.bin", "MF101"):
        assert text in output, output
    assert "usage:" not in output and "unrecognized arguments" not in output


@pytest.mark.slow
def test_policy_hook_ignores_a_policy_yaml_ml_gates_would_not_load(
    consumer: Path, pre_commit_home: Path
) -> None:
    kubernetes = "apiVersion: v1\nkind: NetworkPolicy\nspec: {}\n"
    result = _run_hook(consumer, pre_commit_home, "gates-policy", {"deploy/policy.yaml": kubernetes})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(no files to check)Skipped" in result.stdout


@pytest.mark.slow
def test_manual_mutation_hook_says_skipped_for_a_disabled_gate(consumer: Path, pre_commit_home: Path) -> None:
    """The documented `pre-commit run --hook-stage manual gates-mutation` on the starter policy."""
    _use_hooks(consumer, "gates-mutation")
    _write(consumer, {"policy.yaml": "version: 1\nmutation:\n  enabled: false\n"})
    result = _pre_commit(consumer, pre_commit_home, "run", "--hook-stage", "manual", "gates-mutation")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "mutation   SKIPPED nothing checked: disabled in the policy (mutation.enabled)" in result.stdout


@pytest.mark.slow
def test_try_repo_runs_a_hook_from_this_checkout(consumer: Path, tmp_path: Path) -> None:
    # The command the issue names, against the snapshot (try-repo reads committed files;
    # the snapshot holds this checkout's working tree).
    bundle, sha = bundle_snapshot()
    names = _write(consumer, {"train/load.py": TORCH_LOAD_UNSAFE})
    argv = ["try-repo", str(bundle), "gates-models", "--ref", sha, "--files", *names]
    result = _pre_commit(consumer, tmp_path / "unused-home", *argv)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "ml-gates model-safety code rules" in output
    assert "train/load.py:5" in output and "MS101" in output


COVERAGE_POLICY = """\
version: 1
paths:
  source: ["src/"]
  tests: ["tests/"]
coverage:
  line_min: 50
  diff:
    line_min: 100
"""
CALC_TESTS = """\
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import calc


def test_add():
    assert calc.add(2, 3) == 5
"""


def _coverage_consumer(consumer: Path, *, test_the_new_code: bool) -> tuple[str, str]:
    """Base commit, then a pushed commit adding `mul`; the test run writes coverage.json."""
    _write(
        consumer,
        {
            "policy.yaml": COVERAGE_POLICY,
            ".gitignore": "coverage.json\n.coverage\n__pycache__/\n.pytest_cache/\n",
            "src/calc.py": "def add(a, b):\n    return a + b\n",
            "tests/test_calc.py": CALC_TESTS,
        },
    )
    base = commit_all(consumer, "base")
    new_test = "\n\ndef test_mul():\n    assert calc.mul(2, 3) == 6\n" if test_the_new_code else ""
    _write(
        consumer,
        {
            "src/calc.py": "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n",
            "tests/test_calc.py": CALC_TESTS + new_test,
        },
    )
    head = commit_all(consumer, "feature")
    python = str(VENV_BIN / "python")
    for argv in ([python, "-m", "coverage", "run", "-m", "pytest", "-q"], [python, "-m", "coverage", "json"]):
        subprocess.run(argv, cwd=consumer, env=tool_env(), check=True, capture_output=True)
    return base, head


@pytest.mark.slow
@pytest.mark.parametrize("tested", [True, False], ids=["covered", "uncovered"])
def test_pre_push_coverage_hook_checks_the_pushed_commits(
    consumer: Path, pre_commit_home: Path, tested: bool
) -> None:
    base, head = _coverage_consumer(consumer, test_the_new_code=tested)
    _use_hooks(consumer, "gates-coverage")
    result = _pre_commit(
        consumer,
        pre_commit_home,
        "run",
        "gates-coverage",
        "--hook-stage",
        "pre-push",
        "--from-ref",
        base,
        "--to-ref",
        head,
    )
    output = result.stdout + result.stderr
    if tested:
        assert result.returncode == 0, output
        assert "Passed" in output
    else:
        assert result.returncode == 1, output
        assert "src/calc.py" in output
        assert "src/calc.py:6" in output  # the uncovered changed line: `return a * b`


def _doc_block(after: str) -> str:
    """The first fenced block of docs/consumers.md after the line containing ``after``."""
    text = (REPO_ROOT / "docs" / "consumers.md").read_text(encoding="utf-8")
    start = text.index("```", text.index(after))
    body = text[text.index("\n", start) + 1 :]
    return body[: body.index("```")]


@pytest.mark.slow
def test_the_documented_hook_config_installs_and_runs_on_all_files(
    consumer: Path, pre_commit_home: Path
) -> None:
    """docs/consumers.md section 2 as written: the config, `pre-commit install`, `run --all-files`."""
    bundle, sha = bundle_snapshot()
    config = _doc_block("`.pre-commit-config.yaml`:").replace(
        "https://github.com/OWNER/ml-gates", str(bundle)
    )
    config = config.replace("rev: SHA", f"rev: {sha}")
    (consumer / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    _write(consumer, {"app/util.py": PLAIN_CODE, "policy.yaml": "version: 1\n"})
    commit_all(consumer, "config")
    install = _pre_commit(consumer, pre_commit_home, "install")
    assert install.returncode == 0, install.stdout + install.stderr
    assert (consumer / ".git" / "hooks" / "pre-commit").is_file()
    assert (consumer / ".git" / "hooks" / "pre-push").is_file()  # default_install_hook_types
    result = _pre_commit(consumer, pre_commit_home, "run", "--all-files")
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("ml-gates model-safety code rules", "ml-gates security (bandit)", "ml-gates policy file"):
        assert name in result.stdout
    assert "semgrep" not in result.stdout  # at push, not at commit


@pytest.mark.slow
def test_autoupdate_freeze_pins_the_release_tag_s_commit(consumer: Path, tmp_path: Path) -> None:
    """docs/consumers.md "Pin one version": a tagged release is what `autoupdate --freeze` pins."""
    bundle, sha = bundle_snapshot()
    release = tmp_path / "ml-gates.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(bundle), str(release)], check=True)
    from gates import __version__

    subprocess.run(["git", "tag", f"v{__version__}", sha], cwd=release, check=True)
    command = _doc_block("Freeze the hook to the release's commit").splitlines()[0]
    assert command == "pre-commit autoupdate --freeze --repo https://github.com/OWNER/ml-gates"
    config = {"repos": [{"repo": str(release), "rev": "v0.0.0", "hooks": [{"id": "gates-models"}]}]}
    (consumer / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    argv = command.replace("https://github.com/OWNER/ml-gates", str(release)).split()[1:]
    result = _pre_commit(consumer, tmp_path / "home", *argv)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"rev: {sha}  # frozen: v{__version__}" in (consumer / ".pre-commit-config.yaml").read_text()


def test_the_documented_pin_check_catches_two_different_shas(consumer: Path) -> None:
    script = _doc_block("A quick check that they agree")
    one, two = "1" * 40, "2" * 40
    (consumer / ".github" / "workflows").mkdir(parents=True)
    hooks = f"repos:\n  - repo: https://github.com/OWNER/ml-gates\n    rev: {one}  # frozen: v1.0.0\n"
    (consumer / ".pre-commit-config.yaml").write_text(hooks, encoding="utf-8")
    workflow = consumer / ".github" / "workflows" / "gates.yml"
    workflow.write_text(
        f"jobs:\n  g:\n    uses: OWNER/ml-gates/.github/workflows/gates.yml@{one}  # v1.0.0\n"
    )
    agree = subprocess.run(["bash", "-c", script], cwd=consumer, capture_output=True, text=True, check=False)
    assert agree.returncode == 0, agree.stdout + agree.stderr
    workflow.write_text(
        f"jobs:\n  g:\n    uses: OWNER/ml-gates/.github/workflows/gates.yml@{two}  # v1.0.1\n"
    )
    differ = subprocess.run(["bash", "-c", script], cwd=consumer, capture_output=True, text=True, check=False)
    assert differ.returncode == 1 and f"ml-gates pins differ: {two} vs {one}" in differ.stdout
