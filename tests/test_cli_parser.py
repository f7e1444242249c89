"""The gates argument parser: argparse's help, the same width, without importing shutil."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys

import pytest

from gates.cli_parser import ArgumentParser, terminal_columns


@pytest.mark.parametrize("columns", [None, "100", "37", "0", "-4", "wide"])
def test_width_is_the_one_shutil_gives(monkeypatch: pytest.MonkeyPatch, columns: str | None) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert terminal_columns() == shutil.get_terminal_size().columns


def _build(parser_class: type[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = parser_class(prog="gates", description="Quality and safety gates. " * 6)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    models = sub.add_parser("models", help="unsafe model loading " * 5)
    models.add_argument("--format", choices=["text", "json", "sarif"], help="output format " * 8)
    models.add_argument("paths", nargs="*", metavar="PATH", help="only these files " * 6)
    return parser


@pytest.mark.parametrize("columns", ["60", "100", "160"])
def test_help_is_argparses_own(monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    ours, theirs = _build(ArgumentParser), _build(argparse.ArgumentParser)
    assert ours.format_help() == theirs.format_help()
    sub_ours = ours._subparsers._group_actions[0].choices["models"]  # type: ignore[union-attr]
    sub_theirs = theirs._subparsers._group_actions[0].choices["models"]  # type: ignore[union-attr]
    assert isinstance(sub_ours, ArgumentParser)  # subcommands inherit the class
    assert sub_ours.format_help() == sub_theirs.format_help()


def test_building_the_parser_imports_no_shutil() -> None:
    code = (
        "import sys, gates.cli\n"
        "gates.cli.build_parser('models').parse_args(['models', '--format', 'json'])\n"
        "gates.cli.build_parser().format_help()\n"
        "print('shutil' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
