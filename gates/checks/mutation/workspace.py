"""The copy of the project mutmut runs in, so the user's tree (and pyproject.toml) stays untouched.

mutmut reads its settings from ``pyproject.toml`` in the working directory and writes
``mutants/`` there. Running it in a throwaway copy means no restore step can be skipped by a
crash, a timeout or a kill: the user's files are only ever read.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from gates.errors import ToolError
from gates.files import list_files
from gates.policy.paths import Paths

# Never copied: mutmut's own output, our caches, VCS and environments.
NOT_COPIED = [".git/", "mutants/", ".gates/", ".venv/", "venv/", "**/__pycache__/", ".tox/", ".nox/"]
_SKIPPED_DIRS = {".git", "mutants", ".gates", ".venv", "venv", "__pycache__", ".tox", ".nox"}
# What mutmut copies into mutants/ besides the source paths (its also_copy defaults).
MUTMUT_ALSO_COPIES = (
    "tests",
    "test",
    "setup.cfg",
    "pyproject.toml",
    "uv.lock",
    "poetry.lock",
    "Pipfile.lock",
    "pdm.lock",
)


def project_files(root: Path) -> list[str]:
    """Tracked and untracked-but-not-ignored files (a plain walk outside git)."""
    return list_files(root, Paths(source=["."], exclude=list(NOT_COPIED)), suffixes=None)


def make_work_copy(root: Path) -> Path:
    """A fresh temporary copy of the project's files; the caller removes it."""
    work = Path(tempfile.mkdtemp(prefix="gates-mutation-"))
    try:
        for relative in project_files(root):
            source = root / relative
            target = work / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            # copy2 keeps mtimes: mutmut compares them to decide what to regenerate.
            shutil.copy2(source, target, follow_symlinks=True)
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise ToolError(f"could not copy the project to a work directory for mutmut: {exc}") from None
    return work


def ignored_files(root: Path, entries: Iterable[str]) -> list[str]:
    """Files under ``entries`` (source paths, mutmut's copies, also_copy) that the git listing
    leaves out, i.e. git-ignored ones such as a generated ``_version.py``.

    Plain mutmut walks these paths on disk and copies everything in them into mutants/, ignored
    or not; the work copy must hold the same files or the gate fails where mutmut works.
    """
    listed = set(project_files(root))
    found: list[str] = []
    for entry in dict.fromkeys(e.strip("/") for e in entries if e.strip("/")):
        start = root / entry
        if start.is_file():
            candidates = [start]
        elif start.is_dir() and not start.is_symlink():
            candidates = []
            for folder, dirs, files in os.walk(start):
                dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
                candidates += [Path(folder, f) for f in sorted(files)]
        else:
            continue
        for path in candidates:
            try:
                relative = path.relative_to(root).as_posix()
            except ValueError:
                continue
            if relative in listed or not path.is_file() or _leaves(path, root):
                continue
            found.append(relative)
    return list(dict.fromkeys(found))


def _leaves(path: Path, root: Path) -> bool:
    """A path that resolves outside the project (a link on it or on any parent directory):
    never read through it."""
    from gates.regular_files import inside

    return not inside(root, path)


def copy_files(root: Path, work: Path, relatives: Iterable[str]) -> None:
    try:
        for relative in relatives:
            if _leaves(root / relative, root):
                continue  # through a link out of the project: its target is not ours to copy
            target = work / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / relative, target, follow_symlinks=True)
    except OSError as exc:
        raise ToolError(f"could not copy the project to a work directory for mutmut: {exc}") from None


def remove_work_copy(work: Path) -> None:
    shutil.rmtree(work, ignore_errors=True)
