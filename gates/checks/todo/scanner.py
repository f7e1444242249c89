"""Find TODO markers and placeholders in one Python source text, without running it.

Comments come from the string and comment spans of :mod:`gates.checks.todo.lexer` (the spans
:mod:`tokenize` gives, found by one regular expression; tokenize itself where the lexer
declines), so a marker inside a string or docstring is never mistaken for a comment.
Structure (stubs, ``pass`` bodies, placeholder values) comes from :mod:`ast`. Markers inside
strings count only when the whole string value is a marker, written as configured
(``name = "PLACEHOLDER"``, case-sensitive), in a value position (assigned, returned, passed by
keyword, a default); docstrings never count.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Literal

from gates.checks.todo import lexer
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
        flags = 0 if self.case_sensitive else re.IGNORECASE
        return re.compile(rf"(?<![\w]){'(?:' + _alternatives(self) + ')'}(?![\w])", flags)

    def blocking_pattern(self) -> re.Pattern[str]:
        tag = re.escape(self.blocking_marker)
        # The tag must follow the marker directly: TODO(blocking), TODO(alice, blocking),
        # FIXME[blocking], TODO blocking:, TODO: blocking - ... ; "not blocking" later in prose is not a tag.
        return re.compile(rf"^\s*(?:[(\[][^)\]]*?\b{tag}\b[^)\]]*[)\]]|[\s:\-]*\b{tag}\b)", re.IGNORECASE)


def _alternatives(spec: MarkerSpec) -> str:
    words = sorted(spec.markers, key=len, reverse=True)
    return "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in words)


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


def scan_bytes(data: bytes, spec: MarkerSpec) -> list[TodoItem]:
    """``scan_source`` on a file's bytes, decoded as Python decodes them (PEP 263).

    Most files hold no marker word at all: for ASCII files (nearly all) that is decided on the
    bytes, and such a file is never decoded or lexed.
    """
    if b"\r" in data:  # as universal newlines read it, so that line numbers are the editor's
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    hits = _ascii_hits(data, spec) if data.isascii() else None
    if hits is None:
        text = decode_source(data)
        return _scan(text, spec, _text_hits(text, spec))
    if not hits and not (spec.not_implemented != "off" and b"NotImplementedError" in data):
        return []
    return _scan(data.decode("ascii"), spec, hits)


def decode_source(data: bytes) -> str:
    """The text of a Python file in the encoding its coding cookie or BOM declares (UTF-8 without)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # an unknown encoding, or a cookie that contradicts the BOM
        raise UnparsableSource(1, str(exc.args[0] if exc.args else exc)) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UnparsableSource(
            line, f"not valid {encoding} ({exc.reason}); declare its encoding (PEP 263)"
        ) from None
    except LookupError as exc:
        raise UnparsableSource(1, str(exc)) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def scan_source(text: str, spec: MarkerSpec, *, use_tokenize: bool = False) -> list[TodoItem]:
    """Every marker comment and placeholder in ``text``, ordered by line.

    Comments are lexed when the text holds a marker at all; the (costlier) parse runs only when a
    structural check has a candidate: ``NotImplementedError`` in the text, a marker comment on
    a ``pass``/``...``/block-opening line, or a string token that is exactly a marker.
    ``use_tokenize`` reads comments with :mod:`tokenize` only (the reference the lexer is tested
    against).
    """
    return _scan(text, spec, None, use_tokenize)


def _scan(text: str, spec: MarkerSpec, hits: list[int] | None, use_tokenize: bool = False) -> list[TodoItem]:
    pattern = _compiled(spec)
    if hits is None:
        hits = [m.start() for m in pattern.finditer(text)]
    wants_stubs = spec.not_implemented != "off" and "NotImplementedError" in text
    if not (hits or wants_stubs):
        # Nothing in this text can be a finding; skipping the lexer keeps big trees fast.
        return []
    scanned = _comments(text, spec, hits, use_tokenize) if hits else _Scanned([], False)
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


