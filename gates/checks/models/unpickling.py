"""MS201-MS204: the pickle family (pickle, dill, cloudpickle, joblib, shelve, pandas, numpy)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gates.checks.models.calls import FileContext, Hit, argument, arguments, describe, is_constant

_PICKLE_MODULES = ("pickle", "cPickle", "_pickle", "dill", "cloudpickle", "dill._dill")
UNPICKLERS = frozenset(
    {f"{m}.{f}" for m in _PICKLE_MODULES for f in ("load", "loads", "Unpickler")}
    | {
        "joblib.load",
        "sklearn.externals.joblib.load",
        "jsonpickle.decode",
        "jsonpickle.unpickler.decode",
        "jsonpickle.unpickler.Unpickler",
        "torch.serialization.pickle.load",
    }
)
SHELVES = frozenset({"shelve.open", "shelve.DbfilenameShelf", "shelve.Shelf", "shelve.BsdDbShelf"})
PANDAS = frozenset({"pandas.read_pickle", "pandas.io.pickle.read_pickle"})
NUMPY_LOADS = frozenset({"numpy.load"})


def check_pickles(call: ast.Call, qual: str | None, ctx: FileContext) -> Iterator[Hit]:
    if qual is None:
        return
    if qual in UNPICKLERS:
        if _round_trip(call, ctx) or _restricted(call, ctx):
            return
        yield Hit("MS201", call, f"{qual} unpickles its input, which runs any code the data asks for")
    elif qual in SHELVES:
        yield Hit("MS202", call, f"{qual}: every value read from a shelf is unpickled")
    elif qual in PANDAS:
        yield Hit("MS203", call, f"{qual} unpickles the file; store data as Parquet, CSV or Feather")
    elif qual in NUMPY_LOADS:
        args = arguments(call, ctx.names)
        allow = argument(call, args, "allow_pickle", 2)
        if allow is None:
            # numpy.load refuses pickles unless told otherwise (since 1.16.3): a wrapper passing
            # its caller's **kwargs on leaves that decision to the caller, as it was.
            return
        if not is_constant(ctx.names.value(allow), False):
            yield Hit(
                "MS204",
                call,
                f"{qual} with allow_pickle={describe(allow)} unpickles object arrays; "
                "keep allow_pickle=False",
            )


_PICKLERS = frozenset(
    {f"{m}.dumps" for m in _PICKLE_MODULES} | {"jsonpickle.encode", "jsonpickle.pickler.encode"}
)


def _round_trip(call: ast.Call, ctx: FileContext) -> bool:
    """``pickle.loads(pickle.dumps(x))`` (or ``b = pickle.dumps(x)`` bound once, then
    ``pickle.loads(b)``): the bytes are this process's own pickling of an object it already
    holds, which a picklability test does; no data from outside is unpickled."""
    if len(call.args) != 1 or call.keywords:
        return False
    data = call.args[0]
    if isinstance(data, ast.Name) and data.id not in ctx.names.uncertain:
        data = ctx.names.exprs.get(data.id, data)
    return isinstance(data, ast.Call) and ctx.names.qualname(data.func) in _PICKLERS


def _restricted(call: ast.Call, ctx: FileContext) -> bool:
    """``R(f).load()`` where ``class R(pickle.Unpickler)`` overrides ``find_class`` to refuse
    what it does not allow: the mitigation Python's documentation gives. Its allowlist is the
    code to review; the call does not run whatever the data names."""
    return isinstance(call.func, ast.Name) and call.func.id in ctx.names.restricted
