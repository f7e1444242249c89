"""Benchmark: ``gates coverage`` (diff coverage, statement-aware) against diff-cover, side by side.

Two kinds of input, in one run when both are given:

- ``--checkout PATH`` (repeatable): a real git checkout with ``coverage.json`` and
  ``coverage.xml`` at its root, written by coverage.py from its own test run at HEAD, e.g.

      PYTHONPATH=src python -m coverage run --branch --source=src -m pytest -q tests
      python -m coverage json -o coverage.json && python -m coverage xml -o coverage.xml

  For each ``--ranges`` depth k the base is ``HEAD~k``: diff-cover reads the XML
  (``--compare-branch=<HEAD~k> --total-percent-float``), the gate reads the JSON with
  statement-aware counting on (its default). An untimed gate run on the XML with
  ``statement_aware: false`` must give diff-cover's counts exactly; the statement-aware run
  counts more where a diff edits inside multi-line statements.

- ``--files N`` (0 to skip): a generated repository of N modules of realistic code
  (decorators with multi-line arguments, multi-line signatures and calls, docstrings,
  comments, comprehensions, implicit string concatenation), measured by a real
  ``coverage run`` of a driver that calls some of the functions, with a feature branch that
  edits lines inside those multi-line constructs.

Runs alternate tool by tool (``--repeat`` times) so machine load hits all alike; CPU time is
the child's user + system time. Never fetches anything: checkouts come from the command line.

    .venv/bin/python -m compileall -q gates
    .venv/bin/python benchmarks/bench_coverage.py --checkout ../click --checkout ../humanize
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
POLICY = (
    "version: 1\npaths:\n  source: [{source}]\n  tests: [{tests}]\n"
    "coverage:\n  line_min: 0\n  diff: {{line_min: 0, statement_aware: {aware}}}\n"
    "  ratchet: {{enabled: false}}\n"
)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


FUNCTION = '''

@registered(
    "{name}",
    retries={retries},
)
def {name}(
    alpha,
    beta=None,
    *,
    gamma: int = {index},
):
    """Combine alpha and beta for case {index}.

    The docstring spans lines, as real ones do.
    """
    total = combine(
        alpha,
        beta or {index},
        gamma,
    )
    if total > {threshold}:  # the large case
        values = [
            value * 2
            for value in range(total % 7)
        ]
        return sum(values)
    message = (
        "total is "
        f"{{total}}"
    )
    return message
'''

HEADER = '''"""Module {module}: generated for the coverage benchmark."""

from __future__ import annotations


def registered(name, retries=0):
    def wrap(function):
        return function

    return wrap


def combine(*parts):
    return sum(part for part in parts if isinstance(part, int))
'''

# Edits on the feature branch: each replaces a line inside a multi-line construct in place,
# so the file keeps its shape. The comment is what changes.
EDITS = [
    ("        beta or {index},\n", "        beta or {index},  # edited: the fallback\n"),
    ("    retries={retries},\n", "    retries={retries} + 1,\n"),
    ("            for value in range(total % 7)\n", "            for value in range(total % 5)\n"),
    ('        "total is "\n', '        "the total is "\n'),
    ("    The docstring spans lines, as real ones do.\n", "    The docstring spans lines.\n"),
    ("    gamma: int = {index},\n", "    gamma: int = {index} + 1,\n"),
]


def module_text(module: int, functions: int) -> str:
    parts = [HEADER.format(module=module)]
    for index in range(functions):
        parts.append(
            FUNCTION.format(name=f"f{index}", index=index, retries=index % 3, threshold=(index * 7) % 40)
        )
    return "".join(parts)


def edited(text: str, functions: int, rng: random.Random) -> str:
    for index in rng.sample(range(functions), max(1, functions // 4)):
        old, new = rng.choice(EDITS)
        marker = f"def f{index}(\n"
        start = text.index(marker) - 60
        old_line = old.format(index=index, retries=index % 3)
        at = text.index(old_line, max(0, start))
        text = text[:at] + new.format(index=index, retries=index % 3) + text[at + len(old_line) :]
    return text


def build(root: Path, count: int, functions: int, changed: int) -> None:
    rng = random.Random(0)
    git(root, "init", "-q", "-b", "main")
    for key, value in (("user.email", "bench@example.com"), ("user.name", "bench")):
        git(root, "config", key, value)
    git(root, "config", "commit.gpgsign", "false")
    names = [f"pkg/m{i // 100:03d}/f{i:05d}.py" for i in range(count)]
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").write_text("")
        path.write_text(module_text(int(name[-8:-3]), functions))
    (root / "pkg/__init__.py").write_text("")
    (root / ".gitignore").write_text(".coverage\ncoverage.xml\ncoverage.json\n*.out.json\nrun_all.py\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    for name in rng.sample(names, changed):
        path = root / name
        path.write_text(edited(path.read_text(), functions, rng))
    git(root, "commit", "-q", "-am", "feature")
    calls = ["import importlib\n"]
    for name in names:
        module = name[:-3].replace("/", ".")
        chosen = rng.sample(range(functions), functions // 2)
        calls.append(f"m = importlib.import_module({module!r})\n")
        calls += [f"m.f{i}({rng.randint(0, 60)}, None)\n" for i in chosen]
    (root / "run_all.py").write_text("".join(calls))
    python = str(BIN / "python")
    subprocess.run(
        [python, "-m", "coverage", "run", "--branch", "--source=pkg", "run_all.py"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    for kind in ("json", "xml"):
        subprocess.run(
            [python, "-m", "coverage", kind, "-q", "-o", f"coverage.{kind}"],
            cwd=root,
            check=True,
            capture_output=True,
        )


def write_policy(directory: Path, name: str, source: str, tests: str, aware: bool) -> Path:
    path = directory / name
    path.write_text(
        POLICY.format(source=json.dumps(source), tests=json.dumps(tests), aware="true" if aware else "false")
    )
    return path


def compare(
    root: Path, base: str, policies: Path, source: str, tests: str, repeat: int, label: str
) -> dict[str, object]:
    """Time diff-cover and the gate on one base; check the gate's line mode equals diff-cover."""
    aware = write_policy(policies, "aware.yaml", source, tests, True)
    lines = write_policy(policies, "lines.yaml", source, tests, False)
    out = policies / "out"
    out.mkdir(exist_ok=True)
    diff_cover = [
        str(BIN / "diff-cover"),
        "coverage.xml",
        f"--compare-branch={base}",
        "--total-percent-float",
        f"--format=json:{out / 'diffcover.json'}",
    ]

    def gates(policy: Path, report: str, output: str) -> list[str]:
        return [
            str(BIN / "gates"),
            "coverage",
            "--policy",
            str(policy),
            "--report",
            report,
            "--base",
            base,
            "--no-run",
            "--no-baseline",
            "--format",
            "json",
            "--output",
            str(out / output),
        ]

    timed_runs = {
        "diff-cover (XML)": diff_cover,
        "gates (JSON, statement-aware)": gates(aware, "coverage.json", "aware.json"),
    }
    cpu: dict[str, list[float]] = {name: [] for name in timed_runs}
    wall: dict[str, list[float]] = {name: [] for name in timed_runs}
    timed(gates(lines, "coverage.xml", "lines.json"), root, (0, 1))
    for argv in timed_runs.values():  # warm-up: git's caches, and the gate's validated-policy cache
        timed(argv, root, (0, 1))
    for _ in range(repeat):
        for name, argv in timed_runs.items():
            w, c = timed(argv, root, (0, 1))
            wall[name].append(w)
            cpu[name].append(c)
    theirs = json.loads((out / "diffcover.json").read_text())
    ours_lines = json.loads((out / "lines.json").read_text())["gates"][0]
    ours = json.loads((out / "aware.json").read_text())["gates"][0]
    if ours.get("error") or ours_lines.get("error"):
        raise SystemExit(f"{label}: gate error: {ours.get('error') or ours_lines.get('error')}")
    same = (
        ours_lines["metrics"].get("diff_statements", 0),
        ours_lines["metrics"].get("diff_missing", 0),
    ) == (
        theirs["total_num_lines"],
        theirs["total_num_violations"],
    )
    return {
        "label": label,
        "diffcover_cpu": statistics.median(cpu["diff-cover (XML)"]),
        "gates_cpu": statistics.median(cpu["gates (JSON, statement-aware)"]),
        "diffcover_wall": statistics.median(wall["diff-cover (XML)"]),
        "gates_wall": statistics.median(wall["gates (JSON, statement-aware)"]),
        "diffcover_lines": theirs["total_num_lines"],
        "diffcover_missing": theirs["total_num_violations"],
        "gates_statements": ours["metrics"].get("diff_statements", 0),
        "gates_missing": ours["metrics"].get("diff_missing", 0),
        "same": same,
    }


