"""pydantic's side of the policy: validating plain data into the policy models, and their schema.

Only a policy that is not in the cache needs this module, so only such a run imports pydantic.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

_Model = TypeVar("_Model")

__all__ = ["ValidationError", "json_schema", "validate"]


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(model: type[Any]) -> TypeAdapter[Any]:
    # Building an adapter builds every validator below the model: do it once per model.
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(model)
    return _ADAPTERS[model]


def validate(model: type[_Model], data: Any) -> _Model:
    """``data`` checked against ``model``; raises pydantic's ValidationError."""
    result: _Model = _adapter(model).validate_python(data)
    return result


def json_schema(model: type[Any]) -> dict[str, Any]:
    return _adapter(model).json_schema(mode="validation")
