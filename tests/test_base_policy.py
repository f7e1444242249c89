"""gates/base_policy.py: the policy and baseline a commit ran with, read through git."""

from __future__ import annotations

from pathlib import Path

import pytest

from gates import git
from gates.base_policy import baseline_at, load_policy_at, load_trusted, policy_path_at, repo_relative
from gates.errors import GatesError, PolicyError
from tests.conftest import Repo


def test_policy_is_found_at_a_commit_as_at_run_time(repo: Repo) -> None:
    repo.write(".gates/policy.yaml", "version: 1\ncoverage: {line_min: 91}\n")
    first = repo.commit("hidden policy")
    repo.write("policy.yaml", "version: 1\ncoverage: {line_min: 92}\n")
    second = repo.commit("top-level policy wins")
    assert policy_path_at(repo.root, first, None) == ".gates/policy.yaml"
    assert policy_path_at(repo.root, second, None) == "policy.yaml"
    assert policy_path_at(repo.root, second, ".gates/policy.yaml") == ".gates/policy.yaml"
    at = load_policy_at(repo.root, second, "second", None)
    assert at.policy.coverage.line_min == 92 and at.problem is None
    assert at.loaded.display_path == "base:policy.yaml"


def test_no_policy_means_the_defaults_and_an_invalid_one_is_kept_as_a_problem(repo: Repo) -> None:
    empty = git.resolve_commit(repo.root, "HEAD")
    at = load_policy_at(repo.root, empty, "initial", None)
    assert at.path is None and at.problem is None and at.policy.coverage.line_min == 80
    repo.write("policy.yaml", "version: 1\ncoverage: {line_mni: 1}\n")
    broken = repo.commit("typo")
    at = load_policy_at(repo.root, broken, "typo", None)
    assert at.path == "policy.yaml" and at.policy.coverage.line_min == 80
    assert at.problem is not None and "base:policy.yaml:2:12: unknown key 'line_mni'" in at.problem
    with pytest.raises(PolicyError, match="--trusted-base HEAD: the policy there is invalid"):
        load_trusted(repo.root, "HEAD", None)


def test_expired_waivers_only_count_in_trusted_mode(repo: Repo) -> None:
    repo.write(
        "policy.yaml",
        "version: 1\nsecurity:\n  waivers:\n    - {rule: B1, reason: r, expires: 2020-01-01}\n",
    )
    commit = repo.commit("old waiver")
    assert load_policy_at(repo.root, commit, "c", None).problem is None
    with pytest.raises(PolicyError, match="waiver expired on 2020-01-01"):
        load_trusted(repo.root, commit, None)


def test_baseline_at_a_commit(repo: Repo) -> None:
    repo.write(
        ".gates/baseline.json",
        '{"version": 1, "findings": [{"gate": "models", "rule_id": "MS101", "path": "a.py",'
        ' "fingerprint": "f1", "message": "m"}]}',
    )
    commit = repo.commit("baseline")
    at = load_policy_at(repo.root, commit, "c", None)
    assert [e.fingerprint for e in baseline_at(repo.root, at)] == ["f1"]
    repo.write(".gates/baseline.json", "{broken")
    broken = load_policy_at(repo.root, repo.commit("broken"), "c", None)
    with pytest.raises(GatesError, match=r"base:\.gates/baseline\.json:1:1: unreadable baseline"):
        baseline_at(repo.root, broken)


def test_git_file_at_and_resolve_commit(repo: Repo) -> None:
    repo.write("dir/a.txt", "hello\n")
    commit = repo.commit("a")
    assert git.file_at(repo.root, commit, "dir/a.txt") == "hello\n"
    assert git.file_at(repo.root, commit, "dir") is None  # a tree, not a file
    assert git.file_at(repo.root, commit, "missing.txt") is None
    with pytest.raises(GatesError, match="'nope' is not a commit in this clone"):
        git.resolve_commit(repo.root, "nope")


def test_repo_relative(repo: Repo) -> None:
    assert repo_relative(repo.root, repo.root / "policy.yaml") == "policy.yaml"
    assert repo_relative(repo.root, Path("policy.yaml")) == "policy.yaml"  # cwd is the root
