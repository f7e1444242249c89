"""``gates mutation doctor``: print the setup checks; exit 2 when one would stop a run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from gates.errors import GatesError

from .doctor import ERROR, diagnose


def run_doctor(args: argparse.Namespace, files: list[str], out: TextIO) -> int:
    from gates.cli_paths import paths_from_cwd
    from gates.git import find_root
    from gates.policy.loader import load_policy

    root = find_root(Path.cwd())
    loaded = load_policy(args.policy, root)
    section = loaded.policy.mutation
    from .scope import resolve_scope

    try:
        scope = resolve_scope(root, loaded.policy.paths, section, paths_from_cwd(files, root))
        source_paths, test_files = scope.source_paths, scope.test_files
    except GatesError as exc:
        out.write(f"error: {exc}\n")
        return 2
    report = diagnose(
        root,
        source_paths=source_paths,
        also_copy=list(section.also_copy),
        test_files=test_files,
        pytest_args=list(section.pytest_args),
        fixing=False,
    )
    out.write(f"mutation doctor: {root}\n")
    tests = " ".join(scope.test_selection)
    out.write(f"  would mutate {len(scope.files)} file(s) from {scope.origin}; tests: {tests}\n")
    if not report.diagnoses:
        out.write("  no problem found\n")
    for diagnosis in report.diagnoses:
        out.write(f"  {diagnosis.level}: [{diagnosis.check}] {diagnosis.message}\n")
    return 2 if any(d.level == ERROR for d in report.diagnoses) else 0
