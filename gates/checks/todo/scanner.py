"""Find TODO markers and placeholders in one Python source text, without running it.

Comments come from :mod:`tokenize`, so a marker inside a string or docstring is never
mistaken for a comment. Structure (stubs, ``pass`` bodies, placeholder values) comes from
:mod:`ast`. Markers inside strings count only when the whole string value is a marker, written as
configured (``name = "PLACEHOLDER"``, case-sensitive), in a value position (assigned,
returned, passed by keyword, a default); docstrings never count.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Literal

from gates.records import frozen_record

Kind = Literal["marker", "stub", "placeholder-body", "placeholder-string"]
ABSTRACT_DECORATORS = {
    "abstractmethod",
    "abstractproperty",
    "abstractclassmethod",
    "abstractstaticmethod",
    "overload",
}
ABSTRACT_BASES = {"ABC", "Protocol", "ABCMeta"}


@frozen_record
class MarkerSpec:
    markers: tuple[str, ...]
    blocking_marker: str
    case_sensitive: bool = False
    not_implemented: Literal["off", "stubs", "anywhere"] = "stubs"
    placeholder_bodies: bool = True
    placeholder_strings: bool = True

    def marker_pattern(self) -> re.Pattern[str]:
        words = sorted(self.markers, key=len, reverse=True)
        alternatives = "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in words)
        flags = 0 if self.case_sensitive else re.IGNORECASE
        return re.compile(rf"(?<![\w]){'(?:' + alternatives + ')'}(?![\w])", flags)

    def blocking_pattern(self) -> re.Pattern[str]:
        tag = re.escape(self.blocking_marker)
        # The tag must follow the marker directly: TODO(blocking), TODO(alice, blocking),
        # FIXME[blocking], TODO blocking:, TODO: blocking - ... ; "not blocking" later in prose is not a tag.
        return re.compile(rf"^\s*(?:[(\[][^)\]]*?\b{tag}\b[^)\]]*[)\]]|[\s:\-]*\b{tag}\b)", re.IGNORECASE)


@frozen_record
class TodoItem:
    kind: Kind
    line: int
    text: str  # the comment, or a short description of the placeholder
    marker: str  # the marker word as written ("" for stubs)
    blocking: bool = False


class UnparsableSource(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"{line}: {message}")
        self.line = line
        self.message = message


def scan_source(text: str, spec: MarkerSpec) -> list[TodoItem]:
    """Every marker comment and placeholder in ``text``, ordered by line.

    The tokenizer runs when the text holds a marker at all; the (costlier) parse only when a
    structural check has a candidate: ``NotImplementedError`` in the text, a marker comment on
    a ``pass``/``...``/block-opening line, or a string token that is exactly a marker.
    """
    pattern = _compiled(spec)
    has_marker = pattern.search(text) is not None
    wants_stubs = spec.not_implemented != "off" and "NotImplementedError" in text
    if not (has_marker or wants_stubs):
        # Nothing in this text can be a finding; skipping the tokenizer keeps big trees fast.
        return []
    scanned = _tokens(text, _compiled_exact(spec)) if has_marker else _Scanned([], False)
    blocking = _compiled_blocking(spec)
    items: list[TodoItem] = []
    marked: dict[int, tuple[str, re.Match[str]]] = {}
    body_candidate = False
    for line, code, comment in scanned.comments:
        found = pattern.search(comment)
        if found is None:
            continue
        marked[line] = (comment, found)
        body_candidate = body_candidate or code in ("pass", "...") or code.endswith(":")
        tagged = bool(blocking.match(comment[found.end() :]))
        items.append(TodoItem("marker", line, comment.strip(), found.group(0), tagged))
    wants_bodies = spec.placeholder_bodies and body_candidate
    wants_strings = spec.placeholder_strings and scanned.string_candidate
    if not (wants_stubs or wants_bodies or wants_strings):
        return items
    nodes = list(ast.walk(_parse(text)))
    abstract_lines = _abstract_function_lines(nodes)
    structural: list[TodoItem] = []
    if wants_stubs:
        structural += _stubs(nodes, spec, abstract_lines)
    if wants_bodies:
        structural += _placeholder_bodies(nodes, marked, blocking, abstract_lines)
    if wants_strings:
        structural += _placeholder_strings(nodes, _compiled_exact(spec))
    # A placeholder body's marker comment is reported once, as the placeholder.
    replaced = {item.line for item in structural if item.kind == "placeholder-body"}
    items = [i for i in items if not (i.kind == "marker" and i.line in replaced)]
    items.extend(structural)
    return sorted(items, key=lambda i: (i.line, i.kind))


@lru_cache(maxsize=16)
def _compiled(spec: MarkerSpec) -> re.Pattern[str]:
    return spec.marker_pattern()


@lru_cache(maxsize=16)
def _compiled_exact(spec: MarkerSpec) -> re.Pattern[str]:
    # Placeholder strings are always case-sensitive: "TODO" as a value is a stand-in, while
    # "todo" is more often a name (a gate called "todo", a task state) than a placeholder.
    return re.compile(spec.marker_pattern().pattern)


@lru_cache(maxsize=16)
def _compiled_blocking(spec: MarkerSpec) -> re.Pattern[str]:
    return spec.blocking_pattern()


@frozen_record
class _Scanned:
    comments: list[tuple[int, str, str]]  # (line, code before the comment, comment text)
    string_candidate: bool  # some string token is exactly a marker


# A literal's prefix and opening quote: triple quotes first, so '''x''' is not read as '.
_STRING_PREFIX = re.compile("^[rRbBuUfF]*('''|\"\"\"|'|\")")


def _tokens(text: str, exact: re.Pattern[str]) -> _Scanned:
    comments: list[tuple[int, str, str]] = []
    string_candidate = False
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                code = token.line[: token.start[1]].strip()
                comments.append((token.start[0], code, token.string.lstrip("#").strip()))
            elif token.type == tokenize.STRING and not string_candidate:
                quote = _STRING_PREFIX.match(token.string)
                if quote:
                    width = len(quote.group(1))
                    body = token.string[quote.end() : len(token.string) - width]
                    value = body.strip().rstrip(".:!")
                    string_candidate = bool(value) and exact.fullmatch(value) is not None
    except (tokenize.TokenError, SyntaxError) as exc:
        line = getattr(exc, "lineno", None) or (exc.args[1][0] if len(exc.args) > 1 else 1)
        raise UnparsableSource(int(line), str(exc.args[0])) from None
    return _Scanned(comments, string_candidate)


def _parse(text: str) -> ast.Module:
    try:
        return ast.parse(text)
    except SyntaxError as exc:
        raise UnparsableSource(exc.lineno or 1, exc.msg) from None
    except ValueError as exc:  # null bytes
        raise UnparsableSource(1, str(exc)) from None
    except RecursionError:  # the parser recurses per nesting level; this file's problem only
        raise UnparsableSource(1, "nested too deeply for the parser (RecursionError)") from None


def _name_of(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        return _name_of(node.func)
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Subscript):
        return _name_of(node.value)
    return ""


def _is_abstract_class(node: ast.ClassDef) -> bool:
    if any(_name_of(base) in ABSTRACT_BASES for base in node.bases):
        return True
    return any(k.arg == "metaclass" and _name_of(k.value) == "ABCMeta" for k in node.keywords)


def _is_abstract_function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(_name_of(d) in ABSTRACT_DECORATORS for d in node.decorator_list)


def _without_docstring(body: Sequence[ast.stmt]) -> list[ast.stmt]:
    if body and _is_string_expr(body[0]):
        return list(body[1:])
    return list(body)


def _is_string_expr(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _raises_not_implemented(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Raise) and node.exc is not None and _name_of(node.exc) == "NotImplementedError"
    )


def _is_empty_statement(node: ast.stmt) -> bool:
    if isinstance(node, ast.Pass):
        return True
    return (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and node.value.value is Ellipsis
    )


def _bodies(node: ast.AST) -> Iterable[tuple[int, list[ast.stmt]]]:
    """(line of the statement that owns the block, block) for every block under ``node``."""
    for field in ("body", "orelse", "finalbody"):
        block = getattr(node, field, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            yield getattr(node, "lineno", 1), block
    for handler in getattr(node, "handlers", []) or []:
        yield handler.lineno, handler.body


def _placeholder_bodies(
    nodes: list[ast.AST],
    marked: dict[int, tuple[str, re.Match[str]]],
    blocking: re.Pattern[str],
    abstract_lines: set[int],
) -> list[TodoItem]:
    items: list[TodoItem] = []
    for node in nodes:
        for owner_line, block in _bodies(node):
            rest = (
                _without_docstring(block)
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                else block
            )
            if len(rest) != 1 or not _is_empty_statement(rest[0]):
                continue
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.lineno in abstract_lines:
                continue
            for line in (rest[0].lineno, owner_line):
                if line in marked:
                    comment, found = marked[line]
                    tagged = bool(blocking.match(comment[found.end() :]))
                    items.append(TodoItem("placeholder-body", line, comment, found.group(0), tagged))
                    break
    return items


def _abstract_function_lines(nodes: list[ast.AST]) -> set[int]:
    """Definition lines of functions that are meant to be overridden (never placeholders)."""
    lines: set[int] = set()
    for node in nodes:
        if isinstance(node, ast.ClassDef):
            abstract_class = _is_abstract_class(node)
            for child in node.body:
                if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) and (
                    abstract_class or _is_abstract_function(child)
                ):
                    lines.add(child.lineno)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_abstract_function(node):
            lines.add(node.lineno)
    return lines


def _stubs(nodes: list[ast.AST], spec: MarkerSpec, abstract_lines: set[int]) -> list[TodoItem]:
    items: list[TodoItem] = []
    functions = [n for n in nodes if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    if spec.not_implemented == "stubs":
        for candidate in functions:
            body = _without_docstring(candidate.body)
            if candidate.lineno not in abstract_lines and len(body) == 1 and _raises_not_implemented(body[0]):
                message = f"{candidate.name}() only raises NotImplementedError"
                items.append(TodoItem("stub", body[0].lineno, message, ""))
        return items
    # "anywhere": every raise, attributed to its innermost function (none at module level).
    owner: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for function in functions:  # ast.walk is breadth-first: inner functions overwrite outer ones
        for inner in ast.walk(function):
            if isinstance(inner, ast.Raise):
                owner[id(inner)] = function
    for node in nodes:
        enclosing = owner.get(id(node))
        if enclosing is None or enclosing.lineno in abstract_lines:
            continue
        if isinstance(node, ast.Raise) and _raises_not_implemented(node):
            items.append(TodoItem("stub", node.lineno, f"{enclosing.name}() raises NotImplementedError", ""))
    return items


def _value_positions(nodes: list[ast.AST]) -> Iterable[ast.expr]:
    """Expressions used as a value: assigned, returned, passed by keyword, or a default.

    A marker-only string there is a stand-in for a real value. The same string in a list,
    a comparison or a dict key is data (a list of markers, a check for one), not a placeholder.
    """
    for node in nodes:
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.Return | ast.keyword) and node.value is not None:
            yield node.value
        elif isinstance(node, ast.arguments):
            yield from node.defaults
            yield from (d for d in node.kw_defaults if d is not None)


def _placeholder_strings(nodes: list[ast.AST], pattern: re.Pattern[str]) -> list[TodoItem]:
    items: list[TodoItem] = []
    for node in _value_positions(nodes):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        value = node.value.strip().rstrip(".:!")
        found = pattern.fullmatch(value) if value else None
        if found is not None:
            items.append(
                TodoItem("placeholder-string", node.lineno, f"string value {node.value!r}", found.group(0))
            )
    return items
