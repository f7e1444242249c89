"""Turning the converter's records into findings, metrics, a summary table and JSON details."""

from __future__ import annotations

from dataclasses import field
from pathlib import Path
from typing import Any

from gates.checks.coreml.failures import numpy_incompatibility
from gates.checks.coreml.structure import io_problems
from gates.findings import Finding, GateResult, Severity, Table, Verdict
from gates.policy.loader import LoadedPolicy
from gates.policy.sections.coreml import CoreMLModel, CoreMLSection
from gates.records import record

GATE_NAME = "coreml"
NOT_RUN = "not run"


@record
class Outcome:
    """What the gate knows after the run, before it is turned into a result."""

    section: CoreMLSection
    loaded: LoadedPolicy
    root: Path
    records: dict[str, dict[str, Any]]
    environment: dict[str, Any] | None
    # None when prediction was attempted; else why it could not be (e.g. "needs macOS").
    prediction_unavailable: str | None
    require_prediction: bool
    environment_warnings: list[str] = field(default_factory=list)


class _Builder:
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.findings: list[Finding] = []
        self.metrics: dict[str, float | int] = {}
        self.notes: list[str] = []
        self.setup_errors: list[str] = []
        self.rows: list[list[str]] = []
        self.details: list[dict[str, Any]] = []
        self.policy_path = _relative(outcome.loaded.path, outcome.root) if outcome.loaded.path else None

    def finding(self, index: int, rule: str, message: str, severity: Severity = Severity.ERROR) -> None:
        mark = self.outcome.loaded.value_marks.get(("coreml", "models", index, "name"))
        self.findings.append(
            Finding(
                gate=GATE_NAME,
                rule_id=rule,
                severity=severity,
                message=message,
                path=self.policy_path,
                line=mark.line if mark else None,
                source_tool="coremltools",
            )
        )

    def where(self, index: int) -> str:
        return self.outcome.loaded.where(("coreml", "models", index, "factory"))


