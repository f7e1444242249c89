"""Benchmark: `gates models --code-only` vs bandit on real checkouts, side by side, per repository.

Takes checkout paths (git work trees; it never fetches or writes into them) and, for each,
runs in one go: our gate with an empty cache, our gate again (warm cache), then bandit
1.9.x with the five peer tests (``-t B614,B615,B113,B301,B506``). It prints, per
repository: Python files, findings by rule, wall and CPU time (user+sys of the child and
its workers) with bandit/ours ratios, and the lines only one tool reports.

    .venv/bin/python benchmarks/bench_models_repos.py /path/to/nanoGPT /path/to/diffusers ...
    .venv/bin/python benchmarks/bench_models_repos.py --list /path/to/fairseq   # every one-sided line
    .venv/bin/python benchmarks/bench_models_repos.py --findings DIR ...   # keep or compare findings
    .venv/bin/python benchmarks/bench_models_repos.py --floor ...   # also the start-up floor

``--findings DIR`` writes each checkout's cold findings (the gate's full JSON findings) to
``DIR/<name>.json``, or, when that file exists, says whether they are identical to it: run
it before and after a speed change, which must not change a single finding.

It first byte-compiles the ``gates`` package (``compileall``), as a wheel install does and as
bandit's installed package is: otherwise, with ``PYTHONDONTWRITEBYTECODE`` set (this
sandbox sets it), every run of ours would compile its own source first.

With no policy.yaml in a checkout the gate's defaults apply (``--code-only``: the committed
model files are not scanned; bandit does not look at them either).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench_common import gates_models_argv

BIN = Path(sys.executable).parent
BANDIT_TESTS = "B614,B615,B113,B301,B506"
SAMPLE = 8


@dataclass
class Run:
    wall: float
    cpu: float
    lines: dict[tuple[str, int], str]  # (path, line) -> a rule flagged there (for comparing lines)
    by_rule: Counter[str]  # every finding, also several on one line
    files: int = 0
    findings: list[dict[str, object]] | None = None


def _timed(
    argv: list[str], cwd: Path, env: dict[str, str]
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc


def run_gates(checkout: Path, out: Path, cache: Path) -> Run:
    env = {**os.environ, "GATES_CACHE_DIR": str(cache)}
    wall, cpu, proc = _timed(gates_models_argv(out), checkout, env)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"gates exited {proc.returncode} on {checkout}: {proc.stderr[-2000:]}")
    gate = next(g for g in json.loads(out.read_text())["gates"] if g["name"] == "models")
    lines = {(f["path"], f["line"]): f["rule_id"] for f in gate["findings"]}
    by_rule = Counter(f["rule_id"] for f in gate["findings"])
    return Run(wall, cpu, lines, by_rule, int(gate["metrics"].get("code_files", 0)), gate["findings"])


def keep_or_compare(directory: Path, name: str, run: Run) -> None:
    path = directory / f"{name}.json"
    text = json.dumps(run.findings, indent=0, sort_keys=True)
    if path.exists():
        print(f"findings identical to {path}: {path.read_text() == text}")
    else:
        directory.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"findings written to {path}")


def run_bandit(checkout: Path, out: Path) -> Run:
    argv = [str(BIN / "bandit"), "-q", "-t", BANDIT_TESTS, "-r", ".", "-f", "json", "-o", str(out)]
    wall, cpu, proc = _timed(argv, checkout, dict(os.environ))
    if proc.returncode not in (0, 1):
        raise SystemExit(f"bandit exited {proc.returncode} on {checkout}: {proc.stderr[-2000:]}")
    results = json.loads(out.read_text())["results"]
    lines = {(r["filename"].removeprefix("./"), r["line_number"]): r["test_id"] for r in results}
    return Run(wall, cpu, lines, Counter(r["test_id"] for r in results))


# Which of our rules report what each of bandit's five tests reports.
FAMILIES = {
    "B614": frozenset({"MS101", "MS102"}),
    "B615": frozenset({"MS301", "MS302"}),
    "B301": frozenset({"MS201", "MS202", "MS203", "MS204"}),
    "B113": frozenset({"MS701"}),
    "B506": frozenset({"MS601"}),
}


def _rules_by_line(findings: list[dict[str, object]]) -> dict[tuple[str, int], set[str]]:
    lines: dict[tuple[str, int], set[str]] = {}
    for finding in findings:
        key = (str(finding["path"]), int(str(finding["line"])))
        lines.setdefault(key, set()).add(str(finding["rule_id"]))
    return lines


def report(name: str, cold: Run, warm: Run, bandit: Run, list_all: bool) -> None:
    print(f"\n## {name}: {cold.files} Python files")
    print(f"ml-gates by rule: {dict(sorted(cold.by_rule.items()))}")
    print(f"bandit by test:   {dict(sorted(bandit.by_rule.items()))}")
    print("| run | wall s | CPU s | bandit wall / this | bandit CPU / this |")
    print("|---|---|---|---|---|")
    for label, run in (("ml-gates cold", cold), ("ml-gates warm", warm), ("bandit", bandit)):
        print(f"| {label} | {run.wall:.2f} | {run.cpu:.2f} | {bandit.wall / max(run.wall, 1e-3):.1f}x "
              f"| {bandit.cpu / max(run.cpu, 1e-3):.1f}x |")  # fmt: skip
    print(f"warm run reproduces cold findings: {warm.lines == cold.lines and warm.by_rule == cold.by_rule}")
    only_bandit = sorted(set(bandit.lines) - set(cold.lines))
    only_gates = sorted(set(cold.lines) - set(bandit.lines))
    print(f"bandit lines ml-gates also flags: {len(set(bandit.lines) & set(cold.lines))}/{len(bandit.lines)}")
    # A shared line can still disagree: bandit's B615 where we report only MS401 is a missed MS301.
    ours = _rules_by_line(cold.findings or [])
    other_family = sorted(
        key for key in set(bandit.lines) & set(cold.lines) if not ours[key] & FAMILIES[bandit.lines[key]]
    )
    print(f"shared lines where no finding of ours is of bandit's kind: {len(other_family)}")
    for path, line in other_family if list_all else other_family[:SAMPLE]:
        print(f"  bandit {bandit.lines[(path, line)]} vs ml-gates {sorted(ours[(path, line)])} {path}:{line}")
    print(f"only bandit: {len(only_bandit)} {dict(Counter(bandit.lines[k] for k in only_bandit))}")
    for path, line in only_bandit if list_all else only_bandit[:SAMPLE]:
        print(f"  bandit {bandit.lines[(path, line)]} {path}:{line}")
    print(
        f"only ml-gates: {len(only_gates)} {dict(sorted(Counter(cold.lines[k] for k in only_gates).items()))}"
    )
    for path, line in only_gates if list_all else only_gates[:SAMPLE]:
        print(f"  ml-gates {cold.lines[(path, line)]} {path}:{line}")


def startup_floor(work: Path, runs: int = 7) -> None:
    """Best-of-``runs`` CPU of doing (almost) nothing: what no repository can go below.

    The one-file tree is a git repository with one finding (a hook that finds something);
    with this repository's own policy.yaml, the file sits under its ``paths.source``, and the
    validated policy is cached first (as after any first run)."""
    tiny, with_policy = work / "one-file", work / "one-file-policy"
    source = 'import torch\nx = torch.load("a.pt")\n'
    for tree, name in ((tiny, "a.py"), (with_policy, "gates/a.py")):
        (tree / name).parent.mkdir(parents=True)
        (tree / name).write_text(source)
        subprocess.run(["git", "init", "-q"], cwd=tree, check=True)
        subprocess.run(["git", "add", name], cwd=tree, check=True)
    env = {**os.environ, "GATES_NO_CACHE": "1"}
    policy_env = {**os.environ, "GATES_CACHE_DIR": str(work / "floor-cache")}
    ours = Path(__file__).resolve().parent.parent / "policy.yaml"
    gates_models = gates_models_argv(work / "one-file.json")
    commands = {
        "python -I -S -c pass": ([sys.executable, "-I", "-S", "-c", "pass"], tiny, env),
        "python -c pass": ([sys.executable, "-c", "pass"], tiny, env),
        "gates --version": ([str(BIN / "gates"), "--version"], tiny, env),
        "import the code rules": ([sys.executable, "-c", "import gates.checks.models.code_scan"], tiny, env),
        "gates models --code-only, one-file tree": (gates_models, tiny, env),
        "gates todo a.py (clean hook run), one-file tree": ([str(BIN / "gates"), "todo", "a.py"], tiny, env),
        "bandit, one-file tree": ([
            str(BIN / "bandit"), "-q", "-t", BANDIT_TESTS, "-r", ".", "-f", "json",
            "-o", str(work / "b.json"),
        ], tiny, env),
    }  # fmt: skip
    if ours.is_file():  # a source checkout: also with our own policy (cached after a first run)
        (with_policy / "policy.yaml").write_text(ours.read_text())
        commands["gates models --code-only, one-file tree, our policy.yaml"] = (
            gates_models,
            with_policy,
            policy_env,
        )
        _timed(gates_models, with_policy, policy_env)
    print("start-up floor (best CPU s of", runs, "runs):")
    for label, (argv, cwd, run_env) in commands.items():
        times = []
        for _ in range(runs):
            _, cpu, proc = _timed(argv, cwd, run_env)
            if proc.returncode not in (0, 1):  # a quick failure is no floor
                raise SystemExit(f"{label} exited {proc.returncode}: {proc.stderr[-2000:]}")
            times.append(cpu)
        print(f"  {min(times):.3f}  {label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="+", type=Path, help="git work trees (never fetched or written)")
    parser.add_argument("--list", action="store_true", help="print every line only one tool reports")
    parser.add_argument("--findings", type=Path, help="write the cold findings here, or compare with them")
    parser.add_argument("--floor", action="store_true", help="first measure the start-up floor of both tools")
    args = parser.parse_args()
    import gates

    package = Path(gates.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)
    print(f"cores: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}; {package} byte-compiled")
    with tempfile.TemporaryDirectory(prefix="bench-models-repos-") as scratch:
        work = Path(scratch)
        if args.floor:
            startup_floor(work)
        for index, checkout in enumerate(args.checkouts):
            checkout = checkout.resolve()
            cache = work / f"cache-{index}"
            cold = run_gates(checkout, work / f"cold-{index}.json", cache)
            warm = run_gates(checkout, work / f"warm-{index}.json", cache)
            bandit = run_bandit(checkout, work / f"bandit-{index}.json")
            report(checkout.name, cold, warm, bandit, args.list)
            if args.findings:
                keep_or_compare(args.findings, checkout.name, cold)


if __name__ == "__main__":
    main()
