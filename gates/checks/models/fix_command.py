"""``gates models --fix`` / ``--diff``: apply (or show) the fixable code findings."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from gates.checks.models.analyzer import analyze_file
from gates.checks.models.calls import AnalysisSettings


def fix_source(root: Path, relative: str, source: str, settings: AnalysisSettings, timeout: float) -> str:
    """``source`` with every unsuppressed fixable finding fixed; unchanged if none."""
    from gates.checks.models.fixer import Edit, apply_edits, char_column

    analysis = analyze_file(root, relative, source.encode("utf-8"), settings)
    lines = source.splitlines()
    timeout_text = str(int(timeout)) if float(timeout).is_integer() else str(timeout)
    edits = [
        Edit(f.line, char_column(lines, f.line, f.column - 1), f.fix[0], f.fix[1] or timeout_text)
        for f in analysis.findings
        if f.fix is not None and f.suppressed is None
    ]
    return apply_edits(source, edits) if edits else source


def run_fix(args: argparse.Namespace) -> int:
    from gates.checks.models.code_scan import analysis_settings
    from gates.cli_paths import paths_from_cwd
    from gates.errors import GatesError
    from gates.files import list_files
    from gates.fsutil import atomic_write_text
    from gates.git import find_root
    from gates.policy.loader import load_policy
    from gates.regular_files import read_regular_bytes

    root = find_root(Path.cwd())
    loaded = load_policy(args.policy, root)
    section = loaded.policy.model_safety
    settings = analysis_settings(section, loaded)
    explicit = paths_from_cwd(getattr(args, "paths", None), root)
    files = list_files(root, loaded.policy.paths, explicit=explicit, suffixes=(".py", ".pyi"))
    changed: list[tuple[str, str, str]] = []
    for relative in files:
        try:
            source = read_regular_bytes(root / relative).decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise GatesError(f"{relative}: cannot read as UTF-8 ({exc}); fix or exclude it") from exc
        try:
            fixed = fix_source(root, relative, source, settings, section.http_timeout)
        except Exception as exc:  # libcst rejects some syntax ast accepts: skip that file, say so
            print(f"gates: {relative}: not fixed ({type(exc).__name__}: {exc})", file=sys.stderr)
            continue
        if fixed != source:
            changed.append((relative, source, fixed))
    if args.diff:
        for relative, before, after in changed:
            sys.stdout.writelines(
                difflib.unified_diff(
                    before.splitlines(keepends=True),
                    after.splitlines(keepends=True),
                    fromfile=f"a/{relative}",
                    tofile=f"b/{relative}",
                )
            )
        print(f"{len(changed)} file(s) would be fixed", file=sys.stderr)
        return 1 if changed else 0
    for relative, _, fixed in changed:
        atomic_write_text(root / relative, fixed)
    print(f"gates models: fixed {len(changed)} file(s)", file=sys.stderr)
    return 0
