"""Static checks of the workflows and the hook manifest: real linters plus the hardening rules.

zizmor (offline) and check-jsonschema's GitHub-workflow schema run for real; the rest reads
the YAML and checks the rules the issue sets: pinned actions, least privilege per job, no
credentials left in the checkout, no caller input expanded inside a shell script.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.wiring_support import REPO_ROOT, VENV_BIN, tool_env

WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOWS_DIR.glob("*.yml"))
REUSABLE = ["gates.yml", "coreml-smoke.yml", "mutation.yml"]
PINNED_USES = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"#\s*v\d+(\.\d+){0,2}\b")
EXPRESSION = re.compile(r"\$\{\{")


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _triggers(workflow: dict[Any, Any]) -> dict[str, Any]:
    # PyYAML reads the bare key `on` as the boolean True (YAML 1.1).
    on = workflow.get("on", workflow.get(True))
    return on if isinstance(on, dict) else {name: None for name in ([on] if isinstance(on, str) else on)}


def _steps(workflow: dict[Any, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job_id, step) for job_id, job in workflow["jobs"].items() for step in job.get("steps", [])]


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=REPO_ROOT, env=tool_env(), capture_output=True, text=True, check=False)


def test_every_expected_workflow_exists() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"ci.yml", *REUSABLE} <= names


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_zizmor_offline_finds_nothing(path: Path) -> None:
    result = _run(str(VENV_BIN / "zizmor"), "--offline", "--persona", "pedantic", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_github_workflow_schema_accepts_it(path: Path) -> None:
    result = _run(
        str(VENV_BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_catches_an_unpinned_action(tmp_path: Path) -> None:
    # The audit the pinning rule relies on really fires: a tag-pinned copy of gates.yml fails.
    text = (WORKFLOWS_DIR / "gates.yml").read_text(encoding="utf-8")
    unpinned = re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v6", text)
    (tmp_path / "gates.yml").write_text(unpinned, encoding="utf-8")
    result = _run(str(VENV_BIN / "zizmor"), "--offline", str(tmp_path / "gates.yml"))
    assert result.returncode != 0
    assert "unpinned-uses" in result.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_full_sha_with_a_version_comment(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    uses_lines = [line for line in lines if re.match(r"^\s*(-\s+)?uses:", line)]
    assert uses_lines
    for line in uses_lines:
        target = line.split("uses:", 1)[1].split("#", 1)[0].strip()
        if target.startswith("./"):
            continue  # this repository's own reusable workflows, at the caller's commit
        assert PINNED_USES.match(target), line
        assert VERSION_COMMENT.search(line), f"no version comment: {line}"


def test_each_action_has_one_pin_across_workflows() -> None:
    pins: dict[str, set[str]] = {}
    for path in WORKFLOWS:
        for match in re.finditer(r"uses:\s*([\w./-]+)@([0-9a-f]{40})", path.read_text(encoding="utf-8")):
            pins.setdefault(match.group(1), set()).add(match.group(2))
    assert pins
    assert {action: shas for action, shas in pins.items() if len(shas) > 1} == {}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_empty_at_top_and_granted_per_job(path: Path) -> None:
    workflow = _load(path)
    assert workflow.get("permissions") == {}
    for job_id, job in workflow["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {job_id} has no permissions block"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_only_the_sarif_upload_job_may_write_security_events(path: Path) -> None:
    workflow = _load(path)
    for job_id, job in workflow["jobs"].items():
        grants = job.get("permissions") or {}
        writes = {scope for scope, level in grants.items() if level == "write"}
        if "uses" in job:
            # a caller's grant caps what the called workflow's jobs may hold
            assert writes <= {"security-events"}, (path.name, job_id)
            continue
        uploads_sarif = any("upload-sarif" in str(step.get("uses", "")) for step in job.get("steps", []))
        assert writes == ({"security-events"} if uploads_sarif else set()), (path.name, job_id)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkouts_do_not_persist_credentials(path: Path) -> None:
    checkouts = [s for _, s in _steps(_load(path)) if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert checkouts
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, step


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_is_expanded_inside_a_shell_script(path: Path) -> None:
    for job_id, step in _steps(_load(path)):
        if "run" in step:
            assert not EXPRESSION.search(step["run"]), f"{path.name}:{job_id}: {step['run']}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_dangerous_trigger(path: Path) -> None:
    triggers = _triggers(_load(path))
    assert "pull_request_target" not in triggers
    assert "workflow_run" not in triggers


@pytest.mark.parametrize("name", REUSABLE)
def test_reusable_workflows_check_out_the_bundle_at_the_callers_pin(name: str) -> None:
    workflow = _load(WORKFLOWS_DIR / name)
    assert list(_triggers(workflow)) == ["workflow_call"]
    inputs = _triggers(workflow)["workflow_call"]["inputs"]
    assert {"bundle-repository", "bundle-ref"} <= set(inputs)
    bundle_checkouts = [
        step["with"]
        for _, step in _steps(workflow)
        if str(step.get("uses", "")).startswith("actions/checkout@") and "repository" in step.get("with", {})
    ]
    assert bundle_checkouts
    for settings in bundle_checkouts:
        assert settings["repository"] == "${{ job.workflow_repository || inputs.bundle-repository }}"
        assert settings["ref"] == "${{ job.workflow_sha || inputs.bundle-ref }}"


def test_gates_workflow_interface() -> None:
    call = _triggers(_load(WORKFLOWS_DIR / "gates.yml"))["workflow_call"]
    assert {"policy", "python-version", "install-command", "test-command", "base-ref"} <= set(call["inputs"])
    assert {"verdict", "score"} <= set(call["outputs"])


def test_gates_workflow_skips_sarif_upload_for_fork_pull_requests() -> None:
    sarif_job = _load(WORKFLOWS_DIR / "gates.yml")["jobs"]["sarif"]
    condition = " ".join(sarif_job["if"].split())
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition
    assert "github.event_name != 'pull_request'" in condition
    steps = [str(step.get("uses", "")) for step in sarif_job["steps"]]
    assert any(uses.startswith("github/codeql-action/upload-sarif@") for uses in steps)


def test_coreml_workflow_runs_on_macos_and_requires_prediction() -> None:
    workflow = _load(WORKFLOWS_DIR / "coreml-smoke.yml")
    inputs = _triggers(workflow)["workflow_call"]["inputs"]
    assert inputs["runner"]["default"].startswith("macos-")
    assert inputs["require-prediction"]["default"] is True
    assert inputs["paths"]["default"] == ""
    smoke = workflow["jobs"]["smoke"]
    assert smoke["runs-on"] == "${{ inputs.runner }}"
    gate_step = next(step for step in smoke["steps"] if step.get("id") == "gate")
    assert gate_step["env"]["GATES_COREML_REQUIRE_PREDICTION"] == "${{ inputs.require-prediction }}"
    upload = next(s for s in smoke["steps"] if str(s.get("uses", "")).startswith("actions/upload-artifact@"))
    assert "steps.dirs.outputs.artifact-dir" in upload["with"]["path"]


def test_mutation_workflow_shards_then_merges() -> None:
    jobs = _load(WORKFLOWS_DIR / "mutation.yml")["jobs"]
    assert jobs["shard"]["strategy"]["matrix"]["shard"] == "${{ fromJSON(needs.plan.outputs.shards) }}"
    assert jobs["shard"]["strategy"]["fail-fast"] is False
    shard_run = next(s for s in jobs["shard"]["steps"] if "--shard" in s.get("run", ""))
    assert shard_run["env"]["SHARD"] == "${{ matrix.shard }}/${{ needs.plan.outputs.count }}"
    assert set(jobs["merge"]["needs"]) == {"plan", "shard"}


def test_ci_tests_every_supported_python_and_calls_the_reusable_workflows() -> None:
    ci = _load(WORKFLOWS_DIR / "ci.yml")
    assert ci["jobs"]["tests"]["strategy"]["matrix"]["python-version"] == ["3.10", "3.11", "3.12", "3.13"]
    called = {job["uses"] for job in ci["jobs"].values() if "uses" in job}
    assert called == {f"./.github/workflows/{name}" for name in REUSABLE}


def test_ci_lint_script_runs_the_same_checks() -> None:
    script = (REPO_ROOT / ".github" / "scripts" / "ci-lint.sh").read_text(encoding="utf-8")
    for command in ("zizmor", "check-jsonschema", "validate-manifest", "validate-config", "mypy"):
        assert command in script
