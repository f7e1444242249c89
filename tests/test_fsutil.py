"""Writes: a failure is exit 2 naming the path and reason, never a traceback or a half-written
file; a file keeps its mode; a writer killed mid-write leaves nothing after the next run
(issue 13, item 15 and the acceptance point on permissions and temp files)."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gates.fsutil import WriteError, atomic_write_text
from tests.conftest import run_gates_subprocess


def _todo_repo(repo) -> None:  # type: ignore[no-untyped-def]
    repo.write("a.py", "# TODO later\nx = 1\n")


def test_output_to_a_directory_is_exit_2(repo) -> None:  # type: ignore[no-untyped-def]
    _todo_repo(repo)
    (repo.root / "out").mkdir()
    result = run_gates_subprocess("todo", "--format", "json", "--output", "out", cwd=repo.root)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == "gates: error: cannot write out: it is a directory; name a file"


def test_output_under_a_file_is_exit_2_with_the_os_reason(repo) -> None:  # type: ignore[no-untyped-def]
    _todo_repo(repo)
    repo.write("plain", "x")
    result = run_gates_subprocess("todo", "--format", "json", "--output", "plain/report.json", cwd=repo.root)
    assert result.returncode == 2
    assert result.stderr.startswith("gates: error: cannot write plain/report.json: ")
    assert "plain is a file, not a directory" in result.stderr, result.stderr


def _limited_run(root: Path, limit: int, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run gates with a file-size limit: writes past it fail with EFBIG, as on a full disk."""

    def limit_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "gates", *argv],
        cwd=root,
        capture_output=True,
        text=True,
        preexec_fn=limit_size,
        env={**os.environ, "GATES_NO_CACHE": "1"},
        check=False,
    )


def test_full_disk_keeps_the_old_report_whole(repo) -> None:  # type: ignore[no-untyped-def]
    _todo_repo(repo)
    report = repo.root / "report.json"
    report.write_text('{"old": true}\n')
    result = _limited_run(repo.root, 64, "todo", "--format", "json", "--output", "report.json")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("gates: error: cannot write report.json: File too large")
    assert report.read_text() == '{"old": true}\n'
    assert sorted(p.name for p in repo.root.iterdir() if p.name.startswith(".report")) == []


def test_full_disk_for_the_baseline_is_exit_2(repo) -> None:  # type: ignore[no-untyped-def]
    _todo_repo(repo)
    result = _limited_run(repo.root, 64, "baseline", "update", "--gate", "todo")
    assert result.returncode == 2, result.stderr
    assert "cannot write" in result.stderr and ".gates/baseline.json" in result.stderr
    assert not (repo.root / ".gates" / "baseline.json").exists()
    assert [p.name for p in (repo.root / ".gates").iterdir()] == []


@pytest.mark.parametrize("variable", ["GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"])
def test_unwritable_github_files_are_exit_2(repo, variable: str) -> None:  # type: ignore[no-untyped-def]
    _todo_repo(repo)
    repo.write("plain", "x")
    target = str(repo.root / "plain" / "summary.md")
    result = run_gates_subprocess("todo", "--format", "github", cwd=repo.root, env={variable: target})
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"gates: error: cannot write ${variable} ({target}): Not a directory"


def test_report_keeps_the_mode_of_the_file_it_replaces(repo) -> None:  # type: ignore[no-untyped-def]
    _todo_repo(repo)
    report = repo.root / "report.json"
    report.write_text("{}")
    report.chmod(0o644)
    result = run_gates_subprocess("todo", "--format", "json", "--output", "report.json", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    assert report.stat().st_mode & 0o777 == 0o644
    assert json.loads(report.read_text())["verdict"] == "pass"
    fresh = repo.root / "new.json"
    run_gates_subprocess("todo", "--format", "json", "--output", "new.json", cwd=repo.root)
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask  # as any new file, not 0600


_KILLED_WRITER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from gates import fsutil
    flag = Path(sys.argv[2])
    def stall(fd):
        flag.write_text("writing")
        time.sleep(600)
    os.fsync = stall
    fsutil.atomic_write_text(Path(sys.argv[1]), "x" * 100000)
    """
)


def test_a_writer_killed_mid_write_leaves_no_temp_after_the_next_run(repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _todo_repo(repo)
    report = repo.root / "report.json"
    report.write_text("{}")
    flag = tmp_path / "flag"
    writer = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(report), str(flag)])
    deadline = time.monotonic() + 120
    while not flag.exists():
        assert writer.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    writer.kill()  # SIGKILL while the temp file is open: no cleanup code of its runs
    writer.wait()
    stray = [p.name for p in repo.root.iterdir() if p.name.startswith(".report.json")]
    assert len(stray) == 1
    result = run_gates_subprocess("todo", "--format", "json", "--output", "report.json", cwd=repo.root)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in repo.root.iterdir() if p.name.startswith(".report.json")] == []
    assert json.loads(report.read_text())["verdict"] == "pass"


def test_a_live_writers_temp_file_is_left_alone(tmp_path: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        live = tmp_path / f".out.json.gates-tmp-{sleeper.pid}-abcd1234"
        live.write_text("in progress")
        atomic_write_text(tmp_path / "out.json", "done")
        assert live.exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    atomic_write_text(tmp_path / "out.json", "again")
    assert not live.exists()


def test_atomic_write_error_names_path_and_reason(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(WriteError, match=r"cannot write .*file/deeper/out.txt: "):
        atomic_write_text(tmp_path / "file" / "deeper" / "out.txt", "text")


def test_report_to_a_full_stdout_is_exit_2(repo) -> None:  # type: ignore[no-untyped-def]
    _todo_repo(repo)
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "gates", "todo"],
            cwd=repo.root,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == "gates: error: cannot write the report to standard output: No space left on device"
    )
