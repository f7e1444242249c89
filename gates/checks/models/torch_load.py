"""MS101/MS102: ``torch.load`` must say ``weights_only=True`` (and torch.hub's loader too)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gates.checks.models.calls import (
    Arguments,
    FileContext,
    Hit,
    argument,
    arguments,
    describe,
    has_star_args,
    is_constant,
)

TORCH_LOADS = frozenset({"torch.load", "torch.serialization.load"})
# torch.hub downloads a checkpoint and torch.loads it with this flag.
HUB_STATE_LOADS = frozenset({"torch.hub.load_state_dict_from_url", "torch.utils.model_zoo.load_url"})
SAFE_DEFAULT_FROM = (2, 6)
# torch.load gained weights_only in 1.13; torch.hub's loaders in 2.0.
WEIGHTS_ONLY_FROM = (1, 13)
HUB_WEIGHTS_ONLY_FROM = (2, 0)
UNSAFE_FIX_NOTE = (
    "--unsafe-fixes adds weights_only=True, which refuses checkpoints holding anything but tensors "
    "and plain containers (a whole pickled model from torch.save(model), argparse.Namespace or "
    "other config objects, numpy arrays); allow-list the classes yours hold with "
    "torch.serialization.add_safe_globals([...])"
)


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
        message = f"{qual} without weights_only=True can execute code hidden in the checkpoint"
        fix, note = _fix(call, args, qual, ctx)
        safe = fix is not None and _feeds_strict_load_state_dict(call, ctx)
        if fix is not None and not safe:
            note = UNSAFE_FIX_NOTE
        yield Hit("MS101", call, f"{message}; {note}" if note else message, fix=fix, fix_safe=safe)
        return
    value = ctx.names.value(given)
    if is_constant(value, True):
        return
    yield Hit(
        "MS101",
        call,
        f"{qual} with weights_only={describe(given)}: only a constant True is safe",
    )


def _fix(call: ast.Call, args: Arguments, qual: str, ctx: FileContext) -> tuple[tuple[str, str] | None, str]:
    """The keyword --fix may add, or None and why not."""
    oldest = ctx.settings.min_torch_version
    since = HUB_WEIGHTS_ONLY_FROM if qual in HUB_STATE_LOADS else WEIGHTS_ONLY_FROM
    if oldest is not None and oldest < since:
        shown = ".".join(map(str, since))
        return None, f"no automatic fix: min_torch_version is below {shown}, which has no weights_only"
    if qual in TORCH_LOADS and argument(call, args, "pickle_module", 2) is not None:
        return None, "no automatic fix: weights_only=True cannot be combined with pickle_module="
    return ("weights_only", "True"), ""


def _feeds_strict_load_state_dict(call: ast.Call, ctx: FileContext) -> bool:
    """``m.load_state_dict(torch.load(p))``: a working program's checkpoint then holds only
    tensors (strict loading rejects any other key), which weights_only=True accepts."""
    consumer = ctx.consumers.get(id(call))
    if consumer is None or not isinstance(consumer.func, ast.Attribute):
        return False
    if consumer.func.attr != "load_state_dict" or consumer.args[0] is not call:
        return False
    consumer_args = arguments(consumer, ctx.names)
    strict = argument(consumer, consumer_args, "strict", 1)
    if consumer_args.opaque_star or has_star_args(consumer):
        return False
    return strict is None or is_constant(ctx.names.value(strict), True)


def _bare_call_is_safe(ctx: FileContext) -> bool:
    """From torch 2.6 a bare call defaults to weights_only=True; the policy decides if that counts."""
    settings = ctx.settings
    if settings.require_explicit_weights_only or settings.min_torch_version is None:
        return False
    return settings.min_torch_version >= SAFE_DEFAULT_FROM
