"""The macOS prediction path, driven by stand-in models (Core ML cannot predict on Linux)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gates.checks.coreml.predict import (
    PredictorUnavailable,
    load_for_prediction,
    parity_report,
    prediction_unavailable_reason,
)


def test_only_macos_can_predict() -> None:
    assert prediction_unavailable_reason("linux") == "needs macOS"
    assert prediction_unavailable_reason("win32") == "needs macOS"
    assert prediction_unavailable_reason("darwin") is None


def test_the_cannot_predict_warning_is_a_failure() -> None:
    def loader(package: Path, units: str) -> object:
        warnings.warn(
            "You will not be able to run predict() on this Core ML model. Underlying exception "
            "message was: Error compiling model",
            RuntimeWarning,
            stacklevel=1,
        )
        return object()

    with pytest.raises(PredictorUnavailable, match=r"You will not be able to run predict\(\)"):
        load_for_prediction(Path("m.mlpackage"), "CPU_ONLY", loader=loader)


def test_other_warnings_do_not_block_loading() -> None:
    seen: list[str] = []

    def loader(package: Path, units: str) -> str:
        seen.append(units)
        warnings.warn("some deprecation", DeprecationWarning, stacklevel=1)
        return "model"

    assert load_for_prediction(Path("m.mlpackage"), "CPU_AND_NE", loader=loader) == "model"
    assert seen == ["CPU_AND_NE"]


class _Model:
    def __init__(self, outputs: dict[str, Any]) -> None:
        self.outputs = outputs
        self.fed: dict[str, Any] = {}

    def predict(self, inputs: dict[str, Any]) -> dict[str, Any]:
        self.fed = inputs
        return self.outputs


def test_parity_report_compares_every_output_by_name() -> None:
    ref = np.array([[1.0, 2.0]], dtype=np.float32)
    model = _Model({"logits": ref + 0.5})
    report = parity_report(
        model, ["x"], [np.ones((1, 2))], ["logits", "hidden"], [ref, ref], atol=1e-4, rtol=0
    )
    assert list(model.fed) == ["x"]
    assert report["status"] == "ran"
    assert report["missing_outputs"] == ["hidden"]
    [logits] = report["outputs"]
    assert logits["name"] == "logits"
    assert logits["violations"] == 2
    assert logits["max_abs_err"] == pytest.approx(0.5)


def test_predict_crash_is_unavailable() -> None:
    class Broken:
        def predict(self, inputs: dict[str, Any]) -> dict[str, Any]:
            raise RuntimeError("Unable to load CoreML.framework. Cannot make predictions.")

    with pytest.raises(PredictorUnavailable, match="Cannot make predictions"):
        parity_report(Broken(), ["x"], [np.ones(1)], ["y"], [np.ones(1)], atol=1, rtol=1)
