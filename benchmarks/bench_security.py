"""Benchmark: `gates security` in pre-commit mode vs bandit + semgrep run by hand on the same files.

A large tree (the installed torch package's Python sources, copied into a fresh git repo),
10 changed files passed explicitly as pre-commit does. The by-hand baseline runs bandit,
then semgrep with the same rule pack, one after the other, as a hook script would.

    .venv/bin/python benchmarks/bench_security.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_common import commit_tree, torch_sources

BIN = Path(sys.executable).parent
PACK = Path(__file__).resolve().parents[1] / "gates" / "rules"
POLICY = """version: 1
paths:
  source: ["."]
security:
  pip_audit:
    enabled: false
"""


def build_tree(root: Path) -> list[str]:
    source = torch_sources()
    for path in source.rglob("*.py"):
        target = root / "torch" / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    (root / "policy.yaml").write_text(POLICY)
    commit_tree(root)
    modules = sorted(p.relative_to(root).as_posix() for p in (root / "torch" / "nn" / "modules").glob("*.py"))
    changed = [m for m in modules if not m.endswith("__init__.py")][:10]
    for name in changed:
        with (root / name).open("a", encoding="utf-8") as handle:
            handle.write("\n# touched by the benchmark\n")
    subprocess.run(["git", "add", *changed], cwd=root, check=True)
    return changed


def timed(argv: list[str], cwd: Path, ok: tuple[int, ...]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if proc.returncode not in ok:
        raise SystemExit(f"{argv[0]} exited {proc.returncode}: {proc.stderr[-500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        changed = build_tree(root)
        total = sum(1 for _ in root.rglob("*.py"))
        gates_argv = [
            str(BIN / "gates"),
            "security",
            "--tool",
            "bandit",
            "--tool",
            "semgrep",
            "--format",
            "json",
            *changed,
        ]
        bandit_argv = [str(BIN / "bandit"), "-f", "json", "-q", *changed]
        semgrep_argv = [
            str(BIN / "semgrep"),
            "scan",
            "--json",
            "--metrics=off",
            "--disable-version-check",
            "--config",
            str(PACK),
            *changed,
        ]
        gates_runs, manual_runs = [], []
        for _ in range(args.repeat):
            gates_runs.append(timed(gates_argv, root, (0, 1)))
            manual_runs.append(timed(bandit_argv, root, (0, 1)) + timed(semgrep_argv, root, (0, 1)))
        gates_s = statistics.median(gates_runs)
        manual_s = statistics.median(manual_runs)
        print(f"tree: {total} Python files (torch sources); changed: {len(changed)} files")
        print(f"gates security (pre-commit, bandit+semgrep): median {gates_s:.2f}s over {args.repeat} runs")
        print(f"bandit then semgrep by hand:                  median {manual_s:.2f}s over {args.repeat} runs")
        print(f"ratio gates / by hand: {gates_s / manual_s:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
