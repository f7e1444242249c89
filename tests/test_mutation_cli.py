"""The mutation command's forms all parse, and its actions reach their handlers."""

from __future__ import annotations

import pytest

from gates.checks.mutation import handle_command
from gates.cli import build_parser
from tests.helpers import place_hostile


@pytest.mark.parametrize(
    "argv",
    [
        ["mutation"],
        ["mutation", "--shard", "1/2"],
        ["mutation", "merge", "a", "b"],
        ["mutation", "doctor"],
        ["mutation", "--changed", "--results-dir", "out", "src/a.py"],
    ],
)
def test_every_form_parses_to_the_mutation_handler(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert args.gate_name == "mutation"
    assert args.gate_handler is handle_command


def test_merge_without_directories_is_a_usage_error(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("mutation", "merge")
    assert result.code == 2
    assert "results directories" in result.err


def test_merge_of_a_missing_directory_is_an_error(run_cli, repo) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("mutation", "merge", "nowhere")
    assert result.code == 2
    assert "not found" in result.out


def test_a_bad_shard_is_a_usage_error(run_cli, repo) -> None:  # type: ignore[no-untyped-def]
    repo.write("pkg/a.py", "def f():\n    return 1\n")
    repo.write("tests/test_a.py", "from pkg.a import f\n\ndef test_f():\n    assert f() == 1\n")
    repo.commit()
    result = run_cli("mutation", "--shard", "3/2")
    assert result.code == 2
    assert "--shard" in result.out + result.err


def test_a_crash_inside_mutmut_is_named_as_such() -> None:
    from gates.checks.mutation.process import ProcessOutcome, explain_failure

    output = """Running stats
  File "/venv/lib/python3.11/site-packages/pluggy/_execution.py", line 147, in _multicall
    res = hook_impl.function(*args)
  File "/venv/lib/python3.11/site-packages/mutmut/__main__.py", line 584, in pytest_runtest_teardown
    x.add(item._nodeid)
AttributeError: 'Function' object has no attribute '_nodeid'
failed to collect stats. runner returned 1
"""
    message = explain_failure(ProcessOutcome(1, output, False, 1.0))
    assert message.startswith("mutmut crashed in its own code (AttributeError:")
    plain = explain_failure(
        ProcessOutcome(1, "E   assert 1 == 3\nfailed to collect stats. runner returned 1\n", False, 1)
    )
    assert plain.startswith("the tests fail before any mutation")


@pytest.mark.parametrize("kind", ["fifo", "deep"])
def test_merge_of_a_fifo_or_deeply_nested_file_is_an_error_naming_it(repo, kind: str) -> None:  # type: ignore[no-untyped-def]
    """A FIFO given to `mutation merge` blocked forever; JSON nested 100,000 deep was an internal error."""
    import subprocess
    import sys

    target = repo.root / "results.json"
    place_hostile(target, kind)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "gates", "mutation", "merge", "results.json"],
            cwd=repo.root,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("gates mutation merge blocked on a FIFO")
    assert proc.returncode == 2
    assert "results.json is not a mutation results file" in proc.stdout, proc.stdout
    assert "internal error" not in proc.stdout
