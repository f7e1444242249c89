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

from gates.records import frozen_record

# Statement starts at one indentation, triple quotes, and backslash continuations, in order.
# Every branch starts with a literal character (a statement start is matched from the newline
# before it, not with "^"), so the regex engine skips to those four characters instead of
# trying the pattern at every position: twice as fast.
_EVENTS = {indent: re.compile(rf"\n{indent}[A-Za-z_@]|\"\"\"|'''|\\\r?\n") for indent in ("", "    ")}
_CONTINUATION = re.compile(r"(?:else|elif|except|finally)\b")
_DEFINITIONS = ("def ", "async ", "class ", "@")


@frozen_record
class Block:
    first_line: int  # 1-based
    last_line: int
    start: int  # character offsets into the text
    end: int
    is_definition: bool


def split_blocks(text: str, start: int = 0, end: int | None = None, indent: str = "") -> list[Block]:
    """Blocks of ``text[start:end]`` that begin at ``indent`` ("" for the module, 4 spaces in a class)."""
    stop = len(text) if end is None else end
    starts: list[int] = [start]
    open_quote: str | None = None
    continued_until = -1
    # The statement at ``start`` itself is never a split point (nor matched, having no newline
    # before it in range), but a decorator there holds the next statement to it.
    after_decorator = text.startswith(indent + "@", start)
    for match in _EVENTS[indent].finditer(text, start, stop):
        token = match.group()
        position = match.start()
        if token[0] == "\n":
            position += 1  # the statement starts after the newline
            token = token[1:]
        if token in ('"""', "'''"):
            if open_quote is None:
                open_quote = token
            elif token == open_quote:
                open_quote = None
        elif token.startswith("\\"):
            if open_quote is None:
                continued_until = match.end()
        elif open_quote is None and position != continued_until:
            statement = position + len(indent)
            if not after_decorator and not _CONTINUATION.match(text, statement) and position != start:
                starts.append(position)
            after_decorator = token.endswith("@")
    starts.append(stop)
    blocks = []
    line = text.count("\n", 0, start) + 1
    for begin, finish in itertools.pairwise(starts):
        if finish <= begin:
            continue
        lines = text.count("\n", begin, finish)
        head = text[begin + len(indent) : begin + len(indent) + 6]
        blocks.append(Block(line, line + max(lines - 1, 0), begin, finish, head.startswith(_DEFINITIONS)))
        line += lines
    return blocks


def assemble(text: str, blocks: Iterable[Block], stubs: Iterable[Block] = ()) -> str:
    """Only ``blocks``' source, other lines blanked, so line numbers and columns stay the file's.

    A stub (a method we skip) becomes ``pass`` at class-body indentation, so the class
    around it still parses.
    """
    chosen = [(b, False) for b in blocks] + [(b, True) for b in stubs]
    chosen.sort(key=lambda item: item[0].start)
    pieces: list[str] = []
    line = 1
    for block, stub in chosen:
        pieces.append("\n" * (block.first_line - line))
        newlines = text.count("\n", block.start, block.end)
        pieces.append("    pass" + "\n" * newlines if stub else text[block.start : block.end])
        line = block.first_line + newlines
    return "".join(pieces)
