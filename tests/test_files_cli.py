"""Which files the gates read, through the CLI: named directories, missing paths, symlinks
out of the repository, FIFOs and parser depth limits (issue 13, items 2, 3, 10, 12, 14).

bandit runs for real; FIFO cases run ``gates`` in a child process with a timeout, so a
regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Repo

GATES = str(Path(sys.executable).parent / "gates")
UNSAFE_LOAD = "import torch\n\n\ndef load(p):\n    return torch.load(p)\n"
BLOCKING_TODO = "def f():\n    # TODO(blocking): finish this\n    return 1\n"
SHELL = "import subprocess\n\n\ndef run(c):\n    return subprocess.call(c, shell=True)\n"
# A protocol-2 pickle whose first opcode imports os.system; read as opcodes, never loaded.
EVIL_PICKLE = b"\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85q\x02Rq\x03."
SECRET = "API_KEY = 'SECRET-42'  # TODO(blocking): SECRET-LINE rotate\n"
SECRET_CODE = SECRET + "import subprocess, torch\ntorch.load('x')\nsubprocess.call(API_KEY, shell=True)\n"
TODO_SOURCE_POLICY = "version: 1\ntodo:\n  scope: source\n"


def gate_json(run_cli: Any, *argv: str) -> tuple[int, dict[str, Any], str]:
    result = run_cli(*argv[:1], "--format", "json", *argv[1:])
    report = json.loads(result.out)
    (gate,) = report["gates"]
    return result.code, gate, result.out + result.err


def rules_at(gate: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["rule_id"], f["path"]) for f in gate["findings"]}


# ---- item 2: a directory named on the command line means its files -------------------


@pytest.fixture
def tree(repo: Repo) -> Repo:
    repo.write("policy.yaml", TODO_SOURCE_POLICY + "paths:\n  exclude: [src/gen/]\n")
    repo.write("src/pkg/load.py", UNSAFE_LOAD)
    repo.write("src/pkg/work.py", BLOCKING_TODO)
    repo.write("src/pkg/run.py", SHELL)
    repo.write("src/gen/load.py", UNSAFE_LOAD)  # excluded: a named directory keeps excludes
    repo.write("other/load.py", UNSAFE_LOAD)
    repo.write_bytes("models/sub/evil.pkl", EVIL_PICKLE)
    repo.commit("tree")
    return repo


def test_models_reads_the_files_of_a_named_directory(tree: Repo, run_cli: Any) -> None:
    code, gate, _ = gate_json(run_cli, "models", "--code-only", "src/")
    assert code == 1, gate
    assert rules_at(gate) == {("MS101", "src/pkg/load.py")}  # not src/gen (excluded), not other/
    assert gate["metrics"]["code_files"] == 3


def test_model_files_reads_the_files_of_a_named_directory(tree: Repo, run_cli: Any) -> None:
    code, gate, _ = gate_json(run_cli, "models", "--files-only", "models")
    assert code == 1, gate
    assert rules_at(gate) == {("MF101", "models/sub/evil.pkl")}


def test_todo_and_bandit_read_the_files_of_a_named_directory(tree: Repo, run_cli: Any) -> None:
    code, gate, _ = gate_json(run_cli, "todo", "src/pkg")
    assert code == 1 and ("todo.blocking", "src/pkg/work.py") in rules_at(gate), gate
    code, gate, _ = gate_json(run_cli, "security", "--tool", "bandit", "./src/")
    assert code == 1, gate
    assert ("B602", "src/pkg/run.py") in rules_at(gate)
    assert gate["metrics"]["files_selected"] == 3


def test_check_reads_the_files_of_a_named_directory(tree: Repo, run_cli: Any) -> None:
    code, report_text = None, ""
    result = run_cli("check", "--gate", "models", "--gate", "todo", "--format", "json", "src")
    code, report_text = result.code, result.out
    gates = {g["name"]: g for g in json.loads(report_text)["gates"]}
    assert code == 1
    assert ("MS101", "src/pkg/load.py") in rules_at(gates["models"])
    assert ("todo.blocking", "src/pkg/work.py") in rules_at(gates["todo"])


def test_a_named_directory_with_nothing_to_scan_is_an_error(tree: Repo, run_cli: Any) -> None:
    tree.write("docs/readme.md", "# docs\n")
    cases = [("models", "--code-only", "docs"), ("todo", "src/gen"), ("security", "--tool", "bandit", "docs")]
    for argv in cases:
        code, gate, _ = gate_json(run_cli, *argv)
        assert code == 2 and gate["verdict"] == "error", (argv, gate)
        assert "no Python file to scan in the named directory" in gate["error"]


def test_todo_on_a_named_directory_outside_the_critical_paths_is_no_error(repo: Repo, run_cli: Any) -> None:
    repo.write("policy.yaml", "version: 1\npaths:\n  critical: [src/core/]\n")
    repo.write("src/core/io.py", BLOCKING_TODO)
    repo.write("scripts/tool.py", BLOCKING_TODO)
    code, gate, _ = gate_json(run_cli, "todo", "scripts/")
    assert code == 0, gate  # as for named files: only critical paths are scanned
    assert "none of the named files is in paths.critical (todo.scope: critical)" in gate["notes"]
    code, gate, _ = gate_json(run_cli, "todo", "src/")
    assert code == 1 and rules_at(gate) == {("todo.blocking", "src/core/io.py")}


# ---- item 3: a named path that does not exist is exit 2 naming it ---------------------


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (("models", "--files-only", "typo.pkl"), "typo.pkl"),
        (("models", "--code-only", "src/typo.py"), "src/typo.py"),
        (("security", "--tool", "bandit", "typo.py"), "typo.py"),
        (("todo", "typo.py"), "typo.py"),
        (("models", "--code-only", "../elsewhere.py"), "../elsewhere.py"),
        # Gates that read no named file passed on a typo as if they had checked it.
        (("security", "--tool", "pip-audit", "typo.py"), "typo.py"),
        (("security", "--tool", "semgrep", "typo.py"), "typo.py"),
        (("coreml", "typo.py"), "typo.py"),
        (("readiness", "typo.py"), "typo.py"),
        (("coverage", "typo.py"), "typo.py"),
        (("mutation", "typo.py"), "typo.py"),
    ],
)
def test_a_named_path_that_does_not_exist_is_an_error(
    tree: Repo, run_cli: Any, argv: tuple[str, ...], name: str
) -> None:
    code, gate, _ = gate_json(run_cli, *argv)
    assert code == 2 and gate["verdict"] == "error", gate
    assert gate["error"].startswith(f"{name}: ")


def test_a_path_that_looks_like_an_option_gets_a_hint(tree: Repo, run_cli: Any) -> None:
    code, gate, _ = gate_json(run_cli, "models", "--", "--no-baseline")
    assert code == 2
    assert "every argument after '--' is a path" in gate["error"]


# ---- item 10: symlinks out of the repository are never read ---------------------------


@pytest.fixture
def linked(repo: Repo, tmp_path: Path) -> Repo:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(SECRET_CODE, encoding="utf-8")
    (outside / "evil.pkl").write_bytes(EVIL_PICKLE)
    (outside / "pkgdir").mkdir()
    (outside / "pkgdir" / "x.py").write_text(SECRET_CODE, encoding="utf-8")
    repo.write("policy.yaml", TODO_SOURCE_POLICY)
    repo.write("src/ok.py", "def f():\n    return 1\n")
    (repo.root / "src" / "link.py").symlink_to(outside / "secret.py")
    (repo.root / "src" / "rel.py").symlink_to(os.path.relpath(outside / "secret.py", repo.root / "src"))
    (repo.root / "src" / "dirlink").symlink_to(outside / "pkgdir")
    (repo.root / "weights.pkl").symlink_to(outside / "evil.pkl")
    repo.write("inside/real.py", UNSAFE_LOAD)
    (repo.root / "src" / "inner.py").symlink_to(Path("..") / "inside" / "real.py")  # stays inside
    repo.commit("links")
    return repo


@pytest.mark.parametrize(
    "argv",
    [
        ("models",),
        ("models", "--files-only"),
        ("todo",),
        ("security", "--tool", "bandit"),
        ("models", "src/link.py", "src/dirlink/x.py", "weights.pkl"),
        ("todo", "src/link.py", "src/rel.py", "src/ok.py"),
        ("security", "--tool", "bandit", "src/", "weights.pkl"),
    ],
)
def test_symlinks_out_of_the_repository_are_reported_not_read(
    linked: Repo, run_cli: Any, argv: tuple[str, ...]
) -> None:
    code, gate, output = gate_json(run_cli, *argv)
    assert "SECRET" not in output  # nothing from the target reaches any report
    assert not any(f["path"] in ("src/link.py", "src/rel.py", "weights.pkl") for f in gate["findings"])
    note = "a symlink to a path outside the repository; its target was not read"
    assert any(note in n for n in gate["notes"])
    assert code in (0, 1), gate


@pytest.mark.parametrize(
    "argv",
    [
        ("todo", "src/dirlink"),
        ("security", "--tool", "bandit", "src/dirlink"),
        ("models", "--code-only", "src/dirlink"),
        ("models", "--files-only", "src/dirlink"),
    ],
)
def test_a_named_link_to_a_directory_outside_is_noted_by_every_gate(
    linked: Repo, run_cli: Any, argv: tuple[str, ...]
) -> None:
    """Named alone, a link to an outside directory has no `.py` suffix: todo and security
    dropped its note and passed on zero files, saying nothing (models said it)."""
    code, gate, output = gate_json(run_cli, *argv)
    assert "SECRET" not in output
    assert any("src/dirlink: a symlink to a path outside the repository" in n for n in gate["notes"]), gate
    assert code == 0, gate


def _unresolvable() -> str | None:
    """A link target whose readlink fails (EACCES), so realpath raises; None where it does not."""
    try:
        os.readlink("/proc/1/cwd")
    except OSError:
        return "/proc/1/cwd"
    return None


@pytest.mark.skipif(_unresolvable() is None, reason="readlink of /proc/1/cwd is allowed here")
@pytest.mark.parametrize(
    "argv",
    [("models",), ("models", "--files-only"), ("todo",), ("security", "--tool", "bandit"), ("todo", "src/")],
)
def test_a_committed_link_that_cannot_be_resolved_is_noted_not_an_internal_error(
    repo: Repo, run_cli: Any, argv: tuple[str, ...]
) -> None:
    """A hostile repository committing `x.py -> /proc/1/cwd` made every gate "internal error ...
    please report it": realpath raised EACCES. Where the link leads is unknown, so it is not read."""
    repo.write("policy.yaml", TODO_SOURCE_POLICY)
    repo.write("src/ok.py", "def f():\n    return 1\n")
    (repo.root / "src" / "x.py").symlink_to(str(_unresolvable()))
    repo.commit("link")
    code, gate, _ = gate_json(run_cli, *argv)
    assert gate["error"] is None, gate["error"]
    assert any("src/x.py: a symlink to a path outside the repository" in n for n in gate["notes"]), gate
    assert code == 0