def build_result(outcome: Outcome) -> GateResult:
    builder = _Builder(outcome)
    for warning in outcome.environment_warnings:
        builder.findings.append(
            Finding(GATE_NAME, "coreml.torch-untested", Severity.WARNING, warning, source_tool="coremltools")
        )
    for index, model in enumerate(outcome.section.models):
        _one_model(builder, index, model, outcome.records.get(model.name))
    statuses = [d["status"] for d in builder.details]
    builder.metrics["models"] = len(outcome.section.models)
    builder.metrics["models_converted"] = statuses.count("converted")
    builder.metrics["models_failed"] = len(statuses) - statuses.count("converted")
    parity_run = sum(1 for d in builder.details if d.get("parity", {}).get("status") == "ran")
    builder.metrics["parity_run"] = parity_run
    builder.metrics["parity_not_run"] = statuses.count("converted") - parity_run
    artifact_dir = outcome.section.artifact_dir
    result = GateResult(
        name=GATE_NAME,
        verdict=Verdict.PASS,
        metrics=builder.metrics,
        findings=builder.findings,
        notes=builder.notes,
        tables=[
            Table(
                "Core ML models",
                ["model", "capture", "precision", "status", "convert s", "package KiB", "ops", "parity"],
                builder.rows,
            )
        ],
        details={
            "models": builder.details,
            "packages": [d["package"] for d in builder.details if d.get("package")],
            "artifact_dir": artifact_dir,
            "environment": outcome.environment or {},
        },
    )
    unavailable = outcome.prediction_unavailable
    if unavailable and outcome.require_prediction and builder.metrics["models_converted"]:
        builder.setup_errors.append(
            f"Core ML prediction is required (require_prediction) but cannot run here ({unavailable}); "
            "run this gate on macOS, or drop --require-prediction / coreml.require_prediction"
        )
    skipped = [repr(d["name"]) for d in builder.details if d["status"] == "skipped"]
    if skipped and not builder.setup_errors:
        # The converter skips models only after a factory failed; if that failure is a mere
        # finding (an internal error, which a waiver could silence), these were never checked.
        builder.setup_errors.append(
            f"model(s) {', '.join(skipped)} not converted because another model failed before "
            "conversion; fix that model and rerun"
        )
    if builder.setup_errors:
        result.verdict = Verdict.ERROR
        result.error = "; ".join(builder.setup_errors)
    return result


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _one_model(builder: _Builder, index: int, model: CoreMLModel, record: dict[str, Any] | None) -> None:
    outcome = builder.outcome
    detail: dict[str, Any] = {
        "name": model.name,
        "factory": model.factory,
        "capture": model.capture,
        "precision": model.precision,
        "deployment_target": model.deployment_target,
        "compute_units": model.compute_units,
        "atol": model.effective_atol,
        "rtol": model.effective_rtol,
    }
    builder.details.append(detail)
    if record is None:
        record = {"status": "internal_error", "message": "the converter returned no result for this model"}
    status = str(record.get("status"))
    detail["status"] = status
    message = str(record.get("message", ""))
    row = [model.name, model.capture, model.precision, status, "-", "-", "-", NOT_RUN]
    builder.rows.append(row)
    if status == "factory_error":
        detail["message"] = message
        builder.setup_errors.append(f"{builder.where(index)}: model {model.name!r}: {message}")
        return
    if status == "skipped":
        # Only when another model's factory is broken, which already makes the gate an error.
        detail["message"] = message
        return
    if status == "capture_failed":
        detail["message"] = message
        builder.finding(index, "coreml.capture-failed", f"model {model.name!r}: {message}")
        return
    if status == "convert_failed":
        op, location = record.get("op"), record.get("op_location")
        detail.update(message=message, unsupported_op=op, op_location=location)
        incompatible = numpy_incompatibility(message, builder.outcome.environment or {})
        if incompatible:
            # Not the model's fault and not an unsupported op: the converter could not check it.
            detail["unsupported_op"] = None
            builder.setup_errors.append(f"model {model.name!r}: {incompatible}")
        elif op:
            at = f" (at {location})" if location else ""
            text = f"model {model.name!r}: coremltools cannot convert op {op!r}{at}: {message}"
            builder.finding(index, "coreml.unsupported-op", text)
        else:
            builder.finding(
                index, "coreml.convert-failed", f"model {model.name!r}: conversion failed: {message}"
            )
        return
    if status != "converted":
        detail["message"] = message
        rule = {"timeout": "coreml.timeout", "crashed": "coreml.converter-crashed"}.get(
            status, "coreml.internal-error"
        )
        builder.finding(index, rule, f"model {model.name!r}: {message}")
        return
    _converted(builder, index, model, record, detail, row)
    if outcome.prediction_unavailable is not None:
        _parity_not_run(builder, index, model, detail, row, outcome.prediction_unavailable)
    else:
        _parity(builder, index, model, record.get("parity") or {}, detail, row)


def _converted(
    builder: _Builder,
    index: int,
    model: CoreMLModel,
    record: dict[str, Any],
    detail: dict[str, Any],
    row: list[str],
) -> None:
    spec = record["spec"]
    package = _relative(Path(record["package"]), builder.outcome.root)
    detail.update(
        package=package,
        package_bytes=spec["package_bytes"],
        convert_s=round(float(record["convert_s"]), 3),
        capture_s=round(float(record.get("capture_s", 0.0)), 3),
        op_count=spec["op_count"],
        op_types=spec["op_types"],
        inputs=spec["inputs"],
        outputs=spec["outputs"],
        factory_source=record.get("factory_source"),
    )
    name = model.name
    builder.metrics[f"{name}.convert_s"] = detail["convert_s"]
    builder.metrics[f"{name}.capture_s"] = detail["capture_s"]
    builder.metrics[f"{name}.package_bytes"] = spec["package_bytes"]
    builder.metrics[f"{name}.ops"] = spec["op_count"]
    row[4] = f"{detail['convert_s']:.2f}"
    row[5] = f"{spec['package_bytes'] / 1024:.1f}"
    row[6] = str(spec["op_count"])
    expected = record["expected"]
    problems = io_problems("input", expected["inputs"], spec["inputs"])
    problems += io_problems("output", expected["outputs"], spec["outputs"])
    detail["structure_problems"] = problems
    for problem in problems:
        builder.finding(index, "coreml.io-mismatch", f"model {name!r}: {problem}")


