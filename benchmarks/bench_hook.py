"""Benchmark: the pre-commit case, `gates models FILE...` on 10 files, next to bandit's hook.

Issue #3 asks for under 300 ms of wall time for `gates models` on 10 files, interpreter
start included. The files are the first 10 of the installed torch's `torch/nn/modules`,
copied into a fresh git repository. Each configuration is timed in one run, the tools
alternating so that load hits them alike:

- `gates models FILE...` with no policy file (the embedded defaults), and with the starter
  policy that `gates policy init` writes; code rules and model-file scanning both on;
- `bandit -q -t B614,B615,B113,B301,B506 FILE...`, the peer hook on the same files;
- `python -c pass`, for scale.

The first `gates` run of each configuration has empty caches (no validated policy, no
per-file results) and is reported on its own; the medians are of the runs after it, which
is what a developer's commits see. `--env DIR` (repeatable) also times the `gates` of
another virtual environment: one made with a plain (not editable) `pip install .`, which is
how pre-commit installs a hook, or one with an older commit installed, for a before/after
comparison in the same run:

    .venv/bin/python benchmarks/bench_hook.py --repeat 21
    python -m venv /tmp/hookenv && /tmp/hookenv/bin/pip install . && \\
        .venv/bin/python benchmarks/bench_hook.py --repeat 21 --env /tmp/hookenv
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_common import commit_tree, torch_sources

BIN = Path(sys.executable).parent
BANDIT_TESTS = "B614,B615,B113,B301,B506"
FILE_COUNT = 10


def build_repo(root: Path, with_policy: bool) -> list[str]:
    sources = sorted((torch_sources() / "nn" / "modules").glob("*.py"))[:FILE_COUNT]
    for source in sources:
        shutil.copyfile(source, root / source.name)
    if with_policy:
        subprocess.run([str(BIN / "gates"), "policy", "init"], cwd=root, check=True, capture_output=True)
    commit_tree(root)
    return [source.name for source in sources]


def wall_ms(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv[0]} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return elapsed


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21, help="timed runs per command after the first")
    parser.add_argument(
        "--env", type=Path, action="append", default=[], help="also time this virtualenv's gates"
    )
    args = parser.parse_args()

    gates_bins = {"dev venv (editable)": BIN / "gates"}
    for env_dir in args.env:
        gates_bins[str(env_dir)] = env_dir / "bin" / "gates"
    rows: list[tuple[str, float | None, list[float]]] = []
    with tempfile.TemporaryDirectory(prefix="bench-hook-") as scratch:
        for with_policy in (False, True):
            root = Path(scratch) / ("starter-policy" if with_policy else "no-policy")
            root.mkdir()
            files = build_repo(root, with_policy)
            label = "starter policy" if with_policy else "no policy file"
            commands: dict[str, list[str]] = {}
            first: dict[str, float] = {}
            env = {**os.environ, "GATES_CACHE_DIR": str(Path(scratch) / f"cache-{root.name}")}
            for where, gates in gates_bins.items():
                name = f"`gates models` ({label}, {where})"
                commands[name] = [str(gates), "models", *files]
                shutil.rmtree(root / ".gates", ignore_errors=True)
                shutil.rmtree(env["GATES_CACHE_DIR"], ignore_errors=True)
                first[name] = wall_ms(commands[name], root, env)
            if not with_policy:
                commands[f"`bandit -q -t {BANDIT_TESTS}`"] = [
                    str(BIN / "bandit"), "-q", "-t", BANDIT_TESTS, *files
                ]  # fmt: skip
                commands["`python -c pass`"] = [sys.executable, "-c", "pass"]
            times: dict[str, list[float]] = {name: [] for name in commands}
            for _ in range(args.repeat):
                for name, argv in commands.items():
                    times[name].append(wall_ms(argv, root, env))
            rows.extend((name, first.get(name), times[name]) for name in commands)

    print(f"{FILE_COUNT} files of torch/nn/modules; {args.repeat} runs each, alternating; "
          f"cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    print("| command | first run, empty caches (ms) | median (ms) | p90 (ms) |")
    print("|---|---|---|---|")
    for name, cold, values in rows:
        shown = f"{cold:.0f}" if cold is not None else "-"
        print(f"| {name} | {shown} | {statistics.median(values):.0f} | {p90(values):.0f} |")


if __name__ == "__main__":
    main()
