"""Changed-code mode: the lines changed since the merge-base, as the functions mutmut mutates.

mutmut mutates only top-level functions and the methods of top-level classes (a nested
function belongs to the function around it), and names them ``x_func`` and ``xǁClsǁmeth``.
We map each changed line to the innermost such function with ``ast``, from its first
decorator to its last line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping

from gates.policy.paths import matches_any
from gates.records import frozen_record

from .results import CLASS_SEPARATOR


@frozen_record
class FunctionSpan:
    key: str  # mutmut's mangled name within the module
    start: int
    end: int


def function_spans(source: str) -> list[FunctionSpan]:
    """The functions mutmut would mutate in ``source``, with their line ranges."""
    tree = ast.parse(source)
    spans: list[FunctionSpan] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            spans.append(_span(f"x_{node.name}", node))
        elif isinstance(node, ast.ClassDef):
            for member in node.body:
                if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    key = f"x{CLASS_SEPARATOR}{node.name}{CLASS_SEPARATOR}{member.name}"
                    spans.append(_span(key, member))
    return spans


def _span(key: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> FunctionSpan:
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return FunctionSpan(key, first, node.end_lineno or node.lineno)


def changed_functions(source: str, lines: Iterable[int]) -> set[str]:
    """The keys of the functions that contain at least one of ``lines``."""
    wanted = set(lines)
    return {span.key for span in function_spans(source) if any(span.start <= n <= span.end for n in wanted)}


def full_run_trigger(changed_paths: Iterable[str], triggers: list[str]) -> str | None:
    """The first changed file that makes changed-code mode fall back to every mutant."""
    for path in sorted(changed_paths):
        if matches_any(path, triggers):
            return path
    return None


def select_changed(
    changed_lines: Mapping[str, list[int]], read_source: Mapping[str, str]
) -> dict[str, set[str]]:
    """Per mutated file, the changed functions (files absent from ``read_source`` are ignored)."""
    chosen: dict[str, set[str]] = {}
    for path, source in read_source.items():
        lines = changed_lines.get(path)
        if not lines:
            continue
        keys = changed_functions(source, lines)
        if keys:
            chosen[path] = keys
    return chosen
