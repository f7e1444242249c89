"""``gates baseline update``: concurrent runs keep each other's entries, unknown gate names are
usage errors, and a baseline path that cannot be written is exit 2 (issue 13, items 9, 15, 16)."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_gates_subprocess

BASELINE = Path(".gates/baseline.json")


def _populate(repo, files: int = 40) -> None:  # type: ignore[no-untyped-def]
    for i in range(files):
        repo.write(f"m{i}.py", "import pickle\npickle.loads(d)\n")
        repo.write(f"t{i}.py", f"# TODO item {i}\nx = {i}\n")
    repo.commit("findings for two gates")


def _gates_in(root: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in json.loads((root / BASELINE).read_text())["findings"]:
        counts[entry["gate"]] = counts.get(entry["gate"], 0) + 1
    return counts


def _start(root: Path, *argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "gates", *argv],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_update_waits_for_a_held_lock(repo) -> None:  # type: ignore[no-untyped-def]
    _populate(repo)
    (repo.root / ".gates").mkdir()
    fd = os.open(repo.root / ".gates", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        proc = _start(repo.root, "baseline", "update", "--gate", "todo")
        assert proc.stderr is not None
        line = proc.stderr.readline()  # blocks until the run reaches the lock (or exits)
        assert "waiting for another 'gates baseline update' to finish" in line, line
        assert not (repo.root / BASELINE).exists()  # nothing written while another run holds it
    finally:
        os.close(fd)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err
    assert _gates_in(repo.root) == {"todo": 40}


def test_lock_holder_entries_survive(repo) -> None:  # type: ignore[no-untyped-def]
    _populate(repo, files=5)
    first = run_gates_subprocess("baseline", "update", "--gate", "models", cwd=repo.root)
    assert first.returncode == 0, first.stderr
    baseline = repo.root / BASELINE
    fd = os.open(repo.root / ".gates", os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        proc = _start(repo.root, "baseline", "update", "--gate", "todo")
        assert proc.stderr is not None
        assert "waiting for another" in proc.stderr.readline()
        # Under the lock, another writer replaces the file: one more models entry.
        body = json.loads(baseline.read_text())
        extra = dict(body["findings"][0], fingerprint="0" * 32, path="later.py")
        body["findings"].append(extra)
        baseline.write_text(json.dumps(body))
    finally:
        os.close(fd)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, out + err
    assert _gates_in(repo.root) == {"models": 6, "todo": 5}


def test_two_real_concurrent_updates_keep_both_gates(repo) -> None:  # type: ignore[no-untyped-def]
    _populate(repo)
    for _ in range(3):
        (repo.root / BASELINE).unlink(missing_ok=True)
        runs = [_start(repo.root, "baseline", "update", "--gate", g) for g in ("models", "todo")]
        for run in runs:
            out, err = run.communicate(timeout=300)
            assert run.returncode == 0, out + err
        assert _gates_in(repo.root) == {"models": 40, "todo": 40}


def test_unknown_gate_is_a_usage_error(repo) -> None:  # type: ignore[no-untyped-def]
    for argv in (["baseline", "update", "--gate", "typo"], ["check", "--gate", "typo"]):
        result = run_gates_subprocess(*argv, cwd=repo.root)
        assert result.returncode == 2, argv
        assert "no gate named 'typo'; choose from" in result.stderr
    assert not (repo.root / BASELINE).exists()
    mixed = run_gates_subprocess("baseline", "update", "--gate", "todo", "--gate", "typo", cwd=repo.root)
    assert mixed.returncode == 2
    assert not (repo.root / BASELINE).exists()


def test_baseline_path_that_is_a_directory_is_exit_2(repo) -> None:  # type: ignore[no-untyped-def]
    repo.write("t.py", "# TODO one\n")
    (repo.root / BASELINE).mkdir(parents=True)
    for argv in (["baseline", "update", "--gate", "todo"], ["todo"]):
        result = run_gates_subprocess(*argv, cwd=repo.root)
        assert result.returncode == 2, (argv, result.stdout, result.stderr)
        assert ".gates/baseline.json" in result.stderr
        assert "Traceback" not in result.stderr


def test_baseline_keeps_the_mode_of_the_file_it_replaces(repo) -> None:  # type: ignore[no-untyped-def]
    repo.write("t.py", "# TODO one\n")
    assert run_gates_subprocess("baseline", "update", "--gate", "todo", cwd=repo.root).returncode == 0
    baseline = repo.root / BASELINE
    assert baseline.stat().st_mode & 0o777 == 0o666 & ~_umask()
    baseline.chmod(0o640)
    repo.write("t2.py", "# TODO two\n")
    assert run_gates_subprocess("baseline", "update", "--gate", "todo", cwd=repo.root).returncode == 0
    assert baseline.stat().st_mode & 0o777 == 0o640
    assert _gates_in(repo.root) == {"todo": 2}


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
