"""End to end on a fixture repo: real pytest + coverage.py, real gates, a golden document.

The fixture's tests really run (some fail on purpose), coverage.py measures them, then
``gates check`` runs coverage, todo, models and readiness. The Markdown assessment must
match tests/data/readiness_golden.md (set UPDATE_GOLDEN=1 to rewrite it after a deliberate
change), and ``gates readiness --from-json`` on the saved report must say the same.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import REPO_ROOT, Repo

ONLY = ("--gate", "coverage", "--gate", "todo", "--gate", "models", "--gate", "readiness")
GOLDEN = REPO_ROOT / "tests" / "data" / "readiness_golden.md"

POLICY = """\
version: 1
paths:
  source: ["src/"]
  critical: ["src/core/", "src/train.py"]
  tests: ["tests/"]
coverage:
  line_min: 60
  critical_min: 90
  report: coverage.json
  diff: {enabled: false}
  ratchet: {enabled: false}
security: {enabled: false}
mutation: {enabled: false}
coreml: {enabled: false}
readiness:
  min_pass_rate: 90
  min_score: 60
  markdown_file: readiness.md
"""

IO = """\
import json


def load(path):
    with open(path) as handle:
        return json.load(handle)


def parse(text):
    # TODO(blocking): reject documents without a version
    return json.loads(text)


def dump(data):
    if not data:
        raise ValueError("nothing to dump")
    return json.dumps(data, sort_keys=True)


def convert(data, fmt):
    if fmt == "yaml":
        raise NotImplementedError("yaml output")
    if fmt == "toml":
        return None
    return dump(data)
"""

TRAIN = """\
def schedule(step, warmup=10):
    # FIXME: make the warmup configurable per run
    if step < warmup:
        return step / warmup
    return 1.0


def save(model):
    pass  # placeholder until checkpoints land
"""

UTIL = """\
def clamp(x, lo, hi):
    return max(lo, min(hi, x))
"""

TEST_IO = """\
import pytest

from src.core.io import dump, parse


def test_parse():
    assert parse('{"a": 1}') == {"a": 1}


def test_dump_sorts():
    assert dump({"b": 1, "a": 2}) == '{"a": 2, "b": 1}'


def test_dump_empty():
    with pytest.raises(ValueError):
        dump({})


def test_parse_rejects_unversioned():
    with pytest.raises(ValueError):
        parse('{"a": 1}')
"""

TEST_TRAIN = """\
import pytest

from src.train import schedule


def test_warmup():
    assert schedule(5) == 0.5


def test_after_warmup():
    assert schedule(50) == 1.0


@pytest.mark.skip(reason="needs a GPU")
def test_on_gpu():
    pass
"""

TEST_UTIL = """\
from src.util import clamp


def test_clamp_low():
    assert clamp(-1, 0, 1) == 0


def test_clamp_high():
    assert clamp(5, 0, 1) == 1


def test_clamp_swapped_bounds():
    assert clamp(5, 1, 0) == 0


def test_clamp_with_data(dataset):
    assert clamp(dataset, 0, 1) == 1
"""


def build_fixture(repo: Repo) -> None:
    repo.write("policy.yaml", POLICY)
    repo.write("pytest.ini", "[pytest]\naddopts = -p no:cacheprovider\n")
    repo.write("src/__init__.py", "")
    repo.write("src/core/__init__.py", "")
    repo.write("src/core/io.py", IO)
    repo.write("src/train.py", TRAIN)
    repo.write("src/util.py", UTIL)
    repo.write("tests/test_io.py", TEST_IO)
    repo.write("tests/test_train.py", TEST_TRAIN)
    repo.write("tests/unit/test_util.py", TEST_UTIL)
    repo.write(".gitignore", ".gates/\ncoverage.json\n.coverage\nreadiness*.md\ncheck.json\n")
    repo.commit("fixture")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_", "COVERAGE_", "PYTEST_"))}
    tests = subprocess.run(
        [
            sys.executable,
            "-m",
            "coverage",
            "run",
            "--source=src",
            "-m",
            "pytest",
            "-q",
            "--junitxml=.gates/junit.xml",
            "tests",
        ],
        cwd=repo.root,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert tests.returncode == 1, tests.stdout + tests.stderr  # tests fail on purpose
    subprocess.run(
        [sys.executable, "-m", "coverage", "json", "-o", "coverage.json"],
        cwd=repo.root,
        capture_output=True,
        env=env,
        check=True,
    )


def test_end_to_end_golden_document(repo: Repo, run_cli: Any) -> None:
    build_fixture(repo)
    # The gates named here, so gates added later to ml-gates do not change the golden file.
    outcome = run_cli("check", *ONLY, "--format", "json", "--output", "check.json")
    report = json.loads((repo.root / "check.json").read_text())
    verdicts = {g["name"]: g["verdict"] for g in report["gates"]}
    assert verdicts == {
        "coverage": "fail",
        "models": "pass",
        "todo": "fail",
        "readiness": "fail",
    }, outcome.err
    assert outcome.code == 1
    document = (repo.root / "readiness.md").read_text()
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(document, encoding="utf-8")
    assert document == GOLDEN.read_text(encoding="utf-8")

    # The same assessment from the saved report, without re-running anything.
    again = run_cli("readiness", "--from-json", "check.json", "--markdown-out", "readiness-from-json.md")
    assert again.code == 1
    assert (repo.root / "readiness-from-json.md").read_text() == document

    readiness = next(g for g in report["gates"] if g["name"] == "readiness")
    assert (readiness["metrics"]["tests_failed"], readiness["metrics"]["tests_errors"]) == (2, 1)
    assert {f["rule_id"] for f in readiness["findings"]} == {
        "readiness.critical-test-failure",
        "readiness.pass-rate",
        "readiness.score-below-min",
    }


def test_github_output_gets_the_score(repo: Repo, run_cli: Any, tmp_path: Path, monkeypatch: Any) -> None:
    build_fixture(repo)
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    run_cli("check", *ONLY, "--format", "github")
    score = [line for line in output.read_text().splitlines() if line.startswith("score=")]
    golden_score = next(line for line in GOLDEN.read_text().splitlines() if line.startswith("**Score: "))
    assert score == [f"score={golden_score.split()[1]}"]
