"""File selection: explicit files still honour the policy's excludes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gates.errors import GatesError
from gates.files import list_files, select_files, skipped_note, to_relative
from gates.fsutil import atomic_write_text
from gates.policy.paths import Paths, is_critical


def test_tree_selection_uses_source_and_exclude(repo) -> None:
    repo.write("src/a.py", "")
    repo.write("src/gen/b.py", "")
    repo.write("scripts/c.py", "")
    repo.write("src/notes.txt", "")
    paths = Paths(source=["src/"], exclude=["src/gen/"])
    assert list_files(repo.root, paths) == ["src/a.py"]
    assert list_files(repo.root, paths, suffixes=None) == ["src/a.py", "src/notes.txt"]


def test_explicit_files_skip_source_filter_but_not_excludes(repo) -> None:
    repo.write("scripts/c.py", "")
    repo.write("src/a.py", "")
    paths = Paths(source=["src/"], exclude=["vendor/"])
    chosen = list_files(
        repo.root, paths, explicit=["scripts/c.py", "vendor/x.py", str(repo.root / "src/a.py")]
    )
    assert chosen == ["scripts/c.py", "src/a.py"]


def test_critical_paths() -> None:
    paths = Paths(critical=["src/training/", "src/io.py"])
    assert is_critical("src/training/loop.py", paths)
    assert is_critical("src/io.py", paths)
    assert not is_critical("src/other.py", paths)


def test_to_relative_outside_root(tmp_path: Path) -> None:
    assert to_relative(tmp_path / "repo", "./a/b.py") == "a/b.py"
    assert to_relative(tmp_path / "repo", tmp_path / "elsewhere.py") == (tmp_path / "elsewhere.py").as_posix()


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "report.json"
    atomic_write_text(target, "one")
    atomic_write_text(target, "two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]


def test_a_named_directory_means_its_files_with_excludes(repo) -> None:
    repo.write("src/a.py", "")
    repo.write("src/gen/b.py", "")
    repo.write("src/c.txt", "")
    repo.write(".gitignore", "src/ignored.py\n")
    repo.write("src/ignored.py", "")
    paths = Paths(source=["other/"], exclude=["src/gen/"])
    selection = select_files(repo.root, paths, explicit=["src/"])
    assert selection.files == ["src/a.py"] and selection.named_dirs == ["src"]
    everything = list_files(repo.root, paths, explicit=["."], suffixes=None)
    assert everything == [".gitignore", "src/a.py", "src/c.txt"]


def test_named_paths_that_do_not_exist_or_leave_the_repository_are_errors(repo, tmp_path: Path) -> None:
    paths = Paths()
    for name, message in [
        ("typo.py", "typo.py: no such file or directory"),
        ("../x.py", "../x.py: outside the repository"),
        (str(tmp_path / "elsewhere.py"), "elsewhere.py: outside the repository"),
    ]:
        with pytest.raises(GatesError, match=re.escape(message)):
            list_files(repo.root, paths, explicit=[name])


def test_symlinks_out_of_the_repository_are_skipped_with_a_reason(repo, tmp_path: Path) -> None:
    (tmp_path / "secret.py").write_text("")
    repo.write("a.py", "")
    (repo.root / "link.py").symlink_to(tmp_path / "secret.py")
    (repo.root / "dangling.py").symlink_to(repo.root / "missing.py")
    selection = select_files(repo.root, Paths())
    assert selection.files == ["a.py"]
    reason = "link.py: a symlink to a path outside the repository; its target was not read"
    assert selection.skipped == [reason]
    assert skipped_note(selection) == f"not read (1): {selection.skipped[0]}"
    with pytest.raises(GatesError, match=re.escape("dangling.py: a symlink to a missing file")):
        list_files(repo.root, Paths(), explicit=["dangling.py"])


def test_a_named_script_is_python_by_its_shebang(repo) -> None:
    repo.write("bin/train", "#!/usr/bin/env python3\n")
    repo.write("bin/run.sh", "#!/bin/sh\n")
    repo.write("bin/notes", "plain text\n")
    chosen = list_files(repo.root, Paths(), explicit=["bin/train", "bin/run.sh", "bin/notes"])
    assert chosen == ["bin/train"]
    assert list_files(repo.root, Paths()) == []  # a full run selects by name, as before