def print_table(rows: list[dict[str, object]]) -> int:
    print(
        "\n| input | diff-cover CPU s | gates CPU s | CPU ratio (diff-cover / gates) | wall s (dc / gates) "
        "| diff-cover lines (missing) | gates statements (missing) | line mode = diff-cover |"
    )
    print("|---|---|---|---|---|---|---|---|")
    failed = 0
    for r in rows:
        dc, gc = float(r["diffcover_cpu"]), float(r["gates_cpu"])  # type: ignore[arg-type]
        print(
            f"| {r['label']} | {dc:.2f} | {gc:.2f} | {dc / gc:.2f}x | "
            f"{float(r['diffcover_wall']):.2f} / {float(r['gates_wall']):.2f} | "  # type: ignore[arg-type]
            f"{r['diffcover_lines']} ({r['diffcover_missing']}) | "
            f"{r['gates_statements']} ({r['gates_missing']}) | {'yes' if r['same'] else 'NO'} |"
        )
        failed += not r["same"]
    dc_total = sum(float(r["diffcover_cpu"]) for r in rows)  # type: ignore[arg-type]
    gc_total = sum(float(r["gates_cpu"]) for r in rows)  # type: ignore[arg-type]
    print(
        f"\nall inputs: diff-cover {dc_total:.2f} s CPU, gates {gc_total:.2f} s CPU: "
        f"{dc_total / gc_total:.2f}x"
    )
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkout", type=Path, action="append", default=[], help="a real checkout")
    parser.add_argument("--ranges", default="10,30,100,300", help="HEAD~k bases for each checkout")
    parser.add_argument("--source", default="src/", help="paths.source in the checkouts")
    parser.add_argument("--tests", default="tests/", help="paths.tests in the checkouts")
    parser.add_argument("--files", type=int, default=0, help="generated modules (0: none)")
    parser.add_argument("--functions", type=int, default=20, help="functions per generated module")
    parser.add_argument("--changed", type=int, default=0, help="edited modules (default: a tenth)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        policies = Path(tmp)
        for checkout in args.checkout:
            root = checkout.resolve()
            for name in ("coverage.json", "coverage.xml"):
                if not (root / name).is_file():
                    raise SystemExit(f"{root}: no {name}; produce it with coverage.py first (see --help)")
            depth = int(git(root, "rev-list", "--count", "HEAD"))
            for k in (int(part) for part in args.ranges.split(",")):
                if k >= depth:
                    continue
                base = git(root, "rev-parse", f"HEAD~{k}").strip()
                label = f"{root.name} HEAD~{k}"
                rows.append(compare(root, base, policies, args.source, args.tests, args.repeat, label))
                print(f"{label}: done", flush=True)
        if args.files:
            generated = policies / "generated"
            generated.mkdir()
            started = time.perf_counter()
            changed = args.changed or max(1, args.files // 10)
            build(generated, args.files, args.functions, changed)
            print(
                f"generated: {args.files} modules x {args.functions} functions, {changed} edited "
                f"(built and measured in {time.perf_counter() - started:.1f}s)",
                flush=True,
            )
            label = f"generated {args.files} modules, {changed} edited"
            rows.append(compare(generated, "main", policies, "pkg/", "tests/", args.repeat, label))
    failed = print_table(rows)
    print(f"load average after the run: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
