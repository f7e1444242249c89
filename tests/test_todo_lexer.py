"""The regular-expression lexer finds exactly the comments tokenize finds, and the scanner the same items.

The reference is the scanner reading comments with :mod:`tokenize` (``use_tokenize=True``), the
way it did before the lexer. A generated corpus mixes the hard cases: ``#`` and markers inside
every kind of string, f-strings with nested quotes, escaped quotes, backslash continuations of
code and of strings, empty and triple-quoted strings next to comments, CRLF line ends,
non-ASCII text and the characters re's IGNORECASE folds onto ASCII letters.
"""

from __future__ import annotations

import io
import random
import sys
import tokenize
from collections.abc import Callable
from functools import partial

import pytest

from gates.checks.todo import lexer
from gates.checks.todo.scanner import MarkerSpec, TodoItem, UnparsableSource, scan_bytes, scan_source

FRAGMENTS = [
    "x = 1  # TODO: handle 2\n",
    "#FIXME\n",
    "    # XXX later, for now\n",
    'HELP = "TODO: not a comment"\n',
    "s = '# FIXME inside a string'\n",
    'd = """\nFIXME in a docstring\n# TODO also inside\n"""  # XXX after the docstring\n',
    'r = r"\\"# TODO still a string"  # FIXME a comment\n',
    "b = b'# XXX bytes'\n",
    "f = f\"{x['#']} # TODO in an f-string\"  # FIXME real\n",
    "g = f'{a!r:>{w}} # XXX'\n",
    'e = "it\\"s # TODO"  # for now\n',
    "t = '''a'' # TODO'''\n",
    "u = '' # TODO after an empty string\n",
    'v = """""" # FIXME after an empty triple\n',
    'w = "abc \\\n# TODO inside a continued string"\n',
    "y = 1 + \\\n    2  # XXX after a continuation\n",
    'API_URL = "PLACEHOLDER"\n',
    "MODEL = 'TODO'\n",
    'NAMES = ["TODO", "FIXME"]\n',
    'def run():\n    return "XXX"\n',
    "def f():\n    pass  # TODO fill in\n",
    "try:\n    import x\nexcept ImportError:  # FIXME\n    pass\n",
    "def g():\n    raise NotImplementedError\n",
    "def h(model='FIXME'):\n    ...  # TODO(blocking): wire it\n",
    "z = {'#': 1}  # XXX: dict\n",
    "q = '\\'' # TODO quote escapes\n",
    "c = 'caf\u00e9'  # TODO: caf\u00e9 non-ASCII\n",
    "k = 1  # fixme lower case\n",
    "n = 2  # todos mastodon xxxl are not markers\n",
    "m = (1,\n     2)  # FIXME in brackets\n",
    "p = '''\n'''''  # TODO quotes after a triple\n",
    "def i():\n    '''doc # TODO'''\n    pass  # XXX\n",
    "o = 3  # \u0131 dotless, fıxme\n",
    # PEP 701 (3.12+): a field may hold the f-string's own quote, a comment, a format spec.
    'a = f"{"#"} # TODO nested same quote"  # FIXME real\n',
    "b = f'{x!r:>{w}}'  # TODO spec\n",
    'c = f"""{\n  x  # TODO a comment in a field\n}"""\n',
    "e = f'#{i} {{TODO}}'  # FIXME hash outside fields\n",
    "g = f\"{', '.join(a)} # TODO\"  # XXX\n",
    'h = f"{\'}\' + "# TODO"}"  # FIXME\n',
]
BROKEN_TAILS = [
    "",
    "",
    "",
    "bad = '''never closed # TODO\n",
    "bad2 = '''a' # FIXME: a triple quote never closed\n",
    "half = 'unclosed # FIXME\nnext = 1  # TODO after it\n",
    "cont = 'abc \\\nno close # XXX\nafter = 1  # TODO\n",
]
SPECS = [
    MarkerSpec(("TODO", "FIXME", "XXX", "PLACEHOLDER", "for now"), "blocking"),
    MarkerSpec(("TODO", "FIXME", "XXX"), "blocking", case_sensitive=True),
    MarkerSpec(
        ("TODO", "FIXME", "XXX"),
        "blocking",
        not_implemented="off",
        placeholder_bodies=False,
        placeholder_strings=False,
    ),
    MarkerSpec(("TODO", "FIXME"), "blocking", not_implemented="anywhere"),
]


