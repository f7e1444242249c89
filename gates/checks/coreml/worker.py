"""The converter subprocess: ``python -m gates.checks.coreml.worker JOB.json RESULTS.jsonl``.

It imports torch, coremltools and the factories the policy names, so none of that runs in the
gate's own process: a crash, a hang or a stray print in the project's code or in coremltools'
native libraries cannot take the gate down or leak into its report. Each model's result is
appended to RESULTS.jsonl as soon as it is known, after a ``start`` record, so the gate can tell
which model was being built or converted when the process died.
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

from gates.checks.coreml.factory import BuiltModel, FactoryError, build_model
from gates.policy.plain import from_plain
from gates.policy.sections.coreml import CoreMLModel
from gates.records import record

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
    import numpy  # coremltools imported it already; its version decides some failures

    record["numpy"] = numpy.__version__
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


@record
class Prepared:
    """A model built by its factory, checked against the contract, ready to convert."""

    built: BuiltModel
    output_names: list[str]
    expected: dict[str, list[dict[str, Any]]]


def prepare(settings: CoreMLModel, root: Path) -> Prepared:
    """Import and call the factory and check what it returns; raises FactoryError."""
    built = build_model(settings.factory, root)
    count = len(built.outputs)
    output_names = settings.output_names or (
        ["output"] if count == 1 else [f"output_{i}" for i in range(count)]
    )
    if len(output_names) != count:
        raise FactoryError(
            f"output_names lists {len(output_names)} name(s) but forward returns {count} output(s)"
        )
    unknown = [name for name in settings.argmax_outputs or [] if name not in output_names]
    if unknown:
        raise FactoryError(f"argmax_outputs names {unknown[0]!r}, which is not an output ({output_names})")
    expected = {
        "inputs": _io(built.input_names, built.inputs),
        "outputs": _io(output_names, built.outputs),
    }
    return Prepared(built, output_names, expected)


def check_model(
    settings: CoreMLModel, prepared: Prepared, artifact_dir: Path, predict: bool
) -> dict[str, Any]:
    from gates.checks.coreml.capture import CaptureError, capture
    from gates.checks.coreml.convert import ConversionError, convert_and_save, describe_package, numpy_dtype

    built, output_names = prepared.built, prepared.output_names
    record: dict[str, Any] = {
        "kind": "model",
        "name": settings.name,
        "capture": settings.capture,
        "factory_source": built.source,
        "expected": prepared.expected,
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


def _internal_error(name: str, exc: Exception) -> dict[str, Any]:
    message = _short(f"{type(exc).__name__}: {exc}")
    return {"kind": "model", "name": name, "status": "internal_error", "message": message}


def main(argv: list[str]) -> int:
    job_path, results_path = Path(argv[0]), Path(argv[1])
    job = json.loads(job_path.read_text(encoding="utf-8"))
    root = Path(job["root"])
    artifact_dir = Path(job["artifact_dir"])
    models = [from_plain(CoreMLModel, raw) for raw in job["models"]]

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
        # Preflight: every factory is imported, called and checked before anything converts, so a
        # broken policy entry fails fast. The built models are kept for the conversions.
        prepared: dict[str, Prepared] = {}
        broken: set[str] = set()
        for settings in models:
            write({"kind": "start", "name": settings.name, "phase": "factory"})
            try:
                prepared[settings.name] = prepare(settings, root)
            except FactoryError as exc:
                broken.add(settings.name)
                write(
                    {
                        "kind": "model",
                        "name": settings.name,
                        "status": "factory_error",
                        "message": _short(str(exc)),
                    }
                )
            except Exception as exc:  # a bug of ours, not the factory's: report it, fail closed
                broken.add(settings.name)
                write(_internal_error(settings.name, exc))
        if broken:
            for settings in models:
                if settings.name not in broken:
                    write(
                        {
                            "kind": "model",
                            "name": settings.name,
                            "status": "skipped",
                            "message": "not converted: fix the broken factories first",
                        }
                    )
            return 0
        for settings in models:
            write({"kind": "start", "name": settings.name, "phase": "convert"})
            try:
                record = check_model(
                    settings, prepared.pop(settings.name), artifact_dir, bool(job["predict"])
                )
            except Exception as exc:  # a bug or an unexpected coremltools failure: report, go on
                record = _internal_error(settings.name, exc)
            write(record)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
