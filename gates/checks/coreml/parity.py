"""Parity metrics between torch's outputs and Core ML's, on plain numpy arrays.

Kept free of torch and coremltools so the macOS comparison is unit-tested everywhere.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np
import numpy.typing as npt

from gates.records import frozen_record


@frozen_record
class OutputParity:
    """How far one Core ML output is from the torch reference."""

    name: str
    elements: int
    # Elements outside ``atol + rtol * |reference|`` (numpy.isclose's rule), plus non-finite
    # values that do not match a non-finite reference of the same kind.
    violations: int
    max_abs_err: float
    # Relative error over the elements whose reference magnitude exceeds ``atol``: near-zero
    # references make any relative error meaningless, and atol already governs them.
    max_rel_err: float
    cosine: float
    # Share of positions whose argmax over the last axis agrees; None when there is no axis
    # with more than one class to choose from.
    argmax_agreement: float | None
    shape_mismatch: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def compare_output(
    name: str,
    reference: npt.ArrayLike,
    candidate: npt.ArrayLike,
    *,
    atol: float,
    rtol: float,
) -> OutputParity:
    ref = np.asarray(reference, dtype=np.float64)
    got = np.asarray(candidate, dtype=np.float64)
    if ref.shape != got.shape:
        # Core ML squeezes nothing on its own; a different shape is a structural bug.
        return OutputParity(
            name=name,
            elements=int(ref.size),
            violations=int(ref.size),
            max_abs_err=0.0,
            max_rel_err=0.0,
            cosine=0.0,
            argmax_agreement=None,
            shape_mismatch=f"torch shape {list(ref.shape)}, Core ML shape {list(got.shape)}",
        )
    finite = np.isfinite(ref) & np.isfinite(got)
    same_nonfinite = ~finite & ((np.isnan(ref) & np.isnan(got)) | (ref == got))
    diff = np.zeros(ref.shape, dtype=np.float64)
    diff[finite] = np.abs(got[finite] - ref[finite])
    close = np.zeros(ref.shape, dtype=bool)
    close[finite] = diff[finite] <= atol + rtol * np.abs(ref[finite])
    close |= same_nonfinite
    max_abs = float(diff[finite].max()) if finite.any() else 0.0
    meaningful = finite & (np.abs(ref) > atol)
    max_rel = float((diff[meaningful] / np.abs(ref[meaningful])).max()) if meaningful.any() else 0.0
    return OutputParity(
        name=name,
        elements=int(ref.size),
        violations=int(ref.size - int(close.sum())),
        max_abs_err=max_abs,
        max_rel_err=max_rel,
        cosine=cosine_similarity(ref[finite], got[finite]),
        argmax_agreement=argmax_agreement(ref, got),
    )


def cosine_similarity(reference: npt.ArrayLike, candidate: npt.ArrayLike) -> float:
    """Cosine of the flattened arrays; two all-zero arrays agree (1.0), one all-zero does not (0.0)."""
    a = np.asarray(reference, dtype=np.float64).ravel()
    b = np.asarray(candidate, dtype=np.float64).ravel()
    norm_a = float(np.linalg.norm(a))
    norm_b = float(np.linalg.norm(b))
    if norm_a == 0.0 and norm_b == 0.0:
        return 1.0
    if norm_a == 0.0 or norm_b == 0.0:
        return 0.0
    # Rounding can push a perfect match a hair above 1.
    return float(min(1.0, max(-1.0, float(np.dot(a, b)) / (norm_a * norm_b))))


def argmax_agreement(reference: npt.ArrayLike, candidate: npt.ArrayLike) -> float | None:
    ref = np.asarray(reference)
    got = np.asarray(candidate)
    if ref.ndim == 0 or ref.shape[-1] < 2 or ref.shape != got.shape:
        return None
    agree = np.argmax(ref, axis=-1) == np.argmax(got, axis=-1)
    return float(np.mean(agree))
