"""Running the converter subprocess until every model has a result, whatever happens to it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import field
from pathlib import Path
from typing import Any

from gates.errors import ToolError
from gates.policy.plain import to_plain
from gates.policy.sections.coreml import CoreMLModel
from gates.records import record
from gates.tools import run_process

STDERR_TAIL = 6


@record
class ConverterRun:
    environment: dict[str, Any] | None = None
    # One record per model name, in the order the worker produced them.
    models: dict[str, dict[str, Any]] = field(default_factory=dict)


def _tail(text: str, lines: int = STDERR_TAIL) -> str:
    kept = [line.strip() for line in text.splitlines() if line.strip()][-lines:]
    return " | ".join(kept) if kept else "nothing on stderr"


def _describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _read_records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a line cut short by a crash: everything after it is lost anyway
    return records


def run_converter(
    models: list[CoreMLModel],
    *,
    root: Path,
    artifact_dir: Path,
    predict: bool,
    timeout: float,
    python: str = sys.executable,
) -> ConverterRun:
    """Convert every model, restarting the worker after a crash with the models still to do.

    The model that was in progress when the worker died or ran out of time gets a ``crashed``
    or ``timeout`` record; the time budget is shared by all models.
    """
    run = ConverterRun()
    pending = list(models)
    deadline = time.monotonic() + timeout
    env = {**os.environ, "TQDM_DISABLE": "1", "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    while pending:
        remaining = deadline - time.monotonic()
        with tempfile.TemporaryDirectory(prefix="gates-coreml-") as scratch:
            job = Path(scratch) / "job.json"
            results = Path(scratch) / "results.jsonl"
            job.write_text(
                json.dumps(
                    {
                        "root": str(root),
                        "artifact_dir": str(artifact_dir),
                        "predict": predict,
                        "models": [to_plain(m) for m in pending],
                    }
                ),
                encoding="utf-8",
            )
            timed_out = False
            stderr = ""
            code = 0
            try:
                # cwd is the scratch dir so the project's files cannot shadow the worker's imports;
                # the worker moves to the repository root before importing a factory.
                # In a session of its own: a timeout kills the converter's children too.
                proc = run_process(
                    [python, "-m", "gates.checks.coreml.worker", str(job), str(results)],
                    cwd=scratch,
                    env=env,
                    timeout=max(remaining, 1.0),
                )
                stderr, code = proc.stderr, proc.returncode
            except subprocess.TimeoutExpired as exc:
                timed_out = True
                raw = exc.stderr
                stderr = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else (raw or "")
            except OSError as exc:
                raise ToolError(f"cannot start the Core ML converter with {python}: {exc}") from None
            records = _read_records(results)
        in_progress: str | None = None
        for entry in records:
            kind = entry.get("kind")
            if kind == "environment":
                run.environment = entry
            elif kind == "start":
                in_progress = entry["name"]
            elif kind == "model":
                run.models[entry["name"]] = entry
                in_progress = None
        if run.environment is None:
            if timed_out:
                raise ToolError(
                    f"the Core ML converter did not import torch and coremltools within {timeout:g}s; "
                    "raise coreml.timeout in the policy"
                )
            raise ToolError(
                f"the Core ML converter could not start ({_describe_exit(code)}): {_tail(stderr)}"
            )
        if code == 3 and not timed_out:
            return run  # the environment cannot convert at all; the gate reports why
        if in_progress is not None:
            if timed_out:
                message = (
                    f"conversion did not finish within the gate's time budget ({timeout:g}s); "
                    "raise coreml.timeout or make the model smaller"
                )
                status = "timeout"
            else:
                message = (
                    f"the converter process {_describe_exit(code)} while handling this model: {_tail(stderr)}"
                )
                status = "crashed"
            run.models[in_progress] = {
                "kind": "model",
                "name": in_progress,
                "status": status,
                "message": message,
            }
        elif code != 0 or timed_out:
            raise ToolError(f"the Core ML converter {_describe_exit(code)} between models: {_tail(stderr)}")
        before = len(pending)
        pending = [m for m in pending if m.name not in run.models]
        if timed_out:
            for model in pending:
                run.models[model.name] = {
                    "kind": "model",
                    "name": model.name,
                    "status": "timeout",
                    "message": f"not converted: the time budget ({timeout:g}s) went to earlier models",
                }
            break
        if len(pending) == before:
            raise ToolError(
                f"the Core ML converter made no progress ({_describe_exit(code)}): {_tail(stderr)}"
            )
    return run
