"""gates.yml's steps, run locally against fixture consumer repositories.

The harness reads the workflow, resolves each step's ``${{ }}`` expressions from a table
(an expression the table does not know fails the test, so the workflow cannot drift from
what is tested), runs every ``run:`` step with bash the way GitHub does, and stands in for
the ``uses:`` steps: the project checkout is the fixture repository itself, the bundle
checkout clones the committed snapshot of this checkout at its sha, setup-python is a fresh
virtualenv first on PATH, upload-artifact checks its path exists. GITHUB_OUTPUT,
GITHUB_STEP_SUMMARY and the other GITHUB_* variables point at temp files.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
import venv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.wiring_support import (
    GIT_IDENTITY,
    REPO_ROOT,
    bundle_snapshot,
    commit_all,
    git,
    init_repo,
    offline_pip_env,
    scratch_dir,
)

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "gates.yml"
SCRIPTS = REPO_ROOT / ".github" / "scripts"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.DOTALL)
BUNDLE_REPOSITORY = "example/ml-gates"

POLICY = """\
version: 1
base: main
paths:
  source: ["src/"]
  tests: ["tests/"]
mutation:
  enabled: false
security:
  enabled: false
coreml:
  enabled: false
"""
CALC = """\
def add(a: int, b: int) -> int:
    return a + b
"""
TESTS = """\
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import calc


def test_add() -> None:
    assert calc.add(2, 3) == 5
"""


@dataclass
class StepRun:
    name: str
    kind: str
    returncode: int = 0
    stdout: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    summary: str = ""


@dataclass
class JobRun:
    steps: list[StepRun]
    workspace: Path
    runner_temp: Path
    uploaded: list[Path]

    def step(self, step_id: str) -> StepRun:
        return next(s for s in self.steps if s.name == step_id)

    @property
    def failed(self) -> bool:
        return any(s.returncode != 0 for s in self.steps)


def _inputs(overrides: dict[str, Any]) -> dict[str, str]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    declared = workflow[True]["workflow_call"]["inputs"]  # YAML 1.1 reads `on` as True
    unknown = set(overrides) - set(declared)
    assert not unknown, f"not inputs of gates.yml: {unknown}"
    values = {name: spec.get("default", "") for name, spec in declared.items()}
    values.update(overrides)
    return {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in values.items()}


def _expressions(inputs: dict[str, str], runner_temp: Path, bundle_sha: str) -> dict[str, str]:
    isolate = inputs["isolate-gates"] == "true"
    table = {f"inputs.{name}": value for name, value in inputs.items()}
    table.update(
        {
            "runner.temp": str(runner_temp),
            "job.workflow_repository || inputs.bundle-repository": BUNDLE_REPOSITORY,
            "job.workflow_sha || inputs.bundle-ref": bundle_sha,
            "inputs.isolate-gates && 'own' || inputs.gates-environment": (
                "own" if isolate else inputs["gates-environment"]
            ),
            "!cancelled()": "true",
        }
    )
    return table


def _resolve(value: Any, table: dict[str, str]) -> str:
    def lookup(match: re.Match[str]) -> str:
        expression = " ".join(match.group(1).split())
        if expression not in table:
            pytest.fail(f"gates.yml uses an expression the local run does not know: {expression}")
        return table[expression]

    return EXPRESSION.sub(lookup, str(value))


def _read_outputs(path: Path) -> dict[str, str]:
    outputs: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        outputs[key] = value
    return outputs


@pytest.fixture(scope="module")
def runner_python() -> Path:
    """setup-python's stand-in: a fresh virtualenv, shared by every run in this module."""
    root = scratch_dir() / "runner-python"
    if not (root / "bin" / "python").exists():
        venv.EnvBuilder(with_pip=True).create(root)
    return root / "bin"


