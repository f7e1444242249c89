"""One cheap pass over a module's statements: imports, bindings, classes, and the calls to check.

Walking every expression node in Python costs far more than parsing (C). Statements
are few, so we visit all of them, but descend into expressions only where the text
mentions a name some rule cares about (``lines``). That keeps a cold run over a large
tree fast without losing calls: a flagged call always has its name on one of its lines.
"""

from __future__ import annotations

import ast
import bisect
from collections import deque
from collections.abc import Iterable
from dataclasses import field

from gates.records import record

Scope = tuple[int, ...]
"""The functions a statement is nested in (ids of their nodes); () is the module."""
Binding = tuple[ast.expr, "ast.expr | None", Scope]


@record
class Outline:
    imports: list[ast.Import | ast.ImportFrom] = field(default_factory=list)
    # Function id -> the imports made in that function's own body (the module's: key 0).
    imports_in: dict[int, list[ast.Import | ast.ImportFrom]] = field(default_factory=dict)
    # (target, value or None when it is not a plain ``=``, scope)
    bindings: list[Binding] = field(default_factory=list)
    classes: list[ast.ClassDef] = field(default_factory=list)
    # Names of the functions and classes this module defines (at any depth).
    defined: set[str] = field(default_factory=set)
    # Per function scope: parameter name -> its default (None when it has none).
    parameters: dict[Scope, dict[str, ast.expr | None]] = field(default_factory=dict)
    star_import: bool = False
    # Expressions and simple statements, not yet descended into, with their scope.
    units: list[tuple[ast.AST, Scope]] = field(default_factory=list)
    # Keeps the function nodes alive, so the ids in scopes stay unique.
    functions: list[ast.AST] = field(default_factory=list)
    # Function id -> the name of the class whose body defines it (its methods).
    methods: dict[int, str] = field(default_factory=dict)
    # Class name -> the names its body binds (class attributes, methods), with their values.
    class_body: dict[str, list[Binding]] = field(default_factory=dict)
    # ``kwargs["trust_remote_code"] = ...``: a flag stored for a later ``**kwargs`` call.
    flag_stores: list[tuple[ast.Assign, Scope]] = field(default_factory=list)
    # The file's text and the functions and methods left unparsed (they hold no call to
    # check), in which a self.X binding the outline cannot see may hide: (the class they
    # belong to, "" for a module-level function, None when unknown; start; end).
    text: str = ""
    unparsed: list[tuple[str | None, int, int]] = field(default_factory=list)

    def merge(self, other: Outline) -> None:
        self.imports.extend(other.imports)
        for owner, statements in other.imports_in.items():
            self.imports_in.setdefault(owner, []).extend(statements)
        self.bindings.extend(other.bindings)
        self.classes.extend(other.classes)
        self.defined.update(other.defined)
        self.parameters.update(other.parameters)
        self.star_import = self.star_import or other.star_import
        self.units.extend(other.units)
        self.functions.extend(other.functions)
        self.methods.update(other.methods)
        for name, bindings in other.class_body.items():
            self.class_body.setdefault(name, []).extend(bindings)
        self.unparsed.extend(other.unparsed)
        self.flag_stores.extend(other.flag_stores)

    def calls_on(self, lines: frozenset[int]) -> list[tuple[ast.Call, Scope]]:
        """Every call that spans one of ``lines``, with its scope."""
        calls: list[tuple[ast.Call, Scope]] = []
        ordered = sorted(lines)
        count = len(ordered)
        for unit, scope in self.units:
            # Inlined, with a bisection: this loop sees every statement of the parsed blocks.
            start = getattr(unit, "lineno", None)
            if start is None:
                continue
            index = bisect.bisect_left(ordered, start)
            if index < count and ordered[index] <= (getattr(unit, "end_lineno", None) or start):
                calls.extend((n, scope) for n in calls_in(unit, ordered))
        return calls


# Nodes with no child worth visiting: names and constants are most of a tree's nodes.
_LEAVES = (ast.Name, ast.Constant, ast.expr_context)


def calls_in(node: ast.AST, lines: list[int] | None = None) -> list[ast.Call]:
    """The calls in ``node`` (in ``ast.walk``'s order) whose source spans one of the sorted
    ``lines``, or every call when ``lines`` is None.

    A call a rule can flag spans the line of its name (a trigger line), and so does every node
    around it: a subtree spanning no such line holds none and is not walked. Inside an
    f-string, where older Pythons misplace nodes, everything is walked. About twice as fast
    as ``ast.walk`` even without the pruning: the generic walk visits every name's ``Load``
    context and every constant through two generator layers.
    """
    found: list[ast.Call] = []
    todo = deque((node,))
    pop, push = todo.popleft, todo.append
    while todo:
        current = pop()
        if isinstance(current, ast.Call):
            found.append(current)
        elif lines is not None and isinstance(current, ast.JoinedStr):
            found.extend(calls_in(current))
            continue
        for name in current._fields:
            value = getattr(current, name, None)
            if isinstance(value, ast.AST):
                if not isinstance(value, _LEAVES) and _spans(value, lines):
                    push(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST) and not isinstance(item, _LEAVES) and _spans(item, lines):
                        push(item)
    return found


