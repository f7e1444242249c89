"""The findings baseline: known findings that do not block, so only new problems do.

The file is sorted JSON without line numbers, so it diffs well in review and does not
churn when code moves. Entries are matched by fingerprint, which counts duplicates.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from gates import __version__
from gates.errors import GatesError
from gates.findings import SUPPRESSED_BY_BASELINE, Finding, GateResult
from gates.fsutil import atomic_write_text
from gates.records import frozen_record

BASELINE_VERSION = 1


@frozen_record
class BaselineEntry:
    gate: str
    rule_id: str
    path: str | None
    fingerprint: str
    message: str

    def as_json(self) -> dict[str, str | None]:
        return {
            "gate": self.gate,
            "rule_id": self.rule_id,
            "path": self.path,
            "fingerprint": self.fingerprint,
            "message": self.message,
        }


def _sort_key(entry: BaselineEntry) -> tuple[str, str, str, str]:
    return (entry.gate, entry.path or "", entry.rule_id, entry.fingerprint)


def read_baseline(path: Path) -> list[BaselineEntry]:
    """Entries of the baseline at ``path``; an absent file is an empty baseline."""
    if not os.path.lexists(path):
        return []
    if not path.is_file():
        raise GatesError(f"{path}:1:1: the baseline path is not a regular file; it must be a JSON file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GatesError(f"{path}:1:1: unreadable baseline ({exc})") from None
    return parse_baseline(text, str(path))


def parse_baseline(text: str, where: str) -> list[BaselineEntry]:
    """Entries of a baseline file's text; ``where`` names it in the error (``base:.gates/...``)."""
    import json  # here: a run without a baseline file (most hooks) need not import it

    try:
        data = json.loads(text)
        if data.get("version") != BASELINE_VERSION:
            raise ValueError(f"unsupported version {data.get('version')!r}")
        return [
            BaselineEntry(
                gate=str(item["gate"]),
                rule_id=str(item["rule_id"]),
                path=item.get("path"),
                fingerprint=str(item["fingerprint"]),
                message=str(item.get("message", "")),
            )
            for item in data["findings"]
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise GatesError(
            f"{where}:1:1: unreadable baseline ({exc}); regenerate it with 'gates baseline update'"
        ) from None
    except RecursionError:  # json recurses per nesting level; a baseline is two levels deep
        raise GatesError(
            f"{where}:1:1: unreadable baseline (nested too deeply); "
            "regenerate it with 'gates baseline update'"
        ) from None


def write_baseline(path: Path, entries: Iterable[BaselineEntry]) -> None:
    import json

    unique = {(e.gate, e.fingerprint): e for e in entries}
    body = {
        "version": BASELINE_VERSION,
        "generated_by": f"ml-gates {__version__}",
        "findings": [e.as_json() for e in sorted(unique.values(), key=_sort_key)],
    }
    atomic_write_text(path, json.dumps(body, indent=2, sort_keys=False) + "\n")


@contextlib.contextmanager
def baseline_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for a read-merge-write of the baseline at ``path``.

    Two ``gates baseline update`` runs for different gates each keep the other's entries only
    if one reads after the other wrote. The lock is on the baseline's directory (flock on its
    descriptor), so no lock file is left in the repository; the second run waits and says so.
    """
    import fcntl  # POSIX only, as are the process groups the tool runner uses

    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory, os.O_RDONLY)
    except OSError as exc:
        raise GatesError(f"cannot lock {directory} for the baseline: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(
                f"gates: waiting for another 'gates baseline update' to finish with {path}",
                file=sys.stderr,
                flush=True,
            )
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def entries_for(result: GateResult) -> list[BaselineEntry]:
    """What a gate's current findings contribute to a new baseline (waived ones stay waivers)."""
    return [
        BaselineEntry(f.gate, f.rule_id, f.path, f.fingerprint, f.message)
        for f in result.findings
        if f.suppressed_by in (None, SUPPRESSED_BY_BASELINE) and f.fingerprint
    ]


def apply_baseline(findings: Iterable[Finding], entries: Iterable[BaselineEntry]) -> list[BaselineEntry]:
    """Mark baselined findings; return the entries nothing matched any more (fixed)."""
    by_fingerprint = {e.fingerprint: e for e in entries}
    seen: set[str] = set()
    for finding in findings:
        entry = by_fingerprint.get(finding.fingerprint)
        if entry is not None and finding.suppressed_by is None:
            finding.suppressed_by = SUPPRESSED_BY_BASELINE
            finding.suppression_reason = "in the baseline"
            seen.add(finding.fingerprint)
        elif entry is not None:
            seen.add(finding.fingerprint)
    return [e for fp, e in by_fingerprint.items() if fp not in seen]