def test_a_symlink_inside_the_repository_is_read(linked: Repo, run_cli: Any) -> None:
    code, gate, _ = gate_json(run_cli, "models", "--code-only")
    assert ("MS101", "src/inner.py") in rules_at(gate) and ("MS101", "inside/real.py") in rules_at(gate)
    assert code == 1


# ---- item 12: FIFOs block nothing -----------------------------------------------------


def _gates(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [GATES, *argv], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"gates {' '.join(argv)} blocked on a FIFO for 60 s")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
@pytest.mark.parametrize(
    "argv",
    [
        ("models", "--files-only", "pipe.pkl"),
        ("models", "--code-only", "pipe.py"),
        ("todo", "pipe.py"),
        ("security", "--tool", "bandit", "pipe.py"),
    ],
)
def test_a_named_fifo_is_an_error_not_a_hang(repo: Repo, argv: tuple[str, ...]) -> None:
    repo.write("ok.py", "x = 1\n")
    os.mkfifo(repo.root / argv[-1])
    result = _gates(repo.root, *argv)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{argv[-1]}: not a regular file (a FIFO)" in result.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
@pytest.mark.parametrize("gate", ["models", "todo"])
def test_a_fifo_found_outside_git_is_skipped_not_a_hang(tmp_path: Path, gate: str) -> None:
    project = tmp_path / "project"  # no .git anywhere: the gates walk the directory
    project.mkdir()
    (project / "policy.yaml").write_text(TODO_SOURCE_POLICY, encoding="utf-8")
    (project / "load.py").write_text(UNSAFE_LOAD + "# TODO(blocking): x\n", encoding="utf-8")
    os.mkfifo(project / "pipe.py")
    os.mkfifo(project / "pipe.pkl")
    result = _gates(project, gate, "--format", "json")
    report = json.loads(result.stdout)
    (found,) = report["gates"]
    assert result.returncode == 1, result.stdout + result.stderr
    assert "load.py" in {f["path"] for f in found["findings"]}
    assert any("pipe.py: a FIFO, not a regular file; not read" in n for n in found["notes"])


