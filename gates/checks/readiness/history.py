"""``--history FILE``: one JSON line per run, and the change since the previous line."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from gates.errors import GatesError
from gates.fsutil import atomic_write_text
from gates.regular_files import read_regular_bytes

# (key in a history entry, label in reports, unit)
TRACKED = (
    ("score", "score", ""),
    ("coverage_line", "line coverage", "%"),
    ("pass_rate", "test pass rate", "%"),
    ("failures", "failing tests", ""),
    ("blockers", "blocking TODOs", ""),
)


def read_entries(path: Path, shown_as: str) -> list[dict[str, Any]]:
    if not os.path.lexists(path):
        return []
    entries: list[dict[str, Any]] = []
    try:
        # Only a regular file: a FIFO here blocked the gate forever.
        lines = read_regular_bytes(path).decode("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GatesError(f"{shown_as}: cannot read the history ({exc})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GatesError(
                f"{shown_as}:{number}: not a JSON line ({exc.msg}); fix or delete that line"
            ) from None
        except RecursionError:
            raise GatesError(
                f"{shown_as}:{number}: nested too deeply to read; fix or delete that line"
            ) from None
        if not isinstance(entry, dict):
            raise GatesError(f"{shown_as}:{number}: expected a JSON object per line")
        entries.append(entry)
    return entries


def append(path: Path, shown_as: str, entry: dict[str, Any]) -> dict[str, Any] | None:
    """Append ``entry`` (stamped with the time) and return the previous entry, if any."""
    entries = read_entries(path, shown_as)
    previous = entries[-1] if entries else None
    stamped = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), **entry}
    lines = [json.dumps(e, sort_keys=True) for e in [*entries, stamped]]
    atomic_write_text(path, "\n".join(lines) + "\n")
    return previous


def changes(previous: dict[str, Any] | None, current: dict[str, Any]) -> list[list[str]]:
    """Rows (metric, last run, this run, change) for the tracked numbers both runs have."""
    if previous is None:
        return []
    rows: list[list[str]] = []
    for key, label, unit in TRACKED:
        before, now = previous.get(key), current.get(key)
        if not isinstance(before, int | float) or not isinstance(now, int | float):
            continue
        delta = now - before
        rows.append([label, f"{before:g}{unit}", f"{now:g}{unit}", f"{delta:+.1f}{unit}" if delta else "0"])
    return rows
