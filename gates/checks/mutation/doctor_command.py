"""``gates mutation doctor``: print the setup checks; exit 2 when one would stop a run.

It honours ``--format`` and ``--output`` like every command: text is its own short listing,
the other formats render the checks as the mutation gate's result (a table and details).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from gates.errors import GatesError
from gates.findings import GateResult, Report, Table, Verdict

from .doctor import ERROR, DoctorReport, diagnose


def run_doctor(args: argparse.Namespace, files: list[str], out: TextIO) -> int:
    from gates import __version__
    from gates.cli_paths import paths_from_cwd
    from gates.git import find_root
    from gates.policy.loader import load_policy

    root = find_root(Path.cwd())
    loaded = load_policy(args.policy, root)
    section = loaded.policy.mutation
    from .scope import resolve_scope

    text: list[str] = [f"mutation doctor: {root}\n"]
    try:
        scope = resolve_scope(root, loaded.policy.paths, section, paths_from_cwd(files, root))
    except GatesError as exc:
        result = GateResult.failed_closed("mutation", str(exc))
        text = [f"error: {exc}\n"]
    else:
        report = diagnose(
            root,
            source_paths=scope.source_paths,
            also_copy=list(section.also_copy),
            test_files=scope.test_files,
            pytest_args=list(section.pytest_args),
            fixing=False,
        )
        tests = " ".join(scope.test_selection)
        summary = f"would mutate {len(scope.files)} file(s) from {scope.origin}; tests: {tests}"
        text.append(f"  {summary}\n")
        if not report.diagnoses:
            text.append("  no problem found\n")
        text += [f"  {d.level}: [{d.check}] {d.message}\n" for d in report.diagnoses]
        result = _as_result(report, summary, len(scope.files))
    full = Report([result], tool_version=__version__, policy_path=loaded.display_path)
    _emit(args, "".join(text), full, out)
    return full.exit_code


def _as_result(report: DoctorReport, summary: str, files: int) -> GateResult:
    errors = [d.message for d in report.diagnoses if d.level == ERROR]
    return GateResult(
        name="mutation",
        verdict=Verdict.ERROR if errors else Verdict.PASS,
        error="; ".join(errors) or None,
        notes=[f"doctor: {summary}"],
        metrics={"files": files, "problems": len(report.diagnoses)},
        tables=[
            Table(
                "Mutation doctor",
                ["level", "check", "message"],
                [[d.level, d.check, d.message] for d in report.diagnoses],
            )
        ],
        details={"doctor": [asdict(d) for d in report.diagnoses]},
    )


def _emit(args: argparse.Namespace, text: str, report: Report, out: TextIO) -> None:
    from gates.fsutil import atomic_write_text
    from gates.report import RenderOptions, render

    outputs = getattr(args, "outputs", None) or [["text", None]]
    for fmt, destination in outputs:
        rendered = text if fmt == "text" else render(str(fmt), report, RenderOptions(env=dict(os.environ)))
        if destination is None:
            out.write(rendered)
        else:
            atomic_write_text(Path(destination), rendered)
