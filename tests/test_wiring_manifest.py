"""The hook manifest and our own pre-commit config: pre-commit's validators plus the contract."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.wiring_support import REPO_ROOT, SEMGREP_REQUIREMENT, VENV_BIN, tool_env

MANIFEST = REPO_ROOT / ".pre-commit-hooks.yaml"
CONFIG = REPO_ROOT / ".pre-commit-config.yaml"
CURRENT_STAGES = {"pre-commit", "pre-push", "manual"}
FAST_HOOKS = ["gates-models", "gates-model-files", "gates-security", "gates-policy"]
PUSH_HOOKS = ["gates-coverage", "gates-pip-audit", "gates-semgrep"]


def _hooks() -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))}


def _local_hooks() -> dict[str, dict[str, Any]]:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def _pre_commit(*args: str, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "pre-commit"), *args], cwd=cwd, env=tool_env(), capture_output=True, text=True
    )


def test_pre_commit_validates_the_manifest() -> None:
    result = _pre_commit("validate-manifest", str(MANIFEST))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "deprecated" not in result.stdout + result.stderr


def test_pre_commit_validates_our_config() -> None:
    result = _pre_commit("validate-config", str(CONFIG))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "deprecated" not in result.stdout + result.stderr


def test_validate_manifest_rejects_a_broken_copy(tmp_path: Path) -> None:
    # the validator is not a rubber stamp: a hook without an entry fails
    broken = [{k: v for k, v in hook.items() if k != "entry"} for hook in _hooks().values()]
    (tmp_path / "hooks.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    result = _pre_commit("validate-manifest", str(tmp_path / "hooks.yaml"))
    assert result.returncode != 0
    assert "entry" in result.stdout + result.stderr


def test_every_hook_uses_current_stage_names_and_a_minimum_version() -> None:
    hooks = _hooks()
    assert set(hooks) == {*FAST_HOOKS, *PUSH_HOOKS, "gates-mutation", "gates-coreml"}
    for hook in hooks.values():
        assert set(hook["stages"]) <= CURRENT_STAGES, hook["id"]
        assert hook["minimum_pre_commit_version"] == "3.2.0"
        assert hook["entry"].startswith("gates "), hook["id"]


def test_hooks_sit_at_the_stage_their_cost_allows() -> None:
    hooks = _hooks()
    for hook_id in FAST_HOOKS:
        assert "pre-commit" in hooks[hook_id]["stages"]
    for hook_id in PUSH_HOOKS:
        assert hooks[hook_id]["stages"] == ["pre-push", "manual"]
    for hook_id in ("gates-coverage", "gates-pip-audit"):
        assert hooks[hook_id]["pass_filenames"] is False
    assert hooks["gates-coverage"]["always_run"] is True
    for hook_id in ("gates-mutation", "gates-coreml"):
        assert hooks[hook_id]["stages"] == ["manual"]
        # verbose: pre-commit then shows the gate's own "SKIPPED" line for a disabled gate
        assert hooks[hook_id]["verbose"] is True


def test_entries_follow_the_cli_contract() -> None:
    entries = {hook_id: hook["entry"] for hook_id, hook in _hooks().items()}
    # Hooks given file names end with '--': a staged file named '--help' or '-x.py' is a path.
    assert entries["gates-models"] == "gates models --code-only --"
    assert entries["gates-model-files"] == "gates models --files-only --"
    # semgrep takes seconds to start: at push, not at commit (docs/benchmarks.md, hook latency)
    assert entries["gates-security"] == "gates security --tool bandit --"
    assert entries["gates-semgrep"] == "gates security --tool semgrep --"
    assert entries["gates-pip-audit"] == "gates security --tool pip-audit"
    assert entries["gates-policy"] == "gates policy validate --"
    for hook in _hooks().values():
        assert hook["entry"].endswith(" --") == (hook.get("pass_filenames", True) is not False), hook["id"]
    # the hook reads the report the project's own test run wrote; it never runs the tests
    assert entries["gates-coverage"] == "gates coverage --no-run"


def test_model_files_hook_selects_by_content() -> None:
    hook = _hooks()["gates-model-files"]
    assert hook["types"] == ["file"]
    assert "files" not in hook and "types_or" not in hook


def test_policy_hook_matches_only_policy_files() -> None:
    pattern = re.compile(_hooks()["gates-policy"]["files"])
    # exactly the files the loader would read (POLICY_CANDIDATES); a Kubernetes
    # deploy/policy.yaml is someone else's
    from gates.policy.loader import POLICY_CANDIDATES

    for name in POLICY_CANDIDATES:
        assert pattern.search(name), name
    for name in ("config.yaml", "mypolicy.yaml", "policy.yaml.bak", "deploy/policy.yaml", "policy.yml"):
        assert not pattern.search(name), name


def test_security_hook_installs_the_same_semgrep_as_the_extra() -> None:
    pyproject = (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    extra = re.search(r"^semgrep = \[(.*)\]$", pyproject, re.MULTILINE)
    assert extra is not None and extra.group(1) == f'"{SEMGREP_REQUIREMENT}"'
    assert _hooks()["gates-semgrep"]["additional_dependencies"] == [SEMGREP_REQUIREMENT]
    assert "additional_dependencies" not in _hooks()["gates-security"]


def test_hooks_that_import_the_project_run_in_its_environment() -> None:
    hooks = _hooks()
    for hook_id in ("gates-mutation", "gates-coreml"):
        assert hooks[hook_id]["language"] == "system"
    for hook_id in (*FAST_HOOKS, *PUSH_HOOKS):
        assert hooks[hook_id]["language"] == "python"


@pytest.mark.parametrize("hook_id", sorted(_hooks()))
def test_our_config_dogfoods_each_published_hook_unchanged(hook_id: str) -> None:
    published, ours = _hooks()[hook_id], _local_hooks()[hook_id]
    assert ours["entry"] == f".venv/bin/{published['entry']}"
    for key in ("files", "types", "types_or", "pass_filenames", "always_run", "stages", "verbose"):
        assert ours.get(key) == published.get(key), key


def test_our_config_is_repo_local_only() -> None:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    hooks = _local_hooks()
    assert {"ruff", "ruff-format", "mypy"} <= set(hooks)
    assert hooks["ruff"]["additional_dependencies"][0].startswith("ruff==")
