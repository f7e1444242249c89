"""Naming the unsupported op from coremltools 9's messages (texts recorded from real runs)."""

from __future__ import annotations

from gates.checks.coreml.failures import unsupported_op


def test_logged_op_and_location_win() -> None:
    log = ["", "\n\nERROR - converting 'linalg_det' op (located at: 'head/det'):\n"]
    message = "NotImplementedError: PyTorch convert function for op 'linalg_det' not implemented."
    assert unsupported_op(message, log) == ("linalg_det", "head/det")


def test_trace_path_message_without_log() -> None:
    message = "NotImplementedError: PyTorch convert function for op 'erfinv' not implemented."
    assert unsupported_op(message) == ("erfinv", None)


def test_export_path_message() -> None:
    message = "NotImplementedError: Unsupported fx node linalg_svd, kind linalg_svd"
    assert unsupported_op(message) == ("linalg_svd", None)


def test_lowering_message() -> None:
    message = (
        "NotImplementedError: For non-const input, the lowering for Torch `linalg_inv` op is not supported"
    )
    assert unsupported_op(message) == ("linalg_inv", None)


def test_arity_message_of_export_path() -> None:
    assert unsupported_op("ValueError: node fft_fft (fft_fft) got 1 input(s), expected [4]") == (
        "fft_fft",
        None,
    )


def test_failure_not_about_an_op() -> None:
    assert unsupported_op("ValueError: BlobWriter not loaded", ["Converting PyTorch Frontend"]) == (
        None,
        None,
    )
