"""The factory contract and the capture step, in-process with real torch."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from gates.checks.coreml.capture import CaptureError, capture, export_for_coreml  # noqa: E402
from gates.checks.coreml.factory import FactoryError, build_model, split_factory  # noqa: E402

FACTORIES = """\
import torch


class Two(torch.nn.Module):
    def forward(self, tokens, mask=None):
        return tokens * 2, (tokens * mask).sum(-1)


def dict_inputs():
    return Two(), {"mask": torch.ones(2, 3), "tokens": torch.randn(2, 3)}


def positional():
    return Two(), [torch.randn(2, 3), torch.ones(2, 3)]


def single_tensor():
    return torch.nn.Linear(3, 2).train(), torch.randn(1, 3)


def unknown_key():
    return Two(), {"tokens": torch.ones(1), "extra": torch.ones(1)}


def not_tensor():
    return Two(), ([1.0, 2.0], torch.ones(1))


def fails_on_inputs():
    return torch.nn.Linear(3, 2), torch.randn(1, 4)


class Dicty(torch.nn.Module):
    def forward(self, x):
        return {"y": x}


def dict_output():
    return Dicty(), torch.ones(1)


def no_inputs():
    return Two(), ()
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One project for the module: build_model imports it once and puts its root on sys.path."""
    project = tmp_path_factory.mktemp("factories")
    package = project / "proj_factories_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(FACTORIES)
    yield project
    for name in [m for m in sys.modules if m.startswith("proj_factories_pkg")]:
        del sys.modules[name]
    if str(project) in sys.path:
        sys.path.remove(str(project))


def _spec(name: str) -> str:
    return f"proj_factories_pkg.models:{name}"


def test_split_factory() -> None:
    assert split_factory("a.b:c") == ("a.b", "c")
    with pytest.raises(FactoryError, match=r"is not 'pkg\.module:function'"):
        split_factory("a.b")


def test_dict_inputs_follow_forward_parameter_order(root: Path) -> None:
    built = build_model(_spec("dict_inputs"), root)
    assert built.input_names == ["tokens", "mask"]
    assert [tuple(t.shape) for t in built.outputs] == [(2, 3), (2,)]
    assert built.source == "proj_factories_pkg/models.py"


def test_positional_inputs_take_parameter_names(root: Path) -> None:
    assert build_model(_spec("positional"), root).input_names == ["tokens", "mask"]


def test_single_tensor_and_eval_mode(root: Path) -> None:
    built = build_model(_spec("single_tensor"), root)
    assert built.input_names == ["input"]
    assert built.model.training is False


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        ("unknown_key", "example input 'extra' is not a parameter of forward(tokens, mask)"),
        ("not_tensor", "example input 'tokens' is a list of 2 item(s), not a tensor"),
        ("fails_on_inputs", "fails on its own example inputs: RuntimeError"),
        ("dict_output", "returns a builtins.dict; forward must return a tensor or a tuple/list of tensors"),
        ("no_inputs", "returned no example inputs"),
    ],
)
def test_contract_violations(root: Path, factory: str, message: str) -> None:
    with pytest.raises(FactoryError) as caught:
        build_model(_spec(factory), root)
    assert message in str(caught.value)


def test_export_is_lowered_to_aten() -> None:
    program = export_for_coreml(torch.nn.Linear(2, 2).eval(), (torch.randn(1, 2),))
    assert program.dialect == "ATEN"


def test_trace_failure_is_a_capture_error() -> None:
    class ReturnsNone(torch.nn.Module):
        def forward(self, x):  # type: ignore[no-untyped-def]
            return None

    with pytest.raises(CaptureError, match=r"^torch.jit.trace failed: "):
        capture(ReturnsNone().eval(), (torch.ones(1),), "trace")
