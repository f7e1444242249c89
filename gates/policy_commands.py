"""``gates policy validate|show|schema|init``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from gates.errors import GatesError, PolicyError
from gates.fsutil import atomic_write_text
from gates.git import find_root
from gates.policy.loader import find_policy, load_policy, parse_policy_file
from gates.policy.plain import to_plain
from gates.policy.schema import policy_schema_text


def starter_policy_text() -> str:
    """The starter ``gates policy init`` writes here: the template fitted to the cwd's layout."""
    from gates.policy import starter

    return starter.render(starter.detect(Path.cwd()))


def run(args: argparse.Namespace) -> int:
    action = args.policy_command
    if action == "validate":
        files = [*args.files, *([args.policy] if getattr(args, "policy", None) else [])]
        return max((_validate(f) for f in files or [None]), default=0)
    if action == "show":
        loaded = load_policy(args.policy, find_root(Path.cwd()))
        data = to_plain(loaded.policy, yaml_keys=True)
        print(f"# effective policy from {loaded.display_path}")
        print(yaml.safe_dump(data, sort_keys=False), end="")
        return 0
    if action == "diff":
        return _diff(args)
    if action == "schema":
        print(policy_schema_text(), end="")
        return 0
    if action == "init":
        target = Path(args.path)
        if target.is_dir():
            # --force could not help: nothing replaces a directory with a file.
            raise GatesError(f"{target} exists and is not a policy file; remove it or name another path")
        if target.exists() and not args.force:
            raise GatesError(f"{target} already exists; pass --force to overwrite it")
        from gates.policy import starter

        layout = starter.detect(Path.cwd())
        atomic_write_text(target, starter.render(layout))
        print(f"wrote {target} for this repository:")
        for line in starter.summary(layout):
            print(f"  {line}")
        print("check it with 'gates policy validate', then run 'gates check'")
        return 0
    raise GatesError(f"unknown policy action {action!r}")


def _validate(file: str | None) -> int:
    path = find_policy(file, find_root(Path.cwd()))
    if path is None:
        print("no policy file found (policy.yaml, .gates/policy.yaml); the defaults apply")
        return 0
    try:
        parse_policy_file(path)
    except PolicyError as exc:
        for message in exc.messages:
            print(message, file=sys.stderr)
        return 2
    print(f"{path}: valid")
    return 0


def _diff(args: argparse.Namespace) -> int:
    """The policy result alone: what the working tree weakens and strengthens against the base."""
    import os

    from gates import __version__, policy_changes
    from gates.cli import emit
    from gates.findings import Report
    from gates.git import resolve_base

    root = find_root(Path.cwd())
    head = load_policy(args.policy, root)
    base = resolve_base(args.base, head.policy.base, os.environ)
    guard = policy_changes.prepare(root, head, base, explicit_policy=args.policy)
    report = Report(gates=[], tool_version=__version__, policy_path=head.display_path, base=base.ref)
    policy_changes.attach(report, guard)
    emit(report, args)
    return report.exit_code
