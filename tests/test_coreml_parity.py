"""Parity metrics on plain arrays: the numbers the macOS job turns into findings."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gates.checks.coreml.parity import argmax_agreement, compare_output, cosine_similarity


def test_identical_outputs_have_no_error() -> None:
    ref = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]], dtype=np.float32)
    parity = compare_output("y", ref, ref.copy(), atol=1e-4, rtol=1e-5)
    assert parity.violations == 0
    assert parity.max_abs_err == 0.0
    assert parity.max_rel_err == 0.0
    assert parity.cosine == 1.0
    assert parity.argmax_agreement == 1.0
    assert parity.elements == 6
    assert parity.shape_mismatch is None


def test_exact_errors_and_tolerance_rule() -> None:
    ref = np.array([1.0, 2.0, -4.0, 0.0])
    got = np.array([1.1, 2.0, -4.5, 0.001])
    parity = compare_output("y", ref, got, atol=0.01, rtol=0.1)
    # |d| = [0.1, 0, 0.5, 0.001]; bound = 0.01 + 0.1*|ref| = [0.11, 0.21, 0.41, 0.01]
    assert parity.violations == 1
    assert parity.max_abs_err == pytest.approx(0.5)
    # relative error only where |ref| > atol: 0.1/1, 0/2, 0.5/4
    assert parity.max_rel_err == pytest.approx(0.125)
    dot = 1 * 1.1 + 2 * 2 + 16 * 1.125
    expected_cos = dot / (math.sqrt(21) * math.sqrt(1.1**2 + 4 + 4.5**2 + 0.001**2))
    assert parity.cosine == pytest.approx(expected_cos, abs=1e-12)


def test_near_zero_references_do_not_blow_up_the_relative_error() -> None:
    parity = compare_output("y", np.array([1e-9, 2.0]), np.array([1e-3, 2.0]), atol=1e-2, rtol=0.0)
    assert parity.max_rel_err == 0.0
    assert parity.violations == 0


def test_nan_in_core_ml_output_is_a_violation_and_matching_nan_is_not() -> None:
    ref = np.array([1.0, np.nan, np.inf])
    got = np.array([np.nan, np.nan, np.inf])
    parity = compare_output("y", ref, got, atol=1e-4, rtol=0.0)
    assert parity.violations == 1
    assert parity.max_abs_err == 0.0  # no finite pair differs


def test_shape_mismatch_is_reported_not_broadcast() -> None:
    parity = compare_output("y", np.zeros((2, 3)), np.zeros((3, 2)), atol=1.0, rtol=1.0)
    assert parity.shape_mismatch == "torch shape [2, 3], Core ML shape [3, 2]"
    assert parity.violations == 6


def test_cosine_edge_cases() -> None:
    assert cosine_similarity([0.0, 0.0], [0.0, 0.0]) == 1.0
    assert cosine_similarity([0.0, 0.0], [1.0, 0.0]) == 0.0
    assert cosine_similarity([1.0, 0.0], [-1.0, 0.0]) == -1.0
    assert cosine_similarity([3.0, 4.0], [4.0, 3.0]) == pytest.approx(24 / 25)


def test_argmax_agreement_counts_rows() -> None:
    ref = np.array([[0.1, 0.9, 0.0], [0.8, 0.1, 0.1], [0.2, 0.3, 0.5], [0.0, 0.0, 1.0]])
    got = ref.copy()
    got[1] = [0.1, 0.8, 0.1]  # argmax moves from 0 to 1
    assert argmax_agreement(ref, got) == 0.75


def test_argmax_agreement_is_undefined_without_classes() -> None:
    assert argmax_agreement(np.float32(1.0), np.float32(1.0)) is None
    assert argmax_agreement(np.zeros((4, 1)), np.zeros((4, 1))) is None


def test_fp16_rounding_stays_inside_the_fp16_defaults() -> None:
    rng = np.random.default_rng(0)
    ref = rng.normal(size=(8, 10)).astype(np.float32)
    half = ref.astype(np.float16).astype(np.float32)
    assert compare_output("y", ref, half, atol=1e-2, rtol=1e-2).violations == 0
    assert compare_output("y", ref, half, atol=1e-4, rtol=1e-5).violations > 0
