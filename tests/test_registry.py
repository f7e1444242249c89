"""Finding the gates: every module under gates/checks, listed without pkgutil, loaded one by one."""

from __future__ import annotations

import pkgutil

import pytest

import gates.checks
from gates import registry
from gates.cli import build_parser, main


def test_the_listing_is_pkgutils() -> None:
    expected = sorted(
        info.name for info in pkgutil.iter_modules(gates.checks.__path__) if not info.name.startswith("_")
    )
    assert registry.gate_module_names() == expected
    assert {"models", "security", "todo", "coverage", "mutation", "coreml", "readiness"} <= set(expected)


def test_every_gate_is_listed_in_help_and_check_runs_them_all() -> None:
    names = [gate.name for gate in registry.all_gates()]
    assert sorted(names) == registry.gate_module_names()
    help_text = build_parser().format_help()
    for name in names:
        assert f"\n    {name}" in help_text


def test_a_gate_subcommand_builds_only_its_own_parser() -> None:
    # `gates models ...` parses exactly as with the full parser (same options, same defaults).
    full = build_parser()
    own = build_parser("models")
    argv = ["models", "--code-only", "--format", "json", "a.py"]
    assert vars(own.parse_args(argv)) == vars(full.parse_args(argv))


def test_an_unknown_gate_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["nope"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err
