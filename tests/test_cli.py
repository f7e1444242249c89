"""The command line: exit codes, --format/--output pairing, --version, light imports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gates import __version__, registry
from gates.findings import GateResult, Severity, Verdict
from tests.helpers import ListGate, finding

HEAVY_MODULES = ("torch", "coremltools", "semgrep")


@pytest.fixture
def failing_gate(monkeypatch: pytest.MonkeyPatch) -> ListGate:
    gate = ListGate(
        lambda ctx: GateResult("security", Verdict.PASS, findings=[finding(severity=Severity.ERROR)])
    )
    monkeypatch.setattr(registry, "all_gates", lambda: [gate])
    return gate


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "markdown"])
def test_format_never_changes_the_exit_code(repo, run_cli, failing_gate, fmt: str) -> None:
    assert run_cli("check", "--format", fmt).code == 1


def test_several_formats_each_with_its_own_output(repo, run_cli, failing_gate) -> None:
    result = run_cli(
        "check",
        "--format",
        "json",
        "--output",
        "r.json",
        "--format",
        "sarif",
        "--output",
        "r.sarif",
        "--format",
        "text",
    )
    assert result.code == 1
    assert json.loads((repo.root / "r.json").read_text())["verdict"] == "fail"
    assert json.loads((repo.root / "r.sarif").read_text())["version"] == "2.1.0"
    assert "verdict: FAIL (exit 1)" in result.out


def test_output_before_format_is_a_usage_error(repo, run_cli) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run_cli("check", "--output", "a.json", "--output", "b.json")
    assert exit_info.value.code == 2


def test_unknown_gate_is_a_usage_error(repo, run_cli, failing_gate) -> None:
    result = run_cli("check", "--gate", "nope")
    assert result.code == 2
    assert "no gate named 'nope'" in result.err


def test_passing_run_exits_0(repo, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    gate = ListGate(lambda ctx: GateResult("security", Verdict.PASS, findings=[]))
    monkeypatch.setattr(registry, "all_gates", lambda: [gate])
    result = run_cli("check", "--format", "json")
    assert result.code == 0
    assert json.loads(result.out)["verdict"] == "pass"


def test_baseline_update_then_check_passes(repo, run_cli, failing_gate) -> None:
    repo.write("src/a.py", "x = 1\n")
    assert run_cli("check").code == 1
    update = run_cli("baseline", "update")
    assert update.code == 0, update.err
    data = json.loads((repo.root / ".gates/baseline.json").read_text())
    assert [e["rule_id"] for e in data["findings"]] == ["R1"]
    assert run_cli("check").code == 0
    assert run_cli("check", "--no-baseline").code == 1


def test_version_is_fast_path_and_matches_package() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "gates", "--version"], capture_output=True, text=True, check=True
    )
    assert proc.stdout.strip() == f"ml-gates {__version__}"


def test_cli_and_parser_import_no_heavy_modules() -> None:
    code = (
        "import sys, gates.cli\n"
        "gates.cli.build_parser()\n"
        f"print([m for m in {HEAVY_MODULES!r} if m in sys.modules])\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_every_gate_has_a_subcommand() -> None:
    from gates.cli import build_parser

    parser = build_parser()
    names = {gate.name for gate in registry.all_gates()}
    for name in names:
        args = parser.parse_args([name])
        assert args.command == name


def test_no_command_prints_help_and_exits_2(run_cli) -> None:
    assert run_cli().code == 2


def test_missing_policy_file_is_exit_2(repo, run_cli) -> None:
    result = run_cli("check", "--policy", "missing.yaml")
    assert result.code == 2
    assert result.err.startswith("missing.yaml:1:1: policy file not found")


def test_written_reports_are_atomic(repo, run_cli, failing_gate) -> None:
    run_cli("check", "--format", "json", "--output", "out/report.json")
    assert (repo.root / "out/report.json").is_file()
    assert [p.name for p in (repo.root / "out").iterdir()] == ["report.json"]


def test_module_entry_point(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "gates", "policy", "schema"], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["title"] == "Policy"


@pytest.mark.parametrize(
    "argv",
    [["--version"], ["policy", "show"], ["policy", "schema"], ["policy", "validate"], ["mutation", "doctor"]],
)
def test_commands_that_print_directly_to_a_full_stdout_are_exit_2(tmp_path: Path, argv: list[str]) -> None:
    """Not only reports: every command's output to a full disk is exit 2 naming stdout (issue 13, 15)."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "gates", *argv],
            cwd=tmp_path,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().endswith("standard output: No space left on device"), proc.stderr
