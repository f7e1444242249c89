"""Loading the one factory the policy names and checking what it returns.

The contract (docs/gates/coreml.md): ``pkg.module:function`` is importable from the repository
root; the function takes no arguments and returns ``(model, example_inputs)`` where ``model`` is
a ``torch.nn.Module`` and ``example_inputs`` is a tensor, a tuple/list of tensors (positional
arguments of ``forward``) or a dict of tensors keyed by ``forward``'s parameter names.
``forward`` must return a tensor or a tuple/list of tensors.

Runs only in the converter subprocess (it imports torch and the project's factory module).
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gates.records import record


class FactoryError(Exception):
    """The factory cannot be imported or does not keep the contract; the message says what to fix."""


@record
class BuiltModel:
    model: Any  # torch.nn.Module in eval mode
    input_names: list[str]
    inputs: tuple[Any, ...]  # example tensors, in forward's parameter order
    outputs: tuple[Any, ...]  # torch's reference outputs on the example inputs
    source: str | None  # repository-relative file defining the factory, when known


def split_factory(spec: str) -> tuple[str, str]:
    module, sep, function = spec.partition(":")
    if not sep or not module or not function:
        raise FactoryError(f"factory {spec!r} is not 'pkg.module:function'")
    return module, function


def load_factory(spec: str, root: Path) -> Callable[[], Any]:
    """Import the named module with the repository root first on sys.path; nothing else."""
    module_name, function_name = split_factory(spec)
    root_entry = str(root)
    if root_entry not in sys.path:
        sys.path.insert(0, root_entry)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # the project's module may raise anything while importing
        raise FactoryError(
            f"cannot import {module_name!r} for factory {spec!r}: {type(exc).__name__}: {exc}"
        ) from None
    function = getattr(module, function_name, None)
    if function is None:
        raise FactoryError(f"module {module_name!r} has no attribute {function_name!r} (factory {spec!r})")
    if not callable(function):
        raise FactoryError(f"factory {spec!r} is not callable (it is a {type(function).__name__})")
    return function  # type: ignore[no-any-return]


def build_model(spec: str, root: Path) -> BuiltModel:
    import torch

    factory = load_factory(spec, root)
    try:
        returned = factory()
    except Exception as exc:
        raise FactoryError(f"factory {spec!r} raised {type(exc).__name__}: {exc}") from None
    if not (isinstance(returned, tuple | list) and len(returned) == 2):
        raise FactoryError(
            f"factory {spec!r} must return (model, example_inputs); it returned {_describe(returned)}"
        )
    model, example = returned
    if not isinstance(model, torch.nn.Module):
        raise FactoryError(
            f"factory {spec!r} returned {_describe(model)} as the model; expected a torch.nn.Module"
        )
    model = model.eval()
    names, inputs = _arrange_inputs(spec, model, example)
    with torch.no_grad():
        try:
            produced = model(*inputs)
        except Exception as exc:
            raise FactoryError(
                f"the model from {spec!r} fails on its own example inputs: {type(exc).__name__}: {exc}"
            ) from None
    outputs = _flatten_outputs(spec, produced)
    return BuiltModel(model, names, inputs, outputs, _source_of(factory, root))


def _arrange_inputs(spec: str, model: Any, example: Any) -> tuple[list[str], tuple[Any, ...]]:
    import torch

    parameters = [
        p
        for p in inspect.signature(model.forward).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if isinstance(example, torch.Tensor):
        example = (example,)
    if isinstance(example, dict):
        known = [p.name for p in parameters]
        unknown = [k for k in example if k not in known]
        if unknown:
            raise FactoryError(
                f"factory {spec!r}: example input {unknown[0]!r} is not a parameter of "
                f"forward({', '.join(known)})"
            )
        names = [n for n in known if n in example]
        values = tuple(example[n] for n in names)
    elif isinstance(example, tuple | list):
        values = tuple(example)
        names = [p.name for p in parameters[: len(values)]]
        names += [f"input_{i}" for i in range(len(names), len(values))]
    else:
        raise FactoryError(
            f"factory {spec!r}: example_inputs must be a tensor, a tuple/list of tensors or a dict of "
            f"tensors; got {_describe(example)}"
        )
    if not values:
        raise FactoryError(f"factory {spec!r} returned no example inputs")
    for name, value in zip(names, values, strict=True):
        if not isinstance(value, torch.Tensor):
            raise FactoryError(
                f"factory {spec!r}: example input {name!r} is {_describe(value)}, not a tensor"
            )
    return names, values


def _flatten_outputs(spec: str, produced: Any) -> tuple[Any, ...]:
    import torch

    outputs = (produced,) if isinstance(produced, torch.Tensor) else produced
    if not (
        isinstance(outputs, tuple | list) and outputs and all(isinstance(o, torch.Tensor) for o in outputs)
    ):
        raise FactoryError(
            f"the model from {spec!r} returns {_describe(produced)}; forward must return a tensor "
            "or a tuple/list of tensors"
        )
    return tuple(o.detach() for o in outputs)


def _describe(value: Any) -> str:
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of {len(value)} item(s)"
    return f"a {type(value).__module__}.{type(value).__qualname__}"


def _source_of(function: Callable[..., Any], root: Path) -> str | None:
    try:
        path = Path(inspect.getfile(function)).resolve()
        return path.relative_to(root.resolve()).as_posix()
    except (TypeError, ValueError, OSError):
        return None
