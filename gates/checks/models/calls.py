"""What the rules share: the per-file context, call-argument helpers and the ``Hit`` they yield."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import field
from pathlib import Path
from typing import Any

from gates.checks.models.names import UNKNOWN, Names, dotted_name
from gates.records import frozen_record, record


@frozen_record
class TrustedModel:
    model: str
    revision: str


@frozen_record
class AnalysisSettings:
    """The policy values that change what a file yields (part of the cache key)."""

    require_explicit_weights_only: bool = True
    min_torch_version: tuple[int, ...] | None = None
    trusted_remote_code: tuple[TrustedModel, ...] = ()
    severities: tuple[tuple[str, str], ...] = ()  # (rule id, "error"|"warning"|"note"|"off")


@record
class Hit:
    rule: str
    node: ast.expr
    message: str
    # Only the fixer reads this: what to add, e.g. ("weights_only", "True").
    fix: tuple[str, str] | None = None
    # Whether the fix cannot change what a working program does (ruff's "safe").
    fix_safe: bool = False


@record
class FileContext:
    names: Names
    root: Path
    path: str
    settings: AnalysisSettings
    # Repository paths whose existence decided a finding, and what we saw (cache validation).
    probes: dict[str, bool] = field(default_factory=dict)
    # id of a call -> the call it is the first positional argument of (``m.load_state_dict(torch.load(p))``).
    consumers: dict[int, ast.Call] = field(default_factory=dict)

    def path_exists(self, relative: str) -> bool:
        if relative not in self.probes:
            self.probes[relative] = (self.root / relative).exists()
        return self.probes[relative]


Checker = Callable[[ast.Call, "str | None", FileContext], Iterator[Hit]]


@record
class Arguments:
    """A call's keywords, with ``**{...}`` and ``**CONSTANT_DICT`` merged in."""

    keywords: dict[str, ast.expr]
    # A ``**something`` this module cannot see into.
    opaque_star: bool


def arguments(call: ast.Call, names: Names) -> Arguments:
    keywords: dict[str, ast.expr] = {}
    opaque = False
    callee = dotted_name(call.func)
    bound = names.partials.get(callee) if callee is not None else None
    # functools.partial(torch.load, weights_only=True): its keywords come first, the call's win.
    for keyword in [*(bound.keywords if bound is not None else []), *call.keywords]:
        if keyword.arg is not None:
            keywords[keyword.arg] = keyword.value
            continue
        expanded = names.bound_expr(keyword.value)
        if isinstance(expanded, ast.Dict) and all(isinstance(k, ast.Constant) for k in expanded.keys):
            for key, value in zip(expanded.keys, expanded.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    keywords[key.value] = value
        elif (
            isinstance(expanded, ast.Call)
            and isinstance(expanded.func, ast.Name)
            and expanded.func.id == "dict"
            and not expanded.args
        ):
            keywords.update({k.arg: k.value for k in expanded.keywords if k.arg})
            opaque = opaque or any(k.arg is None for k in expanded.keywords)
        else:
            opaque = True
    return Arguments(keywords, opaque)


def argument(call: ast.Call, args: Arguments, name: str, position: int | None) -> ast.expr | None:
    """The expression passed as ``name`` (by keyword) or at ``position``; None if absent."""
    if name in args.keywords:
        return args.keywords[name]
    before = call.args[: (position or 0) + 1]
    if (
        position is not None
        and position < len(call.args)
        and not any(isinstance(a, ast.Starred) for a in before)
    ):
        return call.args[position]
    return None


def has_star_args(call: ast.Call) -> bool:
    return any(isinstance(a, ast.Starred) for a in call.args)


def describe(node: ast.expr | None) -> str:
    if node is None:
        return "nothing"
    text = ast.unparse(node)
    return text if len(text) <= 60 else text[:57] + "..."


def is_constant(value: Any, expected: object) -> bool:
    return value is not UNKNOWN and value is expected


def short_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None
