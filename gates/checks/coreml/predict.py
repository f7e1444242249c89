"""Predicting with the saved package (macOS only) and comparing with torch's outputs."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from gates.checks.coreml.parity import compare_output

# coremltools only warns when it cannot load a model for prediction; we treat it as a failure.
PREDICT_WARNING = "You will not be able to run predict()"

Loader = Callable[[Path, str], Any]


class PredictorUnavailable(Exception):
    """Core ML cannot run this package here; the message says why."""


def prediction_unavailable_reason(platform: str = sys.platform) -> str | None:
    """Why prediction cannot run on this host, or None when it can be attempted."""
    if platform != "darwin":
        return "needs macOS"
    return None


def _coremltools_loader(package: Path, compute_units: str) -> Any:
    import coremltools as ct

    return ct.models.MLModel(str(package), compute_units=ct.ComputeUnit[compute_units])


def load_for_prediction(package: Path, compute_units: str, loader: Loader = _coremltools_loader) -> Any:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = loader(package, compute_units)
        except Exception as exc:
            raise PredictorUnavailable(f"loading the package failed: {type(exc).__name__}: {exc}") from None
    for warning in caught:
        text = str(warning.message)
        if PREDICT_WARNING in text:
            raise PredictorUnavailable(" ".join(text.split())[:500])
    return model


def parity_report(
    model: Any,
    input_names: Sequence[str],
    inputs: Sequence[Any],
    output_names: Sequence[str],
    references: Sequence[Any],
    *,
    atol: float,
    rtol: float,
) -> dict[str, Any]:
    """Predict once on the example inputs and measure every output against torch's."""
    try:
        predicted = model.predict(dict(zip(input_names, inputs, strict=True)))
    except Exception as exc:
        raise PredictorUnavailable(f"predict() failed: {type(exc).__name__}: {exc}") from None
    outputs: list[dict[str, Any]] = []
    missing = [name for name in output_names if name not in predicted]
    for name, reference in zip(output_names, references, strict=True):
        if name in predicted:
            outputs.append(compare_output(name, reference, predicted[name], atol=atol, rtol=rtol).to_dict())
    return {"status": "ran", "outputs": outputs, "missing_outputs": missing}
