"""From converter records to findings, metrics and details, including the macOS parity path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gates.checks.coreml.results import Outcome, build_result
from gates.findings import Severity, Verdict
from gates.policy.loader import parse_policy_text

POLICY = """\
version: 1
coreml:
  models:
    - name: mlp
      factory: "examples.coreml_models:tiny_mlp"
      precision: fp32
      min_cosine: 0.999
      argmax_agreement: 0.9
"""


def _converted(parity: dict[str, Any] | None = None, spec_shape: list[int] | None = None) -> dict[str, Any]:
    io = {"name": "output", "shape": [4, 10], "dtype": "torch.float32"}
    record: dict[str, Any] = {
        "kind": "model",
        "name": "mlp",
        "status": "converted",
        "capture_s": 0.3,
        "convert_s": 0.25,
        "package": "/repo/.gates/coreml/mlp.mlpackage",
        "expected": {
            "inputs": [{"name": "features", "shape": [4, 16], "dtype": "torch.float32"}],
            "outputs": [io],
        },
        "spec": {
            "inputs": [{"name": "features", "kind": "multiArrayType", "shape": [4, 16], "dtype": "FLOAT32"}],
            "outputs": [
                {
                    "name": "output",
                    "kind": "multiArrayType",
                    "shape": spec_shape or [4, 10],
                    "dtype": "FLOAT32",
                }
            ],
            "op_count": 3,
            "op_types": {"const": 4, "linear": 2, "relu": 1},
            "package_bytes": 5976,
        },
    }
    if parity is not None:
        record["parity"] = parity
    return record


def _outcome(record: dict[str, Any], *, unavailable: str | None, require: bool = False) -> Outcome:
    loaded = parse_policy_text(POLICY, Path("/repo/policy.yaml"))
    return Outcome(
        section=loaded.policy.coreml,
        loaded=loaded,
        root=Path("/repo"),
        records={"mlp": record},
        environment={"platform": "darwin"},
        prediction_unavailable=unavailable,
        require_prediction=require,
    )


def _output(**overrides: Any) -> dict[str, Any]:
    output = {
        "name": "output",
        "elements": 40,
        "violations": 0,
        "max_abs_err": 2e-5,
        "max_rel_err": 1e-6,
        "cosine": 0.99999,
        "argmax_agreement": 1.0,
        "shape_mismatch": None,
    }
    output.update(overrides)
    return output


def test_linux_run_reports_parity_as_not_run_with_metrics_and_paths() -> None:
    result = build_result(_outcome(_converted(), unavailable="needs macOS"))
    assert result.verdict is Verdict.PASS  # the runner decides; no blocking finding here
    assert [(f.rule_id, f.severity) for f in result.findings] == [("coreml.parity-not-run", Severity.NOTE)]
    finding = result.findings[0]
    assert (finding.path, finding.line) == ("policy.yaml", 4)
    assert result.metrics["mlp.parity_run"] == 0
    assert result.metrics["parity_not_run"] == 1
    assert result.metrics["mlp.convert_s"] == 0.25
    assert result.metrics["mlp.package_bytes"] == 5976
    assert result.metrics["mlp.ops"] == 3
    assert result.details["packages"] == [".gates/coreml/mlp.mlpackage"]
    [detail] = result.details["models"]  # type: ignore[misc]
    assert detail["parity"] == {"status": "not_run", "reason": "needs macOS"}
    assert result.tables[0].rows[0][-1] == "not run (needs macOS)"
    assert "parity not run (needs macOS)" in result.notes[0]


def test_require_prediction_turns_the_skip_into_an_error() -> None:
    result = build_result(_outcome(_converted(), unavailable="needs macOS", require=True))
    assert result.verdict is Verdict.ERROR
    assert result.error is not None
    assert (
        "Core ML prediction is required (require_prediction) but cannot run here (needs macOS)"
        in result.error
    )
    assert result.details["packages"] == [".gates/coreml/mlp.mlpackage"]  # still uploadable


def test_macos_parity_within_tolerance_has_no_finding() -> None:
    parity = {"status": "ran", "outputs": [_output()], "missing_outputs": []}
    result = build_result(_outcome(_converted(parity), unavailable=None))
    assert result.findings == []
    assert result.metrics["mlp.parity_run"] == 1
    assert result.metrics["mlp.max_abs_err"] == 2e-5
    assert result.metrics["mlp.cosine"] == 0.99999
    assert result.metrics["mlp.argmax_agreement"] == 1.0
    assert result.tables[0].rows[0][-1] == "ok (max abs 2e-05)"


def test_macos_parity_beyond_tolerance_fails_on_every_threshold() -> None:
    bad = _output(violations=7, max_abs_err=0.3, max_rel_err=0.2, cosine=0.98, argmax_agreement=0.5)
    parity = {"status": "ran", "outputs": [bad], "missing_outputs": []}
    result = build_result(_outcome(_converted(parity), unavailable=None))
    rules = [f.rule_id for f in result.findings]
    assert rules == ["coreml.parity-tolerance", "coreml.parity-cosine", "coreml.parity-argmax"]
    assert all(f.severity is Severity.ERROR for f in result.findings)
    assert "7 of 40 value(s) beyond atol=0.0001 + rtol=1e-05" in result.findings[0].message
    assert "argmax agrees on 50.00% of positions, below argmax_agreement 90.00%" in result.findings[2].message


def test_macos_cannot_predict_warning_is_an_error_finding() -> None:
    parity = {
        "status": "unavailable",
        "reason": "You will not be able to run predict() on this Core ML model.",
    }
    result = build_result(_outcome(_converted(parity), unavailable=None))
    [finding] = result.findings
    assert finding.rule_id == "coreml.predict-unavailable"
    assert finding.severity is Severity.ERROR
    assert "You will not be able to run predict()" in finding.message


def test_structure_mismatch_is_an_error_finding() -> None:
    result = build_result(_outcome(_converted(spec_shape=[4, 5]), unavailable="needs macOS"))
    mismatch = [f for f in result.findings if f.rule_id == "coreml.io-mismatch"]
    assert [f.message for f in mismatch] == [
        "model 'mlp': output 'output' shape differs: torch [4, 10], Core ML [4, 5]"
    ]


def test_factory_error_makes_the_gate_an_error_naming_the_policy_line() -> None:
    record = {"kind": "model", "name": "mlp", "status": "factory_error", "message": "cannot import 'x'"}
    result = build_result(_outcome(record, unavailable="needs macOS"))
    assert result.verdict is Verdict.ERROR
    assert result.error == "/repo/policy.yaml:5:16: model 'mlp': cannot import 'x'"


def test_crash_and_missing_records_fail_closed() -> None:
    crashed = {"kind": "model", "name": "mlp", "status": "crashed", "message": "killed by SIGSEGV"}
    [finding] = build_result(_outcome(crashed, unavailable="needs macOS")).findings
    assert (finding.rule_id, finding.severity) == ("coreml.converter-crashed", Severity.ERROR)
    outcome = _outcome(crashed, unavailable="needs macOS")
    outcome.records = {}
    [finding] = build_result(outcome).findings
    assert finding.rule_id == "coreml.internal-error"


def test_models_skipped_for_a_broken_factory_add_no_finding() -> None:
    record = {"kind": "model", "name": "mlp", "status": "skipped", "message": "not converted: fix..."}
    result = build_result(_outcome(record, unavailable="needs macOS"))
    assert result.findings == []
    assert result.details["models"][0]["status"] == "skipped"  # type: ignore[index]
    assert result.metrics["models_converted"] == 0


def test_models_skipped_with_no_factory_error_to_explain_it_fail_closed() -> None:
    record = {"kind": "model", "name": "mlp", "status": "skipped", "message": "not converted: fix..."}
    result = build_result(_outcome(record, unavailable="needs macOS"))
    assert result.verdict is Verdict.ERROR
    assert result.error is not None and "'mlp' not converted" in result.error


def test_argmax_outputs_limits_the_argmax_floor() -> None:
    policy = POLICY + "      argmax_outputs: [logits]\n"
    loaded = parse_policy_text(policy, Path("/repo/policy.yaml"))
    parity = {"status": "ran", "outputs": [_output(argmax_agreement=0.5)], "missing_outputs": []}
    outcome = _outcome(_converted(parity), unavailable=None)
    outcome.section = loaded.policy.coreml
    assert build_result(outcome).findings == []  # 'output' is not listed, so no argmax floor
