"""One cheap pass over a module's statements: imports, bindings, classes, and the calls to check.

Walking every expression node in Python costs far more than parsing (C). Statements
are few, so we visit all of them, but descend into expressions only where the text
mentions a name some rule cares about (``lines``). That keeps a cold run over a large
tree fast without losing calls: a flagged call always has its name on one of its lines.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import field

from gates.records import record


@record
class Outline:
    imports: list[ast.Import | ast.ImportFrom] = field(default_factory=list)
    bindings: list[tuple[ast.expr, ast.expr | None]] = field(default_factory=list)
    classes: list[ast.ClassDef] = field(default_factory=list)
    # Expressions and simple statements, not yet descended into.
    units: list[ast.AST] = field(default_factory=list)

    def merge(self, other: Outline) -> None:
        self.imports.extend(other.imports)
        self.bindings.extend(other.bindings)
        self.classes.extend(other.classes)
        self.units.extend(other.units)

    def calls_on(self, lines: frozenset[int]) -> list[ast.Call]:
        """Every call inside the units that span one of ``lines``."""
        calls: list[ast.Call] = []
        for unit in self.units:
            if _touches(unit, lines):
                calls.extend(n for n in ast.walk(unit) if isinstance(n, ast.Call))
        return calls


def outline(tree: ast.Module) -> Outline:
    result = Outline()
    _body(tree.body, result)
    return result


def _touches(node: ast.AST, lines: frozenset[int]) -> bool:
    start = getattr(node, "lineno", None)
    if start is None:
        return False
    end = getattr(node, "end_lineno", None) or start
    if end - start < 8:
        return any(n in lines for n in range(start, end + 1))
    return any(start <= n <= end for n in lines)


def _scan(nodes: Iterable[ast.AST | None], result: Outline) -> None:
    result.units.extend(node for node in nodes if node is not None)


def _names_in(target: ast.expr) -> list[tuple[ast.expr, ast.expr | None]]:
    return [(t, None) for t in ast.walk(target) if isinstance(t, ast.Name)]


def _body(statements: list[ast.stmt], result: Outline) -> None:
    for stmt in statements:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            result.imports.append(stmt)
        elif isinstance(stmt, ast.ClassDef):
            result.classes.append(stmt)
            result.bindings.append((ast.Name(id=stmt.name), None))
            _scan([*stmt.decorator_list, *stmt.bases, *stmt.keywords], result)
            _body(stmt.body, result)
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            _scan([*stmt.decorator_list, *stmt.args.defaults, *stmt.args.kw_defaults], result)
            _body(stmt.body, result)
        elif isinstance(stmt, ast.If | ast.While):
            _scan([stmt.test], result)
            _body(stmt.body, result)
            _body(stmt.orelse, result)
        elif isinstance(stmt, ast.For | ast.AsyncFor):
            result.bindings.extend(_names_in(stmt.target))
            _scan([stmt.iter], result)
            _body(stmt.body, result)
            _body(stmt.orelse, result)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                if item.optional_vars is not None:
                    result.bindings.append((item.optional_vars, item.context_expr))
                _scan([item.context_expr], result)
            _body(stmt.body, result)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            _body(stmt.body, result)  # type: ignore[attr-defined]
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                _body(handler.body, result)
            _body(stmt.orelse, result)  # type: ignore[attr-defined]
            _body(stmt.finalbody, result)  # type: ignore[attr-defined]
        elif isinstance(stmt, ast.Match):
            _scan([stmt.subject], result)
            for case in stmt.cases:
                _body(case.body, result)
        else:
            _simple(stmt, result)


def _simple(stmt: ast.stmt, result: Outline) -> None:
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            if isinstance(target, ast.Name | ast.Attribute):
                result.bindings.append((target, stmt.value))
            else:
                result.bindings.extend(_names_in(target))
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        result.bindings.append((stmt.target, stmt.value))
    elif isinstance(stmt, ast.AugAssign):
        result.bindings.append((stmt.target, None))
    _scan([stmt], result)