def run_gates_job(workspace: Path, runner_temp: Path, python_bin: Path, overrides: dict[str, Any]) -> JobRun:
    """Run the `gates` job of gates.yml in ``workspace`` (a fixture consumer repository)."""
    bundle, sha = bundle_snapshot()
    inputs = _inputs(overrides)
    table = _expressions(inputs, runner_temp, sha)
    job = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["gates"]
    runner_temp.mkdir(parents=True, exist_ok=True)
    system_path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    base_env = {
        "PATH": f"{python_bin}{os.pathsep}{system_path}",
        "HOME": os.environ.get("HOME", str(runner_temp)),
        "LANG": "C.UTF-8",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_REPOSITORY": "example/consumer",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_SHA": git(workspace, "rev-parse", "HEAD").strip(),
        "RUNNER_TEMP": str(runner_temp),
        "RUNNER_OS": "Linux",
        **GIT_IDENTITY,
        **offline_pip_env(),
    }
    runs: list[StepRun] = []
    uploaded: list[Path] = []
    for index, step in enumerate(job["steps"]):
        name = step.get("id") or step.get("name") or f"step-{index}"
        condition = _resolve(step.get("if", "true"), table)
        failed_before = any(r.returncode != 0 for r in runs)
        if failed_before and "!cancelled()" not in str(step.get("if", "")):
            continue  # GitHub skips a step after a failure unless its `if` says otherwise
        assert condition == "true", condition
        settings = {k: _resolve(v, table) for k, v in (step.get("with") or {}).items()}
        if "uses" in step:
            action = step["uses"].split("@", 1)[0]
            if action == "actions/checkout" and "repository" in settings:
                assert settings["persist-credentials"] == "False"
                target = workspace / settings["path"]
                subprocess.run(["git", "clone", "-q", str(bundle), str(target)], check=True)
                git(target, "checkout", "-q", settings["ref"])
            elif action == "actions/checkout":
                assert settings["fetch-depth"] == "0"  # the fixture repository has full history
                assert settings["lfs"] == inputs["lfs"]
            elif action == "actions/setup-python":
                assert settings["python-version"] == inputs["python-version"]
            elif action == "actions/upload-artifact":
                uploaded.append(Path(settings["path"]))
                assert Path(settings["path"]).exists(), settings["path"]
            else:
                pytest.fail(f"no local stand-in for {action}")
            runs.append(StepRun(name, "uses"))
            continue
        output_file = runner_temp / f"output-{index}"
        summary_file = runner_temp / f"summary-{index}"
        for path in (output_file, summary_file):
            path.write_text("", encoding="utf-8")
        env = {
            **base_env,
            **{k: _resolve(v, table) for k, v in (step.get("env") or {}).items()},
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary_file),
            "GITHUB_ENV": str(runner_temp / "env"),
            "GITHUB_PATH": str(runner_temp / "path"),
        }
        script = runner_temp / f"step-{index}.sh"
        script.write_text(step["run"], encoding="utf-8")
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        runs.append(
            StepRun(
                name,
                "run",
                proc.returncode,
                proc.stdout + proc.stderr,
                _read_outputs(output_file),
                summary_file.read_text(encoding="utf-8"),
            )
        )
        if "id" in step:  # later steps read `steps.<id>.outputs.<name>`
            table.update({f"steps.{step['id']}.outputs.{k}": v for k, v in runs[-1].outputs.items()})
    return JobRun(runs, workspace, runner_temp, uploaded)


def _consumer(root: Path, feature: dict[str, str], policy: str = POLICY) -> Path:
    """A consumer repository: main with a tested module, branch `feature` with ``feature`` on top."""
    init_repo(root)
    files = {"policy.yaml": policy, "src/calc.py": CALC, "tests/test_calc.py": TESTS}
    files[".gitignore"] = ".gates/\ncoverage.json\n.coverage\n.pytest_cache/\n__pycache__/\n"
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "feature")
    for relative, text in feature.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(path.read_text(encoding="utf-8") + textwrap.dedent(text) if path.exists() else text)
    commit_all(root, "feature")
    return root


