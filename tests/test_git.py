"""Git helpers: base resolution, merge-base errors, changed files and lines with renames."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gates.errors import GitError
from gates.git import BaseRef, changed_files, changed_lines, find_root, merge_base, repo_root, resolve_base


def test_base_resolution_order() -> None:
    env = {"GITHUB_BASE_REF": "develop", "PRE_COMMIT_FROM_REF": "abc123"}
    assert resolve_base("v1", "origin/main", env) == BaseRef("v1", "--base")
    assert resolve_base(None, "origin/main", env).ref == "origin/develop"
    assert resolve_base(None, "origin/main", {"PRE_COMMIT_FROM_REF": "abc123"}).ref == "abc123"
    # A new branch pushed for the first time has an all-zero from-ref.
    assert resolve_base(None, "origin/main", {"PRE_COMMIT_FROM_REF": "0" * 40}).ref == "origin/main"
    assert resolve_base(None, "origin/main", {}) == BaseRef("origin/main", "the policy's 'base'")


def test_find_root_agrees_with_git(repo, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    nested = repo.root / "pkg" / "sub"
    nested.mkdir(parents=True)
    assert find_root(nested) == repo_root(nested) == repo.root.resolve()
    linked = tmp_path / "link"
    linked.symlink_to(nested)
    assert find_root(linked) == repo_root(linked)
    outside = tmp_path / "plain"
    outside.mkdir()
    assert find_root(outside) == outside.resolve()
    # When git's location variables are set, git itself is asked.
    monkeypatch.setenv("GIT_DIR", str(repo.root / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(repo.root))
    assert find_root(outside) == repo.root.resolve()


def test_repo_root_outside_git_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="not inside a git repository"):
        repo_root(tmp_path)


def test_changed_lines_since_merge_base(repo) -> None:
    repo.write("a.py", "one = 1\ntwo = 2\nthree = 3\n")
    base = repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("a.py", "one = 1\ntwo = 22\nthree = 3\nfour = 4\n")
    repo.write("b.py", "new = True\n")
    repo.commit("feature")
    mb = merge_base(repo.root, BaseRef("main", "test"))
    assert mb == base
    assert changed_lines(repo.root, mb) == {"a.py": [2, 4], "b.py": [1]}
    statuses = {c.path: c.status for c in changed_files(repo.root, mb)}
    assert statuses == {"a.py": "M", "b.py": "A"}


def test_pure_rename_owes_no_lines_and_is_detected(repo) -> None:
    body = "".join(f"line_{i} = {i}\n" for i in range(30))
    repo.write("old/mod.py", body)
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    (repo.root / "new").mkdir()
    repo.git("mv", "old/mod.py", "new/mod.py")
    repo.commit("move")
    mb = merge_base(repo.root, BaseRef("main", "test"))
    assert changed_lines(repo.root, mb).get("new/mod.py", []) == []
    (change,) = changed_files(repo.root, mb)
    assert (change.status, change.old_path, change.path) == ("R", "old/mod.py", "new/mod.py")


def test_rename_with_edit_owes_only_the_edited_lines(repo) -> None:
    body = [f"line_{i} = {i}\n" for i in range(30)]
    repo.write("old.py", "".join(body))
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.git("mv", "old.py", "new.py")
    body[10] = "line_10 = 'changed'\n"
    repo.write("new.py", "".join(body))
    repo.commit("move and edit")
    mb = merge_base(repo.root, BaseRef("main", "test"))
    assert changed_lines(repo.root, mb) == {"new.py": [11]}


def test_staged_mode_sees_only_the_index(repo) -> None:
    repo.write("a.py", "a = 1\n")
    repo.commit("base")
    repo.write("a.py", "a = 1\nb = 2\n")
    repo.git("add", "a.py")
    repo.write("a.py", "a = 1\nb = 2\nc = 3\n")  # unstaged third line
    assert changed_lines(repo.root, None, staged=True) == {"a.py": [2]}


def test_missing_base_says_how_to_fix(repo) -> None:
    with pytest.raises(
        GitError, match=r"base 'origin/nope' .* is not in this clone; fetch it, or pass --base"
    ):
        merge_base(repo.root, BaseRef("origin/nope", "--base"))


def test_shallow_clone_says_fetch_depth_0(repo, tmp_path: Path) -> None:
    for i in range(3):
        repo.write("a.py", f"a = {i}\n")
        repo.commit(f"c{i}")
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True)
    with pytest.raises(GitError, match="fetch-depth: 0"):
        merge_base(clone, BaseRef("HEAD~2", "--base"))
