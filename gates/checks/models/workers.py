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
per file to stdout; both are unnamed temporary files outside that directory. The parent
analyses one share of the files itself meanwhile.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

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
    """Analyses in the order of ``pending``: one share in this process, the others in
    ``workers - 1`` child processes running meanwhile.

    ``lines``: each file's ``used_lines``, when the caller has them (the child then skips
    that scan). This process takes a share because a child costs an interpreter start and
    the imports (CPU time, which is what a shared CI runner bills), while this process would
    only wait.
    """
    chunks: list[list[int]] = [[] for _ in range(workers)]
    for index in range(len(pending)):
        chunks[index % workers].append(index)
    known = list(lines) if lines is not None else [None] * len(pending)
    results: list[FileAnalysis | None] = [None] * len(pending)
    # PYTHONPATH would act before _BOOT runs; the parent's sys.path (which holds it) follows.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONSAFEPATH"] = "1"
    header = json.dumps(child_path(root)).encode() + b"\n"
    children: list[tuple[list[int], subprocess.Popen[bytes], IO[bytes], IO[bytes]]] = []
    with tempfile.TemporaryDirectory(prefix="gates-models-") as neutral, contextlib.ExitStack() as files:
        try:
            for chunk in chunks[1:]:
                # Unnamed files, not pipes: nothing to feed while this process parses its share
                # (a pipe written from a thread would wait on the GIL for every 4 KB).
                job, out, err = (files.enter_context(tempfile.TemporaryFile()) for _ in range(3))
                job.write(
                    header + _job(root, settings, [pending[i] for i in chunk], [known[i] for i in chunk])
                )
                job.seek(0)
                proc = subprocess.Popen(
                    [sys.executable, "-c", _BOOT], stdin=job, stdout=out, stderr=err, cwd=neutral, env=env
                )
                children.append((chunk, proc, out, err))
            for index in chunks[0]:
                relative, data = pending[index]
                results[index] = analyze_file(root, relative, data, settings, known[index])
            for share, child, stdout, stderr in children:
                child.wait()
                stdout.seek(0)
                stderr.seek(0)
                analyses = _decode(child.returncode, stdout.read(), stderr.read(), len(share))
                for index, analysis in zip(share, analyses, strict=True):
                    results[index] = analysis
        finally:
            for _, child, _, _ in children:
                if child.poll() is None:
                    child.kill()
                    child.wait()
    return [r for r in results if r is not None]


def _job(
    root: Path, settings: AnalysisSettings, files: list[tuple[str, bytes]], known: list[frozenset[int] | None]
) -> bytes:
    head = {
        "root": str(root),
        "settings": _settings_to_json(settings),
        "files": [
            [relative, len(data), None if at is None else sorted(at)]
            for (relative, data), at in zip(files, known, strict=True)
        ],
    }
    return b"".join([json.dumps(head).encode(), b"\n", *(data for _, data in files)])


def _decode(returncode: int, stdout: bytes, stderr: bytes, expected: int) -> list[FileAnalysis]:
    lines = stdout.splitlines()
    if returncode != 0 or len(lines) != expected:
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise GatesError(
            f"a models worker process failed (exit code {returncode}): "
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
    gc.disable()  # as in the parent's scan (code_scan.collector_paused); this process then exits
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
