"""Benchmark: ``gates coverage`` against diff-cover on one large generated repository.

Builds a git repository with FILES modules of STATEMENTS single-line statements each, a
Cobertura XML (and the equivalent coverage.py JSON) marking about 70% of the lines hit,
and a feature branch that edits CHANGED files. Then times, side by side in one run:

- ``diff-cover coverage.xml --compare-branch=main --total-percent-float``
- ``gates coverage --report coverage.xml --base main`` (the same XML)
- ``gates coverage --report coverage.json --base main`` (coverage.py's JSON)

and checks both tools report the same diff percentage.

    .venv/bin/python benchmarks/bench_coverage.py [--files 5000] [--statements 200] [--changed 500]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_common import timed

BIN = Path(sys.executable).parent


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def module_text(statements: int, edited: bool, rng: random.Random) -> str:
    lines = [f"v{i} = {i}" for i in range(statements)]
    if edited:
        for i in rng.sample(range(statements), 10):
            lines[i] = f"v{i} = {i} + 1"
    return "\n".join(lines) + "\n"


def hits_for(path: str, statements: int) -> list[bool]:
    rng = random.Random(path)
    return [rng.random() < 0.7 for _ in range(statements)]


def write_reports(root: Path, names: list[str], statements: int) -> None:
    classes: list[str] = []
    files: dict[str, object] = {}
    total = covered = 0
    for name in names:
        hits = hits_for(name, statements)
        lines = "".join(f'<line number="{i + 1}" hits="{int(h)}"/>' for i, h in enumerate(hits))
        classes.append(f'<class name="{name}" filename="{name}"><methods/><lines>{lines}</lines></class>')
        executed = [i + 1 for i, h in enumerate(hits) if h]
        missing = [i + 1 for i, h in enumerate(hits) if not h]
        files[name] = {"executed_lines": executed, "missing_lines": missing, "excluded_lines": []}
        total += statements
        covered += len(executed)
    xml = (
        f'<?xml version="1.0" ?>\n<coverage version="7.17" lines-valid="{total}" lines-covered="{covered}" '
        f'branches-valid="0" branches-covered="0" branch-rate="0">'
        f'<sources><source>{root}</source></sources><packages><package name="pkg"><classes>'
        + "".join(classes)
        + "</classes></package></packages></coverage>\n"
    )
    (root / "coverage.xml").write_text(xml)
    meta = {"format": 3, "version": "7.17", "branch_coverage": False, "show_contexts": False}
    (root / "coverage.json").write_text(json.dumps({"meta": meta, "files": files}))


def build(root: Path, count: int, statements: int, changed: int) -> None:
    rng = random.Random(0)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "bench@example.com")
    git(root, "config", "user.name", "bench")
    git(root, "config", "commit.gpgsign", "false")
    names = [f"pkg/m{i // 100:03d}/f{i:05d}.py" for i in range(count)]
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(module_text(statements, False, rng))
    (root / "policy.yaml").write_text(
        'version: 1\nbase: main\npaths:\n  source: ["pkg/"]\n'
        "coverage:\n  line_min: 0\n  diff: {line_min: 0}\n  ratchet: {enabled: false}\n"
    )
    (root / ".gitignore").write_text("coverage.xml\ncoverage.json\n*.out.json\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    for name in rng.sample(names, changed):
        (root / name).write_text(module_text(statements, True, rng))
    git(root, "commit", "-q", "-am", "feature")
    write_reports(root, names, statements)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--statements", type=int, default=200)
    parser.add_argument("--changed", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        build(root, args.files, args.statements, args.changed)
        print(
            f"repository: {args.files} files, {args.files * args.statements:,} statements, "
            f"{args.changed} changed files (built in {time.perf_counter() - started:.1f}s)"
        )
        diff_cover = [
            str(BIN / "diff-cover"),
            "coverage.xml",
            "--compare-branch=main",
            "--total-percent-float",
            "--format=json:diffcover.out.json",
        ]
        ours_xml = [
            str(BIN / "gates"),
            "coverage",
            "--report",
            "coverage.xml",
            "--format",
            "json",
            "--output",
            "gates-xml.out.json",
        ]
        ours_json = [
            str(BIN / "gates"),
            "coverage",
            "--report",
            "coverage.json",
            "--format",
            "json",
            "--output",
            "gates-json.out.json",
        ]
        names = ["diff-cover (XML)", "gates coverage (XML)", "gates coverage (JSON)"]
        wall: dict[str, list[float]] = {name: [] for name in names}
        cpu: dict[str, list[float]] = {name: [] for name in names}
        for _ in range(args.repeat):  # interleaved, so load on the machine hits all alike
            for name, argv in zip(names, (diff_cover, ours_xml, ours_json), strict=True):
                w, c = timed(argv, root, (0,))
                wall[name].append(w)
                cpu[name].append(c)
        theirs = json.loads((root / "diffcover.out.json").read_text())
        for out in ("gates-xml.out.json", "gates-json.out.json"):
            gate = json.loads((root / out).read_text())["gates"][0]["metrics"]
            same = (gate["diff_statements"], gate["diff_missing"]) == (
                theirs["total_num_lines"],
                theirs["total_num_violations"],
            )
            print(
                f"{out}: diff {gate['diff_percent']:.2f}% over {gate['diff_statements']} statements; "
                f"diff-cover {theirs['total_percent_covered']}% over {theirs['total_num_lines']} "
                f"({'same' if same else 'DIFFERENT'})"
            )
            if not same:
                return 1
        base_wall = statistics.median(wall[names[0]])
        base_cpu = statistics.median(cpu[names[0]])
        print(f"\n{'tool':<24} {'wall s (median)':>16} {'ratio':>6} {'cpu s (median)':>15} {'ratio':>6}")
        for name in names:
            w, c = statistics.median(wall[name]), statistics.median(cpu[name])
            print(f"{name:<24} {w:16.2f} {base_wall / w:5.1f}x {c:15.2f} {base_cpu / c:5.1f}x")
        print(f"load average after the run: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
