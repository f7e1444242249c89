"""The todo gate end to end: scope, severities, counts per path, new-only mode."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Repo

POLICY = """\
version: 1
paths:
  source: ["src/"]
  critical: ["src/core/"]
todo:
  scope: {scope}
"""

CORE = """\
def load(path):
    # TODO(blocking): validate the path before loading
    return open(path).read()


def save(path):
    pass  # PLACEHOLDER


# FIXME: slow
HELP = "TODO in a string is not a marker"
"""

UTIL = """\
# TODO: tidy up
def helper():
    raise NotImplementedError
"""


def todo_json(run_cli: Any, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("todo", "--format", "json", *args)
    report = json.loads(result.out)
    (gate,) = report["gates"]
    return result.code, gate


def setup(repo: Repo, scope: str = "critical") -> None:
    repo.write("policy.yaml", POLICY.format(scope=scope))
    repo.write("src/core/io.py", CORE)
    repo.write("src/util.py", UTIL)


def test_blocking_marker_fails_and_others_warn(repo: Repo, run_cli: Any) -> None:
    setup(repo)
    code, gate = todo_json(run_cli)
    assert code == 1
    assert gate["verdict"] == "fail"
    found = [(f["rule_id"], f["path"], f["line"], f["severity"]) for f in gate["findings"]]
    assert found == [
        ("todo.blocking", "src/core/io.py", 2, "error"),
        ("todo.placeholder-body", "src/core/io.py", 7, "warning"),
        ("todo.marker", "src/core/io.py", 10, "warning"),
    ]
    assert gate["metrics"]["todos"] == 3
    assert gate["metrics"]["blocking"] == 1
    assert gate["metrics"]["files_scanned"] == 1
    assert gate["details"]["paths"] == [
        {"path": "src/core/io.py", "critical": True, "markers": 2, "placeholders": 1, "blocking": 1}
    ]
    assert gate["tables"][0]["rows"] == [["src/core/io.py", "2", "1", "1"]]


def test_source_scope_adds_notes_outside_critical_paths(repo: Repo, run_cli: Any) -> None:
    setup(repo, scope="source")
    _, gate = todo_json(run_cli)
    util = [(f["rule_id"], f["line"], f["severity"]) for f in gate["findings"] if f["path"] == "src/util.py"]
    assert util == [("todo.marker", 1, "note"), ("todo.stub", 3, "note")]
    assert [row[0] for row in gate["tables"][0]["rows"]] == ["src/core/io.py", "src/util.py"]


def test_no_critical_paths_scans_the_source_and_says_so(repo: Repo, run_cli: Any) -> None:
    repo.write("policy.yaml", "version: 1\npaths:\n  source: ['src/']\n")
    repo.write("src/util.py", UTIL)
    code, gate = todo_json(run_cli)
    assert code == 0
    assert gate["metrics"]["todos"] == 2
    assert any("no critical paths" in note for note in gate["notes"])


def test_explicit_files_outside_the_critical_paths_are_ignored(repo: Repo, run_cli: Any) -> None:
    setup(repo)
    code, gate = todo_json(run_cli, "src/util.py")
    assert code == 0
    assert gate["metrics"]["files_scanned"] == 0


def test_new_only_reports_only_added_markers(repo: Repo, run_cli: Any) -> None:
    setup(repo)
    repo.commit("base with old TODOs")
    repo.git("checkout", "-q", "-b", "feature")
    text = (repo.root / "src/core/io.py").read_text()
    repo.write("src/core/io.py", text + "\n\ndef extra():\n    return 2  # TODO: handle 3\n")
    repo.commit("add one TODO")
    code, gate = todo_json(run_cli, "--new-only", "--base", "main")
    assert code == 0
    assert [(f["rule_id"], f["line"]) for f in gate["findings"]] == [("todo.marker", 15)]
    assert gate["details"]["new_only"] is True


def test_new_only_from_the_policy(repo: Repo, run_cli: Any) -> None:
    setup(repo)
    repo.commit("base")
    repo.write("policy.yaml", POLICY.format(scope="critical") + "  new_only: true\n")
    repo.write("src/core/new.py", "X = 1  # FIXME(blocking) wrong constant\n")
    repo.git("add", "src/core/new.py")  # staged, not committed: still part of the change
    code, gate = todo_json(run_cli, "--base", "main")
    assert code == 1
    assert [(f["path"], f["rule_id"]) for f in gate["findings"]] == [("src/core/new.py", "todo.blocking")]


def test_unparsable_file_is_an_error_not_a_clean_pass(repo: Repo, run_cli: Any) -> None:
    setup(repo)
    repo.write("src/core/broken.py", 'X = 1  # FIXME\nY = """unterminated\n')
    code, gate = todo_json(run_cli)
    assert code == 1
    broken = [f for f in gate["findings"] if f["path"] == "src/core/broken.py"]
    assert [(f["rule_id"], f["line"], f["severity"]) for f in broken] == [("todo.unparsable", 2, "error")]
    assert "exclude it" in broken[0]["message"]


def test_waived_blocker_no_longer_fails(repo: Repo, run_cli: Any) -> None:
    setup(repo)
    policy = POLICY.format(scope="critical") + (
        "  waivers:\n    - rule: todo.blocking\n      reason: tracked in #12\n      expires: 2999-01-01\n"
    )
    repo.write("policy.yaml", policy)
    code, gate = todo_json(run_cli)
    assert code == 0
    assert [f["suppressed_by"] for f in gate["findings"] if f["rule_id"] == "todo.blocking"] == ["waiver"]


def test_critical_paths_without_python_files_are_an_error_not_a_pass(repo: Repo, run_cli: Any) -> None:
    repo.write("policy.yaml", POLICY.format(scope="critical").replace("src/core/", "src/kernel/"))
    repo.write("src/core/io.py", CORE)
    code, gate = todo_json(run_cli)
    assert code == 2 and gate["verdict"] == "error"
    assert "paths.critical (minus paths.exclude) holds no Python file" in gate["error"]


def test_a_named_file_that_cannot_be_read_is_an_error_naming_it(repo: Repo, run_cli: Any) -> None:
    setup(repo, scope="source")
    code, gate = todo_json(run_cli, "src/missing.py")
    # The gate could not check the file: an error (exit 2), not a finding about its code (#13 item 19).
    assert code == 2 and gate["verdict"] == "error", gate
    assert gate["error"].startswith("cannot read 1 file(s) to scan for TODOs: src/missing.py")
