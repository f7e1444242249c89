"""The policy and the baseline one commit ran with, read with git (never checked out).

``gates/policy_changes.py`` compares the working tree with them, and trusted mode
(``--trusted-base``) runs the gates on them.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from gates import git
from gates.baseline import BaselineEntry, parse_baseline
from gates.errors import GatesError, PolicyError
from gates.policy.loader import POLICY_CANDIDATES, LoadedPolicy, parse_policy_text
from gates.policy.model import Policy, default_policy
from gates.records import record

_NO_EXPIRY = date.min  # the base's expired waivers are the base's problem, not this change's


@record
class PolicyAt:
    """The policy one commit ran with."""

    commit: str
    label: str  # "origin/main (merge-base 1a2b3c4)"
    loaded: LoadedPolicy  # the embedded defaults when the commit has no (valid) policy file
    path: str | None  # repository-relative policy file at that commit; None: none there
    problem: str | None = None  # why its policy file could not be used

    @property
    def policy(self) -> Policy:
        return self.loaded.policy


def policy_path_at(root: Path, commit: str, explicit: str | None) -> str | None:
    """The policy file ``commit`` has, found as at run time: ``--policy``, then the candidates."""
    if explicit is not None:
        candidate = repo_relative(root, Path(explicit))
        return candidate if git.file_at(root, commit, candidate) is not None else None
    for candidate in POLICY_CANDIDATES:
        if git.file_at(root, commit, candidate) is not None:
            return candidate
    return None


def load_policy_at(
    root: Path,
    commit: str,
    label: str,
    explicit: str | None,
    *,
    today: date = _NO_EXPIRY,
    display_prefix: str = "base:",
) -> PolicyAt:
    """The policy at ``commit``. A missing file means the defaults; an invalid one is kept as
    ``problem`` (with the defaults in its place) for the caller to explain or refuse."""
    path = policy_path_at(root, commit, explicit)
    if path is None:
        return PolicyAt(commit, label, LoadedPolicy(policy=default_policy(), path=None), None)
    text = git.file_at(root, commit, path) or ""
    try:
        loaded = parse_policy_text(text, Path(f"{display_prefix}{path}"), today=today)
    except PolicyError as exc:
        defaults = LoadedPolicy(policy=default_policy(), path=None)
        return PolicyAt(commit, label, defaults, path, problem="; ".join(exc.messages))
    return PolicyAt(commit, label, loaded, path)


def baseline_at(root: Path, at: PolicyAt) -> list[BaselineEntry]:
    relative = at.policy.baseline.path
    text = git.file_at(root, at.commit, relative)
    return [] if text is None else parse_baseline(text, f"base:{relative}")


@record
class TrustedBase:
    """What trusted mode runs with: the base's policy and baseline."""

    at: PolicyAt
    baseline: list[BaselineEntry]


def load_trusted(root: Path, ref: str, explicit: str | None) -> TrustedBase:
    """Policy and baseline of ``ref``; an invalid policy there is an error (exit 2), not a fallback."""
    try:
        commit = git.resolve_commit(root, ref)
    except GatesError as exc:
        raise GatesError(f"--trusted-base: {exc}") from None
    # The gates point into this policy (an unused waiver, say): name the real file, so the
    # path stays a repository path in SARIF; the lines are the base's.
    at = load_policy_at(
        root, commit, f"{ref} ({commit[:12]})", explicit, today=date.today(), display_prefix=""
    )
    if at.problem is not None:
        raise PolicyError(
            f"--trusted-base {ref}: the policy there is invalid, so there is nothing trusted to "
            f"run with: {at.problem}; fix it on {ref}, or run without --trusted-base"
        )
    return TrustedBase(at, baseline_at(root, at))


def repo_relative(root: Path, path: Path) -> str:
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return absolute.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return os.path.relpath(absolute, root)
