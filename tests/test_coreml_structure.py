"""Comparing the package's inputs/outputs with torch's."""

from __future__ import annotations

from gates.checks.coreml.structure import expected_coreml_dtype, io_problems


def _spec(name: str, shape: list[int], dtype: str) -> dict[str, object]:
    return {"name": name, "kind": "multiArrayType", "shape": shape, "dtype": dtype}


def test_matching_io_has_no_problem() -> None:
    expected = [{"name": "x", "shape": [2, 8], "dtype": "torch.float32"}]
    assert io_problems("input", expected, [_spec("x", [2, 8], "FLOAT32")]) == []


def test_int64_is_expected_as_int32() -> None:
    assert expected_coreml_dtype("torch.int64") == "INT32"
    expected = [{"name": "ids", "shape": [1, 5], "dtype": "torch.int64"}]
    assert io_problems("input", expected, [_spec("ids", [1, 5], "INT32")]) == []


def test_each_difference_is_one_sentence() -> None:
    expected = [
        {"name": "x", "shape": [2, 8], "dtype": "torch.float32"},
        {"name": "mask", "shape": [2], "dtype": "torch.float32"},
    ]
    actual = [_spec("x", [2, 4], "FLOAT16")]
    assert io_problems("input", expected, actual) == [
        "input names differ: torch ['x', 'mask'], Core ML ['x']",
        "input 'x' shape differs: torch [2, 8], Core ML [2, 4]",
        "input 'x' dtype differs: torch torch.float32 should be FLOAT32, Core ML has FLOAT16",
    ]


def test_renamed_output_and_non_array_feature() -> None:
    expected = [{"name": "output", "shape": [1], "dtype": "torch.float32"}]
    assert io_problems("output", expected, [_spec("var_10", [1], "FLOAT32")]) == [
        "output names differ: torch ['output'], Core ML ['var_10']"
    ]
    image = [{"name": "output", "kind": "imageType", "shape": None, "dtype": None}]
    assert io_problems("output", expected, image) == [
        "output 'output' is a Core ML imageType, not a multi-array"
    ]


def test_unknown_torch_dtype() -> None:
    expected = [{"name": "z", "shape": [1], "dtype": "torch.complex64"}]
    assert io_problems("output", expected, [_spec("z", [1], "FLOAT32")]) == [
        "output 'z' has torch dtype torch.complex64, which Core ML cannot hold"
    ]
