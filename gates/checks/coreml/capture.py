"""Capturing a torch model as a graph coremltools can read: TorchScript trace or torch.export."""

from __future__ import annotations

from typing import Any, Literal


class CaptureError(Exception):
    """torch could not capture the model; the message is torch's."""


def capture(model: Any, inputs: tuple[Any, ...], how: Literal["trace", "export"]) -> Any:
    import torch

    try:
        with torch.no_grad():
            if how == "trace":
                return torch.jit.trace(model, inputs)  # type: ignore[no-untyped-call]
            return export_for_coreml(model, inputs)
    except Exception as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise CaptureError(
            f"torch.{'jit.trace' if how == 'trace' else 'export'} failed: {type(exc).__name__}: {first_line}"
        ) from None


def export_for_coreml(model: Any, inputs: tuple[Any, ...]) -> Any:
    """torch.export, lowered to the ATEN dialect when torch hands back another one.

    Since torch 2.9 ``torch.export.export`` returns the TRAINING dialect, which coremltools
    rejects ("only ATEN or EDGE dialect"); ``run_decompositions({})`` lowers it without
    decomposing the ops coremltools knows.
    """
    import torch

    program = torch.export.export(model, inputs)
    if getattr(program, "dialect", "ATEN") not in ("ATEN", "EDGE"):
        program = program.run_decompositions({})
    return program
