"""Start-up time of `gates --version` beside a bare interpreter and peer tools' --version.

Run: .venv/bin/python benchmarks/bench_startup.py [--runs 30]
Prints a Markdown table: median and p90 wall time per command, and the ratio to gates.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def wall_times(argv: list[str], runs: int) -> list[float]:
    subprocess.run(argv, capture_output=True, check=True)  # warm the OS file cache once
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    commands = {
        "gates --version": [str(BIN / "gates"), "--version"],
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -m gates --help": [sys.executable, "-m", "gates", "--help"],
        "bandit --version": [str(BIN / "bandit"), "--version"],
        "pre-commit --version": [str(BIN / "pre-commit"), "--version"],
    }
    results = {name: wall_times(argv, args.runs) for name, argv in commands.items()}
    gates_median = statistics.median(results["gates --version"])
    print(f"runs per command: {args.runs}\n")
    print("| command | median ms | p90 ms | ratio to `gates --version` |")
    print("|---|---|---|---|")
    for name, times in results.items():
        ordered = sorted(times)
        p90 = ordered[int(0.9 * (len(ordered) - 1))]
        median = statistics.median(times)
        print(f"| `{name}` | {median * 1000:.1f} | {p90 * 1000:.1f} | {median / gates_median:.2f}x |")


if __name__ == "__main__":
    main()
