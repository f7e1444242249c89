"""The textual top-level split and the line-preserving reassembly."""

from __future__ import annotations

import ast

from gates.checks.models.blocks import assemble, split_blocks

SOURCE = '''"""Module docstring
spanning lines
"""
import torch

@decorator
def first():
    x = """
not a block start
"""
    return x
else_like = 1
class Second(Base):
    def method(self):
        return torch.load(p)
value = 1 + \\
    2
'''


def test_blocks_start_at_column_zero_statements_outside_strings() -> None:
    blocks = split_blocks(SOURCE)
    heads = [SOURCE[b.start : b.end].splitlines()[0] for b in blocks]
    expected = ['"""Module docstring', "import torch", "@decorator", "else_like = 1", "class Second(Base):"]
    assert heads == [*expected, "value = 1 + \\"]
    assert heads[0] == '"""Module docstring'
    assert "@decorator" in heads and "def first():" not in heads
    assert "not a block start" not in heads
    assert "    2" not in heads
    assert [b.is_definition for b in blocks if SOURCE[b.start :].startswith("class")] == [True]


def test_assemble_keeps_line_numbers() -> None:
    blocks = split_blocks(SOURCE)
    chosen = [b for b in blocks if SOURCE[b.start :].startswith("class")]
    tree = ast.parse(assemble(SOURCE, chosen))
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call))
    assert call.lineno == SOURCE.splitlines().index("        return torch.load(p)") + 1


def test_every_block_parses_and_covers_the_file() -> None:
    blocks = split_blocks(SOURCE)
    assert "".join(SOURCE[b.start : b.end] for b in blocks) == SOURCE
    for block in blocks:
        ast.parse(assemble(SOURCE, [block]))