TESTED_FEATURE = {
    "src/calc.py": """

        def mul(a: int, b: int) -> int:
            return a * b
        """,
    "tests/test_calc.py": """

        def test_mul() -> None:
            assert calc.mul(2, 3) == 6
        """,
}
UNSAFE_FEATURE = {
    "src/calc.py": """

        def load_weights(path):
            import torch

            return torch.load(path)
        """,
}
BASE_INPUTS = {"install-command": "python -m pip install pytest coverage", "extras": "", "base-ref": "main"}


@pytest.mark.slow
def test_gates_job_passes_a_clean_pull_request(tmp_path: Path, runner_python: Path) -> None:
    workspace = _consumer(tmp_path / "consumer", TESTED_FEATURE)
    job = run_gates_job(workspace, tmp_path / "runner-temp", runner_python, BASE_INPUTS)

    gates = job.step("gates")
    assert not job.failed, "\n".join(f"--- {s.name}\n{s.stdout}" for s in job.steps)
    assert gates.outputs["verdict"] == "pass"
    assert gates.outputs["exit-code"] == "0"
    assert gates.outputs["tests-exit-code"] == "0"
    assert float(gates.outputs["score"]) == 100
    assert gates.outputs["sarif"] == "true"
    # the job summary: one row per gate, with the readiness score
    for gate in ("coverage", "models", "readiness", "todo"):
        assert gate in gates.summary
    assert "2 passed" in gates.stdout  # the default test command ran the fixture's tests
    # gates-environment auto, and no gate here imports the project: ml-gates in its own venv
    assert f"+ {job.runner_temp}/ml-gates-venv/bin/gates check" in gates.stdout
    assert "the project's environment is untouched" in job.step("install").stdout
    report_dir = job.runner_temp / "ml-gates-report"
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "pass"
    sarif = json.loads((report_dir / "ml-gates.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert job.uploaded == [report_dir]
    # the bundle was moved out of the project's tree before anything ran there
    assert not (workspace / ".ml-gates-bundle").exists()
    assert git(workspace, "status", "--porcelain", "--untracked-files=all").strip() == ""


@pytest.mark.slow
def test_gates_job_fails_with_annotations_on_an_unsafe_untested_change(
    tmp_path: Path, runner_python: Path
) -> None:
    # also the other install mode: ml-gates in its own virtualenv, and a chosen set of gates
    workspace = _consumer(tmp_path / "consumer", UNSAFE_FEATURE)
    inputs = {**BASE_INPUTS, "isolate-gates": True, "gates": "coverage models"}
    job = run_gates_job(workspace, tmp_path / "runner-temp", runner_python, inputs)

    gates = job.step("gates")
    assert gates.returncode == 1, gates.stdout
    assert gates.outputs["verdict"] == "fail"
    assert gates.outputs["exit-code"] == "1"
    assert f"{tmp_path}/runner-temp/ml-gates-venv/bin/gates check" in gates.stdout
    assert "--gate coverage --gate models" in gates.stdout
    annotation = r"^::error file=src/calc\.py,line=\d+(,endLine=\d+)?,title=models%3A MS101::torch\.load"
    assert re.search(annotation, gates.stdout, re.M), gates.stdout
    assert re.search(r"^::(error|warning) file=src/calc\.py,.*title=coverage%3A", gates.stdout, re.M)
    assert "MS101" in gates.summary
    assert "readiness" not in gates.summary and "score" not in gates.outputs
    # the report is uploaded even though the gates step failed
    assert job.uploaded == [job.runner_temp / "ml-gates-report"]
    assert job.steps[-1].kind == "uses"


def _ensure_gates(python_bin: Path) -> None:
    """ml-gates in the runner venv, for the tests that call ml-gates-run.sh directly (the job
    itself installs it in its own virtualenv, so the job tests leave the runner venv alone)."""
    if (python_bin / "gates").exists():
        return
    bundle, _ = bundle_snapshot()
    subprocess.run(
        [str(python_bin / "python"), "-m", "pip", "install", "--quiet", str(bundle)],
        env={**os.environ, **offline_pip_env()},
        check=True,
        capture_output=True,
    )


def _run_script(
    workspace: Path, tmp_path: Path, python_bin: Path, extra_env: dict[str, str], *args: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str], str]:
    output, summary = tmp_path / "output", tmp_path / "summary"
    output.write_text("", encoding="utf-8")
    summary.write_text("", encoding="utf-8")
    env = {
        "PATH": f"{python_bin}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(tmp_path),
        **GIT_IDENTITY,
        **extra_env,
    }
    proc = subprocess.run(
        ["bash", str(SCRIPTS / "ml-gates-run.sh"), *args],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc, _read_outputs(output), summary.read_text(encoding="utf-8")


@pytest.mark.slow
def test_failing_tests_fail_the_step_even_when_the_gates_pass(tmp_path: Path, runner_python: Path) -> None:
    _ensure_gates(runner_python)
    workspace = _consumer(tmp_path / "consumer", TESTED_FEATURE)
    command = "python -c 'raise SystemExit(3)'"
    proc, outputs, summary = _run_script(
        workspace,
        tmp_path,
        runner_python,
        {"ML_GATES_TEST_COMMAND": command, "ML_GATES_BASE": "main", "ML_GATES_ONLY": "models"},
        "check",
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert outputs["tests-exit-code"] == "3"
    assert outputs["verdict"] == "pass"
    assert "::error title=ml-gates tests::the test command failed (exit 3)" in proc.stdout
    assert "Tests failed" in summary


@pytest.mark.slow
def test_a_policy_error_is_exit_2_with_verdict_error(tmp_path: Path, runner_python: Path) -> None:
    _ensure_gates(runner_python)
    broken = POLICY + "coverage:\n  line_minimum: 80\n"
    workspace = _consumer(tmp_path / "consumer", TESTED_FEATURE, policy=broken)
    proc, outputs, _ = _run_script(workspace, tmp_path, runner_python, {}, "check")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert outputs["verdict"] == "error"
    assert outputs["exit-code"] == "2"
    assert outputs["sarif"] == "false"
    assert "line_minimum" in proc.stderr


WAIVED_UNSAFE_FEATURE = {
    **UNSAFE_FEATURE,
    "policy.yaml": """\
        model_safety:
          waivers:
            - {rule: MS101, reason: later, expires: 2099-12-31}
        """,
}


@pytest.mark.slow
def test_policy_source_base_judges_the_pull_request_by_the_base_policy(
    tmp_path: Path, runner_python: Path
) -> None:
    """A PR that waives its own MS101: reported as a weakening with policy-source head (the
    default), and failed with policy-source base, which never reads the PR's waiver."""
    workspace = _consumer(tmp_path / "consumer", WAIVED_UNSAFE_FEATURE)
    inputs = {**BASE_INPUTS, "gates": "models", "policy-source": "base", "test-command": ""}
    job = run_gates_job(workspace, tmp_path / "runner-temp", runner_python, inputs)
    gates = job.step("gates")
    assert gates.returncode == 1, gates.stdout
    assert "--trusted-base main" in gates.stdout
    assert re.search(r"^::error file=src/calc\.py,.*title=models%3A MS101::", gates.stdout, re.M)
    assert re.search(
        r"^::warning file=policy\.yaml,line=\d+,title=policy%3A policy\.waiver-added::", gates.stdout, re.M
    )
    assert gates.summary.index("policy") < gates.summary.index("models")

    proc, outputs, summary = _run_script(
        workspace, tmp_path, runner_python, {"ML_GATES_BASE": "main", "ML_GATES_ONLY": "models"}, "check"
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr  # the PR's own waiver applies, loudly
    assert outputs["verdict"] == "pass"
    assert re.search(
        r"^::warning file=policy\.yaml,line=\d+,title=policy%3A policy\.waiver-added::", proc.stdout, re.M
    )
    assert "waiver added to model_safety.waivers" in summary
