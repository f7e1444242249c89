"""Parsing many files in worker processes that import nothing from the scanned tree.

A ``multiprocessing`` spawn child starts as ``python -c ...`` in the parent's working
directory, which is the scanned repository: ``''`` leads its ``sys.path``, so a
``signal.py``, ``random.py`` or ``multiprocessing/`` planted at the repository's root
would be imported and run before any of our code. These workers are started by hand
instead: in an empty temporary directory, with ``PYTHONSAFEPATH`` set, ``''`` dropped
first thing, and the parent's ``sys.path`` (minus the working directory and the scanned
root, which go last so the standard library and installed packages always win).

The worker reads its job from stdin (a JSON line naming each file and its length, then
the contents back to back; nothing is pickled either way) and writes one JSON analysis
per file to stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from gates.checks.models.analyzer import FileAnalysis, analyze_file
from gates.checks.models.calls import AnalysisSettings, TrustedModel
from gates.errors import GatesError

_BOOT = (
    "import sys; sys.path[:] = [p for p in sys.path if p not in ('', '.')]; import json; "
    "sys.path[:] = json.loads(sys.stdin.buffer.readline()); "
    "from gates.checks.models.workers import child_main; child_main()"
)


def child_path(root: Path) -> list[str]:
    """The parent's ``sys.path`` for a worker, absolute: no ``''``; the cwd and every entry
    in the scanned repository (``PYTHONPATH=src``, an editable install) last."""
    real_root = os.path.realpath(root)
    cwd = os.path.realpath(os.getcwd())

    def risky(entry: str) -> bool:
        real = os.path.realpath(entry)
        return real in (cwd, real_root) or real.startswith(real_root.rstrip(os.sep) + os.sep)

    entries = [os.path.abspath(p) for p in sys.path if p]
    # Kept (last) rather than dropped: ml-gates scanning its own checkout imports itself from there.
    return list(dict.fromkeys([p for p in entries if not risky(p)] + [p for p in entries if risky(p)]))


def analyze_in_workers(
    root: Path,
    pending: list[tuple[str, bytes]],
    settings: AnalysisSettings,
    workers: int,
    lines: Sequence[frozenset[int] | None] | None = None,
) -> list[FileAnalysis]:
    """Analyses in the order of ``pending``, computed by ``workers`` child processes.

    ``lines``: each file's ``used_lines``, when the caller has them (the child then skips
    that scan)."""
    chunks: list[list[int]] = [[] for _ in range(workers)]
    for index in range(len(pending)):
        chunks[index % workers].append(index)
    results: list[FileAnalysis | None] = [None] * len(pending)
    # PYTHONPATH would act before _BOOT runs; the parent's sys.path (which holds it) follows.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONSAFEPATH"] = "1"
    header = json.dumps(child_path(root)).encode() + b"\n"
    with tempfile.TemporaryDirectory(prefix="gates-models-") as neutral:

        def run(chunk: list[int]) -> list[FileAnalysis]:
            files = [pending[i] for i in chunk]
            known = [None if lines is None else lines[i] for i in chunk]
            head = {
                "root": str(root),
                "settings": _settings_to_json(settings),
                "files": [
                    [relative, len(data), None if at is None else sorted(at)]
                    for (relative, data), at in zip(files, known, strict=True)
                ],
            }
            job = b"".join([json.dumps(head).encode(), b"\n", *(data for _, data in files)])
            proc = subprocess.run(
                [sys.executable, "-c", _BOOT],
                input=header + job,
                cwd=neutral,
                env=env,
                capture_output=True,
                check=False,
            )
            return _decode(proc, len(chunk))

        with ThreadPoolExecutor(max_workers=workers) as pool:
            for chunk, analyses in zip(chunks, pool.map(run, chunks), strict=True):
                for index, analysis in zip(chunk, analyses, strict=True):
                    results[index] = analysis
    return [r for r in results if r is not None]


def _decode(proc: subprocess.CompletedProcess[bytes], expected: int) -> list[FileAnalysis]:
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or len(lines) != expected:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise GatesError(
            f"a models worker process failed (exit code {proc.returncode}): "
            f"{' | '.join(tail) or 'no output on stderr'}; rerun with fewer files to find the cause "
            "and report it"
        )
    return [FileAnalysis.from_json(json.loads(line)) for line in lines]


def _settings_to_json(settings: AnalysisSettings) -> dict[str, object]:
    return {
        "require_explicit_weights_only": settings.require_explicit_weights_only,
        "min_torch_version": settings.min_torch_version,
        "trusted_remote_code": [[t.model, t.revision] for t in settings.trusted_remote_code],
        "severities": settings.severities,
    }


def _settings_from_json(data: dict[str, Any]) -> AnalysisSettings:
    version = data["min_torch_version"]
    return AnalysisSettings(
        require_explicit_weights_only=bool(data["require_explicit_weights_only"]),
        min_torch_version=tuple(version) if version is not None else None,
        trusted_remote_code=tuple(TrustedModel(m, r) for m, r in data["trusted_remote_code"]),
        severities=tuple((rule, level) for rule, level in data["severities"]),
    )


def child_main() -> None:
    """The worker: analyse each file of the job, one JSON line per file, in order."""
    stdin = sys.stdin.buffer
    job = json.loads(stdin.readline())
    base = Path(job["root"])
    settings = _settings_from_json(job["settings"])
    out = sys.stdout
    for relative, size, at in job["files"]:
        lines = None if at is None else frozenset(at)
        analysis = analyze_file(base, relative, stdin.read(size), settings, lines)
        out.write(json.dumps(analysis.to_json()) + "\n")
    out.flush()
