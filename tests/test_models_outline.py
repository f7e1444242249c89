"""The outline's call collection (outline.py): ``ast.walk``'s calls, and only those a rule can flag."""

from __future__ import annotations

import ast

from gates.checks.models.outline import calls_in, outline

SOURCE = """\
x = f(g(1), [h(k) for k in y], {"a": m(2)}, lambda: n(3))
z = outer(
    inner(1),
    torch.load(p),
)
s = f"{fmt(v)}"
"""


def test_without_lines_it_finds_what_ast_walk_finds_in_the_same_order() -> None:
    tree = ast.parse(SOURCE)
    walked = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert calls_in(tree) == walked
    assert len(walked) == 9


def test_with_lines_it_keeps_every_call_spanning_one_and_skips_the_rest() -> None:
    tree = ast.parse(SOURCE)
    names = [ast.unparse(c.func) for c in calls_in(tree.body[1], [4])]
    # outer spans line 4, torch.load is on it; inner(1) on line 3 cannot be a flagged call.
    assert names == ["outer", "torch.load"]


def test_calls_inside_an_f_string_are_all_kept() -> None:
    tree = ast.parse(SOURCE)
    assert [ast.unparse(c.func) for c in calls_in(tree.body[2], [6])] == ["fmt"]


def test_calls_on_finds_calls_only_in_units_spanning_a_line() -> None:
    parts = outline(ast.parse(SOURCE))
    assert [ast.unparse(c.func) for c, _ in parts.calls_on(frozenset({4}))] == ["outer", "torch.load"]
    assert parts.calls_on(frozenset({9})) == []
