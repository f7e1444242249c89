"""Opening scanned files: regular files only, and a FIFO never blocks the open."""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gates.regular_files import NotRegularFile, inside, open_regular, read_regular_bytes, read_repository_text
from tests.helpers import place_hostile


@pytest.fixture
def no_hang() -> Iterator[None]:
    """A blocked open fails the test after 10 s instead of hanging the suite."""

    def fail(signum: int, frame: object) -> None:
        raise TimeoutError("blocked")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_reads_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"x = 1\n")
    assert read_regular_bytes(tmp_path / "a.py") == b"x = 1\n"
    with open_regular(tmp_path / "a.py") as handle:
        handle.seek(4)
        assert handle.read() == b"1\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_without_a_writer_is_refused_at_once(tmp_path: Path, no_hang: None) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    with pytest.raises(NotRegularFile) as caught:
        read_regular_bytes(tmp_path / "pipe.py")
    assert caught.value.strerror == "not a regular file (a FIFO)"
    assert isinstance(caught.value, OSError)


def test_a_socket_and_a_directory_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(OSError):  # ENXIO from open, or NotRegularFile
            open_regular(path)
    finally:
        server.close()
    with pytest.raises(OSError):
        open_regular(tmp_path)


def test_inside_resolves_symlinks(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "d").mkdir(parents=True)
    (tmp_path / "out.py").write_text("")
    (root / "in.py").write_text("")
    (root / "out-link.py").symlink_to(tmp_path / "out.py")
    (root / "in-link.py").symlink_to("in.py")
    (root / "d" / "up").symlink_to("..")
    assert inside(root, root / "in-link.py") and inside(root, root / "d" / "up" / "in.py")
    assert not inside(root, root / "out-link.py")
    assert not inside(root, root / ".." / "out.py")
    assert not inside(tmp_path / "re", tmp_path / "repo")  # a sibling sharing a prefix


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_paths_from_git_are_read_only_inside_the_repository(tmp_path: Path, no_hang: None) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "secret.py").write_text("SECRET\n")
    os.mkfifo(tmp_path / "pipe")
    (root / "a.py").write_text("x = 1\n")
    (root / "out.py").symlink_to(tmp_path / "secret.py")
    (root / "pipe.py").symlink_to(tmp_path / "pipe")
    assert read_repository_text(root, "a.py") == "x = 1\n"
    with pytest.raises(OSError, match="outside the repository"):
        read_repository_text(root, "out.py")
    with pytest.raises(OSError):
        read_repository_text(root, "pipe.py")


@pytest.mark.parametrize("kind", ["directory", "fifo", "dangling"])
@pytest.mark.parametrize(
    ("gate", "relative", "said"),
    [
        ("coverage", "coverage.json", "coverage report coverage.json is "),
        ("readiness", ".gates/junit.xml", ".gates/junit.xml: the JUnit report is "),
    ],
)
def test_an_input_report_that_is_not_a_file_is_named_as_such(
    repo: Any, run_cli: Any, no_hang: None, kind: str, gate: str, relative: str, said: str
) -> None:
    """A FIFO, directory or dangling link where a report belongs was "not found; produce it",
    sending the user to regenerate a file that is there in some form."""
    import json

    target = repo.root / relative
    place_hostile(target, kind)
    result = run_cli(gate, "--format", "json")
    (doc,) = json.loads(result.out)["gates"]
    assert result.code == 2
    assert doc["error"].startswith(said) and "not found" not in doc["error"], doc["error"]
