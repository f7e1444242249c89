"""MS801: Keras ``load_model(..., safe_mode=False)`` deserialises Lambda layers, i.e. runs code."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gates.checks.models.calls import FileContext, Hit, argument, arguments, describe, is_constant

_PREFIXES = ("keras.", "tensorflow.keras.", "tf_keras.", "tensorflow.python.keras.")
# The documented spellings; any ``<prefix>...load_model`` is checked.
LOAD_MODELS = frozenset(
    {"keras.models.load_model", "keras.saving.load_model", "tensorflow.keras.models.load_model",
     "tf_keras.models.load_model"}
)  # fmt: skip


def check_keras(call: ast.Call, qual: str | None, ctx: FileContext) -> Iterator[Hit]:
    if qual is None or not qual.startswith(_PREFIXES) or not qual.endswith(".load_model"):
        return
    args = arguments(call, ctx.names)
    safe_mode = argument(call, args, "safe_mode", 3)
    if safe_mode is None or is_constant(ctx.names.value(safe_mode), True):
        return
    yield Hit(
        "MS801",
        call,
        f"{qual} with safe_mode={describe(safe_mode)} runs code stored in Lambda layers; keep safe_mode=True",
    )