def _parity_not_run(
    builder: _Builder,
    index: int,
    model: CoreMLModel,
    detail: dict[str, Any],
    row: list[str],
    reason: str,
) -> None:
    text = f"{NOT_RUN} ({reason})"
    detail["parity"] = {"status": "not_run", "reason": reason}
    row[7] = text
    builder.metrics[f"{model.name}.parity_run"] = 0
    builder.notes.append(f"model {model.name!r}: parity {text}; only the structure was checked")
    # A note-level finding as well, so every report format shows that parity was not checked.
    builder.finding(
        index,
        "coreml.parity-not-run",
        f"model {model.name!r}: Core ML parity {text}",
        Severity.NOTE,
    )


def _parity(
    builder: _Builder,
    index: int,
    model: CoreMLModel,
    parity: dict[str, Any],
    detail: dict[str, Any],
    row: list[str],
) -> None:
    name = model.name
    detail["parity"] = parity
    if parity.get("status") != "ran":
        reason = str(parity.get("reason", "no parity result"))
        row[7] = "unavailable"
        builder.metrics[f"{name}.parity_run"] = 0
        builder.finding(
            index, "coreml.predict-unavailable", f"model {name!r}: Core ML cannot predict: {reason}"
        )
        return
    builder.metrics[f"{name}.parity_run"] = 1
    problems = parity_problems(model, parity)
    for rule, message in problems:
        builder.finding(index, rule, f"model {name!r}: {message}")
    outputs = parity.get("outputs", [])
    if outputs:
        builder.metrics[f"{name}.max_abs_err"] = max(o["max_abs_err"] for o in outputs)
        builder.metrics[f"{name}.max_rel_err"] = max(o["max_rel_err"] for o in outputs)
        builder.metrics[f"{name}.cosine"] = min(o["cosine"] for o in outputs)
        agreements = [o["argmax_agreement"] for o in outputs if o["argmax_agreement"] is not None]
        if agreements:
            builder.metrics[f"{name}.argmax_agreement"] = min(agreements)
    worst = builder.metrics.get(f"{name}.max_abs_err", 0.0)
    row[7] = ("FAILED" if problems else "ok") + f" (max abs {worst:.2g})"


def parity_problems(model: CoreMLModel, parity: dict[str, Any]) -> list[tuple[str, str]]:
    """(rule, message) for every output that misses a tolerance or threshold."""
    problems: list[tuple[str, str]] = []
    for missing in parity.get("missing_outputs", []):
        problems.append(("coreml.parity-missing-output", f"Core ML did not return output {missing!r}"))
    atol, rtol = model.effective_atol, model.effective_rtol
    for output in parity.get("outputs", []):
        label = f"output {output['name']!r}"
        if output.get("shape_mismatch"):
            problems.append(("coreml.parity-shape", f"{label}: {output['shape_mismatch']}"))
            continue
        if output["violations"]:
            problems.append(
                (
                    "coreml.parity-tolerance",
                    f"{label}: {output['violations']} of {output['elements']} value(s) beyond "
                    f"atol={atol:g} + rtol={rtol:g}·|torch| (max abs err {output['max_abs_err']:.3g}, "
                    f"max rel err {output['max_rel_err']:.3g})",
                )
            )
        if model.min_cosine is not None and output["cosine"] < model.min_cosine:
            problems.append(
                (
                    "coreml.parity-cosine",
                    f"{label}: cosine similarity {output['cosine']:.6f} is below "
                    f"min_cosine {model.min_cosine:g}",
                )
            )
        agreement = output.get("argmax_agreement")
        floor = model.argmax_agreement
        if model.argmax_outputs is not None and output["name"] not in model.argmax_outputs:
            floor = None
        if floor is not None and agreement is not None and agreement < floor:
            problems.append(
                (
                    "coreml.parity-argmax",
                    f"{label}: argmax agrees on {agreement:.2%} of positions, below "
                    f"argmax_agreement {floor:.2%}",
                )
            )
    return problems
