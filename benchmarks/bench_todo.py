"""`gates todo` beside ruff's TODO rules (FIX, TD) and a plain grep, on a real code base.

Run: .venv/bin/python benchmarks/bench_todo.py [--package torch] [--runs 3]

Copies the package's .py files into a temp dir (no git), scans it with each tool in one run,
and prints a Markdown table: median wall time, markers found, and the ratio to gates. It
also counts grep hits that sit inside strings/docstrings (the tokenizer's reason to exist):
lines grep flags where neither gates nor ruff sees a comment marker.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
GREP_PATTERN = r"\b(TODO|FIXME|XXX|todo|fixme|xxx)\b"


def timed(argv: list[str], cwd: Path, runs: int) -> tuple[list[float], str]:
    times, out = [], ""
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        out = proc.stdout
    return times, out


def corpus(package: str, target: Path) -> int:
    source = Path(sysconfig.get_paths()["purelib"]) / package
    count = 0
    for path in source.rglob("*.py"):
        dest = target / package / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
        count += 1
    policy = (
        "version: 1\npaths:\n  source: ['.']\n  exclude: []\n"
        "todo:\n  scope: source\n  markers: [TODO, FIXME, XXX]\n  case_sensitive: false\n"
        "  not_implemented: 'off'\n  placeholder_bodies: false\n  placeholder_strings: false\n"
    )
    (target / "policy.yaml").write_text(policy, encoding="utf-8")
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--package", default="torch")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = corpus(args.package, root)
        gates_times, gates_out = timed(
            [str(BIN / "gates"), "todo", "--format", "json", "--no-baseline"], root, args.runs
        )
        (gate,) = json.loads(gates_out)["gates"]
        gates_lines = {(f["path"], f["line"]) for f in gate["findings"] if f["rule_id"].startswith("todo.")}
        ruff_times, ruff_out = timed(
            [
                str(BIN / "ruff"),
                "check",
                "--no-cache",
                "--isolated",
                "--select",
                "FIX001,FIX002,FIX003",
                "--output-format",
                "json",
                "--exit-zero",
                ".",
            ],
            root,
            args.runs,
        )
        ruff_lines = {
            (Path(d["filename"]).resolve().relative_to(root.resolve()).as_posix(), d["location"]["row"])
            for d in json.loads(ruff_out)
        }
        grep_times, grep_out = timed(["grep", "-rnE", "--include=*.py", GREP_PATTERN, "."], root, args.runs)
        grep_lines = set()
        for line in grep_out.splitlines():
            path, number, _ = line.split(":", 2)
            grep_lines.add((path.removeprefix("./"), int(number)))
    gates_median = statistics.median(gates_times)
    print(f"corpus: {files} .py files of {args.package}; runs per tool: {args.runs}\n")
    print("| tool | median s | markers (lines) | ratio to gates |")
    print("|---|---|---|---|")
    for name, times, found in (
        ("gates todo (tokenize + ast)", gates_times, gates_lines),
        ("ruff --select FIX001-003", ruff_times, ruff_lines),
        ("grep -rnE TODO|FIXME|XXX", grep_times, grep_lines),
    ):
        median = statistics.median(times)
        print(f"| {name} | {median:.2f} | {len(found)} | {median / gates_median:.2f}x |")
    print()
    print(f"- lines both gates and ruff flag: {len(gates_lines & ruff_lines)}")
    print(f"- gates only: {len(gates_lines - ruff_lines)}; ruff only: {len(ruff_lines - gates_lines)}")
    in_strings = grep_lines - gates_lines - ruff_lines
    print(f"- grep hits that are not comment markers (strings, docstrings, identifiers): {len(in_strings)}")
    for sample in sorted(in_strings)[:3]:
        print(f"  - e.g. {sample[0]}:{sample[1]}")
    for sample in sorted(gates_lines - ruff_lines)[:3]:
        print(f"  - gates only, e.g. {sample[0]}:{sample[1]}")
    for sample in sorted(ruff_lines - gates_lines)[:3]:
        print(f"  - ruff only, e.g. {sample[0]}:{sample[1]}")


if __name__ == "__main__":
    main()
