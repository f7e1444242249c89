"""Loaders handed over as functions, to be called later by someone else.

``executor.submit(torch.load, path)`` and ``map(pickle.load, files)`` call the loader where no
call to it is written, so the rules that read a loader's call never see one (olmo's sharded
checkpoints load so). The function is looked at where it is handed over: MS101 unless the
keywords that go with it (``submit``'s, or a ``functools.partial``'s) hold ``weights_only=True``;
MS201 for the pickle family, which nothing makes safe.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gates.checks.models.calls import FileContext, Hit, arguments, is_constant, short_name
from gates.checks.models.torch_load import TORCH_LOADS
from gates.checks.models.unpickling import UNPICKLERS

# Callers that call their first argument later (run_in_executor: its second), and whether they
# pass their own keywords on to it.
_CALLERS = {
    "submit": (0, True),
    "apply_async": (0, False),
    "apply": (0, False),
    "map": (0, False),
    "imap": (0, False),
    "imap_unordered": (0, False),
    "map_async": (0, False),
    "starmap": (0, False),
    "run_in_executor": (1, False),
}


def check_deferred(call: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    caller = short_name(call)
    if caller not in _CALLERS:
        return
    position, passes_keywords = _CALLERS[caller]
    if len(call.args) <= position:
        return
    function = call.args[position]
    if not isinstance(function, ast.Name | ast.Attribute):
        return
    for qual in ctx.names.qualnames(function):
        if qual in UNPICKLERS:
            yield Hit("MS201", function, f"{qual} handed to {caller}() unpickles what it is given")
            return
        if qual in TORCH_LOADS:
            # As if called with the keywords that go with it (a partial's are merged in by arguments()).
            handed = ast.Call(func=function, args=[], keywords=call.keywords if passes_keywords else [])
            given = arguments(handed, ctx.names).keywords
            if not is_constant(ctx.names.value(given.get("weights_only")), True):
                yield Hit(
                    "MS101",
                    function,
                    f"{qual} handed to {caller}() loads without weights_only=True, which can run code "
                    "hidden in the checkpoint; pass functools.partial(torch.load, weights_only=True)",
                )
            return
