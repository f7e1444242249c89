"""Splitting a module into top-level blocks, so only the blocks that matter get parsed.

Parsing a whole file builds a Python object for every node; on a large tree that is
most of the cost. Top-level ``def``/``class`` blocks hold most of the code, and only
those that mention a name some rule cares about can contain a flagged call. The split
is textual (a line starting at column 0, outside triple-quoted strings), so a string
can fool it; a selection that then fails to parse makes the caller parse the whole file.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

# Column-0 statement starts, triple quotes, and backslash continuations, in file order.
_EVENTS = re.compile(r"^[A-Za-z_@]|\"\"\"|'''|\\\r?\n", re.MULTILINE)
_CONTINUATION = re.compile(r"(?:else|elif|except|finally)\b")
_DEFINITIONS = ("def ", "async ", "class ", "@")


@dataclass(frozen=True)
class Block:
    first_line: int  # 1-based
    last_line: int
    start: int  # character offsets into the text
    end: int
    is_definition: bool


def split_blocks(text: str) -> list[Block]:
    starts: list[int] = [0]
    open_quote: str | None = None
    continued_until = -1
    after_decorator = False
    for match in _EVENTS.finditer(text):
        token = match.group()
        position = match.start()
        if token in ('"""', "'''"):
            if open_quote is None:
                open_quote = token
            elif token == open_quote:
                open_quote = None
        elif token.startswith("\\"):
            if open_quote is None:
                continued_until = match.end()
        elif open_quote is None and position != continued_until:
            if not after_decorator and not _CONTINUATION.match(text, position) and position:
                starts.append(position)
            after_decorator = token == "@"
    starts.append(len(text))
    blocks = []
    line = 1
    for begin, end in itertools.pairwise(starts):
        if end <= begin:
            continue
        lines = text.count("\n", begin, end)
        chunk_head = text[begin : begin + 6]
        blocks.append(Block(line, line + max(lines - 1, 0), begin, end, chunk_head.startswith(_DEFINITIONS)))
        line += lines
    return blocks


def assemble(text: str, blocks: Iterable[Block]) -> str:
    """Only ``blocks``' source, other lines blanked, so line numbers and columns stay the file's."""
    pieces: list[str] = []
    line = 1
    for block in blocks:
        pieces.append("\n" * (block.first_line - line))
        pieces.append(text[block.start : block.end])
        line = block.first_line + text.count("\n", block.start, block.end)
    return "".join(pieces)
