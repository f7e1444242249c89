"""The coverage ratchet: a committed baseline that coverage may not drop below.

``.gates/coverage-baseline.json`` holds covered/total counts for the total and for each
file. A drop beyond the tolerance (percentage points) fails. Removing covered code is
allowed for the way Codecov's ``removed_code_behavior: adjust_base`` does: what was
removed is taken out of the baseline before comparing. Updating it records today's figures
(``gates baseline update --coverage`` is how a drop is accepted), and names what it lowered.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import field
from fractions import Fraction
from pathlib import Path

from gates import __version__
from gates.checks.coverage import percent
from gates.checks.coverage.data import Counts
from gates.errors import GatesError
from gates.findings import Finding, Severity
from gates.fsutil import atomic_write_text
from gates.policy.sections.coverage import RatchetSettings
from gates.records import record
from gates.regular_files import unreadable_reason

GATE_NAME = "coverage"
VERSION = 1


@record
class Snapshot:
    lines: Counts
    branches: Counts | None = None
    excluded: int | None = None
    files: dict[str, Counts] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {
            "version": VERSION,
            "generated_by": f"ml-gates {__version__}",
            "line": {"covered": self.lines.covered, "statements": self.lines.total},
            "branch": None
            if self.branches is None
            else {"covered": self.branches.covered, "total": self.branches.total},
            "excluded": self.excluded,
            "files": {path: [c.covered, c.total] for path, c in sorted(self.files.items())},
        }


def _counts(value: object, where: str) -> Counts:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        covered, total = value
    elif isinstance(value, dict):
        covered = value.get("covered")
        total = value.get("statements", value.get("total"))
    else:
        raise ValueError(f"{where} is not a count")
    if not (isinstance(covered, int) and isinstance(total, int) and 0 <= covered <= total):
        raise ValueError(f"{where} has impossible counts")
    return Counts(covered, total)


def read_snapshot(path: Path, shown: str) -> Snapshot | None:
    unreadable = unreadable_reason(path)
    if unreadable:
        # A directory, FIFO or dangling link in its place is no "no baseline": that would skip
        # the ratchet (and a FIFO would block the read).
        raise GatesError(
            f"{shown}: the coverage ratchet baseline is {unreadable}, not a file; "
            "write it with 'gates baseline update --coverage', or set coverage.ratchet.path"
        )
    if not path.is_file():
        return None
    return parse_snapshot(path.read_bytes(), shown)


def parse_snapshot(data: str | bytes, shown: str) -> Snapshot:
    """A baseline's content (also as read from another commit by gates/policy_changes.py)."""
    try:
        doc = json.loads(data)
        if doc.get("version") != VERSION:
            raise ValueError(f"unsupported version {doc.get('version')!r}")
        files = doc.get("files") or {}
        if not isinstance(files, dict):
            raise ValueError("'files' is not an object")
        excluded = doc.get("excluded")
        return Snapshot(
            lines=_counts(doc["line"], "'line'"),
            branches=None if doc.get("branch") is None else _counts(doc["branch"], "'branch'"),
            excluded=excluded if isinstance(excluded, int) else None,
            files={str(p): _counts(c, f"files[{p!r}]") for p, c in files.items()},
        )
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise GatesError(
            f"{shown}:1:1: unreadable coverage baseline ({exc}); "
            "regenerate it with 'gates baseline update --coverage'"
        ) from None


def write_snapshot(path: Path, snapshot: Snapshot) -> None:
    atomic_write_text(path, json.dumps(snapshot.as_json(), indent=1) + "\n")


def lowered(old: Snapshot | None, now: Snapshot) -> list[str]:
    """The figures an update lowers, so that accepting a drop is visible in its output."""
    if old is None:
        return []
    drops: list[str] = []
    pairs: list[tuple[str, Counts | None, Counts | None]] = [
        ("total", old.lines, now.lines),
        ("branches", old.branches, now.branches),
    ]
    pairs += [(path, counts, now.files.get(path)) for path, counts in sorted(old.files.items())]
    for name, before, after in pairs:
        if before is not None and after is not None and percent.ratio(after) < percent.ratio(before):
            drops.append(f"{name} {percent.show(before, 2)} -> {percent.show(after, 2)}")
    return drops


def adjusted(base: Counts, now: Counts | None) -> Counts:
    """The baseline of one file minus the code removed since (adjust_base).

    A deleted file takes all its counts with it. A file that shrank without gaining
    uncovered statements lost covered ones: they leave both the covered and the total.
    """
    if now is None:
        return Counts(0, 0)
    removed = base.total - now.total
    if removed <= 0 or now.missing > base.missing:
        return base
    removed_covered = min(removed, base.covered)
    return Counts(base.covered - removed_covered, base.total - removed_covered)


def _dropped(now: Counts, before: Counts, tolerance: float) -> bool:
    if now.total == 0 or before.total == 0:
        return False
    return percent.ratio(now) * 100 < percent.ratio(before) * 100 - Fraction(str(tolerance))


def compare(now: Snapshot, base: Snapshot, settings: RatchetSettings) -> list[Finding]:
    found: list[Finding] = []
    adjust = settings.removed_code == "adjust_base"
    total_base = base.lines
    if adjust:
        removed = Counts(0, 0)
        for path, before in base.files.items():
            after = adjusted(before, now.files.get(path))
            removed = removed + Counts(before.covered - after.covered, before.total - after.total)
        total_base = Counts(
            max(0, base.lines.covered - removed.covered), max(0, base.lines.total - removed.total)
        )
    tol = f" (tolerance {settings.tolerance:g} points)" if settings.tolerance else ""
    if _dropped(now.lines, total_base, settings.tolerance):
        found.append(
            Finding(
                GATE_NAME,
                "ratchet-total",
                Severity.ERROR,
                f"total line coverage dropped from {percent.show(total_base, 2)} to "
                f"{percent.show(now.lines, 2)}{tol}",
            )
        )
    if (
        now.branches is not None
        and base.branches is not None
        and _dropped(now.branches, base.branches, settings.tolerance)
    ):
        found.append(
            Finding(
                GATE_NAME,
                "ratchet-branch",
                Severity.ERROR,
                f"total branch coverage dropped from {percent.show(base.branches, 2)} to "
                f"{percent.show(now.branches, 2)}{tol}",
            )
        )
    if settings.per_path:
        for path, before in sorted(base.files.items()):
            current = now.files.get(path)
            if current is None:
                continue
            reference = adjusted(before, current) if adjust else before
            if _dropped(current, reference, settings.tolerance):
                found.append(
                    Finding(
                        GATE_NAME,
                        "ratchet-path",
                        Severity.ERROR,
                        f"{path}: coverage dropped from {percent.show(reference, 2)} to "
                        f"{percent.show(current, 2)}{tol}",
                        path=path,
                    )
                )
    return found


def before_percents(base: Snapshot | None) -> Mapping[str, float]:
    if base is None:
        return {}
    return {path: round(percent.percent(c), 2) for path, c in base.files.items()}
