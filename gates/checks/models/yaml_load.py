"""MS601: ``yaml.load`` must use a safe loader; ``unsafe_load``/``full_load`` never do."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from gates.checks.models.calls import FileContext, Hit, argument, arguments, describe

# ruamel.yaml's old module-level API (ruamel_yaml is its conda name) loads like PyYAML's: with
# no Loader, or its Loader/UnsafeLoader, it builds any Python object (seen in BLIP's scripts).
_RUAMEL = ("ruamel.yaml", "ruamel.yaml.main", "ruamel_yaml", "ruamel_yaml.main")
LOADS = frozenset(f"{module}.{name}" for module in ("yaml", *_RUAMEL) for name in ("load", "load_all"))
ALWAYS_UNSAFE = frozenset(
    {"yaml.unsafe_load", "yaml.unsafe_load_all", "yaml.full_load", "yaml.full_load_all"}
)
_LOADER_MODULES = ("yaml", "yaml.loader", "yaml.cyaml", "ruamel.yaml", "ruamel.yaml.loader", "ruamel_yaml")
# BaseLoader builds only strings, lists and dicts: safe, though bandit flags it.
SAFE_LOADERS = frozenset(
    f"{module}.{name}"
    for module in (*_LOADER_MODULES, "ruamel_yaml.loader")
    for name in ("SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader")
)


def check_yaml(call: ast.Call, qual: str | None, ctx: FileContext) -> Iterator[Hit]:
    if qual in ALWAYS_UNSAFE:
        yield Hit("MS601", call, f"{qual} can construct arbitrary Python objects; use yaml.safe_load")
        return
    if qual not in LOADS:
        return
    args = arguments(call, ctx.names)
    loader = argument(call, args, "Loader", 1)
    if loader is None:
        if args.opaque_star:
            yield Hit(
                "MS601", call, f"{qual} may get its Loader through **kwargs; pass Loader=yaml.SafeLoader"
            )
            return
        fix = None
        if isinstance(call.func, ast.Attribute):
            fix = ("Loader", f"{ast.unparse(call.func.value)}.SafeLoader")
        yield Hit(
            "MS601", call, f"{qual} without a Loader; use yaml.safe_load or Loader=yaml.SafeLoader", fix
        )
        return
    if ctx.names.subclasses_of(SAFE_LOADERS, loader):
        return
    yield Hit(
        "MS601",
        call,
        f"{qual} with Loader={describe(loader)} can construct arbitrary Python objects; use yaml.SafeLoader",
    )