# ---- item 14: parser limits are one file's problem ------------------------------------


def test_deep_nesting_in_a_scanned_file_names_it_and_the_rest_is_scanned(repo: Repo, run_cli: Any) -> None:
    repo.write("policy.yaml", TODO_SOURCE_POLICY)
    deep = "+".join(["1"] * 100_000)
    repo.write("deep.py", f"import torch\ny = torch.load('p', weights_only={deep})\n")
    repo.write("deep_todo.py", f"x = {deep}\n\n\ndef f():\n    raise NotImplementedError  # TODO later\n")
    repo.write("load.py", UNSAFE_LOAD + "# TODO(blocking): x\n")
    code, gate, output = gate_json(run_cli, "models", "--code-only")
    assert code == 1 and "internal error" not in output
    assert {("MS000", "deep.py"), ("MS101", "load.py")} <= rules_at(gate)
    (ms000,) = [f for f in gate["findings"] if f["rule_id"] == "MS000"]
    assert "nested too deeply" in ms000["message"]
    code, gate, output = gate_json(run_cli, "todo")
    assert code == 1 and "internal error" not in output
    assert {("todo.unparsable", "deep_todo.py"), ("todo.blocking", "load.py")} <= rules_at(gate)


def test_a_deeply_nested_policy_is_exit_2_naming_it(repo: Repo, run_cli: Any) -> None:
    repo.write("policy.yaml", "version: 1\npaths:\n  source: " + "[" * 1000 + "]" * 1000 + "\n")
    for argv in (("policy", "validate"), ("models",), ("check",)):
        result = run_cli(*argv)
        assert result.code == 2, argv
        assert "policy.yaml:3:" in result.err and "nests deeper than" in result.err
        assert result.err.count("\n") == 1
        assert "Traceback" not in result.err + result.out


