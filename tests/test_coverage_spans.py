"""The statement a changed line belongs to, from the report's statements and a local lexer.

The reference is coverage.py's own ``PythonParser`` (its ``statements`` and ``multiline_map``,
built by tokenizing the whole file), which the gate used for every changed file before.
"""

from __future__ import annotations

import random
import textwrap
from pathlib import Path
from typing import Any

import pytest
from coverage.parser import multiline_map_from_text
from coverage.python import PythonParser  # type: ignore[attr-defined]
from test_coverage_support import gate_json, measure, write_policy

from gates.checks.coverage import diffcov
from gates.checks.coverage.data import FileCoverage
from gates.checks.coverage.spans import Unfollowable, owners
from tests.conftest import Repo

PIECES = [
    'x = call(\n    1,\n    "a (string",\n    # a comment with ( and "\n    2,\n)\n',
    '@decorate(\n    name="f",\n    retries=2,\n)\n'
    'def f(\n    a,\n    b=None,\n):\n    """Doc\n\n    more (\n    """\n    return a\n',
    "total = 1 + \\\n    2 + \\\n    3\n",
    "s = '''one\n(two\n'''  ; y = 3\n",
    'msg = (\n    "part one "\n    f"{x!r} and {{braces}}"\n    r"\\d+"\n)\n',
    "values = [\n    v * 2\n    for v in range(3)\n    if v  # keep ]\n]\n",
    "class C(\n    object,\n):\n    attr = {\n        'k': (1, 2),\n    }\n\n"
    "    def m(self): return self.attr\n",
    "if (\n    x\n    and y\n):\n    pass\nelse:\n    z = [\n        1]\n",
    "with open(\n    'p'\n) as handle:\n    data = handle.read(\n    )\n",
    "d = {'#': '(', \"'\": '\"'}\ne = 'it\\'s (' + \"\\\" ]\"\n",
    "def g(): return (\n    1\n)\n",
    "lam = lambda a: (\n    a + 1\n)\n# trailing comment (\n\n\n",
    't = """a\\"""b"""\nu = 1\n',
    "w = '''\\\n'''\nq = (1,\n     2)",
]


def _corpus(count: int) -> list[str]:
    rng = random.Random(13)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6))) for _ in range(count)]


def _reference(text: str) -> tuple[set[int], dict[int, int]]:
    parser = PythonParser(text=text, filename="x.py")
    parser.parse_source()
    statements = set(parser.statements)
    lines = range(1, text.count("\n") + 2)
    mapped = {
        line: parser.multiline_map[line]
        for line in lines
        if line not in statements and parser.multiline_map.get(line) in statements
    }
    return statements, mapped


def test_owners_agree_with_coverage_multiline_map_on_every_line() -> None:
    checked = 0
    for text in _corpus(300):
        try:
            compile(text, "x.py", "exec")
        except SyntaxError:
            continue  # coverage.py cannot parse it either
        statements, expected = _reference(text)
        lines = [n for n in range(1, text.count("\n") + 2) if n not in statements]
        assert owners(text, statements, lines) == expected, text
        checked += 1
    assert checked > 250


def test_a_line_after_the_last_statement_or_before_the_first_has_no_owner() -> None:
    text = '"""Module doc\n(still doc\n"""\nx = (1,\n     2)\n\n# done\n'
    assert owners(text, {4}, [1, 2, 3, 5, 6, 7]) == {5: 4}


def test_an_unterminated_string_is_left_to_coverage() -> None:
    with pytest.raises(Unfollowable):
        owners("x = (1,\n  '''open\n", {1}, [2])


def test_the_gate_falls_back_to_coverage_where_the_lexer_declines(tmp_path: Path) -> None:
    text = "x = f(\n    1,\n    'unclosed\n)\n"
    (tmp_path / "m.py").write_text(text)
    cov = FileCoverage({1}, {1})
    # What coverage.py's tokenizer makes of it (it recovers from the unclosed quote), not a guess.
    expected = {1: 1, 2: 1, 3: 1, 4: 1}
    assert diffcov._first_lines(tmp_path, "m.py", [2], cov) == multiline_map_from_text(text) == expected
    (tmp_path / "m.py").write_text('x = f(\n    """never closed\n')
    assert diffcov._first_lines(tmp_path, "m.py", [2], cov) is None  # coverage.py cannot either
    (tmp_path / "m.py").write_text("x = f(\n    1,\n)\n")
    assert diffcov._first_lines(tmp_path, "m.py", [2], FileCoverage({1}, {1})) == {2: 1}


def test_edits_inside_decorators_signatures_and_calls_count_their_statement(repo: Repo, run_cli: Any) -> None:
    """Through the CLI, with real coverage data: each edited continuation line counts its statement."""
    module = textwrap.dedent(
        '''\
        def registered(name, retries=0):
            def wrap(function):
                return function
            return wrap


        @registered(
            "f",
            retries=1,
        )
        def f(
            alpha,
            beta=None,
        ):
            """Doc.

            More.
            """
            total = sum([
                alpha,
                beta or 0,
            ])
            return total
        '''
    )
    repo.write("pkg/__init__.py", "")
    repo.write("pkg/m.py", module)
    repo.write("run_tests.py", "import pkg.m\n")
    write_policy(repo, "line_min: 0\ndiff: {line_min: 0}\nratchet: {enabled: false}")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    edited = (
        module.replace("    retries=1,\n", "    retries=2,\n")
        .replace("    beta=None,\n", "    beta=0,\n")
        .replace("        beta or 0,\n", "        beta or 1,\n")
        .replace("    More.\n", "    More text.\n")
    )
    repo.write("pkg/m.py", edited)
    repo.commit("feature")
    measure(repo.root)
    code, gate = gate_json(run_cli, "--base", "main")
    assert code == 0, gate
    (entry,) = gate["details"]["diff_files"]
    # The decorator (7), the def (11) and the sum(...) statement (19); the docstring is no statement.
    assert entry == {"path": "pkg/m.py", "statements": 3, "missing": [19]}


def test_on_python_3_12_an_fstring_in_the_logical_line_goes_to_coverage(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """PEP 701 lets f-string fields hold quotes and newlines: only such statements fall back."""
    from gates.checks.coverage import spans

    monkeypatch.setattr(spans, "_PEP701", True)
    text = 'a = call(\n    f"{x # a comment in a field}",\n)\nb = call(\n    f"{y!r:>{w}}",\n)\n'
    with pytest.raises(Unfollowable):
        owners(text, {1, 4}, [2])
    assert owners(text, {1, 4}, [5]) == {5: 4}  # fields that close as before: no fallback
    (tmp_path / "m.py").write_text(text)
    assert diffcov._first_lines(tmp_path, "m.py", [2, 5], FileCoverage({1, 4}, {1})) == {
        1: 1,
        2: 1,
        3: 1,
        4: 4,
        5: 4,
        6: 4,
    }
    for source in _corpus(60):
        try:
            compile(source, "x.py", "exec")
        except SyntaxError:
            continue
        statements, expected = _reference(source)
        (tmp_path / "c.py").write_text(source)
        lines = [n for n in range(1, source.count("\n") + 2) if n not in statements]
        mapped = diffcov._first_lines(tmp_path, "c.py", lines, FileCoverage(statements, set()))
        assert mapped is not None
        assert {n: mapped[n] for n in lines if mapped.get(n) in statements} == expected, source
