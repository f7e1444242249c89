"""What one run mutates and which tests it runs, from the policy (and pre-commit's files)."""

from __future__ import annotations

import dataclasses
import fnmatch
from pathlib import Path, PurePosixPath

from gates.errors import GatesError
from gates.files import list_files
from gates.policy.paths import Paths, matches_any
from gates.policy.sections.mutation import MutationSection
from gates.records import record


@record
class Scope:
    files: list[str]  # repository-relative .py files to mutate
    source_paths: list[str]  # what mutmut copies into mutants/ (whole top-level packages)
    do_not_mutate: list[str]  # the other .py files under source_paths
    test_selection: list[str]
    test_files: list[str]
    origin: str  # which policy key chose the files, for messages


def escape_glob(path: str) -> str:
    # mutmut matches do_not_mutate with fnmatch: keep [, ], *, ? in file names literal.
    return "".join(f"[{c}]" if c in "[]*?" else c for c in path)


def source_root(path: str) -> str:
    """The directory (or module file) mutmut must copy whole for ``path`` to import in mutants/."""
    return PurePosixPath(path).parts[0]


def resolve_scope(root: Path, paths: Paths, section: MutationSection, explicit: list[str] | None) -> Scope:
    if section.paths:
        patterns, origin = list(section.paths), "mutation.paths"
    elif paths.critical:
        patterns, origin = list(paths.critical), "paths.critical"
    else:
        patterns, origin = list(paths.source), "paths.source"
    chosen = dataclasses.replace(paths, source=patterns)
    candidates = list_files(root, chosen, explicit=explicit)
    if explicit is not None:
        candidates = [p for p in candidates if matches_any(p, patterns)]
    files = [
        p for p in candidates if not matches_any(p, paths.tests) and PurePosixPath(p).name != "conftest.py"
    ]
    if not files and explicit is None:
        raise GatesError(
            f"{origin} ({', '.join(patterns)}) matches no Python file outside the tests; "
            "set mutation.paths to the code to mutate"
        )
    roots = sorted({source_root(p) for p in files})
    everything = list_files(root, dataclasses.replace(paths, source=roots), suffixes=(".py",))
    chosen_set = set(files)
    others = [escape_glob(p) for p in everything if p not in chosen_set]
    selection = list(section.tests) or [t for t in paths.tests if (root / t).exists()]
    if not selection:
        raise GatesError(
            f"no tests to run: paths.tests ({', '.join(paths.tests)}) does not exist; set mutation.tests"
        )
    test_paths = [t for t in selection if not t.startswith("-") and (root / t.split("::")[0]).exists()]
    test_files = list_files(root, Paths(source=test_paths or ["."], exclude=paths.exclude), suffixes=(".py",))
    test_files = [t for t in test_files if fnmatch.fnmatch(PurePosixPath(t).name, "*test*.py")]
    return Scope(files, roots, others, selection, test_files, origin)
