"""``@record`` and ``@frozen_record``: the dataclasses every plain data type in ml-gates uses.

They are ``dataclasses.dataclass`` and ``dataclass(frozen=True)`` with the same behaviour
(value equality, a field-by-field repr, read-only fields and a hash for frozen ones), but
those methods are shared functions attached to the class rather than generated for it.
Python 3.11 compiles every generated method on its own; for the ~70 classes a pre-commit
hook imports, that was ~40 ms of each run's start-up. Only ``__init__`` is generated.
"""

from __future__ import annotations

import inspect
import sys
from dataclasses import FrozenInstanceError, dataclass, field, fields
from typing import Any, TypeVar

if sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:  # pragma: no cover - Python 3.10
    from typing_extensions import dataclass_transform

_T = TypeVar("_T")

__all__ = ["dataclass_transform", "frozen_record", "record", "signature_doc", "with_value_methods"]


def _values(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, spec.name) for spec in fields(self))


def _eq(self: Any, other: object) -> Any:  # bool, or NotImplemented for other classes
    if other.__class__ is not self.__class__:
        return NotImplemented
    return bool(_values(self) == _values(other))


def _repr(self: Any) -> str:
    shown = ", ".join(f"{spec.name}={getattr(self, spec.name)!r}" for spec in fields(self))
    return f"{type(self).__qualname__}({shown})"


def _hash(self: Any) -> int:
    return hash(_values(self))


def _set_once(self: Any, name: str, value: Any) -> None:
    # __init__ (and __post_init__, for fields it derives) sets each field once; later is a bug.
    if name in self.__dict__:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    object.__setattr__(self, name, value)


def _no_delete(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def with_value_methods(cls: type[_T], *, frozen: bool) -> type[_T]:
    """Attach equality, repr and (frozen) read-only fields and hash, unless ``cls`` defines its own."""
    methods: dict[str, Any] = {"__eq__": _eq, "__repr__": _repr}
    if frozen:
        methods.update(__setattr__=_set_once, __delattr__=_no_delete, __hash__=_hash)
    else:
        methods["__hash__"] = None  # mutable and compared by value: unhashable, as dataclass makes it
    for name, method in methods.items():
        if name not in cls.__dict__ or (name == "__hash__" and cls.__dict__[name] is None):
            setattr(cls, name, method)
    return cls


def signature_doc(cls: type[Any], keyword_only: bool = False) -> None:
    """Give a class without a docstring one like dataclass's, before dataclass writes its own.

    dataclass writes it from ``inspect.signature(cls)``: ~0.1 ms a class, and for a class
    without a generated ``__init__`` a tokenize pass over object's text signature (~2 ms).
    The text starts with ``Name(`` as dataclass's does (pydantic's JSON Schema skips such a
    docstring); it lists the field names only.
    """
    if cls.__doc__:
        return
    names = ", ".join(
        dict.fromkeys([*getattr(cls, "__dataclass_fields__", {}), *inspect.get_annotations(cls)])
    )
    cls.__doc__ = f"{cls.__name__}(*, {names})" if keyword_only and names else f"{cls.__name__}({names})"


@dataclass_transform(field_specifiers=(field,))
def record(cls: type[_T]) -> type[_T]:
    """A mutable dataclass, compared by value."""
    signature_doc(cls)
    return with_value_methods(dataclass(eq=False, repr=False)(cls), frozen=False)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def frozen_record(cls: type[_T]) -> type[_T]:
    """A read-only dataclass, compared and hashed by value."""
    signature_doc(cls)
    return with_value_methods(dataclass(eq=False, repr=False)(cls), frozen=True)
