"""The SARIF of a failing run of every gate passes GitHub's upload rules (the real Multitool).

Each test runs the real gate on a small repository, writes SARIF, and asks Microsoft's
SARIF Multitool (``validate --rule-kind Gh``) what GitHub code scanning would reject. The
tests skip only when npm is missing; ``.ci/run`` installs the Multitool into ``.tools/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import Repo
from tests.sarif_multitool import github_problems, multitool
from tests.security_osv import advisory, osv_server


@pytest.fixture(scope="module")
def validator() -> Path:
    binary = multitool()
    if binary is None:
        pytest.skip("npm is not installed: the SARIF Multitool comes from npm (.ci/run installs it)")
    return binary


def _gates_sarif(root: Path, out: Path, *argv: str, env: dict[str, str] | None = None) -> tuple[int, dict]:  # type: ignore[type-arg]
    scrubbed = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PRE_COMMIT"))}
    proc = subprocess.run(
        [sys.executable, "-m", "gates", *argv, "--format", "sarif", "--output", str(out)],
        cwd=root,
        capture_output=True,
        text=True,
        env={**scrubbed, **(env or {})},
        check=False,
    )
    assert out.is_file(), proc.stderr
    return proc.returncode, json.loads(out.read_text(encoding="utf-8"))


def _results(sarif: dict, gate: str) -> list[dict]:  # type: ignore[type-arg]
    run = next(r for r in sarif["runs"] if r["tool"]["driver"]["name"] == f"ml-gates/{gate}")
    results: list[dict] = run["results"]  # type: ignore[type-arg]
    return results


PY = sys.executable
POLICY = f"""\
version: 1
base: main
paths:
  source: ["app/"]
  tests: ["tests/"]
  critical: ["app/"]
coverage:
  line_min: 100
  report: coverage.json
  run:
    - "{PY} -m coverage run -m pytest -q -p no:cacheprovider --junitxml=.gates/junit.xml tests"
    - "{PY} -m coverage json -q"
  diff: {{line_min: 100}}
security:
  pip_audit:
    requirements: [requirements.txt]
    osv_url: OSV_URL
readiness:
  min_score: 100
  junit_xml: .gates/junit.xml
todo:
  scope: source
mutation:
  enabled: false
"""

APP = """\
import pickle
import subprocess

import torch


def load(path):
    with open(path, "rb") as handle:
        return pickle.load(handle)


def weights(path):
    return torch.load(path)


def shell(cmd):
    return subprocess.call(cmd, shell=True)


def untested(x):
    if x:
        return 1
    return 2  # TODO(blocking): finish this
"""

TESTS = """\
from app.core import shell


def test_shell():
    assert shell("true") == 0
