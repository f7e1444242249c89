"""A cache of validated policies, so hooks pay for neither PyYAML nor pydantic.

Parsing the YAML and validating it with pydantic takes longer than a pre-commit hook may.
A policy that validated once is stored as JSON under the user's cache directory, keyed by
the policy text, the ml-gates version and the source of the policy models; a hit rebuilds
the (plain dataclass) models from that JSON: the same text already passed the same models.
Anything unexpected in the cache is a miss. Each entry also records what it was made from
(the text's hash, version, models hash), checked on every read, so an entry copied or
renamed from another policy is a miss too; ``user_cache_dir`` refuses directories a
repository could plant one in.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from pathlib import Path
from typing import Any, TypeVar

from gates import __version__
from gates.fsutil import WriteError, atomic_write_text, user_cache_dir
from gates.policy.plain import from_plain, to_plain

CACHE_FORMAT = 3
_POLICY_SOURCES = Path(__file__).resolve().parent
_Model = TypeVar("_Model")


def cache_dir() -> Path | None:
    """Where cached policies live; None when caching is switched off (GATES_NO_CACHE=1)."""
    return user_cache_dir("policy")


@functools.cache  # read once per process: a run asks for it for the key and the binding
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


def _binding(text: str) -> dict[str, Any]:
    """What an entry describes, stored in it and compared on read."""
    return {
        "format": CACHE_FORMAT,
        "version": __version__,
        "models": _models_fingerprint().hex(),
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
    }


def read(model: type[_Model], text: str) -> tuple[_Model, dict[str, Any]] | None:
    """The cached policy for ``text`` and its stored extras, or None on a miss."""
    directory = cache_dir()
    if directory is None:
        return None
    path = directory / f"{cache_key(text)}.json"
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if stored["binding"] != _binding(text):
            return None
        return from_plain(model, stored["policy"]), stored["extras"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write(policy: object, text: str, extras: dict[str, Any]) -> None:
    directory = cache_dir()
    if directory is None:
        return
    body = {"binding": _binding(text), "policy": to_plain(policy), "extras": extras}
    # A read-only home must not break a run; the next run simply validates again.
    with contextlib.suppress(OSError, WriteError):
        atomic_write_text(directory / f"{cache_key(text)}.json", json.dumps(body))
