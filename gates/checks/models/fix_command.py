"""``gates models --fix`` / ``--unsafe-fixes`` / ``--diff``: apply (or show) the fixable findings.

ruff's model: a *safe* fix cannot change what a working program does, and ``--fix``
applies only those; an *unsafe* one (``weights_only=True`` on a checkpoint that may hold
more than tensors, ``Loader=yaml.SafeLoader``, a ``timeout=``) needs ``--unsafe-fixes``.
``--diff`` shows both, each under its own label, and writes nothing.
"""

from __future__ import annotations

import argparse
import difflib
import os
import stat
import sys
from pathlib import Path

from gates.checks.models.analyzer import analyze_file
from gates.checks.models.calls import AnalysisSettings
from gates.checks.models.triggers import python_newlines

SAFE, UNSAFE = "safe", "unsafe"


def fix_source(
    root: Path,
    relative: str,
    source: str,
    settings: AnalysisSettings,
    timeout: float,
    *,
    unsafe: bool = True,
) -> str:
    """``source`` with its unsuppressed fixable findings fixed (only the safe ones unless
    ``unsafe``); unchanged if none."""
    from gates.checks.models.fixer import Edit, apply_edits, char_column

    analysis = analyze_file(root, relative, source.encode("utf-8"), settings)
    # Python's lines, as ast numbers them (str.splitlines also splits at form feeds and more).
    lines = python_newlines(source.encode("utf-8")).decode("utf-8").split("\n")
    timeout_text = str(int(timeout)) if float(timeout).is_integer() else str(timeout)
    edits = [
        Edit(f.line, char_column(lines, f.line, f.column - 1), f.fix[0], f.fix[1] or timeout_text)
        for f in analysis.findings
        if f.fix is not None and f.suppressed is None and (f.fix_safe or unsafe)
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
    # relative -> (original, with safe fixes, with every fix)
    changed: list[tuple[str, str, str, str]] = []
    for relative in files:
        try:
            source = read_regular_bytes(root / relative).decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise GatesError(f"{relative}: cannot read as UTF-8 ({exc}); fix or exclude it") from exc
        try:
            safe = fix_source(root, relative, source, settings, section.http_timeout, unsafe=False)
            every = fix_source(root, relative, source, settings, section.http_timeout, unsafe=True)
        except Exception as exc:  # libcst rejects some syntax ast accepts: skip that file, say so
            print(f"gates: {relative}: not fixed ({type(exc).__name__}: {exc})", file=sys.stderr)
            continue
        if every != source:
            changed.append((relative, source, safe, every))
    if args.diff:
        return _show(changed)
    unsafe_too = bool(getattr(args, "unsafe_fixes", False))
    written = 0
    for relative, source, safe, every in changed:
        fixed = every if unsafe_too else safe
        if fixed != source:
            target = root / relative
            mode = stat.S_IMODE(target.stat().st_mode)
            atomic_write_text(target, fixed)
            os.chmod(target, mode)  # the temporary file's mode would drop an executable bit
            written += 1
    print(f"gates models: fixed {written} file(s)", file=sys.stderr)
    left = sum(1 for _, _, safe, every in changed if safe != every)
    if left and not unsafe_too:
        print(
            f"gates models: {left} file(s) have unsafe fixes left (they may change what the program "
            "does): review them with --diff, apply them with --fix --unsafe-fixes",
            file=sys.stderr,
        )
    return 0


def _show(changed: list[tuple[str, str, str, str]]) -> int:
    """Unified diffs, the safe fixes first, then the unsafe ones on top of them, each labelled."""
    for label, pairs in (
        (SAFE, [(r, before, safe) for r, before, safe, _ in changed]),
        (UNSAFE, [(r, safe, every) for r, _, safe, every in changed]),
    ):
        pairs = [p for p in pairs if p[1] != p[2]]
        if not pairs:
            continue
        how = "--fix" if label == SAFE else "--fix --unsafe-fixes"
        print(f"# {label} fixes ({how}): {len(pairs)} file(s)")
        for relative, before, after in pairs:
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
