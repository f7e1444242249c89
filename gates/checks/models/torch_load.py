"""MS101/MS102: ``torch.load`` must say ``weights_only=True`` (and torch.hub's loader too)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gates.checks.models.calls import FileContext, Hit, argument, arguments, describe, is_constant

TORCH_LOADS = frozenset({"torch.load", "torch.serialization.load"})
# torch.hub downloads a checkpoint and torch.loads it with this flag.
HUB_STATE_LOADS = frozenset({"torch.hub.load_state_dict_from_url", "torch.utils.model_zoo.load_url"})
SAFE_DEFAULT_FROM = (2, 6)


def check_torch_load(call: ast.Call, qual: str | None, ctx: FileContext) -> Iterator[Hit]:
    if qual not in TORCH_LOADS and qual not in HUB_STATE_LOADS:
        return
    position = 6 if qual in HUB_STATE_LOADS else None
    args = arguments(call, ctx.names)
    given = argument(call, args, "weights_only", position)
    if given is None:
        if args.opaque_star:
            yield Hit(
                "MS102", call, f"{qual} gets weights_only only through **kwargs; pass weights_only=True"
            )
            return
        if _bare_call_is_safe(ctx) and qual in TORCH_LOADS:
            return
        yield Hit(
            "MS101",
            call,
            f"{qual} without weights_only=True can execute code hidden in the checkpoint",
            fix=("weights_only", "True"),
        )
        return
    value = ctx.names.value(given)
    if is_constant(value, True):
        return
    yield Hit(
        "MS101",
        call,
        f"{qual} with weights_only={describe(given)}: only a constant True is safe",
    )


def _bare_call_is_safe(ctx: FileContext) -> bool:
    """From torch 2.6 a bare call defaults to weights_only=True; the policy decides if that counts."""
    settings = ctx.settings
    if settings.require_explicit_weights_only or settings.min_torch_version is None:
        return False
    return settings.min_torch_version >= SAFE_DEFAULT_FROM
