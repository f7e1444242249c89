"""`gates todo` beside ruff's TODO rules (FIX001-003) and a plain grep, on a real code base.

Run: .venv/bin/python benchmarks/bench_todo.py [--source DIR] [--runs 3] [--check]

Copies the .py files of DIR (default: the installed torch package, see bench_common) into a
temp dir (no git), scans it with each tool in one run, runs interleaved so load hits all alike,
and prints a Markdown table: median wall and CPU time, lines flagged, and the CPU ratio to ruff.
It also counts grep hits that sit inside strings/docstrings: lines grep flags where neither
gates nor ruff sees a comment marker. ``--check`` also scans every file in-process with the
scanner's tokenize reference (``use_tokenize=True``, the gate before its lexer) and exits 1
unless the gate's findings are the same.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_common import timed, torch_sources

BIN = Path(sys.executable).parent
GREP_PATTERN = r"\b(TODO|FIXME|XXX|todo|fixme|xxx)\b"
MARKERS = ("TODO", "FIXME", "XXX")


def corpus(source: Path, target: Path) -> int:
    count = 0
    for path in source.rglob("*.py"):
        dest = target / source.name / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
        count += 1
    policy = (
        "version: 1\npaths:\n  source: ['.']\n  exclude: []\n"
        f"todo:\n  scope: source\n  markers: [{', '.join(MARKERS)}]\n  case_sensitive: false\n"
        "  not_implemented: 'off'\n  placeholder_bodies: false\n  placeholder_strings: false\n"
    )
    (target / "policy.yaml").write_text(policy, encoding="utf-8")
    return count


def reference_lines(root: Path) -> set[tuple[str, int]]:
    """What the gate found before its lexer: the scanner with tokenize, same settings."""
    from gates.checks.todo.scanner import MarkerSpec, UnparsableSource, scan_source

    spec = MarkerSpec(
        MARKERS,
        "blocking",
        not_implemented="off",
        placeholder_bodies=False,
        placeholder_strings=False,
    )
    found: set[tuple[str, int]] = set()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        try:
            items = scan_source(path.read_text(encoding="utf-8"), spec, use_tokenize=True)
        except (UnparsableSource, UnicodeDecodeError):
            found.add((relative, -1))
            continue
        found |= {(relative, item.line) for item in items}
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="a directory of Python code (default: torch)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="compare with the tokenize reference")
    args = parser.parse_args()
    source = args.source or torch_sources()
    commands = {
        "gates todo": [str(BIN / "gates"), "todo", "--format", "json", "--no-baseline"],
        "ruff --select FIX001,FIX002,FIX003": [
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
        "grep -rnE TODO|FIXME|XXX": ["grep", "-rnE", "--include=*.py", GREP_PATTERN, "."],
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = corpus(source, root)
        wall: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                w, c = timed(argv, root, (0, 1))
                wall[name].append(w)
                cpu[name].append(c)
        outputs = {
            name: subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False).stdout
            for name, argv in commands.items()
        }
        (gate,) = json.loads(outputs["gates todo"])["gates"]
        gates_lines = {(f["path"], f["line"]) for f in gate["findings"] if f["rule_id"].startswith("todo.")}
        ruff_lines = {
            (Path(d["filename"]).resolve().relative_to(root.resolve()).as_posix(), d["location"]["row"])
            for d in json.loads(outputs["ruff --select FIX001,FIX002,FIX003"])
        }
        grep_lines = set()
        for line in outputs["grep -rnE TODO|FIXME|XXX"].splitlines():
            path, number, _ = line.split(":", 2)
            grep_lines.add((path.removeprefix("./"), int(number)))
        reference = reference_lines(root) if args.check else None
    found = {"gates todo": gates_lines, "ruff --select FIX001,FIX002,FIX003": ruff_lines}
    found["grep -rnE TODO|FIXME|XXX"] = grep_lines
    ruff_cpu = statistics.median(cpu["ruff --select FIX001,FIX002,FIX003"])
    print(f"corpus: {files} .py files of {source}; runs per tool: {args.runs}\n")
    print("| tool | median wall s | median CPU s | lines flagged | CPU vs ruff |")
    print("|---|---|---|---|---|")
    for name in commands:
        c = statistics.median(cpu[name])
        print(
            f"| {name} | {statistics.median(wall[name]):.2f} | {c:.2f} | {len(found[name])} | "
            f"{c / ruff_cpu:.2f}x |"
        )
    print()
    print(f"- lines both gates and ruff flag: {len(gates_lines & ruff_lines)}")
    print(f"- gates only: {len(gates_lines - ruff_lines)}; ruff only: {len(ruff_lines - gates_lines)}")
    in_strings = grep_lines - gates_lines - ruff_lines
    print(f"- grep hits that are not comment markers (strings, docstrings, identifiers): {len(in_strings)}")
    if reference is not None:
        same = reference == gates_lines
        print(f"- same lines as the tokenize reference: {'yes' if same else 'NO'} ({len(reference)} lines)")
        if not same:
            print(f"  reference only: {sorted(reference - gates_lines)[:5]}")
            print(f"  gate only: {sorted(gates_lines - reference)[:5]}")
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
