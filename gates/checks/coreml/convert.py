"""Converting a captured model to an ML program, saving it, and describing the saved package.

Runs only in the converter subprocess: it imports coremltools.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import field
from pathlib import Path
from typing import Any

from gates.checks.coreml.failures import unsupported_op
from gates.policy.sections.coreml import CoreMLModel
from gates.records import record


class ConversionError(Exception):
    def __init__(self, message: str, op: str | None, location: str | None) -> None:
        super().__init__(message)
        self.op = op
        self.location = location


@record
class Converted:
    package: Path
    convert_s: float
    log: list[str] = field(default_factory=list)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def collected_logs() -> Iterator[list[str]]:
    """coremltools names the failing op only in a log line, so keep its log while converting."""
    handler = _Collect()
    logger = logging.getLogger("coremltools")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def numpy_dtype(torch_dtype: Any) -> Any:
    """The dtype to declare for an input or output so Core ML keeps torch's (int64 -> int32)."""
    import numpy as np
    import torch

    if torch_dtype == torch.float16:
        return np.float16
    if torch_dtype.is_floating_point:
        return np.float32
    if torch_dtype == torch.bool:
        return np.bool_
    return np.int32


def convert_and_save(
    captured: Any,
    settings: CoreMLModel,
    input_names: list[str],
    inputs: tuple[Any, ...],
    output_names: list[str],
    outputs: tuple[Any, ...],
    package: Path,
) -> Converted:
    import coremltools as ct

    tensor_inputs = [
        ct.TensorType(name=name, shape=tuple(value.shape), dtype=numpy_dtype(value.dtype))
        for name, value in zip(input_names, inputs, strict=True)
    ]
    tensor_outputs = [
        ct.TensorType(name=name, dtype=numpy_dtype(value.dtype))
        for name, value in zip(output_names, outputs, strict=True)
    ]
    precision = ct.precision.FLOAT16 if settings.precision == "fp16" else ct.precision.FLOAT32
    started = time.perf_counter()
    with collected_logs() as log:
        try:
            mlmodel = ct.convert(
                captured,
                inputs=tensor_inputs,
                outputs=tensor_outputs,
                convert_to="mlprogram",
                minimum_deployment_target=getattr(ct.target, settings.deployment_target),
                compute_precision=precision,
                compute_units=ct.ComputeUnit[settings.compute_units],
                # Loading happens later, on macOS only, where its warnings are checked.
                skip_model_load=True,
            )
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}".strip()
            op, location = unsupported_op(message, log)
            raise ConversionError(message, op, location) from None
    convert_s = time.perf_counter() - started
    if package.exists():
        shutil.rmtree(package)
    package.parent.mkdir(parents=True, exist_ok=True)
    mlmodel.save(str(package))
    return Converted(package=package, convert_s=convert_s, log=list(log))


def describe_package(package: Path) -> dict[str, Any]:
    """Names, shapes and dtypes of the inputs and outputs, and the op counts, from the spec alone."""
    import coremltools as ct

    spec = ct.utils.load_spec(str(package))
    description = spec.description
    ops: Counter[str] = Counter()
    if spec.WhichOneof("Type") == "mlProgram":
        for function in spec.mlProgram.functions.values():
            for block in function.block_specializations.values():
                _count_ops(block, ops)
    return {
        "inputs": [_feature(f) for f in description.input],
        "outputs": [_feature(f) for f in description.output],
        "spec_version": int(spec.specificationVersion),
        "op_count": sum(n for op, n in ops.items() if op != "const"),
        "op_types": dict(sorted(ops.items())),
        "package_bytes": package_size(package),
    }


def _count_ops(block: Any, ops: Counter[str]) -> None:
    for operation in block.operations:
        ops[operation.type] += 1
        for nested in operation.blocks:  # control flow (cond, while_loop) nests blocks
            _count_ops(nested, ops)


def _feature(feature: Any) -> dict[str, Any]:
    from coremltools.proto import FeatureTypes_pb2

    kind = feature.type.WhichOneof("Type")
    if kind != "multiArrayType":
        return {"name": feature.name, "kind": kind, "shape": None, "dtype": None}
    array = feature.type.multiArrayType
    dtype = FeatureTypes_pb2.ArrayFeatureType.ArrayDataType.Name(array.dataType)
    return {"name": feature.name, "kind": kind, "shape": [int(d) for d in array.shape], "dtype": dtype}


def package_size(package: Path) -> int:
    return sum(p.stat().st_size for p in package.rglob("*") if p.is_file())