def test_a_deeply_nested_baseline_is_exit_2_naming_it(repo: Repo, run_cli: Any) -> None:
    repo.write("load.py", "x = 1\n")
    repo.write(".gates/baseline.json", "[" * 100_000 + "]" * 100_000)
    result = run_cli("models")
    assert result.code == 2
    assert "baseline.json:1:1: unreadable baseline (nested too deeply)" in result.out + result.err
    assert "Traceback" not in result.out + result.err


# ---- item 4: staged files named like options are files --------------------------------


def _manifest_entries() -> dict[str, list[str]]:
    import shlex

    import yaml

    from tests.conftest import REPO_ROOT

    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return {h["id"]: shlex.split(h["entry"]) for h in hooks if h.get("pass_filenames", True)}


@pytest.mark.parametrize(
    ("hook_id", "files", "expected"),
    [
        (
            "gates-models",
            {"--help": "#!/usr/bin/env python\n" + UNSAFE_LOAD, "-x.py": UNSAFE_LOAD},
            ["--help:6  MS101", "-x.py:5  MS101"],
        ),
        ("gates-model-files", {"--help": EVIL_PICKLE, "-x.py": "x = 1\n"}, ["--help  MF101"]),
        (
            "gates-security",
            {"--help": "#!/usr/bin/env python3\n" + SHELL, "-x.py": SHELL},
            ["--help:6  B602", "-x.py:5  B602"],
        ),
    ],
)
def test_hook_entries_take_option_like_file_names_as_files(
    repo: Repo, hook_id: str, files: dict[str, str | bytes], expected: list[str]
) -> None:
    for name, content in files.items():
        if isinstance(content, bytes):
            repo.write_bytes(name, content)
        else:
            repo.write(name, content)
    # What pre-commit runs: the entry as published, then the staged file names.
    entry = _manifest_entries()[hook_id]
    proc = subprocess.run(
        [GATES, *entry[1:], *files], cwd=repo.root, capture_output=True, text=True, timeout=300, check=False
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    for text in expected:
        assert text in proc.stdout, proc.stdout


# ---- the coverage gate reads named paths the same way ---------------------------------


def test_coverage_reads_the_files_of_a_named_directory(repo: Repo, run_cli: Any) -> None:
    from test_coverage_support import gate_json as coverage_json
    from test_coverage_support import measure, write_policy

    base = "def add(a, b):\n    return a + b\n"
    repo.write("pkg/__init__.py", "")
    repo.write("pkg/m.py", base)
    repo.write("run_tests.py", "import pkg.m as m\nm.add(1, 2)\n")
    write_policy(repo, "line_min: 0\ndiff: {line_min: 80}")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("pkg/m.py", base + "\n\ndef mul(a, b):\n    c = a * b\n    return c\n")
    repo.commit("mul")
    measure(repo.root)
    code, gate = coverage_json(run_cli, "pkg/")
    assert code == 1, gate
    assert [f["path"] for f in gate["findings"] if f["rule_id"] == "uncovered-change"] == ["pkg/m.py"]
    code, gate = coverage_json(run_cli, "pkg/typo.py")
    assert code == 2 and gate["error"].startswith("pkg/typo.py: no such file or directory"), gate


def test_a_file_typed_as_an_option_gets_the_way_out(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    from gates.cli import main

    repo.write("-x.py", UNSAFE_LOAD)
    with pytest.raises(SystemExit) as usage:
        main(["security", "--tool", "bandit", "-x.py"])
    assert usage.value.code == 2
    hint = "-x.py is a file: put '--' before file names ('gates security -- -x.py')"
    assert hint in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["models", "--bogus"])  # a real unknown option stays a plain usage error
    assert usage.value.code == 2 and "unrecognized arguments: --bogus\n" in capsys.readouterr().err


def test_outside_git_a_named_directory_walks_only_itself(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typed outside any repository (`cd / && gates todo ~/proj/src`), a named directory made the
    walk start at the cwd: all of / including /proc, 11 s and then "internal error"."""
    import gates.files

    top = tmp_path / "top"
    (top / "proj" / "src").mkdir(parents=True)
    (top / "proj" / "src" / "a.py").write_text("x = 1  # TODO: later\n", encoding="utf-8")
    (top / "elsewhere").mkdir()
    (top / "elsewhere" / "b.py").write_text("y = 2\n", encoding="utf-8")
    started: list[Path] = []
    real_walk = os.walk

    def walk(start: Any, *args: Any, **kwargs: Any) -> Any:
        started.append(Path(start))
        return real_walk(start, *args, **kwargs)

    monkeypatch.setattr(gates.files.os, "walk", walk)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    monkeypatch.chdir(top)
    code, gate, _ = gate_json(run_cli, "todo", "proj/src")
    assert code == 0 and gate["metrics"]["files_scanned"] == 1, gate
    assert started and all(p.resolve() == (top / "proj" / "src").resolve() for p in started), started
