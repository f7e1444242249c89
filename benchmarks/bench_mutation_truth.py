"""Mutation counts three ways on a real checkout: plain ``mutmut run``, ``gates mutation``, and a
hand check (each mutant applied, ``pytest -x`` in a fresh process).

The checkout is copied twice (mutmut writes ``mutants/`` in place; the gate only reads), so the
given directory is never changed. It must be a git repository whose files the tests need are
present (e.g. a generated ``_version.py``), with the test dependencies installed in this
interpreter.

    python benchmarks/bench_mutation_truth.py CHECKOUT --file src/humanize/number.py \\
        --tests tests/test_number.py --max-children 2 [--hand-sample N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

RUN_MUTMUT = (
    "import os, sys; sys.path[:] = [p for p in sys.path if p not in ('', '.', os.getcwd())]; "
    "sys.argv[0] = 'mutmut'; from mutmut.__main__ import cli; sys.exit(cli())"
)


def mutmut_statuses(project: Path) -> dict[str, str]:
    """mutmut's own status of every mutant (its status_by_exit_code table on the .meta files)."""
    from mutmut.stats import status_by_exit_code

    found: dict[str, str] = {}
    for meta in (project / "mutants").rglob("*.py.meta"):
        for name, code in json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"].items():
            found[name] = "not checked" if code is None else status_by_exit_code[code]
    return found


def plain_mutmut(checkout: Path, scratch: Path, file: str, tests: str, children: int) -> tuple[Path, float]:
    project = scratch / "plain"
    shutil.copytree(checkout, project, symlinks=True)
    with (project / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            f'\n[tool.mutmut]\nsource_paths = ["src/"]\nonly_mutate = ["{file}"]\n'
            f'pytest_add_cli_args_test_selection = ["{tests}"]\n'
        )
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-c", RUN_MUTMUT, "run", "--max-children", str(children)],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return project, time.monotonic() - started


def gate(
    checkout: Path, scratch: Path, file: str, tests: str, children: int
) -> tuple[dict[str, object], dict[str, str], float]:
    project = scratch / "gate"
    shutil.copytree(checkout, project, symlinks=True)
    (project / "policy.yaml").write_text(
        'version: 1\npaths:\n  source: ["src/"]\n  tests: ["tests/"]\nmutation:\n'
        f'  paths: ["{file}"]\n  tests: ["{tests}"]\n  max_children: {children}\n  timeout: 3600\n',
        encoding="utf-8",
    )
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "gates", "mutation", "--format", "json"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.monotonic() - started
    result: dict[str, object] = next(g for g in json.loads(proc.stdout)["gates"] if g["name"] == "mutation")
    from gates.checks.mutation.statuses import LABELS, status_of

    statuses: dict[str, str] = {}
    results = project / ".gates/cache/mutation/mutation-results.json"
    if results.is_file():
        for mutant in json.loads(results.read_text(encoding="utf-8"))["mutants"]:
            statuses[mutant["name"]] = LABELS[status_of(mutant["exit_code"])]
    return result, statuses, elapsed


def check_plain_kills(project: Path, tests: str, children: int, size: int) -> str:
    """The gate's kill check (fresh-process re-runs of a sample) on plain mutmut's own results."""
    from gates.checks.mutation.results import read_meta_files
    from gates.checks.mutation.verify import check_kills

    check = check_kills(
        project,
        read_meta_files(project / "mutants"),
        size=size,
        test_selection=[tests],
        pytest_args=[],
        workers=children,
        time_left=lambda: 600.0,
        seed=1,
    )
    return (
        f"{len(check.sampled)} sampled of {check.killed} kills (seed 1): {len(check.reproduced)} reproduced, "
        f"{len(check.survived)} passed their tests, {len(check.not_run)} whose tests did not run"
        + (f" (e.g. {next(iter(check.not_run.values()))})" if check.not_run else "")
    )


def hand_check(project: Path, names: list[str], tests: str, children: int) -> dict[str, str]:
    mutants = project / "mutants"
    env = {**os.environ, "PYTHONPATH": str(mutants / "src"), "PY_COLORS": "0"}

    def one(name: str) -> tuple[str, str]:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--color=no", tests],
            cwd=mutants,
            env={**env, "MUTANT_UNDER_TEST": name},
            capture_output=True,
            check=False,
        )
        return name, {0: "survived", 1: "killed"}.get(proc.returncode, f"pytest exit {proc.returncode}")

    with ThreadPoolExecutor(max_workers=children) as pool:
        return dict(pool.map(one, names))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path)
    parser.add_argument("--file", required=True)
    parser.add_argument("--tests", required=True)
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument(
        "--hand-sample", type=int, default=0, help="hand-check only N random mutants (0: all)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-mutation-truth-"))
    try:
        project, mutmut_s = plain_mutmut(args.checkout, scratch, args.file, args.tests, args.max_children)
        theirs = mutmut_statuses(project)
        print(f"plain mutmut run ({mutmut_s:.0f}s): {len(theirs)} mutants, {dict(Counter(theirs.values()))}")
        print(
            "the gate's kill check on plain mutmut's results: "
            + check_plain_kills(project, args.tests, args.max_children, 30)
        )
        result, ours, gate_s = gate(args.checkout, scratch, args.file, args.tests, args.max_children)
        metrics = result["metrics"]
        print(f"gates mutation ({gate_s:.0f}s): verdict {result['verdict']}, metrics {metrics}")
        if result.get("error"):
            print(f"  error: {result['error']}")
        for note in result.get("notes", []):  # type: ignore[attr-defined]
            if "re-checked" in note or "non-ASCII" in note:
                print(f"  note: {note}")
        names = sorted(theirs)
        if args.hand_sample:
            names = sorted(random.Random(args.seed).sample(names, min(args.hand_sample, len(names))))
        started = time.monotonic()
        hand = hand_check(project, names, args.tests, args.max_children)
        hand_s = time.monotonic() - started
        print(f"hand check ({hand_s:.0f}s, {len(names)} mutants): {dict(Counter(hand.values()))}")
        false_kills = sorted(n for n in names if theirs[n] == "killed" and hand[n] == "survived")
        print(f"mutmut 'killed' but survive by hand: {len(false_kills)} {false_kills[:5]}")
        if ours:
            differ = sorted(n for n in names if ours.get(n) != hand[n])
            print(f"gate differs from the hand check on {len(differ)} of {len(names)}: {differ[:5]}")
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
