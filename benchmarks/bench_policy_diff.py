"""What the policy comparison costs a changed-code run: `gates check --gate models` on a real
repository with and without `--base REF` (which adds the policy, baseline and suppression
comparison of gates/policy_changes.py), and `gates policy diff` alone.

There is no peer tool that compares a change's own policy with its base (the issue's survey:
Codecov, SonarQube, super-linter, MegaLinter and pre-commit.ci all trust the change's config),
so the figure is the overhead on the gate run it rides along with, next to `git diff` over the
same range, the floor any comparison of a change pays.

    python benchmarks/bench_policy_diff.py CHECKOUT BASE_REF [--repeat N]

CHECKOUT is a git clone with history (it is only read; nothing is written into it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path)
    parser.add_argument("base")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    gates = shutil.which("gates") or str(Path(sys.executable).parent / "gates")
    os.environ.setdefault("CI", "1")  # no progress lines
    runs = {
        "git diff (floor)": (["git", "diff", "--stat", f"{args.base}...HEAD"], (0,)),
        "gates check --gate models": ([gates, "check", "--gate", "models"], (0, 1)),
        "gates check --gate models --base": (
            [gates, "check", "--gate", "models", "--base", args.base],
            (0, 1),
        ),
        "gates policy diff --base": ([gates, "policy", "diff", "--base", args.base], (0, 1)),
    }
    figures: dict[str, tuple[float, float]] = {}
    for name, (argv, ok) in runs.items():
        timed(argv, args.checkout, ok)  # warm the caches once
        samples = [timed(argv, args.checkout, ok) for _ in range(args.repeat)]
        figures[name] = (
            statistics.median(s[0] for s in samples),
            statistics.median(s[1] for s in samples),
        )
    print(f"{'command':<36} {'wall s':>8} {'cpu s':>8}")
    for name, (wall, cpu) in figures.items():
        print(f"{name:<36} {wall:8.2f} {cpu:8.2f}")
    plain = figures["gates check --gate models"][1]
    with_base = figures["gates check --gate models --base"][1]
    overhead = with_base - plain
    print(f"overhead of the comparison on the gate run (cpu): {overhead:.2f} s ({with_base / plain:.2f}x)")


if __name__ == "__main__":
    main()
