"""File selection: explicit files still honour the policy's excludes."""

from __future__ import annotations

from pathlib import Path

from gates.files import list_files, to_relative
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
