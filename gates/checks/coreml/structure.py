"""Comparing the inputs and outputs of the saved package with those of the torch model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Core ML has no int64, bfloat16 or float64 arrays; the converter maps them as below.
_COREML_DTYPE = {
    "torch.float16": "FLOAT16",
    "torch.float32": "FLOAT32",
    "torch.float64": "FLOAT32",
    "torch.bfloat16": "FLOAT32",
    "torch.int8": "INT32",
    "torch.uint8": "INT32",
    "torch.int16": "INT32",
    "torch.int32": "INT32",
    "torch.int64": "INT32",
    "torch.bool": "INT32",
}


def expected_coreml_dtype(torch_dtype: str) -> str | None:
    return _COREML_DTYPE.get(torch_dtype)


def io_problems(kind: str, expected: Sequence[dict[str, Any]], actual: Sequence[dict[str, Any]]) -> list[str]:
    """Every difference in count, order, name, shape or dtype, one sentence each.

    ``expected`` items come from torch (name, shape, torch dtype); ``actual`` from the spec.
    """
    problems: list[str] = []
    want = [e["name"] for e in expected]
    got = [a["name"] for a in actual]
    if want != got:
        problems.append(f"{kind} names differ: torch {want}, Core ML {got}")
    by_name = {a["name"]: a for a in actual}
    for item in expected:
        found = by_name.get(item["name"])
        if found is None:
            continue
        if found.get("kind") != "multiArrayType":
            problems.append(f"{kind} {item['name']!r} is a Core ML {found.get('kind')}, not a multi-array")
            continue
        if list(found["shape"]) != list(item["shape"]):
            problems.append(
                f"{kind} {item['name']!r} shape differs: torch {list(item['shape'])}, "
                f"Core ML {found['shape']}"
            )
        dtype = expected_coreml_dtype(item["dtype"])
        if dtype is None:
            problems.append(
                f"{kind} {item['name']!r} has torch dtype {item['dtype']}, which Core ML cannot hold"
            )
        elif found["dtype"] != dtype:
            problems.append(
                f"{kind} {item['name']!r} dtype differs: torch {item['dtype']} should be {dtype}, "
                f"Core ML has {found['dtype']}"
            )
    return problems