def attributes_in(node: ast.AST) -> list[str]:
    """The attribute names ``node`` reads (``self.model_name`` -> "model_name"), walked as
    :func:`calls_in` walks."""
    found: list[str] = []
    todo = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, ast.Attribute):
            found.append(current.attr)
        for name in current._fields:
            value = getattr(current, name, None)
            if isinstance(value, ast.AST):
                if not isinstance(value, _LEAVES):
                    todo.append(value)
            elif isinstance(value, list):
                todo.extend(
                    item for item in value if isinstance(item, ast.AST) and not isinstance(item, _LEAVES)
                )
    return found


def _spans(node: ast.AST, lines: list[int] | None) -> bool:
    if lines is None or isinstance(node, ast.JoinedStr):
        return True
    start = getattr(node, "lineno", None)
    if start is None:
        return True  # arguments, comprehensions...: no position of their own, so look inside
    index = bisect.bisect_left(lines, start)
    return index < len(lines) and lines[index] <= (getattr(node, "end_lineno", None) or start)


def outline(tree: ast.Module) -> Outline:
    result = Outline()
    _body(tree.body, result, ())
    return result


def _scan(nodes: Iterable[ast.AST | None], result: Outline, scope: Scope) -> None:
    result.units.extend((node, scope) for node in nodes if node is not None)


def _names_in(target: ast.expr, scope: Scope) -> list[Binding]:
    return [(t, None, scope) for t in ast.walk(target) if isinstance(t, ast.Name)]


def _function(stmt: ast.FunctionDef | ast.AsyncFunctionDef, result: Outline, scope: Scope) -> None:
    result.defined.add(stmt.name)
    result.bindings.append((ast.Name(id=stmt.name), None, scope))
    _scan([*stmt.decorator_list, *stmt.args.defaults, *stmt.args.kw_defaults], result, scope)
    inner = (*scope, id(stmt))
    result.functions.append(stmt)
    args = stmt.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    params: dict[str, ast.expr | None] = dict(zip((a.arg for a in positional), defaults, strict=True))
    params.update(zip((a.arg for a in args.kwonlyargs), args.kw_defaults, strict=True))
    for extra in (args.vararg, args.kwarg):
        if extra is not None:
            params[extra.arg] = None
    result.parameters[inner] = params
    # A parameter is a binding: its value is whatever the caller passes.
    result.bindings.extend((ast.Name(id=name), None, inner) for name in params)
    _body(stmt.body, result, inner)


def _body(statements: list[ast.stmt], result: Outline, scope: Scope) -> None:
    for stmt in statements:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            result.imports.append(stmt)
            result.imports_in.setdefault(scope[-1] if scope else 0, []).append(stmt)
            if isinstance(stmt, ast.ImportFrom) and any(a.name == "*" for a in stmt.names):
                result.star_import = True
        elif isinstance(stmt, ast.ClassDef):
            result.classes.append(stmt)
            result.defined.add(stmt.name)
            result.bindings.append((ast.Name(id=stmt.name), None, scope))
            _scan([*stmt.decorator_list, *stmt.bases, *stmt.keywords], result, scope)
            for member in stmt.body:
                if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
                    result.methods[id(member)] = stmt.name
            before = len(result.bindings)
            _body(stmt.body, result, scope)
            result.class_body.setdefault(stmt.name, []).extend(
                b for b in result.bindings[before:] if b[2] == scope and isinstance(b[0], ast.Name)
            )
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            _function(stmt, result, scope)
        elif isinstance(stmt, ast.If | ast.While):
            _scan([stmt.test], result, scope)
            _body(stmt.body, result, scope)
            _body(stmt.orelse, result, scope)
        elif isinstance(stmt, ast.For | ast.AsyncFor):
            result.bindings.extend(_names_in(stmt.target, scope))
            _scan([stmt.iter], result, scope)
            _body(stmt.body, result, scope)
            _body(stmt.orelse, result, scope)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                if item.optional_vars is not None:
                    result.bindings.append((item.optional_vars, item.context_expr, scope))
                _scan([item.context_expr], result, scope)
            _body(stmt.body, result, scope)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            _body(stmt.body, result, scope)  # type: ignore[attr-defined]
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                if handler.name:
                    result.bindings.append((ast.Name(id=handler.name), None, scope))
                _body(handler.body, result, scope)
            _body(stmt.orelse, result, scope)  # type: ignore[attr-defined]
            _body(stmt.finalbody, result, scope)  # type: ignore[attr-defined]
        elif isinstance(stmt, ast.Match):
            _scan([stmt.subject], result, scope)
            for case in stmt.cases:
                _body(case.body, result, scope)
        else:
            _simple(stmt, result, scope)


def _simple(stmt: ast.stmt, result: Outline, scope: Scope) -> None:
    if isinstance(stmt, ast.Assign):
        if any(_stores_flag(t) for t in stmt.targets):
            result.flag_stores.append((stmt, scope))
        for target in stmt.targets:
            if isinstance(target, ast.Name | ast.Attribute):
                result.bindings.append((target, stmt.value, scope))
            else:
                result.bindings.extend(_names_in(target, scope))
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        result.bindings.append((stmt.target, stmt.value, scope))
    elif isinstance(stmt, ast.AugAssign):
        result.bindings.append((stmt.target, None, scope))
    _scan([stmt], result, scope)


def _stores_flag(target: ast.expr) -> bool:
    return (
        isinstance(target, ast.Subscript)
        and isinstance(target.slice, ast.Constant)
        and target.slice.value == "trust_remote_code"
    )
