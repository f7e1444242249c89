"""The converter subprocess: ``python -m gates.checks.coreml.worker JOB.json RESULTS.jsonl``.

It imports torch, coremltools and the factories the policy names, so none of that runs in the
gate's own process: a crash, a hang or a stray print in the project's code or in coremltools'
native libraries cannot take the gate down or leak into its report. Each model's result is
appended to RESULTS.jsonl as soon as it is known, after a ``start`` record, so the gate can tell
which model was being converted when the process died.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from gates.policy.sections.coreml import CoreMLModel

NATIVE_LIBRARIES = ("libmilstoragepython", "libmodelpackage", "libcoremlpython")
MESSAGE_LIMIT = 800


def environment() -> dict[str, Any]:
    import torch

    record: dict[str, Any] = {
        "kind": "environment",
        "python": platform.python_version(),
        "platform": sys.platform,
        "torch": torch.__version__,
    }
    try:
        import coremltools
        from coremltools import _deps
    except Exception as exc:
        record["import_error"] = f"{type(exc).__name__}: {exc}"
        return record
    record["coremltools"] = coremltools.__version__
    record["torch_max_tested"] = getattr(_deps, "_TORCH_MAX_VERSION", None)
    native: dict[str, str | None] = {}
    for library in NATIVE_LIBRARIES:
        try:
            importlib.import_module(f"coremltools.{library}")
            native[library] = None
        except Exception as exc:
            native[library] = f"{type(exc).__name__}: {exc}"
    record["native"] = native
    return record


def _io(names: list[str], tensors: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [
        {"name": name, "shape": [int(d) for d in t.shape], "dtype": str(t.dtype)}
        for name, t in zip(names, tensors, strict=True)
    ]


def _short(message: str) -> str:
    message = message.strip()
    return message if len(message) <= MESSAGE_LIMIT else message[:MESSAGE_LIMIT] + " ..."


def check_model(settings: CoreMLModel, root: Path, artifact_dir: Path, predict: bool) -> dict[str, Any]:
    from gates.checks.coreml.capture import CaptureError, capture
    from gates.checks.coreml.convert import ConversionError, convert_and_save, describe_package, numpy_dtype
    from gates.checks.coreml.factory import FactoryError, build_model

    record: dict[str, Any] = {"kind": "model", "name": settings.name, "capture": settings.capture}
    try:
        built = build_model(settings.factory, root)
    except FactoryError as exc:
        return {**record, "status": "factory_error", "message": _short(str(exc))}
    record["factory_source"] = built.source
    count = len(built.outputs)
    output_names = settings.output_names or (
        ["output"] if count == 1 else [f"output_{i}" for i in range(count)]
    )
    if len(output_names) != count:
        message = f"output_names lists {len(output_names)} name(s) but forward returns {count} output(s)"
        return {**record, "status": "factory_error", "message": message}
    record["expected"] = {
        "inputs": _io(built.input_names, built.inputs),
        "outputs": _io(output_names, built.outputs),
    }
    started = time.perf_counter()
    try:
        captured = capture(built.model, built.inputs, settings.capture)
    except CaptureError as exc:
        return {**record, "status": "capture_failed", "message": _short(str(exc))}
    record["capture_s"] = time.perf_counter() - started
    package = artifact_dir / f"{settings.name}.mlpackage"
    try:
        converted = convert_and_save(
            captured, settings, built.input_names, built.inputs, output_names, built.outputs, package
        )
    except ConversionError as exc:
        return {
            **record,
            "status": "convert_failed",
            "message": _short(str(exc)),
            "op": exc.op,
            "op_location": exc.location,
        }
    record["convert_s"] = converted.convert_s
    record["package"] = str(package)
    record["spec"] = describe_package(package)
    record["status"] = "converted"
    if not predict:
        return record
    from gates.checks.coreml.predict import PredictorUnavailable, load_for_prediction, parity_report

    try:
        mlmodel = load_for_prediction(package, settings.compute_units)
        record["parity"] = parity_report(
            mlmodel,
            built.input_names,
            [t.numpy().astype(numpy_dtype(t.dtype)) for t in built.inputs],
            output_names,
            [t.numpy() for t in built.outputs],
            atol=settings.effective_atol,
            rtol=settings.effective_rtol,
        )
    except PredictorUnavailable as exc:
        record["parity"] = {"status": "unavailable", "reason": _short(str(exc))}
    return record


def main(argv: list[str]) -> int:
    job_path, results_path = Path(argv[0]), Path(argv[1])
    job = json.loads(job_path.read_text(encoding="utf-8"))
    root = Path(job["root"])
    artifact_dir = Path(job["artifact_dir"])

    with results_path.open("a", encoding="utf-8") as out:

        def write(record: dict[str, Any]) -> None:
            out.write(json.dumps(record) + "\n")
            out.flush()

        env = environment()
        write(env)
        if "import_error" in env or any(
            env["native"][lib] for lib in ("libmilstoragepython", "libmodelpackage")
        ):
            return 3
        # Factories may read files relative to the repository, as they would in the project's tests.
        os.chdir(root)
        for raw in job["models"]:
            settings = CoreMLModel.model_validate(raw)
            write({"kind": "start", "name": settings.name})
            try:
                record = check_model(settings, root, artifact_dir, bool(job["predict"]))
            except Exception as exc:  # a bug or an unexpected coremltools failure: report, go on
                record = {
                    "kind": "model",
                    "name": settings.name,
                    "status": "internal_error",
                    "message": _short(f"{type(exc).__name__}: {exc}"),
                }
            write(record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
