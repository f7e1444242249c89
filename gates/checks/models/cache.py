"""A content-hash cache of per-file results, so warm reruns skip parsing.

One JSON file per repository in the user's cache directory (``gates.fsutil.user_cache_dir``),
never inside the repository: a cache there could be committed, and a pull request could
commit one that calls its unsafe files clean. Its key covers the tool version, the rules
version, a hash of the rules' source and every policy value that changes a result; any
change discards it all. An entry is reused only when the file's SHA-256 matches and every
repository path whose existence decided a finding (``probes``) still looks the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import field
from pathlib import Path

from gates import __version__
from gates.checks.models.analyzer import FileAnalysis
from gates.checks.models.calls import AnalysisSettings
from gates.checks.models.catalog import RULES, RULES_VERSION
from gates.findings import Severity
from gates.fsutil import WriteError, atomic_write_text, user_cache_dir
from gates.records import record

FORMAT = 2
_SEVERITIES = frozenset(s.value for s in Severity)


def _rules_source_digest() -> str:
    """A hash of this package's code, so an edited rule invalidates the cache even unreleased."""
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.name.encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()


def cache_file(root: Path) -> Path | None:
    """This repository's cache file; None when caching is switched off (GATES_NO_CACHE=1)."""
    directory = user_cache_dir("models")
    if directory is None:
        return None
    # One file per checkout: two clones of a project must not overwrite each other's results.
    name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:32]
    return directory / f"{name}.json"


def cache_key(settings: AnalysisSettings) -> str:
    text = json.dumps([FORMAT, __version__, RULES_VERSION, _rules_source_digest(), repr(settings)])
    return hashlib.sha256(text.encode()).hexdigest()


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@record
class ResultCache:
    path: Path
    key: str
    root: str = ""  # the checkout the entries describe, stored and compared on load
    entries: dict[str, dict[str, object]] = field(default_factory=dict)
    dirty: bool = False
    hits: int = 0

    @classmethod
    def load(cls, root: Path, settings: AnalysisSettings) -> ResultCache | None:
        """This repository's cache, empty when missing or corrupt; None when caching is off."""
        path = cache_file(root)
        if path is None:
            return None
        key = cache_key(settings)
        cache = cls(path, key, str(root.resolve()))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cache  # missing or corrupt: start over, never fail the gate on it
        if (
            isinstance(data, dict)
            and data.get("key") == key
            and data.get("root") == cache.root
            and isinstance(data.get("files"), dict)
        ):
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
        payload = {"key": self.key, "root": self.root, "files": self.entries}
        # A read-only cache directory still gets a correct (uncached) result.
        with contextlib.suppress(OSError, WriteError):
            atomic_write_text(self.path, json.dumps(payload, separators=(",", ":")))