_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@lru_cache(maxsize=16)
def _hit_words(spec: MarkerSpec) -> tuple[bytes, ...] | None:
    """One word of each marker (its longest), as bytes; None when a marker is not ASCII."""
    words = []
    for marker in spec.markers:
        word = max(marker.split(), key=len)
        if not word.isascii():
            return None
        words.append((word if spec.case_sensitive else word.lower()).encode())
    return tuple(words)


def _ascii_hits(data: bytes, spec: MarkerSpec) -> list[int] | None:
    """Offsets of marker words standing alone in ASCII ``data``: every marker match holds one.

    A superset of the matches (a hit is confirmed by the marker pattern on its comment), found
    with bytes.find, which is many times faster than the pattern's lookbehind on every offset.
    """
    words = _hit_words(spec)
    if words is None:
        return None
    haystack = data if spec.case_sensitive else data.lower()
    hits: list[int] = []
    end = len(haystack)
    for word in words:
        at = haystack.find(word)
        while at >= 0:
            after = at + len(word)
            if (at == 0 or haystack[at - 1] not in _WORD_BYTES) and (
                after == end or haystack[after] not in _WORD_BYTES
            ):
                hits.append(at)
            at = haystack.find(word, at + 1)
    hits.sort()
    return hits


# The only non-ASCII characters that re.IGNORECASE matches to an ASCII letter and str.lower()
# does not map to it: U+0130 (lowers to two characters), U+0131 and U+017F.
_FOLDS_APART = ("\u0130", "\u0131", "\u017f")


def _text_hits(text: str, spec: MarkerSpec) -> list[int] | None:
    """``_ascii_hits`` for a decoded non-ASCII text; None where only the marker pattern is exact."""
    words = _hit_words(spec)
    if words is None or (not spec.case_sensitive and any(c in text for c in _FOLDS_APART)):
        return None
    haystack = text if spec.case_sensitive else text.lower()
    hits: list[int] = []
    for word in (w.decode() for w in words):
        at = haystack.find(word)
        while at >= 0:
            hits.append(at)  # the marker pattern confirms each on its comment
            at = haystack.find(word, at + 1)
    hits.sort()
    return hits


def _comments(text: str, spec: MarkerSpec, hits: list[int], use_tokenize: bool) -> _Scanned:
    exact = _compiled_exact(spec)
    if not use_tokenize:
        found = lexer.comments_at(text, hits)
        if found is not None:
            candidate = _string_candidate(text, spec) if spec.placeholder_strings else False
            if candidate is not None:
                return _Scanned([(c.line, c.code, c.text) for c in found], candidate)
    # Where the lexer declines (an unterminated string, f-strings on 3.12+), tokenize decides, as
    # before: only for a text that holds a marker, so an error it raises is one it always raised.
    if _compiled(spec).search(text) is None:
        return _Scanned([], False)
    return _tokens(text, exact)


@lru_cache(maxsize=16)
def _quoted_marker(spec: MarkerSpec) -> re.Pattern[str]:
    # A literal whose text is exactly a marker has a quote, the marker and a quote with only
    # blanks and .:! between them; without that anywhere, no string needs a look.
    return re.compile(rf"""['"]\s*(?:{_alternatives(spec)})[.:!]*\s*['"]""")


def _string_candidate(text: str, spec: MarkerSpec) -> bool | None:
    """Some string literal is exactly a marker (case-sensitive); None to ask tokenize."""
    if _quoted_marker(spec).search(text) is None:
        return False
    literals = lexer.strings(text)
    if literals is None:
        return None
    exact = _compiled_exact(spec)
    return any(_is_marker_literal(literal, exact) for literal in literals)


def _is_marker_literal(literal: str, exact: re.Pattern[str]) -> bool:
    quote = _STRING_PREFIX.match(literal)
    if not quote:
        return False
    width = len(quote.group(1))
    value = literal[quote.end() : len(literal) - width].strip().rstrip(".:!")
    return bool(value) and exact.fullmatch(value) is not None


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
                string_candidate = _is_marker_literal(token.string, exact)
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
