"""The findings baseline: known findings that do not block, so only new problems do.

The file is sorted JSON without line numbers, so it diffs well in review and does not
churn when code moves. Entries are matched by fingerprint, which counts duplicates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
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
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
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
            f"{path}:1:1: unreadable baseline ({exc}); regenerate it with 'gates baseline update'"
        ) from None
    except RecursionError:  # json recurses per nesting level; a baseline is two levels deep
        raise GatesError(
            f"{path}:1:1: unreadable baseline (nested too deeply); regenerate it with 'gates baseline update'"
        ) from None


def write_baseline(path: Path, entries: Iterable[BaselineEntry]) -> None:
    unique = {(e.gate, e.fingerprint): e for e in entries}
    body = {
        "version": BASELINE_VERSION,
        "generated_by": f"ml-gates {__version__}",
        "findings": [e.as_json() for e in sorted(unique.values(), key=_sort_key)],
    }
    atomic_write_text(path, json.dumps(body, indent=2, sort_keys=False) + "\n")


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
