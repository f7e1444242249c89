"""A cache of validated policies, so hooks do not pay for building every pydantic validator.

Building the validators of the whole policy model takes longer than a pre-commit hook
may. A policy that validated once is stored as JSON under the user's cache directory,
keyed by the policy text, the ml-gates version and the source of the policy models; a
hit rebuilds the models with ``model_construct`` (no validation needed: the same text
already passed the same models). Anything unexpected in the cache is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import types
import typing
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from gates import __version__
from gates.fsutil import atomic_write_text

CACHE_FORMAT = 1
_POLICY_SOURCES = Path(__file__).resolve().parent


def cache_dir() -> Path | None:
    """Where cached policies live; None when caching is switched off (GATES_NO_CACHE=1)."""
    if os.environ.get("GATES_NO_CACHE"):
        return None
    explicit = os.environ.get("GATES_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ml-gates" / "policy"


def _models_fingerprint() -> bytes:
    digest = hashlib.sha256()
    for source in sorted(_POLICY_SOURCES.rglob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.digest()


def cache_key(text: str) -> str:
    digest = hashlib.sha256()
    digest.update(f"{CACHE_FORMAT}\0{__version__}\0".encode())
    digest.update(_models_fingerprint())
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()


def read(model: type[BaseModel], text: str) -> tuple[BaseModel, dict[str, Any]] | None:
    """The cached policy for ``text`` and its stored extras, or None on a miss."""
    directory = cache_dir()
    if directory is None:
        return None
    path = directory / f"{cache_key(text)}.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        return construct(model, stored["policy"]), stored["extras"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write(policy: BaseModel, text: str, extras: dict[str, Any]) -> None:
    directory = cache_dir()
    if directory is None:
        return
    body = {"policy": policy.model_dump(mode="json"), "extras": extras}
    # A read-only home must not break a run; the next run simply validates again.
    with contextlib.suppress(OSError):
        atomic_write_text(directory / f"{cache_key(text)}.json", json.dumps(body))


def construct(model: type[BaseModel], data: Any) -> BaseModel:
    if not isinstance(data, dict):
        raise TypeError(f"expected a mapping for {model.__name__}")
    values = {
        name: _value(info.annotation, data[name]) for name, info in model.model_fields.items() if name in data
    }
    return model.model_construct(**values)


def _value(annotation: Any, raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return construct(annotation, raw)
        if issubclass(annotation, Enum):
            return annotation(raw)
        if annotation is date:
            return date.fromisoformat(raw)
        if annotation is Path:
            return Path(raw)
        if annotation is tuple:
            return tuple(raw)
        return raw
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _value(args[0], raw)
    if origin in (list, set, frozenset, tuple):
        inner = args[0] if args else Any
        items = [_value(inner, item) for item in raw]
        return origin(items) if origin is not list else items
    if origin is dict:
        inner = args[1] if len(args) == 2 else Any
        return {key: _value(inner, item) for key, item in raw.items()}
    if origin in (typing.Union, types.UnionType):
        return _union_value(args, raw)
    return raw


def _union_value(args: tuple[Any, ...], raw: Any) -> Any:
    candidates = [a for a in args if a is not type(None)]
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel) and isinstance(raw, dict):
            return construct(candidate, raw)
        if candidate is date and isinstance(raw, str):
            return date.fromisoformat(raw)
    if len(candidates) == 1:
        return _value(candidates[0], raw)
    return raw
