"""When an f-string may not end where a pre-3.12 lexer ended it (PEP 701 fields)."""

from __future__ import annotations

import pytest

from gates.pep701 import fstring_unsure


@pytest.mark.parametrize(
    ("literal", "unsure"),
    [
        ('"{x}"', False),
        ('"{x:>{w}}"', False),  # a format spec's nested field
        ('"{{a}}"', False),  # literal braces
        ('"{a}}}"', False),
        ('"{x!r}"', False),
        ("\"{', '.join(a)}\"", False),  # a string of the other quote in a field
        ('"#{i}"', False),  # a hash outside any field
        ('"""{\n x\n}"""', False),
        ('"{"', True),  # cut at its own quote inside a field: f"{"#"}"
        ("\"{'}' + \"", True),  # cut inside a field after a string holding a brace
        ('"{x # c}"', True),  # a comment in a field
        ("\"{x['\\n']}\"", True),  # a backslash in a field's string
    ],
)
def test_fields_that_may_hold_their_own_quote_or_a_comment(literal: str, unsure: bool) -> None:
    assert fstring_unsure("f" + literal, 1, literal) is unsure


def test_only_fstrings_count() -> None:
    literal = '"{"'
    assert fstring_unsure("x = " + literal, 4, literal) is False
    assert fstring_unsure("x = b" + literal, 5, literal) is False
    assert fstring_unsure("x = rf" + literal, 6, literal) is True
    assert fstring_unsure("x = elif" + literal, 8, literal) is False
