"""Rewriting fixable findings with libcst, keeping every comment and all formatting.

A fix only ever *adds* a missing keyword argument (``weights_only=True``,
``Loader=yaml.SafeLoader``, ``timeout=30``); it never flips a value someone wrote,
so running it twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from gates.records import frozen_record


@frozen_record
class Edit:
    line: int
    column: int  # 0-based, in characters (libcst's convention)
    keyword: str
    value: str


def char_column(source_lines: list[str], line: int, byte_offset: int) -> int:
    """ast reports UTF-8 byte offsets; libcst counts characters."""
    text = source_lines[line - 1] if 0 < line <= len(source_lines) else ""
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace"))


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    wanted: dict[tuple[int, int], list[Edit]] = {}
    for edit in edits:
        wanted.setdefault((edit.line, edit.column), []).append(edit)
    if not wanted:
        return source
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    transformer = _AddKeywords(wanted)
    return wrapper.visit(transformer).code


class _AddKeywords(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, wanted: dict[tuple[int, int], list[Edit]]) -> None:
        super().__init__()
        self.wanted = wanted
        self.targets: dict[int, list[Edit]] = {}

    def visit_Call(self, node: cst.Call) -> None:
        start = self.get_metadata(PositionProvider, node).start
        edits = self.wanted.get((start.line, start.column))
        if edits:
            self.targets[id(node)] = edits

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        edits = self.targets.pop(id(original_node), None)
        if not edits:
            return updated_node
        present = {a.keyword.value for a in updated_node.args if a.keyword is not None}
        call = updated_node
        for edit in edits:
            if edit.keyword not in present and not any(a.star == "**" for a in call.args):
                call = _append_keyword(call, edit.keyword, edit.value)
                present.add(edit.keyword)
        return call


def _append_keyword(call: cst.Call, keyword: str, value: str) -> cst.Call:
    new_arg = cst.Arg(
        keyword=cst.Name(keyword),
        value=cst.parse_expression(value),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new_arg])
    last = args[-1]
    if isinstance(last.comma, cst.Comma):
        # Trailing-comma style: the new argument goes on its own line before ")".
        closing = last.comma.whitespace_after
        between = (
            args[-2].comma.whitespace_after
            if len(args) > 1 and isinstance(args[-2].comma, cst.Comma)
            else call.whitespace_before_args
        )
        if isinstance(closing, cst.ParenthesizedWhitespace) and isinstance(
            between, cst.ParenthesizedWhitespace
        ):
            # The last argument keeps its comment; the new one gets the closing indentation.
            args[-1] = last.with_changes(
                comma=last.comma.with_changes(
                    whitespace_after=closing.with_changes(last_line=between.last_line)
                )
            )
            plain = closing.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
            args.append(new_arg.with_changes(comma=last.comma.with_changes(whitespace_after=plain)))
        else:
            args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            args.append(new_arg.with_changes(comma=last.comma))
    else:
        # No trailing comma: the whitespace before ")" belongs to the last argument.
        closing = last.whitespace_after_arg
        between = (
            args[-2].comma.whitespace_after
            if len(args) > 1 and isinstance(args[-2].comma, cst.Comma)
            else call.whitespace_before_args
        )
        if isinstance(closing, cst.ParenthesizedWhitespace) and isinstance(
            between, cst.ParenthesizedWhitespace
        ):
            # One argument per line: the new one gets its own line at the same indentation,
            # the last argument keeps its comment, ")" stays where it was.
            comma = cst.Comma(whitespace_after=closing.with_changes(last_line=between.last_line))
            plain = closing.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
            args[-1] = last.with_changes(comma=comma, whitespace_after_arg=cst.SimpleWhitespace(""))
            args.append(new_arg.with_changes(whitespace_after_arg=plain))
        else:
            comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            args[-1] = last.with_changes(comma=comma, whitespace_after_arg=cst.SimpleWhitespace(""))
            args.append(new_arg.with_changes(whitespace_after_arg=closing))
    return call.with_changes(args=args)