"""


@pytest.mark.slow
def test_failing_check_of_every_file_gate_is_accepted_by_github(
    repo: Repo, validator: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """models, model files, security (bandit, semgrep, pip-audit), coverage, todo, readiness."""
    repo.write("app/__init__.py", "")
    repo.write("app/core.py", APP)
    repo.write("tests/test_core.py", TESTS)
    repo.write("requirements.txt", "requests==2.19.0\n")
    repo.write_bytes(
        "models/net.bin",
        b"\x80\x04\x95\x1a\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R.",
    )
    repo.write(".gitignore", ".gates/\ncoverage.json\n.coverage\n")
    repo.commit("project")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("app/extra.py", "def more(x):\n    return x + 1\n")
    repo.commit("feature")
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    with osv_server([advisory("PYSEC-2018-28", "requests", "2.20.0", aliases=("CVE-2018-18074",))]) as server:
        repo.write("policy.yaml", POLICY.replace("OSV_URL", server.url))
        code, sarif = _gates_sarif(repo.root, repo.root.parent / "check.sarif", "check")
    assert code == 1, json.dumps(sarif)[:3000]
    rules = {
        gate: {r["ruleId"] for r in _results(sarif, gate)}
        for gate in ("models", "security", "coverage", "todo", "readiness")
    }
    assert {"MS201", "MS101", "MF101"} <= rules["models"]
    assert {"B602", "PYSEC-2018-28"} <= rules["security"]
    assert rules["coverage"] and rules["todo"] and rules["readiness"]
    # Project-level findings point at their gate's section of the policy file.
    floor = _results(sarif, "coverage")[0]["locations"][0]["physicalLocation"]
    policy_lines = (repo.root / "policy.yaml").read_text().splitlines()
    assert floor["artifactLocation"]["uri"] == "policy.yaml"
    assert policy_lines[floor["region"]["startLine"] - 1] == "coverage:"
    assert github_problems(validator, repo.root.parent / "check.sarif") == []


def test_gate_error_and_no_policy_file_are_accepted_by_github(repo: Repo, validator: Path) -> None:
    """A gate that could not run (a notification, no result) and the default policy (no file)."""
    repo.write("app.py", "import pickle\npickle.loads(b'')\n")
    repo.commit("app")
    code, sarif = _gates_sarif(repo.root, repo.root.parent / "error.sarif", "check", "--no-baseline")
    assert code == 2
    assert any(not r["invocations"][0]["executionSuccessful"] for r in sarif["runs"])
    assert github_problems(validator, repo.root.parent / "error.sarif") == []


def test_the_validator_catches_what_github_rejects(tmp_path: Path, validator: Path) -> None:
    """The test above can fail: a result without a location and a rule without help are errors."""
    bad = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "x", "rules": [{"id": "R1", "shortDescription": {"text": "r"}}]}},
                "results": [{"ruleId": "R1", "level": "error", "message": {"text": "no location"}}],
            }
        ],
    }
    path = tmp_path / "bad.sarif"
    path.write_text(json.dumps(bad), encoding="utf-8")
    problems = "\n".join(github_problems(validator, path))
    assert "GH1015" in problems and "GH2012" in problems


MUTATION_PACKAGE = """\
def total(price, qty):
    return price * qty
"""
MUTATION_TESTS = """\
from shop.pricing import total


def test_total():
    assert total(2, 3) > 0
"""


@pytest.mark.slow
def test_failing_mutation_run_is_accepted_by_github(repo: Repo, validator: Path) -> None:
    repo.write("shop/__init__.py", "")
    repo.write("shop/pricing.py", MUTATION_PACKAGE)
    repo.write("tests/test_pricing.py", MUTATION_TESTS)
    repo.write(".gitignore", "mutants/\n.gates/\n")
    repo.write(
        "policy.yaml",
        textwrap.dedent(
            """\
            version: 1
            paths: {source: ["shop/"], tests: ["tests/"], critical: ["shop/"]}
            mutation: {enabled: true, critical_min_score: 100}
            """
        ),
    )
    repo.commit("shop")
    code, sarif = _gates_sarif(repo.root, repo.root.parent / "mutation.sarif", "mutation")
    assert code == 1, json.dumps(sarif)[:3000]
    assert _results(sarif, "mutation")
    assert github_problems(validator, repo.root.parent / "mutation.sarif") == []


@pytest.mark.slow
def test_failing_coreml_run_is_accepted_by_github(repo: Repo, validator: Path) -> None:
    repo.write("zoo/__init__.py", "")
    repo.write("zoo/models.py", "def broken():\n    raise RuntimeError('no model today')\n")
    repo.write(
        "policy.yaml",
        "version: 1\ncoreml:\n  enabled: true\n  artifact_dir: build/coreml\n"
        "  models:\n    - {name: broken, factory: 'zoo.models:broken'}\n",
    )
    repo.commit("zoo")
    code, sarif = _gates_sarif(repo.root, repo.root.parent / "coreml.sarif", "coreml")
    assert code in (1, 2), json.dumps(sarif)[:3000]
    assert _results(sarif, "coreml") or code == 2
    assert github_problems(validator, repo.root.parent / "coreml.sarif") == []
