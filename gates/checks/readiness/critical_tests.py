"""Which tests test a critical path.

A test file tests a critical path when (a) it matches a glob in ``readiness.critical_tests``,
or (b) its name or folder names the path's *subject*: the file stem for a file path
(``gates/runner.py`` -> ``runner``), the last folder for a folder path (``src/pkg/training/``
-> ``training``). ``tests/test_runner.py``, ``tests/test_runner_waivers.py``,
``tests/training/test_loop.py`` and ``tests/test_training.py`` then match.
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


class CriticalTests:
    def __init__(self, critical: Iterable[str], extra_globs: Iterable[str]) -> None:
        self.subjects: dict[str, str] = {}  # subject -> critical path it stands for
        for pattern in critical:
            subject = subject_of(pattern)
            if subject:
                self.subjects.setdefault(subject, pattern)
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
