"""Mapping the paths a report wrote to the repository's own paths.

Reports carry absolute paths from another machine, paths relative to a Cobertura
``<source>``, or paths under ``site-packages``. Each is tried in turn: the policy's
prefix rewrites, relative to the root, under each source root, then the longest
trailing part that names a repository file. When nothing maps, the run is an error
that shows both sides, never an empty (100%) report.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import field
from pathlib import Path, PurePosixPath

from gates.checks.coverage.data import CoverageReport, FileCoverage
from gates.errors import GatesError
from gates.files import repository_files
from gates.policy.sections.coverage import PathMapping
from gates.records import record

EXAMPLES = 3


@record
class MappedReport:
    files: dict[str, FileCoverage]
    unmatched: list[str] = field(default_factory=list)


def _normal(path: str) -> str:
    return os.path.normpath(path.replace("\\", "/")).replace("\\", "/")


class PathMapper:
    def __init__(self, root: Path, known: set[str], rewrites: Iterable[PathMapping], sources: Iterable[str]):
        self._root = str(root.resolve())
        self._root_raw = str(root)
        self._known = known
        self._rewrites = list(rewrites)
        self._sources = [_normal(s) for s in sources]

    def _relative(self, candidate: str) -> str | None:
        """``candidate`` (absolute or relative) as a repository file, or None."""
        candidate = _normal(candidate)
        if os.path.isabs(candidate):
            for base in (self._root, self._root_raw):
                if candidate.startswith(base.rstrip("/") + "/"):
                    candidate = candidate[len(base.rstrip("/")) + 1 :]
                    break
            else:
                return None
        candidate = candidate.removeprefix("./")
        return candidate if candidate in self._known else None

    def map(self, name: str) -> str | None:
        if not self._rewrites and name in self._known:
            return name  # the common case: coverage.py with relative_files
        name = name.replace("\\", "/")
        for rewrite in self._rewrites:
            if name.startswith(rewrite.source):
                name = rewrite.target + name[len(rewrite.source) :]
                break
        direct = self._relative(name)
        if direct:
            return direct
        for source in self._sources:
            found = self._relative(os.path.join(source, name))
            if found:
                return found
        # The longest trailing part that is a repository file (an absolute path from CI, site-packages).
        parts = PurePosixPath(_normal(name)).parts
        for start in range(1, len(parts)):
            tail = "/".join(parts[start:])
            if tail in self._known:
                return tail
        return None


def map_report(report: CoverageReport, root: Path, rewrites: Iterable[PathMapping]) -> MappedReport:
    known = set(repository_files(root))
    mapper = PathMapper(root, known, rewrites, report.sources)
    mapped = MappedReport(files={})
    for name, cov in report.files.items():
        target = mapper.map(name)
        if target is None:
            mapped.unmatched.append(name)
        elif target in mapped.files:
            _merge(mapped.files[target], cov)
        else:
            mapped.files[target] = cov
    if not report.files:
        raise GatesError(
            f"{report.path} lists no files; was anything measured? Check coverage's 'source' setting"
        )
    if not mapped.files:
        raise GatesError(no_match_message(report.path, sorted(report.files), sorted(known)))
    return mapped


def no_match_message(report: str, reported: list[str], repo: list[str]) -> str:
    python_files = [p for p in repo if p.endswith(".py")] or repo
    theirs = ", ".join(repr(p) for p in reported[:EXAMPLES])
    ours = ", ".join(repr(p) for p in python_files[:EXAMPLES]) or "(no files)"
    return (
        f"none of the {len(reported)} file(s) in {report} is a file of this repository "
        f"(report: {theirs}; repository: {ours}); set coverage.path_map in the policy, "
        "or run coverage with 'relative_files = true'"
    )


def _merge(into: FileCoverage, other: FileCoverage) -> None:
    """Two report entries for one file (several Cobertura classes, two roots): hit if either hits."""
    into.statements.update(other.statements)
    into.executed.update(other.executed)
    into.excluded.update(other.excluded)
    for line, (taken, possible) in other.branches.items():
        old = into.branches.get(line, (0, 0))
        into.branches[line] = (max(old[0], taken), max(old[1], possible))
    for line, targets in other.missing_arcs.items():
        into.missing_arcs.setdefault(line, []).extend(
            t for t in targets if t not in into.missing_arcs.get(line, [])
        )
