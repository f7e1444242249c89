"""Benchmark: `gates models --code-only` (cold and warm cache) vs bandit and semgrep, side by side.

The tree is the installed torch package's Python sources (any machine with torch has
it), copied into a fresh git repository. One run times, in order: our gate with an
empty cache, our gate again (warm cache), bandit with the five peer tests, and semgrep
with the equivalent local rules in benchmarks/semgrep_models_rules.yml. Wall time and
CPU time (user+sys of the child, which includes our worker processes) are reported,
with findings per tool and how many of bandit's flagged lines we also flag.

    .venv/bin/python benchmarks/bench_models.py

The pre-commit case (``gates models FILE...`` on 10 files) has its own script,
``benchmarks/bench_hook.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench_common import commit_tree, gates_models_argv, timed, torch_sources

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
SEMGREP_RULES = HERE / "semgrep_models_rules.yml"
BANDIT_TESTS = "B614,B615,B113,B301,B506"
POLICY = "version: 1\nmodel_safety:\n  model_files: {enabled: false}\n"


@dataclass
class Timed:
    name: str
    wall: float
    cpu: float
    findings: int
    lines: set[tuple[str, int]]
    by_rule: Counter[str]


def build_tree(root: Path) -> int:
    source = torch_sources()
    count = 0
    for path in source.rglob("*.py"):
        target = root / "torch" / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        count += 1
    (root / "policy.yaml").write_text(POLICY)
    commit_tree(root)
    return count


def run_gates(root: Path, name: str) -> Timed:
    out = root / f"{name}.json"
    wall, cpu = timed(gates_models_argv(out), root, (0, 1))
    gate = next(g for g in json.loads(out.read_text())["gates"] if g["name"] == "models")
    findings = gate["findings"]
    return Timed(name, wall, cpu, len(findings), {(f["path"], f["line"]) for f in findings},
                 Counter(f["rule_id"] for f in findings))  # fmt: skip


def run_bandit(root: Path) -> Timed:
    out = root / "bandit.json"
    argv = [str(BIN / "bandit"), "-q", "-t", BANDIT_TESTS, "-r", "torch", "-f", "json", "-o", str(out)]
    wall, cpu = timed(argv, root, (0, 1))
    report = json.loads(out.read_text())
    results = report["results"]
    return Timed("bandit", wall, cpu, len(results), {(r["filename"], r["line_number"]) for r in results},
                 Counter(r["test_id"] for r in results))  # fmt: skip


def run_semgrep(root: Path) -> Timed:
    out = root / "semgrep.json"
    argv = [str(BIN / "semgrep"), "scan", "--config", str(SEMGREP_RULES), "--metrics=off",
            "--disable-version-check", "--json", "--output", str(out), "-q", "torch"]  # fmt: skip
    wall, cpu = timed(argv, root, (0, 1))
    results = json.loads(out.read_text())["results"]
    return Timed("semgrep", wall, cpu, len(results), {(r["path"], r["start"]["line"]) for r in results},
                 Counter(r["check_id"].rsplit(".", 1)[-1] for r in results))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary tree")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-models-"))
    try:
        files = build_tree(root)
        cold = run_gates(root, "gates-cold")
        warm = run_gates(root, "gates-warm")
        bandit = run_bandit(root)
        semgrep = run_semgrep(root)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(f"tree: torch {files} .py files; cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}")
    print("| tool | wall s | CPU s | findings | bandit wall / this wall | bandit CPU / this CPU |")
    print("|---|---|---|---|---|---|")
    for row in (cold, warm, bandit, semgrep):
        print(f"| {row.name} | {row.wall:.2f} | {row.cpu:.2f} | {row.findings} | "
              f"{bandit.wall / row.wall:.1f}x | {bandit.cpu / row.cpu:.1f}x |")  # fmt: skip
    covered = len(bandit.lines & cold.lines)
    print(f"\nbandit lines also flagged by gates: {covered}/{len(bandit.lines)}")
    print(f"gates lines bandit does not flag: {len(cold.lines - bandit.lines)}")
    print(f"gates by rule: {dict(sorted(cold.by_rule.items()))}")
    print(f"bandit by test: {dict(sorted(bandit.by_rule.items()))}")
    print(f"semgrep by rule: {dict(sorted(semgrep.by_rule.items()))}")
    print(f"warm run reproduces cold findings: {warm.lines == cold.lines}")


if __name__ == "__main__":
    main()
