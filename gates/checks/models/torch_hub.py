"""MS501/MS502: torch.hub runs downloaded code and fetches unverified checkpoints."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gates.checks.models.calls import FileContext, Hit, argument, arguments, describe, is_constant
from gates.checks.models.torch_load import HUB_STATE_LOADS

HUB_LOADS = frozenset({"torch.hub.load", "torch.hub.list", "torch.hub.help"})
DOWNLOADS = frozenset({"torch.hub.download_url_to_file"})


def check_torch_hub(call: ast.Call, qual: str | None, ctx: FileContext) -> Iterator[Hit]:
    if qual in HUB_LOADS:
        yield from _hub_load(call, qual, ctx)
    elif qual in HUB_STATE_LOADS:
        args = arguments(call, ctx.names)
        check_hash = argument(call, args, "check_hash", 4)
        if not is_constant(ctx.names.value(check_hash), True):
            given = f"with check_hash={describe(check_hash)}" if check_hash else "without check_hash=True"
            yield Hit(
                "MS502",
                call,
                f"{qual} {given}: pass check_hash=True and a file name carrying the SHA-256 prefix",
            )
    elif qual in DOWNLOADS:
        args = arguments(call, ctx.names)
        hash_prefix = argument(call, args, "hash_prefix", 2)
        value = ctx.names.value(hash_prefix)
        if hash_prefix is None or value is None:
            yield Hit("MS502", call, f"{qual} without hash_prefix: the download is not verified")


def _hub_load(call: ast.Call, qual: str, ctx: FileContext) -> Iterator[Hit]:
    args = arguments(call, ctx.names)
    source = ctx.names.value(argument(call, args, "source", None))
    if source == "local":
        return  # hubconf.py from this repository: no downloaded code runs
    trust = argument(call, args, "trust_repo", None)
    if trust is None and args.opaque_star:
        return
    value = ctx.names.value(trust)
    if is_constant(value, True) or value == "check":
        return
    shown = describe(trust) if trust is not None else "missing"
    yield Hit(
        "MS501",
        call,
        f"{qual} runs the repository's hubconf.py; trust_repo is {shown}: "
        "pin 'owner/repo:<commit>' and pass trust_repo=True after review",
    )
