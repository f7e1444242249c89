"""Selecting the files a gate scans, the same way for hooks (explicit files) and CI (whole tree)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

from gates.policy.paths import Paths, is_excluded, is_source

SKIPPED_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".mypy_cache", ".tox"}


def to_relative(root: Path, path: str | os.PathLike[str]) -> str:
    """A path as the repository sees it: relative to the root, with forward slashes."""
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.resolve().relative_to(root.resolve())
        except ValueError:
            return candidate.as_posix()
    return candidate.as_posix().removeprefix("./")


def repository_files(root: Path) -> list[str]:
    """Tracked plus untracked-but-not-ignored files; a plain walk outside git."""
    proc = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if proc.returncode == 0:
        names = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
        return [n for n in names if n and (root / n).is_file()]
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIPPED_DIRS]
        rel = Path(dirpath).relative_to(root)
        found.extend((rel / name).as_posix() for name in filenames)
    return found


def list_files(
    root: Path,
    paths: Paths,
    *,
    explicit: Iterable[str] | None = None,
    suffixes: tuple[str, ...] | None = (".py",),
) -> list[str]:
    """Repository-relative files to scan, sorted.

    Explicit files (pre-commit passes them) skip the ``source`` filter but never the
    ``exclude`` list, so the policy's excludes hold in hooks as they do in CI.
    """
    if explicit is not None:
        chosen = (to_relative(root, name) for name in explicit)
        selected = {p for p in chosen if not is_excluded(p, paths)}
    else:
        selected = {p for p in repository_files(root) if is_source(p, paths)}
    if suffixes is not None:
        selected = {p for p in selected if p.endswith(suffixes)}
    return sorted(selected)
