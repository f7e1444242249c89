"""A content-hash cache of per-file results, so warm reruns skip parsing.

One JSON file under ``.gates/cache/``. Its key covers the tool version, the rules version,
a hash of the rules' source and every policy value that changes a result; any change
discards it all. An entry is reused only when the file's SHA-256 matches and every repository path
whose existence decided a finding (``probes``) still looks the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import subprocess
from dataclasses import field
from pathlib import Path

from gates import __version__
from gates.checks.models.analyzer import FileAnalysis
from gates.checks.models.calls import AnalysisSettings
from gates.checks.models.catalog import RULES, RULES_VERSION
from gates.findings import Severity
from gates.fsutil import atomic_write_text
from gates.records import record

CACHE_FILE = ".gates/cache/models-code.json"
FORMAT = 1
_SEVERITIES = frozenset(s.value for s in Severity)


def _rules_source_digest() -> str:
    """A hash of this package's code, so an edited rule invalidates the cache even unreleased."""
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.name.encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()


def _tracked_by_git(root: Path, relative: str) -> bool:
    try:
        proc = subprocess.run(
            ["git", "ls-files", "--error-unmatch", "--", relative],
            cwd=root,
            capture_output=True,
            check=False,
        )
    except OSError:
        return False  # no git: nothing is committed either
    return proc.returncode == 0


def cache_key(settings: AnalysisSettings) -> str:
    text = json.dumps([FORMAT, __version__, RULES_VERSION, _rules_source_digest(), repr(settings)])
    return hashlib.sha256(text.encode()).hexdigest()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@record
class ResultCache:
    path: Path
    key: str
    entries: dict[str, dict[str, object]] = field(default_factory=dict)
    dirty: bool = False
    hits: int = 0

    @classmethod
    def load(cls, root: Path, settings: AnalysisSettings) -> ResultCache:
        path = root / CACHE_FILE
        key = cache_key(settings)
        cache = cls(path, key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cache  # missing or corrupt: start over, never fail the gate on it
        if _tracked_by_git(root, CACHE_FILE):
            # A committed cache is anyone's claim that files are clean (a pull request could
            # add one saying so); only a cache this machine wrote is trusted.
            return cache
        if isinstance(data, dict) and data.get("key") == key and isinstance(data.get("files"), dict):
            cache.entries = data["files"]
        return cache

    def get(self, root: Path, relative: str, digest: str) -> FileAnalysis | None:
        entry = self.entries.get(relative)
        if not isinstance(entry, dict) or entry.get("sha256") != digest:
            return None
        try:
            analysis = FileAnalysis.from_json(entry)
        except (KeyError, TypeError, AssertionError, AttributeError, ValueError):
            return None  # a damaged entry: analyse the file again
        if any(f.rule not in RULES or f.severity not in _SEVERITIES for f in analysis.findings):
            return None
        if any((root / p).exists() != seen for p, seen in analysis.probes.items()):
            return None
        self.hits += 1
        return analysis

    def put(self, relative: str, digest: str, analysis: FileAnalysis) -> None:
        self.entries[relative] = {"sha256": digest, **analysis.to_json()}
        self.dirty = True

    def prune(self, keep: set[str]) -> None:
        """Forget files that no longer exist (only on a whole-tree run)."""
        gone = [name for name in self.entries if name not in keep]
        for name in gone:
            del self.entries[name]
        self.dirty = self.dirty or bool(gone)

    def save(self) -> None:
        if not self.dirty:
            return
        payload = {"key": self.key, "files": self.entries}
        # A read-only checkout still gets a correct (uncached) result.
        with contextlib.suppress(OSError):
            atomic_write_text(self.path, json.dumps(payload, separators=(",", ":")))
