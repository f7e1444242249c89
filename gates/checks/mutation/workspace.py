"""The copy of the project mutmut runs in, so the user's tree (and pyproject.toml) stays untouched.

mutmut reads its settings from ``pyproject.toml`` in the working directory and writes
``mutants/`` there. Running it in a throwaway copy means no restore step can be skipped by a
crash, a timeout or a kill: the user's files are only ever read.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from gates.errors import ToolError
from gates.files import list_files
from gates.policy.paths import Paths

# Never copied: mutmut's own output, our caches, VCS and environments.
NOT_COPIED = [".git/", "mutants/", ".gates/", ".venv/", "venv/", "**/__pycache__/", ".tox/", ".nox/"]


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


def remove_work_copy(work: Path) -> None:
    shutil.rmtree(work, ignore_errors=True)
