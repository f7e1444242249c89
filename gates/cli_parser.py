"""The argument parser of every ``gates`` command: argparse's, sized without ``shutil``.

argparse builds a help formatter for every ``add_argument`` call and, to size it, imports
``shutil`` (with ``bz2``, ``lzma`` and ``fnmatch``): ~2 ms of each hook run, which uses no
other part of it. The width here is the one ``shutil.get_terminal_size`` gives argparse:
``$COLUMNS``, else the terminal's width, else 80; the help text is the same.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns`` (its default fallback of 80 columns)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


class HelpFormatter(argparse.HelpFormatter):
    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None
    ) -> None:
        if width is None:
            width = terminal_columns() - 2  # as argparse does
        super().__init__(prog, indent_increment, max_help_position, width)


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser with :class:`HelpFormatter`; its subcommands' parsers are this class too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
