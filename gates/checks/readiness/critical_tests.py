"""Which tests test a critical path.

A test file tests a critical path when (a) it matches a glob in ``readiness.critical_tests``,
or (b) its name or folder names the path's *subject*: the file stem for a file path
(``gates/runner.py`` -> ``runner``); for a folder path (``src/pkg/training/``) the folder's
name (``training``) and the stems of the modules directly in it (``loop`` for
``src/pkg/training/loop.py``). ``tests/test_runner.py``, ``tests/test_runner_waivers.py``,
``tests/training/test_anything.py``, ``tests/test_training.py`` and ``tests/test_loop.py``
then match.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from gates.policy.paths import matches_any

_GLOB_CHARS = set("*?[")


def subject_of(pattern: str) -> str | None:
    """The name tests use for a critical path, or None for a pure glob like ``**/*.py``."""
    parts = [p for p in pattern.strip("/").split("/") if p and p != "." and not (_GLOB_CHARS & set(p))]
    if not parts:
        return None
    last = parts[-1]
    if last.endswith(".py"):
        last = last[: -len(".py")]
        if last == "__init__":
            return parts[-2] if len(parts) > 1 else None
    return last or None


def _test_stem(path: str) -> str | None:
    name = posixpath.basename(path)
    if not name.endswith(".py"):
        return None
    stem = name[: -len(".py")]
    if stem.startswith("test_"):
        return stem[len("test_") :]
    if stem.endswith("_test"):
        return stem[: -len("_test")]
    return None


def _module_stems(pattern: str, files: Iterable[str]) -> list[str]:
    """Stems of the modules directly inside folder ``pattern`` (none for a file or a glob)."""
    folder = pattern.strip("/")
    if not pattern.endswith("/") or _GLOB_CHARS & set(folder):
        return []
    stems = []
    for path in files:
        if posixpath.dirname(path) == folder and path.endswith(".py"):
            stem = posixpath.basename(path)[: -len(".py")]
            if stem != "__init__":
                stems.append(stem)
    return sorted(stems)


class CriticalTests:
    def __init__(
        self, critical: Iterable[str], extra_globs: Iterable[str], files: Iterable[str] = ()
    ) -> None:
        """``files``: the repository's Python files under the critical paths."""
        known = list(files)
        self.subjects: dict[str, str] = {}  # subject -> critical path it stands for
        for pattern in critical:
            subject = subject_of(pattern)
            if subject:
                self.subjects.setdefault(subject, pattern)
        for pattern in critical:
            for stem in _module_stems(pattern, known):
                self.subjects.setdefault(stem, pattern)
        self.globs = list(extra_globs)

    def critical_path_of(self, test_module: str) -> str | None:
        """The critical path ``test_module`` tests, or None. Globs name no single path: "*"."""
        stem = _test_stem(test_module)
        if stem is not None:
            for subject, pattern in self.subjects.items():
                if stem == subject or stem.startswith(subject + "_"):
                    return pattern
        folders = posixpath.dirname(test_module).split("/")
        for subject, pattern in self.subjects.items():
            if subject in folders:
                return pattern
        if self.globs and matches_any(test_module, self.globs):
            return "(readiness.critical_tests)"
        return None