def _outcome(scan: Callable[[], list[TodoItem]]) -> list[TodoItem] | tuple[str, int, str]:
    try:
        return scan()
    except UnparsableSource as exc:
        return ("unparsable", exc.line, exc.message)


def _corpus(count: int) -> list[str]:
    rng = random.Random(18)
    texts = []
    for _ in range(count):
        body = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 8)))
        body += rng.choice(BROKEN_TAILS)
        if rng.random() < 0.2:
            body = body.replace("\n", "\r\n")
        texts.append(body)
    return texts


@pytest.mark.parametrize("spec", SPECS, ids=["default", "case-sensitive", "markers-only", "anywhere"])
def test_same_items_as_the_tokenize_scanner_on_a_generated_corpus(spec: MarkerSpec) -> None:
    compared = 0
    for text in _corpus(400):
        data = text.encode("utf-8")
        reference_text = text.replace("\r\n", "\n")  # as read_text's universal newlines gave it
        old = _outcome(partial(scan_source, reference_text, spec, use_tokenize=True))
        new = _outcome(partial(scan_bytes, data, spec))
        assert new == old, text
        compared += 1
    assert compared == 400


def test_the_corpus_exercises_the_hard_cases() -> None:
    """The equality above means something only if the corpus hits both paths and both outcomes."""
    spec = SPECS[0]
    outcomes = [_outcome(partial(scan_bytes, t.encode(), spec)) for t in _corpus(400)]
    assert any(isinstance(o, tuple) for o in outcomes)  # unterminated strings: unparsable, as before
    kinds = {i.kind for o in outcomes if isinstance(o, list) for i in o}
    assert kinds == {"marker", "stub", "placeholder-body", "placeholder-string"}
    lexed = sum(lexer.comments_at(t, [0]) is not None for t in _corpus(400))
    assert 150 < lexed < 400  # most by the lexer, the broken ones by tokenize


def _tokenize_comments(text: str) -> list[tuple[int, str]]:
    found = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            found.append((token.start[0], token.string.lstrip("#").strip()))
    return found


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12+ sends f-strings to tokenize")
def test_every_comment_span_matches_tokenize() -> None:
    for text in _corpus(200):
        text = text.replace("\r\n", "\n")
        every = list(range(len(text)))
        mine = lexer.comments_at(text, every)
        if mine is None:
            continue
        assert [(c.line, c.text) for c in mine] == _tokenize_comments(text), text


def test_a_hash_in_a_string_is_not_a_comment_and_a_string_after_one_is_not_a_string() -> None:
    text = "a = '# TODO'  # FIXME: it's fine\nb = \"x\"\n"
    found = lexer.comments_at(text, [text.index("TODO"), text.index("FIXME")])
    assert found == [lexer.Comment(1, "a = '# TODO'", "FIXME: it's fine")]


def test_unterminated_strings_are_left_to_tokenize() -> None:
    assert lexer.comments_at("x = '''open\n# TODO\n", [0]) is None
    assert lexer.comments_at("x = 'open # TODO\n", [0]) is None
    assert lexer.strings("x = 'open\n") is None


def test_unclosed_brackets_and_bad_dedents_do_not_hide_markers() -> None:
    """Deliberate: comments and strings do not depend on them (tokenize made these unparsable)."""
    spec = SPECS[2]
    for text in ("x = (1,\n# TODO: closes later\n", "if x:\n        a = 1\n    b = 2  # FIXME\n"):
        (item,) = scan_bytes(text.encode(), spec)
        assert item.kind == "marker"
        with pytest.raises(UnparsableSource):
            scan_source(text, spec, use_tokenize=True)
