"""Where a vulnerable dependency comes from: did the change under review add or bump it?

A dependency whose pinned version differs from the merge-base (or that is new) was
brought in by the change and blocks at once. One already pinned there only became
vulnerable because an advisory appeared; it gets ``grace_days`` from the advisory's
publication date (read from the OSV service, so no state file is needed).
"""

from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from gates.git import run_git
from gates.records import frozen_record

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_OSV_URL = "https://api.osv.dev/v1/query"
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([^\s;#,\\]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@frozen_record
class Pin:
    version: str
    path: str
    line: int


def pins_in(text: str, path: str) -> dict[str, Pin]:
    """Exact pins in a requirements file, a pylock/uv lock file or a pyproject.toml."""
    name = Path(path).name
    if name.endswith(".toml") or name == "uv.lock":
        return _toml_pins(text, path)
    pins: dict[str, Pin] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _PIN.match(line)
        if match and not line.lstrip().startswith(("#", "-")):
            pins.setdefault(canonical(match.group(1)), Pin(match.group(2), path, number))
    return pins


def _toml_pins(text: str, path: str) -> dict[str, Pin]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}
    lines = text.splitlines()
    pins: dict[str, Pin] = {}
    # pylock.toml has [[packages]], uv.lock has [[package]]; both carry name + version.
    for entry in [*data.get("packages", []), *data.get("package", [])]:
        if isinstance(entry, dict) and entry.get("name") and entry.get("version"):
            pins[canonical(str(entry["name"]))] = Pin(
                str(entry["version"]), path, _line_of(lines, entry["name"])
            )
    for spec in (data.get("project") or {}).get("dependencies", []):
        match = _PIN.match(str(spec))
        if match:
            pins[canonical(match.group(1))] = Pin(match.group(2), path, _line_of(lines, str(spec)))
    return pins


def _line_of(lines: list[str], needle: object) -> int:
    text = str(needle)
    return next((i for i, line in enumerate(lines, start=1) if text in line), 1)


def current_pins(root: Path, files: list[str]) -> dict[str, Pin]:
    pins: dict[str, Pin] = {}
    for path in files:
        full = root / path
        if full.is_file():
            for name, pin in pins_in(full.read_text(encoding="utf-8", errors="replace"), path).items():
                pins.setdefault(name, pin)
    return pins


def base_pins(root: Path, commit: str, files: list[str]) -> dict[str, Pin]:
    """The pins the same files held at ``commit``; a file absent there contributes none."""
    pins: dict[str, Pin] = {}
    for path in files:
        proc = run_git(root, "show", f"{commit}:{path}", check=False)
        if proc.returncode == 0:
            for name, pin in pins_in(proc.stdout, path).items():
                pins.setdefault(name, pin)
    return pins


def advisory_dates(
    osv_url: str | None, package: str, version: str, timeout: float
) -> dict[str, datetime] | None:
    """Publication date per advisory id and alias, from the OSV service; None if unreachable."""
    body = json.dumps({"package": {"name": package, "ecosystem": "PyPI"}, "version": version}).encode()
    request = urllib.request.Request(
        osv_url or DEFAULT_OSV_URL, data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # nosec B310 -- the policy's OSV URL
            data: Any = json.loads(response.read() or b"{}")
    except (urllib.error.URLError, OSError, ValueError):
        return None
    dates: dict[str, datetime] = {}
    for vuln in data.get("vulns", []) if isinstance(data, dict) else []:
        published = _parse_date(vuln.get("published"))
        if published is None:
            continue
        for vuln_id in [vuln.get("id"), *vuln.get("aliases", [])]:
            if vuln_id:
                dates[str(vuln_id)] = published
    return dates


def _parse_date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
