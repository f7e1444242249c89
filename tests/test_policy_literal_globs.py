"""Plain gitignore patterns matched without pathspec: the same answers as pathspec's GitIgnoreSpec."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pathspec
import pytest

from gates.policy.literal_globs import literal_regex, normalize
from gates.policy.paths import DEFAULT_EXCLUDES, Paths, is_source, matches_any

NAMES = ["a", "build", ".venv", "x.py", "a-b_c.d", "node_modules"]
SHAPES_ONE = ["{0}", "{0}/", "/{0}", "/{0}/", "**/{0}", "**/{0}/"]
SHAPES_TWO = ["{0}/{1}", "{0}/{1}/", "/{0}/{1}", "/{0}/{1}/", "**/{0}/{1}", "**/{0}/{1}/"]


def _plain_patterns() -> list[str]:
    one = [shape.format(name) for shape in SHAPES_ONE for name in NAMES]
    two = [shape.format(a, b) for shape in SHAPES_TWO for a, b in itertools.permutations(NAMES[:4], 2)]
    return ["**", *one, *two, "a/build/x.py", "**/a/build/", "+@=,~%"]


def _paths() -> list[str]:
    names = [*NAMES[:4], "ab", "x.pyc"]
    paths = ["/".join(parts) for depth in (1, 2, 3) for parts in itertools.product(names, repeat=depth)]
    odd = ["", "/a/x.py", "./build/x.py", "build/", "a/build/", "a\nb/build/x.py", "build\n", "x.py\n"]
    return paths + odd


PATHS = _paths()
NOT_PLAIN = ["*.py", "a/*", "**/", "**/**", "a/**/b", "/**/a", "!build/", "\\#a", "#a", "a?", "[ab]"]
NOT_PLAIN += ["a b", "a ", "/", "a//b", "é"]


def _pathspec(patterns: tuple[str, ...]) -> list[bool]:
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    return [spec.match_file(path) for path in PATHS]


def _ours(patterns: tuple[str, ...]) -> list[bool]:
    regex = literal_regex(patterns)
    assert regex is not None, patterns
    return [regex.search(normalize(path)) is not None for path in PATHS]


@pytest.mark.parametrize("pattern", _plain_patterns())
def test_each_plain_pattern_matches_what_pathspec_matches(pattern: str) -> None:
    assert _ours((pattern,)) == _pathspec((pattern,))


def test_lists_of_plain_patterns_match_what_pathspec_matches() -> None:
    patterns = _plain_patterns()
    defaults = tuple(DEFAULT_EXCLUDES)
    for chosen in (defaults, ("**", *defaults), tuple(patterns[1:40:3]), tuple(patterns[::-7])):
        assert _ours(chosen) == _pathspec(chosen), chosen


@pytest.mark.parametrize("pattern", NOT_PLAIN)
def test_patterns_with_gitignore_syntax_are_left_to_pathspec(pattern: str) -> None:
    assert literal_regex((pattern,)) is None
    assert literal_regex(("build/", pattern)) is None  # one such pattern sends the whole list


def test_matches_any_agrees_with_pathspec_either_way() -> None:
    for patterns in (["."], ["src", "!src/gen/"], ["*.py", "build/"], ["tests/data/"]):
        globs = ["**" if p == "." else p for p in patterns]
        spec = pathspec.GitIgnoreSpec.from_lines(globs)
        for path in PATHS:
            assert matches_any(path, patterns) == spec.match_file(path), (patterns, path)


def test_the_default_paths_need_no_pathspec() -> None:
    # The selection every run makes (paths.source minus paths.exclude) with the defaults and
    # with this repository's kind of policy; pathspec's import is ~8 ms of a hook's start-up.
    code = (
        "import sys\n"
        "from gates.policy.paths import Paths, is_source, is_critical\n"
        "ours = Paths(source=['gates/'], critical=['gates/runner.py'], exclude=['tests/data/'])\n"
        "for paths in (Paths(), ours):\n"
        "    assert is_source('gates/a.py', paths) and not is_source('.venv/a.py', paths)\n"
        "    is_critical('gates/runner.py', paths)\n"
        "print('pathspec' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_selection_with_defaults() -> None:
    paths = Paths()
    assert is_source("src/venv/x.py", paths) is False  # "venv/" matches at any depth
    assert is_source("src/venv.py", paths) is True  # ... but only a directory of that name
    assert is_source("node_modules/x.py", paths) is False
