"""Policy models to JSON-ready data and back, without pydantic.

The cache stores a validated policy this way, the Core ML gate hands its models to a
worker process this way, and ``gates policy show`` prints it. ``from_plain`` trusts its
input: it only ever reads data that ``to_plain`` wrote from an already validated policy.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date
from typing import Any, TypeVar

_Model = TypeVar("_Model")


def yaml_key(spec: dataclasses.Field[Any]) -> str:
    """The key a field has in ``policy.yaml`` (``from`` for the field ``source``, say)."""
    return str(spec.metadata.get("alias", spec.name))


def to_plain(value: Any, *, yaml_keys: bool = False) -> Any:
    """Dataclasses become dicts, dates ISO strings; ``yaml_keys`` writes keys as in the file."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            (yaml_key(spec) if yaml_keys else spec.name): to_plain(
                getattr(value, spec.name), yaml_keys=yaml_keys
            )
            for spec in dataclasses.fields(value)
        }
    if isinstance(value, (list, tuple)):
        return [to_plain(item, yaml_keys=yaml_keys) for item in value]
    if isinstance(value, dict):
        return {key: to_plain(item, yaml_keys=yaml_keys) for key, item in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    return value


def from_plain(model: type[_Model], data: Any) -> _Model:
    """Rebuild ``model`` from what ``to_plain`` wrote; a shape it did not write raises TypeError."""
    if not isinstance(data, dict):
        raise TypeError(f"expected a mapping for {model.__name__}")
    hints = _field_types(model)
    return model(**{name: _value(hints[name], raw) for name, raw in data.items() if name in hints})


_FIELD_TYPES: dict[type[Any], dict[str, Any]] = {}


def _field_types(model: type[Any]) -> dict[str, Any]:
    # get_type_hints evaluates every annotation string: once per model is enough.
    if model not in _FIELD_TYPES:
        hints = typing.get_type_hints(model)
        _FIELD_TYPES[model] = {spec.name: hints[spec.name] for spec in dataclasses.fields(model)}
    return _FIELD_TYPES[model]


def _value(annotation: Any, raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(annotation, type):
        if dataclasses.is_dataclass(annotation):
            return from_plain(annotation, raw)
        if annotation is date:
            return date.fromisoformat(raw)
        return raw
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is list:
        return [_value(args[0], item) for item in raw]
    if origin is dict:
        return {key: _value(args[1], item) for key, item in raw.items()}
    if origin in (typing.Union, types.UnionType):
        # Optional[X] is the only union the policy uses.
        (inner,) = (arg for arg in args if arg is not type(None))
        return _value(inner, raw)
    return raw
